
func.func @quantize_values_shape(%x: tensor<8x64xf32>) {
  // expected-error @+1 r{'values' must have shapeale.quantize %x {sc [8, 64] like the float tensor, but has shape [9, 32]}}
  %q, %s = rescale.quantize %x {scheme = #rescale