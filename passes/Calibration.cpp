//===- Calibration.cpp - The SmoothQuant calibration file -----------------===//
#include "passes/Calibration.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"

#include <cmath>
#include <limits>

using namespace mlir::rescale;

static llvm::Error fail(const llvm::Twine &why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), why);
}

/// The offset where `text` nests arrays and objects deeper than `limit`, or
/// npos. Brackets inside strings do not count.
static size_t tooDeepAt(llvm::StringRef text, unsigned limit) {
  unsigned depth = 0;
  bool inString = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit)
        return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return llvm::StringRef::npos;
}

llvm::Expected<Calibration> mlir::rescale::parseCalibration(llvm::StringRef text) {
  size_t deep = tooDeepAt(text, kMaxCalibrationNesting);
  if (deep != llvm::StringRef::npos)
    return fail("not valid JSON: nesting deeper than " +
                llvm::Twine(kMaxCalibrationNesting) + " at offset " +
                llvm::Twine(deep));
  auto json = llvm::json::parse(text);
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
  auto close = llvm::make_scope_exit([&] { llvm::sys::fs::closeFile(*file); });
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
