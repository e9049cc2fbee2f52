//===- Files.cpp - Durable file writes for checkpoints and logs -----------===//
#include "rescale/trainer/Files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rescale::trainer {

using runtime::Expected;
using runtime::Status;

static Status errnoError(const std::string &what, const std::string &path) {
  return Status::error(what + " '" + path + "': " + std::strerror(errno));
}

Expected<std::string> readWholeFile(const std::string &path) {
  if (isDirectory(path))
    return Status::error("cannot read '" + path + "': is a directory");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errnoError("cannot read", path);
  std::string bytes;
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      Status s = errnoError("error reading", path);
      ::close(fd);
      return s;
    }
    if (n == 0)
      break;
    bytes.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return bytes;
}

Status writeAndSync(const std::string &path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return errnoError("cannot write", path);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      Status s = errnoError("error writing", path);
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = errnoError("cannot fsync", path);
    ::close(fd);
    return s;
  }
  if (::close(fd) != 0)
    return errnoError("error closing", path);
  return Status::ok();
}

static std::string parentOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status replaceFileDurably(const std::string &path, std::string_view bytes) {
  std::string tmp = path + ".tmp";
  RESCALE_RETURN_IF_ERROR(writeAndSync(tmp, bytes));
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return errnoError("cannot rename '" + tmp + "' to", path);
  return syncDirectory(parentOf(path));
}

Status syncDirectory(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return errnoError("cannot open folder", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0)
    return errnoError("cannot fsync folder", path);
  return Status::ok();
}

Status makeDirectories(const std::string &path) {
  if (path.empty())
    return Status::ok();
  if (isDirectory(path))
    return Status::ok();
  if (pathExists(path))
    return Status::error("'" + path + "' exists and is not a folder");
  std::string parent = parentOf(path);
  if (parent != path)
    RESCALE_RETURN_IF_ERROR(makeDirectories(parent));
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
    return errnoError("cannot create folder", path);
  return Status::ok();
}

Status lockForProcessLifetime(const std::string &path,
                              const std::string &busy) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return errnoError("cannot create lock file", path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status::error(busy);
  }
  return Status::ok(); // fd stays open: the lock lives as long as we do
}

Status removeTree(const std::string &path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0)
    return Status::ok();
  if (S_ISDIR(st.st_mode)) {
    DIR *dir = ::opendir(path.c_str());
    if (!dir)
      return errnoError("cannot list", path);
    while (struct dirent *e = ::readdir(dir)) {
      std::string name = e->d_name;
      if (name == "." || name == "..")
        continue;
      Status s = removeTree(joinPath(path, name));
      if (!s) {
        ::closedir(dir);
        return s;
      }
    }
    ::closedir(dir);
    if (::rmdir(path.c_str()) != 0)
      return errnoError("cannot remove", path);
    return Status::ok();
  }
  if (::unlink(path.c_str()) != 0)
    return errnoError("cannot remove", path);
  return Status::ok();
}

bool pathExists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool isDirectory(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string joinPath(const std::string &dir, const std::string &name) {
  if (!name.empty() && name[0] == '/')
    return name;
  if (dir.empty())
    return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

std::string fnv1a64Hex(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx",
                static_cast<unsigned long long>(h));
  return buf;
}

} // namespace rescale::trainer
