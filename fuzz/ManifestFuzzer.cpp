//===- ManifestFuzzer.cpp - parseManifest and the probe list --------------===//
//
// Any input is either refused or read; a manifest that reads serializes to
// one that reads again as the same entries.
//
//===----------------------------------------------------------------------===//
#include "rescale/runtime/Manifest.h"
#include "rescale/runtime/Probes.h"

#include <cstdlib>
#include <string_view>

using namespace rescale::runtime;

static bool sameSpecs(const std::vector<TensorSpec> &a,
                      const std::vector<TensorSpec> &b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].dtype != b[i].dtype || a[i].shape != b[i].shape)
      return false;
  return true;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  Expected<Manifest> m = parseManifest(text);
  if (!m)
    return 0;
  for (const EntrySpec &e : m->entries)
    (void)parseProbes(text, e.name);
  Expected<Manifest> again = parseManifest(serializeManifest(*m));
  if (!again || again->entries.size() != m->entries.size() ||
      again->target != m->target || again->chip != m->chip ||
      again->argMemory != m->argMemory ||
      again->moduleSha256 != m->moduleSha256)
    std::abort();
  for (size_t i = 0; i < m->entries.size(); ++i) {
    const EntrySpec &a = m->entries[i], &b = again->entries[i];
    if (a.name != b.name || a.symbol != b.symbol ||
        !sameSpecs(a.inputs, b.inputs) || !sameSpecs(a.outputs, b.outputs))
      std::abort();
  }
  return 0;
}
