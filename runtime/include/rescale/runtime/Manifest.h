//===- Manifest.h - The compiled-module manifest ----------------*- C++ -*-===//
//
// rescale-compile writes NAME.manifest.json beside NAME.so. It lists the entry
// points with their input and output tensor types; the runtime uses it to
// check the caller's tensors and to allocate outputs. Format: docs/runtime.md.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_RUNTIME_MANIFEST_H
#define RESCALE_RUNTIME_MANIFEST_H

#include "rescale/runtime/DType.h"
#include "rescale/runtime/Export.h"
#include "rescale/runtime/Status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rescale::runtime {

struct TensorSpec {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  /// "f32[2,3]".
  RESCALE_RUNTIME_API std::string toString() const;
};

struct EntrySpec {
  std::string name;   // the func.func name
  std::string symbol; // exported C symbol, "_rescale_entry_<name>"
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
};

/// Where the entry's memref descriptors point.
enum class ArgMemory {
  Host,   // host memory (every cpu module)
  Device, // CUDA device memory (cuda modules): the runtime copies in and out
};

struct Manifest {
  /// 2: "module_sha256" ties the manifest to its module file.
  static constexpr int64_t kVersion = 2;

  int64_t version = kVersion;
  /// SHA-256 of the module file this manifest was written for (64 lowercase
  /// hex digits); Module::load refuses any other file.
  std::string moduleSha256;
  std::string target = "cpu";      // "cpu" or "cuda"
  std::optional<std::string> chip; // e.g. "sm_90a" for cuda, null for cpu
  ArgMemory argMemory = ArgMemory::Host;
  std::vector<EntrySpec> entries;

  RESCALE_RUNTIME_API const EntrySpec *findEntry(const std::string &name) const;
  bool isCuda() const { return target == "cuda"; }
  /// "f, g" for "unknown entry 'h' (available: f, g)".
  RESCALE_RUNTIME_API std::string entryNames() const;
};

RESCALE_RUNTIME_API Expected<Manifest> parseManifest(std::string_view json);
RESCALE_RUNTIME_API Expected<Manifest> readManifest(const std::string &path);
RESCALE_RUNTIME_API std::string serializeManifest(const Manifest &manifest);

/// Writes the SHA-256 of the module file at `modulePath` into the manifest
/// beside it (manifestPathFor), which must otherwise be valid: for modules
/// linked by hand (test fixtures, the GPU checks), as `rescale-inspect --seal
/// MODULE.so`. rescale-compile writes sealed manifests itself.
RESCALE_RUNTIME_API Status sealManifest(const std::string &modulePath);

/// "dir/m.so" -> "dir/m.manifest.json" (a trailing ".so" is replaced;
/// otherwise ".manifest.json" is appended).
RESCALE_RUNTIME_API std::string manifestPathFor(const std::string &modulePath);

/// "_rescale_entry_<name>".
RESCALE_RUNTIME_API std::string entrySymbolFor(const std::string &name);

} // namespace rescale::runtime

#endif // RESCALE_RUNTIME_MANIFEST_H
