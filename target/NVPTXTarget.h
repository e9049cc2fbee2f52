//===- NVPTXTarget.h - which NVPTX chips and features we compile for -*- C++
//-*-===//
//
// Checked before any work by the conversion to GPU kernels, the NVPTX
// pipeline and rescale-compile alike: LLVM's NVPTX backend aborts on a chip
// or PTX version it cannot serve instead of returning an error.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_TARGET_NVPTXTARGET_H
#define RESCALE_TARGET_NVPTXTARGET_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
namespace rescale {

/// Why `chip` and `features` cannot be compiled for, or "" when they can:
/// the chip must be one LLVM's NVPTX backend knows, sm_75 or newer, and the
/// features LLVM's NVPTX features (+ptxNN, ...), with no PTX version below
/// the chip's minimum (LLVM aborts on either).
std::string checkNVPTXTarget(llvm::StringRef chip, llvm::StringRef features);

/// The PTX features for `chip` given the user's `features`: the chip's
/// minimum PTX version (+ptx78 for sm_90, +ptx80 for sm_90a) when none is
/// given.
std::string nvptxFeaturesFor(llvm::StringRef chip, llvm::StringRef features);

} // namespace rescale
} // namespace mlir

#endif // RESCALE_TARGET_NVPTXTARGET_H
