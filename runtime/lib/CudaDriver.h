//===- CudaDriver.h - The CUDA driver API, loaded with dlopen ---*- C++ -*-===//
//
// Internal. The runtime must build without the CUDA toolkit, so the few driver
// types and enum values it uses are declared here (values from cuda.h, which
// keeps them ABI-stable), and every entry point is looked up with dlsym under
// its versioned export name (cuMemAlloc is exported as cuMemAlloc_v2, ...).
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_RUNTIME_LIB_CUDADRIVER_H
#define RESCALE_RUNTIME_LIB_CUDADRIVER_H

#include "rescale/runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace rescale::runtime::cuda {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = uint64_t;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;

// NOLINTBEGIN(readability-identifier-naming): cuda.h's names (see the top)
constexpr CUresult CUDA_SUCCESS = 0;
constexpr CUresult CUDA_ERROR_INVALID_VALUE = 1;
constexpr CUresult CUDA_ERROR_NO_DEVICE = 100;

constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr int CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
constexpr int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
constexpr unsigned CU_STREAM_NON_BLOCKING = 0x1;
constexpr unsigned CU_EVENT_DISABLE_TIMING = 0x2;
constexpr unsigned CU_MEM_ATTACH_GLOBAL = 0x1;
constexpr int CU_JIT_INFO_LOG_BUFFER = 3;
constexpr int CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4;
constexpr int CU_JIT_ERROR_LOG_BUFFER = 5;
constexpr int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
constexpr int CU_JIT_OPTIMIZATION_LEVEL = 7;
constexpr int CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION = 4;
constexpr int CU_LAUNCH_ATTRIBUTE_CLUSTER_SCHEDULING_POLICY_PREFERENCE = 5;
constexpr int CU_CLUSTER_SCHEDULING_POLICY_SPREAD = 1;
// NOLINTEND(readability-identifier-naming)

/// Dynamic shared memory a kernel may use without opting in.
constexpr int64_t kDefaultMaxDynamicSharedBytes = 48 * 1024;

struct CUlaunchAttribute {
  int id;
  char pad[4];
  union {
    char raw[64];
    struct {
      unsigned x, y, z;
    } clusterDim;
    int clusterSchedulingPolicyPreference;
  } value;
};
static_assert(sizeof(CUlaunchAttribute) == 72, "matches cuda.h");

struct CUlaunchConfig {
  unsigned gridDimX, gridDimY, gridDimZ;
  unsigned blockDimX, blockDimY, blockDimZ;
  unsigned sharedMemBytes;
  CUstream hStream;
  CUlaunchAttribute *attrs;
  unsigned numAttrs;
};

struct alignas(64) CUtensorMap {
  uint64_t opaque[16];
};

/// X(field, exported symbol, return, params...). Every function returns
/// CUresult.
#define RESCALE_CUDA_DRIVER_FUNCTIONS(X)                                       \
  X(cuGetErrorName, "cuGetErrorName", CUresult, const char **)                 \
  X(cuGetErrorString, "cuGetErrorString", CUresult, const char **)             \
  X(cuInit, "cuInit", unsigned)                                                \
  X(cuDeviceGetCount, "cuDeviceGetCount", int *)                               \
  X(cuDeviceGet, "cuDeviceGet", CUdevice *, int)                               \
  X(cuDeviceGetName, "cuDeviceGetName", char *, int, CUdevice)                 \
  X(cuDeviceGetAttribute, "cuDeviceGetAttribute", int *, int, CUdevice)        \
  X(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain", CUcontext *,         \
    CUdevice)                                                                  \
  X(cuCtxSetCurrent, "cuCtxSetCurrent", CUcontext)                             \
  X(cuCtxSynchronize, "cuCtxSynchronize")                                      \
  X(cuModuleLoadData, "cuModuleLoadData", CUmodule *, const void *)            \
  X(cuModuleLoadDataEx, "cuModuleLoadDataEx", CUmodule *, const void *,        \
    unsigned, int *, void **)                                                  \
  X(cuModuleUnload, "cuModuleUnload", CUmodule)                                \
  X(cuModuleGetFunction, "cuModuleGetFunction", CUfunction *, CUmodule,        \
    const char *)                                                              \
  X(cuFuncSetAttribute, "cuFuncSetAttribute", CUfunction, int, int)            \
  X(cuLaunchKernel, "cuLaunchKernel", CUfunction, unsigned, unsigned,          \
    unsigned, unsigned, unsigned, unsigned, unsigned, CUstream, void **,       \
    void **)                                                                   \
  X(cuLaunchKernelEx, "cuLaunchKernelEx", const CUlaunchConfig *, CUfunction,  \
    void **, void **)                                                          \
  X(cuStreamCreate, "cuStreamCreate", CUstream *, unsigned)                    \
  X(cuStreamDestroy, "cuStreamDestroy_v2", CUstream)                           \
  X(cuStreamSynchronize, "cuStreamSynchronize", CUstream)                      \
  X(cuStreamWaitEvent, "cuStreamWaitEvent", CUstream, CUevent, unsigned)       \
  X(cuEventCreate, "cuEventCreate", CUevent *, unsigned)                       \
  X(cuEventDestroy, "cuEventDestroy_v2", CUevent)                              \
  X(cuEventRecord, "cuEventRecord", CUevent, CUstream)                         \
  X(cuEventSynchronize, "cuEventSynchronize", CUevent)                         \
  X(cuMemAlloc, "cuMemAlloc_v2", CUdeviceptr *, size_t)                        \
  X(cuMemAllocManaged, "cuMemAllocManaged", CUdeviceptr *, size_t, unsigned)   \
  X(cuMemFree, "cuMemFree_v2", CUdeviceptr)                                    \
  X(cuMemcpy, "cuMemcpy", CUdeviceptr, CUdeviceptr, size_t)                    \
  X(cuMemcpyAsync, "cuMemcpyAsync", CUdeviceptr, CUdeviceptr, size_t,          \
    CUstream)                                                                  \
  X(cuMemcpyHtoD, "cuMemcpyHtoD_v2", CUdeviceptr, const void *, size_t)        \
  X(cuMemcpyDtoH, "cuMemcpyDtoH_v2", void *, CUdeviceptr, size_t)              \
  X(cuMemsetD16Async, "cuMemsetD16Async", CUdeviceptr, unsigned short, size_t, \
    CUstream)                                                                  \
  X(cuMemsetD32Async, "cuMemsetD32Async", CUdeviceptr, unsigned, size_t,       \
    CUstream)                                                                  \
  X(cuMemHostRegister, "cuMemHostRegister_v2", void *, size_t, unsigned)       \
  X(cuMemHostUnregister, "cuMemHostUnregister", void *)                        \
  X(cuTensorMapEncodeTiled, "cuTensorMapEncodeTiled", CUtensorMap *, int,      \
    unsigned, void *, const uint64_t *, const uint64_t *, const unsigned *,    \
    const unsigned *, int, int, int, int)

/// The loaded driver: one function pointer per entry point.
struct Driver {
#define RESCALE_DECLARE_FIELD(name, symbol, ...)                               \
  CUresult (*name)(__VA_ARGS__) = nullptr;
  RESCALE_CUDA_DRIVER_FUNCTIONS(RESCALE_DECLARE_FIELD)
#undef RESCALE_DECLARE_FIELD
  void *handle = nullptr;
  std::string path;
};

/// The driver with a current context for the default device on this thread,
/// or the "no CUDA driver or device found (...)" error. Loads and initializes
/// at first use.
Expected<Driver *> getDriver();

/// The driver library path that getDriver() uses: $RESCALE_CUDA_DRIVER or
/// "libcuda.so.1".
std::string driverLibraryPath();

/// "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)".
Status checkResult(const Driver &driver, CUresult result, const char *call,
                   const std::string &context = std::string());

/// The device ordinal mgpuSetDefaultDevice selected (0 by default).
int defaultDevice();
void setDefaultDevice(int ordinal);

/// Record the first error of an mgpu* call (sticky until taken).
void recordError(const Status &status);
bool hasPendingError();
/// The recorded error (empty if none), cleared.
std::string takePendingError();

/// Synchronize after each launch when RESCALE_SYNC_LAUNCHES=1.
bool syncLaunchesEnabled();

/// Forget the loaded driver (tests switch fakes between cases).
void resetDriver();

} // namespace rescale::runtime::cuda

#define RESCALE_CU_CALL(driver, name, ...)                                     \
  ::rescale::runtime::cuda::checkResult((driver), (driver).name(__VA_ARGS__),  \
                                        #name)

#endif // RESCALE_RUNTIME_LIB_CUDADRIVER_H
