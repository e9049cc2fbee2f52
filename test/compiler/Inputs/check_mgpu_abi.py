#!/usr/bin/env python3
"""Check that a compiled nvptx module links against the runtime's mgpu* ABI.

Usage: check_mgpu_abi.py MODULE.so RUNTIME.so
Prints each mgpu* symbol MODULE.so leaves undefined and whether RUNTIME.so
defines it; exits 1 if one is missing or the module needs none.
"""
import subprocess
import sys


def symbols(path, flags):
    out = subprocess.run(["nm", "-D"] + flags + [path], capture_output=True,
                         text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def main():
    needed = sorted(s for s in symbols(sys.argv[1], ["--undefined-only"])
                    if s.startswith("mgpu"))
    defined = symbols(sys.argv[2], ["--defined-only"])
    missing = [s for s in needed if s not in defined]
    for s in needed:
        print(("defined " if s in defined else "MISSING ") + s)
    if not needed:
        sys.exit("check_mgpu_abi.py: the module calls no mgpu* function")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
