//===- JsonUtil.h - Building and reading the trainer's JSON files -*- C++
//-*-===//
#ifndef RESCALE_TRAINER_JSONUTIL_H
#define RESCALE_TRAINER_JSONUTIL_H

#include "rescale/runtime/Json.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rescale::trainer {

using JsonObject = std::vector<std::pair<std::string, runtime::JsonValue>>;

inline runtime::JsonValue jsonInt(int64_t v) {
  return runtime::JsonValue::makeNumber(static_cast<double>(v), true, v);
}
/// Serialized with %.17g, so a double survives the round trip exactly.
inline runtime::JsonValue jsonNumber(double v) {
  return runtime::JsonValue::makeNumber(v, false, 0);
}
inline runtime::JsonValue jsonString(std::string s) {
  return runtime::JsonValue::makeString(std::move(s));
}
inline runtime::JsonValue jsonBool(bool b) {
  return runtime::JsonValue::makeBool(b);
}

/// A JSON number as a non-negative integer index ("step", "position").
inline bool asNonNegativeInt(const runtime::JsonValue *v, int64_t &out) {
  if (!v || !v->isInteger() || v->getInteger() < 0)
    return false;
  out = v->getInteger();
  return true;
}

} // namespace rescale::trainer

#endif // RESCALE_TRAINER_JSONUTIL_H
