//===- AttentionToLinalg.cpp - reference decomposition ----------------------===//

#include "lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"

void mlir::rescale::populateAttentionToLinalgPatterns(RewritePatternSet &patterns) {
  (void)patterns; // TODO(rescale): patterns not written yet.
}
