#!/usr/bin/env python3
"""The architecture is one-way (docs/overview.md, "The layers"): each source
folder may include only from the layers below it, and the runtime and the
trainer include nothing of LLVM or MLIR. This reads every #include of the
tracked C/C++ sources and reports each one that points upward.

  scripts/check-layers.py [ROOT]     exit 1 if any include breaks the layers
  scripts/check-layers.py --self-test
"""
import os
import re
import sys

from sourcefiles import source_files

# What each folder may include ("quoted/path" by its first one or two
# components). Anything of upstream MLIR or LLVM is allowed where
# `llvm` is True.
LAYERS = {
    "dialect": ({"dialect"}, True),
    "passes": ({"dialect", "passes"}, True),
    "target": ({"target"}, True),
    "conversion": ({"dialect", "target", "conversion"}, True),
    "transforms": ({"dialect", "transforms"}, True),
    "pipelines": ({"dialect", "passes", "target", "conversion", "transforms",
                   "pipelines"}, True),
    "compiler": ({"dialect", "passes", "target", "conversion", "transforms",
                  "pipelines", "compiler", "rescale/runtime"}, True),
    "modelbuilder": ({"dialect", "passes", "target", "conversion",
                      "transforms", "pipelines", "compiler", "modelbuilder",
                      "rescale/runtime", "rescale/trainer"}, True),
    "runtime": ({"rescale/runtime"}, False),
    "trainer": ({"rescale/runtime", "rescale/trainer"}, False),
}
UPSTREAM = ("mlir/", "llvm/", "llvm-c/", "mlir-c/")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def violations(folder, text):
    """(line number, include, why) for each include in `text`, a source file
    of `folder`, that its layer does not allow."""
    allowed, llvm_ok = LAYERS[folder]
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        m = INCLUDE.match(line)
        if not m:
            continue
        path = m.group(2)
        if path.startswith(UPSTREAM):
            if not llvm_ok:
                found.append((number, path, "%s/ links no LLVM or MLIR" % folder))
            continue
        if m.group(1) == "<" or "/" not in path:
            continue  # system headers, and headers beside the source
        parts = path.split("/")
        root = "/".join(parts[:2]) if parts[0] == "rescale" else parts[0]
        if root not in allowed:
            found.append((number, path, "%s/ may not include from %s/" %
                          (folder, root)))
    return found


def self_test():
    cases = [
        ("dialect", '#include "passes/Passes.h"', 1),
        ("dialect", '#include "dialect/RescaleOps.h"', 0),
        ("passes", '#include "pipelines/Pipelines.h"', 1),
        ("conversion", '#include "pipelines/NVPTXPipeline.h"', 1),
        ("conversion", '#include "target/NVPTXTarget.h"', 0),
        ("transforms", '#include "conversion/Passes.h"', 1),
        ("target", '#include "dialect/RescaleOps.h"', 1),
        ("pipelines", '#include "compiler/ModuleCompiler.h"', 1),
        ("compiler", '#include "tools/InitAll.h"', 1),
        ("compiler", '#include "rescale/runtime/Manifest.h"', 0),
        ("compiler", '#include "rescale/trainer/Config.h"', 1),
        ("conversion", '#include "rescale/runtime/Manifest.h"', 1),
        ("runtime", '#include "mlir/IR/Builders.h"', 1),
        ("runtime", '#include "llvm/ADT/StringRef.h"', 1),
        ("runtime", '#include "File.h"', 0),
        ("runtime", '#include <vector>', 0),
        ("trainer", '#include "rescale/runtime/Module.h"', 0),
        ("trainer", '#include "dialect/RescaleOps.h"', 1),
        ("modelbuilder", '#include "tools/InitAll.h"', 1),
    ]
    passed = 0
    for folder, line, want in cases:
        got = len(violations(folder, line))
        ok = got == want
        passed += ok
        print("%s: %s in %s/: %d finding(s)" % ("PASS" if ok else "FAIL", line,
                                                folder, got))
    print("self-test: %d of %d passed" % (passed, len(cases)))
    return 0 if passed == len(cases) else 1


def main(argv):
    if argv[:1] == ["--self-test"]:
        return self_test()
    root = os.path.abspath(argv[0] if argv else
                           os.path.join(os.path.dirname(__file__), ".."))
    checked = findings = 0
    for name in source_files(root, (".c", ".cpp", ".h")):
        folder = name.split("/")[0]
        if folder not in LAYERS:
            continue
        checked += 1
        with open(os.path.join(root, name), encoding="utf-8") as f:
            for number, path, why in violations(folder, f.read()):
                findings += 1
                print("%s:%d: #include \"%s\": %s" % (name, number, path, why))
    print("check-layers: %d file(s), %d finding(s)" % (checked, findings))
    return 1 if findings else 0


sys.exit(main(sys.argv[1:]))
