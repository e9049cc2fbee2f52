//===- RescaleAttrs.h - rescale enums and attributes ------------*- C++ -*-===//
#ifndef RESCALE_DIALECT_RESCALEATTRS_H
#define RESCALE_DIALECT_RESCALEATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"

#include "llvm/ADT/APFloat.h"

#include "dialect/RescaleEnums.h.inc"

namespace mlir::rescale {
/// The value an f32 float attribute is built from, whether it is given as a
/// double (a TableGen default) or as an APFloat of any semantics (a setter).
inline float floatAttrValue(double v) { return static_cast<float>(v); }
inline float floatAttrValue(const llvm::APFloat &v) {
  bool losesInfo = false;
  llvm::APFloat f = v;
  f.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven,
            &losesInfo);
  return f.convertToFloat();
}
} // namespace mlir::rescale

#define GET_ATTRDEF_CLASSES
#include "dialect/RescaleAttrs.h.inc"

#endif // RESCALE_DIALECT_RESCALEATTRS_H
