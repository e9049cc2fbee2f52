//===- Calibration.h - The SmoothQuant calibration file ---------*- C++ -*-===//
//
// The compiler's reader of the file rescale-run --collect-absmax writes
// (format: docs/quantization.md). The mlir-opt plugin carries this pass but
// not the runtime, so this reader is LLVM's JSON, guarded the way the
// runtime's own reader is: the file is read up to a size limit (a FIFO or
// /dev/zero is refused, not read without end), and a strict pre-scan refuses
// what the runtime refuses and llvm::json::parse would read or get wrong:
// nesting past 64 (its recursion would overflow the stack), numbers RFC 8259
// refuses (`1.`, `01`, `+1`), unpaired surrogates, duplicate keys; it also
// decodes surrogate pairs itself (LLVM 22 decodes those past U+1FFFF
// wrongly). Both readers read exactly the same files.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_PASSES_CALIBRATION_H
#define RESCALE_PASSES_CALIBRATION_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <string>

namespace mlir::rescale {

/// Per linear name, the absolute maximum of each input channel.
using Calibration =
    std::map<std::string, llvm::SmallVector<double>, std::less<>>;

/// The deepest nesting of arrays and objects a calibration file may have (it
/// needs 3).
constexpr unsigned kMaxCalibrationNesting = 64;
/// The largest calibration file read (as the runtime's JSON files).
constexpr uint64_t kMaxCalibrationBytes = uint64_t(256) << 20;

/// Parses a calibration file's text; the error says what is wrong ("not
/// valid JSON: ...", "\"version\" must be 1", ...).
llvm::Expected<Calibration> parseCalibration(llvm::StringRef text);

/// Reads and parses the file; "cannot read it: ..." when it cannot.
llvm::Expected<Calibration> readCalibrationFile(llvm::StringRef path);

} // namespace mlir::rescale

#endif // RESCALE_PASSES_CALIBRATION_H
