//===- FakeDriver.h - Fixture that routes the runtime to the fake driver -===//
#ifndef RESCALE_TEST_RUNTIME_FAKEDRIVER_H
#define RESCALE_TEST_RUNTIME_FAKEDRIVER_H

#include "TestUtil.h"

#include "rescale/runtime/Cuda.h"
#include "rescale/runtime/MgpuAbi.h"

#include <fstream>
#include <sstream>
#include <vector>

namespace rescale::runtime::testing {

/// Points RESCALE_CUDA_DRIVER at the recording fake (test/runtime/fixtures/
/// FakeCudaDriver.cpp), so the runtime loads it through its real dlopen path,
/// and gives each test a fresh driver state and call log.
class FakeDriverTest : public ::testing::Test {
protected:
  void SetUp() override {
    log_ = dir_.file("cuda-calls.log");
    ::setenv("RESCALE_CUDA_DRIVER", RESCALE_FAKE_CUDA_PATH, 1);
    ::setenv("RESCALE_FAKE_CUDA_LOG", log_.c_str(), 1);
    for (const char *knob :
         {"RESCALE_FAKE_CUDA_DEVICES", "RESCALE_FAKE_CUDA_FAIL",
          "RESCALE_FAKE_CUDA_SMEM_OPTIN", "RESCALE_FAKE_CUDA_PARAMS",
          "RESCALE_SYNC_LAUNCHES", "RESCALE_TEST_BAD_PTX"})
      ::unsetenv(knob);
    resetCudaDriverForTesting();
    mgpuSetDefaultDevice(0);
  }
  void TearDown() override {
    (void)takeLastCudaError();
    resetCudaDriverForTesting();
    mgpuSetDefaultDevice(0);
    ::unsetenv("RESCALE_CUDA_DRIVER");
    ::unsetenv("RESCALE_FAKE_CUDA_LOG");
    ::unsetenv("RESCALE_FAKE_CUDA_FAIL");
    ::unsetenv("RESCALE_SYNC_LAUNCHES");
  }

  std::vector<std::string> calls() const {
    std::ifstream in(log_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
      lines.push_back(line);
    return lines;
  }
  /// Index of the first logged call starting with `prefix`, or -1.
  int find(const std::string &prefix) const {
    std::vector<std::string> c = calls();
    for (size_t i = 0; i < c.size(); ++i)
      if (c[i].rfind(prefix, 0) == 0)
        return int(i);
    return -1;
  }
  std::string callLine(const std::string &prefix) const {
    int i = find(prefix);
    return i < 0 ? std::string("<no call ") + prefix + ">" : calls()[size_t(i)];
  }
  void clearLog() { std::ofstream(log_, std::ios::trunc); }

private:
  TempDir dir_;
  std::string log_;
};

} // namespace rescale::runtime::testing

#endif // RESCALE_TEST_RUNTIME_FAKEDRIVER_H
