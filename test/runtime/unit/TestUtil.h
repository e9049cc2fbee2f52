//===- TestUtil.h - Helpers for the runtime unit tests ----------*- C++ -*-===//
#ifndef RESCALE_TEST_RUNTIME_TESTUTIL_H
#define RESCALE_TEST_RUNTIME_TESTUTIL_H

#include "rescale/runtime/HostTensor.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <unistd.h>

namespace rescale::runtime::testing {

/// ASSERT that an Expected/Status failed and return its message.
template <typename T> std::string errorOf(const T &result) {
  EXPECT_FALSE(result.isOk()) << "expected an error";
  if constexpr (std::is_same_v<T, Status>)
    return result.message();
  else
    return result.status().message();
}

/// A fresh directory under $TMPDIR, removed (best effort) at destruction.
class TempDir {
public:
  TempDir() {
    const char *base = std::getenv("TMPDIR");
    std::string tmpl =
        std::string(base && *base ? base : "/tmp") + "/rescale-rt-test-XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~TempDir() {
    if (!path_.empty())
      std::system(("rm -rf '" + path_ + "'").c_str());
  }
  std::string file(const std::string &name) const { return path_ + "/" + name; }

private:
  std::string path_;
};

inline HostTensor makeF32(std::vector<int64_t> shape,
                          std::initializer_list<float> values) {
  Expected<HostTensor> t = HostTensor::create(DType::F32, std::move(shape));
  EXPECT_TRUE(t.isOk());
  int64_t i = 0;
  for (float v : values)
    t->dataAs<float>()[i++] = v;
  return t.take();
}

} // namespace rescale::runtime::testing

#endif // RESCALE_TEST_RUNTIME_TESTUTIL_H
