//===- TargetFeatures.cpp - LLVM feature strings, checked -----------------===//

#include "target/TargetFeatures.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/MC/MCSubtargetInfo.h"

using namespace mlir;

FailureOr<SmallVector<StringRef>> mlir::rescale::parseFeatureNames(
    StringRef features, const llvm::MCSubtargetInfo *info, BadFeature &bad) {
  SmallVector<StringRef> items, names;
  features.split(items, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef item : items) {
    item = item.trim();
    StringRef name = item;
    if (!name.consume_front("+") && !name.consume_front("-")) {
      bad = {item, /*malformed=*/true};
      return failure();
    }
    if (info && !llvm::any_of(info->getAllProcessorFeatures(),
                              [&](const llvm::SubtargetFeatureKV &f) {
                                return name == f.Key;
                              })) {
      bad = {name, /*malformed=*/false};
      return failure();
    }
    names.push_back(name);
  }
  return names;
}
