//===- RescaleDialect.td - the rescale dialect -------------*- tablegen -*-===//
//
// The rescale dialect makes the outlier-driven rescaling operations of
// "A Unified View of Attention and Residual Sinks: Outlier-Driven Rescaling is
// Essential for Transformer Training" (arXiv 2601.22966) first-class IR.
//
//===----------------------------------------------------------------------===//

#ifndef RESCALE_DIALECT_TD
#define RESCALE_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Rescale_Dialect : Dialect {
  let name = "rescale";
  let cppNamespace = "::mlir::rescale";
  let summary = "Outlier-driven rescaling operations for transformers";
  let description = [{
    The `rescale` dialect holds the operations through which transformers
    rescale their activations (arXiv 2601.22966): RMSNorm and its PreAffine
    variant (§3.3), GatedNorm (§3.4), softmax attention with output gates and
    attention sinks (§3.2), the DyT and clipping ablations, linears, and the
    quantization schemes the paper evaluates (W4A4, W8A8, FP8, NVFP4, MXFP4).

    Conventions shared by every op:
    * tensors are ranked; floating-point element types are `f32`, `f16` and
      `bf16`;
    * normalization is over the last dimension;
    * reductions accumulate in `f32` whatever the element type.

    Every op has a reference decomposition into linalg/arith/math
    (`--convert-rescale-to-linalg`): it is the single source of truth for the
    numerics that every other lowering is checked against.
  }];
  let useDefaultAttributePrinterParser = 1;
  // Folders (rescale.quantize of a constant) materialize arith.constant.
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let hasConstantMaterializer = 1;
  let extraClassDeclaration = [{
    /// Defined in RescaleAttrs.cpp, where the attribute storage is complete.
    void registerAttributes();
  }];
}

class Rescale_Op<string mnemonic, list<Trait> traits = []>
    : Op<Rescale_Dialect, mnemonic, traits>;

#endif // RESCALE_DIALECT_TD
