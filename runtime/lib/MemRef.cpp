//===- MemRef.cpp - MLIR's ranked memref descriptor, built at runtime ----===//
#include "rescale/runtime/MemRef.h"

#include <cstring>

namespace rescale::runtime {

MemRefDescriptor::MemRefDescriptor(void *data,
                                   const std::vector<int64_t> &shape)
    : rank_(int64_t(shape.size())), words_(3 + 2 * shape.size()) {
  // {allocated, aligned, offset, sizes[rank], strides[rank]}: pointers are
  // one word each on the 64-bit hosts we support.
  static_assert(sizeof(void *) == sizeof(int64_t), "64-bit hosts only");
  std::memcpy(&words_[0], &data, sizeof(void *));
  std::memcpy(&words_[1], &data, sizeof(void *));
  words_[2] = 0;
  int64_t stride = 1;
  for (int64_t d = rank_ - 1; d >= 0; --d) {
    words_[3 + d] = shape[d];
    words_[3 + rank_ + d] = stride;
    stride *= shape[d];
  }
}

void *MemRefDescriptor::allocatedPtr() const {
  void *p;
  std::memcpy(&p, &words_[0], sizeof(void *));
  return p;
}

void *MemRefDescriptor::alignedPtr() const {
  void *p;
  std::memcpy(&p, &words_[1], sizeof(void *));
  return p;
}

void CallArgs::add(void *data, const std::vector<int64_t> &shape) {
  descs_.emplace_back(data, shape);
}

void **CallArgs::argv() {
  argv_.clear();
  for (MemRefDescriptor &d : descs_)
    argv_.push_back(d.get());
  return argv_.data();
}

} // namespace rescale::runtime
