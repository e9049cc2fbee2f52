//===- Passes.td - rescale conversions and pipelines -------*- tablegen -*-===//
//
// Every conversion out of the rescale dialect is declared here (as in CIRCT's
// Conversion/Passes.td).
//
//===----------------------------------------------------------------------===//

#ifndef RESCALE_LOWERING_PASSES_TD
#define RESCALE_LOWERING_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertRescaleToLinalg : Pass<"convert-rescale-to-linalg"> {
  let summary = "Decompose rescale ops into linalg, arith, math and tensor";
  let description = [{
    The reference decomposition: every rescale op becomes linalg-on-tensors
    (plus arith, math and tensor) following its formula exactly, with
    reductions accumulated in f32. This is the single source of truth for the
    dialect's numerics: the CPU pipeline runs it, and the GPU kernels are
    checked against it.

    Example:
    ```mlir
    %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32}
        : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    ```
    becomes a `linalg.generic` reduction of `x²` into a `tensor<4xf32>`,
    followed by an elementwise `linalg.generic` computing
    `w * x * rsqrt(sum / 8 + 1e-6)`.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // RESCALE_LOWERING_PASSES_TD
