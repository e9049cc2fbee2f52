//===- MgpuAbiTest.cpp - The mgpu* ABI against a recording fake driver ---===//
//
// Each test drives the mgpu* functions the way compiled modules do and reads
// the fake driver's call log: which driver calls were made, with which
// arguments, and what error a failure produces.
//
//===----------------------------------------------------------------------===//
#include "FakeDriver.h"

#include <algorithm>

using namespace rescale::runtime;
using namespace rescale::runtime::testing;

/// Loads a module and looks up kernel "k", as a module's constructor and
/// entry do.
static void *loadKernel(const char *name = "k") {
  static char ptx[] = ".version 8.0\n";
  void *module = mgpuModuleLoadJIT(ptx, 3);
  return mgpuModuleGetFunction(module, name);
}

//===----------------------------------------------------------------------===//
// No driver / no device
//===----------------------------------------------------------------------===//

TEST_F(FakeDriverTest, MissingDriverLibraryIsTheNoDeviceError) {
  ::setenv("RESCALE_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1);
  resetCudaDriverForTesting();
  Status s = ensureCudaContext();
  ASSERT_FALSE(s.isOk());
  EXPECT_EQ(s.message().rfind("no CUDA driver or device found (cannot load "
                              "/nonexistent/libcuda.so.1",
                              0),
            0u)
      << s.message();
  // The ABI cannot return errors: it records the same one and returns null.
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  EXPECT_NE(takeLastCudaError().find("no CUDA driver or device found"),
            std::string::npos);
}

TEST_F(FakeDriverTest, ZeroDevicesIsTheNoDeviceError) {
  ::setenv("RESCALE_FAKE_CUDA_DEVICES", "0", 1);
  EXPECT_EQ(errorOf(ensureCudaContext()),
            "no CUDA driver or device found (the driver reports no devices)");
}

TEST_F(FakeDriverTest, CuInitFailureIsTheNoDeviceErrorWithTheCudaError) {
  ::setenv("RESCALE_FAKE_CUDA_FAIL", "cuInit:100", 1);
  EXPECT_EQ(errorOf(ensureCudaContext()),
            "no CUDA driver or device found (cuInit failed: "
            "CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected))");
}

TEST_F(FakeDriverTest, InitializesOnceAndMakesThePrimaryContextCurrent) {
  ASSERT_TRUE(ensureCudaContext().isOk());
  ASSERT_TRUE(ensureCudaContext().isOk());
  std::vector<std::string> c = calls();
  ASSERT_GE(c.size(), 4u);
  EXPECT_EQ(c[0], "cuInit flags=0");
  EXPECT_EQ(c[1], "cuDeviceGetCount count=1");
  EXPECT_EQ(c[2], "cuDeviceGet ordinal=0");
  EXPECT_EQ(c[3], "cuDevicePrimaryCtxRetain device=0");
  EXPECT_EQ(c.size(), 5u) << "second call must not re-initialize";
  Expected<std::string> d = cudaDeviceDescription();
  ASSERT_TRUE(d.isOk());
  EXPECT_EQ(*d, "Fake GPU 0 (sm_90)");
}

TEST_F(FakeDriverTest, SetDefaultDeviceSwitchesContext) {
  mgpuSetDefaultDevice(1);
  EXPECT_NE(mgpuStreamCreate(), nullptr);
  EXPECT_GE(find("cuDevicePrimaryCtxRetain device=1"), 0);
}

//===----------------------------------------------------------------------===//
// Modules and launches
//===----------------------------------------------------------------------===//

TEST_F(FakeDriverTest, PtxIsJitCompiledWithOptLevelAndErrorLog) {
  ASSERT_NE(loadKernel(), nullptr);
  // 3 options: error log buffer (5), its size (6), optimization level (7)=3.
  EXPECT_EQ(callLine("cuModuleLoadDataEx"),
            "cuModuleLoadDataEx options=3 5 6 7=3");
  EXPECT_EQ(callLine("cuModuleGetFunction"), "cuModuleGetFunction name=k");
}

TEST_F(FakeDriverTest, CubinIsLoadedWithoutJit) {
  static char cubin[] = "\x7f"
                        "ELF....";
  EXPECT_NE(mgpuModuleLoad(cubin, sizeof(cubin)), nullptr);
  EXPECT_GE(find("cuModuleLoadData image=\x7f"
                 "ELF"),
            0);
  EXPECT_LT(find("cuModuleLoadDataEx"), 0);
}

TEST_F(FakeDriverTest, JitFailureCarriesTheJitLog) {
  static char bad[] = "BAD PTX";
  EXPECT_EQ(mgpuModuleLoadJIT(bad, 2), nullptr);
  std::string e = takeLastCudaError();
  EXPECT_NE(e.find("cuModuleLoadDataEx failed for PTX JIT at -O2: "
                   "CUDA_ERROR_INVALID_PTX (a PTX JIT compilation failed); "
                   "JIT log: ptxas fatal   : Unresolved extern function "
                   "'missing'"),
            std::string::npos)
      << e;
}

TEST_F(FakeDriverTest, LaunchPassesGridBlockAndPackedParams) {
  void *k = loadKernel();
  void *stream = mgpuStreamCreate();
  // gpu-to-llvm packs each kernel argument into its own slot and passes an
  // array of pointers to the slots; the runtime must hand it over untouched.
  int64_t slots[4] = {0x1000, 0x1040, 0, 96};
  void *params[4] = {&slots[0], &slots[1], &slots[2], &slots[3]};
  ::setenv("RESCALE_FAKE_CUDA_PARAMS", "4", 1);
  mgpuLaunchKernel(k, 4, 2, 1, 128, 1, 1, 0, stream, params, nullptr, 4);
  EXPECT_EQ(takeLastCudaError(), "");
  EXPECT_EQ(callLine("cuLaunchKernel"),
            "cuLaunchKernel kernel=k grid=4,2,1 block=128,1,1 smem=0 "
            "stream=set params=[4096,4160,0,96]");
  EXPECT_LT(find("cuFuncSetAttribute"), 0) << "no opt-in below 48 KiB";
  EXPECT_LT(find("cuStreamSynchronize"), 0) << "asynchronous by default";
}

TEST_F(FakeDriverTest, DynamicSharedMemoryAbove48KiBOptsIn) {
  void *k = loadKernel();
  mgpuLaunchKernel(k, 1, 1, 1, 32, 1, 1, 48 * 1024, nullptr, nullptr, nullptr,
                   0);
  EXPECT_LT(find("cuFuncSetAttribute"), 0) << "exactly 48 KiB needs no opt-in";
  clearLog();
  mgpuLaunchKernel(k, 1, 1, 1, 32, 1, 1, 100 * 1024, nullptr, nullptr, nullptr,
                   0);
  EXPECT_EQ(takeLastCudaError(), "");
  int attr = find("cuFuncSetAttribute");
  int launch = find("cuLaunchKernel");
  ASSERT_GE(attr, 0);
  EXPECT_LT(attr, launch) << "the attribute must be set before the launch";
  // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8.
  EXPECT_EQ(callLine("cuFuncSetAttribute"),
            "cuFuncSetAttribute kernel=k attr=8 value=102400");
  EXPECT_EQ(callLine("cuLaunchKernel"),
            "cuLaunchKernel kernel=k grid=1,1,1 block=32,1,1 smem=102400 "
            "stream=null params=[]");
}

TEST_F(FakeDriverTest, SharedMemoryBeyondTheDeviceLimitIsAnError) {
  ::setenv("RESCALE_FAKE_CUDA_SMEM_OPTIN", "101376", 1); // 99 KiB (sm_86)
  void *k = loadKernel("attention_fwd");
  mgpuLaunchKernel(k, 8, 1, 1, 128, 1, 1, 128 * 1024, nullptr, nullptr, nullptr,
                   0);
  EXPECT_EQ(takeLastCudaError(),
            "launch of kernel 'attention_fwd' (grid 8x1x1, block 128x1x1, "
            "dynamic shared memory 131072 bytes): the device allows 101376 "
            "bytes of dynamic shared memory per block");
  EXPECT_LT(find("cuLaunchKernel"), 0);
}

TEST_F(FakeDriverTest, LaunchFailureNamesCallErrorKernelAndConfig) {
  void *k = loadKernel("rms_norm_kernel");
  ::setenv("RESCALE_FAKE_CUDA_FAIL", "cuLaunchKernel:701", 1);
  mgpuLaunchKernel(k, 64, 1, 1, 1024, 1, 1, 4096, nullptr, nullptr, nullptr, 0);
  EXPECT_EQ(takeLastCudaError(),
            "cuLaunchKernel failed for kernel 'rms_norm_kernel' (grid 64x1x1, "
            "block 1024x1x1, dynamic shared memory 4096 bytes): "
            "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES (too many resources requested "
            "for launch)");
}

TEST_F(FakeDriverTest, InvalidDimensionsAreRejectedBeforeTheDriver) {
  void *k = loadKernel();
  mgpuLaunchKernel(k, 0, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  EXPECT_NE(takeLastCudaError().find("dimensions must be in [1, 2^32)"),
            std::string::npos);
  mgpuLaunchKernel(k, int64_t(1) << 33, 1, 1, 32, 1, 1, 0, nullptr, nullptr,
                   nullptr, 0);
  EXPECT_NE(takeLastCudaError().find("grid 8589934592x1x1"), std::string::npos);
  EXPECT_LT(find("cuLaunchKernel"), 0);
}

TEST_F(FakeDriverTest, SyncLaunchesSynchronizesAndLocatesFaults) {
  void *k = loadKernel("bad_kernel");
  void *stream = mgpuStreamCreate();
  ::setenv("RESCALE_SYNC_LAUNCHES", "1", 1);
  mgpuLaunchKernel(k, 1, 1, 1, 1, 1, 1, 0, stream, nullptr, nullptr, 0);
  EXPECT_EQ(takeLastCudaError(), "");
  EXPECT_EQ(find("cuStreamSynchronize"), find("cuLaunchKernel") + 1);
  ::setenv("RESCALE_FAKE_CUDA_FAIL", "cuStreamSynchronize:700", 1);
  mgpuLaunchKernel(k, 1, 1, 1, 1, 1, 1, 0, stream, nullptr, nullptr, 0);
  EXPECT_EQ(takeLastCudaError(),
            "cuStreamSynchronize failed for RESCALE_SYNC_LAUNCHES after kernel "
            "'bad_kernel' (grid 1x1x1, block 1x1x1, dynamic shared memory 0 "
            "bytes): CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory access was "
            "encountered)");
}

TEST_F(FakeDriverTest, ClusterLaunchUsesLaunchKernelExWithClusterAttributes) {
  void *k = loadKernel("gemm");
  mgpuLaunchClusterKernel(k, 2, 1, 1, 8, 4, 1, 128, 1, 1, 200 * 1024, nullptr,
                          nullptr, nullptr);
  EXPECT_EQ(takeLastCudaError(), "");
  EXPECT_EQ(callLine("cuFuncSetAttribute"),
            "cuFuncSetAttribute kernel=gemm attr=8 value=204800");
  // attr 4 = CLUSTER_DIMENSION, attr 5 = scheduling policy (1 = spread).
  EXPECT_EQ(callLine("cuLaunchKernelEx"),
            "cuLaunchKernelEx kernel=gemm grid=8,4,1 block=128,1,1 "
            "smem=204800 attr4=2,1,1 attr5=1 params=[]");
}

TEST_F(FakeDriverTest, AnErrorIsStickyUntilTaken) {
  ::setenv("RESCALE_FAKE_CUDA_FAIL", "cuStreamCreate:2", 1);
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  ::unsetenv("RESCALE_FAKE_CUDA_FAIL");
  clearLog();
  // Later calls do nothing: a failed load must not cascade into launches of
  // null kernels or copies to null buffers.
  EXPECT_EQ(mgpuEventCreate(), nullptr);
  mgpuMemset32(nullptr, 0, 4, nullptr);
  EXPECT_TRUE(calls().empty());
  EXPECT_EQ(takeLastCudaError(), "cuStreamCreate failed: "
                                 "CUDA_ERROR_OUT_OF_MEMORY (out of memory)");
  EXPECT_NE(mgpuEventCreate(), nullptr);
}

TEST_F(FakeDriverTest, UnknownErrorCodesStillNameTheCall) {
  ::setenv("RESCALE_FAKE_CUDA_FAIL", "cuEventCreate:999", 1);
  EXPECT_EQ(mgpuEventCreate(), nullptr);
  EXPECT_EQ(takeLastCudaError(), "cuEventCreate failed: CUDA error 999");
}

//===----------------------------------------------------------------------===//
// Streams, events, memory
//===----------------------------------------------------------------------===//

TEST_F(FakeDriverTest, StreamsAndEventsUseMlirFlags) {
  void *s = mgpuStreamCreate();
  void *e = mgpuEventCreate();
  mgpuEventRecord(e, s);
  mgpuStreamWaitEvent(s, e);
  mgpuEventSynchronize(e);
  mgpuEventDestroy(e);
  mgpuStreamSynchronize(s);
  mgpuStreamDestroy(s);
  EXPECT_EQ(takeLastCudaError(), "");
  EXPECT_EQ(callLine("cuStreamCreate"),
            "cuStreamCreate flags=1");                           // non-blocking
  EXPECT_EQ(callLine("cuEventCreate"), "cuEventCreate flags=2"); // no timing
  EXPECT_EQ(callLine("cuStreamWaitEvent"), "cuStreamWaitEvent flags=0");
  for (const char *c : {"cuEventRecord", "cuEventSynchronize", "cuEventDestroy",
                        "cuStreamSynchronize", "cuStreamDestroy"})
    EXPECT_GE(find(c), 0) << c;
}

TEST_F(FakeDriverTest, AllocCopyAndMemsetMoveBytes) {
  void *s = mgpuStreamCreate();
  void *d = mgpuMemAlloc(16, s, false);
  ASSERT_NE(d, nullptr);
  mgpuMemset32(d, 0x3f800000u, 4, s);
  float host[4] = {0, 0, 0, 0};
  mgpuMemcpy(host, d, 16, s);
  EXPECT_EQ(host[3], 1.0f);
  mgpuMemset16(d, 0xbeefu, 8, s);
  uint16_t half[8];
  mgpuMemcpy(half, d, 16, s);
  EXPECT_EQ(half[7], 0xbeef);
  mgpuMemFree(d, s);
  EXPECT_EQ(takeLastCudaError(), "");
  EXPECT_EQ(callLine("cuMemsetD32Async"),
            "cuMemsetD32Async value=1065353216 count=4");
  EXPECT_EQ(callLine("cuMemsetD16Async"),
            "cuMemsetD16Async value=48879 count=8");
}

TEST_F(FakeDriverTest, DeviceAllocationsAreCached) {
  DeviceAllocator &a = DeviceAllocator::global();
  void *p = mgpuMemAlloc(1000, nullptr, false);
  mgpuMemFree(p, nullptr);
  void *q = mgpuMemAlloc(900, nullptr, false); // same 256-byte size class
  EXPECT_EQ(p, q);
  EXPECT_EQ(a.stats().driverAllocs, 1u);
  EXPECT_EQ(a.stats().cacheHits, 1u);
  EXPECT_EQ(callLine("cuMemAlloc"), "cuMemAlloc bytes=1024");
  void *big = mgpuMemAlloc((1 << 20) + 1, nullptr, false);
  EXPECT_NE(big, nullptr);
  EXPECT_EQ(DeviceAllocator::roundSize((1 << 20) + 1), size_t(2) << 20);
  mgpuMemFree(big, nullptr);
  mgpuMemFree(q, nullptr);
  EXPECT_EQ(a.stats().liveBytes, 0u);
  EXPECT_TRUE(a.trim().isOk());
  EXPECT_EQ(a.stats().cachedBytes, 0u);
  std::vector<std::string> c = calls();
  EXPECT_EQ(std::count(c.begin(), c.end(), "cuMemFree"), 2);
}

TEST_F(FakeDriverTest, FreeWaitsForPendingWorkBeforeCachingTheBlock) {
  void *stream = mgpuStreamCreate();
  void *p = mgpuMemAlloc(64, stream, false);
  clearLog();
  mgpuMemFree(p, stream);
  EXPECT_EQ(calls(),
            std::vector<std::string>{"cuStreamSynchronize stream=set"});
  p = mgpuMemAlloc(64, nullptr, false);
  clearLog();
  mgpuMemFree(p, nullptr); // no stream: our streams are non-blocking
  EXPECT_EQ(calls(), std::vector<std::string>{"cuCtxSynchronize"});
  EXPECT_EQ(takeLastCudaError(), "");
}

TEST_F(FakeDriverTest, OutOfMemoryTrimsTheCacheAndRetries) {
  DeviceAllocator &a = DeviceAllocator::global();
  void *p = mgpuMemAlloc(256, nullptr, false);
  mgpuMemFree(p, nullptr);
  ::setenv("RESCALE_FAKE_CUDA_FAIL", "cuMemAlloc:2", 1);
  Expected<void *> q = a.allocate(4096);
  EXPECT_EQ(errorOf(q), "allocating 4096 bytes of device memory: cuMemAlloc "
                        "failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)");
  EXPECT_EQ(a.stats().cachedBytes, 0u) << "cache released before the retry";
}

TEST_F(FakeDriverTest, HostSharedAllocationsAreManaged) {
  void *p = mgpuMemAlloc(64, nullptr, true);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(callLine("cuMemAllocManaged"),
            "cuMemAllocManaged bytes=64 flags=1");
  mgpuMemFree(p, nullptr);
  EXPECT_EQ(takeLastCudaError(), "");
  EXPECT_GE(find("cuMemFree"), 0);
}

TEST_F(FakeDriverTest, HostRegisterMemRefRegistersTheDenseSpan) {
  float data[12];
  // memref<3x4xf32> descriptor: {allocated, aligned, offset, sizes, strides}
  int64_t desc[7] = {0, 0, 0, 3, 4, 4, 1};
  void *p = data;
  std::memcpy(&desc[0], &p, 8);
  std::memcpy(&desc[1], &p, 8);
  mgpuMemHostRegisterMemRef(2, desc, 4);
  mgpuMemHostUnregisterMemRef(2, desc, 4);
  EXPECT_EQ(takeLastCudaError(), "");
  EXPECT_EQ(callLine("cuMemHostRegister"),
            "cuMemHostRegister bytes=48 flags=0");
  EXPECT_GE(find("cuMemHostUnregister"), 0);
  int64_t strided[7] = {0, 0, 0, 3, 4, 8, 1}; // every other row
  std::memcpy(&strided[1], &p, 8);
  mgpuMemHostRegisterMemRef(2, strided, 4);
  EXPECT_NE(takeLastCudaError().find("needs a contiguous memref"),
            std::string::npos);
}

TEST_F(FakeDriverTest, TensorMapEncodeReversesDimsAndCopiesToDevice) {
  uint16_t data[64 * 128];
  void *p = data;
  // memref<64x128xf16>, box 64x32; CU_TENSOR_MAP_DATA_TYPE_FLOAT16 = 6,
  // swizzle 128B = 3.
  int64_t desc[7] = {0, 0, 0, 64, 128, 128, 1};
  std::memcpy(&desc[1], &p, 8);
  int64_t box[2] = {64, 32};
  void *map = mgpuTensorMapEncodeTiledMemref(2, desc, 6, 0, 3, 0, 0, box);
  EXPECT_EQ(takeLastCudaError(), "");
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(callLine("cuTensorMapEncodeTiled"),
            "cuTensorMapEncodeTiled type=6 rank=2 dims=128,64 strides=256 "
            "box=32,64 interleave=0 swizzle=3 l2=0 oob=0");
  EXPECT_EQ(callLine("cuMemcpyHtoD"), "cuMemcpyHtoD bytes=128");
  EXPECT_EQ(static_cast<uint8_t *>(map)[0], 0x5a)
      << "the encoded map was copied";
  mgpuTensorMapEncodeTiledMemref(6, desc, 6, 0, 3, 0, 0, box);
  EXPECT_NE(takeLastCudaError().find("rank 6 is outside [1, 5]"),
            std::string::npos);
}
