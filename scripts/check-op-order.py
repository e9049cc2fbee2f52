#!/usr/bin/env python3
"""Flags C++ expressions whose emitted IR depends on the host compiler.

C++ leaves the order in which a call's arguments are evaluated unspecified
(Clang goes left to right, GCC 12 mostly right to left), and likewise the
operands of most binary operators. A call such as

    select(isZero(amax), f64(1.0), div(amax, f64(elementMax)))

creates the ops of its arguments in an order that differs between compilers,
so the printed IR does too (issue #20). This checker finds every argument
list, and every braced initializer list, in which two or more arguments
create ops, and every binary operator whose two operands both create ops.
The fix is to create the operands as named locals, in the order the IR
should read.

(Braced initializer lists are in fact evaluated left to right by the
standard; they are flagged too, so that changing `{}` to `()` cannot silently
bring the problem back, and so that the order is visible as named locals.)

What "creates ops" means is derived from the code, not listed by hand:
  * the seeds: `FooOp::create(...)`, and the builder methods
    `b.create<FooOp>(...)`, `createOrFold`, `replaceOpWithNewOp`,
    `createBlock` and `clone` (the MLIR builder API);
  * every function, method or named lambda defined in the scanned sources
    whose body calls a seed or another op-creating function (a fixpoint over
    names; overloads share a name, which errs on the side of flagging).
Calls qualified with `std::` or `llvm::` are never ours and never count.
Lambda bodies passed as arguments run later, not while the arguments are
evaluated, so the ops they create do not count for the enclosing call (they
are checked on their own).

A false positive is silenced only by an explicit marker with a reason, on the
flagged line or the line above it:

    // op-order-ok: <why the order cannot matter here>

It is a tokenizer, not a parser: fast (the whole tree in about a second),
heuristic about templates, and checked by `--self-test`.

Usage:
    check-op-order.py [ROOT]         scan ROOT/{dialect,passes,target,conversion,transforms,
                                     pipelines,compiler,modelbuilder,tools}
    check-op-order.py FILE...        scan the given files
    check-op-order.py --self-test    run the built-in positive/negative cases
    check-op-order.py --list-helpers ROOT   print the derived op-creating names
"""

import os
import re
import sys

SCANNED_DIRS = ("dialect", "passes", "target", "conversion", "transforms",
                "pipelines", "compiler", "modelbuilder", "tools")
SOURCE_EXTS = (".cpp", ".h", ".hpp", ".cc", ".inc")

# The MLIR builder API: calls with these names create ops (or blocks).
SEEDS = {"create", "createOrFold", "replaceOpWithNewOp", "createBlock", "clone"}
# Never ours: these namespaces' functions do not build IR.
FOREIGN_NAMESPACES = {"std", "llvm"}
MARKER = re.compile(r"//\s*op-order-ok:\s*\S")

KEYWORDS = {
    "if", "for", "while", "switch", "catch", "return", "sizeof", "alignof",
    "decltype", "static_assert", "new", "delete", "throw", "case", "do",
    "else", "try", "operator", "co_return", "co_await", "noexcept",
    "alignas", "typeid", "static_cast", "dynamic_cast", "const_cast",
    "reinterpret_cast", "defined",
}
# `{` after one of these opens a statement block (or a class/lambda body).
BLOCK_AFTER_WORD = {"else", "do", "try", "const", "override", "final",
                    "noexcept", "mutable"}
TYPE_INTRODUCERS = {"struct", "class", "namespace", "enum", "union"}
# Binary operators whose operands are sequenced (C++17): evaluating both
# operands of these in source order is guaranteed.
SEQUENCED_OPS = {"&&", "||", ",", "?", ":", "<<", ">>", "=", "+=", "-=",
                 "*=", "/=", "|=", "&=", "^=", "<<=", ">>=", "%=", ".", "->",
                 "::", ";"}

TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<lcomment>//[^\n]*)
  | (?P<bcomment>/\*.*?\*/)
  | (?P<rawstr>R"(?P<delim>[^(\s]*)\(.*?\)(?P=delim)")
  | (?P<str>"(?:\\.|[^"\\\n])*")
  | (?P<chr>'(?:\\.|[^'\\\n])*')
  | (?P<pp>^[ \t]*\#[^\n]*(?:\\\n[^\n]*)*)
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<num>\.?\d(?:[\w.']|[eEpP][+-])*)
  | (?P<punct><<=|>>=|->\*|\.\.\.|::|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||
               \+=|-=|\*=|/=|%=|&=|\|=|\^=|[{}()\[\]<>;,.:?~!+\-*/%&|^=\#])
""", re.VERBOSE | re.DOTALL | re.MULTILINE)


class Tok:
    __slots__ = ("kind", "text", "line", "col")

    def __init__(self, kind, text, line, col):
        self.kind, self.text, self.line, self.col = kind, text, line, col

    def __repr__(self):
        return f"{self.text}@{self.line}"


def tokenize(src):
    toks, marked = [], set()
    line, line_start, pos = 1, 0, 0
    while pos < len(src):
        m = TOKEN_RE.match(src, pos)
        if not m:  # an odd character: skip it
            pos += 1
            continue
        kind = m.lastgroup if m.lastgroup != "delim" else "rawstr"
        text = m.group()
        if kind in ("rawstr",):
            kind = "str"
        if kind == "lcomment" and MARKER.search(text):
            marked.add(line)
        if kind not in ("ws", "lcomment", "bcomment", "pp"):
            toks.append(Tok(kind, text, line, pos - line_start + 1))
        nl = text.count("\n")
        if nl:
            line += nl
            line_start = pos + text.rfind("\n") + 1
        pos = m.end()
    return toks, marked


class Group:
    """A bracketed group: `open` is '(', '[' or '{'; items are Tok or Group."""
    __slots__ = ("open", "tok", "items", "kind", "lambda_body")

    def __init__(self, open_tok):
        self.open, self.tok, self.items, self.kind = open_tok.text, open_tok, [], None
        self.lambda_body = False


CLOSE = {")": "(", "]": "[", "}": "{"}


def build_tree(toks):
    root = Group(Tok("punct", "{", 0, 0))
    root.kind = "block"
    stack = [root]
    for t in toks:
        if t.text in ("(", "[", "{") and t.kind == "punct":
            g = Group(t)
            stack[-1].items.append(g)
            stack.append(g)
        elif t.text in CLOSE and t.kind == "punct":
            # Unbalanced input (macros): close up to the matching opener.
            while len(stack) > 1 and stack[-1].open != CLOSE[t.text]:
                stack.pop()
            if len(stack) > 1:
                stack.pop()
        else:
            stack[-1].items.append(t)
    return root


def is_tok(x, text=None):
    return isinstance(x, Tok) and (text is None or x.text == text)


def is_ident(x):
    return isinstance(x, Tok) and x.kind == "ident"


def template_end(items, i):
    """If items[i] is a '<' opening template arguments, the index of its '>'."""
    if not (is_tok(items[i], "<") and i > 0 and is_ident(items[i - 1])):
        return None
    depth = 0
    for j in range(i, len(items)):
        x = items[j]
        if isinstance(x, Group):
            if x.open == "{":
                return None
            continue
        if x.text == "<":
            depth += 1
        elif x.text == ">":
            depth -= 1
            if depth == 0:
                nxt = items[j + 1] if j + 1 < len(items) else None
                if nxt is None or isinstance(nxt, Group) or nxt.text in (
                        "::", ">", ",", ")", "&", "*", "&&", ";", "...") or is_ident(nxt):
                    return j
                return None
        elif x.text == ">>":
            depth -= 2
            if depth <= 0:
                return j
        elif x.text in (";", "&&", "||", "?", "{", "}", "=", "==", "!="):
            return None
    return None


def is_label(items, start, i):
    """Does the ':' at items[i] end a `case X:`, `default:` or `public:`?
    (Not a base-class list or a bit-field.)"""
    first = items[start] if start < i else None
    return is_tok(first) and first.text in (
        "case", "default", "public", "private", "protected")


def classify_braces(g, prev, prev2, parent_kind, stmt_prefix):
    """Decides whether a '{' group is a block (statements) or an init list."""
    if parent_kind == "init":
        return "init"
    if prev is None:
        return "block"
    if isinstance(prev, Group):
        # `) {` function/if/for/lambda body; `] {` lambda without params.
        return "block" if prev.open in ("(", "[") else "init"
    t = prev.text
    if t in (";", "{", "}", ":", "->"):
        return "block"
    if t in BLOCK_AFTER_WORD:
        return "block"
    if any(is_tok(x) and x.text in TYPE_INTRODUCERS for x in stmt_prefix):
        return "block"
    # `-> Type {`: a trailing return type before a lambda/function body.
    k = len(stmt_prefix) - 1
    while k >= 0 and (is_ident(stmt_prefix[k]) or is_tok(stmt_prefix[k]) and
                      stmt_prefix[k].text in ("::", "<", ">", "*", "&", ",")):
        k -= 1
    if k >= 0 and is_tok(stmt_prefix[k], "->"):
        return "block"
    return "init"


class Checker:
    def __init__(self, helpers):
        self.helpers = helpers  # op-creating names
        self.findings = []     # (line, col, message)

    # --- what creates ops -------------------------------------------------
    def call_at(self, items, i):
        """If items[i] is the name of a call evaluated here, return
        (name_tok, args_group, end_index), else None."""
        x = items[i]
        if not is_ident(x) or x.text in KEYWORDS:
            return None
        j = i + 1
        if j < len(items) and is_tok(items[j], "<"):
            e = template_end(items, j)
            if e is None:
                return None
            j = e + 1
        if j < len(items) and isinstance(items[j], Group) and items[j].open in ("(", "{"):
            return x, items[j], j
        return None

    def creates(self, items, i):
        """True when the call named at items[i] creates ops."""
        c = self.call_at(items, i)
        if not c:
            return False
        name = c[0].text
        if i >= 2 and is_tok(items[i - 1], "::") and is_ident(items[i - 2]) and \
                items[i - 2].text in FOREIGN_NAMESPACES:
            return False
        if c[1].open == "{" and name not in self.helpers:
            return False
        if name in SEEDS:
            # `FooOp::create(...)` (every op class ends in `Op`), or the
            # builder's `b.create<FooOp>(...)`; not e.g. `HostTensor::create`.
            if name == "clone" and not c[1].items:
                return False  # `op->clone()`: detached, or not an op at all
            if i >= 1 and is_tok(items[i - 1]) and items[i - 1].text in (".", "->"):
                return True
            return i >= 2 and is_tok(items[i - 1], "::") and \
                is_ident(items[i - 2]) and items[i - 2].text.endswith("Op")
        return name in self.helpers

    def contains_creation(self, items):
        """Any op-creating call evaluated in this sequence (lambda bodies
        excluded)?"""
        for i, x in enumerate(items):
            if isinstance(x, Group):
                if x.kind == "block":
                    continue
                if self.contains_creation(x.items):
                    return True
            elif self.creates(items, i):
                return True
        return False

    # --- the walk ---------------------------------------------------------
    def walk(self, g):
        """Classifies every '{' group below g, then checks each group."""
        self.classify(g, None)
        self.check(g)

    def classify(self, g, _):
        items = g.items
        stmt_start = 0
        for i, x in enumerate(items):
            if isinstance(x, Group):
                if x.open == "{":
                    prev = items[i - 1] if i > 0 else None
                    prev2 = items[i - 2] if i > 1 else None
                    x.kind = classify_braces(x, prev, prev2, g.kind,
                                             items[stmt_start:i])
                    x.lambda_body = x.kind == "block" and is_lambda_body(items, i)
                elif x.open == "(":
                    x.kind = "paren"
                else:
                    x.kind = "bracket"
                self.classify(x, None)
                if x.kind == "block" and g.kind == "block":
                    stmt_start = i + 1
            elif x.text == ";":
                stmt_start = i + 1
            elif x.text == ":" and g.kind == "block" and is_label(items, stmt_start, i):
                stmt_start = i + 1

    def split(self, items, sep):
        parts, cur, i = [], [], 0
        while i < len(items):
            x = items[i]
            if is_tok(x, "<"):
                e = template_end(items, i)
                if e is not None:
                    cur.extend(items[i:e + 1])
                    i = e + 1
                    continue
            if is_tok(x, sep):
                parts.append(cur)
                cur = []
            else:
                cur.append(x)
            i += 1
        parts.append(cur)
        return parts

    def report(self, tok, msg):
        self.findings.append((tok.line, tok.col, msg))

    def check(self, g):
        items = g.items
        # Argument lists and braced lists: count the arguments that create.
        if g.kind in ("paren", "init"):
            args = self.split(items, ",")
            creating = [a for a in args if self.contains_creation(a)]
            if len(creating) >= 2:
                what = "braced list" if g.kind == "init" else "argument list"
                self.report(g.tok, f"{len(creating)} arguments of one {what} "
                                   "create ops; their order is unspecified")
            for a in args:
                self.check_operands(a, g.tok)
        elif g.kind == "block":
            for stmt in self.split_statements(items):
                self.check_operands(stmt, None)
        for x in items:
            if isinstance(x, Group):
                self.check(x)

    def split_statements(self, items):
        stmts, cur = [], []
        for x in items:
            if isinstance(x, Group) and x.kind == "block":
                stmts.append(cur)
                cur = []
            elif is_tok(x, ";"):
                stmts.append(cur)
                cur = []
            else:
                cur.append(x)
        stmts.append(cur)
        return stmts

    def check_operands(self, seq, _):
        """Two op-creating operands of one unsequenced binary operator."""
        atoms = []  # (index, tok) of op-creating calls at this level
        i = 0
        while i < len(seq):
            x = seq[i]
            if is_ident(x) and self.creates(seq, i):
                atoms.append((i, x))
                i = self.call_at(seq, i)[2] + 1
                continue
            if isinstance(x, Group) and x.kind != "block" and x.open == "(" and \
                    (i == 0 or not is_ident(seq[i - 1])) and self.contains_creation(x.items):
                atoms.append((i, x.tok))  # a parenthesized operand
            i += 1
        for (a, ta), (b, tb) in zip(atoms, atoms[1:]):
            between = [x for x in seq[a + 1:b] if is_tok(x) and x.kind == "punct"]
            # Skip the template brackets and member chains of the first call.
            ops = [x.text for x in between if x.text not in ("<", ">")]
            if not ops:
                continue
            if all(o in SEQUENCED_OPS for o in ops):
                continue
            self.report(tb, "two operands of '%s' create ops; their order is "
                            "unspecified" % next(o for o in ops if o not in SEQUENCED_OPS))


# --- deriving the op-creating names -------------------------------------------

def function_bodies(root):
    """(name, body_group) for every function, method and named lambda."""
    out = []

    def visit(g):
        items = g.items
        for i, x in enumerate(items):
            if not isinstance(x, Group):
                continue
            if x.kind == "block" and x.open == "{" and g.kind == "block":
                name = definition_name(items, i)
                if name:
                    out.append((name, x))
            visit(x)
    visit(root)
    return out


QUALIFIERS = {"const", "override", "final", "noexcept", "mutable", "&", "&&"}


def definition_name(items, i):
    """The name of the function or named lambda whose body is items[i]."""
    k = i - 1
    # Skip a trailing return type `-> T`.
    j = k
    while j >= 0 and (is_ident(items[j]) or is_tok(items[j]) and
                      items[j].text in ("::", "<", ">", "*", "&", ",")):
        j -= 1
    if j >= 0 and is_tok(items[j], "->"):
        k = j - 1
    while k >= 0 and is_tok(items[k]) and items[k].text in QUALIFIERS:
        k -= 1
    if k < 0 or not isinstance(items[k], Group):
        return None
    if items[k].open == "[":  # `auto name = [&] {`
        return lambda_name(items, k)
    if items[k].open != "(":
        return None
    if k >= 1 and isinstance(items[k - 1], Group) and items[k - 1].open == "[":
        return lambda_name(items, k - 1)
    if k >= 1 and is_ident(items[k - 1]) and items[k - 1].text not in KEYWORDS:
        return items[k - 1].text
    return None


def is_lambda_body(items, i):
    """Is the '{' group items[i] the body of a lambda expression?"""
    k = skip_trailing_return(items, i - 1)
    while k >= 0 and is_tok(items[k]) and items[k].text in QUALIFIERS:
        k -= 1
    if k >= 0 and isinstance(items[k], Group) and items[k].open == "(":
        k -= 1
    return k >= 0 and isinstance(items[k], Group) and items[k].open == "["


def skip_trailing_return(items, k):
    """Index before a trailing return type `-> T` ending at items[k]."""
    j = k
    while j >= 0 and (is_ident(items[j]) or is_tok(items[j]) and
                      items[j].text in ("::", "<", ">", "*", "&", ",")):
        j -= 1
    if j >= 0 and is_tok(items[j], "->"):
        return j - 1
    return k


def lambda_name(items, k):
    """`auto NAME = [...]` -> NAME."""
    if k >= 2 and is_tok(items[k - 1], "=") and is_ident(items[k - 2]):
        return items[k - 2].text
    return None


def derive_helpers(parsed):
    """{path: root} -> {path: the op-creating names visible in that file}.

    A call resolves to the file's own definitions of that name when it has
    any (static helpers, lambdas), else to the definitions other files export
    (those defined in a header, or named in one): `floorLog2` on doubles in
    one file does not make another file's op-creating `floorLog2` harmless,
    or vice versa.
    """
    defs = [(path, name, body) for path, root in parsed.items()
            for name, body in function_bodies(root) if name not in SEEDS]
    in_headers = set()
    for path, root in parsed.items():
        if path.endswith((".h", ".hpp", ".inc")):
            in_headers |= identifiers(root)
    local_names = {}
    for path, name, _ in defs:
        local_names.setdefault(path, set()).add(name)
    creating = [False] * len(defs)

    def visible(path):
        glob = {n for (p, n, _), c in zip(defs, creating)
                if c and (p.endswith((".h", ".hpp", ".inc")) or n in in_headers)}
        local = {n for (p, n, _), c in zip(defs, creating) if c and p == path}
        return (glob - local_names.get(path, set())) | local

    changed = True
    while changed:
        changed = False
        cache = {}
        for k, (path, name, body) in enumerate(defs):
            if creating[k]:
                continue
            if path not in cache:
                cache[path] = Checker(visible(path))
            if calls_creating(cache[path], body):
                creating[k] = True
                changed = True
    return {path: visible(path) for path in parsed}


def identifiers(g):
    out = set()
    for x in g.items:
        if isinstance(x, Group):
            out |= identifiers(x)
        elif is_ident(x):
            out.add(x.text)
    return out


def calls_creating(probe, g):
    """Does running this body call an op-creating name? The bodies of lambdas
    defined in it do not count: they run when called (a named lambda is a
    definition of its own) or when whoever they are passed to runs them (and
    that call counts)."""
    for i, x in enumerate(g.items):
        if isinstance(x, Group):
            if x.lambda_body:
                continue
            if calls_creating(probe, x):
                return True
        elif is_ident(x) and probe.creates(g.items, i):
            return True
    return False


# --- driver ---------------------------------------------------------------------

def parse(src):
    toks, marked = tokenize(src)
    root = build_tree(toks)
    Checker(set()).classify(root, None)
    return root, marked


def check_sources(sources):
    """sources: {path: text}. Returns ([(path, line, col, msg)], helpers)."""
    parsed = {p: parse(s) for p, s in sources.items()}
    helpers = derive_helpers({p: r for p, (r, _) in parsed.items()})
    out = []
    for path, (root, marked) in sorted(parsed.items()):
        c = Checker(helpers[path])
        c.check(root)
        for line, col, msg in sorted(set(c.findings)):
            if line in marked or (line - 1) in marked:
                continue
            out.append((path, line, col, msg))
    return out, helpers


def collect(paths):
    files = []
    for p in paths:
        if os.path.isfile(p):
            files.append(p)
            continue
        dirs = [os.path.join(p, d) for d in SCANNED_DIRS
                if os.path.isdir(os.path.join(p, d))] or [p]
        for d in dirs:
            for base, subdirs, names in os.walk(d):
                subdirs.sort()
                files += [os.path.join(base, n) for n in sorted(names)
                          if n.endswith(SOURCE_EXTS)]
    return {f: open(f, encoding="utf-8", errors="replace").read() for f in files}


SELF_TESTS = [
    # (name, source, expected number of findings)
    ("args of a seed", """
Value f(OpBuilder &b, Location loc, Value x) {
  return arith::AddFOp::create(b, loc, arith::NegFOp::create(b, loc, x),
                               arith::NegFOp::create(b, loc, x));
}""", 1),
    ("derived helpers", """
struct Q {
  Value f64(double v) { return arith::ConstantOp::create(b, loc, v); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value isZero(Value x) { return cmp(x, f64(0.0)); }
  Value cmp(Value x, Value y) { return arith::CmpFOp::create(b, loc, x, y); }
  Value scale(Value amax, double m) {
    return select(isZero(amax), f64(1.0), div(amax, f64(m)));
  }
};""", 1),
    ("sequenced locals are fine", """
Value g(OpBuilder &b, Location loc, Value x) {
  Value n = arith::NegFOp::create(b, loc, x);
  Value m = arith::NegFOp::create(b, loc, n);
  return arith::AddFOp::create(b, loc, n, m);
}""", 0),
    ("one creating argument, nested, is fine", """
Value g(ImplicitLocOpBuilder &b, Value x) {
  return math::ExpOp::create(b, arith::NegFOp::create(b, x), b.getF32Type());
}""", 0),
    ("builder-style create<>", """
void h(OpBuilder &b, Location loc, Value x) {
  foo(b.create<arith::NegFOp>(loc, x), rewriter.create<arith::NegFOp>(loc, x));
}""", 1),
    ("ValueRange braced list", """
void h(ImplicitLocOpBuilder &b, Value buf) {
  memref::LoadOp::create(b, buf, ValueRange{cIdx(b, 0), cIdx(b, 1)});
}
Value cIdx(ImplicitLocOpBuilder &b, int64_t v) {
  return arith::ConstantIndexOp::create(b, v);
}""", 1),
    ("initializer list of a local", """
void h(ImplicitLocOpBuilder &b) {
  SmallVector<Value> v = {cIdx(b, 0), cIdx(b, 1)};
  SmallVector<Value> w{cIdx(b, 0), cIdx(b, 1)};
}
Value cIdx(ImplicitLocOpBuilder &b, int64_t v) {
  return arith::ConstantIndexOp::create(b, v);
}""", 2),
    ("named lambdas are helpers", """
void h(OpBuilder &b, Location loc) {
  auto cst = [&](double v) -> Value { return arith::ConstantOp::create(b, loc, v); };
  use(cst(1.0), cst(2.0));
}""", 1),
    ("lambda bodies passed as arguments run later", """
void h(OpBuilder &b, Location loc, Value x) {
  buildGeneric(b, loc, arith::NegFOp::create(b, loc, x),
               [&](OpBuilder &nb, Location l, ValueRange a) {
                 return arith::NegFOp::create(nb, l, a[0]);
               });
}""", 0),
    ("binary operator with two creating operands", """
int64_t h(OpBuilder &b) { return cIdx(b, 1) + cIdx(b, 2); }
Value cIdx(OpBuilder &b, int64_t v) { return arith::ConstantIndexOp::create(b, v); }
""", 1),
    ("&& and , are sequenced", """
bool h(OpBuilder &b) { return ok(cIdx(b, 1)) && ok(cIdx(b, 2)); }
Value cIdx(OpBuilder &b, int64_t v) { return arith::ConstantIndexOp::create(b, v); }
""", 0),
    ("std:: and llvm:: calls never count", """
Value max(Value a, Value b) { return arith::MaxFOp::create(bb, a, b); }
int64_t h(int64_t a) { return foo(std::max(a, 1), llvm::max(a, 2)); }
""", 0),
    ("create of a non-op class is not a seed", """
HostTensor make(int n) { return check(HostTensor::create(n)); }
void h() { use(make(1), make(2)); }
""", 0),
    ("a file's own definition of a name wins", """
int floorLog2(double a) { return 3; }
int h(double a) { return use(floorLog2(a), floorLog2(2 * a)); }
""", 0),
    ("a function that only stores lambdas creates nothing", """
struct Hooks { std::function<Value(OpBuilder &)> make; };
Hooks hooks(Location loc) {
  Hooks h;
  h.make = [=](OpBuilder &b) { return arith::ConstantIndexOp::create(b, loc, 0); };
  return h;
}
void use2(OpBuilder &b) { run(hooks(b.getLoc()), hooks(b.getLoc())); }
""", 0),
    ("a class with bases has member functions, not an init list", """
struct P : OpRewritePattern<FooOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FooOp op, PatternRewriter &b) const override {
    auto body = [&](OpBuilder &nb) { return 0; };
    foo(arith::NegFOp::create(b, loc, x), arith::NegFOp::create(b, loc, x));
    switch (k) {
    case 1: {
      bar(x, y);
      break;
    }
    default:
      break;
    }
    return success();
  }
};""", 1),
    ("non-creating calls are fine", """
void h(OpBuilder &b, Value x) {
  foo(b.getF32Type(), x.getType(), getShape(x), cast<RankedTensorType>(x.getType()));
}""", 0),
    ("template arguments with commas", """
void h(OpBuilder &b, Location loc, Value x) {
  use(std::pair<Type, int64_t>{x.getType(), 4}, arith::NegFOp::create(b, loc, x));
}""", 0),
    ("the marker silences a finding, with a reason", """
void h(OpBuilder &b, Location loc, Value x) {
  // op-order-ok: both ops are identical constants, CSE'd right after
  foo(arith::NegFOp::create(b, loc, x), arith::NegFOp::create(b, loc, x));
}""", 0),
    ("a marker without a reason does not", """
void h(OpBuilder &b, Location loc, Value x) {
  // op-order-ok:
  foo(arith::NegFOp::create(b, loc, x), arith::NegFOp::create(b, loc, x));
}""", 1),
    ("control headers and bodies", """
void h(OpBuilder &b, Location loc, Value x) {
  if (x) {
    for (int i = 0; i < 4; ++i)
      foo(arith::NegFOp::create(b, loc, x), x);
  } else {
    foo(x, x);
  }
}""", 0),
    ("nested: the inner list is flagged once", """
void h(OpBuilder &b, Location loc, Value x) {
  foo(bar(arith::NegFOp::create(b, loc, x), arith::NegFOp::create(b, loc, x)));
}""", 1),
    ("struct bodies are not initializer lists", """
struct S {
  Value a = x;
  void m(OpBuilder &b, Location loc, Value x) {
    foo(arith::NegFOp::create(b, loc, x), arith::NegFOp::create(b, loc, x));
  }
};""", 1),
]


def self_test():
    failed = 0
    for name, src, expected in SELF_TESTS:
        found, _ = check_sources({"<%s>" % name: src})
        ok = len(found) == expected
        failed += not ok
        print("%s: %s (expected %d finding(s), got %d)" %
              ("PASS" if ok else "FAIL", name, expected, len(found)))
        if not ok:
            for f in found:
                print("    %s:%d:%d: %s" % f)
    print("self-test: %d of %d passed" % (len(SELF_TESTS) - failed, len(SELF_TESTS)))
    return 1 if failed else 0


def main(argv):
    if argv[1:2] == ["--self-test"]:
        return self_test()
    list_helpers = argv[1:2] == ["--list-helpers"]
    paths = argv[2:] if list_helpers else argv[1:]
    if not paths:
        paths = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")]
    sources = collect(paths)
    found, helpers = check_sources(sources)
    if list_helpers:
        print("\n".join(sorted(set().union(*helpers.values()))))
        return 0
    for path, line, col, msg in found:
        print("%s:%d:%d: %s" % (os.path.normpath(path), line, col, msg))
    names = set().union(*helpers.values()) if helpers else set()
    print("check-op-order: %d file(s), %d op-creating helper name(s), %d finding(s)"
          % (len(sources), len(names), len(found)))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
