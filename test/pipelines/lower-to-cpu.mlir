// RUN: rescale-opt %s --rescale-lower-to-cpu --split-input-file --verify-diagnostics | FileCheck %s
// RUN: not rescale-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(rescale-lower-to-cpu))' 2>&1 | FileCheck %s --check-prefix=NESTED
// RUN: not rescale-opt %s --split-input-file --pass-pipeline='builtin.module(any(rescale-lower-to-cpu))' 2>&1 | FileCheck %s --check-prefix=NESTED-ANY
// A module pipeline nested under a function is one error (it used to abort
// with "LLVM ERROR: Can't add pass ... restricted to 'builtin.module'").
// NESTED: rescale-lower-to-cpu lowers a whole module and must run on 'builtin.module', not nested on 'func.func' (write --pass-pipeline='builtin.module(rescale-lower-to-cpu)')
// NESTED-NOT: LLVM ERROR
// NESTED-ANY: rescale-lower-to-cpu lowers a whole module and must run on 'builtin.module', not nested on 'any'

// The pipeline ends in the LLVM dialect only: results became trailing
// out-params and every public function has its packed entry point.

// CHECK-LABEL: llvm.func @softplus_and_row_sum(
// CHECK-SAME:      %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64,
// Two out-params follow the input: the bf16 tensor and the f32 row sums.
// CHECK-SAME:      %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64,
// CHECK-SAME:      %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64)
// CHECK-SAME:      attributes {llvm.emit_c_interface} {
// math.log1p has no LLVM intrinsic: expanded before conversion.
// CHECK:         llvm.intr.exp
// CHECK:         llvm.intr.log
// The bf16 truncation is integer code (arith-expand), not an fptrunc.
// CHECK-NOT:     llvm.fptrunc
// CHECK:         llvm.return
// The standard C interface exists too.
// CHECK-LABEL: llvm.func @_mlir_ciface_softplus_and_row_sum(
// CHECK-SAME:      %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-LABEL: llvm.func @_rescale_entry_softplus_and_row_sum(
// CHECK-SAME:      %[[ARGS:.+]]: !llvm.ptr) {
// CHECK-COUNT-3: llvm.load {{.*}} -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK:         llvm.call @softplus_and_row_sum(
// CHECK-NOT:     func.func
// CHECK-NOT:     linalg.
// CHECK-NOT:     memref.
// CHECK-NOT:     builtin.unrealized_conversion_cast
func.func @softplus_and_row_sum(%x: tensor<4x8xf32>)
    -> (tensor<4x8xbf16>, tensor<4x1xf32>) {
  %one = arith.constant dense<1.0> : tensor<4x8xf32>
  %e = math.exp %x : tensor<4x8xf32>
  %sp = math.log1p %e : tensor<4x8xf32>
  %init = tensor.empty() : tensor<4x8xbf16>
  %bf = linalg.generic {
      indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%sp : tensor<4x8xf32>) outs(%init : tensor<4x8xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<4x8xbf16>
  %zero = arith.constant 0.0 : f32
  %acc0 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%acc0 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%x : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) dimensions = [1]
    (%in: f32, %a: f32) {
      %s = arith.addf %in, %a : f32
      linalg.yield %s : f32
    }
  %sum2 = tensor.expand_shape %sum [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  return %bf, %sum2 : tensor<4x8xbf16>, tensor<4x1xf32>
}

// -----

// A helper called by an entry point is compiled but gets no entry of its own.
// CHECK-LABEL: llvm.func @scaled(
// CHECK-LABEL: llvm.func @calls_a_private_helper(
// CHECK:         llvm.call @scaled(
// CHECK-LABEL: llvm.func @_rescale_entry_calls_a_private_helper(
// CHECK-NOT:   _rescale_entry_scaled
func.func private @scaled(%x: tensor<16xf32>) -> tensor<16xf32> {
  %c = arith.constant dense<2.0> : tensor<16xf32>
  %y = arith.mulf %x, %c : tensor<16xf32>
  return %y : tensor<16xf32>
}
func.func @calls_a_private_helper(%x: tensor<16xf32>) -> tensor<16xf32> {
  %y = func.call @scaled(%x) : (tensor<16xf32>) -> tensor<16xf32>
  return %y : tensor<16xf32>
}

// -----

// Entry points need static shapes: the caller allocates the outputs.
// expected-error @below {{entry point @dynamic_batch: argument #0 has dynamic shape 'memref<?x4xf32>'; entry points need static shapes}}
func.func @dynamic_batch(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = math.exp %x : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Rescale ops go through the reference decomposition first; nothing of the
// rescale, linalg or tensor dialects is left.
// CHECK-LABEL: llvm.func @gated_norm_then_linear(
// CHECK:         llvm.intr.sqrt
// CHECK:         llvm.intr.exp
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func @_rescale_entry_gated_norm_then_linear(
// CHECK-NOT:     rescale.
// CHECK-NOT:     linalg.
// CHECK-NOT:     tensor.
func.func @gated_norm_then_linear(%x: tensor<4x32xf32>, %w: tensor<32xf32>,
                                  %wd: tensor<32x16xf32>, %wu: tensor<16x32xf32>,
                                  %wl: tensor<8x32xf32>) -> tensor<4x8xf32> {
  %n = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32}
      : (tensor<4x32xf32>, tensor<32xf32>, tensor<32x16xf32>, tensor<16x32xf32>)
      -> tensor<4x32xf32>
  %y = rescale.linear %n, %wl : (tensor<4x32xf32>, tensor<8x32xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Math and arithmetic on bf16/f16 run in f32, one rounding per op: no bf16
// or f16 arithmetic reaches LLVM, and no bf16 conversion either (it would
// need soft-float libcalls such as __truncsfbf2 that libgcc 12 lacks); f16
// conversions stay fpext/fptrunc (F16C instructions).
// CHECK-LABEL: llvm.func @bf16_math(
// CHECK-NOT:     {{llvm\.(fadd|fmul|intr\.).*f16}}
// CHECK-NOT:     {{llvm\.(fpext|fptrunc).*bf16}}
// CHECK:         llvm.fadd {{.*}} : f32
// CHECK-NOT:     {{llvm\.(fadd|fmul|intr\.).*f16}}
// CHECK-NOT:     {{llvm\.(fpext|fptrunc).*bf16}}
// CHECK:         llvm.return
func.func @bf16_math(%x: tensor<8xbf16>, %y: tensor<8xf16>) -> (tensor<8xbf16>, tensor<8xf16>) {
  %a = math.tanh %x : tensor<8xbf16>
  %b = arith.addf %a, %x : tensor<8xbf16>
  %c = math.exp %y : tensor<8xf16>
  %d = arith.mulf %c, %y : tensor<8xf16>
  return %b, %d : tensor<8xbf16>, tensor<8xf16>
}

// -----

// A tensor returned twice (regression: buffer-results-to-out-params crashed on
// one buffer standing for two results). The exp is written into the first
// out-param and copied into the second.
// CHECK-LABEL: llvm.func @exp_returned_twice(
// CHECK:         llvm.intr.exp
// CHECK:         llvm.store
// CHECK:         "llvm.intr.memcpy"
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func @_rescale_entry_exp_returned_twice(
// CHECK-COUNT-3: llvm.load {{.*}} -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
func.func @exp_returned_twice(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %y = math.exp %x : tensor<4x8xf32>
  return %y, %y : tensor<4x8xf32>, tensor<4x8xf32>
}
