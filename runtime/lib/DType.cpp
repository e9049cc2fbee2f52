//===- DType.cpp - Element types known to the runtime --------------------===//
#include "rescale/runtime/DType.h"

#include <string>

namespace rescale::runtime {

namespace {
struct DTypeInfo {
  DType dtype;
  const char *name;
  size_t bytes;
  bool isFloat;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::F32, "f32", 4, true},
    {DType::F64, "f64", 8, true},
    {DType::F16, "f16", 2, true},
    {DType::BF16, "bf16", 2, true},
    {DType::I1, "i1", 1, false},
    {DType::I4, "i4", 1, false},
    {DType::I8, "i8", 1, false},
    {DType::I32, "i32", 4, false},
    {DType::I64, "i64", 8, false},
    {DType::U8, "u8", 1, false},
    {DType::U16, "u16", 2, false},
    {DType::F8E4M3FN, "f8E4M3FN", 1, true},
    {DType::F8E8M0FNU, "f8E8M0FNU", 1, true},
    {DType::F4E2M1FN, "f4E2M1FN", 1, true},
};
} // namespace

static const DTypeInfo &info(DType dtype) {
  for (const DTypeInfo &i : kDTypes)
    if (i.dtype == dtype)
      return i;
  return kDTypes[0]; // unreachable: the table covers the enum
}

size_t dtypeByteSize(DType dtype) { return info(dtype).bytes; }
std::string_view dtypeName(DType dtype) { return info(dtype).name; }
bool isFloatDType(DType dtype) { return info(dtype).isFloat; }

Expected<DType> parseDType(std::string_view name) {
  for (const DTypeInfo &i : kDTypes)
    if (name == i.name)
      return i.dtype;
  if (name == "ui8")
    return DType::U8;
  if (name == "ui16")
    return DType::U16;
  std::string known;
  for (const DTypeInfo &i : kDTypes)
    known += std::string(known.empty() ? "" : " ") + i.name;
  return Status::error("unknown dtype '" + std::string(name) +
                       "' (known: " + known + ")");
}

} // namespace rescale::runtime
