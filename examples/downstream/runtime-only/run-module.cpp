//===- run-module.cpp - run one entry of a compiled module ----------------===//
//
// run-module MODULE.so ENTRY OUT_DIR IN.npy...: loads a module that
// rescale-compile wrote (with its manifest beside it), reads the inputs,
// runs ENTRY and writes its outputs to OUT_DIR/out<i>.npy, printing each
// output's type. Every failure is one "run-module: error: ..." line and
// exit code 1: the runtime reports errors as values, not exceptions.
//
//===----------------------------------------------------------------------===//

#include "rescale/runtime/Module.h"
#include "rescale/runtime/Npy.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace rescale::runtime;

static int fail(const Status &status) {
  std::fprintf(stderr, "run-module: error: %s\n", status.message().c_str());
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: run-module MODULE.so ENTRY OUT_DIR [IN.npy ...]\n");
    return 2;
  }
  auto module = Module::load(argv[1]);
  if (!module)
    return fail(module.status());

  std::vector<HostTensor> inputs;
  for (int i = 4; i < argc; ++i) {
    auto tensor = readNpy(argv[i]);
    if (!tensor)
      return fail(tensor.status());
    inputs.push_back(tensor.take());
  }
  auto outputs = (*module)->run(argv[2], inputs);
  if (!outputs)
    return fail(outputs.status());

  for (size_t i = 0; i < outputs->size(); ++i) {
    std::string path =
        std::string(argv[3]) + "/out" + std::to_string(i) + ".npy";
    if (Status written = writeNpy(path, (*outputs)[i]); !written)
      return fail(written);
    std::printf("out%zu: %s\n", i, (*outputs)[i].typeString().c_str());
  }
  return 0;
}
