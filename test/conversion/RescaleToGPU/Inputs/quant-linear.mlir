// The quantized linear variants the ptxas test assembles, one kernel each:
// W8A8 and W4A4 (run-time int4 weights packed by a kernel; constant ones
// folded) on the int8 MMA, the weight-only forms with plain bf16/f16 x, and
// FP8 (per channel and 128x128 blocks), NVFP4 and MXFP4 decoded in registers
// before the bf16 MMA. M, N and K are ragged where the schemes allow.

func.func @w8a8(%x: tensor<4x77x256xbf16>, %w: tensor<200x256xbf16>, %b: tensor<200xf32>) -> tensor<4x77x200xbf16> {
  %xq, %xs = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>} : (tensor<4x77x256xbf16>) -> (tensor<4x77x256xi8>, tensor<4x77x1xf32>)
  %xd = rescale.dequantize %xq, %xs {scheme = #rescale.quant<int8, per_token>} : (tensor<4x77x256xi8>, tensor<4x77x1xf32>) -> tensor<4x77x256xbf16>
  %wq, %ws = rescale.quantize %w {scheme = #rescale.quant<int8, per_channel>} : (tensor<200x256xbf16>) -> (tensor<200x256xi8>, tensor<200x1xf32>)
  %wd = rescale.dequantize %wq, %ws {scheme = #rescale.quant<int8, per_channel>} : (tensor<200x256xi8>, tensor<200x1xf32>) -> tensor<200x256xbf16>
  %y = rescale.linear %xd, %wd, %b : (tensor<4x77x256xbf16>, tensor<200x256xbf16>, tensor<200xf32>) -> tensor<4x77x200xbf16>
  return %y : tensor<4x77x200xbf16>
}

func.func @w4a4(%x: tensor<77x200xf16>, %w: tensor<130x200xf16>) -> tensor<77x130xf16> {
  %xq, %xs = rescale.quantize %x {scheme = #rescale.quant<int4, per_token>} : (tensor<77x200xf16>) -> (tensor<77x200xi8>, tensor<77x1xf32>)
  %xd = rescale.dequantize %xq, %xs {scheme = #rescale.quant<int4, per_token>} : (tensor<77x200xi8>, tensor<77x1xf32>) -> tensor<77x200xf16>
  %wq, %ws = rescale.quantize %w {scheme = #rescale.quant<int4, per_channel>} : (tensor<130x200xf16>) -> (tensor<130x200xi8>, tensor<130x1xf32>)
  %wd = rescale.dequantize %wq, %ws {scheme = #rescale.quant<int4, per_channel>} : (tensor<130x200xi8>, tensor<130x1xf32>) -> tensor<130x200xf16>
  %y = rescale.linear %xd, %wd : (tensor<77x200xf16>, tensor<130x200xf16>) -> tensor<77x130xf16>
  return %y : tensor<77x130xf16>
}

func.func @w4a4_constant(%x: tensor<33x96xbf16>) -> tensor<33x64xbf16> {
  %wq = arith.constant dense<-3> : tensor<64x96xi8>
  %ws = arith.constant dense<0.25> : tensor<64x1xf32>
  %xq, %xs = rescale.quantize %x {scheme = #rescale.quant<int4, per_token>} : (tensor<33x96xbf16>) -> (tensor<33x96xi8>, tensor<33x1xf32>)
  %xd = rescale.dequantize %xq, %xs {scheme = #rescale.quant<int4, per_token>} : (tensor<33x96xi8>, tensor<33x1xf32>) -> tensor<33x96xbf16>
  %wd = rescale.dequantize %wq, %ws {scheme = #rescale.quant<int4, per_channel>} : (tensor<64x96xi8>, tensor<64x1xf32>) -> tensor<64x96xbf16>
  %y = rescale.linear %xd, %wd : (tensor<33x96xbf16>, tensor<64x96xbf16>) -> tensor<33x64xbf16>
  return %y : tensor<33x64xbf16>
}

func.func @int8_weight_only_f16(%x: tensor<50x72xf16>, %w: tensor<136x72xf16>) -> tensor<50x136xf16> {
  %wq, %ws = rescale.quantize %w {scheme = #rescale.quant<int8, per_channel>} : (tensor<136x72xf16>) -> (tensor<136x72xi8>, tensor<136x1xf32>)
  %wd = rescale.dequantize %wq, %ws {scheme = #rescale.quant<int8, per_channel>} : (tensor<136x72xi8>, tensor<136x1xf32>) -> tensor<136x72xf16>
  %y = rescale.linear %x, %wd : (tensor<50x72xf16>, tensor<136x72xf16>) -> tensor<50x136xf16>
  return %y : tensor<50x136xf16>
}

func.func @fp8_channel(%x: tensor<77x200xbf16>, %w: tensor<130x200xbf16>, %b: tensor<130xbf16>) -> tensor<77x130xbf16> {
  %xq, %xs = rescale.quantize %x {scheme = #rescale.quant<fp8, per_token>} : (tensor<77x200xbf16>) -> (tensor<77x200xf8E4M3FN>, tensor<77x1xf32>)
  %xd = rescale.dequantize %xq, %xs {scheme = #rescale.quant<fp8, per_token>} : (tensor<77x200xf8E4M3FN>, tensor<77x1xf32>) -> tensor<77x200xbf16>
  %wq, %ws = rescale.quantize %w {scheme = #rescale.quant<fp8, per_channel>} : (tensor<130x200xbf16>) -> (tensor<130x200xf8E4M3FN>, tensor<130x1xf32>)
  %wd = rescale.dequantize %wq, %ws {scheme = #rescale.quant<fp8, per_channel>} : (tensor<130x200xf8E4M3FN>, tensor<130x1xf32>) -> tensor<130x200xbf16>
  %y = rescale.linear %xd, %wd, %b : (tensor<77x200xbf16>, tensor<130x200xbf16>, tensor<130xbf16>) -> tensor<77x130xbf16>
  return %y : tensor<77x130xbf16>
}

func.func @fp8_block_weight_only(%x: tensor<77x384xbf16>, %w: tensor<256x384xbf16>) -> tensor<77x256xbf16> {
  %wq, %ws = rescale.quantize %w {scheme = #rescale.quant<fp8, per_block, block = [128, 128]>} : (tensor<256x384xbf16>) -> (tensor<256x384xf8E4M3FN>, tensor<2x3xf32>)
  %wd = rescale.dequantize %wq, %ws {scheme = #rescale.quant<fp8, per_block, block = [128, 128]>} : (tensor<256x384xf8E4M3FN>, tensor<2x3xf32>) -> tensor<256x384xbf16>
  %y = rescale.linear %x, %wd : (tensor<77x384xbf16>, tensor<256x384xbf16>) -> tensor<77x256xbf16>
  return %y : tensor<77x256xbf16>
}

func.func @nvfp4(%x: tensor<77x192xbf16>, %w: tensor<130x192xbf16>, %b: tensor<130xf32>) -> tensor<77x130xbf16> {
  %xq, %xs, %xg = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<77x192xbf16>) -> (tensor<77x192xf4E2M1FN>, tensor<77x12xf8E4M3FN>, tensor<77x1xf32>)
  %xd = rescale.dequantize %xq, %xs, %xg {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<77x192xf4E2M1FN>, tensor<77x12xf8E4M3FN>, tensor<77x1xf32>) -> tensor<77x192xbf16>
  %wq, %ws, %wg = rescale.quantize %w {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<130x192xbf16>) -> (tensor<130x192xf4E2M1FN>, tensor<130x12xf8E4M3FN>, tensor<1x1xf32>)
  %wd = rescale.dequantize %wq, %ws, %wg {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<130x192xf4E2M1FN>, tensor<130x12xf8E4M3FN>, tensor<1x1xf32>) -> tensor<130x192xbf16>
  %y = rescale.linear %xd, %wd, %b : (tensor<77x192xbf16>, tensor<130x192xbf16>, tensor<130xf32>) -> tensor<77x130xbf16>
  return %y : tensor<77x130xbf16>
}

func.func @mxfp4_f16(%x: tensor<77x192xf16>, %w: tensor<130x192xf16>) -> tensor<77x130xf16> {
  %xq, %xs = rescale.quantize %x {scheme = #rescale.quant<mxfp4>} : (tensor<77x192xf16>) -> (tensor<77x192xf4E2M1FN>, tensor<77x6xf8E8M0FNU>)
  %xd = rescale.dequantize %xq, %xs {scheme = #rescale.quant<mxfp4>} : (tensor<77x192xf4E2M1FN>, tensor<77x6xf8E8M0FNU>) -> tensor<77x192xf16>
  %wq, %ws = rescale.quantize %w {scheme = #rescale.quant<mxfp4>} : (tensor<130x192xf16>) -> (tensor<130x192xf4E2M1FN>, tensor<130x6xf8E8M0FNU>)
  %wd = rescale.dequantize %wq, %ws {scheme = #rescale.quant<mxfp4>} : (tensor<130x192xf4E2M1FN>, tensor<130x6xf8E8M0FNU>) -> tensor<130x192xf16>
  %y = rescale.linear %xd, %wd : (tensor<77x192xf16>, tensor<130x192xf16>) -> tensor<77x130xf16>
  return %y : tensor<77x130xf16>
}
