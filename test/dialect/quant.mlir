// Round trip of the quantization ops and the #rescale.quant scheme attribute
// (custom form, through the generic form and bytecode, and --verify-roundtrip):
// every format and granularity, i4 storage for int4, the default and explicit
// blocks, f32/f16/bf16 on the float side.
// RUN: rescale-opt %s --verify-roundtrip | FileCheck %s
// RUN: rescale-opt %s | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --mlir-print-op-generic | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --emit-bytecode | rescale-opt | FileCheck %s

// Integer schemes: one f32 scale per tensor, per output row of a weight, or
// per token; scale tensors keep the rank of x.
// CHECK-LABEL: func.func @quantize_int8
// CHECK-SAME: (%[[X:.+]]: tensor<8x64xf32>, %[[W:.+]]: tensor<128x64xbf16>)
func.func @quantize_int8(%x: tensor<8x64xf32>, %w: tensor<128x64xbf16>) {
  // CHECK: %[[Q0:.+]], %[[S0:.+]] = rescale.quantize %[[X]] {scheme = #rescale.quant<int8, per_tensor>} : (tensor<8x64xf32>) -> (tensor<8x64xi8>, tensor<1x1xf32>)
  %q0, %s0 = rescale.quantize %x {scheme = #rescale.quant<int8, per_tensor>} : (tensor<8x64xf32>) -> (tensor<8x64xi8>, tensor<1x1xf32>)
  // A scheme without a granularity is per_tensor.
  // CHECK: rescale.quantize %[[X]] {scheme = #rescale.quant<int8, per_tensor>} : (tensor<8x64xf32>) -> (tensor<8x64xi8>, tensor<1x1xf32>)
  %q1, %s1 = rescale.quantize %x {scheme = #rescale.quant<int8>} : (tensor<8x64xf32>) -> (tensor<8x64xi8>, tensor<1x1xf32>)
  // CHECK: rescale.quantize %[[W]] {scheme = #rescale.quant<int8, per_channel>} : (tensor<128x64xbf16>) -> (tensor<128x64xi8>, tensor<128x1xf32>)
  %q2, %s2 = rescale.quantize %w {scheme = #rescale.quant<int8, per_channel>} : (tensor<128x64xbf16>) -> (tensor<128x64xi8>, tensor<128x1xf32>)
  // CHECK: rescale.quantize %[[X]] {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xf32>) -> (tensor<8x64xi8>, tensor<8x1xf32>)
  %q3, %s3 = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xf32>) -> (tensor<8x64xi8>, tensor<8x1xf32>)
  return
}

// int4 values are stored as i8 (in [-8, 7]) or as i4.
// CHECK-LABEL: func.func @quantize_int4
func.func @quantize_int4(%x: tensor<2x8x64xf16>, %w: tensor<128x64xf32>) {
  // CHECK: rescale.quantize %{{.+}} {scheme = #rescale.quant<int4, per_tensor>} : (tensor<2x8x64xf16>) -> (tensor<2x8x64xi8>, tensor<1x1x1xf32>)
  %q0, %s0 = rescale.quantize %x {scheme = #rescale.quant<int4, per_tensor>} : (tensor<2x8x64xf16>) -> (tensor<2x8x64xi8>, tensor<1x1x1xf32>)
  // CHECK: rescale.quantize %{{.+}} {scheme = #rescale.quant<int4, per_token>} : (tensor<2x8x64xf16>) -> (tensor<2x8x64xi4>, tensor<2x8x1xf32>)
  %q1, %s1 = rescale.quantize %x {scheme = #rescale.quant<int4, per_token>} : (tensor<2x8x64xf16>) -> (tensor<2x8x64xi4>, tensor<2x8x1xf32>)
  // CHECK: rescale.quantize %{{.+}} {scheme = #rescale.quant<int4, per_channel>} : (tensor<128x64xf32>) -> (tensor<128x64xi4>, tensor<128x1xf32>)
  %q2, %s2 = rescale.quantize %w {scheme = #rescale.quant<int4, per_channel>} : (tensor<128x64xf32>) -> (tensor<128x64xi4>, tensor<128x1xf32>)
  return
}

// FP8 E4M3FN: per token, per tensor, or per 128x128 block (the default
// block) or a spelled block.
// CHECK-LABEL: func.func @quantize_fp8
func.func @quantize_fp8(%x: tensor<8x256xbf16>, %w: tensor<256x384xf32>) {
  // CHECK: rescale.quantize %{{.+}} {scheme = #rescale.quant<fp8, per_token>} : (tensor<8x256xbf16>) -> (tensor<8x256xf8E4M3FN>, tensor<8x1xf32>)
  %q0, %s0 = rescale.quantize %x {scheme = #rescale.quant<fp8, per_token>} : (tensor<8x256xbf16>) -> (tensor<8x256xf8E4M3FN>, tensor<8x1xf32>)
  // CHECK: rescale.quantize %{{.+}} {scheme = #rescale.quant<fp8, per_tensor>} : (tensor<8x256xbf16>) -> (tensor<8x256xf8E4M3FN>, tensor<1x1xf32>)
  %q1, %s1 = rescale.quantize %x {scheme = #rescale.quant<fp8, per_tensor>} : (tensor<8x256xbf16>) -> (tensor<8x256xf8E4M3FN>, tensor<1x1xf32>)
  // CHECK: rescale.quantize %{{.+}} {scheme = #rescale.quant<fp8, per_block>} : (tensor<256x384xf32>) -> (tensor<256x384xf8E4M3FN>, tensor<2x3xf32>)
  %q2, %s2 = rescale.quantize %w {scheme = #rescale.quant<fp8, per_block>} : (tensor<256x384xf32>) -> (tensor<256x384xf8E4M3FN>, tensor<2x3xf32>)
  // The default block spelled out is the same scheme.
  // CHECK: rescale.quantize %{{.+}} {scheme = #rescale.quant<fp8, per_block>} : (tensor<256x384xf32>) -> (tensor<256x384xf8E4M3FN>, tensor<2x3xf32>)
  %q3, %s3 = rescale.quantize %w {scheme = #rescale.quant<fp8, per_block, block = [128, 128]>} : (tensor<256x384xf32>) -> (tensor<256x384xf8E4M3FN>, tensor<2x3xf32>)
  // CHECK: rescale.quantize %{{.+}} {scheme = #rescale.quant<fp8, per_block, block = [1, 128]>} : (tensor<8x256xbf16>) -> (tensor<8x256xf8E4M3FN>, tensor<8x2xf32>)
  %q4, %s4 = rescale.quantize %x {scheme = #rescale.quant<fp8, per_block, block = [1, 128]>} : (tensor<8x256xbf16>) -> (tensor<8x256xf8E4M3FN>, tensor<8x2xf32>)
  return
}

// NVFP4: E2M1 values in blocks of 16, E4M3 block scales, and an f32
// second-level scale per tensor or per token.
// CHECK-LABEL: func.func @quantize_nvfp4
func.func @quantize_nvfp4(%x: tensor<8x64xf32>) {
  // CHECK: %{{.+}}, %{{.+}}, %{{.+}} = rescale.quantize %{{.+}} {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<8x64xf32>) -> (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<1x1xf32>)
  %q0, %s0, %g0 = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<8x64xf32>) -> (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<1x1xf32>)
  // CHECK: rescale.quantize %{{.+}} {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<8x64xf32>) -> (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<8x1xf32>)
  %q1, %s1, %g1 = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_token, block = [16]>} : (tensor<8x64xf32>) -> (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<8x1xf32>)
  return
}

// MXFP4: E2M1 values in blocks of 32 with E8M0 power-of-two scales.
// CHECK-LABEL: func.func @quantize_mxfp4
func.func @quantize_mxfp4(%x: tensor<8x64xf32>, %y: tensor<2x4x96xbf16>) {
  // CHECK: rescale.quantize %{{.+}} {scheme = #rescale.quant<mxfp4>} : (tensor<8x64xf32>) -> (tensor<8x64xf4E2M1FN>, tensor<8x2xf8E8M0FNU>)
  %q0, %s0 = rescale.quantize %x {scheme = #rescale.quant<mxfp4>} : (tensor<8x64xf32>) -> (tensor<8x64xf4E2M1FN>, tensor<8x2xf8E8M0FNU>)
  // CHECK: rescale.quantize %{{.+}} {scheme = #rescale.quant<mxfp4>} : (tensor<2x4x96xbf16>) -> (tensor<2x4x96xf4E2M1FN>, tensor<2x4x3xf8E8M0FNU>)
  %q1, %s1 = rescale.quantize %y {scheme = #rescale.quant<mxfp4, per_block, block = [32]>} : (tensor<2x4x96xbf16>) -> (tensor<2x4x96xf4E2M1FN>, tensor<2x4x3xf8E8M0FNU>)
  return
}

// Dequantize takes the quantized values and scales back to f32, f16 or bf16.
// CHECK-LABEL: func.func @dequantize
// CHECK-SAME: (%[[Q8:[^:]+]]: tensor<8x64xi8>, %[[S8:[^:]+]]: tensor<8x1xf32>
func.func @dequantize(%q8: tensor<8x64xi8>, %s8: tensor<8x1xf32>,
                      %q4: tensor<128x64xi4>, %s4: tensor<128x1xf32>,
                      %qf8: tensor<256x384xf8E4M3FN>, %sf8: tensor<2x3xf32>,
                      %qnv: tensor<8x64xf4E2M1FN>, %snv: tensor<8x4xf8E4M3FN>, %gnv: tensor<1x1xf32>,
                      %qmx: tensor<8x64xf4E2M1FN>, %smx: tensor<8x2xf8E8M0FNU>) {
  // CHECK: rescale.dequantize %[[Q8]], %[[S8]] {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xi8>, tensor<8x1xf32>) -> tensor<8x64xf32>
  %0 = rescale.dequantize %q8, %s8 {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xi8>, tensor<8x1xf32>) -> tensor<8x64xf32>
  // CHECK: rescale.dequantize %{{.+}}, %{{.+}} {scheme = #rescale.quant<int4, per_channel>} : (tensor<128x64xi4>, tensor<128x1xf32>) -> tensor<128x64xbf16>
  %1 = rescale.dequantize %q4, %s4 {scheme = #rescale.quant<int4, per_channel>} : (tensor<128x64xi4>, tensor<128x1xf32>) -> tensor<128x64xbf16>
  // CHECK: rescale.dequantize %{{.+}}, %{{.+}} {scheme = #rescale.quant<fp8, per_block>} : (tensor<256x384xf8E4M3FN>, tensor<2x3xf32>) -> tensor<256x384xf16>
  %2 = rescale.dequantize %qf8, %sf8 {scheme = #rescale.quant<fp8, per_block>} : (tensor<256x384xf8E4M3FN>, tensor<2x3xf32>) -> tensor<256x384xf16>
  // The nvfp4 second-level scale is the third operand.
  // CHECK: rescale.dequantize %{{.+}}, %{{.+}}, %{{.+}} {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<1x1xf32>) -> tensor<8x64xf32>
  %3 = rescale.dequantize %qnv, %snv, %gnv {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<1x1xf32>) -> tensor<8x64xf32>
  // CHECK: rescale.dequantize %{{.+}}, %{{.+}} {scheme = #rescale.quant<mxfp4>} : (tensor<8x64xf4E2M1FN>, tensor<8x2xf8E8M0FNU>) -> tensor<8x64xbf16>
  %4 = rescale.dequantize %qmx, %smx {scheme = #rescale.quant<mxfp4>} : (tensor<8x64xf4E2M1FN>, tensor<8x2xf8E8M0FNU>) -> tensor<8x64xbf16>
  return
}

// Fake quantization keeps the type of x, for every format.
// CHECK-LABEL: func.func @fake_quant
func.func @fake_quant(%x: tensor<8x256xf32>, %y: tensor<8x256xbf16>, %z: tensor<256x256xf16>) {
  // CHECK: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<int8, per_token>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  %0 = rescale.fake_quant %x {scheme = #rescale.quant<int8, per_token>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  // CHECK: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<int4, per_tensor>} : (tensor<8x256xbf16>) -> tensor<8x256xbf16>
  %1 = rescale.fake_quant %y {scheme = #rescale.quant<int4, per_tensor>} : (tensor<8x256xbf16>) -> tensor<8x256xbf16>
  // CHECK: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<int4, per_channel>} : (tensor<256x256xf16>) -> tensor<256x256xf16>
  %2 = rescale.fake_quant %z {scheme = #rescale.quant<int4, per_channel>} : (tensor<256x256xf16>) -> tensor<256x256xf16>
  // CHECK: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<fp8, per_token>} : (tensor<8x256xbf16>) -> tensor<8x256xbf16>
  %3 = rescale.fake_quant %y {scheme = #rescale.quant<fp8, per_token>} : (tensor<8x256xbf16>) -> tensor<8x256xbf16>
  // CHECK: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<fp8, per_block>} : (tensor<256x256xf16>) -> tensor<256x256xf16>
  %4 = rescale.fake_quant %z {scheme = #rescale.quant<fp8, per_block>} : (tensor<256x256xf16>) -> tensor<256x256xf16>
  // CHECK: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  %5 = rescale.fake_quant %x {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  // CHECK: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<8x256xbf16>) -> tensor<8x256xbf16>
  %6 = rescale.fake_quant %y {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<8x256xbf16>) -> tensor<8x256xbf16>
  // CHECK: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<mxfp4>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  %7 = rescale.fake_quant %x {scheme = #rescale.quant<mxfp4>} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return
}
