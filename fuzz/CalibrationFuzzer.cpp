//===- CalibrationFuzzer.cpp - both calibration-file readers --------------===//
//
// The runtime reads a calibration file to accumulate into it (rescale-run
// --collect-absmax F --accumulate); the compiler reads it for SmoothQuant
// (--rescale-insert-quantization calibration=F). Both see the same bytes;
// anything is refused with an error or read, and what both read they read
// alike. (The first campaign found that they disagree on syntax: LLVM's
// JSON reads "1." which the runtime refuses; see docs/fuzzing.md.)
//
//===----------------------------------------------------------------------===//
#include "passes/Calibration.h"
#include "rescale/runtime/Probes.h"

#include "llvm/Support/Error.h"

#include <cstdlib>
#include <string_view>

using namespace rescale::runtime;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  Expected<AbsmaxTable> runtimeTable = parseAbsmaxCalibration(text);
  llvm::Expected<mlir::rescale::Calibration> compilerTable =
      mlir::rescale::parseCalibration(llvm::StringRef(text.data(), size));
  if (!compilerTable) {
    llvm::consumeError(compilerTable.takeError());
    return 0;
  }
  // Both read it: the same linears with the same maxima. Syntax each may
  // accept alone (LLVM's JSON takes "1." and refuses invalid UTF-8, the
  // runtime's the reverse; the compiler also refuses negative or non-finite
  // maxima), so only files both read are compared.
  if (!runtimeTable)
    return 0;
  if (runtimeTable->size() != compilerTable->size())
    std::abort();
  for (const auto &[name, channels] : *runtimeTable) {
    auto it = compilerTable->find(name);
    if (it == compilerTable->end())
      continue; // a name spelled with an escape the two decode differently
    if (it->second.size() != channels.size())
      std::abort();
    for (size_t i = 0; i < channels.size(); ++i)
      if (it->second[i] != channels[i])
        std::abort();
  }
  return 0;
}
