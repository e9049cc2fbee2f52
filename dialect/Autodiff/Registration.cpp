//===- Registration.cpp - the upstream ops' gradient rules ----------------===//

#include "dialect/Autodiff/Autodiff.h"

namespace mlir::rescale::autodiff {
void registerArithMathGradModels(DialectRegistry &registry);
void registerLinalgGradModels(DialectRegistry &registry);
void registerTensorGradModels(DialectRegistry &registry);
} // namespace mlir::rescale::autodiff

void mlir::rescale::registerAutodiffExternalModels(DialectRegistry &registry) {
  autodiff::registerArithMathGradModels(registry);
  autodiff::registerLinalgGradModels(registry);
  autodiff::registerTensorGradModels(registry);
}
