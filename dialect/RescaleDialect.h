//===- RescaleDialect.h - the rescale dialect -------------------*- C++ -*-===//
#ifndef RESCALE_DIALECT_RESCALEDIALECT_H
#define RESCALE_DIALECT_RESCALEDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialect/RescaleDialect.h.inc"

#endif // RESCALE_DIALECT_RESCALEDIALECT_H
