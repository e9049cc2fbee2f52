//===- File.h - Whole-file I/O with clear errors ----------------*- C++ -*-===//
// Internal to the runtime.
#ifndef RESCALE_RUNTIME_LIB_FILE_H
#define RESCALE_RUNTIME_LIB_FILE_H

#include "rescale/runtime/Status.h"

#include <cstdint>
#include <string>

namespace rescale::runtime {

/// The file's bytes, or "cannot open 'p': No such file or directory".
Expected<std::string> readFileBytes(const std::string &path);
/// The file at `path` parsed by `parse(data, size)`; an error of either step
/// names the file ("'p': ..."). The readers of each file format share this.
template <typename T, typename Parse>
Expected<T> parseFile(const std::string &path, Parse parse) {
  Expected<std::string> bytes = readFileBytes(path);
  if (!bytes)
    return bytes.status();
  Expected<T> parsed =
      parse(reinterpret_cast<const uint8_t *>(bytes->data()), bytes->size());
  if (!parsed)
    return parsed.status().withContext("'" + path + "'");
  return parsed;
}

/// Write (replace) the file.
Status writeFileBytes(const std::string &path, const std::string &bytes);

} // namespace rescale::runtime

#endif // RESCALE_RUNTIME_LIB_FILE_H
