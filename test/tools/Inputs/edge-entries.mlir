// Entry points at the edges of the compiled-module ABI (edge-entries.test).
// Each entry works; the test checks its outputs exactly.

// A tensor returned twice (used to crash buffer-results-to-out-params), next
// to the same computation returned once.
func.func @rms_norm_once(%x: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  %y = rescale.rms_norm %x, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
func.func @rms_norm_twice(%x: tensor<4x8xf32>, %w: tensor<8xf32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %y = rescale.rms_norm %x, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y, %y : tensor<4x8xf32>, tensor<4x8xf32>
}
// Results that are inputs, repeated and interleaved with a computed one.
func.func @inputs_returned(%x: tensor<4x8xf32>, %w: tensor<8xf32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>) {
  %y = rescale.rms_norm %x, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y, %x, %y, %w : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>
}

// Constants returned directly, once and twice; no inputs.
func.func @constant_twice() -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %c = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  return %c, %c : tensor<2x3xf32>, tensor<2x3xf32>
}

// No results, and neither inputs nor results: they run and write nothing.
func.func @no_results(%x: tensor<4xf32>) {
  return
}
func.func @nothing() {
  return
}

// Rank 0: an input passed through, and arithmetic on constants (1.5 + 2.25).
func.func @rank0_echo(%x: tensor<f32>) -> tensor<f32> {
  return %x : tensor<f32>
}
func.func @rank0_sum() -> tensor<f32> {
  %a = arith.constant dense<1.5> : tensor<f32>
  %b = arith.constant dense<2.25> : tensor<f32>
  %s = arith.addf %a, %b : tensor<f32>
  return %s : tensor<f32>
}

// Zero-sized dimensions: nothing to compute, but the shapes are kept.
func.func @zero_rows(%x: tensor<0x8xf32>, %w: tensor<8xf32>)
    -> (tensor<0x8xf32>, tensor<0x8xf32>) {
  %y = rescale.rms_norm %x, %w : (tensor<0x8xf32>, tensor<8xf32>) -> tensor<0x8xf32>
  return %y, %y : tensor<0x8xf32>, tensor<0x8xf32>
}

// A symbol name that is no C identifier: the runtime finds it by the
// manifest, not by guessing.
func.func @"odd.name-with$chars"(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// Calls: a public entry called by another (it keeps its own entry point), a
// private recursive helper; both compared with the same arithmetic inline.
func.func @doubled(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = arith.addf %x, %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func @calls_an_entry(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = func.call @doubled(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %z = arith.mulf %y, %x : tensor<4xf32>
  return %z : tensor<4xf32>
}
func.func @inline_product(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = arith.addf %x, %x : tensor<4xf32>
  %z = arith.mulf %y, %x : tensor<4xf32>
  return %z : tensor<4xf32>
}

// double_n_times(x, n) = n <= 0 ? x : double_n_times(x + x, n - 1).
func.func private @double_n_times(%x: tensor<4xf32>, %n: tensor<i32>) -> tensor<4xf32> {
  %zero = arith.constant 0 : i32
  %one = arith.constant dense<1> : tensor<i32>
  %nv = tensor.extract %n[] : tensor<i32>
  %done = arith.cmpi sle, %nv, %zero : i32
  %r = scf.if %done -> tensor<4xf32> {
    scf.yield %x : tensor<4xf32>
  } else {
    %x2 = arith.addf %x, %x : tensor<4xf32>
    %n1 = arith.subi %n, %one : tensor<i32>
    %y = func.call @double_n_times(%x2, %n1) : (tensor<4xf32>, tensor<i32>) -> tensor<4xf32>
    scf.yield %y : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}
func.func @recursion(%x: tensor<4xf32>) -> tensor<4xf32> {
  %three = arith.constant dense<3> : tensor<i32>
  %y = func.call @double_n_times(%x, %three) : (tensor<4xf32>, tensor<i32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func @times_eight(%x: tensor<4xf32>) -> tensor<4xf32> {
  %eight = arith.constant dense<8.0> : tensor<4xf32>
  %y = arith.mulf %x, %eight : tensor<4xf32>
  return %y : tensor<4xf32>
}
