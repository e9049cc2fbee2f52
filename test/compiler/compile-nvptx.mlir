// rescale-compile --target=nvptx: a host shared object with the kernels
// embedded (a cubin where ptxas exists, PTX otherwise), the packed entry
// points, and a manifest for a CUDA module. Its host code calls only mgpu*
// functions the runtime defines.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: rescale-compile %s --target=nvptx --chip=sm_80 -o %t/block.so
// RUN: FileCheck %s --check-prefix=MANIFEST < %t/block.manifest.json
// RUN: python3 %S/Inputs/check_mgpu_abi.py %t/block.so %rescale_lib/librescale_runtime.so | FileCheck %s --check-prefix=ABI
// RUN: nm -D --defined-only %t/block.so | FileCheck %s --check-prefix=ENTRY
// RUN: rescale-compile %s --target=nvptx --chip=sm_90 --emit=ptx -o %t/block.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t/block.ptx
// The bundled example (rescale ops, SwiGLU glue, transposes) compiles whole:
// RUN: rescale-compile %rescale_src/examples/decoder_block.mlir --target=nvptx --chip=sm_90 -o %t/decoder.so
// RUN: FileCheck %s --check-prefix=DECODER < %t/decoder.manifest.json
// RUN: not rescale-compile %s --target=nvptx --chip=gfx90a -o %t/bad.so 2>&1 | FileCheck %s --check-prefix=BADCHIP

// MANIFEST: "target":"cuda","chip":"sm_80","arg_memory":"device"
// MANIFEST-SAME: "name":"block","symbol":"_rescale_entry_block"
// MANIFEST-SAME: "inputs":[{"dtype":"bf16","shape":[64,512]},{"dtype":"bf16","shape":[64,512]},{"dtype":"bf16","shape":[512]}]
// MANIFEST-SAME: "outputs":[{"dtype":"bf16","shape":[64,512]},{"dtype":"bf16","shape":[64,512]}]

// ABI-NOT: MISSING
// ABI-DAG: defined mgpuLaunchKernel
// ABI-DAG: defined mgpuStreamCreate
// ABI-DAG: defined mgpuStreamSynchronize
// ABI-DAG: defined mgpuModuleGetFunction

// ENTRY: T _rescale_entry_block

// PTX: .target sm_90
// PTX: .entry block_add_rms_norm(

// DECODER: "target":"cuda","chip":"sm_90"

// BADCHIP: error: --target=nvptx: unknown NVPTX chip 'gfx90a' (known: sm_75 sm_80 {{.*}} sm_90 sm_90a sm_100

func.func @block(%x: tensor<64x512xbf16>, %r: tensor<64x512xbf16>, %w: tensor<512xbf16>) -> (tensor<64x512xbf16>, tensor<64x512xbf16>) {
  %s, %y = rescale.add_rms_norm %x, %r, %w {epsilon = 1.0e-06 : f32} : (tensor<64x512xbf16>, tensor<64x512xbf16>, tensor<512xbf16>) -> (tensor<64x512xbf16>, tensor<64x512xbf16>)
  return %s, %y : tensor<64x512xbf16>, tensor<64x512xbf16>
}
