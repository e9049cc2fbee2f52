//===- File.h - Whole-file I/O with clear errors ----------------*- C++ -*-===//
// Internal to the runtime.
#ifndef RESCALE_RUNTIME_LIB_FILE_H
#define RESCALE_RUNTIME_LIB_FILE_H

#include "rescale/runtime/Status.h"

#include <string>

namespace rescale::runtime {

/// The file's bytes, or "cannot open 'p': No such file or directory".
Expected<std::string> readFileBytes(const std::string &path);
/// Write (replace) the file.
Status writeFileBytes(const std::string &path, const std::string &bytes);

} // namespace rescale::runtime

#endif // RESCALE_RUNTIME_LIB_FILE_H
