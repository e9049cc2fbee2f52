//===- CudaDriver.cpp - Loading the CUDA driver and checking its calls ---===//
#include "CudaDriver.h"

#include "rescale/runtime/Cuda.h"

#include <atomic>
#include <cstdlib>
#include <dlfcn.h>
#include <map>
#include <mutex>

namespace rescale::runtime::cuda {

namespace {

struct DriverState {
  std::mutex mutex;
  bool attempted = false;
  Status loadStatus;
  Driver driver;
  std::map<int, CUcontext> contexts; // device ordinal -> primary context
  std::string pendingError;
};

} // namespace

static DriverState &state() {
  static DriverState *s = new DriverState(); // never destroyed: mgpu* calls
  return *s;                                 // may run from global dtors
}

namespace {

/// Bumped by resetDriver() so that per-thread context caches are refreshed.
std::atomic<uint64_t> generation{1};
std::atomic<int> defaultDeviceOrdinal{0};

} // namespace

static Status noDevice(const std::string &detail) {
  return Status::error(std::string(kNoCudaMessage) + " (" + detail + ")");
}

/// Functions older drivers may lack; their absence fails only their users.
static bool isOptional(const char *symbol) {
  return std::string(symbol) == "cuTensorMapEncodeTiled" ||
         std::string(symbol) == "cuLaunchKernelEx";
}

static Status loadDriver(DriverState &s) {
  Driver &d = s.driver;
  d.path = driverLibraryPath();
  d.handle = ::dlopen(d.path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!d.handle) {
    const char *err = ::dlerror();
    return noDevice("cannot load " + d.path + ": " +
                    (err ? err : "unknown dlopen error"));
  }
#define RESCALE_LOAD_FIELD(name, symbol, ...)                                  \
  d.name = reinterpret_cast<decltype(d.name)>(::dlsym(d.handle, symbol));      \
  if (!d.name && !isOptional(symbol))                                          \
    return noDevice(d.path + " lacks " symbol);
  RESCALE_CUDA_DRIVER_FUNCTIONS(RESCALE_LOAD_FIELD)
#undef RESCALE_LOAD_FIELD
  CUresult r = d.cuInit(0);
  if (r != CUDA_SUCCESS)
    return noDevice(checkResult(d, r, "cuInit").message());
  int count = 0;
  r = d.cuDeviceGetCount(&count);
  if (r != CUDA_SUCCESS)
    return noDevice(checkResult(d, r, "cuDeviceGetCount").message());
  if (count <= 0)
    return noDevice("the driver reports no devices");
  return Status::ok();
}

/// The primary context of `ordinal`, retained once per process.
static Expected<CUcontext> primaryContext(DriverState &s, int ordinal) {
  auto it = s.contexts.find(ordinal);
  if (it != s.contexts.end())
    return it->second;
  CUdevice device = 0;
  RESCALE_RETURN_IF_ERROR(
      checkResult(s.driver, s.driver.cuDeviceGet(&device, ordinal),
                  "cuDeviceGet", "device " + std::to_string(ordinal)));
  CUcontext ctx = nullptr;
  RESCALE_RETURN_IF_ERROR(
      checkResult(s.driver, s.driver.cuDevicePrimaryCtxRetain(&ctx, device),
                  "cuDevicePrimaryCtxRetain"));
  s.contexts[ordinal] = ctx;
  return ctx;
}

std::string driverLibraryPath() {
  const char *env = std::getenv("RESCALE_CUDA_DRIVER");
  return env && *env ? env : "libcuda.so.1";
}

Status checkResult(const Driver &driver, CUresult result, const char *call,
                   const std::string &context) {
  if (result == CUDA_SUCCESS)
    return Status::ok();
  const char *name = nullptr;
  const char *text = nullptr;
  if (!driver.cuGetErrorName ||
      driver.cuGetErrorName(result, &name) != CUDA_SUCCESS || !name)
    name = nullptr;
  if (!driver.cuGetErrorString ||
      driver.cuGetErrorString(result, &text) != CUDA_SUCCESS || !text)
    text = nullptr;
  std::string msg = std::string(call) + " failed";
  if (!context.empty())
    msg += " for " + context;
  msg += ": ";
  msg += name ? name : "CUDA error " + std::to_string(result);
  if (text)
    msg += std::string(" (") + text + ")";
  return Status::error(msg);
}

Expected<Driver *> getDriver() {
  DriverState &s = state();
  thread_local uint64_t threadGeneration = 0;
  thread_local int threadDevice = -1;
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.attempted) {
    s.attempted = true;
    s.loadStatus = loadDriver(s);
  }
  if (!s.loadStatus)
    return s.loadStatus;
  int ordinal = defaultDeviceOrdinal.load();
  uint64_t gen = generation.load();
  if (threadGeneration != gen || threadDevice != ordinal) {
    Expected<CUcontext> ctx = primaryContext(s, ordinal);
    if (!ctx)
      return ctx.status();
    RESCALE_RETURN_IF_ERROR(checkResult(
        s.driver, s.driver.cuCtxSetCurrent(*ctx), "cuCtxSetCurrent"));
    threadGeneration = gen;
    threadDevice = ordinal;
  }
  return &s.driver;
}

int defaultDevice() { return defaultDeviceOrdinal.load(); }
void setDefaultDevice(int ordinal) { defaultDeviceOrdinal.store(ordinal); }

void recordError(const Status &status) {
  if (status)
    return;
  DriverState &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.pendingError.empty())
    s.pendingError = status.message();
}

bool hasPendingError() {
  DriverState &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return !s.pendingError.empty();
}

bool syncLaunchesEnabled() {
  const char *env = std::getenv("RESCALE_SYNC_LAUNCHES");
  return env && std::string(env) == "1";
}

void resetDriver() {
  DriverState &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.driver.handle)
    ::dlclose(s.driver.handle);
  s.driver = Driver();
  s.contexts.clear();
  s.attempted = false;
  s.loadStatus = Status::ok();
  s.pendingError.clear();
  ++generation;
}

std::string takePendingError() {
  DriverState &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  std::string e = std::move(s.pendingError);
  s.pendingError.clear();
  return e;
}

} // namespace rescale::runtime::cuda
