//===- NpyTest.cpp - .npy round trips and malformed files ----------------===//
#include "TestUtil.h"

#include "rescale/runtime/Npy.h"

#include <fstream>

using namespace rescale::runtime;
using namespace rescale::runtime::testing;

/// An .npy image with an explicit (possibly lying) header length.
static std::string npyImage(const std::string &dict, const std::string &data,
                            int headerLenOverride = -1) {
  std::string header = dict;
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  size_t len =
      headerLenOverride >= 0 ? size_t(headerLenOverride) : header.size();
  std::string out = "\x93NUMPY";
  out += char(1);
  out += char(0);
  out += char(len & 0xff);
  out += char((len >> 8) & 0xff);
  return out + header + data;
}

static Expected<HostTensor> parse(const std::string &bytes) {
  return parseNpy(reinterpret_cast<const uint8_t *>(bytes.data()),
                  bytes.size());
}

static std::string bytesOf(std::initializer_list<float> values) {
  std::string s;
  for (float v : values)
    s.append(reinterpret_cast<const char *>(&v), 4);
  return s;
}

TEST(Npy, ParsesWhatNumpyWrites) {
  // np.save of np.arange(6, dtype=np.float32).reshape(2, 3).
  std::string img =
      npyImage("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
               bytesOf({0, 1, 2, 3, 4, 5}));
  ASSERT_EQ(img.size() % 64, 24u); // header padded to 64, then 24 data bytes
  Expected<HostTensor> t = parse(img);
  ASSERT_TRUE(t.isOk()) << t.status().message();
  EXPECT_EQ(t->typeString(), "f32[2,3]");
  EXPECT_EQ(t->dataAs<float>()[5], 5.0f);
}

TEST(Npy, RoundTripsEveryDType) {
  TempDir dir;
  for (DType d : {DType::F32, DType::F64, DType::F16, DType::I8, DType::I32,
                  DType::I64, DType::U8, DType::U16, DType::I1}) {
    for (std::vector<int64_t> shape :
         {std::vector<int64_t>{}, {5}, {2, 3}, {1, 7, 0}, {2, 1, 3, 4}}) {
      Expected<HostTensor> t = HostTensor::create(d, shape);
      ASSERT_TRUE(t.isOk());
      for (size_t i = 0; i < t->numBytes(); ++i)
        t->data()[i] = uint8_t(i * 37 + 11);
      if (d == DType::I1)
        for (size_t i = 0; i < t->numBytes(); ++i)
          t->data()[i] &= 1;
      std::string path = dir.file("t.npy");
      ASSERT_TRUE(writeNpy(path, *t).isOk());
      Expected<HostTensor> back = readNpy(path);
      ASSERT_TRUE(back.isOk()) << back.status().message();
      EXPECT_EQ(back->typeString(), t->typeString());
      ASSERT_EQ(back->numBytes(), t->numBytes());
      EXPECT_EQ(std::memcmp(back->data(), t->data(), t->numBytes()), 0);
    }
  }
}

TEST(Npy, WrittenHeaderIsAlignedAndNumpyStyle) {
  HostTensor t = makeF32({5}, {1, 2, 3, 4, 5});
  Expected<std::string> bytes = serializeNpy(t);
  ASSERT_TRUE(bytes.isOk());
  size_t headerLen = uint8_t((*bytes)[8]) | (uint8_t((*bytes)[9]) << 8);
  EXPECT_EQ((10 + headerLen) % 64, 0u);
  EXPECT_NE(bytes->find("'shape': (5,)"), std::string::npos);
  EXPECT_EQ((*bytes)[10 + headerLen - 1], '\n');
}

TEST(Npy, Bf16HasNoNpyDType) {
  Expected<HostTensor> t = HostTensor::create(DType::BF16, {2});
  ASSERT_TRUE(t.isOk());
  EXPECT_NE(errorOf(serializeNpy(*t)).find("write bf16 as f32"),
            std::string::npos);
}

TEST(Npy, MalformedFilesGiveClearErrors) {
  const std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  const std::string data = bytesOf({1, 2});
  struct Case {
    const char *what;
    std::string bytes;
    const char *expected;
  } cases[] = {
      {"empty", "", "not an npy file"},
      {"bad magic", std::string("\x93NUMPZ\x01\x00\x00\x00", 10), "bad magic"},
      {"lying header length", npyImage(dict, data, 4000),
       "truncated npy header"},
      {"short data", npyImage(dict, bytesOf({1})), "data size mismatch"},
      {"long data", npyImage(dict, bytesOf({1, 2, 3})), "data size mismatch"},
      {"unknown dtype",
       npyImage("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }",
                data),
       "unsupported npy dtype '<c8'"},
      {"big endian",
       npyImage("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }",
                data),
       "big-endian"},
      {"fortran order",
       npyImage("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }",
                data),
       "Fortran-order"},
      {"missing key", npyImage("{'descr': '<f4', 'shape': (2,), }", data),
       "header lacks"},
      {"bad shape",
       npyImage("{'descr': '<f4', 'fortran_order': False, 'shape': (x,), }",
                data),
       "shape entries"},
      {"huge shape",
       npyImage("{'descr': '<f4', 'fortran_order': False, 'shape': "
                "(999999999999999999999,), }",
                data),
       "shape entry too large"},
      {"overflowing shape",
       npyImage("{'descr': '<f4', 'fortran_order': False, 'shape': "
                "(4294967296, 4294967296), }",
                data),
       "too large"},
      {"version 9", std::string("\x93NUMPY\x09\x00\x00\x00", 10),
       "unsupported npy format version 9.0"},
  };
  for (const Case &c : cases) {
    Expected<HostTensor> t = parse(c.bytes);
    ASSERT_FALSE(t.isOk()) << c.what;
    EXPECT_NE(t.status().message().find(c.expected), std::string::npos)
        << c.what << ": " << t.status().message();
  }
}

TEST(Npy, EveryTruncationIsAnErrorNotACrash) {
  HostTensor t = makeF32({2, 3}, {1, 2, 3, 4, 5, 6});
  Expected<std::string> bytes = serializeNpy(t);
  ASSERT_TRUE(bytes.isOk());
  for (size_t n = 0; n < bytes->size(); ++n) {
    std::string prefix = bytes->substr(0, n);
    EXPECT_FALSE(parse(prefix).isOk()) << "prefix of " << n << " bytes";
  }
  // Flipping any single header byte may still parse, but must not crash.
  for (size_t i = 0; i < 74; ++i) {
    std::string flipped = *bytes;
    flipped[i] = char(flipped[i] ^ 0x5a);
    (void)parse(flipped);
  }
}

TEST(Npy, MissingFileNamesThePath) {
  EXPECT_NE(errorOf(readNpy("/nonexistent/x.npy"))
                .find("cannot open '/nonexistent/x.npy'"),
            std::string::npos);
}
