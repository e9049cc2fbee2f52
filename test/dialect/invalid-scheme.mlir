// Every error of the #rescale.quant scheme attribute, from its parser and its
// verifier, one case per diagnostic.
// RUN: rescale-opt %s -split-input-file -verify-diagnostics

func.func @unknown_format(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{unknown quantization format 'int16'; expected one of int4, int8, fp8, nvfp4, mxfp4}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<int16, per_token>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

func.func @unknown_granularity(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{unknown quantization granularity 'per_row'; expected per_tensor, per_channel, per_token, per_block or block = [...]}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<int8, per_row>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

func.func @block_not_positive(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{block sizes must be positive}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<fp8, per_block, block = [0, 128]>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

func.func @int8_per_block(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{int8 supports per_tensor, per_channel and per_token scales, not blocks}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<int8, per_block>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

func.func @int4_with_block(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{int4 supports per_tensor, per_channel and per_token scales, not blocks}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<int4, per_token, block = [32]>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

func.func @fp8_block_without_per_block(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{fp8 takes a block only with per_block}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<fp8, per_token, block = [1, 128]>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

func.func @fp8_block_1d(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{fp8 per_block expects a 2-d block such as [128, 128], got 1 dimensions}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<fp8, per_block, block = [128]>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

func.func @nvfp4_per_channel(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{nvfp4's second-level scale is per_tensor or per_token, not per_channel}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<nvfp4, per_channel>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

func.func @nvfp4_block_32(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{nvfp4 uses blocks of 16 elements}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<nvfp4, per_tensor, block = [32]>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

func.func @mxfp4_per_token(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{mxfp4 is always per_block (blocks of 32)}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<mxfp4, per_token>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

func.func @mxfp4_block_16(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{mxfp4 uses blocks of 32 elements}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<mxfp4, block = [16]>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

func.func @block_without_brackets(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{expected '['}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<fp8, per_block, block = 128>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

func.func @missing_format(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{unknown quantization format 'per_token'; expected one of int4, int8, fp8, nvfp4, mxfp4}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<per_token>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

func.func @format_not_keyword(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{expected valid keyword}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<8, per_token>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

func.func @unclosed(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{unbalanced '<' character in pretty dialect name}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<int8, per_token} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

func.func @missing_comma(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{expected '>'}}
  %y = rescale.fake_quant %x {scheme = #rescale.quant<int8 per_token>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}
