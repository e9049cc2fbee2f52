//===- Status.h - Error values for the runtime (no exceptions) --*- C++ -*-===//
//
// The runtime is built with and without -fno-exceptions, so every fallible
// call returns a Status or an Expected<T>. A failed Status carries one
// human-readable line that a tool can print as-is ("error: <message>").
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_RUNTIME_STATUS_H
#define RESCALE_RUNTIME_STATUS_H

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace rescale::runtime {

/// Success, or a failure with a one-line message. [[nodiscard]] so that a
/// dropped error is a compiler warning.
class [[nodiscard]] Status {
public:
  static Status ok() { return Status(); }
  static Status error(std::string message) {
    Status s;
    s.failed_ = true;
    s.message_ = std::move(message);
    return s;
  }

  bool isOk() const { return !failed_; }
  explicit operator bool() const { return isOk(); }
  const std::string &message() const { return message_; }

  /// Prefix the message with context: "reading 'x.npy': <message>".
  Status withContext(const std::string &context) const {
    if (isOk())
      return *this;
    return error(context + ": " + message_);
  }

private:
  bool failed_ = false;
  std::string message_;
};

/// A value or a failed Status.
template <typename T> class [[nodiscard]] Expected {
public:
  Expected(T value) : value_(std::move(value)) {}
  Expected(Status status) : status_(std::move(status)) {
    assert(!status_.isOk() && "Expected built from a successful Status");
  }

  bool isOk() const { return value_.has_value(); }
  explicit operator bool() const { return isOk(); }
  const Status &status() const { return status_; }

  T &operator*() { return *value_; }
  const T &operator*() const { return *value_; }
  T *operator->() { return &*value_; }
  const T *operator->() const { return &*value_; }
  T take() { return std::move(*value_); }

private:
  std::optional<T> value_;
  Status status_;
};

} // namespace rescale::runtime

/// Return early from a function returning Status/Expected when `expr` fails.
#define RESCALE_RETURN_IF_ERROR(expr)                                          \
  do {                                                                         \
    ::rescale::runtime::Status _rescale_status = (expr);                       \
    if (!_rescale_status.isOk())                                               \
      return _rescale_status;                                                  \
  } while (false)

#endif // RESCALE_RUNTIME_STATUS_H
