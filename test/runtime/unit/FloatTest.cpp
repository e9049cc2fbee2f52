//===- FloatTest.cpp - bf16/f16 conversions, dtypes, tensor conversion ---===//
#include "TestUtil.h"

#include "rescale/runtime/Float.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace rescale::runtime;
using namespace rescale::runtime::testing;

static float fromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

TEST(Bf16, RoundsToNearestEven) {
  EXPECT_EQ(f32ToBf16(1.0f), 0x3f80);
  // Exactly halfway between 0x3f80 and 0x3f81: ties go to the even 0x3f80.
  EXPECT_EQ(f32ToBf16(fromBits(0x3f808000u)), 0x3f80);
  // Halfway between 0x3f81 and 0x3f82: ties go to the even 0x3f82.
  EXPECT_EQ(f32ToBf16(fromBits(0x3f818000u)), 0x3f82);
  // Just above halfway rounds up.
  EXPECT_EQ(f32ToBf16(fromBits(0x3f808001u)), 0x3f81);
  EXPECT_EQ(f32ToBf16(-2.0f), 0xc000);
  // The largest finite f32 rounds to bf16 infinity.
  EXPECT_EQ(f32ToBf16(std::numeric_limits<float>::max()), 0x7f80);
}

TEST(Bf16, NaNStaysNaN) {
  uint16_t b = f32ToBf16(fromBits(0x7f800001u)); // payload only in low bits
  EXPECT_TRUE(std::isnan(bf16ToF32(b)));
  EXPECT_TRUE(std::isnan(bf16ToF32(f32ToBf16(-std::nanf("")))));
}

TEST(Bf16, EveryValueRoundTrips) {
  for (uint32_t b = 0; b < 0x10000; ++b) {
    float f = bf16ToF32(uint16_t(b));
    if (std::isnan(f))
      continue;
    ASSERT_EQ(f32ToBf16(f), b) << "bf16 bits " << b;
  }
}

TEST(F16, RoundsToNearestEven) {
  EXPECT_EQ(f32ToF16(1.0f), 0x3c00);
  EXPECT_EQ(f32ToF16(65504.0f), 0x7bff);              // max finite
  EXPECT_EQ(f32ToF16(65519.0f), 0x7bff);              // below the midpoint
  EXPECT_EQ(f32ToF16(65520.0f), 0x7c00);              // the midpoint: to inf
  EXPECT_EQ(f32ToF16(std::ldexp(1.0f, -24)), 0x0001); // min subnormal
  EXPECT_EQ(f32ToF16(std::ldexp(1.0f, -25)), 0x0000); // tie to even 0
  EXPECT_EQ(f32ToF16(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_EQ(f32ToF16(std::ldexp(3.0f, -25)), 0x0002); // 1.5 ulp: tie to 2
  EXPECT_EQ(f32ToF16(std::ldexp(1.0f, -14)), 0x0400); // min normal
  // 1 + 2^-11 is the tie between 1 and 1 + 2^-10: even is 1.
  EXPECT_EQ(f32ToF16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  EXPECT_EQ(f32ToF16(-0.0f), 0x8000);
  EXPECT_TRUE(std::isnan(f16ToF32(f32ToF16(std::nanf("")))));
}

TEST(F16, EveryValueRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = f16ToF32(uint16_t(h));
    if (std::isnan(f))
      continue;
    ASSERT_EQ(f32ToF16(f), h) << "f16 bits " << h;
  }
}

TEST(SmallFloats, Decode) {
  EXPECT_EQ(f8E4M3FNToF32(0x7e), 448.0f);
  EXPECT_EQ(f8E4M3FNToF32(0x38), 1.0f);
  EXPECT_EQ(f8E4M3FNToF32(0x01), std::ldexp(1.0f, -9));
  EXPECT_TRUE(std::isnan(f8E4M3FNToF32(0x7f)));
  EXPECT_EQ(f4E2M1FNToF32(0x7), 6.0f);
  EXPECT_EQ(f4E2M1FNToF32(0xb), -1.5f);
  EXPECT_EQ(f8E8M0FNUToF32(127), 1.0f);
  EXPECT_TRUE(std::isnan(f8E8M0FNUToF32(0xff)));
}

TEST(DTypes, NamesRoundTrip) {
  for (const char *name : {"f32", "f64", "f16", "bf16", "i1", "i4", "i8", "i32",
                           "i64", "u8", "f8E4M3FN", "f8E8M0FNU", "f4E2M1FN"}) {
    Expected<DType> d = parseDType(name);
    ASSERT_TRUE(d.isOk()) << name;
    EXPECT_EQ(dtypeName(*d), name);
  }
  EXPECT_EQ(dtypeByteSize(DType::F4E2M1FN), 1u); // one byte per element
  EXPECT_NE(errorOf(parseDType("f7")).find("unknown dtype 'f7'"),
            std::string::npos);
}

TEST(HostTensorTest, ConvertF32ToBf16AndBack) {
  HostTensor x = makeF32({3}, {1.0f, fromBits(0x3f818000u), -3.5f});
  Expected<HostTensor> b = convertTensor(x, DType::BF16);
  ASSERT_TRUE(b.isOk());
  EXPECT_EQ(b->dataAs<uint16_t>()[1], 0x3f82); // RNE at the boundary
  Expected<HostTensor> back = convertTensor(*b, DType::F32);
  ASSERT_TRUE(back.isOk());
  EXPECT_EQ(back->dataAs<float>()[0], 1.0f);
  EXPECT_EQ(back->dataAs<float>()[2], -3.5f);
  EXPECT_NE(errorOf(convertTensor(x, DType::I8)).find("cannot convert"),
            std::string::npos);
}

TEST(HostTensorTest, RejectsBadShapes) {
  EXPECT_NE(errorOf(HostTensor::create(DType::F32, {2, -1})).find("negative"),
            std::string::npos);
  EXPECT_NE(errorOf(HostTensor::create(DType::F32, {1 << 30, 1 << 30, 1 << 30}))
                .find("too large"),
            std::string::npos);
}

TEST(HostTensorTest, PoisonIsNaNForFloats) {
  Expected<HostTensor> t = HostTensor::create(DType::BF16, {4});
  ASSERT_TRUE(t.isOk());
  t->poison();
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(std::isnan(bf16ToF32(t->dataAs<uint16_t>()[i])));
  HostTensor f = makeF32({2}, {1, 2});
  f.poison();
  EXPECT_TRUE(std::isnan(f.dataAs<float>()[0]));
}
