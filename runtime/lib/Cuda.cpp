//===- Cuda.cpp - CUDA context, caching device allocator, device tensors -===//
#include "rescale/runtime/Cuda.h"

#include "CudaDriver.h"

namespace rescale::runtime {

using namespace cuda;

Status ensureCudaContext() {
  Expected<Driver *> d = getDriver();
  return d ? Status::ok() : d.status();
}

bool cudaAvailable() { return ensureCudaContext().isOk(); }

Expected<std::string> cudaDeviceDescription() {
  Expected<Driver *> d = getDriver();
  if (!d)
    return d.status();
  Driver &drv = **d;
  CUdevice device = 0;
  RESCALE_RETURN_IF_ERROR(
      RESCALE_CU_CALL(drv, cuDeviceGet, &device, defaultDevice()));
  char name[256] = {0};
  RESCALE_RETURN_IF_ERROR(RESCALE_CU_CALL(drv, cuDeviceGetName, name,
                                          int(sizeof(name) - 1), device));
  int major = 0, minor = 0;
  RESCALE_RETURN_IF_ERROR(
      RESCALE_CU_CALL(drv, cuDeviceGetAttribute, &major,
                      CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device));
  RESCALE_RETURN_IF_ERROR(
      RESCALE_CU_CALL(drv, cuDeviceGetAttribute, &minor,
                      CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device));
  return std::string(name) + " (sm_" + std::to_string(major) +
         std::to_string(minor) + ")";
}

Status cudaSynchronize() {
  Expected<Driver *> d = getDriver();
  if (!d)
    return d.status();
  return RESCALE_CU_CALL(**d, cuCtxSynchronize);
}

void resetCudaDriverForTesting() {
  DeviceAllocator::global().forgetAllForTesting();
  resetDriver();
}

std::string takeLastCudaError() { return takePendingError(); }

//===----------------------------------------------------------------------===//
// DeviceAllocator
//===----------------------------------------------------------------------===//

DeviceAllocator &DeviceAllocator::global() {
  static DeviceAllocator *allocator = new DeviceAllocator();
  return *allocator;
}

size_t DeviceAllocator::roundSize(size_t bytes) {
  constexpr size_t kSmall = 256, kLarge = 1 << 20;
  if (bytes == 0)
    bytes = 1;
  size_t unit = bytes < kLarge ? kSmall : kLarge;
  return (bytes + unit - 1) / unit * unit;
}

Expected<void *> DeviceAllocator::allocate(size_t bytes) {
  size_t rounded = roundSize(bytes);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.find(rounded);
    if (it != free_.end()) {
      void *p = it->second;
      free_.erase(it);
      live_[p] = rounded;
      stats_.cachedBytes -= rounded;
      stats_.liveBytes += rounded;
      ++stats_.cacheHits;
      return p;
    }
  }
  Expected<Driver *> d = getDriver();
  if (!d)
    return d.status();
  CUdeviceptr ptr = 0;
  Status s = RESCALE_CU_CALL(**d, cuMemAlloc, &ptr, rounded);
  if (!s) {
    // Out of memory with blocks cached: give them back and retry once.
    RESCALE_RETURN_IF_ERROR(trim());
    Status retry = RESCALE_CU_CALL(**d, cuMemAlloc, &ptr, rounded);
    if (!retry)
      return retry.withContext("allocating " + std::to_string(bytes) +
                               " bytes of device memory");
  }
  void *p = reinterpret_cast<void *>(ptr);
  std::lock_guard<std::mutex> lock(mutex_);
  live_[p] = rounded;
  stats_.liveBytes += rounded;
  ++stats_.driverAllocs;
  return p;
}

Status DeviceAllocator::deallocate(void *ptr) {
  if (!ptr)
    return Status::ok();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = live_.find(ptr);
  if (it == live_.end())
    return Status::error("deallocating a device pointer the allocator did not "
                         "hand out");
  free_.emplace(it->second, ptr);
  stats_.liveBytes -= it->second;
  stats_.cachedBytes += it->second;
  live_.erase(it);
  return Status::ok();
}

bool DeviceAllocator::owns(void *ptr) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return live_.count(ptr) != 0;
}

Status DeviceAllocator::trim() {
  std::multimap<size_t, void *> blocks;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    blocks.swap(free_);
    stats_.cachedBytes = 0;
  }
  if (blocks.empty())
    return Status::ok();
  Expected<Driver *> d = getDriver();
  if (!d)
    return d.status();
  Status first = Status::ok();
  for (auto &[size, p] : blocks) {
    Status s =
        RESCALE_CU_CALL(**d, cuMemFree, reinterpret_cast<CUdeviceptr>(p));
    if (first && !s)
      first = s;
  }
  return first;
}

DeviceAllocator::Stats DeviceAllocator::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void DeviceAllocator::forgetAllForTesting() {
  std::lock_guard<std::mutex> lock(mutex_);
  free_.clear();
  live_.clear();
  stats_ = Stats();
}

//===----------------------------------------------------------------------===//
// DeviceTensor
//===----------------------------------------------------------------------===//

Expected<DeviceTensor> DeviceTensor::allocate(DType dtype,
                                              std::vector<int64_t> shape) {
  Expected<int64_t> n = checkedNumElements(shape);
  if (!n)
    return n.status();
  DeviceTensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.numBytes_ = size_t(*n) * dtypeByteSize(dtype);
  Expected<void *> p = DeviceAllocator::global().allocate(t.numBytes_);
  if (!p)
    return p.status();
  t.ptr_ = *p;
  return t;
}

Expected<DeviceTensor> DeviceTensor::upload(const HostTensor &host) {
  Expected<DeviceTensor> t = allocate(host.dtype(), host.shape());
  if (!t)
    return t;
  if (host.numBytes() == 0)
    return t;
  Expected<Driver *> d = getDriver();
  if (!d)
    return d.status();
  RESCALE_RETURN_IF_ERROR(RESCALE_CU_CALL(
      **d, cuMemcpyHtoD, reinterpret_cast<CUdeviceptr>(t->data()), host.data(),
      host.numBytes()));
  return t;
}

Status DeviceTensor::download(HostTensor &host) const {
  if (host.dtype() != dtype_ || host.shape() != shape_)
    return Status::error("download into " + host.typeString() + " from " +
                         std::string(dtypeName(dtype_)) + formatShape(shape_));
  if (numBytes_ == 0)
    return Status::ok();
  Expected<Driver *> d = getDriver();
  if (!d)
    return d.status();
  return RESCALE_CU_CALL(**d, cuMemcpyDtoH, host.data(),
                         reinterpret_cast<CUdeviceptr>(ptr_), numBytes_);
}

Expected<HostTensor> DeviceTensor::download() const {
  Expected<HostTensor> h = HostTensor::create(dtype_, shape_);
  if (!h)
    return h;
  RESCALE_RETURN_IF_ERROR(download(*h));
  return h;
}

DeviceTensor::DeviceTensor(DeviceTensor &&other) noexcept
    : dtype_(other.dtype_), shape_(std::move(other.shape_)),
      numBytes_(other.numBytes_), ptr_(other.ptr_) {
  other.ptr_ = nullptr;
  other.numBytes_ = 0;
}

DeviceTensor &DeviceTensor::operator=(DeviceTensor &&other) noexcept {
  if (this != &other) {
    (void)DeviceAllocator::global().deallocate(ptr_);
    dtype_ = other.dtype_;
    shape_ = std::move(other.shape_);
    numBytes_ = other.numBytes_;
    ptr_ = other.ptr_;
    other.ptr_ = nullptr;
    other.numBytes_ = 0;
  }
  return *this;
}

DeviceTensor::~DeviceTensor() {
  // Returning a block to the cache cannot fail for a pointer we allocated.
  (void)DeviceAllocator::global().deallocate(ptr_);
}

} // namespace rescale::runtime
