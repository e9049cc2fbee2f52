//===- File.cpp - File input and output with clear errors -----------------===//
#include "File.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace rescale::runtime {

Expected<InputFile> InputFile::open(const std::string &path) {
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return Status::error("cannot open '" + path + "': " + std::strerror(errno));
  struct stat st;
  if (::fstat(fileno(f), &st) != 0) {
    std::string why = std::strerror(errno);
    std::fclose(f);
    return Status::error("cannot open '" + path + "': " + why);
  }
  if (S_ISDIR(st.st_mode)) {
    std::fclose(f);
    return Status::error("cannot read '" + path + "': is a directory");
  }
  std::optional<uint64_t> size;
  if (S_ISREG(st.st_mode))
    size = uint64_t(st.st_size);
  return InputFile(path, f, size);
}

InputFile::InputFile(InputFile &&other) noexcept
    : path_(std::move(other.path_)), file_(other.file_), size_(other.size_) {
  other.file_ = nullptr;
}

InputFile::~InputFile() {
  if (file_)
    std::fclose(file_);
}

Expected<uint64_t> InputFile::readInto(uint8_t *out, uint64_t n) {
  uint64_t done = 0;
  while (done < n) {
    size_t got = std::fread(out + done, 1, size_t(n - done), file_);
    done += got;
    if (got == 0)
      break;
  }
  if (std::ferror(file_))
    return Status::error("error reading '" + path_ + "'");
  return done;
}

Status InputFile::readUpTo(std::string &out, uint64_t n) {
  char buffer[1 << 16];
  while (n > 0) {
    size_t want = size_t(std::min<uint64_t>(n, sizeof(buffer)));
    Expected<uint64_t> got =
        readInto(reinterpret_cast<uint8_t *>(buffer), want);
    if (!got)
      return got.status();
    out.append(buffer, size_t(*got));
    n -= *got;
    if (*got < want)
      break;
  }
  return Status::ok();
}

Expected<bool> InputFile::hasMore() {
  uint8_t byte;
  Expected<uint64_t> got = readInto(&byte, 1);
  if (!got)
    return got.status();
  return *got == 1;
}

Expected<std::string> readFileBytes(const std::string &path,
                                    uint64_t maxBytes) {
  Expected<InputFile> file = InputFile::open(path);
  if (!file)
    return file.status();
  auto tooLarge = [&] {
    return Status::error("cannot read '" + path + "': it holds more than " +
                         std::to_string(maxBytes >> 20) +
                         " MiB, the limit for this kind of file");
  };
  if (file->size() && *file->size() > maxBytes)
    return tooLarge();
  std::string bytes;
  RESCALE_RETURN_IF_ERROR(file->readUpTo(bytes, maxBytes));
  Expected<bool> more = file->hasMore();
  if (!more)
    return more.status();
  if (*more)
    return tooLarge();
  return bytes;
}

Status writeFileBytes(const std::string &path, const std::string &bytes) {
  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return Status::error("cannot write '" + path +
                         "': " + std::strerror(errno));
  size_t written = std::fwrite(bytes.data(), 1, bytes.size(), f);
  bool failed = written != bytes.size() || std::fflush(f) != 0;
  failed |= std::fclose(f) != 0;
  if (failed)
    return Status::error("error writing '" + path + "'");
  return Status::ok();
}

} // namespace rescale::runtime
