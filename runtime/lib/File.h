//===- File.h - File input and output with clear errors ---------*- C++ -*-===//
// Internal to the runtime.
//
// No reader trusts a file to end: /dev/zero, a FIFO or a huge file given
// where a tensor or a manifest is expected must be refused, not read without
// end. Formats with a header (.npy, safetensors) read it first, through
// InputFile, and then only the bytes it announces; JSON files (manifests,
// calibration) are read whole up to a limit.
//
#ifndef RESCALE_RUNTIME_LIB_FILE_H
#define RESCALE_RUNTIME_LIB_FILE_H

#include "rescale/runtime/Status.h"

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace rescale::runtime {

/// The most a JSON file (manifest, calibration file) may hold: a whole
/// model's calibration, 4096 channels for each of thousands of linears, is
/// tens of MB.
constexpr uint64_t kMaxJsonFileBytes = uint64_t(256) << 20;

/// A file read front to back in pieces.
class InputFile {
public:
  /// "cannot open 'p': No such file or directory", "... is a directory".
  static Expected<InputFile> open(const std::string &path);
  InputFile(InputFile &&other) noexcept;
  InputFile &operator=(InputFile &&) = delete;
  InputFile(const InputFile &) = delete;
  ~InputFile();

  const std::string &path() const { return path_; }
  /// The size of a regular file; nullopt for a FIFO or a device, which say
  /// how long they are only by ending.
  std::optional<uint64_t> size() const { return size_; }
  /// Appends the next `n` bytes to `out`, fewer only where the file ends.
  /// Memory grows with what is read, not with `n`.
  Status readUpTo(std::string &out, uint64_t n);
  /// Reads the next `n` bytes into `out`; returns how many there were.
  Expected<uint64_t> readInto(uint8_t *out, uint64_t n);
  /// Whether another byte follows (consuming it).
  Expected<bool> hasMore();

private:
  InputFile(std::string path, std::FILE *file, std::optional<uint64_t> size)
      : path_(std::move(path)), file_(file), size_(size) {}
  std::string path_;
  std::FILE *file_ = nullptr;
  std::optional<uint64_t> size_;
};

/// The whole file, or "cannot open 'p': ...", or an error if it holds more
/// than `maxBytes` (a pipe or a device is read only that far).
Expected<std::string> readFileBytes(const std::string &path, uint64_t maxBytes);
/// The file at `path`, at most `maxBytes`, parsed by `parse(data, size)`; an
/// error of either step names the file ("'p': ...").
template <typename T, typename Parse>
Expected<T> parseFile(const std::string &path, uint64_t maxBytes, Parse parse) {
  Expected<std::string> bytes = readFileBytes(path, maxBytes);
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
