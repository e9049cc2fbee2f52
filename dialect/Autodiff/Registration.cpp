//===- Registration.cpp - the upstream ops' gradient rules ----------------===//

#include "dialect/Autodiff/Autodiff.h"

void mlir::rescale::registerAutodiffExternalModels(DialectRegistry &registry) {
  autodiff::registerArithMathGradModels(registry);
  autodiff::registerLinalgGradModels(registry);
  autodiff::registerTensorGradModels(registry);
}
