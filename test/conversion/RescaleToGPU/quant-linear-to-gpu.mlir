// RUN: rescale-opt %s --split-input-file --convert-rescale-to-gpu="chip=sm_90" | FileCheck %s

// W8A8: both operands dequantized int8, so ONE kernel on the int8 tensor
// cores reads the codes and the f32 scales directly (the dequantize ops die).
// K = 256 in 64-wide byte tiles; two mma.sync m16n8k32 s8 steps per tile.
// The epilogue is y = (f32(acc) · s_x[m]) · s_w[n] + bias[n].

// CHECK-LABEL: func.func @w8a8_bf16
// CHECK-NOT:     gpu.launch_func
// CHECK:         gpu.launch_func @rescale_kernels::@w8a8_bf16_qlinear_int_int
// CHECK-SAME:      blocks in (%c6, %c1, %c1) threads in (%c128, %c1, %c1)
// CHECK-SAME:      args(%{{.+}} : memref<51200xi8>, %{{.+}} : memref<200xf32>, %{{.+}} : memref<76800xi8>, %{{.+}} : memref<300xf32>, %{{.+}} : memref<300xf32>, %{{.+}} : memref<60000xbf16>)
// CHECK-NOT:     gpu.launch_func
// CHECK:       gpu.func @w8a8_bf16_qlinear_int_int(%[[XQ:[a-z0-9_]+]]: memref<51200xi8>, %[[XS:[a-z0-9_]+]]: memref<200xf32>, %[[WQ:[a-z0-9_]+]]: memref<76800xi8>, %[[WS:[a-z0-9_]+]]: memref<300xf32>, %[[B:[a-z0-9_]+]]: memref<300xf32>, %[[Y:[a-z0-9_]+]]: memref<60000xbf16>)
// CHECK-SAME:      workgroup(%[[AS:[a-z0-9_]+]] : memref<10240xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[BS:[a-z0-9_]+]] : memref<10240xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK:           scf.for %{{.+}} = %c0 to %c4 step %c1 iter_args({{.*}}) -> (i32,
// CHECK:             nvgpu.device_async_copy %[[XQ]][%{{.+}}], %[[AS]][%{{.+}}], 16, %{{.+}} {bypassL1} : memref<51200xi8> to memref<10240xi8, #gpu.address_space<workgroup>>
// CHECK:             nvgpu.device_async_copy %[[WQ]][%{{.+}}], %[[BS]][%{{.+}}], 16, %{{.+}} {bypassL1} : memref<76800xi8> to memref<10240xi8, #gpu.address_space<workgroup>>
// CHECK:             nvgpu.device_async_wait
// CHECK:             gpu.barrier
// CHECK:             vector.load %[[AS]]{{.*}} {alignment = 4 : i64} : memref<10240xi8, #gpu.address_space<workgroup>>, vector<4xi8>
// CHECK-NEXT:        vector.bitcast %{{.+}} : vector<4xi8> to vector<1xi32>
// CHECK-COUNT-64:    nvvm.mma.sync {{.*}}intOverflowBehavior = #nvvm.mma_int_overflow<wrapped>{{.*}}multiplicandAPtxType = #nvvm.mma_type<s8>, multiplicandBPtxType = #nvvm.mma_type<s8>, shape = #nvvm.shape<m = 16, n = 8, k = 32>} : (i32, i32, i32) -> !llvm.struct<(i32, i32, i32, i32)>
// CHECK:             scf.yield
// CHECK:           scf.if
// CHECK:             %[[ACC:.+]] = arith.sitofp %{{.+}} : i32 to f32
// CHECK:             %[[SX:.+]] = memref.load %[[XS]]
// CHECK:             %[[T0:.+]] = arith.mulf %[[ACC]], %[[SX]]
// CHECK:             %[[SW:.+]] = memref.load %[[WS]]
// CHECK:             %[[T1:.+]] = arith.mulf %[[T0]], %[[SW]]
// CHECK:             %[[BV:.+]] = memref.load %[[B]]
// CHECK:             %[[T2:.+]] = arith.addf %[[T1]], %[[BV]]
// CHECK:             %[[T3:.+]] = arith.truncf %[[T2]] : f32 to bf16
// CHECK:             memref.store %[[T3]], %[[Y]]
func.func @w8a8_bf16(%xq: tensor<2x100x256xi8>, %xs: tensor<2x100x1xf32>, %wq: tensor<300x256xi8>, %ws: tensor<300x1xf32>, %b: tensor<300xf32>) -> tensor<2x100x300xbf16> {
  %x = rescale.dequantize %xq, %xs {scheme = #rescale.quant<int8, per_token>} : (tensor<2x100x256xi8>, tensor<2x100x1xf32>) -> tensor<2x100x256xbf16>
  %w = rescale.dequantize %wq, %ws {scheme = #rescale.quant<int8, per_channel>} : (tensor<300x256xi8>, tensor<300x1xf32>) -> tensor<300x256xbf16>
  %y = rescale.linear %x, %w, %b : (tensor<2x100x256xbf16>, tensor<300x256xbf16>, tensor<300xf32>) -> tensor<2x100x300xbf16>
  return %y : tensor<2x100x300xbf16>
}

// -----

// W4A4 with run-time weight codes: a kernel packs them two per byte (low
// nibble = even k, 100 bytes per row for K = 200), the GEMM stages the packed
// bytes (32 per 64-wide K tile) and unpacks four nibbles to sign-extended s8
// in one i32 right before the MMA: nibble i to byte i, then bit 3 of every
// byte copied up (& 0x08080808, * 0x1E, |).

// CHECK-LABEL: func.func @w4a4_runtime_weight
// CHECK:         gpu.launch_func @rescale_kernels::@w4a4_runtime_weight_pack_int4
// CHECK-SAME:      args(%{{.+}} : memref<26000xi8>, %[[PACKED:[a-z0-9_]+]] : memref<13000xi8>)
// CHECK:         gpu.launch_func @rescale_kernels::@w4a4_runtime_weight_qlinear_int_int
// CHECK-SAME:      %[[PACKED]] : memref<13000xi8>
// CHECK:       gpu.func @w4a4_runtime_weight_pack_int4
// CHECK:           arith.andi %{{.+}}, %c15_i32
// CHECK:           arith.shli %{{.+}}, %c4_i32
// CHECK:           memref.store %{{.+}} : memref<13000xi8>
// CHECK:       gpu.func @w4a4_runtime_weight_qlinear_int_int
// CHECK-SAME:      workgroup(%{{.+}} : memref<10240xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[BS:[a-z0-9_]+]] : memref<6144xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK:             %[[PAIR:.+]] = vector.load %[[BS]]{{.*}} {alignment = 2 : i64} : memref<6144xi8, #gpu.address_space<workgroup>>, vector<2xi8>
// CHECK:             %[[SIGN:.+]] = arith.andi %{{.+}}, %c134744072_i32
// CHECK:             %[[EXT:.+]] = arith.muli %[[SIGN]], %c30_i32
// CHECK:             %[[S8X4:.+]] = arith.ori %{{.+}}, %[[EXT]]
// CHECK:             nvvm.mma.sync A[{{.*}}]  B[%[[S8X4]], {{.*}}multiplicandAPtxType = #nvvm.mma_type<s8>
func.func @w4a4_runtime_weight(%xq: tensor<77x200xi8>, %xs: tensor<77x1xf32>, %wq: tensor<130x200xi8>, %ws: tensor<130x1xf32>) -> tensor<77x130xf16> {
  %x = rescale.dequantize %xq, %xs {scheme = #rescale.quant<int4, per_token>} : (tensor<77x200xi8>, tensor<77x1xf32>) -> tensor<77x200xf16>
  %w = rescale.dequantize %wq, %ws {scheme = #rescale.quant<int4, per_channel>} : (tensor<130x200xi8>, tensor<130x1xf32>) -> tensor<130x200xf16>
  %y = rescale.linear %x, %w : (tensor<77x200xf16>, tensor<130x200xf16>) -> tensor<77x130xf16>
  return %y : tensor<77x130xf16>
}

// -----

// W4A4 with constant weight codes: packed at compile time (-3 = 0xD in both
// nibbles = 0xDD = -35), no packing kernel.

// CHECK-LABEL: func.func @w4a4_constant_weight
// CHECK:         arith.constant dense<-35> : tensor<64x48xi8>
// CHECK-NOT:     pack_int4
// CHECK:         gpu.launch_func @rescale_kernels::@w4a4_constant_weight_qlinear_int_int
func.func @w4a4_constant_weight(%xq: tensor<33x96xi8>, %xs: tensor<33x1xf32>) -> tensor<33x64xbf16> {
  %wq = arith.constant dense<-3> : tensor<64x96xi8>
  %ws = arith.constant dense<0.25> : tensor<64x1xf32>
  %x = rescale.dequantize %xq, %xs {scheme = #rescale.quant<int4, per_token>} : (tensor<33x96xi8>, tensor<33x1xf32>) -> tensor<33x96xbf16>
  %w = rescale.dequantize %wq, %ws {scheme = #rescale.quant<int4, per_channel>} : (tensor<64x96xi8>, tensor<64x1xf32>) -> tensor<64x96xbf16>
  %y = rescale.linear %x, %w : (tensor<33x96xbf16>, tensor<64x96xbf16>) -> tensor<33x64xbf16>
  return %y : tensor<33x64xbf16>
}

// -----

// A splat int4 weight of GBs (issue 16, class 4) packs to a splat at compile
// time: nothing is expanded (65536 x 65536 codes).
// CHECK-LABEL: func.func @w4a4_huge_splat_weight
// CHECK:         arith.constant dense<-35> : tensor<65536x32768xi8>
// CHECK-NOT:     pack_int4
// CHECK:         gpu.launch_func @rescale_kernels::@w4a4_huge_splat_weight_qlinear_int_int
func.func @w4a4_huge_splat_weight(%xq: tensor<33x65536xi8>, %xs: tensor<33x1xf32>) -> tensor<33x65536xbf16> {
  %wq = arith.constant dense<-3> : tensor<65536x65536xi8>
  %ws = arith.constant dense<0.25> : tensor<65536x1xf32>
  %x = rescale.dequantize %xq, %xs {scheme = #rescale.quant<int4, per_token>} : (tensor<33x65536xi8>, tensor<33x1xf32>) -> tensor<33x65536xbf16>
  %w = rescale.dequantize %wq, %ws {scheme = #rescale.quant<int4, per_channel>} : (tensor<65536x65536xi8>, tensor<65536x1xf32>) -> tensor<65536x65536xbf16>
  %y = rescale.linear %x, %w : (tensor<33x65536xbf16>, tensor<65536x65536xbf16>) -> tensor<33x65536xbf16>
  return %y : tensor<33x65536xbf16>
}

// -----

// FP8: E4M3 codes staged as bytes and decoded in registers with integer bit
// operations (normal: exponent rebiased into f32 bits; subnormal: m·2^-9;
// the NaN code: NaN),
// exact in bf16, then bf16 m16n8k16; the per-token and per-channel f32
// scales go to the epilogue.

// CHECK-LABEL: func.func @fp8_per_channel
// CHECK:         gpu.launch_func @rescale_kernels::@fp8_per_channel_qlinear_fp8_fp8
// CHECK:       gpu.func @fp8_per_channel_qlinear_fp8_fp8(%{{.+}}: memref<19200xf8E4M3FN>, %[[XS:[a-z0-9_]+]]: memref<96xf32>, %{{.+}}: memref<25600xf8E4M3FN>, %[[WS:[a-z0-9_]+]]: memref<128xf32>, %{{.+}}: memref<12288xbf16>)
// CHECK-SAME:      workgroup(%[[AS:[a-z0-9_]+]] : memref<6144xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}
// CHECK:             %[[QNAN:.+]] = arith.constant 0x7FC00000 : f32
// K = 200: 8-byte loads (the widest dividing K).
// CHECK:             %[[V:.+]] = vector.load {{.*}} {alignment = 8 : i64} : memref<19200xf8E4M3FN>, vector<8xf8E4M3FN>
// CHECK:             vector.bitcast %[[V]] : vector<8xf8E4M3FN> to vector<8xi8>
// CHECK:             gpu.barrier
// CHECK:             vector.load %[[AS]]{{.*}} {alignment = 2 : i64} : memref<6144xi8, #gpu.address_space<workgroup>>, vector<2xi8>
// The NaN codes (S.1111.111) decode to NaN, as on the CPU path.
// CHECK:             %[[LOW7:.+]] = arith.andi %{{.+}}, %c127_i32 : i32
// CHECK:             %[[ISNAN:.+]] = arith.cmpi eq, %[[LOW7]], %c127_i32 : i32
// CHECK:             arith.shli %{{.+}}, %c20_i32
// CHECK:             arith.bitcast %{{.+}} : i32 to f32
// CHECK:             arith.select
// CHECK:             arith.select %[[ISNAN]], %[[QNAN]], %{{.+}} : f32
// CHECK:             arith.truncf %{{.+}} : f32 to bf16
// CHECK:             nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>{{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK:           memref.load %[[XS]]
// CHECK:           memref.load %[[WS]]
func.func @fp8_per_channel(%xq: tensor<96x200xf8E4M3FN>, %xs: tensor<96x1xf32>, %wq: tensor<128x200xf8E4M3FN>, %ws: tensor<128x1xf32>) -> tensor<96x128xbf16> {
  %x = rescale.dequantize %xq, %xs {scheme = #rescale.quant<fp8, per_token>} : (tensor<96x200xf8E4M3FN>, tensor<96x1xf32>) -> tensor<96x200xbf16>
  %w = rescale.dequantize %wq, %ws {scheme = #rescale.quant<fp8, per_channel>} : (tensor<128x200xf8E4M3FN>, tensor<128x1xf32>) -> tensor<128x200xbf16>
  %y = rescale.linear %x, %w : (tensor<96x200xbf16>, tensor<128x200xbf16>) -> tensor<96x128xbf16>
  return %y : tensor<96x128xbf16>
}

// -----

// FP8 weight-only with 128x128 weight scale blocks and a plain f16 x: f16
// tensor cores; x is staged as it is. Every 4th K tile starts a new scale
// block: the accumulators are rescaled by s[nb, kb-1] / s[nb, kb]; the
// epilogue multiplies by the last block's scale.

// CHECK-LABEL: func.func @fp8_block_weight_only
// CHECK:       gpu.func @fp8_block_weight_only_qlinear_f16_fp8(%{{.+}}: memref<29568xf16>, %{{.+}}: memref<98304xf8E4M3FN>, %[[WS:[a-z0-9_]+]]: memref<6xf32>, %{{.+}}: memref<19712xf16>)
// CHECK-SAME:      workgroup(%{{.+}} : memref<5120xf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.+}} : memref<6144xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK:           scf.for %[[KT:.+]] = %c0 to %c12 step %c1
// CHECK:             %[[R:.+]] = arith.remui %[[KT]], %c4
// CHECK:             %[[AT:.+]] = arith.cmpi eq, %[[R]], %c0
// CHECK:             %[[STARTS:.+]] = arith.andi %{{.+}}, %[[AT]]
// CHECK:             scf.if %[[STARTS]] -> (f32,
// CHECK:               %[[PREV:.+]] = memref.load %[[WS]]
// CHECK:               %[[CUR:.+]] = memref.load %[[WS]]
// CHECK:               %[[RATIO:.+]] = arith.divf %[[PREV]], %[[CUR]]
// CHECK-COUNT-128:     arith.mulf %{{.+}}, %[[RATIO]]
// CHECK:             nvvm.mma.sync {{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (vector<2xf16>, vector<2xf16>, f32)
// CHECK:           memref.load %[[WS]]
func.func @fp8_block_weight_only(%x: tensor<77x384xf16>, %wq: tensor<256x384xf8E4M3FN>, %ws: tensor<2x3xf32>) -> tensor<77x256xf16> {
  %w = rescale.dequantize %wq, %ws {scheme = #rescale.quant<fp8, per_block, block = [128, 128]>} : (tensor<256x384xf8E4M3FN>, tensor<2x3xf32>) -> tensor<256x384xf16>
  %y = rescale.linear %x, %w : (tensor<77x384xf16>, tensor<256x384xf16>) -> tensor<77x256xf16>
  return %y : tensor<77x256xf16>
}

// -----

// NVFP4: E2M1 codes (one byte each in memory, read through a byte pointer)
// times their E4M3 block scale, exact in bf16, before the bf16 MMA. Each K
// tile stages the 2 block scales of its 128 rows, decoded to f32, in shared
// memory; the f32 second-level scales go to the epilogue.

// CHECK-LABEL: func.func @nvfp4
// CHECK:       gpu.func @nvfp4_qlinear_nvfp4_nvfp4(%[[XQ:[a-z0-9_]+]]: memref<4096xf4E2M1FN>, %[[XS:[a-z0-9_]+]]: memref<256xf8E4M3FN>, %[[XG:[a-z0-9_]+]]: memref<64xf32>, %{{.+}}: memref<6144xf4E2M1FN>, %{{.+}}: memref<384xf8E4M3FN>, %[[WG:[a-z0-9_]+]]: memref<1xf32>, %{{.+}}: memref<6144xbf16>)
// CHECK-SAME:      workgroup(%[[AS:[a-z0-9_]+]] : memref<6144xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.+}} : memref<6144xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[ASC:[a-z0-9_]+]] : memref<256xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.+}} : memref<256xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK:         %[[P:.+]] = memref.extract_aligned_pointer_as_index %[[XQ]]
// CHECK:         %{{.+}}, %[[OFF:.+]], %{{.+}}, %{{.+}} = memref.extract_strided_metadata %[[XQ]]
// CHECK:         %[[PO:.+]] = arith.addi %[[P]], %[[OFF]]
// CHECK:         %[[PI:.+]] = arith.index_cast %[[PO]] : index to i64
// CHECK:         %[[PTR:.+]] = llvm.inttoptr %[[PI]] : i64 to !llvm.ptr<1>
// CHECK:           scf.for
// CHECK:             llvm.getelementptr %[[PTR]]
// CHECK:             llvm.load %{{.+}} {alignment = 16 : i64} : !llvm.ptr<1> -> vector<16xi8>
// CHECK:             memref.load %[[XS]]{{.*}} : memref<256xf8E4M3FN>
// CHECK:             memref.store %{{.+}}, %[[ASC]]
// CHECK:             gpu.barrier
// CHECK:             %[[S:.+]] = memref.load %[[ASC]]
// CHECK:             arith.mulf %{{.+}}, %[[S]] : f32
// CHECK:             nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>
// CHECK:           memref.load %[[XG]]
// CHECK:           memref.load %[[WG]][%c0]
func.func @nvfp4(%xq: tensor<64x64xf4E2M1FN>, %xs: tensor<64x4xf8E4M3FN>, %xg: tensor<64x1xf32>, %wq: tensor<96x64xf4E2M1FN>, %ws: tensor<96x4xf8E4M3FN>, %wg: tensor<1x1xf32>) -> tensor<64x96xbf16> {
  %x = rescale.dequantize %xq, %xs, %xg {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<64x1xf32>) -> tensor<64x64xbf16>
  %w = rescale.dequantize %wq, %ws, %wg {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<96x64xf4E2M1FN>, tensor<96x4xf8E4M3FN>, tensor<1x1xf32>) -> tensor<96x64xbf16>
  %y = rescale.linear %x, %w : (tensor<64x64xbf16>, tensor<96x64xbf16>) -> tensor<64x96xbf16>
  return %y : tensor<64x96xbf16>
}

// -----

// MXFP4 weight-only (plain bf16 x): E2M1 codes times the E8M0 block scale
// 2^(e-127) (code 0 is the f32 subnormal 2^-127 = 0x00400000); no epilogue
// factor.

// CHECK-LABEL: func.func @mxfp4_weight_only
// CHECK:       gpu.func @mxfp4_weight_only_qlinear_bf16_mxfp4
// CHECK-SAME:      workgroup(%{{.+}} : memref<5120xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.+}} : memref<6144xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[WSC:[a-z0-9_]+]] : memref<128xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK:             memref.load %{{.+}} : memref<288xf8E8M0FNU>
// CHECK:             arith.select %{{.+}}, %c4194304_i32, %{{.+}} : i32
// CHECK:             memref.store %{{.+}}, %[[WSC]]
// CHECK:             nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>
// CHECK:             scf.yield
// CHECK-NOT:       arith.mulf
// CHECK:           arith.truncf %{{.+}} : f32 to bf16
func.func @mxfp4_weight_only(%x: tensor<10x96xbf16>, %wq: tensor<96x96xf4E2M1FN>, %ws: tensor<96x3xf8E8M0FNU>) -> tensor<10x96xbf16> {
  %w = rescale.dequantize %wq, %ws {scheme = #rescale.quant<mxfp4>} : (tensor<96x96xf4E2M1FN>, tensor<96x3xf8E8M0FNU>) -> tensor<96x96xbf16>
  %y = rescale.linear %x, %w : (tensor<10x96xbf16>, tensor<96x96xbf16>) -> tensor<10x96xbf16>
  return %y : tensor<10x96xbf16>
}

// -----

// Negative: a plain f32 x is not read by the quantized kernel (its values
// are not exact in bf16): the dequantize is decomposed and LinearToGPU's FMA
// kernel takes the linear.

// CHECK-LABEL: func.func @f32_x_not_matched
// CHECK-NOT:     qlinear
// CHECK:         gpu.launch_func @rescale_kernels::@f32_x_not_matched_linear
// CHECK-NOT:     qlinear
func.func @f32_x_not_matched(%x: tensor<8x64xf32>, %wq: tensor<32x64xi8>, %ws: tensor<32x1xf32>) -> tensor<8x32xf32> {
  %w = rescale.dequantize %wq, %ws {scheme = #rescale.quant<int8, per_channel>} : (tensor<32x64xi8>, tensor<32x1xf32>) -> tensor<32x64xf32>
  %y = rescale.linear %x, %w : (tensor<8x64xf32>, tensor<32x64xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// Negative: fp8 weight blocks of 64 rows would need two scales per CTA tile
// of 128 weight rows: not taken; the weight is dequantized by the reference
// decomposition and the plain bf16 tensor-core kernel multiplies.

// CHECK-LABEL: func.func @fp8_block_64_not_matched
// CHECK-NOT:     qlinear
// CHECK:         gpu.launch_func @rescale_kernels::@fp8_block_64_not_matched_linear_mma
// CHECK-NOT:     qlinear
func.func @fp8_block_64_not_matched(%x: tensor<8x128xbf16>, %wq: tensor<128x128xf8E4M3FN>, %ws: tensor<2x2xf32>) -> tensor<8x128xbf16> {
  %w = rescale.dequantize %wq, %ws {scheme = #rescale.quant<fp8, per_block, block = [64, 64]>} : (tensor<128x128xf8E4M3FN>, tensor<2x2xf32>) -> tensor<128x128xbf16>
  %y = rescale.linear %x, %w : (tensor<8x128xbf16>, tensor<128x128xbf16>) -> tensor<8x128xbf16>
  return %y : tensor<8x128xbf16>
}

// -----

// Negative: a weight that is not a dequantize result is LinearToGPU's.

// CHECK-LABEL: func.func @plain_weight_not_matched
// CHECK:         gpu.launch_func @rescale_kernels::@plain_weight_not_matched_linear_mma
// CHECK-NOT:     qlinear
func.func @plain_weight_not_matched(%x: tensor<8x64xbf16>, %w: tensor<32x64xbf16>) -> tensor<8x32xbf16> {
  %y = rescale.linear %x, %w : (tensor<8x64xbf16>, tensor<32x64xbf16>) -> tensor<8x32xbf16>
  return %y : tensor<8x32xbf16>
}

// -----

// A fake-quantized activation (what --rescale-insert-quantization builds) is
// fed to the GEMM as codes: fake_quant becomes quantize + dequantize under
// its scheme, the quantize runs as the reference decomposition's generic
// kernels (the per-token maximum first), and W8A8 runs on the s8 MMA.

// CHECK-LABEL: func.func @fake_quant_activation_w8a8
// CHECK-NOT:     rescale.fake_quant
// CHECK:         gpu.launch_func @rescale_kernels::@fake_quant_activation_w8a8_reduction
// CHECK:         gpu.launch_func @rescale_kernels::@fake_quant_activation_w8a8_qlinear_int_int
// CHECK:       gpu.func @fake_quant_activation_w8a8_qlinear_int_int(%{{.+}}: memref<2560xi8>, %{{.+}}: memref<40xf32>, %{{.+}}: memref<16384xi8>, %{{.+}}: memref<256xf32>
// CHECK:         nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<s8>{{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 32>
func.func @fake_quant_activation_w8a8(%x: tensor<40x64xbf16>, %wq: tensor<256x64xi8>, %ws: tensor<256x1xf32>) -> tensor<40x256xbf16> {
  %xf = rescale.fake_quant %x {scheme = #rescale.quant<int8, per_token>} : (tensor<40x64xbf16>) -> tensor<40x64xbf16>
  %w = rescale.dequantize %wq, %ws {scheme = #rescale.quant<int8, per_channel>} : (tensor<256x64xi8>, tensor<256x1xf32>) -> tensor<256x64xbf16>
  %y = rescale.linear %xf, %w : (tensor<40x64xbf16>, tensor<256x64xbf16>) -> tensor<40x256xbf16>
  return %y : tensor<40x256xbf16>
}

// -----

// Negative: with a weight scheme the GEMM does not read (fp8 blocks of 64
// rows) the fake-quantized activation stays float and the plain bf16
// tensor-core linear multiplies.

// CHECK-LABEL: func.func @fake_quant_activation_kept
// CHECK-NOT:     qlinear
// CHECK:         gpu.launch_func @rescale_kernels::@fake_quant_activation_kept_linear_mma
func.func @fake_quant_activation_kept(%x: tensor<8x128xbf16>, %wq: tensor<128x128xf8E4M3FN>, %ws: tensor<2x2xf32>) -> tensor<8x128xbf16> {
  %xf = rescale.fake_quant %x {scheme = #rescale.quant<fp8, per_token>} : (tensor<8x128xbf16>) -> tensor<8x128xbf16>
  %w = rescale.dequantize %wq, %ws {scheme = #rescale.quant<fp8, per_block, block = [64, 64]>} : (tensor<128x128xf8E4M3FN>, tensor<2x2xf32>) -> tensor<128x128xbf16>
  %y = rescale.linear %xf, %w : (tensor<8x128xbf16>, tensor<128x128xbf16>) -> tensor<8x128xbf16>
  return %y : tensor<8x128xbf16>
}
