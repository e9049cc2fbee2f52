//===- HostTensor.cpp - A dense row-major tensor in host memory ----------===//
#include "rescale/runtime/HostTensor.h"

#include "rescale/runtime/Float.h"

#include <cmath>
#include <cstdlib>
#include <limits>

namespace rescale::runtime {

Expected<int64_t> checkedNumElements(const std::vector<int64_t> &shape) {
  constexpr int64_t kMax = int64_t(1) << 62;
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return Status::error("negative dimension in shape " + formatShape(shape));
    if (d != 0 && n > kMax / d)
      return Status::error("shape " + formatShape(shape) + " is too large");
    n *= d;
  }
  return n;
}

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

void HostTensor::Free::operator()(uint8_t *p) const { std::free(p); }

Expected<HostTensor> HostTensor::create(DType dtype,
                                        std::vector<int64_t> shape) {
  Expected<int64_t> n = checkedNumElements(shape);
  if (!n)
    return n.status();
  size_t elemBytes = dtypeByteSize(dtype);
  if (uint64_t(*n) > std::numeric_limits<size_t>::max() / elemBytes / 2)
    return Status::error("shape " + formatShape(shape) + " is too large");
  HostTensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.numElements_ = *n;
  t.numBytes_ = size_t(*n) * elemBytes;
  // aligned_alloc needs a size that is a multiple of the alignment; allocate
  // at least one block so that data() is never null.
  size_t rounded = (t.numBytes_ + 63) / 64 * 64;
  if (rounded == 0)
    rounded = 64;
  void *p = std::aligned_alloc(64, rounded);
  if (!p)
    return Status::error("out of host memory allocating " +
                         std::to_string(rounded) + " bytes for " +
                         t.typeString());
  std::memset(p, 0, rounded);
  t.data_.reset(static_cast<uint8_t *>(p));
  return t;
}

Expected<HostTensor> HostTensor::fromBytes(DType dtype,
                                           std::vector<int64_t> shape,
                                           const void *data, size_t size) {
  Expected<HostTensor> t = create(dtype, std::move(shape));
  if (!t)
    return t;
  if (size != t->numBytes())
    return Status::error(t->typeString() + " needs " +
                         std::to_string(t->numBytes()) + " bytes, got " +
                         std::to_string(size));
  if (size)
    std::memcpy(t->data(), data, size);
  return t;
}

void HostTensor::poison() {
  switch (dtype_) {
  case DType::F32: {
    float nan = std::numeric_limits<float>::quiet_NaN();
    for (int64_t i = 0; i < numElements_; ++i)
      dataAs<float>()[i] = nan;
    return;
  }
  case DType::F64: {
    double nan = std::numeric_limits<double>::quiet_NaN();
    for (int64_t i = 0; i < numElements_; ++i)
      dataAs<double>()[i] = nan;
    return;
  }
  case DType::F16:
  case DType::BF16: {
    uint16_t nan = dtype_ == DType::F16 ? 0x7e00 : 0x7fc0;
    for (int64_t i = 0; i < numElements_; ++i)
      dataAs<uint16_t>()[i] = nan;
    return;
  }
  case DType::F8E4M3FN:
  case DType::F8E8M0FNU:
    // The NaN encodings: S.1111.111 for E4M3FN, 0xFF for E8M0.
    std::memset(data(), dtype_ == DType::F8E4M3FN ? 0x7f : 0xff, numBytes_);
    return;
  default:
    std::memset(data(), 0xa5, numBytes_);
    return;
  }
}

HostTensor HostTensor::clone() const {
  Expected<HostTensor> t = fromBytes(dtype_, shape_, data(), numBytes_);
  return t ? t.take() : HostTensor();
}

std::string HostTensor::typeString() const {
  return std::string(dtypeName(dtype_)) + formatShape(shape_);
}

static bool isConvertibleFloat(DType d) {
  return d == DType::F32 || d == DType::F64 || d == DType::F16 ||
         d == DType::BF16;
}
static double loadAsF64(const HostTensor &t, int64_t i) {
  switch (t.dtype()) {
  case DType::F32:
    return t.dataAs<float>()[i];
  case DType::F64:
    return t.dataAs<double>()[i];
  case DType::F16:
    return f16ToF32(t.dataAs<uint16_t>()[i]);
  default:
    return bf16ToF32(t.dataAs<uint16_t>()[i]);
  }
}
static void storeFromF64(HostTensor &t, int64_t i, double v) {
  switch (t.dtype()) {
  case DType::F32:
    t.dataAs<float>()[i] = float(v);
    return;
  case DType::F64:
    t.dataAs<double>()[i] = v;
    return;
  case DType::F16:
    // Through f32: exact for f32/f16/bf16 sources; an f64 source may
    // double-round (f64 files are not a bf16/f16 boundary format).
    t.dataAs<uint16_t>()[i] = f32ToF16(float(v));
    return;
  default:
    t.dataAs<uint16_t>()[i] = f32ToBf16(float(v));
    return;
  }
}

Expected<HostTensor> convertTensor(const HostTensor &src, DType to) {
  if (src.dtype() == to)
    return src.clone();
  if (!isConvertibleFloat(src.dtype()) || !isConvertibleFloat(to))
    return Status::error("cannot convert " + src.typeString() + " to " +
                         std::string(dtypeName(to)));
  Expected<HostTensor> dst = HostTensor::create(to, src.shape());
  if (!dst)
    return dst;
  for (int64_t i = 0; i < src.numElements(); ++i)
    storeFromF64(*dst, i, loadAsF64(src, i));
  return dst;
}

} // namespace rescale::runtime
