//===- MgpuAbi.cpp - The mgpu* functions over the CUDA driver API --------===//
//
// Our implementation of the host ABI that MLIR 22's gpu-to-llvm lowering
// targets (the list and the IR signatures are in MgpuAbi.h and
// docs/runtime.md). Every driver call is checked; the first failure is
// recorded with the call's name, the CUDA error name and string, and for
// launches the kernel name and its grid/block/cluster/shared-memory
// configuration.
//
//===----------------------------------------------------------------------===//
#include "rescale/runtime/MgpuAbi.h"

#include "CudaDriver.h"
#include "rescale/runtime/Cuda.h"

#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <string>

using namespace rescale::runtime;
using namespace rescale::runtime::cuda;

/// Run `body` with the driver unless an earlier error is pending; record its
/// failure. Returns whether it ran and succeeded.
template <typename Body> static bool withDriver(Body body) {
  if (hasPendingError())
    return false;
  Expected<Driver *> d = getDriver();
  if (!d) {
    recordError(d.status());
    return false;
  }
  Status s = body(**d);
  recordError(s);
  return s.isOk();
}

namespace {

/// Kernel names by function handle, for launch error messages.
struct KernelNames {
  std::mutex mutex;
  std::map<CUfunction, std::string> names;
  std::set<void *> managed; // host-shared (managed) allocations

  static KernelNames &get() {
    static KernelNames *k = new KernelNames();
    return *k;
  }
  std::string nameOf(CUfunction f) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = names.find(f);
    return it == names.end() ? "<unknown kernel>" : it->second;
  }
};

struct Dim3 {
  intptr_t x, y, z;
  std::string str() const {
    return std::to_string(x) + "x" + std::to_string(y) + "x" +
           std::to_string(z);
  }
  bool fitsUnsigned() const {
    auto ok = [](intptr_t v) {
      return v >= 1 && uint64_t(v) <= std::numeric_limits<unsigned>::max();
    };
    return ok(x) && ok(y) && ok(z);
  }
};

/// Everything a launch error message names.
struct LaunchConfig {
  CUfunction function;
  Dim3 grid, block;
  int32_t smem;
  const Dim3 *cluster; // null for plain launches

  std::string describe() const {
    std::string s = "kernel '" + KernelNames::get().nameOf(function) +
                    "' (grid " + grid.str() + ", block " + block.str();
    if (cluster)
      s += ", cluster " + cluster->str();
    return s + ", dynamic shared memory " + std::to_string(smem) + " bytes)";
  }
};

} // namespace

/// Checks shared by both launch paths: dimensions, and the opt-in to more
/// than 48 KiB of dynamic shared memory, which the driver requires before a
/// launch that asks for it (CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES).
static Status prepareLaunch(Driver &d, const LaunchConfig &c) {
  if (!c.function)
    return Status::error("launch of " + c.describe() +
                         ": null function (module load failed?)");
  if (!c.grid.fitsUnsigned() || !c.block.fitsUnsigned() ||
      (c.cluster && !c.cluster->fitsUnsigned()))
    return Status::error("launch of " + c.describe() +
                         ": dimensions must be in [1, 2^32)");
  if (c.smem < 0)
    return Status::error("launch of " + c.describe() +
                         ": negative dynamic shared memory size");
  if (c.smem <= kDefaultMaxDynamicSharedBytes)
    return Status::ok();
  CUdevice device = 0;
  RESCALE_RETURN_IF_ERROR(
      checkResult(d, d.cuDeviceGet(&device, defaultDevice()), "cuDeviceGet"));
  int optin = 0;
  RESCALE_RETURN_IF_ERROR(checkResult(
      d,
      d.cuDeviceGetAttribute(
          &optin, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
          device),
      "cuDeviceGetAttribute", "MAX_SHARED_MEMORY_PER_BLOCK_OPTIN"));
  if (c.smem > optin)
    return Status::error("launch of " + c.describe() + ": the device allows " +
                         std::to_string(optin) +
                         " bytes of dynamic shared memory per block");
  return checkResult(
      d,
      d.cuFuncSetAttribute(
          c.function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, c.smem),
      "cuFuncSetAttribute", "MAX_DYNAMIC_SHARED_SIZE_BYTES of " + c.describe());
}

/// RESCALE_SYNC_LAUNCHES=1: wait for the kernel so that a fault is reported
/// at the launch that caused it.
static Status finishLaunch(Driver &d, const LaunchConfig &c, CUstream stream) {
  if (!syncLaunchesEnabled())
    return Status::ok();
  return checkResult(d, d.cuStreamSynchronize(stream), "cuStreamSynchronize",
                     "RESCALE_SYNC_LAUNCHES after " + c.describe());
}

/// Address of a memref descriptor's first element:
/// {allocated, aligned, offset, sizes[rank], strides[rank]}.
static char *memrefData(void *descriptor, int64_t elementSizeBytes) {
  auto *words = static_cast<int64_t *>(descriptor);
  char *aligned = reinterpret_cast<char *>(words[1]);
  return aligned + words[2] * elementSizeBytes;
}
static const int64_t *memrefSizes(void *descriptor) {
  return static_cast<int64_t *>(descriptor) + 3;
}

/// Bytes spanned by a contiguous memref, or an error for a strided one.
static Expected<uint64_t> denseMemrefBytes(int64_t rank, void *descriptor,
                                           int64_t elementSizeBytes) {
  const int64_t *sizes = memrefSizes(descriptor);
  const int64_t *strides = sizes + rank;
  int64_t expected = 1;
  for (int64_t i = rank - 1; i >= 0; --i) {
    if (sizes[i] != 1 && strides[i] != expected)
      return Status::error("host registration needs a contiguous memref "
                           "(dimension " +
                           std::to_string(i) + " has stride " +
                           std::to_string(strides[i]) + ", expected " +
                           std::to_string(expected) + ")");
    expected *= sizes[i];
  }
  return uint64_t(expected) * uint64_t(elementSizeBytes);
}

//===----------------------------------------------------------------------===//
// Modules and functions
//===----------------------------------------------------------------------===//

RESCALE_MGPU_EXPORT void *mgpuModuleLoad(void *data, size_t size) {
  CUmodule module = nullptr;
  bool ok = withDriver([&](Driver &d) {
    return checkResult(d, d.cuModuleLoadData(&module, data), "cuModuleLoadData",
                       "a " + std::to_string(size) + "-byte kernel image");
  });
  return ok ? module : nullptr;
}

RESCALE_MGPU_EXPORT void *mgpuModuleLoadJIT(void *data, int optLevel) {
  CUmodule module = nullptr;
  bool ok = withDriver([&](Driver &d) {
    char errorLog[8192] = {0};
    int options[] = {CU_JIT_ERROR_LOG_BUFFER,
                     CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                     CU_JIT_OPTIMIZATION_LEVEL};
    void *values[] = {errorLog,
                      reinterpret_cast<void *>(uintptr_t(sizeof(errorLog) - 1)),
                      reinterpret_cast<void *>(uintptr_t(optLevel))};
    Status s = checkResult(
        d, d.cuModuleLoadDataEx(&module, data, 3, options, values),
        "cuModuleLoadDataEx", "PTX JIT at -O" + std::to_string(optLevel));
    if (!s && errorLog[0]) {
      std::string log(errorLog);
      for (char &c : log)
        if (c == '\n')
          c = ' ';
      return Status::error(s.message() + "; JIT log: " + log);
    }
    return s;
  });
  return ok ? module : nullptr;
}

RESCALE_MGPU_EXPORT void mgpuModuleUnload(void *module) {
  if (!module)
    return;
  withDriver([&](Driver &d) {
    return checkResult(d, d.cuModuleUnload(static_cast<CUmodule>(module)),
                       "cuModuleUnload");
  });
}

RESCALE_MGPU_EXPORT void *mgpuModuleGetFunction(void *module,
                                                const char *name) {
  CUfunction function = nullptr;
  bool ok = withDriver([&](Driver &d) {
    if (!module)
      return Status::error(std::string("cannot look up kernel '") + name +
                           "': its module was not loaded");
    Status s = checkResult(
        d,
        d.cuModuleGetFunction(&function, static_cast<CUmodule>(module), name),
        "cuModuleGetFunction", std::string("kernel '") + name + "'");
    if (s) {
      KernelNames &k = KernelNames::get();
      std::lock_guard<std::mutex> lock(k.mutex);
      k.names[function] = name;
    }
    return s;
  });
  return ok ? function : nullptr;
}

//===----------------------------------------------------------------------===//
// Launches
//===----------------------------------------------------------------------===//

RESCALE_MGPU_EXPORT void
mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                 intptr_t blockX, intptr_t blockY, intptr_t blockZ,
                 int32_t smem, void *stream, void **params, void **extra,
                 size_t /*paramsCount*/) {
  withDriver([&](Driver &d) {
    LaunchConfig c{static_cast<CUfunction>(function),
                   {gridX, gridY, gridZ},
                   {blockX, blockY, blockZ},
                   smem,
                   nullptr};
    RESCALE_RETURN_IF_ERROR(prepareLaunch(d, c));
    auto *s = static_cast<CUstream>(stream);
    RESCALE_RETURN_IF_ERROR(checkResult(
        d,
        d.cuLaunchKernel(c.function, unsigned(gridX), unsigned(gridY),
                         unsigned(gridZ), unsigned(blockX), unsigned(blockY),
                         unsigned(blockZ), unsigned(smem), s, params, extra),
        "cuLaunchKernel", c.describe()));
    return finishLaunch(d, c, s);
  });
}

RESCALE_MGPU_EXPORT void
mgpuLaunchClusterKernel(void *function, intptr_t clusterX, intptr_t clusterY,
                        intptr_t clusterZ, intptr_t gridX, intptr_t gridY,
                        intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                        intptr_t blockZ, int32_t smem, void *stream,
                        void **params, void **extra) {
  withDriver([&](Driver &d) {
    Dim3 cluster{clusterX, clusterY, clusterZ};
    LaunchConfig c{static_cast<CUfunction>(function),
                   {gridX, gridY, gridZ},
                   {blockX, blockY, blockZ},
                   smem,
                   &cluster};
    RESCALE_RETURN_IF_ERROR(prepareLaunch(d, c));
    if (!d.cuLaunchKernelEx)
      return Status::error("cluster launch of " + c.describe() +
                           ": the driver lacks cuLaunchKernelEx (CUDA 12+)");
    CUlaunchAttribute attrs[2] = {};
    attrs[0].id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
    attrs[0].value.clusterDim.x = unsigned(clusterX);
    attrs[0].value.clusterDim.y = unsigned(clusterY);
    attrs[0].value.clusterDim.z = unsigned(clusterZ);
    attrs[1].id = CU_LAUNCH_ATTRIBUTE_CLUSTER_SCHEDULING_POLICY_PREFERENCE;
    attrs[1].value.clusterSchedulingPolicyPreference =
        CU_CLUSTER_SCHEDULING_POLICY_SPREAD;
    CUlaunchConfig config = {};
    config.gridDimX = unsigned(gridX);
    config.gridDimY = unsigned(gridY);
    config.gridDimZ = unsigned(gridZ);
    config.blockDimX = unsigned(blockX);
    config.blockDimY = unsigned(blockY);
    config.blockDimZ = unsigned(blockZ);
    config.sharedMemBytes = unsigned(smem);
    config.hStream = static_cast<CUstream>(stream);
    config.attrs = attrs;
    config.numAttrs = 2;
    RESCALE_RETURN_IF_ERROR(
        checkResult(d, d.cuLaunchKernelEx(&config, c.function, params, extra),
                    "cuLaunchKernelEx", c.describe()));
    return finishLaunch(d, c, config.hStream);
  });
}

//===----------------------------------------------------------------------===//
// Streams and events
//===----------------------------------------------------------------------===//

RESCALE_MGPU_EXPORT void *mgpuStreamCreate() {
  CUstream stream = nullptr;
  bool ok = withDriver([&](Driver &d) {
    return checkResult(d, d.cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING),
                       "cuStreamCreate");
  });
  return ok ? stream : nullptr;
}

RESCALE_MGPU_EXPORT void mgpuStreamDestroy(void *stream) {
  withDriver([&](Driver &d) {
    return checkResult(d, d.cuStreamDestroy(static_cast<CUstream>(stream)),
                       "cuStreamDestroy");
  });
}

RESCALE_MGPU_EXPORT void mgpuStreamSynchronize(void *stream) {
  withDriver([&](Driver &d) {
    return checkResult(d, d.cuStreamSynchronize(static_cast<CUstream>(stream)),
                       "cuStreamSynchronize");
  });
}

RESCALE_MGPU_EXPORT void mgpuStreamWaitEvent(void *stream, void *event) {
  withDriver([&](Driver &d) {
    return checkResult(d,
                       d.cuStreamWaitEvent(static_cast<CUstream>(stream),
                                           static_cast<CUevent>(event), 0),
                       "cuStreamWaitEvent");
  });
}

RESCALE_MGPU_EXPORT void *mgpuEventCreate() {
  CUevent event = nullptr;
  bool ok = withDriver([&](Driver &d) {
    return checkResult(d, d.cuEventCreate(&event, CU_EVENT_DISABLE_TIMING),
                       "cuEventCreate");
  });
  return ok ? event : nullptr;
}

RESCALE_MGPU_EXPORT void mgpuEventDestroy(void *event) {
  withDriver([&](Driver &d) {
    return checkResult(d, d.cuEventDestroy(static_cast<CUevent>(event)),
                       "cuEventDestroy");
  });
}

RESCALE_MGPU_EXPORT void mgpuEventSynchronize(void *event) {
  withDriver([&](Driver &d) {
    return checkResult(d, d.cuEventSynchronize(static_cast<CUevent>(event)),
                       "cuEventSynchronize");
  });
}

RESCALE_MGPU_EXPORT void mgpuEventRecord(void *event, void *stream) {
  withDriver([&](Driver &d) {
    return checkResult(d,
                       d.cuEventRecord(static_cast<CUevent>(event),
                                       static_cast<CUstream>(stream)),
                       "cuEventRecord");
  });
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

RESCALE_MGPU_EXPORT void *mgpuMemAlloc(uint64_t sizeBytes, void * /*stream*/,
                                       bool isHostShared) {
  void *result = nullptr;
  withDriver([&](Driver &d) -> Status {
    if (isHostShared) {
      CUdeviceptr p = 0;
      RESCALE_RETURN_IF_ERROR(checkResult(
          d,
          d.cuMemAllocManaged(&p, sizeBytes ? sizeBytes : 1,
                              CU_MEM_ATTACH_GLOBAL),
          "cuMemAllocManaged", std::to_string(sizeBytes) + " bytes"));
      result = reinterpret_cast<void *>(p);
      KernelNames &k = KernelNames::get();
      std::lock_guard<std::mutex> lock(k.mutex);
      k.managed.insert(result);
      return Status::ok();
    }
    // Device memory comes from the caching allocator: models allocate and
    // free the same intermediate sizes on every call.
    Expected<void *> p = DeviceAllocator::global().allocate(sizeBytes);
    if (!p)
      return p.status();
    result = *p;
    return Status::ok();
  });
  return result;
}

RESCALE_MGPU_EXPORT void mgpuMemFree(void *ptr, void *stream) {
  if (!ptr)
    return;
  withDriver([&](Driver &d) -> Status {
    KernelNames &k = KernelNames::get();
    {
      std::lock_guard<std::mutex> lock(k.mutex);
      if (k.managed.erase(ptr))
        return checkResult(d, d.cuMemFree(reinterpret_cast<CUdeviceptr>(ptr)),
                           "cuMemFree");
    }
    // A cached block may be handed out again at once, so work queued on the
    // freeing stream must be done with it first (cuMemFree would also wait).
    // Without a stream, our streams are non-blocking and the legacy stream
    // orders nothing: wait for the whole context.
    if (stream)
      RESCALE_RETURN_IF_ERROR(
          checkResult(d, d.cuStreamSynchronize(static_cast<CUstream>(stream)),
                      "cuStreamSynchronize", "before gpu.dealloc"));
    else
      RESCALE_RETURN_IF_ERROR(checkResult(
          d, d.cuCtxSynchronize(), "cuCtxSynchronize", "before gpu.dealloc"));
    return DeviceAllocator::global().deallocate(ptr);
  });
}

RESCALE_MGPU_EXPORT void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                                    void *stream) {
  withDriver([&](Driver &d) {
    return checkResult(d,
                       d.cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                                       reinterpret_cast<CUdeviceptr>(src),
                                       sizeBytes,
                                       static_cast<CUstream>(stream)),
                       "cuMemcpyAsync", std::to_string(sizeBytes) + " bytes");
  });
}

RESCALE_MGPU_EXPORT void mgpuMemset16(void *dst, unsigned short value,
                                      size_t count, void *stream) {
  withDriver([&](Driver &d) {
    return checkResult(d,
                       d.cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst),
                                          value, count,
                                          static_cast<CUstream>(stream)),
                       "cuMemsetD16Async");
  });
}

RESCALE_MGPU_EXPORT void mgpuMemset32(void *dst, unsigned int value,
                                      size_t count, void *stream) {
  withDriver([&](Driver &d) {
    return checkResult(d,
                       d.cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst),
                                          value, count,
                                          static_cast<CUstream>(stream)),
                       "cuMemsetD32Async");
  });
}

//===----------------------------------------------------------------------===//
// Host registration
//===----------------------------------------------------------------------===//

RESCALE_MGPU_EXPORT void mgpuMemHostRegister(void *ptr, uint64_t sizeBytes) {
  withDriver([&](Driver &d) {
    return checkResult(d, d.cuMemHostRegister(ptr, sizeBytes, 0),
                       "cuMemHostRegister",
                       std::to_string(sizeBytes) + " bytes");
  });
}

RESCALE_MGPU_EXPORT void mgpuMemHostRegisterMemRef(int64_t rank,
                                                   void *descriptor,
                                                   int64_t elementSizeBytes) {
  withDriver([&](Driver &d) -> Status {
    Expected<uint64_t> bytes =
        denseMemrefBytes(rank, descriptor, elementSizeBytes);
    if (!bytes)
      return bytes.status();
    return checkResult(d,
                       d.cuMemHostRegister(
                           memrefData(descriptor, elementSizeBytes), *bytes, 0),
                       "cuMemHostRegister", std::to_string(*bytes) + " bytes");
  });
}

RESCALE_MGPU_EXPORT void mgpuMemHostUnregister(void *ptr) {
  withDriver([&](Driver &d) {
    return checkResult(d, d.cuMemHostUnregister(ptr), "cuMemHostUnregister");
  });
}

RESCALE_MGPU_EXPORT void mgpuMemHostUnregisterMemRef(int64_t /*rank*/,
                                                     void *descriptor,
                                                     int64_t elementSizeBytes) {
  mgpuMemHostUnregister(memrefData(descriptor, elementSizeBytes));
}

RESCALE_MGPU_EXPORT void mgpuSetDefaultDevice(int32_t device) {
  setDefaultDevice(device);
}

//===----------------------------------------------------------------------===//
// TMA descriptors
//===----------------------------------------------------------------------===//

RESCALE_MGPU_EXPORT void *
mgpuTensorMapEncodeTiledMemref(int64_t tensorRank, void *rankedDescriptor,
                               int64_t tensorDataType, int64_t interleave,
                               int64_t swizzle, int64_t l2Promotion,
                               int64_t oobFill, int64_t *inputBoxDims) {
  void *result = nullptr;
  withDriver([&](Driver &d) -> Status {
    // Element sizes indexed by CUtensorMapDataType (UINT8 .. TFLOAT32_FTZ).
    static constexpr int64_t kElementBytes[] = {1, 2, 4, 4, 8, 8, 2,
                                                4, 8, 2, 4, 4, 4};
    if (tensorRank < 1 || tensorRank > 5)
      return Status::error("TMA descriptor rank " + std::to_string(tensorRank) +
                           " is outside [1, 5]");
    if (tensorDataType < 0 || tensorDataType >= 13)
      return Status::error("TMA descriptor: unsupported CUtensorMapDataType " +
                           std::to_string(tensorDataType));
    if (!d.cuTensorMapEncodeTiled)
      return Status::error(
          "TMA descriptor: the driver lacks cuTensorMapEncodeTiled (CUDA 12+)");
    int64_t elem = kElementBytes[tensorDataType];
    const int64_t *sizes = memrefSizes(rankedDescriptor);
    const int64_t *strides = sizes + tensorRank;
    // CUDA orders dimensions innermost first; memrefs outermost first.
    uint64_t globalDim[5] = {1, 1, 1, 1, 1}, globalStrides[5] = {0};
    unsigned boxDim[5] = {1, 1, 1, 1, 1}, elementStrides[5] = {1, 1, 1, 1, 1};
    for (int64_t i = 0; i < tensorRank; ++i) {
      globalDim[i] = uint64_t(sizes[tensorRank - 1 - i]);
      boxDim[i] = unsigned(inputBoxDims[tensorRank - 1 - i]);
    }
    for (int64_t i = 0; i + 1 < tensorRank; ++i)
      globalStrides[i] = uint64_t(strides[tensorRank - 2 - i] * elem);
    alignas(128) CUtensorMap map;
    std::string shape;
    for (int64_t i = 0; i < tensorRank; ++i)
      shape += (i ? "x" : "") + std::to_string(sizes[i]);
    RESCALE_RETURN_IF_ERROR(
        checkResult(d,
                    d.cuTensorMapEncodeTiled(
                        &map, int(tensorDataType), unsigned(tensorRank),
                        memrefData(rankedDescriptor, elem), globalDim,
                        globalStrides, boxDim, elementStrides, int(interleave),
                        int(swizzle), int(l2Promotion), int(oobFill)),
                    "cuTensorMapEncodeTiled", "a " + shape + " memref"));
    // Kernels read the map from global memory. It lives as long as the
    // process (the IR never frees it), like MLIR's reference wrappers.
    Expected<void *> dev = DeviceAllocator::global().allocate(sizeof(map));
    if (!dev)
      return dev.status();
    RESCALE_RETURN_IF_ERROR(checkResult(
        d,
        d.cuMemcpyHtoD(reinterpret_cast<CUdeviceptr>(*dev), &map, sizeof(map)),
        "cuMemcpyHtoD", "the TMA descriptor"));
    result = *dev;
    return Status::ok();
  });
  return result;
}
