//===- MgpuAbi.h - The mgpu* functions MLIR's gpu-to-llvm calls -*- C++ -*-===//
//
// Exactly the host-side functions that MLIR 22's `gpu-to-llvm` lowering and
// the `gpu.binary`/`gpu.launch_func` LLVM translation emit calls to (read off
// the LLVM IR of compiled modules; see docs/runtime.md for the derivation and
// the IR types). A compiled cuda module's .so leaves them undefined and
// records librescale_runtime.so as DT_NEEDED, so they resolve to these
// definitions without the runtime being loaded RTLD_GLOBAL.
//
// The signatures are fixed by MLIR and return no error, so a failing call
// records the first error (read it with takeLastCudaError() from Cuda.h;
// Module::run does) and every later mgpu* call is a no-op that returns null
// until the error is taken, so nothing runs on a half-initialized state.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_RUNTIME_MGPUABI_H
#define RESCALE_RUNTIME_MGPUABI_H

#include "rescale/runtime/Export.h"

#include <cstddef>
#include <cstdint>

#define RESCALE_MGPU_EXPORT extern "C" RESCALE_RUNTIME_API

// Module and kernel handles (gpu.binary global constructors/destructors).
/// A cubin or fatbin image of `size` bytes
/// (gpu-module-to-binary{format=bin|fatbin}).
RESCALE_MGPU_EXPORT void *mgpuModuleLoad(void *data, size_t size);
/// A NUL-terminated PTX image, JIT-compiled at `optLevel` (format=isa).
RESCALE_MGPU_EXPORT void *mgpuModuleLoadJIT(void *data, int optLevel);
RESCALE_MGPU_EXPORT void mgpuModuleUnload(void *module);
RESCALE_MGPU_EXPORT void *mgpuModuleGetFunction(void *module, const char *name);

// Launches (gpu.launch_func). Sets the dynamic-shared-memory attribute when
// smem > 48 KiB.
RESCALE_MGPU_EXPORT void mgpuLaunchKernel(void *function, intptr_t gridX,
                                          intptr_t gridY, intptr_t gridZ,
                                          intptr_t blockX, intptr_t blockY,
                                          intptr_t blockZ, int32_t smem,
                                          void *stream, void **params,
                                          void **extra, size_t paramsCount);
RESCALE_MGPU_EXPORT void
mgpuLaunchClusterKernel(void *function, intptr_t clusterX, intptr_t clusterY,
                        intptr_t clusterZ, intptr_t gridX, intptr_t gridY,
                        intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                        intptr_t blockZ, int32_t smem, void *stream,
                        void **params, void **extra);

// Streams and events (gpu.wait, async tokens).
RESCALE_MGPU_EXPORT void *mgpuStreamCreate();
RESCALE_MGPU_EXPORT void mgpuStreamDestroy(void *stream);
RESCALE_MGPU_EXPORT void mgpuStreamSynchronize(void *stream);
RESCALE_MGPU_EXPORT void mgpuStreamWaitEvent(void *stream, void *event);
RESCALE_MGPU_EXPORT void *mgpuEventCreate();
RESCALE_MGPU_EXPORT void mgpuEventDestroy(void *event);
RESCALE_MGPU_EXPORT void mgpuEventSynchronize(void *event);
RESCALE_MGPU_EXPORT void mgpuEventRecord(void *event, void *stream);

// Memory (gpu.alloc, gpu.dealloc, gpu.memcpy, gpu.memset).
RESCALE_MGPU_EXPORT void *mgpuMemAlloc(uint64_t sizeBytes, void *stream,
                                       bool isHostShared);
RESCALE_MGPU_EXPORT void mgpuMemFree(void *ptr, void *stream);
RESCALE_MGPU_EXPORT void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                                    void *stream);
RESCALE_MGPU_EXPORT void mgpuMemset16(void *dst, unsigned short value,
                                      size_t count, void *stream);
RESCALE_MGPU_EXPORT void mgpuMemset32(void *dst, unsigned int value,
                                      size_t count, void *stream);

// Host registration (gpu.host_register / gpu.host_unregister).
RESCALE_MGPU_EXPORT void mgpuMemHostRegister(void *ptr, uint64_t sizeBytes);
RESCALE_MGPU_EXPORT void mgpuMemHostRegisterMemRef(int64_t rank,
                                                   void *descriptor,
                                                   int64_t elementSizeBytes);
RESCALE_MGPU_EXPORT void mgpuMemHostUnregister(void *ptr);
RESCALE_MGPU_EXPORT void mgpuMemHostUnregisterMemRef(int64_t rank,
                                                     void *descriptor,
                                                     int64_t elementSizeBytes);

// gpu.set_default_device.
RESCALE_MGPU_EXPORT void mgpuSetDefaultDevice(int32_t device);

// TMA (nvgpu.tma.create.descriptor): encodes a CUtensorMap for the memref
// and returns a *device* pointer to a copy of it, which kernels take as the
// tensor-map argument. The enum arguments are CUDA's CUtensorMap* values.
RESCALE_MGPU_EXPORT void *
mgpuTensorMapEncodeTiledMemref(int64_t tensorRank, void *rankedDescriptor,
                               int64_t tensorDataType, int64_t interleave,
                               int64_t swizzle, int64_t l2Promotion,
                               int64_t oobFill, int64_t *inputBoxDims);

#endif // RESCALE_RUNTIME_MGPUABI_H
