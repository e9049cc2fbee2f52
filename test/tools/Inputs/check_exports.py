#!/usr/bin/env python3
"""Holds the dynamic symbols of our shared objects to an allow-list.

Usage: check_exports.py ALLOWLIST KIND=FILE [KIND=FILE ...]

ALLOWLIST has one section per kind of shared object ("[runtime]",
"[plugin]", "[module]", ...), each with one entry per line: a C symbol
(`mgpuLaunchKernel`), a C++ name without its parameters and ABI tags
(`rescale::runtime::Module::load`), or a glob of '*' and '?'
(`_rescale_entry_*`, for names that depend on the compiled program). '#'
starts a comment.

For each FILE, every defined dynamic symbol (`nm -D --defined-only`),
demangled and cut before its parameter list, must match an entry of its
KIND's section, and every entry that is not a glob must be exported: the
list is the documented API, neither more nor less. Prints each file's
symbols (sorted, one per line, indented) and one verdict line per file.
Exit status 1 if any file exports something outside its list or misses an
entry, 2 on bad usage.
"""
import fnmatch
import re
import shutil
import subprocess
import sys


def read_allowlist(path):
    sections, current = {}, None
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("[") and line.endswith("]"):
                current = sections.setdefault(line[1:-1], [])
            elif current is None:
                sys.exit(f"{path}:{number}: entry before any [section]")
            else:
                current.append(line)
    return sections


# An operator's own symbols are part of its name: operator(), operator<, ...
OPERATOR = re.compile(r"operator(\(\)|[^\s(]*)")


def strip_parameters(name):
    """`ns::f(int, std::vector<int>)` -> `ns::f`: cut at the first '(' that
    is outside template arguments."""
    depth, i = 0, 0
    while i < len(name):
        operator = OPERATOR.match(name, i)
        if operator and (i == 0 or not (name[i - 1].isalnum() or name[i - 1] == "_")):
            i = operator.end()
            continue
        c = name[i]
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
        elif c == "(" and depth == 0:
            return name[:i]
        i += 1
    return name


def is_glob(entry):
    return "*" in entry or "?" in entry


def matches(name, entry):
    """`entry` as a glob of '*' and '?' only ('[' is literal: C++ names have
    brackets)."""
    return fnmatch.fnmatchcase(name, entry.replace("[", "[[]"))


def exported_symbols(path):
    nm = shutil.which("nm") or shutil.which("llvm-nm-22") or shutil.which("llvm-nm")
    if not nm:
        sys.exit("check_exports.py: no nm on PATH")
    out = subprocess.run([nm, "-D", "--defined-only", "-C", path],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"check_exports.py: {nm} -D {path} failed: {out.stderr.strip()}")
    names = set()
    for line in out.stdout.splitlines():
        parts = line.split(None, 2)  # address, type, name (may hold spaces)
        if len(parts) == 3:
            # ABI tags ([abi:cxx11] on functions returning std::string) are
            # how a name is mangled, not what it is.
            names.add(re.sub(r"\[abi:\w+\]", "", strip_parameters(parts[2])))
    return names


def main(argv):
    if len(argv) < 3 or any("=" not in a for a in argv[2:]):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    sections = read_allowlist(argv[1])
    bad = 0
    for arg in argv[2:]:
        kind, path = arg.split("=", 1)
        if kind not in sections:
            print(f"check_exports.py: no [{kind}] section in {argv[1]}", file=sys.stderr)
            return 2
        allowed = sections[kind]
        names = exported_symbols(path)
        outside = sorted(n for n in names if not any(matches(n, a) for a in allowed))
        missing = sorted(a for a in allowed if not is_glob(a) and a not in names)
        for n in sorted(names):
            print(f"  {kind}: {n}")
        for n in outside:
            print(f"NOT ALLOWED {kind} {path}: {n}")
        for a in missing:
            print(f"MISSING {kind} {path}: {a} (in the allow-list, not exported)")
        verdict = "ok" if not outside and not missing else "FAIL"
        print(f"{verdict} {kind} {path}: {len(names)} symbols, {len(outside)} "
              f"outside the allow-list, {len(missing)} missing")
        bad += bool(outside or missing)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
