//===- Calibration.cpp - The SmoothQuant calibration file -----------------===//
#include "passes/Calibration.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"

#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <string>

using namespace mlir::rescale;

static llvm::Error fail(const llvm::Twine &why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), why);
}

/// Whether `token` is a JSON number (RFC 8259 §6):
/// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
static bool isJsonNumber(llvm::StringRef token) {
  auto digits = [&] {
    size_t n = 0;
    while (n < token.size() && llvm::isDigit(token[n]))
      ++n;
    token = token.drop_front(n);
    return n;
  };
  token.consume_front("-");
  if (token.consume_front("0")) {
    if (!token.empty() && llvm::isDigit(token.front()))
      return false; // a leading zero
  } else if (digits() == 0) {
    return false;
  }
  if (token.consume_front(".") && digits() == 0)
    return false;
  if (token.consume_front("e") || token.consume_front("E")) {
    if (!token.consume_front("+"))
      token.consume_front("-");
    if (digits() == 0)
      return false;
  }
  return token.empty();
}

/// The four hex digits at `text[at]`, or nullopt.
static std::optional<uint32_t> hex4(llvm::StringRef text, size_t at) {
  uint32_t value;
  if (at + 4 > text.size() || text.substr(at, 4).getAsInteger(16, value) ||
      !llvm::all_of(text.substr(at, 4), llvm::isHexDigit))
    return std::nullopt;
  return value;
}

/// What llvm::json::parse would get wrong on `text`, as an error ("" when
/// nothing): nesting deeper than kMaxCalibrationNesting (it recurses once per
/// level and would overflow the stack), and what RFC 8259 refuses but it
/// reads: numbers such as `1.`, `01`, `+1` or `-.5`, unpaired UTF-16
/// surrogates in \u escapes (it reads U+FFFD), and duplicate keys in an
/// object (it keeps one). The runtime's reader (runtime/lib/Json.cpp) refuses
/// all of them, so the two read the same files (fuzz/CalibrationFuzzer.cpp
/// checks it). The rest of the syntax is left to llvm::json::parse.
///
/// `forLLVM` gets the text to give llvm::json::parse: `text` with each
/// surrogate pair escape (\uD8xx\uDCxx) replaced by its UTF-8. LLVM 22
/// combines a pair with `0x10000 | ...` where `+` is meant, so every code
/// point from U+20000 up came out 0x10000 too low (U+23600 read as U+13600;
/// found by fuzz-calibration); raw UTF-8 in a string it copies as is.
static std::string strictJsonError(llvm::StringRef text, std::string &forLLVM) {
  struct Container {
    bool isObject;
    bool expectKey;
    std::set<std::string> keys;
  };
  llvm::SmallVector<Container> open;
  forLLVM.clear();
  size_t copied = 0; // text[0, copied) is in forLLVM
  auto at = [](size_t offset) {
    return " at offset " + std::to_string(offset);
  };
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {
      size_t start = i++;
      std::string decoded; // keys only need it, to compare them decoded
      while (i < text.size() && text[i] != '"') {
        if (text[i] != '\\') {
          decoded += text[i++];
          continue;
        }
        if (i + 1 >= text.size())
          return ""; // unterminated: llvm::json::parse says so
        char escape = text[i + 1];
        if (escape != 'u') {
          static const llvm::StringRef from = "\"\\/bfnrt",
                                       to = "\"\\/\b\f\n\r\t";
          size_t which = from.find(escape);
          if (which == llvm::StringRef::npos)
            return ""; // a bad escape: llvm::json::parse says so
          decoded += to[which];
          i += 2;
          continue;
        }
        std::optional<uint32_t> unit = hex4(text, i + 2);
        if (!unit)
          return ""; // a bad \u escape: llvm::json::parse says so
        size_t escapeAt = i;
        i += 6;
        uint32_t codePoint = *unit;
        if (*unit >= 0xdc00 && *unit < 0xe000)
          return "unpaired surrogate in \\u escape" + at(escapeAt);
        if (*unit >= 0xd800 && *unit < 0xdc00) {
          std::optional<uint32_t> low;
          if (text.substr(i, 2) == "\\u")
            low = hex4(text, i + 2);
          if (!low || *low < 0xdc00 || *low >= 0xe000)
            return "unpaired surrogate in \\u escape" + at(escapeAt);
          i += 6;
          codePoint = 0x10000 + ((*unit - 0xd800) << 10) + (*low - 0xdc00);
        }
        char utf8[UNI_MAX_UTF8_BYTES_PER_CODE_POINT];
        char *utf8End = utf8;
        llvm::ConvertCodePointToUTF8(codePoint, utf8End);
        decoded.append(utf8, utf8End);
        if (codePoint >= 0x10000) {
          forLLVM.append(text.data() + copied, escapeAt - copied);
          forLLVM.append(utf8, utf8End);
          copied = i;
        }
      }
      ++i; // the closing quote
      if (!open.empty() && open.back().isObject && open.back().expectKey) {
        open.back().expectKey = false;
        if (!open.back().keys.insert(decoded).second)
          return "duplicate key \"" + decoded + "\"" + at(start);
      }
    } else if (c == '[' || c == '{') {
      if (open.size() >= kMaxCalibrationNesting)
        return "nesting deeper than " + std::to_string(kMaxCalibrationNesting) +
               at(i);
      open.push_back({c == '{', c == '{', {}});
      ++i;
    } else if (c == ']' || c == '}') {
      if (!open.empty())
        open.pop_back();
      ++i;
    } else if (c == ',') {
      if (!open.empty() && open.back().isObject)
        open.back().expectKey = true;
      ++i;
    } else if (c == '-' || c == '+' || c == '.' || llvm::isDigit(c)) {
      // LLVM reads any run of [0-9+-.eE] that strtod takes, `+1` and `.5`
      // too.
      size_t end = text.find_first_not_of("0123456789+-.eE", i);
      llvm::StringRef token = text.slice(i, end);
      if (!isJsonNumber(token))
        return "'" + token.str() + "' is not a JSON number" + at(i);
      i = end == llvm::StringRef::npos ? text.size() : end;
    } else {
      ++i;
    }
  }
  forLLVM.append(text.data() + copied, text.size() - copied);
  return "";
}

llvm::Expected<Calibration>
mlir::rescale::parseCalibration(llvm::StringRef text) {
  std::string forLLVM;
  std::string strictError = strictJsonError(text, forLLVM);
  if (!strictError.empty())
    return fail("not valid JSON: " + strictError);
  auto json = llvm::json::parse(forLLVM);
  if (!json)
    return fail("not valid JSON: " + llvm::toString(json.takeError()));
  const llvm::json::Object *root = json->getAsObject();
  if (!root || root->getString("format") != "rescale-calibration")
    return fail("expected an object with \"format\": \"rescale-calibration\"");
  if (root->getInteger("version") != 1)
    return fail("\"version\" must be 1");
  const llvm::json::Object *absmax = root->getObject("absmax");
  if (!absmax)
    return fail("\"absmax\" must be an object mapping linear names to arrays");
  Calibration cal;
  for (const auto &[key, value] : *absmax) {
    const llvm::json::Array *values = value.getAsArray();
    if (!values)
      return fail("\"absmax\".\"" + key.str() + "\" must be an array");
    llvm::SmallVector<double> &out = cal[key.str()];
    for (const llvm::json::Value &v : *values) {
      std::optional<double> d = v.getAsNumber();
      // Activations are at most f32: an absmax beyond its range is an
      // overflowed calibration run.
      if (!d || !std::isfinite(*d) || *d < 0 ||
          *d > double(std::numeric_limits<float>::max()))
        return fail("\"absmax\".\"" + key.str() +
                    "\" must hold finite non-negative numbers within f32's "
                    "range");
      out.push_back(*d);
    }
  }
  return cal;
}

llvm::Expected<Calibration>
mlir::rescale::readCalibrationFile(llvm::StringRef path) {
  llvm::Expected<llvm::sys::fs::file_t> file =
      llvm::sys::fs::openNativeFileForRead(path);
  if (!file)
    return fail("cannot read it: " + llvm::toString(file.takeError()));
  llvm::scope_exit close([&] { llvm::sys::fs::closeFile(*file); });
  // Read in pieces up to the limit: a FIFO or a device has no size to check.
  std::string text;
  char buffer[1 << 16];
  while (true) {
    llvm::Expected<size_t> got = llvm::sys::fs::readNativeFile(
        *file, llvm::MutableArrayRef<char>(buffer, sizeof(buffer)));
    if (!got)
      return fail("cannot read it: " + llvm::toString(got.takeError()));
    if (*got == 0)
      break;
    text.append(buffer, *got);
    if (text.size() > kMaxCalibrationBytes)
      return fail("cannot read it: it holds more than " +
                  llvm::Twine(kMaxCalibrationBytes >> 20) + " MiB");
  }
  return parseCalibration(text);
}
