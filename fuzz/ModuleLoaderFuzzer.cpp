//===- ModuleLoaderFuzzer.cpp - what Module::load checks before dlopen ----===//
//
// The input is a manifest and a module file: the first two bytes give the
// manifest's length (little-endian, capped at what is there), the rest after
// the manifest is the module file. Everything Module::load does before it
// dlopens runs on them: the manifest parses, the image is a whole ELF shared
// object, and it is the one the manifest was written for. Fuzzed bytes are
// never dlopened.
//
//===----------------------------------------------------------------------===//
#include "rescale/runtime/Module.h"

#include <algorithm>
#include <string_view>

using namespace rescale::runtime;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  size_t manifestSize = std::min<size_t>(data[0] | (data[1] << 8), size - 2);
  std::string_view manifestText(reinterpret_cast<const char *>(data + 2),
                                manifestSize);
  Expected<Manifest> m = parseManifest(manifestText);
  if (!m)
    return 0;
  const uint8_t *image = data + 2 + manifestSize;
  (void)checkModuleImage(*m, image, size - 2 - manifestSize, "fuzz.so");
  return 0;
}
