// RUN: rescale-opt %s --split-input-file --verify-diagnostics --rescale-instrument-absmax | FileCheck %s

// Each linear input gets a probe result: max|x| over the leading dimensions,
// per channel, in f32 (a bf16 input is widened exactly first). Linears are
// named <func>/linear<N> in walk order, or by their NameLoc.
// CHECK-LABEL: func.func @two_linears
// CHECK-SAME: -> (tensor<2x4x16xbf16>, tensor<8x8xf32>,
// CHECK-SAME: tensor<8xf32> {rescale.probe = {kind = "absmax", name = "two_linears/linear0"}},
// CHECK-SAME: tensor<16xf32> {rescale.probe = {kind = "absmax", name = "q_proj"}})
// CHECK: %[[H:.+]] = rescale.linear %[[X:[^,]+]],
// CHECK: %[[O:.+]] = rescale.linear %[[Y:[^,]+]],
// CHECK: %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.+}} : tensor<8xf32>)
// CHECK: %[[P0:.+]] = linalg.generic {{{.*}}iterator_types = ["reduction", "reduction", "parallel"]} ins(%[[X]] : tensor<2x4x8xbf16>) outs(%[[INIT]] : tensor<8xf32>)
// CHECK: arith.extf
// CHECK: math.absf
// CHECK: arith.maximumf
// CHECK: %[[P1:.+]] = linalg.generic {{{.*}}iterator_types = ["reduction", "parallel"]} ins(%[[Y]] : tensor<8x16xf32>)
// CHECK: return %[[H]], %[[O]], %[[P0]], %[[P1]]
func.func @two_linears(%x: tensor<2x4x8xbf16>, %w: tensor<16x8xbf16>, %y: tensor<8x16xf32>, %wo: tensor<8x16xf32>) -> (tensor<2x4x16xbf16>, tensor<8x8xf32>) {
  %h = rescale.linear %x, %w : (tensor<2x4x8xbf16>, tensor<16x8xbf16>) -> tensor<2x4x16xbf16>
  %o = rescale.linear %y, %wo : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x8xf32> loc("q_proj")
  return %h, %o : tensor<2x4x16xbf16>, tensor<8x8xf32>
}

// -----

// Private functions are not entry points: no probes. A function that already
// returns absmax probes is left alone (instrumenting twice is harmless).
// CHECK-LABEL: func.func private @helper
// CHECK-SAME: -> tensor<4x2xf32>
// CHECK-LABEL: func.func @already_instrumented
// CHECK-SAME: -> (tensor<4x2xf32>, tensor<8xf32> {rescale.probe = {kind = "absmax", name = "already_instrumented/linear0"}})
// CHECK-NOT: linalg.generic
func.func private @helper(%x: tensor<4x8xf32>, %w: tensor<2x8xf32>) -> tensor<4x2xf32> {
  %y = rescale.linear %x, %w : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}
func.func @already_instrumented(%x: tensor<4x8xf32>, %w: tensor<2x8xf32>, %p: tensor<8xf32>) -> (tensor<4x2xf32>, tensor<8xf32> {rescale.probe = {kind = "absmax", name = "already_instrumented/linear0"}}) {
  %y = rescale.linear %x, %w : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  return %y, %p : tensor<4x2xf32>, tensor<8xf32>
}

// -----

// A linear in a nested region cannot return its probe from the function.
// CHECK-LABEL: func.func @nested
// CHECK-SAME: -> tensor<4x2xf32>
func.func @nested(%c: i1, %x: tensor<4x8xf32>, %w: tensor<2x8xf32>) -> tensor<4x2xf32> {
  %r = scf.if %c -> tensor<4x2xf32> {
    // expected-warning @+1 {{linear 'nested/linear0' is inside a nested region; no absmax probe}}
    %y = rescale.linear %x, %w : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
    scf.yield %y : tensor<4x2xf32>
  } else {
    %z = tensor.empty() : tensor<4x2xf32>
    scf.yield %z : tensor<4x2xf32>
  }
  return %r : tensor<4x2xf32>
}

// -----

// Linears reading the same value share one probe that names them all (the
// function never returns one value twice).
// CHECK-LABEL: func.func @shared_input
// CHECK-SAME: -> (tensor<4x2xf32>, tensor<4x3xf32>, tensor<8xf32> {rescale.probe = {kind = "absmax", names = ["shared_input/linear0", "shared_input/linear1"]}})
func.func @shared_input(%x: tensor<4x8xf32>, %wq: tensor<2x8xf32>, %wk: tensor<3x8xf32>) -> (tensor<4x2xf32>, tensor<4x3xf32>) {
  %q = rescale.linear %x, %wq : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  %k = rescale.linear %x, %wk : (tensor<4x8xf32>, tensor<3x8xf32>) -> tensor<4x3xf32>
  return %q, %k : tensor<4x2xf32>, tensor<4x3xf32>
}

// -----

// A dynamic channel count (issue 16, class 7): the probe's init gets its
// size from x, so the pass's output verifies.
// CHECK-LABEL: func.func @dynamic_channels
// CHECK-SAME: tensor<?xf32> {rescale.probe = {kind = "absmax", name = "dynamic_channels/linear0"}}
// CHECK: %[[C1:.+]] = arith.constant 1 : index
// CHECK: %[[K:.+]] = tensor.dim %arg0, %[[C1]] : tensor<?x?xf32>
// CHECK: %[[E:.+]] = tensor.empty(%[[K]]) : tensor<?xf32>
// CHECK: linalg.fill ins(%{{.+}} : f32) outs(%[[E]] : tensor<?xf32>)
func.func @dynamic_channels(%x: tensor<?x?xf32>, %w: tensor<4x?xf32>) -> tensor<?x4xf32> {
  %y = rescale.linear %x, %w : (tensor<?x?xf32>, tensor<4x?xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

