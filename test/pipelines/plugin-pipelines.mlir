// The lowering runs inside the system mlir-opt-22 with only the plugin loaded:
// registerPipelineDependentDialects supplies the dialects and interface models
// (bufferization, ConvertToLLVM) that the decomposition and the CPU pipeline
// need.
// RUN: %system_mlir_opt --load-dialect-plugin=%rescale_plugin \
// RUN:   --load-pass-plugin=%rescale_plugin %s \
// RUN:   --pass-pipeline="builtin.module(convert-rescale-to-linalg)" \
// RUN:   | FileCheck %s --check-prefix=LINALG
// RUN: %system_mlir_opt --load-dialect-plugin=%rescale_plugin \
// RUN:   --load-pass-plugin=%rescale_plugin %s \
// RUN:   --pass-pipeline="builtin.module(rescale-lower-to-cpu)" \
// RUN:   | FileCheck %s --check-prefix=LLVM
//
// Nested under func.func, the module pipelines are one diagnostic, not an
// LLVM abort about adding a module pass (issue 16, class 3); the same in
// rescale-opt (test/pipelines/lower-to-cpu.mlir, lower-to-nvptx.mlir).
// RUN: not %system_mlir_opt --load-dialect-plugin=%rescale_plugin \
// RUN:   --load-pass-plugin=%rescale_plugin %s \
// RUN:   --pass-pipeline="builtin.module(func.func(rescale-lower-to-cpu))" \
// RUN:   2>&1 | FileCheck %s --check-prefix=NESTED-CPU
// RUN: not %system_mlir_opt --load-dialect-plugin=%rescale_plugin \
// RUN:   --load-pass-plugin=%rescale_plugin %s \
// RUN:   --pass-pipeline="builtin.module(func.func(rescale-lower-to-nvptx{chip=sm_90}))" \
// RUN:   2>&1 | FileCheck %s --check-prefix=NESTED-NVPTX

// NESTED-CPU: rescale-lower-to-cpu lowers a whole module and must run on 'builtin.module', not nested on 'func.func' (write --pass-pipeline='builtin.module(rescale-lower-to-cpu)')
// NESTED-CPU-NOT: LLVM ERROR
// NESTED-NVPTX: rescale-lower-to-nvptx lowers a whole module and must run on 'builtin.module', not nested on 'func.func'
// NESTED-NVPTX-NOT: LLVM ERROR

// LINALG-LABEL: func.func @gated_norm(
// LINALG-NOT:     rescale.
// LINALG:         math.rsqrt
// LINALG:         return

// LLVM-LABEL: llvm.func @gated_norm(
// LLVM:         llvm.intr.sqrt
// LLVM-LABEL: llvm.func @_rescale_entry_gated_norm(
// LLVM-NOT:     rescale.
func.func @gated_norm(%x: tensor<4x8xbf16>, %w: tensor<8xbf16>,
                      %wd: tensor<8x2xbf16>, %wu: tensor<2x8xbf16>) -> tensor<4x8xbf16> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32}
      : (tensor<4x8xbf16>, tensor<8xbf16>, tensor<8x2xbf16>, tensor<2x8xbf16>) -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}
