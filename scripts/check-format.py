#!/usr/bin/env python3
"""The C and C++ sources of the tree in LLVM style (.clang-format), by
clang-format-22: Debian 12's own clang-format is 14, which formats some
constructs differently, so the version is pinned (scripts/setup.sh installs
it).

  scripts/check-format.py [ROOT]         lists the files clang-format would
                                         change; exit 1 if there are any
  scripts/check-format.py --fix [ROOT]   formats them in place

Files are the tracked ones (git ls-files) where ROOT is a git checkout, else
every .c/.cpp/.h under ROOT outside build*/ folders (scripts/sourcefiles.py).
"""
import os
import shutil
import subprocess
import sys

from sourcefiles import source_files

EXTENSIONS = (".c", ".cpp", ".h")


def main(argv):
    fix = "--fix" in argv
    args = [a for a in argv if a != "--fix"]
    root = os.path.abspath(args[0] if args else
                           os.path.join(os.path.dirname(__file__), ".."))
    tool = shutil.which("clang-format-22")
    if not tool:
        print("check-format: error: clang-format-22 not found "
              "(apt-get install clang-format-22)", file=sys.stderr)
        return 2
    names = source_files(root, EXTENSIONS)
    if fix:
        subprocess.run([tool, "-i"] + names, cwd=root, check=True)
    unformatted = []
    for name in names:
        run = subprocess.run([tool, "--dry-run", "-Werror", name], cwd=root,
                             capture_output=True)
        if run.returncode != 0:
            unformatted.append(name)
    for name in unformatted:
        print("not formatted: %s" % name)
    print("check-format: %d file(s), %d not formatted" %
          (len(names), len(unformatted)))
    return 1 if unformatted else 0


sys.exit(main(sys.argv[1:]))
