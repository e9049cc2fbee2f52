//===- SafetensorsFuzzer.cpp - parseSafetensors on arbitrary bytes --------===//
//
// Any input is either refused with an error or read; what is read writes
// back to a file that reads again as the same tensors and metadata.
//
//===----------------------------------------------------------------------===//
#include "rescale/runtime/Safetensors.h"

#include <cstdlib>
#include <cstring>

using namespace rescale::runtime;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Expected<SafetensorsFile> file = parseSafetensors(data, size);
  if (!file)
    return 0;
  Expected<std::string> bytes = serializeSafetensors(*file);
  if (!bytes)
    return 0; // e.g. a tensor named "" reads but does not write
  Expected<SafetensorsFile> again = parseSafetensors(
      reinterpret_cast<const uint8_t *>(bytes->data()), bytes->size());
  if (!again || again->tensors.size() != file->tensors.size() ||
      again->metadata != file->metadata)
    std::abort();
  for (const auto &[name, t] : file->tensors) {
    const HostTensor *u = again->find(name);
    if (!u || u->dtype() != t.dtype() || u->shape() != t.shape() ||
        std::memcmp(u->data(), t.data(), t.numBytes()) != 0)
      std::abort();
  }
  return 0;
}
