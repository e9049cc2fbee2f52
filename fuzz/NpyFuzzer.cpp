//===- NpyFuzzer.cpp - parseNpy on arbitrary bytes ------------------------===//
//
// Any input is either refused with an error or read; what is read writes
// back to a file that reads again as the same tensor.
//
//===----------------------------------------------------------------------===//
#include "rescale/runtime/Npy.h"

#include <cstdlib>
#include <cstring>

using namespace rescale::runtime;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Expected<HostTensor> t = parseNpy(data, size);
  if (!t)
    return 0;
  Expected<std::string> bytes = serializeNpy(*t);
  if (!bytes)
    std::abort(); // every dtype the reader yields has a .npy descr
  Expected<HostTensor> again =
      parseNpy(reinterpret_cast<const uint8_t *>(bytes->data()), bytes->size());
  if (!again || again->dtype() != t->dtype() || again->shape() != t->shape() ||
      again->numBytes() != t->numBytes() ||
      std::memcmp(again->data(), t->data(), t->numBytes()) != 0)
    std::abort();
  return 0;
}
