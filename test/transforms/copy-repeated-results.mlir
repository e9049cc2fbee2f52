// RUN: rescale-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(rescale-copy-repeated-results))' | FileCheck %s

// A tensor returned twice: the second occurrence becomes an explicit copy, so
// that bufferization gives each result its own buffer (out-param).

// CHECK-LABEL: func.func @computed_value_returned_twice(
// CHECK:         %[[Y:.+]] = rescale.rms_norm
// CHECK-NEXT:    %[[COPY:.+]] = bufferization.alloc_tensor() copy(%[[Y]]) : tensor<4x8xf32>
// CHECK-NEXT:    return %[[Y]], %[[COPY]] : tensor<4x8xf32>, tensor<4x8xf32>
func.func @computed_value_returned_twice(%x: tensor<4x8xf32>, %w: tensor<8xf32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %y = rescale.rms_norm %x, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y, %y : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Every repeat gets its own copy; values in between are left alone.

// CHECK-LABEL: func.func @three_repeats_around_an_argument(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: tensor<2xf32>
// CHECK:         %[[Y:.+]] = arith.addf
// CHECK-NEXT:    %[[C1:.+]] = bufferization.alloc_tensor() copy(%[[Y]])
// CHECK-NEXT:    %[[C2:.+]] = bufferization.alloc_tensor() copy(%[[Y]])
// CHECK-NEXT:    return %[[Y]], %[[X]], %[[C1]], %[[C2]]
func.func @three_repeats_around_an_argument(%x: tensor<2xf32>)
    -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %y = arith.addf %x, %x : tensor<2xf32>
  return %y, %x, %y, %y : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// Arguments and constants are copied the same way when repeated.

// CHECK-LABEL: func.func @argument_and_constant_repeated(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: tensor<3xf32>
// CHECK:         %[[C:.+]] = arith.constant dense<1.5
// CHECK-DAG:     %[[XC:.+]] = bufferization.alloc_tensor() copy(%[[X]])
// CHECK-DAG:     %[[CC:.+]] = bufferization.alloc_tensor() copy(%[[C]])
// CHECK:         return %[[X]], %[[XC]], %[[C]], %[[CC]]
func.func @argument_and_constant_repeated(%x: tensor<3xf32>)
    -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %c = arith.constant dense<1.5> : tensor<3xf32>
  return %x, %x, %c, %c : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Distinct results, scalars and single returns are unchanged (a returned
// argument or constant already bufferizes to a copy into its out-param).

// CHECK-LABEL: func.func @nothing_repeated(
// CHECK-NOT:     bufferization.alloc_tensor
// CHECK:         return
func.func @nothing_repeated(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %c = arith.constant dense<1.5> : tensor<3xf32>
  return %x, %c : tensor<3xf32>, tensor<3xf32>
}

// CHECK-LABEL: func.func private @repeated_scalar(
// CHECK-NOT:     bufferization.alloc_tensor
// CHECK:         return %{{.+}}, %{{.+}} : f32, f32
func.func private @repeated_scalar(%s: f32) -> (f32, f32) {
  return %s, %s : f32, f32
}

// -----

// Each return of a multi-block body is handled.

// CHECK-LABEL: func.func @two_returns(
// CHECK:       ^bb1:
// CHECK-NEXT:    %[[A:.+]] = bufferization.alloc_tensor() copy(%[[X:[a-z0-9]+]])
// CHECK-NEXT:    return %[[X]], %[[A]]
// CHECK:       ^bb2:
// CHECK-NEXT:    %[[B:.+]] = bufferization.alloc_tensor() copy(%[[Y:[a-z0-9]+]])
// CHECK-NEXT:    return %[[Y]], %[[B]]
func.func @two_returns(%x: tensor<4xf32>, %y: tensor<4xf32>, %p: i1)
    -> (tensor<4xf32>, tensor<4xf32>) {
  cf.cond_br %p, ^a, ^b
^a:
  return %x, %x : tensor<4xf32>, tensor<4xf32>
^b:
  return %y, %y : tensor<4xf32>, tensor<4xf32>
}
