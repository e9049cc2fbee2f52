//===- Module.h - A compiled module loaded with its manifest ----*- C++ -*-===//
//
// Loads NAME.so (dlopen) and NAME.manifest.json, resolves every entry's
// `_rescale_entry_<name>` symbol up front, and calls entries with memref
// descriptors built from host tensors: inputs, then caller-allocated outputs.
//
// cuda modules: their host code calls the mgpu* functions that this runtime
// library exports (MgpuAbi.h), which is how they find the driver; they name
// the runtime as DT_NEEDED, so no RTLD_GLOBAL is involved. If there is no
// driver or device, load() fails with "no CUDA driver or device found".
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_RUNTIME_MODULE_H
#define RESCALE_RUNTIME_MODULE_H

#include "rescale/runtime/Export.h"
#include "rescale/runtime/HostTensor.h"
#include "rescale/runtime/Manifest.h"

#include <memory>
#include <string>
#include <vector>

namespace rescale::runtime {

using EntryFn = void (*)(void **args);

/// The file this librescale_runtime.so was loaded from. rescale-compile links
/// cuda modules against it, so that a module names the runtime (its SONAME)
/// as DT_NEEDED and finds the mgpu* functions in the copy the process has
/// already loaded, without that copy being RTLD_GLOBAL.
RESCALE_RUNTIME_API Expected<std::string> runtimeLibraryPath();

/// What Module::load checks before it dlopens `path`, given the file's
/// bytes: it is a whole 64-bit little-endian ELF shared object (every
/// segment inside the file), and its SHA-256 is the manifest's
/// "module_sha256". A module replaced after compilation, with the old
/// manifest kept, is refused here rather than run with the wrong shapes.
RESCALE_RUNTIME_API Status checkModuleImage(const Manifest &manifest,
                                            const uint8_t *image, size_t size,
                                            const std::string &path);

class Module {
public:
  /// Load `path` (a .so) and its manifest (manifestPathFor(path)).
  RESCALE_RUNTIME_API static Expected<std::unique_ptr<Module>>
  load(const std::string &path);
  /// Load with an explicit manifest path.
  RESCALE_RUNTIME_API static Expected<std::unique_ptr<Module>>
  load(const std::string &path, const std::string &manifestPath);
  RESCALE_RUNTIME_API ~Module();
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;

  const Manifest &manifest() const { return manifest_; }
  const std::string &path() const { return path_; }

  /// Error "unknown entry 'x' (available: f, g)" if absent.
  RESCALE_RUNTIME_API Expected<const EntrySpec *>
  entry(const std::string &name) const;

  /// Check that `inputs` match the entry's signature: count, dtype, shape.
  /// Errors name the argument: "input 1: expected f32[2,3], got f16[2,3]".
  RESCALE_RUNTIME_API Status checkInputs(
      const EntrySpec &entry, const std::vector<HostTensor> &inputs) const;

  /// Allocate outputs (poisoned) and run. Inputs must already have the
  /// manifest's dtypes (convert bf16 from f32 with convertTensor first).
  RESCALE_RUNTIME_API Expected<std::vector<HostTensor>>
  run(const std::string &entryName, const std::vector<HostTensor> &inputs);

  /// Run with caller-provided outputs (checked like inputs). For repeated
  /// timing runs without reallocation.
  RESCALE_RUNTIME_API Status call(const EntrySpec &entry,
                                  const std::vector<HostTensor> &inputs,
                                  std::vector<HostTensor> &outputs);

  /// Run on buffers that already live in the module's argument memory: host
  /// memory for cpu modules, device memory (DeviceTensor::data()) for cuda
  /// modules. `buffers` holds the inputs, then the outputs, each exactly of
  /// its manifest type (the caller owns that; only the count is checked).
  /// Nothing is copied: for loops that keep their state where the module
  /// computes, such as rescale-train's parameter ping-pong.
  RESCALE_RUNTIME_API Status callInPlace(const EntrySpec &entry,
                                         const std::vector<void *> &buffers);

private:
  Module() = default;
  EntryFn functionFor(const EntrySpec &entry) const;
  /// cuda modules: synchronize and collect the mgpu* layer's first error.
  Status finishCall(const EntrySpec &entry);
  Status callHost(const EntrySpec &entry, const std::vector<HostTensor> &inputs,
                  std::vector<HostTensor> &outputs);
  Status callDevice(const EntrySpec &entry,
                    const std::vector<HostTensor> &inputs,
                    std::vector<HostTensor> &outputs);

  std::string path_;
  Manifest manifest_;
  void *handle_ = nullptr;
  std::vector<EntryFn> functions_; // parallel to manifest_.entries
};

} // namespace rescale::runtime

#endif // RESCALE_RUNTIME_MODULE_H
