//===- Files.h - Durable file writes for checkpoints and logs ---*- C++ -*-===//
//
// A killed process (kill -9, at any instruction) must leave every file that
// was completely saved loadable. The rule everywhere in the trainer: write a
// temporary name, fsync it, rename it over the final name, fsync the folder
// (rename is atomic; the folder fsync makes the new name itself durable).
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_TRAINER_FILES_H
#define RESCALE_TRAINER_FILES_H

#include "rescale/runtime/Status.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace rescale::trainer {

/// The whole file, or "cannot read 'p': No such file or directory".
runtime::Expected<std::string> readWholeFile(const std::string &path);

/// Write `bytes` to `path` and fsync it (no rename; the caller renames).
runtime::Status writeAndSync(const std::string &path, std::string_view bytes);

/// Replace `path` atomically: write PATH.tmp, fsync, rename, fsync the folder.
runtime::Status replaceFileDurably(const std::string &path,
                                   std::string_view bytes);

/// fsync a folder, so that names created or renamed in it survive a crash.
runtime::Status syncDirectory(const std::string &path);

/// mkdir -p; an existing folder is fine, an existing file is an error.
runtime::Status makeDirectories(const std::string &path);

/// Hold an exclusive lock (flock) on `path`, created if needed, until the
/// process exits (the kernel drops it at exit, kill -9 included). Fails with
/// `busy` when another process holds it.
runtime::Status lockForProcessLifetime(const std::string &path,
                                       const std::string &busy);

/// rm -r (no error if absent).
runtime::Status removeTree(const std::string &path);

bool pathExists(const std::string &path);
bool isDirectory(const std::string &path);

/// "dir/name", leaving an absolute `name` alone.
std::string joinPath(const std::string &dir, const std::string &name);

/// 64-bit FNV-1a, as 16 lowercase hex digits: the checksum checkpoints keep
/// of their files, so that a truncated or altered file is refused on load.
std::string fnv1a64Hex(std::string_view bytes);

} // namespace rescale::trainer

#endif // RESCALE_TRAINER_FILES_H
