// Round trip of the training ops (embedding, embedding_grad, cross_entropy,
// cross_entropy_grad, rope, adamw): custom form, through the generic form and
// bytecode, and --verify-roundtrip.
// RUN: rescale-opt %s --verify-roundtrip | FileCheck %s
// RUN: rescale-opt %s | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --mlir-print-op-generic | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --emit-bytecode | rescale-opt | FileCheck %s

// CHECK-LABEL: func.func @embedding_i32
// CHECK: rescale.embedding %{{.+}}, %{{.+}} : (tensor<4x8xi32>, tensor<256x64xf32>) -> tensor<4x8x64xf32>
func.func @embedding_i32(%ids: tensor<4x8xi32>, %t: tensor<256x64xf32>) -> tensor<4x8x64xf32> {
  %y = rescale.embedding %ids, %t : (tensor<4x8xi32>, tensor<256x64xf32>) -> tensor<4x8x64xf32>
  return %y : tensor<4x8x64xf32>
}

// Any rank of ids, rank 0 included; i64 ids; a bf16 table.
// CHECK-LABEL: func.func @embedding_scalar_id_bf16
// CHECK: rescale.embedding %{{.+}}, %{{.+}} : (tensor<i64>, tensor<10x4xbf16>) -> tensor<4xbf16>
func.func @embedding_scalar_id_bf16(%id: tensor<i64>, %t: tensor<10x4xbf16>) -> tensor<4xbf16> {
  %y = rescale.embedding %id, %t : (tensor<i64>, tensor<10x4xbf16>) -> tensor<4xbf16>
  return %y : tensor<4xbf16>
}

// CHECK-LABEL: func.func @embedding_grad
// CHECK: rescale.embedding_grad %{{.+}}, %{{.+}} {num_embeddings = 256 : i64} : (tensor<4x8xi32>, tensor<4x8x64xf32>) -> tensor<256x64xf32>
func.func @embedding_grad(%ids: tensor<4x8xi32>, %dy: tensor<4x8x64xf32>) -> tensor<256x64xf32> {
  %d = rescale.embedding_grad %ids, %dy {num_embeddings = 256 : i64} : (tensor<4x8xi32>, tensor<4x8x64xf32>) -> tensor<256x64xf32>
  return %d : tensor<256x64xf32>
}

// The default attributes are elided when printed.
// CHECK-LABEL: func.func @cross_entropy_defaults
// CHECK: rescale.cross_entropy %{{.+}}, %{{.+}} : (tensor<4x8x256xf32>, tensor<4x8xi32>) -> tensor<f32>
func.func @cross_entropy_defaults(%l: tensor<4x8x256xf32>, %t: tensor<4x8xi32>) -> tensor<f32> {
  %loss = rescale.cross_entropy %l, %t {ignore_index = -100 : i64, z_loss = 0.0 : f32} : (tensor<4x8x256xf32>, tensor<4x8xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// CHECK-LABEL: func.func @cross_entropy_zloss
// CHECK: rescale.cross_entropy %{{.+}}, %{{.+}} {ignore_index = 0 : i64, z_loss = 5.000000e-01 : f32} : (tensor<7xbf16>, tensor<i64>) -> tensor<f32>
func.func @cross_entropy_zloss(%l: tensor<7xbf16>, %t: tensor<i64>) -> tensor<f32> {
  %loss = rescale.cross_entropy %l, %t {ignore_index = 0 : i64, z_loss = 0.5 : f32} : (tensor<7xbf16>, tensor<i64>) -> tensor<f32>
  return %loss : tensor<f32>
}

// CHECK-LABEL: func.func @cross_entropy_grad
// CHECK: rescale.cross_entropy_grad %{{.+}}, %{{.+}}, %{{.+}} {z_loss = 5.000000e-01 : f32} : (tensor<4x8x256xf32>, tensor<4x8xi32>, tensor<f32>) -> tensor<4x8x256xf32>
func.func @cross_entropy_grad(%l: tensor<4x8x256xf32>, %t: tensor<4x8xi32>, %g: tensor<f32>) -> tensor<4x8x256xf32> {
  %d = rescale.cross_entropy_grad %l, %t, %g {z_loss = 0.5 : f32} : (tensor<4x8x256xf32>, tensor<4x8xi32>, tensor<f32>) -> tensor<4x8x256xf32>
  return %d : tensor<4x8x256xf32>
}

// CHECK-LABEL: func.func @rope_offset
// CHECK: rescale.rope %{{.+}} {offset = 3 : i64, theta = 5.000000e+05 : f64} : tensor<1x4x8x16xf32>
func.func @rope_offset(%x: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %y = rescale.rope %x {theta = 500000.0 : f64, offset = 3 : i64} : tensor<1x4x8x16xf32>
  return %y : tensor<1x4x8x16xf32>
}

// CHECK-LABEL: func.func @rope_positions_inverse
// CHECK: rescale.rope %{{.+}}, %{{.+}} {inverse} : tensor<2x4x8x16xbf16>, tensor<2x8xi64>
func.func @rope_positions_inverse(%x: tensor<2x4x8x16xbf16>, %p: tensor<2x8xi64>) -> tensor<2x4x8x16xbf16> {
  %y = rescale.rope %x, %p {inverse} : tensor<2x4x8x16xbf16>, tensor<2x8xi64>
  return %y : tensor<2x4x8x16xbf16>
}

// CHECK-LABEL: func.func @adamw
// CHECK: %new_param, %new_m, %new_v = rescale.adamw %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} lr(%{{.+}}) beta1(%{{.+}}) beta2(%{{.+}}) eps(%{{.+}}) weight_decay(%{{.+}}) step(%{{.+}}) : tensor<64x32xf32>
func.func @adamw(%p: tensor<64x32xf32>, %g: tensor<64x32xf32>, %m: tensor<64x32xf32>, %v: tensor<64x32xf32>,
                 %lr: tensor<f32>, %b1: tensor<f32>, %b2: tensor<f32>, %eps: tensor<f32>, %wd: tensor<f32>, %step: tensor<f32>)
    -> (tensor<64x32xf32>, tensor<64x32xf32>, tensor<64x32xf32>) {
  %p1, %m1, %v1 = rescale.adamw %p, %g, %m, %v lr(%lr) beta1(%b1) beta2(%b2) eps(%eps) weight_decay(%wd) step(%step) : tensor<64x32xf32>
  return %p1, %m1, %v1 : tensor<64x32xf32>, tensor<64x32xf32>, tensor<64x32xf32>
}
