//===- Cuda.h - CUDA driver access, device memory, caching allocator -*- C++
//-*-===//
//
// The runtime reaches CUDA only through the driver API, loaded with
// dlopen("libcuda.so.1") at first use (RESCALE_CUDA_DRIVER=<path> overrides
// the library, which is how the tests load a recording fake driver). Nothing
// here needs the CUDA toolkit to build.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_RUNTIME_CUDA_H
#define RESCALE_RUNTIME_CUDA_H

#include "rescale/runtime/Export.h"
#include "rescale/runtime/HostTensor.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace rescale::runtime {

/// The message of every "no GPU here" failure.
inline constexpr const char *kNoCudaMessage = "no CUDA driver or device found";

/// Load the driver, cuInit, pick device 0 (or the mgpuSetDefaultDevice one)
/// and make its primary context current on this thread. Idempotent. Fails
/// with "no CUDA driver or device found (<detail>)" when the driver library is
/// missing, cuInit fails, or there is no device.
RESCALE_RUNTIME_API Status ensureCudaContext();

/// True if ensureCudaContext() succeeds.
RESCALE_RUNTIME_API bool cudaAvailable();

/// Device name and compute capability, e.g. "NVIDIA H200 (sm_90)".
RESCALE_RUNTIME_API Expected<std::string> cudaDeviceDescription();

/// A caching allocator for device memory: freed blocks are kept per size class
/// (sizes rounded up to 256 B below 1 MiB, to 1 MiB above) and reused;
/// trim() returns them to the driver. Thread-safe.
class DeviceAllocator {
public:
  RESCALE_RUNTIME_API static DeviceAllocator &global();

  RESCALE_RUNTIME_API Expected<void *> allocate(size_t bytes);
  /// `ptr` must come from allocate(); nullptr is ignored.
  RESCALE_RUNTIME_API Status deallocate(void *ptr);
  /// Release all cached (free) blocks to the driver.
  RESCALE_RUNTIME_API Status trim();

  struct Stats {
    size_t liveBytes = 0;   // handed out
    size_t cachedBytes = 0; // free, kept for reuse
    size_t driverAllocs = 0;
    size_t cacheHits = 0;
  };
  RESCALE_RUNTIME_API Stats stats() const;

  RESCALE_RUNTIME_API static size_t roundSize(size_t bytes);
  /// Whether `ptr` is a live block of this allocator.
  RESCALE_RUNTIME_API bool owns(void *ptr) const;
  /// Drop all bookkeeping without calling the driver (after the driver is
  /// reset in tests, its pointers mean nothing).
  RESCALE_RUNTIME_API void forgetAllForTesting();

private:
  mutable std::mutex mutex_;
  std::multimap<size_t, void *> free_; // rounded size -> block
  std::map<void *, size_t> live_;      // block -> rounded size
  Stats stats_;
};

/// Device memory holding one tensor, returned to the allocator on
/// destruction.
class DeviceTensor {
public:
  DeviceTensor() = default;
  RESCALE_RUNTIME_API static Expected<DeviceTensor>
  allocate(DType dtype, std::vector<int64_t> shape);
  RESCALE_RUNTIME_API static Expected<DeviceTensor>
  upload(const HostTensor &host);
  RESCALE_RUNTIME_API Status download(HostTensor &host) const;
  RESCALE_RUNTIME_API Expected<HostTensor> download() const;

  RESCALE_RUNTIME_API DeviceTensor(DeviceTensor &&other) noexcept;
  RESCALE_RUNTIME_API DeviceTensor &operator=(DeviceTensor &&other) noexcept;
  RESCALE_RUNTIME_API ~DeviceTensor();

  DType dtype() const { return dtype_; }
  const std::vector<int64_t> &shape() const { return shape_; }
  size_t numBytes() const { return numBytes_; }
  void *data() const { return ptr_; }

private:
  DType dtype_ = DType::F32;
  std::vector<int64_t> shape_;
  size_t numBytes_ = 0;
  void *ptr_ = nullptr;
};

/// Synchronize the current context (cuCtxSynchronize), checked.
RESCALE_RUNTIME_API Status cudaSynchronize();

/// Drop the cached driver state so the next call reloads the driver (for
/// tests that switch RESCALE_CUDA_DRIVER between fakes).
RESCALE_RUNTIME_API void resetCudaDriverForTesting();

/// The last error recorded by an mgpu* function (they cannot return one:
/// their signatures are fixed by MLIR). Empty if none. Clears it.
RESCALE_RUNTIME_API std::string takeLastCudaError();

} // namespace rescale::runtime

#endif // RESCALE_RUNTIME_CUDA_H
