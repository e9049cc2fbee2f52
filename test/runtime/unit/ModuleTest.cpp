//===- ModuleTest.cpp - Loading modules and calling their entries --------===//
//
// Uses hand-written fixture modules with the compiled-module ABI
// (test/runtime/fixtures), so the runtime is tested without the compiler.
//
//===----------------------------------------------------------------------===//
#include "FakeDriver.h"

#include "rescale/runtime/MemRef.h"
#include "rescale/runtime/Module.h"
#include "rescale/runtime/Sha256.h"

#include <cmath>
#include <fstream>

using namespace rescale::runtime;
using namespace rescale::runtime::testing;

static std::string digestOf(const std::string &path) {
  Expected<std::string> d = fileSha256(path);
  EXPECT_TRUE(d.isOk()) << d.status().message();
  return d.isOk() ? *d : std::string(64, '0');
}

static void copyFile(const std::string &from, const std::string &to) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary);
  out << in.rdbuf();
}
static void writeText(const std::string &path, const std::string &text) {
  std::ofstream(path) << text;
}

TEST(MemRef, DescriptorIsMlirsRowMajorLayout) {
  float data[24];
  MemRefDescriptor d(data, {2, 3, 4});
  auto *words = static_cast<int64_t *>(d.get());
  EXPECT_EQ(reinterpret_cast<float *>(words[0]), data);
  EXPECT_EQ(reinterpret_cast<float *>(words[1]), data);
  EXPECT_EQ(words[2], 0);
  EXPECT_EQ((std::vector<int64_t>(words + 3, words + 6)),
            (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ((std::vector<int64_t>(words + 6, words + 9)),
            (std::vector<int64_t>{12, 4, 1}));
}

TEST(ModuleCpu, RunsAnEntryWithDescriptors) {
  Expected<std::unique_ptr<Module>> m = Module::load(RESCALE_TEST_MODULE_PATH);
  ASSERT_TRUE(m.isOk()) << m.status().message();
  std::vector<HostTensor> in;
  in.push_back(makeF32({2, 3}, {1, 2, 3, 4, 5, 6}));
  in.push_back(makeF32({2, 3}, {10, 20, 30, 40, 50, 60}));
  Expected<std::vector<HostTensor>> out = (*m)->run("add", in);
  ASSERT_TRUE(out.isOk()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].typeString(), "f32[2,3]");
  EXPECT_EQ((*out)[0].dataAs<float>()[5], 66.0f);
}

TEST(ModuleCpu, CallInPlaceRunsOnTheCallersBuffers) {
  Expected<std::unique_ptr<Module>> m = Module::load(RESCALE_TEST_MODULE_PATH);
  ASSERT_TRUE(m.isOk()) << m.status().message();
  const EntrySpec *add = (*m)->manifest().findEntry("add");
  ASSERT_NE(add, nullptr);
  float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {10, 20, 30, 40, 50, 60}, c[6] = {};
  ASSERT_TRUE((*m)->callInPlace(*add, {a, b, c}).isOk());
  EXPECT_EQ(c[0], 11.0f);
  EXPECT_EQ(c[5], 66.0f);
  // The output written where the caller said: swap roles, nothing copied.
  ASSERT_TRUE((*m)->callInPlace(*add, {c, a, b}).isOk());
  EXPECT_EQ(b[5], 72.0f);
  Status wrong = (*m)->callInPlace(*add, {a, b});
  EXPECT_EQ(wrong.message(),
            "entry 'add' takes 3 buffers (inputs, then outputs), got 2");
}

TEST(ModuleCpu, OutputsArePoisonedBeforeTheCall) {
  Expected<std::unique_ptr<Module>> m = Module::load(RESCALE_TEST_MODULE_PATH);
  ASSERT_TRUE(m.isOk());
  std::vector<HostTensor> in;
  in.push_back(makeF32({3}, {1, 2, 3}));
  Expected<std::vector<HostTensor>> out = (*m)->run("forgets_output", in);
  ASSERT_TRUE(out.isOk());
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(std::isnan((*out)[0].dataAs<float>()[i]));
}

TEST(ModuleCpu, SignatureMismatchesAreClearErrors) {
  Expected<std::unique_ptr<Module>> m = Module::load(RESCALE_TEST_MODULE_PATH);
  ASSERT_TRUE(m.isOk());
  Module &mod = **m;
  std::vector<HostTensor> one;
  one.push_back(makeF32({2, 3}, {}));
  EXPECT_EQ(errorOf(mod.run("add", one)), "entry 'add' takes 2 inputs, got 1");
  std::vector<HostTensor> wrongShape;
  wrongShape.push_back(makeF32({2, 3}, {}));
  wrongShape.push_back(makeF32({3, 2}, {}));
  EXPECT_EQ(errorOf(mod.run("add", wrongShape)),
            "entry 'add' input 1: expected f32[2,3], got f32[3,2]");
  std::vector<HostTensor> wrongType;
  wrongType.push_back(makeF32({2, 3}, {}));
  wrongType.push_back(HostTensor::create(DType::I32, {2, 3}).take());
  EXPECT_EQ(errorOf(mod.run("add", wrongType)),
            "entry 'add' input 1: expected f32[2,3], got i32[2,3]");
  EXPECT_EQ(errorOf(mod.run("mul", one)),
            "unknown entry 'mul' (available: add, forgets_output)");
}

TEST(ModuleCpu, LoadErrorsNameTheFile) {
  TempDir dir;
  EXPECT_NE(errorOf(Module::load(dir.file("absent.so")))
                .find("cannot open '" + dir.file("absent.manifest.json") + "'"),
            std::string::npos);
  // A manifest beside a missing library.
  writeText(dir.file("m.manifest.json"),
            R"({"format":"rescale-module","version":2,"target":"cpu",
                "module_sha256":")" +
                std::string(64, '0') + R"(","entries":[]})");
  EXPECT_NE(errorOf(Module::load(dir.file("m.so")))
                .find("cannot load module '" + dir.file("m.so") + "'"),
            std::string::npos);
  // A manifest naming a symbol the library lacks.
  writeText(dir.file("bad.manifest.json"),
            R"({"format":"rescale-module","version":2,"target":"cpu",
                "module_sha256":")" +
                digestOf(RESCALE_TEST_MODULE_PATH) +
                R"(","entries":[{"name":"nope","inputs":[],"outputs":[]}]})");
  EXPECT_NE(errorOf(Module::load(RESCALE_TEST_MODULE_PATH,
                                 dir.file("bad.manifest.json")))
                .find("has no symbol '_rescale_entry_nope' for entry 'nope'"),
            std::string::npos);
}

// Issue 16 §5: a module replaced after compilation, its old manifest kept,
// ran with the old shapes (heap overflow). The manifest names the module
// file's SHA-256, and load refuses any other file before dlopen.
TEST(ModuleCpu, AModuleThatIsNotTheManifestsIsRefused) {
  TempDir dir;
  // The cuda fixture where the cpu fixture was: same name, old manifest.
  copyFile(RESCALE_CUDA_TEST_MODULE_PATH, dir.file("m.so"));
  copyFile(manifestPathFor(RESCALE_TEST_MODULE_PATH),
           dir.file("m.manifest.json"));
  std::string e = errorOf(Module::load(dir.file("m.so")));
  EXPECT_EQ(e.rfind("cannot load module '" + dir.file("m.so") +
                        "': it is not the module its manifest was written "
                        "for (the file's SHA-256 is " +
                        digestOf(RESCALE_CUDA_TEST_MODULE_PATH).substr(0, 16),
                    0),
            0u)
      << e;
  // One byte changed is another module too.
  copyFile(RESCALE_TEST_MODULE_PATH, dir.file("m.so"));
  ASSERT_TRUE(Module::load(dir.file("m.so")).isOk());
  {
    std::fstream f(dir.file("m.so"),
                   std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(-1, std::ios::end);
    f.put('\x5a');
  }
  EXPECT_NE(errorOf(Module::load(dir.file("m.so")))
                .find("is not the module its manifest was written for"),
            std::string::npos);
}

TEST(ModuleCpu, ImageChecksRunWithoutDlopen) {
  Expected<Manifest> m =
      readManifest(manifestPathFor(RESCALE_TEST_MODULE_PATH));
  ASSERT_TRUE(m.isOk()) << m.status().message();
  std::ifstream in(RESCALE_TEST_MODULE_PATH, std::ios::binary);
  std::string image((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  const auto *bytes = reinterpret_cast<const uint8_t *>(image.data());
  EXPECT_TRUE(checkModuleImage(*m, bytes, image.size(), "m.so").isOk());
  // Every truncation is refused, by the ELF checks or by the digest.
  for (size_t n = 0; n < image.size(); n += 97)
    EXPECT_FALSE(checkModuleImage(*m, bytes, n, "m.so").isOk()) << n;
  EXPECT_NE(errorOf(checkModuleImage(*m, bytes, 10, "m.so"))
                .find("shorter than an ELF header"),
            std::string::npos);
}

TEST_F(FakeDriverTest, CudaModuleWithoutADriverFailsWithOneClearError) {
  ::setenv("RESCALE_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1);
  resetCudaDriverForTesting();
  Expected<std::unique_ptr<Module>> m =
      Module::load(RESCALE_CUDA_TEST_MODULE_PATH);
  std::string e = errorOf(m);
  EXPECT_EQ(e.rfind("cannot run cuda module '", 0), 0u) << e;
  EXPECT_NE(e.find("': no CUDA driver or device found (cannot load "
                   "/nonexistent/libcuda.so.1"),
            std::string::npos)
      << e;
}

TEST_F(FakeDriverTest, CudaModuleLoadsKernelsInItsConstructorAndRuns) {
  Expected<std::unique_ptr<Module>> m =
      Module::load(RESCALE_CUDA_TEST_MODULE_PATH);
  ASSERT_TRUE(m.isOk()) << m.status().message();
  EXPECT_GE(find("cuModuleLoadDataEx"), 0) << "kernels load at dlopen";
  Expected<std::vector<HostTensor>> out = (*m)->run("fill", {});
  ASSERT_TRUE(out.isOk()) << out.status().message();
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ((*out)[0].dataAs<float>()[i], 1.0f);
  // Output uploaded (carrying the poison), kernel launched, result copied back.
  int upload = find("cuMemcpyHtoD bytes=16");
  int launch = find("cuLaunchKernel kernel=fill_kernel grid=1,1,1 block=4,1,1");
  int download = find("cuMemcpyDtoH bytes=16");
  EXPECT_GE(upload, 0);
  EXPECT_GT(launch, upload);
  EXPECT_GT(download, launch);
  m->reset(); // dlclose runs the module destructor
  EXPECT_GE(find("cuModuleUnload"), 0);
}

TEST_F(FakeDriverTest, CudaModuleKernelLoadFailureIsReportedAtLoad) {
  ::setenv("RESCALE_TEST_BAD_PTX", "1", 1);
  Expected<std::unique_ptr<Module>> m =
      Module::load(RESCALE_CUDA_TEST_MODULE_PATH);
  std::string e = errorOf(m);
  EXPECT_NE(e.find("loading the kernels of '"), std::string::npos) << e;
  EXPECT_NE(e.find("CUDA_ERROR_INVALID_PTX"), std::string::npos) << e;
  EXPECT_NE(e.find("JIT log: ptxas fatal"), std::string::npos) << e;
}

TEST_F(FakeDriverTest, CudaEntryErrorsComeBackFromRun) {
  Expected<std::unique_ptr<Module>> m =
      Module::load(RESCALE_CUDA_TEST_MODULE_PATH);
  ASSERT_TRUE(m.isOk()) << m.status().message();
  ::setenv("RESCALE_FAKE_CUDA_FAIL", "cuLaunchKernel:700", 1);
  EXPECT_EQ(errorOf((*m)->run("fill", {})),
            "entry 'fill': cuLaunchKernel failed for kernel 'fill_kernel' "
            "(grid 1x1x1, block 4x1x1, dynamic shared memory 0 bytes): "
            "CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory access was "
            "encountered)");
}

TEST_F(FakeDriverTest, DeviceArgumentsForAHostComputedModule) {
  // The cpu fixture's `add` reading "device" buffers: under the fake, device
  // memory is host memory, so this checks the upload/call/download path.
  TempDir dir;
  std::string manifest = dir.file("add.manifest.json");
  writeText(manifest,
            R"({"format":"rescale-module","version":2,"target":"cuda",
                "module_sha256":")" +
                digestOf(RESCALE_TEST_MODULE_PATH) + R"(",
                "chip":"sm_90","arg_memory":"device","entries":[
                {"name":"add","inputs":[{"dtype":"f32","shape":[2,3]},
                {"dtype":"f32","shape":[2,3]}],
                "outputs":[{"dtype":"f32","shape":[2,3]}]}]})");
  Expected<std::unique_ptr<Module>> m =
      Module::load(RESCALE_TEST_MODULE_PATH, manifest);
  ASSERT_TRUE(m.isOk()) << m.status().message();
  std::vector<HostTensor> in;
  in.push_back(makeF32({2, 3}, {1, 2, 3, 4, 5, 6}));
  in.push_back(makeF32({2, 3}, {1, 1, 1, 1, 1, 1}));
  Expected<std::vector<HostTensor>> out = (*m)->run("add", in);
  ASSERT_TRUE(out.isOk()) << out.status().message();
  EXPECT_EQ((*out)[0].dataAs<float>()[0], 2.0f);
  EXPECT_EQ((*out)[0].dataAs<float>()[5], 7.0f);
  // Three buffers from the caching allocator, all returned after the call.
  EXPECT_EQ(DeviceAllocator::global().stats().liveBytes, 0u);

  // callInPlace on buffers that stay on the device: no upload or download.
  const EntrySpec *add = (*m)->manifest().findEntry("add");
  Expected<DeviceTensor> x = DeviceTensor::upload(in[0]);
  Expected<DeviceTensor> y = DeviceTensor::upload(in[1]);
  Expected<DeviceTensor> z = DeviceTensor::allocate(DType::F32, {2, 3});
  ASSERT_TRUE(x.isOk() && y.isOk() && z.isOk());
  ASSERT_TRUE(
      (*m)->callInPlace(*add, {x->data(), y->data(), z->data()}).isOk());
  Expected<HostTensor> sum = z->download();
  ASSERT_TRUE(sum.isOk());
  EXPECT_EQ(sum->dataAs<float>()[5], 7.0f);
}
