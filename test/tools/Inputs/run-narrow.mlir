// Narrow types through the CPU pipeline and the file boundary.

// i4 values are stored one per byte; the files hold them as i8.
// [-4, 3, -8, 7]: sum -2, abs_sum 22.
func.func @i4_constant() -> tensor<4xi4> {
  %c = arith.constant dense<[-4, 3, -8, 7]> : tensor<4xi4>
  return %c : tensor<4xi4>
}

// Math on bf16 and f16 is computed in f32 and rounded once:
// tanh(0.5) = 0.46211716 -> bf16 0.462890625, f16 0.46215820.
func.func @narrow_tanh() -> (tensor<1xbf16>, tensor<1xf16>) {
  %b = arith.constant dense<0.5> : tensor<1xbf16>
  %h = arith.constant dense<0.5> : tensor<1xf16>
  %tb = math.tanh %b : tensor<1xbf16>
  %th = math.tanh %h : tensor<1xf16>
  return %tb, %th : tensor<1xbf16>, tensor<1xf16>
}
