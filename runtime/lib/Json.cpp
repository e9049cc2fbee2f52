//===- Json.cpp - A small JSON value and parser ---------------------------===//
//
// Recursive descent over a string_view with explicit bounds checks on every
// read, a nesting limit (so hostile input cannot overflow the stack) and
// errors that name the byte offset.
//
//===----------------------------------------------------------------------===//
#include "rescale/runtime/Json.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <unordered_set>

namespace rescale::runtime {

JsonValue JsonValue::makeBool(bool b) {
  JsonValue v;
  v.kind_ = Kind::Bool;
  v.bool_ = b;
  return v;
}
JsonValue JsonValue::makeNumber(double d, bool isInteger, int64_t integer) {
  JsonValue v;
  v.kind_ = Kind::Number;
  v.number_ = d;
  v.isInteger_ = isInteger;
  v.integer_ = integer;
  return v;
}
JsonValue JsonValue::makeString(std::string s) {
  JsonValue v;
  v.kind_ = Kind::String;
  v.string_ = std::move(s);
  return v;
}
JsonValue JsonValue::makeArray(std::vector<JsonValue> elements) {
  JsonValue v;
  v.kind_ = Kind::Array;
  v.array_ = std::move(elements);
  return v;
}
JsonValue
JsonValue::makeObject(std::vector<std::pair<std::string, JsonValue>> m) {
  JsonValue v;
  v.kind_ = Kind::Object;
  v.object_ = std::move(m);
  return v;
}

const JsonValue *JsonValue::get(std::string_view key) const {
  for (const auto &[k, v] : object_)
    if (k == key)
      return &v;
  return nullptr;
}

std::string jsonQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", c);
        out += buf;
      } else {
        out += c;
      }
    }
  }
  return out + "\"";
}

std::string JsonValue::serialize() const {
  switch (kind_) {
  case Kind::Null:
    return "null";
  case Kind::Bool:
    return bool_ ? "true" : "false";
  case Kind::Number: {
    if (isInteger_)
      return std::to_string(integer_);
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.17g", number_);
    return buf;
  }
  case Kind::String:
    return jsonQuote(string_);
  case Kind::Array: {
    std::string s = "[";
    for (size_t i = 0; i < array_.size(); ++i)
      s += (i ? "," : "") + array_[i].serialize();
    return s + "]";
  }
  case Kind::Object: {
    std::string s = "{";
    for (size_t i = 0; i < object_.size(); ++i)
      s += (i ? "," : "") + jsonQuote(object_[i].first) + ":" +
           object_[i].second.serialize();
    return s + "}";
  }
  }
  return "null";
}

namespace {

class Parser {
public:
  explicit Parser(std::string_view text) : text_(text) {}

  Expected<JsonValue> parseDocument() {
    skipSpace();
    Expected<JsonValue> v = parseValue(0);
    if (!v)
      return v;
    skipSpace();
    if (pos_ != text_.size())
      return fail("unexpected trailing characters");
    return v;
  }

private:
  static constexpr int kMaxDepth = 64;

  Status fail(const std::string &what) const {
    return Status::error("invalid JSON at offset " + std::to_string(pos_) +
                         ": " + what);
  }
  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[pos_]; }
  void skipSpace() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' ||
                        peek() == '\r'))
      ++pos_;
  }
  bool consumeLiteral(std::string_view lit) {
    if (text_.substr(pos_, lit.size()) != lit)
      return false;
    pos_ += lit.size();
    return true;
  }

  /// `depth` counts the arrays and objects around the value: at most
  /// kMaxDepth may be open at once (the compiler's calibration reader,
  /// passes/Calibration.cpp, counts the same way).
  Expected<JsonValue> parseValue(int depth) {
    if (atEnd())
      return fail("unexpected end of input");
    char c = peek();
    if ((c == '{' || c == '[') && depth >= kMaxDepth)
      return fail("nesting deeper than " + std::to_string(kMaxDepth));
    if (c == '{')
      return parseObject(depth);
    if (c == '[')
      return parseArray(depth);
    if (c == '"') {
      Expected<std::string> s = parseString();
      if (!s)
        return s.status();
      return JsonValue::makeString(s.take());
    }
    if (c == '-' || (c >= '0' && c <= '9'))
      return parseNumber();
    if (consumeLiteral("true"))
      return JsonValue::makeBool(true);
    if (consumeLiteral("false"))
      return JsonValue::makeBool(false);
    if (consumeLiteral("null"))
      return JsonValue();
    return fail(std::string("unexpected character '") + c + "'");
  }

  Expected<JsonValue> parseObject(int depth) {
    ++pos_; // '{'
    std::vector<std::pair<std::string, JsonValue>> members;
    std::unordered_set<std::string> keys;
    skipSpace();
    if (peek() == '}') {
      ++pos_;
      return JsonValue::makeObject(std::move(members));
    }
    while (true) {
      skipSpace();
      if (peek() != '"')
        return fail("expected a string key");
      Expected<std::string> key = parseString();
      if (!key)
        return key.status();
      // A set, not a scan of the members: a hostile object with a million
      // keys must not take a million squared comparisons.
      if (!keys.insert(*key).second)
        return fail("duplicate key \"" + *key + "\"");
      skipSpace();
      if (peek() != ':')
        return fail("expected ':'");
      ++pos_;
      skipSpace();
      Expected<JsonValue> v = parseValue(depth + 1);
      if (!v)
        return v;
      members.emplace_back(key.take(), v.take());
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        return JsonValue::makeObject(std::move(members));
      }
      return fail("expected ',' or '}'");
    }
  }

  Expected<JsonValue> parseArray(int depth) {
    ++pos_; // '['
    std::vector<JsonValue> elements;
    skipSpace();
    if (peek() == ']') {
      ++pos_;
      return JsonValue::makeArray(std::move(elements));
    }
    while (true) {
      skipSpace();
      Expected<JsonValue> v = parseValue(depth + 1);
      if (!v)
        return v;
      elements.push_back(v.take());
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return JsonValue::makeArray(std::move(elements));
      }
      return fail("expected ',' or ']'");
    }
  }

  /// The length of the well-formed UTF-8 sequence `s` starts with (Unicode
  /// 15, table 3-7: no overlong forms, no surrogates, nothing past
  /// U+10FFFF), or 0.
  static size_t utf8SequenceLength(std::string_view s) {
    auto byte = [&](size_t i) {
      return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u;
    };
    auto continuation = [&](size_t i) { return (byte(i) & 0xc0) == 0x80; };
    unsigned b0 = byte(0), b1 = byte(1);
    if (b0 >= 0xc2 && b0 <= 0xdf)
      return continuation(1) ? 2 : 0;
    if (b0 >= 0xe0 && b0 <= 0xef) {
      unsigned lo = b0 == 0xe0 ? 0xa0 : 0x80, hi = b0 == 0xed ? 0x9f : 0xbf;
      return b1 >= lo && b1 <= hi && continuation(2) ? 3 : 0;
    }
    if (b0 >= 0xf0 && b0 <= 0xf4) {
      unsigned lo = b0 == 0xf0 ? 0x90 : 0x80, hi = b0 == 0xf4 ? 0x8f : 0xbf;
      return b1 >= lo && b1 <= hi && continuation(2) && continuation(3) ? 4 : 0;
    }
    return 0;
  }

  static void appendUtf8(std::string &out, uint32_t cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xc0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += char(0xe0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3f));
      out += char(0x80 | (cp & 0x3f));
    } else {
      out += char(0xf0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3f));
      out += char(0x80 | ((cp >> 6) & 0x3f));
      out += char(0x80 | (cp & 0x3f));
    }
  }

  bool parseHex4(uint32_t &out) {
    if (text_.size() - pos_ < 4)
      return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_ + i];
      out <<= 4;
      if (c >= '0' && c <= '9')
        out |= uint32_t(c - '0');
      else if (c >= 'a' && c <= 'f')
        out |= uint32_t(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        out |= uint32_t(c - 'A' + 10);
      else
        return false;
    }
    pos_ += 4;
    return true;
  }

  Expected<std::string> parseString() {
    ++pos_; // '"'
    std::string out;
    while (true) {
      if (atEnd())
        return fail("unterminated string");
      char c = text_[pos_++];
      if (c == '"')
        return out;
      if (static_cast<unsigned char>(c) < 0x20)
        return fail("control character in string");
      if (static_cast<unsigned char>(c) >= 0x80) {
        // JSON text is UTF-8 (RFC 8259 §8.1): copy one whole, valid sequence.
        size_t length = utf8SequenceLength(text_.substr(pos_ - 1));
        if (length == 0)
          return fail("invalid UTF-8 in string");
        out.append(text_.substr(pos_ - 1, length));
        pos_ += length - 1;
        continue;
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (atEnd())
        return fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        uint32_t cp;
        if (!parseHex4(cp))
          return fail("bad \\u escape");
        if (cp >= 0xdc00 && cp < 0xe000)
          return fail("unpaired surrogate in \\u escape");
        if (cp >= 0xd800 && cp < 0xdc00) {
          uint32_t lo;
          if (!consumeLiteral("\\u") || !parseHex4(lo) || lo < 0xdc00 ||
              lo >= 0xe000)
            return fail("unpaired surrogate in \\u escape");
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        appendUtf8(out, cp);
        break;
      }
      default:
        return fail(std::string("bad escape '\\") + e + "'");
      }
    }
  }

  Expected<JsonValue> parseNumber() {
    size_t start = pos_;
    bool isInteger = true;
    if (peek() == '-')
      ++pos_;
    if (!(peek() >= '0' && peek() <= '9'))
      return fail("expected a digit");
    if (peek() == '0') {
      ++pos_;
    } else {
      while (peek() >= '0' && peek() <= '9')
        ++pos_;
    }
    if (peek() == '.') {
      isInteger = false;
      ++pos_;
      if (!(peek() >= '0' && peek() <= '9'))
        return fail("expected a digit after '.'");
      while (peek() >= '0' && peek() <= '9')
        ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      isInteger = false;
      ++pos_;
      if (peek() == '+' || peek() == '-')
        ++pos_;
      if (!(peek() >= '0' && peek() <= '9'))
        return fail("expected a digit in the exponent");
      while (peek() >= '0' && peek() <= '9')
        ++pos_;
    }
    std::string literal(text_.substr(start, pos_ - start));
    double d = std::strtod(literal.c_str(), nullptr);
    int64_t integer = 0;
    if (isInteger) {
      errno = 0;
      long long ll = std::strtoll(literal.c_str(), nullptr, 10);
      if (errno == ERANGE)
        isInteger = false; // too large for int64: keep only the double
      else
        integer = ll;
    }
    return JsonValue::makeNumber(d, isInteger, integer);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

} // namespace

Expected<JsonValue> parseJson(std::string_view text) {
  return Parser(text).parseDocument();
}

} // namespace rescale::runtime
