// RUN: rescale-opt %s --split-input-file --verify-diagnostics --rescale-autodiff="entry=loss" | FileCheck %s
// The same in Debian's mlir-opt-22 through the plugin, which registers the
// upstream ops' rules (external models) with the dialect:
// RUN: %system_mlir_opt --load-dialect-plugin=%rescale_plugin --load-pass-plugin=%rescale_plugin --pass-pipeline='builtin.module(rescale-autodiff{entry=loss})' %s --split-input-file --verify-diagnostics | FileCheck %s

// The contract: @loss_grad has @loss's arguments and returns the loss, the
// auxiliary results, then one gradient per differentiable argument (float
// tensors without rescale.no_grad; never integers). @loss is unchanged.

// CHECK-LABEL: func.func @loss(%{{.*}}: tensor<4xf32>, %{{.*}}: tensor<4xf32> {rescale.no_grad}, %{{.*}}: tensor<4xi32>) -> (tensor<f32>, tensor<4xf32>)
// CHECK-NOT:     linalg.generic
// CHECK:         return
// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>, %[[W:.*]]: tensor<4xf32> {rescale.no_grad}, %[[I:.*]]: tensor<4xi32>) -> (tensor<f32>, tensor<4xf32>, tensor<4xf32>)
// CHECK:         %[[P:.*]] = arith.mulf %[[X]], %[[W]]
// CHECK:         %[[L:.*]] = linalg.reduce ins(%[[P]]
// The seed, then d/dp = the loss adjoint broadcast by the reduce's rule:
// CHECK:         %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK:         %[[DP:.*]] = linalg.generic {{.*}} ins(%[[P]], %[[ONE]] :
// CHECK:         %[[DX:.*]] = arith.mulf %[[DP]], %[[W]]
// CHECK:         return %[[L]], %[[P]], %[[DX]] : tensor<f32>, tensor<4xf32>, tensor<4xf32>
func.func @loss(%x: tensor<4xf32>, %w: tensor<4xf32> {rescale.no_grad},
                %ids: tensor<4xi32>) -> (tensor<f32>, tensor<4xf32>) {
  %p = arith.mulf %x, %w : tensor<4xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<4xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%a: f32, %acc: f32) {
      %s = arith.addf %a, %acc : f32
      linalg.yield %s : f32
    }
  return %l, %p : tensor<f32>, tensor<4xf32>
}

// -----

// A value used twice gets the sum of both adjoints; an argument the loss
// does not read gets zeros.
// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME:    %[[X:.*]]: tensor<3xf32>, %{{.*}}: tensor<2xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<2xf32>)
// CHECK:         %[[DSQ:.*]] = linalg.generic
// CHECK:         %[[G1:.*]] = arith.mulf %[[DSQ]], %[[X]] : tensor<3xf32>
// CHECK:         %[[G2:.*]] = arith.mulf %[[DSQ]], %[[X]] : tensor<3xf32>
// CHECK:         %[[DX:.*]] = arith.addf %[[G1]], %[[G2]] : tensor<3xf32>
// CHECK:         %[[DU:.*]] = arith.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK:         return %{{.*}}, %[[DX]], %[[DU]]
func.func @loss(%x: tensor<3xf32>, %unused: tensor<2xf32>) -> tensor<f32> {
  %sq = arith.mulf %x, %x : tensor<3xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%sq : tensor<3xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%a: f32, %acc: f32) {
      %s = arith.addf %a, %acc : f32
      linalg.yield %s : f32
    }
  return %l : tensor<f32>
}

// -----

// A rescale op: its rule (dialect/Autodiff/RescaleOpsGrad.cpp) emits the
// fused backward op, rescale.rms_norm_grad, reading the forward's operands
// and the adjoint of its result; no linalg of its own.
// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME:    %[[X:.*]]: tensor<3x5xf32>, %[[W:.*]]: tensor<5xf32>) -> (tensor<f32>, tensor<3x5xf32>, tensor<5xf32>)
// CHECK:         rescale.rms_norm %[[X]], %[[W]]
// CHECK:         %[[DY:.*]] = linalg.generic
// CHECK-NOT:     math.rsqrt
// CHECK:         %[[DX:.*]], %[[DW:.*]] = rescale.rms_norm_grad %[[X]], %[[W]], %[[DY]] {epsilon = 9.99999974E-6 : f32} : (tensor<3x5xf32>, tensor<5xf32>, tensor<3x5xf32>) -> (tensor<3x5xf32>, tensor<5xf32>)
// CHECK-NOT:     math.rsqrt
// CHECK:         return %{{.*}}, %[[DX]], %[[DW]]
func.func @loss(%x: tensor<3x5xf32>, %w: tensor<5xf32>) -> tensor<f32> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-05 : f32}
      : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%y : tensor<3x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %s = arith.addf %a, %acc : f32
      linalg.yield %s : f32
    }
  return %l : tensor<f32>
}

// -----

// preaffine_rms_norm -> preaffine_rms_norm_grad. The weight is no_grad: the
// op still computes dweight, which nothing reads.
// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME:    %[[X:.*]]: tensor<3x4xf32>, %[[S:.*]]: tensor<4xf32>, %[[W:.*]]: tensor<4xf32> {rescale.no_grad}) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>)
// CHECK:         %[[DX:.*]], %[[DS:.*]], %{{.*}} = rescale.preaffine_rms_norm_grad %[[X]], %[[S]], %[[W]], %{{.*}} :
// CHECK-SAME:      -> (tensor<3x4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK:         return %{{.*}}, %[[DX]], %[[DS]]
func.func @loss(%x: tensor<3x4xf32>, %s: tensor<4xf32>, %w: tensor<4xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.preaffine_rms_norm %x, %s, %w
      : (tensor<3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%y : tensor<3x4xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

// -----

// add_rms_norm -> add_rms_norm_grad, with the adjoints of both results: the
// loss reads sum and y, so both come in (dsum, then dy).
// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME:    %[[X:.*]]: tensor<2x4xf32>, %[[R:.*]]: tensor<2x4xf32>, %[[W:.*]]: tensor<4xf32>)
// CHECK:         %[[SUM:.*]], %[[Y:.*]] = rescale.add_rms_norm %[[X]], %[[R]], %[[W]]
// CHECK:         %[[DX:.*]], %[[DR:.*]], %[[DW:.*]] = rescale.add_rms_norm_grad %[[X]], %[[R]], %[[W]], %{{.*}}, %{{.*}} :
// CHECK-SAME:      (tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>)
// CHECK:         return %{{.*}}, %[[DX]], %[[DR]], %[[DW]]
func.func @loss(%x: tensor<2x4xf32>, %r: tensor<2x4xf32>, %w: tensor<4xf32>) -> tensor<f32> {
  %sum, %y = rescale.add_rms_norm %x, %r, %w
      : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  %p = arith.mulf %sum, %y : tensor<2x4xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<2x4xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

// -----

// gated_norm -> gated_norm_grad, keeping the gate activation; the old
// decomposition (an rms_norm recomputed in the backward, then swish and the
// gate through the linalg rules) is gone.
// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME:    %[[X:.*]]: tensor<2x8xf32>, %[[W:.*]]: tensor<8xf32>, %[[WD:.*]]: tensor<8x2xf32>, %[[WU:.*]]: tensor<2x8xf32>)
// CHECK:         rescale.gated_norm
// CHECK-NOT:     rescale.rms_norm
// CHECK:         %[[DX:.*]], %[[DW:.*]], %[[DWD:.*]], %[[DWU:.*]] = rescale.gated_norm_grad %[[X]], %[[W]], %[[WD]], %[[WU]], %{{.*}} {gate_activation = #rescale.gate_activation<tanh>} :
// CHECK-SAME:      -> (tensor<2x8xf32>, tensor<8xf32>, tensor<8x2xf32>, tensor<2x8xf32>)
// CHECK-NOT:     rescale.rms_norm
// CHECK:         return %{{.*}}, %[[DX]], %[[DW]], %[[DWD]], %[[DWU]]
func.func @loss(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x2xf32>, %wu: tensor<2x8xf32>) -> tensor<f32> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {gate_activation = #rescale.gate_activation<tanh>}
      : (tensor<2x8xf32>, tensor<8xf32>, tensor<8x2xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%y : tensor<2x8xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

// -----

// Ops off the path from a differentiable argument to the loss need no rule
// (math.sin of a no_grad argument, an integer conversion).
// CHECK-LABEL: func.func @loss_grad(%{{.*}}: tensor<2xf32>, %{{.*}}: tensor<2xf32> {rescale.no_grad}, %{{.*}}: tensor<2xi64>) -> (tensor<f32>, tensor<2xf32>)
func.func @loss(%x: tensor<2xf32>, %c: tensor<2xf32> {rescale.no_grad},
                %n: tensor<2xi64>) -> tensor<f32> {
  %s = math.sin %c : tensor<2xf32>
  %f = arith.sitofp %n : tensor<2xi64> to tensor<2xf32>
  %a = arith.mulf %x, %s : tensor<2xf32>
  %b = arith.mulf %a, %f : tensor<2xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%b : tensor<2xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%v: f32, %acc: f32) {
      %t = arith.addf %v, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

// -----

// A linalg op with a non-float result (an i1 mask) besides a float one: only
// the float result carries an adjoint.
// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME:    -> (tensor<f32>, tensor<2xf32>)
func.func @loss(%x: tensor<2xf32>) -> tensor<f32> {
  %z = arith.constant dense<0.0> : tensor<f32>
  %e = tensor.empty() : tensor<2xi1>
  %y, %pos = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                             iterator_types = ["parallel"]}
      ins(%x : tensor<2xf32>) outs(%x, %e : tensor<2xf32>, tensor<2xi1>) {
    ^bb0(%v: f32, %o: f32, %p: i1):
      %c0 = arith.constant 0.0 : f32
      %s = arith.cmpf ogt, %v, %c0 : f32
      %t = arith.mulf %v, %v : f32
      linalg.yield %t, %s : f32, i1
  } -> (tensor<2xf32>, tensor<2xi1>)
  %l = linalg.reduce ins(%y : tensor<2xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%v: f32, %acc: f32) {
      %t = arith.addf %v, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

// -----

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

// An op on the path to the loss without a gradient rule is an error at its
// location, never a silent zero.
func.func @loss(%x: tensor<2xf32>) -> tensor<f32> {
  // expected-error@+1 {{no gradient rule for 'math.sin'}}
  %s = math.sin %x : tensor<2xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%s : tensor<2xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%v: f32, %acc: f32) {
      %t = arith.addf %v, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

// -----

// Inside a linalg body too, at the scalar op's location.
func.func @loss(%x: tensor<2xf32>) -> tensor<f32> {
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%x : tensor<2xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%v: f32, %acc: f32) {
      // expected-error@+1 {{no gradient rule for 'math.cos'}}
      %c = math.cos %v : f32
      %t = arith.addf %c, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

// -----

// A max reduction is not a sum: no rule.
func.func @loss(%x: tensor<2xf32>) -> tensor<f32> {
  %z = arith.constant dense<0.0> : tensor<f32>
  // expected-error@+1 {{has a reduction whose combiner is not a sum}}
  %l = linalg.reduce ins(%x : tensor<2xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%v: f32, %acc: f32) {
      %t = arith.maximumf %v, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

// -----

// expected-error@+1 {{the first result of '@loss' must be the scalar loss tensor<f32>}}
func.func @loss(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// -----

// expected-error@+1 {{'@loss' must be public}}
func.func private @loss(%x: tensor<f32>) -> tensor<f32> {
  return %x : tensor<f32>
}

// -----

// expected-error@+1 {{'@loss_grad' already exists}}
func.func @loss(%x: tensor<f32>) -> tensor<f32> {
  return %x : tensor<f32>
}
func.func @loss_grad(%x: tensor<f32>) -> tensor<f32> {
  return %x : tensor<f32>
}

// -----

// expected-error@+1 {{'rescale.no_grad' on argument #0 must be a unit attribute}}
func.func @loss(%x: tensor<f32> {rescale.no_grad = 1 : i32}) -> tensor<f32> {
  return %x : tensor<f32>
}

// -----

// expected-error@+1 {{no func.func '@loss' to differentiate}}
module {
  func.func @other(%x: tensor<f32>) -> tensor<f32> {
    return %x : tensor<f32>
  }
}

// -----

// rescale.quantize has no rule (only fake_quant's straight-through one).
func.func @loss(%x: tensor<2x32xf32>) -> tensor<f32> {
  // expected-error@+1 {{no gradient rule for 'rescale.quantize'}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>}
      : (tensor<2x32xf32>) -> (tensor<2x32xi8>, tensor<2x1xf32>)
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%s : tensor<2x1xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%v: f32, %acc: f32) {
      %t = arith.addf %v, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

// -----

// rescale.adamw has no rule on purpose: an optimizer step is not
// differentiated (docs/autodiff.md).
func.func @loss(%p: tensor<3xf32>, %g: tensor<3xf32>, %h: tensor<f32> {rescale.no_grad}) -> tensor<f32> {
  // expected-error@+1 {{no gradient rule for 'rescale.adamw'}}
  %p1, %m1, %v1 = rescale.adamw %p, %g, %g, %g lr(%h) beta1(%h) beta2(%h) eps(%h) weight_decay(%h) step(%h) : tensor<3xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p1 : tensor<3xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%v: f32, %acc: f32) {
      %t = arith.addf %v, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

// -----

func.func @loss(%x: tensor<?xf32>) -> tensor<f32> {
  %z = arith.constant dense<0.0> : tensor<f32>
  // expected-error@+1 {{differentiates statically shaped tensors only, but 'linalg.reduce' has 'tensor<?xf32>'}}
  %l = linalg.reduce ins(%x : tensor<?xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%v: f32, %acc: f32) {
      %t = arith.addf %v, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}
