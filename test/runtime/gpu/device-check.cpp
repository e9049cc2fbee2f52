//===- device-check.cpp - Runtime checks against a real (or fake) driver --===//
//
//   rescale-runtime-device-check e2e MODULE.so [--no-check]
//       Run a module compiled from Inputs/mgpu_e2e.mlir on x[i] = i/4 - 100
//       and check out[i] = 2 x[1023-i] + 1, out2[i] = 3 x[i] exactly.
//       --no-check only runs it (under the fake driver kernels do nothing).
//   rescale-runtime-device-check driver-errors
//       Provoke driver failures through the mgpu* ABI and print the runtime's
//       error for each (shared memory over the device limit, a launch the
//       driver rejects, PTX that does not JIT).
//   rescale-runtime-device-check tma
//       Encode a TMA descriptor for a 64x128 f16 device buffer.
//   rescale-runtime-device-check write-files DIR
//       Write sample.npy / sample.safetensors with the runtime's writers, for
//       cross-checking against numpy and the safetensors package.
//
// Links only the runtime, so it runs on a GPU machine without LLVM.
//
//===----------------------------------------------------------------------===//
#include "rescale/runtime/Cuda.h"
#include "rescale/runtime/Float.h"
#include "rescale/runtime/MgpuAbi.h"
#include "rescale/runtime/Module.h"
#include "rescale/runtime/Npy.h"
#include "rescale/runtime/Safetensors.h"

#include <cstdio>
#include <cstring>
#include <string>

using namespace rescale::runtime;

static int fail(const std::string &message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

static int runE2E(const std::string &path, bool check) {
  Expected<std::unique_ptr<Module>> m = Module::load(path);
  if (!m)
    return fail(m.status().message());
  Expected<HostTensor> x = HostTensor::create(DType::F32, {1024});
  for (int i = 0; i < 1024; ++i)
    x->dataAs<float>()[i] = float(i) / 4 - 100;
  std::vector<HostTensor> inputs;
  inputs.push_back(x.take());
  Expected<std::vector<HostTensor>> out = (*m)->run("main", inputs);
  if (!out)
    return fail(out.status().message());
  if (check) {
    const float *xv = inputs[0].dataAs<float>();
    const float *o = (*out)[0].dataAs<float>();
    const float *o2 = (*out)[1].dataAs<float>();
    int bad = 0;
    for (int i = 0; i < 1024; ++i) {
      float want = 2 * xv[1023 - i] + 1, want2 = 3 * xv[i];
      if (o[i] != want || o2[i] != want2) {
        if (bad++ < 5)
          std::fprintf(
              stderr, "mismatch at %d: out %g (want %g), out2 %g (want %g)\n",
              i, double(o[i]), double(want), double(o2[i]), double(want2));
      }
    }
    if (bad)
      return fail(std::to_string(bad) + " mismatches");
  }
  DeviceAllocator::Stats s = DeviceAllocator::global().stats();
  std::printf("ok: %s ran%s; device allocator: %zu driver allocs, %zu cache "
              "hits, %zu bytes live\n",
              path.c_str(), check ? " and matched" : "", s.driverAllocs,
              s.cacheHits, s.liveBytes);
  return 0;
}

/// Prints the pending mgpu* error under `label` (or that there was none).
static void report(const char *label) {
  std::string e = takeLastCudaError();
  std::printf("%s: %s\n", label, e.empty() ? "<no error>" : e.c_str());
}

static int driverErrors() {
  static char ptx[] = ".version 8.0\n.target sm_90\n.address_size 64\n"
                      ".visible .entry noop()\n{\n\tret;\n}\n";
  void *module = mgpuModuleLoadJIT(ptx, 2);
  void *noop = mgpuModuleGetFunction(module, "noop");
  report("load noop");
  mgpuLaunchKernel(noop, 1, 1, 1, 32, 1, 1, 100 * 1024, nullptr, nullptr,
                   nullptr, 0);
  mgpuStreamSynchronize(nullptr);
  report("100 KiB dynamic shared memory (opt-in)");
  mgpuLaunchKernel(noop, 1, 1, 1, 32, 1, 1, 300 * 1024, nullptr, nullptr,
                   nullptr, 0);
  report("300 KiB dynamic shared memory");
  mgpuLaunchKernel(noop, 1, 1, 1, 2048, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  report("block of 2048 threads");
  static char badPtx[] = ".version 8.0\n.target sm_90\n.address_size 64\n"
                         ".visible .entry broken()\n{\n\tcall missing;\n}\n";
  mgpuModuleLoadJIT(badPtx, 2);
  report("PTX calling an undefined function");
  mgpuModuleGetFunction(module, "absent");
  report("lookup of an absent kernel");
  mgpuModuleUnload(module);
  report("unload");
  return 0;
}

static int tma() {
  void *buffer = mgpuMemAlloc(64 * 128 * 2, nullptr, false);
  int64_t desc[7] = {0, 0, 0, 64, 128, 128, 1};
  std::memcpy(&desc[0], &buffer, 8);
  std::memcpy(&desc[1], &buffer, 8);
  int64_t box[2] = {64, 64};
  // CU_TENSOR_MAP_DATA_TYPE_FLOAT16 = 6, CU_TENSOR_MAP_SWIZZLE_128B = 3.
  void *map = mgpuTensorMapEncodeTiledMemref(2, desc, 6, 0, 3, 0, 0, box);
  std::printf("tma map %s\n", map ? "encoded" : "null");
  report("tma 64x128 f16, box 64x64, 128B swizzle");
  int64_t badBox[2] = {64, 512}; // 512 > 256, the largest box dimension
  mgpuTensorMapEncodeTiledMemref(2, desc, 6, 0, 3, 0, 0, badBox);
  report("tma with a 512-element box");
  mgpuMemFree(buffer, nullptr);
  report("free");
  return map ? 0 : 1;
}

static int writeFiles(const std::string &dir) {
  Expected<HostTensor> f32 = HostTensor::create(DType::F32, {2, 3});
  Expected<HostTensor> f16 = HostTensor::create(DType::F16, {4});
  Expected<HostTensor> i64 = HostTensor::create(DType::I64, {3});
  Expected<HostTensor> bf16 = HostTensor::create(DType::BF16, {3});
  Expected<HostTensor> e4m3 = HostTensor::create(DType::F8E4M3FN, {2});
  Expected<HostTensor> i8 = HostTensor::create(DType::I8, {3});
  Expected<HostTensor> fp4 = HostTensor::create(DType::F4E2M1FN, {4});
  for (int i = 0; i < 6; ++i)
    f32->dataAs<float>()[i] = float(i) * 1.5f - 2;
  const float halves[4] = {0.5f, -1.25f, 65504.0f, 3.0e-5f};
  for (int i = 0; i < 4; ++i)
    f16->dataAs<uint16_t>()[i] = f32ToF16(halves[i]);
  const int64_t longs[3] = {-7, 0, int64_t(1) << 40};
  std::memcpy(i64->data(), longs, sizeof(longs));
  const float bvals[3] = {1.0f, -2.0f, 3.140625f};
  for (int i = 0; i < 3; ++i)
    bf16->dataAs<uint16_t>()[i] = f32ToBf16(bvals[i]);
  e4m3->data()[0] = 0x38; // 1.0
  e4m3->data()[1] = 0xfe; // -448
  const int8_t bytes[3] = {-128, 0, 127};
  std::memcpy(i8->data(), bytes, 3);
  const uint8_t codes[4] = {0x1, 0x7, 0xf, 0x2}; // 0.5, 6, -6, 1
  std::memcpy(fp4->data(), codes, 4);
  for (const auto &[name, t] :
       {std::pair<const char *, HostTensor *>{"f32", &*f32},
        {"f16", &*f16},
        {"i64", &*i64},
        {"i8", &*i8}}) {
    Status s = writeNpy(dir + "/sample_" + name + ".npy", *t);
    if (!s)
      return fail(s.message());
  }
  Expected<HostTensor> packed = packFp4(*fp4);
  if (!packed)
    return fail(packed.status().message());
  SafetensorsFile file;
  file.metadata["format"] = "rescale";
  file.tensors.emplace_back("f32", f32.take());
  file.tensors.emplace_back("f16", f16.take());
  file.tensors.emplace_back("bf16", bf16.take());
  file.tensors.emplace_back("i8", i8.take());
  file.tensors.emplace_back("e4m3", e4m3.take());
  file.tensors.emplace_back("fp4", packed.take());
  Status s = writeSafetensors(dir + "/sample.safetensors", file);
  if (!s)
    return fail(s.message());
  std::printf("wrote %s/sample_{f32,f16,i64,i8}.npy and sample.safetensors\n",
              dir.c_str());
  return 0;
}

int main(int argc, char **argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "e2e" && argc >= 3)
    return runE2E(argv[2],
                  !(argc > 3 && std::strcmp(argv[3], "--no-check") == 0));
  if (mode == "driver-errors")
    return driverErrors();
  if (mode == "tma")
    return tma();
  if (mode == "write-files" && argc >= 3)
    return writeFiles(argv[2]);
  std::fprintf(stderr,
               "usage: %s e2e MODULE.so [--no-check] | driver-errors "
               "| tma | write-files DIR\n",
               argv[0]);
  return 2;
}
