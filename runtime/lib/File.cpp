//===- File.cpp - Whole-file I/O with clear errors ------------------------===//
#include "File.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>

namespace rescale::runtime {

Expected<std::string> readFileBytes(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return Status::error("cannot open '" + path + "': " + std::strerror(errno));
  if (S_ISDIR(st.st_mode))
    return Status::error("cannot read '" + path + "': is a directory");
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return Status::error("cannot open '" + path + "': " + std::strerror(errno));
  std::string bytes;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0)
    bytes.append(buffer, n);
  bool failed = std::ferror(f);
  std::fclose(f);
  if (failed)
    return Status::error("error reading '" + path + "'");
  return bytes;
}

Status writeFileBytes(const std::string &path, const std::string &bytes) {
  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return Status::error("cannot write '" + path + "': " +
                         std::strerror(errno));
  size_t written = std::fwrite(bytes.data(), 1, bytes.size(), f);
  bool failed = written != bytes.size() || std::fflush(f) != 0;
  failed |= std::fclose(f) != 0;
  if (failed)
    return Status::error("error writing '" + path + "'");
  return Status::ok();
}

} // namespace rescale::runtime
