//===- CalibrationFuzzer.cpp - both calibration-file readers --------------===//
//
// The runtime reads a calibration file to accumulate into it (rescale-run
// --collect-absmax F --accumulate); the compiler reads it for SmoothQuant
// (--rescale-insert-quantization calibration=F). Both see the same bytes;
// anything is refused with an error or read; one reads a file exactly when
// the other does, and both read the same linears and maxima. (The first
// campaign found that they disagreed on syntax: LLVM's JSON read "1.", which
// the runtime refused; the compiler's reader now pre-scans for what RFC 8259
// refuses; see docs/fuzzing.md and test/tools/calibration-syntax.test.)
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
  if (bool(runtimeTable.isOk()) != bool(compilerTable)) {
    // One reader took a file the other refused.
    std::abort();
  }
  if (!compilerTable) {
    llvm::consumeError(compilerTable.takeError());
    return 0;
  }
  if (runtimeTable->size() != compilerTable->size())
    std::abort();
  for (const auto &[name, channels] : *runtimeTable) {
    auto it = compilerTable->find(name);
    if (it == compilerTable->end() || it->second.size() != channels.size())
      std::abort();
    for (size_t i = 0; i < channels.size(); ++i)
      if (it->second[i] != channels[i])
        std::abort();
  }
  return 0;
}
