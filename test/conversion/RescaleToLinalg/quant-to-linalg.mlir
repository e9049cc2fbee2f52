// RUN: rescale-opt %s --split-input-file --convert-rescale-to-linalg \
// RUN:   --mlir-print-local-scope --verify-diagnostics | FileCheck %s

// The reference decomposition of quantize / dequantize / fake_quant. The
// quantization math is f64 in the formulas' literal order: a group's amax is
// a reduction over the group view [d0/b0, b0, d1/b1, b1, ...] (expand_shape),
// scales are amax/max (1 when amax is 0), elements are rounded half to even
// (integers) or onto the E4M3/E2M1 grid from the f64 exponent bits, and the
// stored codes are integers bitcast to the builtin f8/f4 types.

// int8 per token: one scale per row, s = amax/127,
// q = clamp(roundeven(x/s), -128, 127).
// CHECK-LABEL: func.func @quantize_int8_per_token(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<2x4xf32>)
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f64
// CHECK:         %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f64) outs(%{{.+}} : tensor<2x1xf64>)
// CHECK:         %[[XG:.+]] = tensor.expand_shape %[[X]] {{\[}}[0, 1], [2, 3]] output_shape [2, 1, 1, 4] : tensor<2x4xf32> into tensor<2x1x1x4xf32>
// CHECK:         %[[AMAX:.+]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel", "reduction"]}
// CHECK-SAME:      ins(%[[XG]] : tensor<2x1x1x4xf32>) outs(%[[INIT]] : tensor<2x1xf64>)
// CHECK:         ^bb0(%[[XE:.+]]: f32, %[[ACC:.+]]: f64):
// CHECK-NEXT:      %[[XD:.+]] = arith.extf %[[XE]] : f32 to f64
// CHECK-NEXT:      %[[ABS:.+]] = math.absf %[[XD]] : f64
// CHECK-NEXT:      %[[MAX:.+]] = arith.maximumf %[[ACC]], %[[ABS]] : f64
// CHECK-NEXT:      linalg.yield %[[MAX]] : f64
// CHECK:         %[[S:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[AMAX]] : tensor<2x1xf64>) outs(%{{.+}} : tensor<2x1xf64>)
// CHECK:         ^bb0(%[[AE:.+]]: f64, %{{.+}}: f64):
// CHECK-NEXT:      %[[Z:.+]] = arith.constant 0.000000e+00 : f64
// CHECK-NEXT:      %[[ISZ:.+]] = arith.cmpf oeq, %[[AE]], %[[Z]] : f64
// CHECK-NEXT:      %[[ONE:.+]] = arith.constant 1.000000e+00 : f64
// CHECK-NEXT:      %[[QMAX:.+]] = arith.constant 1.270000e+02 : f64
// CHECK-NEXT:      %[[DIV:.+]] = arith.divf %[[AE]], %[[QMAX]] : f64
// CHECK-NEXT:      %[[SE:.+]] = arith.select %[[ISZ]], %[[ONE]], %[[DIV]] : f64
// CHECK-NEXT:      linalg.yield %[[SE]] : f64
// CHECK:         %[[XG2:.+]] = tensor.expand_shape %[[X]]
// CHECK:         %[[QG:.+]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME:      ins(%[[XG2]], %[[S]] : tensor<2x1x1x4xf32>, tensor<2x1xf64>) outs(%{{.+}} : tensor<2x1x1x4xi8>)
// CHECK:         ^bb0(%[[XE2:.+]]: f32, %[[SE2:.+]]: f64, %{{.+}}: i8):
// CHECK-NEXT:      %[[XD2:.+]] = arith.extf %[[XE2]] : f32 to f64
// CHECK-NEXT:      %[[Y:.+]] = arith.divf %[[XD2]], %[[SE2]] : f64
// CHECK-NEXT:      %[[R:.+]] = math.roundeven %[[Y]] : f64
// CHECK-NEXT:      %[[HI:.+]] = arith.constant 1.270000e+02 : f64
// CHECK-NEXT:      %[[R1:.+]] = arith.minimumf %[[R]], %[[HI]] : f64
// CHECK-NEXT:      %[[LO:.+]] = arith.constant -1.280000e+02 : f64
// CHECK-NEXT:      %[[R2:.+]] = arith.maximumf %[[R1]], %[[LO]] : f64
// CHECK-NEXT:      %[[QI:.+]] = arith.fptosi %[[R2]] : f64 to i8
// CHECK-NEXT:      linalg.yield %[[QI]] : i8
// CHECK:         %[[Q:.+]] = tensor.collapse_shape %[[QG]] {{\[}}[0, 1], [2, 3]] : tensor<2x1x1x4xi8> into tensor<2x4xi8>
// The f64 scale is stored as f32 (one rounding).
// CHECK:         %[[SF:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[S]] : tensor<2x1xf64>) outs(%{{.+}} : tensor<2x1xf32>)
// CHECK:           arith.truncf %{{.+}} : f64 to f32
// CHECK:         return %[[Q]], %[[SF]] : tensor<2x4xi8>, tensor<2x1xf32>
func.func @quantize_int8_per_token(%x: tensor<2x4xf32>) -> (tensor<2x4xi8>, tensor<2x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>}
      : (tensor<2x4xf32>) -> (tensor<2x4xi8>, tensor<2x1xf32>)
  return %q, %s : tensor<2x4xi8>, tensor<2x1xf32>
}

// -----

// int4 per tensor, stored as i4: the whole tensor is one group, qmax = 7.
// CHECK-LABEL: func.func @quantize_int4_per_tensor_as_i4(
// CHECK:         tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2, 3]] output_shape [1, 3, 1, 8] : tensor<3x8xbf16> into tensor<1x3x1x8xbf16>
// bf16 widens exactly (through f32) to f64.
// CHECK:         %[[XF:.+]] = arith.extf %{{.+}} : bf16 to f32
// CHECK-NEXT:    arith.extf %[[XF]] : f32 to f64
// CHECK:         arith.constant 7.000000e+00 : f64
// CHECK:         math.roundeven
// CHECK-NEXT:    arith.constant 7.000000e+00 : f64
// CHECK-NEXT:    arith.minimumf
// CHECK-NEXT:    arith.constant -8.000000e+00 : f64
// CHECK-NEXT:    arith.maximumf
// CHECK-NEXT:    arith.fptosi %{{.+}} : f64 to i4
func.func @quantize_int4_per_tensor_as_i4(%x: tensor<3x8xbf16>) -> (tensor<3x8xi4>, tensor<1x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int4, per_tensor>}
      : (tensor<3x8xbf16>) -> (tensor<3x8xi4>, tensor<1x1xf32>)
  return %q, %s : tensor<3x8xi4>, tensor<1x1xf32>
}

// -----

// fp8 per block: 2-d blocks tile the trailing two dims (128x128 by default);
// y = x/s is rounded onto the E4M3 grid: spacing 2^(max(e, -6) - 3) with
// e = floor(log2 |y|) from the f64 exponent bits, saturating at 448. The
// code is (sign, e + 7, top 3 mantissa bits), or |y|·2^9 when subnormal.
// CHECK-LABEL: func.func @quantize_fp8_per_block_default_128x128(
// CHECK:         tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2, 3]] output_shape [2, 128, 2, 128] : tensor<256x256xf32> into tensor<2x128x2x128xf32>
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel", "reduction"]} ins(%{{.+}} : tensor<2x128x2x128xf32>) outs(%{{.+}} : tensor<2x2xf64>)
// CHECK:         arith.constant 4.480000e+02 : f64
// CHECK:         %[[QG:.+]] = linalg.generic
// CHECK-SAME:      outs(%{{.+}} : tensor<2x128x2x128xf8E4M3FN>)
// CHECK:           %[[Y:.+]] = arith.divf
// CHECK-NEXT:      %[[A:.+]] = math.absf %[[Y]] : f64
// CHECK-NEXT:      %[[BITS:.+]] = arith.bitcast %[[A]] : f64 to i64
// CHECK-NEXT:      %[[C52:.+]] = arith.constant 52 : i64
// CHECK-NEXT:      %[[EF:.+]] = arith.shrui %[[BITS]], %[[C52]] : i64
// CHECK-NEXT:      %[[C1023:.+]] = arith.constant 1023 : i64
// CHECK-NEXT:      %[[E:.+]] = arith.subi %[[EF]], %[[C1023]] : i64
// CHECK-NEXT:      %[[EMIN:.+]] = arith.constant -6 : i64
// CHECK-NEXT:      %[[E2:.+]] = arith.maxsi %[[E]], %[[EMIN]] : i64
// CHECK-NEXT:      %[[M:.+]] = arith.constant 3 : i64
// CHECK-NEXT:      %[[QE:.+]] = arith.subi %[[E2]], %[[M]] : i64
// CHECK:           %[[SPACING:.+]] = arith.bitcast %{{.+}} : i64 to f64
// CHECK-NEXT:      %[[T:.+]] = arith.divf %[[A]], %[[SPACING]] : f64
// CHECK-NEXT:      %[[RT:.+]] = math.roundeven %[[T]] : f64
// CHECK-NEXT:      %[[R:.+]] = arith.mulf %[[RT]], %[[SPACING]] : f64
// CHECK-NEXT:      %[[SAT:.+]] = arith.constant 4.480000e+02 : f64
// CHECK-NEXT:      %[[RS:.+]] = arith.minimumf %[[R]], %[[SAT]] : f64
// CHECK-NEXT:      %[[G:.+]] = math.copysign %[[RS]], %[[Y]] : f64
// CHECK:           %[[SUBN:.+]] = arith.constant 5.120000e+02 : f64
// NaN keeps E4M3FN's NaN code 0x7f.
// CHECK:           %[[NAN:.+]] = arith.cmpf uno, %[[G]], %[[G]] : f64
// CHECK-NEXT:      %[[C127:.+]] = arith.constant 127 : i64
// CHECK-NEXT:      %[[CODE:.+]] = arith.select %[[NAN]], %[[C127]], %{{.+}} : i64
// CHECK-NEXT:      %[[C8:.+]] = arith.trunci %[[CODE]] : i64 to i8
// CHECK-NEXT:      %[[F8:.+]] = arith.bitcast %[[C8]] : i8 to f8E4M3FN
// CHECK-NEXT:      linalg.yield %[[F8]] : f8E4M3FN
// CHECK:         tensor.collapse_shape %[[QG]] {{\[}}[0, 1], [2, 3]] : tensor<2x128x2x128xf8E4M3FN> into tensor<256x256xf8E4M3FN>
func.func @quantize_fp8_per_block_default_128x128(%x: tensor<256x256xf32>)
    -> (tensor<256x256xf8E4M3FN>, tensor<2x2xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<fp8, per_block>}
      : (tensor<256x256xf32>) -> (tensor<256x256xf8E4M3FN>, tensor<2x2xf32>)
  return %q, %s : tensor<256x256xf8E4M3FN>, tensor<2x2xf32>
}

// -----

// nvfp4 per token: block maxes over 16 elements, the per-row max of those,
// S = amax/(6*448), s_b = e4m3(amax_b/6/S) (1 when amax_b is 0), and
// q = e2m1(x/(s_b*S)), 0 for a block whose s_b rounded to 0.
// CHECK-LABEL: func.func @quantize_nvfp4_per_token(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<2x32xf16>)
// CHECK:         %[[XG:.+]] = tensor.expand_shape %[[X]] {{\[}}[0, 1], [2, 3]] output_shape [2, 1, 2, 16]
// CHECK:         %[[AB:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[XG]] : tensor<2x1x2x16xf16>) outs(%{{.+}} : tensor<2x2xf64>)
// CHECK:         %[[ABG:.+]] = tensor.expand_shape %[[AB]] {{\[}}[0, 1], [2, 3]] output_shape [2, 1, 1, 2] : tensor<2x2xf64> into tensor<2x1x1x2xf64>
// CHECK:         %[[AG:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[ABG]] : tensor<2x1x1x2xf64>) outs(%{{.+}} : tensor<2x1xf64>)
// CHECK:         %[[S:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[AG]] : tensor<2x1xf64>)
// CHECK:           arith.constant 2.688000e+03 : f64
// CHECK:         %[[SBG:.+]] = linalg.generic
// CHECK-SAME:      ins(%{{.+}}, %[[S]] : tensor<2x1x1x2xf64>, tensor<2x1xf64>)
// CHECK:         ^bb0(%[[AE:.+]]: f64, %[[SE:.+]]: f64, %{{.+}}: f64):
// CHECK-NEXT:      %[[SIX:.+]] = arith.constant 6.000000e+00 : f64
// CHECK-NEXT:      %[[T1:.+]] = arith.divf %[[AE]], %[[SIX]] : f64
// CHECK-NEXT:      %[[T2:.+]] = arith.divf %[[T1]], %[[SE]] : f64
// CHECK:           arith.constant -6 : i64
// CHECK:           arith.constant 4.480000e+02 : f64
// CHECK:         %[[SB:.+]] = tensor.collapse_shape %[[SBG]]
// CHECK:         %[[QG:.+]] = linalg.generic {{.*}} ins(%{{.+}}, %[[SB]], %{{.+}} : tensor<2x1x2x16xf16>, tensor<2x2xf64>, tensor<2x2xf64>) outs(%{{.+}} : tensor<2x1x2x16xf4E2M1FN>)
// CHECK:         ^bb0(%[[XE:.+]]: f16, %[[SBE:.+]]: f64, %[[SGE:.+]]: f64, %{{.+}}: f4E2M1FN):
// CHECK-NEXT:      %[[XD:.+]] = arith.extf %[[XE]] : f16 to f64
// CHECK-NEXT:      %[[T:.+]] = arith.mulf %[[SBE]], %[[SGE]] : f64
// CHECK-NEXT:      %[[Z:.+]] = arith.constant 0.000000e+00 : f64
// CHECK-NEXT:      %[[ZB:.+]] = arith.cmpf oeq, %[[T]], %[[Z]] : f64
// CHECK:           %[[Y:.+]] = arith.divf %[[XD]], %[[T]] : f64
// CHECK:           arith.constant 0 : i64
// CHECK-NEXT:      arith.maxsi
// CHECK-NEXT:      arith.constant 1 : i64
// CHECK:           arith.constant 6.000000e+00 : f64
// CHECK-NEXT:      arith.minimumf
// CHECK-NEXT:      math.copysign
// CHECK-NEXT:      %[[QV:.+]] = arith.select %[[ZB]], %{{.+}}, %{{.+}} : f64
// CHECK:           %[[C4:.+]] = arith.trunci %{{.+}} : i64 to i4
// CHECK-NEXT:      %[[F4:.+]] = arith.bitcast %[[C4]] : i4 to f4E2M1FN
// CHECK-NEXT:      linalg.yield %[[F4]] : f4E2M1FN
// The block scales are stored as their (exact) E4M3 codes, S as f32.
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[SB]] : tensor<2x2xf64>) outs(%{{.+}} : tensor<2x2xf8E4M3FN>)
// CHECK:           arith.bitcast %{{.+}} : i8 to f8E4M3FN
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[S]] : tensor<2x1xf64>) outs(%{{.+}} : tensor<2x1xf32>)
// CHECK:           arith.truncf %{{.+}} : f64 to f32
func.func @quantize_nvfp4_per_token(%x: tensor<2x32xf16>)
    -> (tensor<2x32xf4E2M1FN>, tensor<2x2xf8E4M3FN>, tensor<2x1xf32>) {
  %q, %s, %g = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_token>}
      : (tensor<2x32xf16>) -> (tensor<2x32xf4E2M1FN>, tensor<2x2xf8E4M3FN>, tensor<2x1xf32>)
  return %q, %s, %g : tensor<2x32xf4E2M1FN>, tensor<2x2xf8E4M3FN>, tensor<2x1xf32>
}

// -----

// mxfp4: scale = 2^(floor(log2 amax_b) - 2) clamped to E8M0's exponent range
// [-127, 127] (1 when amax_b is 0), stored as the E8M0 code e + 127.
// CHECK-LABEL: func.func @quantize_mxfp4(
// CHECK:         tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2, 3]] output_shape [4, 1, 2, 32]
// CHECK:         %[[SC:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<4x2xf64>) outs(%{{.+}} : tensor<4x2xf64>)
// CHECK:         ^bb0(%[[AE:.+]]: f64, %{{.+}}: f64):
// CHECK:           %[[LOG:.+]] = arith.subi %{{.+}}, %{{.+}} : i64
// CHECK-NEXT:      %[[TWO:.+]] = arith.constant 2 : i64
// CHECK-NEXT:      %[[E:.+]] = arith.subi %[[LOG]], %[[TWO]] : i64
// CHECK-NEXT:      %[[LO:.+]] = arith.constant -127 : i64
// CHECK-NEXT:      %[[E1:.+]] = arith.maxsi %[[E]], %[[LO]] : i64
// CHECK-NEXT:      %[[HI:.+]] = arith.constant 127 : i64
// CHECK-NEXT:      %[[E2:.+]] = arith.minsi %[[E1]], %[[HI]] : i64
// CHECK:           %[[ISZ:.+]] = arith.cmpf oeq, %[[AE]], %{{.+}} : f64
// CHECK:           arith.select %[[ISZ]], %{{.+}}, %[[E2]] : i64
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%{{.+}} : tensor<4x1x2x32xf4E2M1FN>)
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[SC]] : tensor<4x2xf64>) outs(%{{.+}} : tensor<4x2xf8E8M0FNU>)
// CHECK:           %[[BIAS:.+]] = arith.constant 127 : i64
// CHECK-NEXT:      %[[CODE:.+]] = arith.addi %{{.+}}, %[[BIAS]] : i64
// CHECK-NEXT:      %[[C8:.+]] = arith.trunci %[[CODE]] : i64 to i8
// CHECK-NEXT:      arith.bitcast %[[C8]] : i8 to f8E8M0FNU
func.func @quantize_mxfp4(%x: tensor<4x64xf32>) -> (tensor<4x64xf4E2M1FN>, tensor<4x2xf8E8M0FNU>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<mxfp4>}
      : (tensor<4x64xf32>) -> (tensor<4x64xf4E2M1FN>, tensor<4x2xf8E8M0FNU>)
  return %q, %s : tensor<4x64xf4E2M1FN>, tensor<4x2xf8E8M0FNU>
}

// -----

// dequantize int8 per channel to bf16: q·s in f64 with the stored f32
// scale, rounded once to bf16 (to f32 by round-to-odd, then to bf16).
// CHECK-LABEL: func.func @dequantize_int8_per_channel_to_bf16(
// CHECK-SAME:    %[[Q:[a-z0-9]+]]: tensor<4x8xi8>, %[[S:[a-z0-9]+]]: tensor<4x1xf32>)
// CHECK:         %[[QD:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[Q]] : tensor<4x8xi8>) outs(%{{.+}} : tensor<4x8xf64>)
// CHECK:           arith.sitofp %{{.+}} : i8 to f64
// CHECK:         %[[SD:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[S]] : tensor<4x1xf32>) outs(%{{.+}} : tensor<4x1xf64>)
// CHECK:           arith.extf %{{.+}} : f32 to f64
// CHECK:         %[[QG:.+]] = tensor.expand_shape %[[QD]] {{\[}}[0, 1], [2, 3]] output_shape [4, 1, 1, 8]
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[QG]], %[[SD]] : tensor<4x1x1x8xf64>, tensor<4x1xf64>) outs(%{{.+}} : tensor<4x1x1x8xbf16>)
// CHECK:         ^bb0(%[[QE:.+]]: f64, %[[SE:.+]]: f64, %{{.+}}: bf16):
// CHECK-NEXT:      %[[V:.+]] = arith.mulf %[[QE]], %[[SE]] : f64
// CHECK-NEXT:      %[[T:.+]] = arith.truncf %[[V]] : f64 to f32
// CHECK-NEXT:      %[[BACK:.+]] = arith.extf %[[T]] : f32 to f64
// CHECK-NEXT:      %[[INEXACT:.+]] = arith.cmpf one, %[[BACK]], %[[V]] : f64
// CHECK:           %[[ODD:.+]] = arith.bitcast %{{.+}} : i32 to f32
// CHECK-NEXT:      %[[R:.+]] = arith.truncf %[[ODD]] : f32 to bf16
// CHECK-NEXT:      linalg.yield %[[R]] : bf16
func.func @dequantize_int8_per_channel_to_bf16(%q: tensor<4x8xi8>, %s: tensor<4x1xf32>) -> tensor<4x8xbf16> {
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<int8, per_channel>}
      : (tensor<4x8xi8>, tensor<4x1xf32>) -> tensor<4x8xbf16>
  return %x : tensor<4x8xbf16>
}

// -----

// dequantize nvfp4: decode the E2M1 and E4M3 codes, then (q·s_b)·S.
// CHECK-LABEL: func.func @dequantize_nvfp4_per_tensor(
// CHECK-SAME:    %[[Q:[a-z0-9]+]]: tensor<2x32xf4E2M1FN>, %[[SB:[a-z0-9]+]]: tensor<2x2xf8E4M3FN>, %[[G:[a-z0-9]+]]: tensor<1x1xf32>)
// The storage values reach the body undecoded and are bitcast to integers.
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[Q]] : tensor<2x32xf4E2M1FN>) outs(%{{.+}} : tensor<2x32xf64>)
// CHECK:         ^bb0(%[[QE:.+]]: f4E2M1FN, %{{.+}}: f64):
// CHECK-NEXT:      %[[QI:.+]] = arith.bitcast %[[QE]] : f4E2M1FN to i4
// CHECK-NEXT:      arith.extui %[[QI]] : i4 to i64
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[SB]] : tensor<2x2xf8E4M3FN>) outs(%{{.+}} : tensor<2x2xf64>)
// CHECK:         ^bb0(%[[SE:.+]]: f8E4M3FN, %{{.+}}: f64):
// CHECK-NEXT:      %[[SI:.+]] = arith.bitcast %[[SE]] : f8E4M3FN to i8
// CHECK:           arith.constant 127 : i64
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[G]] : tensor<1x1xf32>) outs(%{{.+}} : tensor<1x1xf64>)
// CHECK:         linalg.generic {{.*}} outs(%{{.+}} : tensor<2x1x2x16xf32>)
// CHECK:         ^bb0(%[[V:.+]]: f64, %[[B:.+]]: f64, %[[GL:.+]]: f64, %{{.+}}: f32):
// CHECK-NEXT:      %[[P:.+]] = arith.mulf %[[V]], %[[B]] : f64
// CHECK-NEXT:      %[[P2:.+]] = arith.mulf %[[P]], %[[GL]] : f64
// CHECK-NEXT:      %[[R:.+]] = arith.truncf %[[P2]] : f64 to f32
// CHECK-NEXT:      linalg.yield %[[R]] : f32
func.func @dequantize_nvfp4_per_tensor(%q: tensor<2x32xf4E2M1FN>, %sb: tensor<2x2xf8E4M3FN>,
                                       %g: tensor<1x1xf32>) -> tensor<2x32xf32> {
  %x = rescale.dequantize %q, %sb, %g {scheme = #rescale.quant<nvfp4, per_tensor>}
      : (tensor<2x32xf4E2M1FN>, tensor<2x2xf8E4M3FN>, tensor<1x1xf32>) -> tensor<2x32xf32>
  return %x : tensor<2x32xf32>
}

// -----

// dequantize mxfp4: the E8M0 code c is 2^(c - 127), or NaN for 255.
// CHECK-LABEL: func.func @dequantize_mxfp4(
// CHECK:         ^bb0(%[[SE:.+]]: f8E8M0FNU, %{{.+}}: f64):
// CHECK-NEXT:      %[[SI:.+]] = arith.bitcast %[[SE]] : f8E8M0FNU to i8
// CHECK-NEXT:      %[[C:.+]] = arith.extui %[[SI]] : i8 to i64
// CHECK-NEXT:      %[[BIAS:.+]] = arith.constant 127 : i64
// CHECK-NEXT:      %[[E:.+]] = arith.subi %[[C]], %[[BIAS]] : i64
// CHECK:           %[[NANCODE:.+]] = arith.constant 255 : i64
// CHECK-NEXT:      %[[ISNAN:.+]] = arith.cmpi eq, %[[C]], %[[NANCODE]] : i64
func.func @dequantize_mxfp4(%q: tensor<64xf4E2M1FN>, %s: tensor<2xf8E8M0FNU>) -> tensor<64xf16> {
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<mxfp4>}
      : (tensor<64xf4E2M1FN>, tensor<2xf8E8M0FNU>) -> tensor<64xf16>
  return %x : tensor<64xf16>
}

// -----

// dequantize int4 stored as i4.
// CHECK-LABEL: func.func @dequantize_int4_from_i4(
// CHECK:           arith.sitofp %{{.+}} : i4 to f64
func.func @dequantize_int4_from_i4(%q: tensor<2x8xi4>, %s: tensor<1x1xf32>) -> tensor<2x8xf32> {
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<int4, per_tensor>}
      : (tensor<2x8xi4>, tensor<1x1xf32>) -> tensor<2x8xf32>
  return %x : tensor<2x8xf32>
}

// -----

// fake_quant keeps everything in f64 (the scale is never rounded to f32),
// quantizes and dequantizes in one body, and rounds once to x's type; no
// storage code is built.
// CHECK-LABEL: func.func @fake_quant_fp8_per_token_f32(
// CHECK:         %[[S:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<3x1xf64>) outs(%{{.+}} : tensor<3x1xf64>)
// CHECK:           arith.constant 4.480000e+02 : f64
// CHECK:         linalg.generic {{.*}} ins(%{{.+}}, %[[S]] : tensor<3x1x1x16xf32>, tensor<3x1xf64>) outs(%{{.+}} : tensor<3x1x1x16xf32>)
// CHECK:         ^bb0(%[[XE:.+]]: f32, %[[SE:.+]]: f64, %{{.+}}: f32):
// CHECK:           %[[G:.+]] = math.copysign
// CHECK-NEXT:      %[[V:.+]] = arith.mulf %[[G]], %[[SE]] : f64
// CHECK-NEXT:      %[[R:.+]] = arith.truncf %[[V]] : f64 to f32
// CHECK-NEXT:      linalg.yield %[[R]] : f32
// CHECK-NOT:     f8E4M3FN
func.func @fake_quant_fp8_per_token_f32(%x: tensor<3x16xf32>) -> tensor<3x16xf32> {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<fp8, per_token>}
      : (tensor<3x16xf32>) -> tensor<3x16xf32>
  return %y : tensor<3x16xf32>
}

// -----

func.func @quantize_dynamic_shape(%x: tensor<?x32xf32>) -> (tensor<?x32xi8>, tensor<?x1xf32>) {
  // expected-error @below {{the reference decomposition needs static shapes, but operand #0 of type 'tensor<?x32xf32>' is dynamic}}
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>}
      : (tensor<?x32xf32>) -> (tensor<?x32xi8>, tensor<?x1xf32>)
  return %q, %s : tensor<?x32xi8>, tensor<?x1xf32>
}

// -----

// Zero-size dimensions (issue 16, class 2): a group that spans an empty
// dimension (per token on [2, 0], per tensor on [0, 4]) is one empty group,
// with amax 0 and scale 1; it used to be 0 / 0 groups (SIGFPE).
// CHECK-LABEL: func.func @quantize_int8_per_token_zero_width(
// CHECK:         tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2, 3]] output_shape [2, 1, 1, 0] : tensor<2x0xf32> into tensor<2x1x1x0xf32>
// CHECK:         return %{{.+}}, %{{.+}} : tensor<2x0xi8>, tensor<2x1xf32>
func.func @quantize_int8_per_token_zero_width(%x: tensor<2x0xf32>) -> (tensor<2x0xi8>, tensor<2x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>}
      : (tensor<2x0xf32>) -> (tensor<2x0xi8>, tensor<2x1xf32>)
  return %q, %s : tensor<2x0xi8>, tensor<2x1xf32>
}

// CHECK-LABEL: func.func @fake_quant_fp8_per_tensor_zero_rows(
// CHECK:         tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2, 3]] output_shape [1, 0, 1, 4] : tensor<0x4xf32> into tensor<1x0x1x4xf32>
// CHECK:         return %{{.+}} : tensor<0x4xf32>
func.func @fake_quant_fp8_per_tensor_zero_rows(%x: tensor<0x4xf32>) -> tensor<0x4xf32> {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<fp8, per_tensor>}
      : (tensor<0x4xf32>) -> tensor<0x4xf32>
  return %y : tensor<0x4xf32>
}

// nvfp4 per token on [3, 0]: no 16-element blocks, and the per-token second
// level spans the empty block dimension.
// CHECK-LABEL: func.func @quantize_nvfp4_per_token_zero_width(
// CHECK:         return %{{.+}}, %{{.+}}, %{{.+}} : tensor<3x0xf4E2M1FN>, tensor<3x0xf8E4M3FN>, tensor<3x1xf32>
func.func @quantize_nvfp4_per_token_zero_width(%x: tensor<3x0xf32>) -> (tensor<3x0xf4E2M1FN>, tensor<3x0xf8E4M3FN>, tensor<3x1xf32>) {
  %q, %s, %g = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_token>}
      : (tensor<3x0xf32>) -> (tensor<3x0xf4E2M1FN>, tensor<3x0xf8E4M3FN>, tensor<3x1xf32>)
  return %q, %s, %g : tensor<3x0xf4E2M1FN>, tensor<3x0xf8E4M3FN>, tensor<3x1xf32>
}
