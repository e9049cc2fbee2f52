//===- Json.h - A small JSON value and parser -------------------*- C++ -*-===//
//
// Enough JSON for manifests and safetensors headers: objects keep key order,
// numbers keep their integer value exactly when they are integers, depth and
// size are bounded, and every syntax error names its byte offset.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_RUNTIME_JSON_H
#define RESCALE_RUNTIME_JSON_H

#include "rescale/runtime/Export.h"
#include "rescale/runtime/Status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rescale::runtime {

class JsonValue {
public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  JsonValue() = default;
  RESCALE_RUNTIME_API static JsonValue makeBool(bool b);
  RESCALE_RUNTIME_API static JsonValue makeNumber(double d, bool isInteger,
                                                  int64_t integer);
  RESCALE_RUNTIME_API static JsonValue makeString(std::string s);
  RESCALE_RUNTIME_API static JsonValue
  makeArray(std::vector<JsonValue> elements);
  RESCALE_RUNTIME_API static JsonValue
  makeObject(std::vector<std::pair<std::string, JsonValue>> m);

  Kind kind() const { return kind_; }
  bool isNull() const { return kind_ == Kind::Null; }
  bool isBool() const { return kind_ == Kind::Bool; }
  bool isNumber() const { return kind_ == Kind::Number; }
  /// A number written without fraction/exponent that fits in int64.
  bool isInteger() const { return kind_ == Kind::Number && isInteger_; }
  bool isString() const { return kind_ == Kind::String; }
  bool isArray() const { return kind_ == Kind::Array; }
  bool isObject() const { return kind_ == Kind::Object; }

  bool getBool() const { return bool_; }
  double getNumber() const { return number_; }
  int64_t getInteger() const { return integer_; }
  const std::string &getString() const { return string_; }
  const std::vector<JsonValue> &getArray() const { return array_; }
  const std::vector<std::pair<std::string, JsonValue>> &getObject() const {
    return object_;
  }
  /// Object member or nullptr.
  RESCALE_RUNTIME_API const JsonValue *get(std::string_view key) const;

  /// Compact serialization (used by writers).
  RESCALE_RUNTIME_API std::string serialize() const;

private:
  Kind kind_ = Kind::Null;
  bool bool_ = false;
  bool isInteger_ = false;
  double number_ = 0;
  int64_t integer_ = 0;
  std::string string_;
  std::vector<JsonValue> array_;
  std::vector<std::pair<std::string, JsonValue>> object_;
};

/// Parse exactly one JSON value (surrounding whitespace allowed). Duplicate
/// object keys are an error (a safetensors header must be unambiguous).
RESCALE_RUNTIME_API Expected<JsonValue> parseJson(std::string_view text);

/// JSON string literal with escapes, including the quotes.
RESCALE_RUNTIME_API std::string jsonQuote(std::string_view s);

} // namespace rescale::runtime

#endif // RESCALE_RUNTIME_JSON_H
