#!/usr/bin/env python3
"""Diffs the IR two builds print for every lit input (issue #20).

    diff-ir.py BUILD_A BUILD_B [-j N] [--keep DIR] [--filter REGEX]

Builds nothing. For every lit test under test/, reads its RUN lines, and for
each command in them that runs `rescale-opt` (or the system mlir-opt with
the RescalePlugin), runs that command with each build's tool on the same
input with the same flags, output to stdout, and compares what comes out
(stdout, stderr and exit status) byte for byte. The output of a compiler
must be a function of its input and flags, not of the compiler that built
it, so any difference is a failure.

Normalized before comparing, and only these, each proven not ours:
  * the build directory's own path (each build loads its own plugin);
  * `LLVMIRToISATimeInMs = N`: upstream gpu-module-to-binary records how
    long LLVM took to emit PTX (mlir/lib/Target/LLVM/NVVM/Target.cpp), a
    wall-clock time that differs run to run with the same binary.
A difference this script reports that comes from our code must be fixed,
never normalized.

Prints one line per difference (and the diff), then
`diff-ir: N invocations (T lit tests, M input files) compared, K differ`;
exit 1 if K > 0.
"""

import argparse
import concurrent.futures
import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
TOOLS = ("rescale-opt", "%system_mlir_opt")
SUFFIXES = (".mlir", ".test")


def run_lines(path):
    """The RUN commands of a lit test, continuation lines joined."""
    lines, cur = [], ""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.search(r"\bRUN:\s?(.*)$", line)
            if not m:
                continue
            text = m.group(1).rstrip()
            if text.endswith("\\"):
                cur += text[:-1] + " "
                continue
            lines.append(cur + text)
            cur = ""
    return lines


def tool_commands(run):
    """The commands of one RUN line (split at |, &&, ;) that run our compiler
    on an input file. Left out: a stage that reads the previous stage's
    output (its input is already compared), the system mlir-opt without our
    plugin (not ours), and commands that read files an earlier RUN line made
    (%t: they need the test's other tools)."""
    out = []
    for part in re.split(r"\|\||\||&&|;", run):
        words = part.strip().split()
        while words and words[0] == "not":
            words = words[1:]
        if not words or words[0] not in TOOLS:
            continue
        if words[0] == "%system_mlir_opt" and not any("%rescale_plugin" in w for w in words):
            continue
        if "%t" in part:
            continue
        if not any(w in ("%s", "<") or "%S/" in w or w.endswith(".mlir") for w in words[1:]):
            continue
        out.append(" ".join(words))
    return out


def substitute(cmd, test, build, tmp, mlir_opt):
    subs = [
        ("%system_mlir_opt", mlir_opt),
        ("%rescale_plugin", os.path.join(build, "lib", "RescalePlugin.so")),
        ("%rescale_lib", os.path.join(build, "lib")),
        ("%rescale_src", ROOT),
        ("%S", os.path.dirname(test)),
        ("%s", test),
        ("%t", os.path.join(tmp, "t")),
    ]
    for k, v in subs:
        cmd = cmd.replace(k, v)
    words = shlex.split(cmd)
    if words[0] == "rescale-opt":
        words[0] = os.path.join(build, "bin", "rescale-opt")
    # Output to stdout; inputs by redirection are kept.
    clean, i = [], 0
    while i < len(words):
        w = words[i]
        if w == "-o" and i + 1 < len(words):
            clean += ["-o", "-"]
            i += 2
            continue
        if w.startswith("-o="):
            clean.append("-o=-")
        elif w.startswith((">", "2>", "1>")):
            break  # the lit test's own redirection: we capture both streams
        else:
            clean.append(w)
        i += 1
    stdin = None
    if "<" in clean:
        k = clean.index("<")
        stdin = clean[k + 1]
        clean = clean[:k] + clean[k + 2:]
    return clean, stdin


def run(words, stdin, build):
    with tempfile.TemporaryDirectory() as cwd:
        try:
            p = subprocess.run(
                words, cwd=cwd, timeout=600,
                stdin=open(stdin, "rb") if stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out = (p.stdout + b"\n--- stderr ---\n" + p.stderr +
                   b"\n--- exit %d ---\n" % p.returncode)
        except subprocess.TimeoutExpired:
            out = b"--- timed out ---\n"
    # Each build loads its own plugin and prints its own paths in errors.
    out = out.replace(os.path.abspath(build).encode(), b"<build>")
    return re.sub(rb"LLVMIRToISATimeInMs = \d+", b"LLVMIRToISATimeInMs = <ms>", out)


def lit_tests():
    tests = []
    for base, dirs, names in os.walk(os.path.join(ROOT, "test")):
        dirs[:] = sorted(d for d in dirs if d not in ("Inputs", "fixtures"))
        tests += [os.path.join(base, n) for n in sorted(names) if n.endswith(SUFFIXES)]
    return tests


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build_a")
    ap.add_argument("build_b")
    ap.add_argument("-j", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--keep", help="write each output pair under this folder")
    ap.add_argument("--mlir-opt", default="mlir-opt-22")
    ap.add_argument("--filter", default="",
                    help="only the lit tests whose path matches this regex")
    args = ap.parse_args()
    builds = [os.path.abspath(args.build_a), os.path.abspath(args.build_b)]
    for b in builds:
        if not os.access(os.path.join(b, "bin", "rescale-opt"), os.X_OK):
            sys.exit("diff-ir: no %s/bin/rescale-opt (build it first)" % b)

    jobs = []  # (test, index, command)
    for test in lit_tests():
        if not re.search(args.filter, os.path.relpath(test, ROOT)):
            continue
        cmds = [c for r in run_lines(test) for c in tool_commands(r)]
        jobs += [(test, i, c) for i, c in enumerate(cmds)]

    def compare(job):
        test, i, cmd = job
        outs = []
        with tempfile.TemporaryDirectory() as tmp:
            for b in builds:
                words, stdin = substitute(cmd, test, b, tmp, args.mlir_opt)
                outs.append(run(words, stdin, b))
        return job, outs

    differ, inputs, tests = 0, set(), set()
    with concurrent.futures.ThreadPoolExecutor(max(1, args.j)) as pool:
        for (test, i, cmd), (a, b) in pool.map(compare, jobs):
            rel = os.path.relpath(test, ROOT)
            tests.add(rel)
            words, stdin = substitute(cmd, test, builds[0], "/tmp", args.mlir_opt)
            inputs |= {os.path.normpath(w) for w in words[1:] + [stdin or ""]
                       if w.endswith(".mlir") and os.path.isfile(w)}
            if args.keep:
                d = os.path.join(args.keep, rel.replace("/", "__") + ".%d" % i)
                os.makedirs(args.keep, exist_ok=True)
                for suffix, data in ((".a", a), (".b", b)):
                    with open(d + suffix, "wb") as f:
                        f.write(data)
            if a == b:
                continue
            differ += 1
            print("DIFFERS: %s (RUN command %d): %s" % (rel, i, cmd))
            diff = difflib.unified_diff(
                a.decode(errors="replace").splitlines(),
                b.decode(errors="replace").splitlines(),
                builds[0], builds[1], lineterm="", n=2)
            for k, line in enumerate(diff):
                if k == 60:
                    print("    ... (diff truncated)")
                    break
                print("    " + line)
    print("diff-ir: %d invocations (%d lit tests, %d input files) compared, "
          "%d differ" % (len(jobs), len(tests), len(inputs), differ))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
