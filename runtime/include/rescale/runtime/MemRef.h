//===- MemRef.h - MLIR's ranked memref descriptor, built at runtime -*- C++
//-*-===//
//
// A compiled entry point takes `void **args`, args[i] pointing at the
// descriptor {allocated, aligned, offset, sizes[rank], strides[rank]} of each
// argument (MLIR's standard layout for a ranked memref). The rank is only
// known at run time, so descriptors are stored as int64 words.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_RUNTIME_MEMREF_H
#define RESCALE_RUNTIME_MEMREF_H

#include "rescale/runtime/Export.h"

#include <cstdint>
#include <vector>

namespace rescale::runtime {

class MemRefDescriptor {
public:
  /// Contiguous row-major descriptor of `shape` over `data`.
  RESCALE_RUNTIME_API MemRefDescriptor(void *data,
                                       const std::vector<int64_t> &shape);

  void *get() { return words_.data(); }
  RESCALE_RUNTIME_API void *allocatedPtr() const;
  RESCALE_RUNTIME_API void *alignedPtr() const;
  int64_t offset() const { return words_[2]; }
  int64_t size(int64_t dim) const { return words_[3 + dim]; }
  int64_t stride(int64_t dim) const { return words_[3 + rank_ + dim]; }
  int64_t rank() const { return rank_; }

private:
  int64_t rank_;
  std::vector<int64_t> words_;
};

/// The argument array for one call: descriptors of inputs, then outputs.
class CallArgs {
public:
  RESCALE_RUNTIME_API void add(void *data, const std::vector<int64_t> &shape);
  /// Stable until the next add().
  RESCALE_RUNTIME_API void **argv();
  const std::vector<MemRefDescriptor> &descriptors() const { return descs_; }

private:
  std::vector<MemRefDescriptor> descs_;
  std::vector<void *> argv_;
};

} // namespace rescale::runtime

#endif // RESCALE_RUNTIME_MEMREF_H
