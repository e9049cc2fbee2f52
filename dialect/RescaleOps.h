//===- RescaleOps.h - rescale operations ------------------------*- C++ -*-===//
#ifndef RESCALE_DIALECT_RESCALEOPS_H
#define RESCALE_DIALECT_RESCALEOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialect/RescaleAttrs.h"
#include "dialect/RescaleDialect.h"

#define GET_OP_CLASSES
#include "dialect/RescaleOps.h.inc"

#endif // RESCALE_DIALECT_RESCALEOPS_H
