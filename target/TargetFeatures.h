//===- TargetFeatures.h - LLVM feature strings, checked ---------*- C++ -*-===//
//
// LLVM only warns about a feature it does not know, and some targets abort
// later on one they do know but cannot honour; the CPU and NVPTX paths check
// the user's feature string first, with this one parser.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_TARGET_TARGETFEATURES_H
#define RESCALE_TARGET_TARGETFEATURES_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace llvm {
class MCSubtargetInfo;
} // namespace llvm

namespace mlir::rescale {

/// The first item of a feature string ("+a,-b") that is wrong: not `+name`
/// or `-name` (`malformed`), or naming no feature of the target.
struct BadFeature {
  StringRef item;
  bool malformed;
};

/// The feature names of `features` (signs dropped), checked against `info`'s
/// feature table when `info` is given; the first bad item otherwise.
FailureOr<SmallVector<StringRef>>
parseFeatureNames(StringRef features, const llvm::MCSubtargetInfo *info,
                  BadFeature &bad);

} // namespace mlir::rescale

#endif // RESCALE_TARGET_TARGETFEATURES_H
