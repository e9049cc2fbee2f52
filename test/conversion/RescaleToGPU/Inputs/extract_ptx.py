#!/usr/bin/env python3
"""Extract the PTX of every gpu.binary in an MLIR file (format=isa).

Usage: extract_ptx.py IN.mlir OUT_DIR
Writes OUT_DIR/<binary-name>.ptx for each `gpu.binary @name [...assembly = "..."]`
and prints the paths. Used by the ptxas lit tests until rescale-compile
--emit=ptx exists for every test input.
"""
import os
import re
import sys


def unescape(s):
    # MLIR prints string attributes with \XX hex escapes and \\ / \".
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            nxt = s[i + 1]
            if nxt in '\\"':
                out.append(ord(nxt))
                i += 2
                continue
            out.append(int(s[i + 1:i + 3], 16))
            i += 3
            continue
        out += c.encode()
        i += 1
    return out.decode()


def main():
    text = open(sys.argv[1]).read()
    os.makedirs(sys.argv[2], exist_ok=True)
    found = 0
    for m in re.finditer(r'gpu\.binary @(\w+)[^\n]*?assembly = "((?:[^"\\]|\\.)*)"', text):
        path = os.path.join(sys.argv[2], m.group(1) + ".ptx")
        with open(path, "w") as f:
            f.write(unescape(m.group(2)))
        print(path)
        found += 1
    if not found:
        sys.exit("extract_ptx.py: no gpu.binary with PTX assembly in " + sys.argv[1])


if __name__ == "__main__":
    main()
