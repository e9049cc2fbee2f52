//===- SafetensorsTest.cpp - safetensors round trips and malformed files -===//
#include "TestUtil.h"

#include "rescale/runtime/Float.h"
#include "rescale/runtime/Safetensors.h"

using namespace rescale::runtime;
using namespace rescale::runtime::testing;

/// header JSON + data, with an optional lying header length.
static std::string image(const std::string &header, const std::string &data,
                         int64_t lenOverride = -1) {
  uint64_t len = lenOverride >= 0 ? uint64_t(lenOverride) : header.size();
  std::string out;
  for (int i = 0; i < 8; ++i)
    out += char((len >> (8 * i)) & 0xff);
  return out + header + data;
}

static Expected<SafetensorsFile> parse(const std::string &bytes) {
  return parseSafetensors(reinterpret_cast<const uint8_t *>(bytes.data()),
                          bytes.size());
}

static HostTensor filled(DType d, std::vector<int64_t> shape, uint8_t seed) {
  Expected<HostTensor> t = HostTensor::create(d, std::move(shape));
  EXPECT_TRUE(t.isOk());
  for (size_t i = 0; i < t->numBytes(); ++i)
    t->data()[i] = uint8_t(seed + i * 13);
  return t.take();
}

TEST(Safetensors, ParsesTheStandardLayout) {
  // As the reference Python writer lays out {"a": f32[2], "b": i8[3]}.
  std::string header =
      R"({"__metadata__":{"format":"pt"},)"
      R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("b":{"dtype":"I8","shape":[3],"data_offsets":[8,11]}})";
  float a[2] = {1.5f, -2.0f};
  std::string data(reinterpret_cast<const char *>(a), 8);
  data += std::string("\x01\xff\x07", 3);
  Expected<SafetensorsFile> f = parse(image(header, data));
  ASSERT_TRUE(f.isOk()) << f.status().message();
  ASSERT_EQ(f->tensors.size(), 2u);
  EXPECT_EQ(f->metadata.at("format"), "pt");
  EXPECT_EQ(f->find("a")->typeString(), "f32[2]");
  EXPECT_EQ(f->find("a")->dataAs<float>()[1], -2.0f);
  EXPECT_EQ(f->find("b")->dataAs<int8_t>()[1], -1);
}

TEST(Safetensors, RoundTripsEveryRequiredDType) {
  TempDir dir;
  SafetensorsFile file;
  file.metadata["producer"] = "rescale \"test\"";
  file.tensors.emplace_back("w.f32", filled(DType::F32, {2, 3}, 1));
  file.tensors.emplace_back("w.f16", filled(DType::F16, {3}, 2));
  file.tensors.emplace_back("w.bf16", filled(DType::BF16, {4, 1}, 3));
  file.tensors.emplace_back("q.i8", filled(DType::I8, {5}, 4));
  file.tensors.emplace_back("q.e4m3", filled(DType::F8E4M3FN, {2, 2}, 5));
  file.tensors.emplace_back("q.fp4", filled(DType::U8, {2, 8}, 6));
  file.tensors.emplace_back("ids.u16", filled(DType::U16, {3}, 8));
  file.tensors.emplace_back("empty", filled(DType::F32, {0, 4}, 7));
  std::string path = dir.file("m.safetensors");
  ASSERT_TRUE(writeSafetensors(path, file).isOk());
  Expected<SafetensorsFile> back = readSafetensors(path);
  ASSERT_TRUE(back.isOk()) << back.status().message();
  EXPECT_EQ(back->metadata, file.metadata);
  ASSERT_EQ(back->tensors.size(), file.tensors.size());
  for (const auto &[name, t] : file.tensors) {
    const HostTensor *b = back->find(name);
    ASSERT_NE(b, nullptr) << name;
    EXPECT_EQ(b->typeString(), t.typeString()) << name;
    EXPECT_EQ(std::memcmp(b->data(), t.data(), t.numBytes()), 0) << name;
  }
}

TEST(Safetensors, WriterAlignsTheDataSection) {
  SafetensorsFile file;
  file.tensors.emplace_back("x", filled(DType::F32, {3}, 1));
  Expected<std::string> bytes = serializeSafetensors(file);
  ASSERT_TRUE(bytes.isOk());
  uint64_t len = 0;
  for (int i = 7; i >= 0; --i)
    len = (len << 8) | uint8_t((*bytes)[i]);
  EXPECT_EQ(len % 8, 0u);
  EXPECT_EQ(bytes->size(), 8 + len + 12);
}

TEST(Safetensors, MalformedFilesGiveClearErrors) {
  const std::string data(16, '\0');
  auto one = [](const std::string &entry) {
    return std::string(R"({"t":)") + entry + "}";
  };
  struct Case {
    const char *what;
    std::string bytes;
    const char *expected;
  } cases[] = {
      {"shorter than the length field", std::string("\x05\x00", 2),
       "shorter than the 8-byte header length"},
      {"truncated header (lying length)",
       image(one(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})"), data,
             5000),
       "truncated header"},
      {"absurd header length", image("{}", data, int64_t(1) << 40),
       "exceeds the 100 MB limit"},
      {"header is not JSON", image("{\"t\": [", data), "invalid JSON"},
      {"header is not an object", image("[1,2]", data), "not a JSON object"},
      {"unknown dtype",
       image(one(R"({"dtype":"F7","shape":[2],"data_offsets":[0,8]})"), data),
       "unknown safetensors dtype 'F7'"},
      {"offsets past the end",
       image(one(R"({"dtype":"F32","shape":[8],"data_offsets":[0,32]})"), data),
       "run past the data section"},
      {"reversed offsets",
       image(one(R"({"dtype":"F32","shape":[1],"data_offsets":[8,4]})"), data),
       "0 <= begin <= end"},
      {"negative offsets",
       image(one(R"({"dtype":"F32","shape":[1],"data_offsets":[-4,0]})"), data),
       "0 <= begin <= end"},
      {"size disagrees with the shape",
       image(one(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})"), data),
       "needs 12 bytes but data_offsets span 8"},
      {"overflowing shape",
       image(one(R"({"dtype":"F32","shape":[4294967296,4294967296,4],)"
                 R"("data_offsets":[0,8]})"),
             data),
       "too large"},
      {"overlapping offsets",
       image(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
             R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
             data),
       "tensors 'a' [0, 8) and 'b' [4, 12) overlap"},
      {"duplicate names",
       image(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
             R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
             data),
       "duplicate key"},
      {"missing fields", image(one(R"({"dtype":"F32"})"), data),
       "needs string 'dtype'"},
      {"metadata value not a string",
       image(R"({"__metadata__":{"k":1}})", data), "is not a string"},
  };
  for (const Case &c : cases) {
    Expected<SafetensorsFile> f = parse(c.bytes);
    ASSERT_FALSE(f.isOk()) << c.what;
    EXPECT_NE(f.status().message().find(c.expected), std::string::npos)
        << c.what << ": " << f.status().message();
  }
}

TEST(Safetensors, EveryTruncationIsAnErrorNotACrash) {
  SafetensorsFile file;
  file.tensors.emplace_back("a", filled(DType::F32, {2, 2}, 1));
  file.tensors.emplace_back("b", filled(DType::BF16, {3}, 2));
  Expected<std::string> bytes = serializeSafetensors(file);
  ASSERT_TRUE(bytes.isOk());
  for (size_t n = 0; n < bytes->size(); ++n)
    EXPECT_FALSE(parse(bytes->substr(0, n)).isOk()) << n << " bytes";
  for (size_t i = 0; i < bytes->size(); ++i) {
    std::string flipped = *bytes;
    flipped[i] = char(flipped[i] ^ 0x21);
    (void)parse(flipped); // may parse, must not crash or read out of bounds
  }
}

TEST(Safetensors, WriterRejectsBadNamesAndDTypes) {
  SafetensorsFile dup;
  dup.tensors.emplace_back("x", filled(DType::F32, {1}, 1));
  dup.tensors.emplace_back("x", filled(DType::F32, {1}, 1));
  EXPECT_NE(errorOf(serializeSafetensors(dup)).find("unique"),
            std::string::npos);
  SafetensorsFile fp4;
  fp4.tensors.emplace_back("q", filled(DType::F4E2M1FN, {2}, 1));
  EXPECT_NE(errorOf(serializeSafetensors(fp4)).find("packFp4"),
            std::string::npos);
}

TEST(Fp4Packing, PacksLowNibbleFirstAndRoundTrips) {
  Expected<HostTensor> q = HostTensor::create(DType::F4E2M1FN, {2, 4});
  ASSERT_TRUE(q.isOk());
  const uint8_t codes[8] = {0x1, 0x7, 0xf, 0x0, 0x8, 0x3, 0xa, 0x5};
  std::memcpy(q->data(), codes, 8);
  Expected<HostTensor> packed = packFp4(*q);
  ASSERT_TRUE(packed.isOk());
  EXPECT_EQ(packed->typeString(), "u8[2,2]");
  EXPECT_EQ(packed->data()[0], 0x71);
  EXPECT_EQ(packed->data()[1], 0x0f);
  Expected<HostTensor> back = unpackFp4(*packed);
  ASSERT_TRUE(back.isOk());
  EXPECT_EQ(std::memcmp(back->data(), codes, 8), 0);
  EXPECT_EQ(f4E2M1FNToF32(back->data()[1]), 6.0f);

  Expected<HostTensor> odd = HostTensor::create(DType::F4E2M1FN, {3});
  ASSERT_TRUE(odd.isOk());
  EXPECT_NE(errorOf(packFp4(*odd)).find("even last dimension"),
            std::string::npos);
  q->data()[3] = 0x10;
  EXPECT_NE(errorOf(packFp4(*q)).find("above the low nibble"),
            std::string::npos);
}
