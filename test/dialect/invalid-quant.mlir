// Every verifier error of rescale.quantize, rescale.dequantize and
// rescale.fake_quant, one case per diagnostic.
// RUN: rescale-opt %s -split-input-file -verify-diagnostics

func.func @quantize_integer_input(%x: tensor<8x64xi32>) {
  // expected-error @+1 {{'rescale.quantize' op 'x' must have element type f32, f16 or bf16, but has 'i32'}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xi32>) -> (tensor<8x64xi8>, tensor<8x1xf32>)
  return
}

// -----

func.func @quantize_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{'x' must have rank >= 1, but has rank 0}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_tensor>} : (tensor<f32>) -> (tensor<i8>, tensor<f32>)
  return
}

// -----

// A 2-d block needs at least two dimensions.
func.func @quantize_block_rank(%x: tensor<256xf32>) {
  // expected-error @+1 {{scheme #rescale.quant<fp8, per_block> has a 2-d block but 'x' has rank 1}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<fp8, per_block>} : (tensor<256xf32>) -> (tensor<256xf8E4M3FN>, tensor<2xf32>)
  return
}

// -----

// NVFP4 blocks of 16 must divide the last dimension.
func.func @quantize_nvfp4_block_divides(%x: tensor<8x40xf32>) {
  // expected-error @+1 {{block size 16 of scheme #rescale.quant<nvfp4, per_tensor> must divide dimension 1 of 'x' (40)}}
  %q, %s, %g = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<8x40xf32>) -> (tensor<8x40xf4E2M1FN>, tensor<8x2xf8E4M3FN>, tensor<1x1xf32>)
  return
}

// -----

func.func @quantize_mxfp4_block_divides(%x: tensor<8x48xf32>) {
  // expected-error @+1 {{block size 32 of scheme #rescale.quant<mxfp4> must divide dimension 1 of 'x' (48)}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<mxfp4>} : (tensor<8x48xf32>) -> (tensor<8x48xf4E2M1FN>, tensor<8x1xf8E8M0FNU>)
  return
}

// -----

// The 128x128 fp8 block tiles the last two dimensions.
func.func @quantize_fp8_block_divides(%x: tensor<200x256xf32>) {
  // expected-error @+1 {{block size 128 of scheme #rescale.quant<fp8, per_block> must divide dimension 0 of 'x' (200)}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<fp8, per_block>} : (tensor<200x256xf32>) -> (tensor<200x256xf8E4M3FN>, tensor<1x2xf32>)
  return
}

// -----

func.func @quantize_int8_storage(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{'values' result must have element type 'i8' for scheme #rescale.quant<int8, per_token>, but has 'i32'}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xf32>) -> (tensor<8x64xi32>, tensor<8x1xf32>)
  return
}

// -----

func.func @quantize_int4_storage(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{'values' result must have element type 'i8' or i4 for scheme #rescale.quant<int4, per_token>, but has 'i2'}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int4, per_token>} : (tensor<8x64xf32>) -> (tensor<8x64xi2>, tensor<8x1xf32>)
  return
}

// -----

// i4 storage is for int4 only.
func.func @quantize_int8_as_i4(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{'values' result must have element type 'i8' for scheme #rescale.quant<int8, per_tensor>, but has 'i4'}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_tensor>} : (tensor<8x64xf32>) -> (tensor<8x64xi4>, tensor<1x1xf32>)
  return
}

// -----

func.func @quantize_fp8_storage(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{'values' result must have element type 'f8E4M3FN' for scheme #rescale.quant<fp8, per_token>, but has 'f8E5M2'}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<fp8, per_token>} : (tensor<8x64xf32>) -> (tensor<8x64xf8E5M2>, tensor<8x1xf32>)
  return
}

// -----

func.func @quantize_nvfp4_storage(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{'values' result must have element type 'f4E2M1FN' for scheme #rescale.quant<nvfp4, per_tensor>, but has 'f8E4M3FN'}}
  %q, %s, %g = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<8x64xf32>) -> (tensor<8x64xf8E4M3FN>, tensor<8x4xf8E4M3FN>, tensor<1x1xf32>)
  return
}

// -----

func.func @quantize_values_shape(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{'values' must have shape [8, 64] like the float tensor, but has shape [8, 32]}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xf32>) -> (tensor<8x32xi8>, tensor<8x1xf32>)
  return
}

// -----

func.func @quantize_scales_type(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{'scales' must have element type 'f32' for scheme #rescale.quant<int8, per_token>, but has 'f16'}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xf32>) -> (tensor<8x64xi8>, tensor<8x1xf16>)
  return
}

// -----

func.func @quantize_mxfp4_scales_type(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{'scales' must have element type 'f8E8M0FNU' for scheme #rescale.quant<mxfp4>, but has 'f32'}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<mxfp4>} : (tensor<8x64xf32>) -> (tensor<8x64xf4E2M1FN>, tensor<8x2xf32>)
  return
}

// -----

// Scale tensors keep the rank of x.
func.func @quantize_per_token_scales_shape(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{'scales' must have shape [8, 1] (one scale per group of the scheme), but has shape [8]}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xf32>) -> (tensor<8x64xi8>, tensor<8xf32>)
  return
}

// -----

func.func @quantize_per_tensor_scales_shape(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{'scales' must have shape [1, 1] (one scale per group of the scheme), but has shape [8, 1]}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int4, per_tensor>} : (tensor<8x64xf32>) -> (tensor<8x64xi4>, tensor<8x1xf32>)
  return
}

// -----

func.func @quantize_nvfp4_scales_shape(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{'scales' must have shape [8, 4] (one scale per group of the scheme), but has shape [8, 2]}}
  %q, %s, %g = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<8x64xf32>) -> (tensor<8x64xf4E2M1FN>, tensor<8x2xf8E4M3FN>, tensor<1x1xf32>)
  return
}

// -----

func.func @quantize_nvfp4_global_scale_missing(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{scheme #rescale.quant<nvfp4, per_tensor> needs a 'global_scale' (the f32 second-level scale)}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<8x64xf32>) -> (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>)
  return
}

// -----

func.func @quantize_nvfp4_global_scale_type(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{'global_scale' must have element type f32, but has 'bf16'}}
  %q, %s, %g = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<8x64xf32>) -> (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<1x1xbf16>)
  return
}

// -----

func.func @quantize_nvfp4_per_token_global_scale_shape(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{'global_scale' must have shape [8, 1] (the second-level scale), but has shape [1, 1]}}
  %q, %s, %g = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<8x64xf32>) -> (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<1x1xf32>)
  return
}

// -----

func.func @quantize_global_scale_unexpected(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{scheme #rescale.quant<mxfp4> has no second-level scale, but a 'global_scale' is present}}
  %q, %s, %g = rescale.quantize %x {scheme = #rescale.quant<mxfp4>} : (tensor<8x64xf32>) -> (tensor<8x64xf4E2M1FN>, tensor<8x2xf8E8M0FNU>, tensor<1x1xf32>)
  return
}

// -----

func.func @quantize_scheme_missing(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{requires attribute 'scheme'}}
  %q, %s = rescale.quantize %x : (tensor<8x64xf32>) -> (tensor<8x64xi8>, tensor<8x1xf32>)
  return
}

// -----

func.func @quantize_scheme_not_a_scheme(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{attribute 'scheme' failed to satisfy constraint}}
  %q, %s = "rescale.quantize"(%x) {scheme = "int8"} : (tensor<8x64xf32>) -> (tensor<8x64xi8>, tensor<8x1xf32>)
  return
}

// -----

func.func @dequantize_result_integer(%q: tensor<8x64xi8>, %s: tensor<8x1xf32>) {
  // expected-error @+1 {{'rescale.dequantize' op 'result' must have element type f32, f16 or bf16, but has 'i32'}}
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xi8>, tensor<8x1xf32>) -> tensor<8x64xi32>
  return
}

// -----

func.func @dequantize_values_type(%q: tensor<8x64xi8>, %s: tensor<8x2xf8E8M0FNU>) {
  // expected-error @+1 {{'values' operand must have element type 'f4E2M1FN' for scheme #rescale.quant<mxfp4>, but has 'i8'}}
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<mxfp4>} : (tensor<8x64xi8>, tensor<8x2xf8E8M0FNU>) -> tensor<8x64xf32>
  return
}

// -----

func.func @dequantize_values_shape(%q: tensor<8x64xi8>, %s: tensor<8x1xf32>) {
  // expected-error @+1 {{'values' must have shape [8, 128] like the float tensor, but has shape [8, 64]}}
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xi8>, tensor<8x1xf32>) -> tensor<8x128xf32>
  return
}

// -----

func.func @dequantize_block_divides(%q: tensor<8x40xf4E2M1FN>, %s: tensor<8x1xf8E8M0FNU>) {
  // expected-error @+1 {{block size 32 of scheme #rescale.quant<mxfp4> must divide dimension 1 of 'result' (40)}}
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<mxfp4>} : (tensor<8x40xf4E2M1FN>, tensor<8x1xf8E8M0FNU>) -> tensor<8x40xf32>
  return
}

// -----

func.func @dequantize_nvfp4_global_scale_missing(%q: tensor<8x64xf4E2M1FN>, %s: tensor<8x4xf8E4M3FN>) {
  // expected-error @+1 {{scheme #rescale.quant<nvfp4, per_tensor> needs a 'global_scale' (the f32 second-level scale)}}
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>) -> tensor<8x64xf32>
  return
}

// -----

func.func @fake_quant_integer_input(%x: tensor<8x64xi8>) {
  // expected-error @+1 {{'rescale.fake_quant' op 'x' must have element type f32, f16 or bf16, but has 'i8'}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xi8>) -> tensor<8x64xi8>
  return
}

// -----

func.func @fake_quant_block_divides(%x: tensor<8x40xbf16>) {
  // expected-error @+1 {{block size 16 of scheme #rescale.quant<nvfp4, per_token> must divide dimension 1 of 'x' (40)}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<8x40xbf16>) -> tensor<8x40xbf16>
  return
}

// -----

func.func @fake_quant_result_type(%x: tensor<8x64xbf16>) {
  // expected-error @+1 {{'result' must have element type 'bf16' like 'x', but has 'f32'}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<fp8, per_token>} : (tensor<8x64xbf16>) -> tensor<8x64xf32>
  return
}
