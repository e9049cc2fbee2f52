#!/usr/bin/env python3
"""Load shared objects with ctypes' default mode (RTLD_LOCAL), in order, as a
Python host does; then say whether the last one has its entry and whether
anything of ours leaked into the global scope.

Usage: load_local.py [LIB.so ...] MODULE.so ENTRY_SYMBOL
Prints `loaded MODULE`, `entry ENTRY_SYMBOL: found|absent` and
`global mgpuMemAlloc: yes|no`; a load that fails prints `load failed: ...`
and exits 1.
"""
import ctypes
import sys


def main(argv):
    *libs, module, symbol = argv[1:]
    try:
        for lib in libs:
            ctypes.CDLL(lib)
        handle = ctypes.CDLL(module)
    except OSError as e:
        print(f"load failed: {e}")
        return 1
    print(f"loaded {module}")
    print(f"entry {symbol}: {'found' if hasattr(handle, symbol) else 'absent'}")
    leaked = hasattr(ctypes.CDLL(None), "mgpuMemAlloc")
    print(f"global mgpuMemAlloc: {'yes' if leaked else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
