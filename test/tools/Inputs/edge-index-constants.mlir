// Constants with index elements, as importers write them: the module
// compiler's embedded-constant check used to ask an index type for its bit
// width and crash (issue 16, class 1). Every sibling form is here.

// A plain TOSA RMSNorm as an importer emits it: x*x, reduce_sum, rsqrt, and
// the weight reshaped through a tosa.const_shape (tensor<2xindex>).
func.func @tosa_rms_norm(%x: tensor<2x8xf32>, %w: tensor<8xf32>) -> tensor<2x8xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %invd = "tosa.const"() <{values = dense<0.125> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %eps = "tosa.const"() <{values = dense<1.0e-6> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %sq = tosa.mul %x, %x, %shift : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<1xi8>) -> tensor<2x8xf32>
  %ss = tosa.reduce_sum %sq {axis = 1 : i32} : (tensor<2x8xf32>) -> tensor<2x1xf32>
  %ms = tosa.mul %ss, %invd, %shift : (tensor<2x1xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<2x1xf32>
  %ve = tosa.add %ms, %eps : (tensor<2x1xf32>, tensor<1x1xf32>) -> tensor<2x1xf32>
  %r = tosa.rsqrt %ve : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %xn = tosa.mul %x, %r, %shift : (tensor<2x8xf32>, tensor<2x1xf32>, tensor<1xi8>) -> tensor<2x8xf32>
  %shape = tosa.const_shape {values = dense<[1, 8]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %w2 = tosa.reshape %w, %shape : (tensor<8xf32>, !tosa.shape<2>) -> tensor<1x8xf32>
  %y = tosa.mul %xn, %w2, %shift : (tensor<2x8xf32>, tensor<1x8xf32>, tensor<1xi8>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// A tensor.reshape whose shape operand is a tensor<Nxindex> constant.
func.func @tensor_reshape_index_shape(%x: tensor<2x8xf32>) -> tensor<4x4xf32> {
  %shape = arith.constant dense<[4, 4]> : tensor<2xindex>
  %y = tensor.reshape %x(%shape) : (tensor<2x8xf32>, tensor<2xindex>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// A tensor<Nxindex> constant read as data: its elements become integers
// (out = [1, 2, 3]).
func.func @index_constant_data() -> tensor<3xf32> {
  %idx = arith.constant dense<[1, 2, 3]> : tensor<3xindex>
  %init = tensor.empty() : tensor<3xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                       iterator_types = ["parallel"]}
      ins(%idx : tensor<3xindex>) outs(%init : tensor<3xf32>) {
  ^bb0(%i: index, %o: f32):
    %ii = arith.index_cast %i : index to i64
    %f = arith.sitofp %ii : i64 to f32
    linalg.yield %f : f32
  } -> tensor<3xf32>
  return %y : tensor<3xf32>
}
