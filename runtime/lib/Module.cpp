//===- Module.cpp - A compiled module loaded with its manifest ------------===//
#include "rescale/runtime/Module.h"

#include "File.h"
#include "rescale/runtime/Cuda.h"
#include "rescale/runtime/MemRef.h"
#include "rescale/runtime/Sha256.h"

#include <dlfcn.h>
#include <elf.h>
#include <sys/stat.h>

#include <cstring>
#include <vector>

namespace rescale::runtime {

/// Whether `image` is a whole ELF shared object for this host, read off its
/// headers: dlopen maps the segments the program headers name, and touching
/// one past the end of a truncated file is a SIGBUS, not an error it reports.
static Status checkSharedObject(const uint8_t *image, size_t size,
                                const std::string &path) {
  auto bad = [&](const std::string &why) {
    return Status::error("cannot load module '" + path +
                         "': not a complete shared object (" + why + ")");
  };
  Elf64_Ehdr header;
  if (size < sizeof(header))
    return bad(std::to_string(size) + " bytes, shorter than an ELF header");
  std::memcpy(&header, image, sizeof(header));
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    return bad("no ELF magic");
  if (header.e_ident[EI_CLASS] != ELFCLASS64 ||
      header.e_ident[EI_DATA] != ELFDATA2LSB || header.e_type != ET_DYN)
    return bad("not a 64-bit little-endian ELF shared object");
  if (header.e_phentsize != sizeof(Elf64_Phdr) || header.e_phoff > size ||
      header.e_phnum > (size - header.e_phoff) / sizeof(Elf64_Phdr))
    return bad("its program headers lie past the end of the " +
               std::to_string(size) + "-byte file");
  for (size_t i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr seg;
    std::memcpy(&seg, image + header.e_phoff + i * sizeof(Elf64_Phdr),
                sizeof(seg));
    if (seg.p_type != PT_LOAD && seg.p_type != PT_DYNAMIC)
      continue;
    if (seg.p_offset > size || seg.p_filesz > size - seg.p_offset)
      return bad("segment " + std::to_string(i) + " ends at byte " +
                 std::to_string(seg.p_offset + seg.p_filesz) + " of a " +
                 std::to_string(size) + "-byte file: truncated?");
  }
  return Status::ok();
}

Status checkModuleImage(const Manifest &manifest, const uint8_t *image,
                        size_t size, const std::string &path) {
  RESCALE_RETURN_IF_ERROR(checkSharedObject(image, size, path));
  std::string digest = sha256Hex(image, size);
  if (digest != manifest.moduleSha256)
    return Status::error(
        "cannot load module '" + path +
        "': it is not the module its manifest was written for (the file's "
        "SHA-256 is " +
        digest.substr(0, 16) + "..., the manifest names " +
        manifest.moduleSha256.substr(0, 16) +
        "...): compile again, or keep each module with its own manifest");
  return Status::ok();
}

Expected<std::string> runtimeLibraryPath() {
  Dl_info info;
  // Any function of this library: dladdr names the object that holds it.
  if (::dladdr(reinterpret_cast<void *>(&checkModuleImage), &info) == 0 ||
      !info.dli_fname || !*info.dli_fname)
    return Status::error("cannot tell which file librescale_runtime.so was "
                         "loaded from (dladdr failed)");
  return std::string(info.dli_fname);
}

Expected<std::unique_ptr<Module>> Module::load(const std::string &path) {
  return load(path, manifestPathFor(path));
}

Expected<std::unique_ptr<Module>>
Module::load(const std::string &path, const std::string &manifestPath) {
  Expected<Manifest> manifest = readManifest(manifestPath);
  if (!manifest)
    return manifest.status().withContext("loading module '" + path + "'");
  std::unique_ptr<Module> m(new Module());
  m->path_ = path;
  m->manifest_ = manifest.take();
  // dlopen searches the library path for names without a slash.
  std::string openPath =
      path.find('/') == std::string::npos ? "./" + path : path;
  // Before dlopen, which runs the module's constructors: that the file is
  // whole and is the one the manifest describes (a module run with another
  // module's shapes reads and writes past its buffers).
  struct stat st;
  if (::stat(openPath.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    Expected<std::string> image =
        readFileBytes(openPath, static_cast<uint64_t>(st.st_size));
    if (!image)
      return image.status().withContext("cannot load module '" + path + "'");
    RESCALE_RETURN_IF_ERROR(checkModuleImage(
        m->manifest_, reinterpret_cast<const uint8_t *>(image->data()),
        image->size(), path));
  } // else dlopen says why (missing, a directory, ...)
  if (m->manifest_.isCuda()) {
    // Before dlopen: the module's constructors load its kernels through the
    // driver, and without one the single error below is the whole story.
    Status cuda = ensureCudaContext();
    if (!cuda)
      return cuda.withContext("cannot run cuda module '" + path + "'");
    (void)takeLastCudaError();
  }
  m->handle_ = ::dlopen(openPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!m->handle_) {
    const char *err = ::dlerror();
    return Status::error("cannot load module '" + path +
                         "': " + (err ? err : "unknown dlopen error"));
  }
  std::string cudaError = takeLastCudaError();
  if (!cudaError.empty())
    return Status::error("loading the kernels of '" + path + "': " + cudaError);
  for (const EntrySpec &e : m->manifest_.entries) {
    void *sym = ::dlsym(m->handle_, e.symbol.c_str());
    if (!sym)
      return Status::error("module '" + path + "' has no symbol '" + e.symbol +
                           "' for entry '" + e.name +
                           "' named in its manifest");
    m->functions_.push_back(reinterpret_cast<EntryFn>(sym));
  }
  return m;
}

Module::~Module() {
  if (handle_)
    ::dlclose(handle_);
}

Expected<const EntrySpec *> Module::entry(const std::string &name) const {
  if (const EntrySpec *e = manifest_.findEntry(name))
    return e;
  return Status::error("unknown entry '" + name +
                       "' (available: " + manifest_.entryNames() + ")");
}

static Status checkTensors(const char *what,
                           const std::vector<TensorSpec> &specs,
                           const std::vector<HostTensor> &tensors,
                           const EntrySpec &entry) {
  if (specs.size() != tensors.size())
    return Status::error("entry '" + entry.name + "' takes " +
                         std::to_string(specs.size()) + " " + what + "s, got " +
                         std::to_string(tensors.size()));
  for (size_t i = 0; i < specs.size(); ++i) {
    const HostTensor &t = tensors[i];
    if (t.dtype() != specs[i].dtype || t.shape() != specs[i].shape) {
      std::string hint;
      if (specs[i].dtype == DType::BF16 && t.dtype() == DType::F32 &&
          t.shape() == specs[i].shape)
        hint = " (bf16 inputs are read from f32 files: convert with "
               "convertTensor)";
      return Status::error("entry '" + entry.name + "' " + what + " " +
                           std::to_string(i) + ": expected " +
                           specs[i].toString() + ", got " + t.typeString() +
                           hint);
    }
  }
  return Status::ok();
}

Status Module::checkInputs(const EntrySpec &entry,
                           const std::vector<HostTensor> &inputs) const {
  return checkTensors("input", entry.inputs, inputs, entry);
}

Expected<std::vector<HostTensor>>
Module::run(const std::string &entryName,
            const std::vector<HostTensor> &inputs) {
  Expected<const EntrySpec *> e = entry(entryName);
  if (!e)
    return e.status();
  RESCALE_RETURN_IF_ERROR(checkInputs(**e, inputs));
  std::vector<HostTensor> outputs;
  for (const TensorSpec &spec : (*e)->outputs) {
    Expected<HostTensor> t = HostTensor::create(spec.dtype, spec.shape);
    if (!t)
      return t.status();
    t->poison(); // an output the module forgets to write shows up as NaN
    outputs.push_back(t.take());
  }
  RESCALE_RETURN_IF_ERROR(call(**e, inputs, outputs));
  return outputs;
}

Status Module::call(const EntrySpec &entry,
                    const std::vector<HostTensor> &inputs,
                    std::vector<HostTensor> &outputs) {
  if (!functionFor(entry))
    return Status::error("unknown entry '" + entry.name +
                         "' (available: " + manifest_.entryNames() + ")");
  RESCALE_RETURN_IF_ERROR(checkInputs(entry, inputs));
  RESCALE_RETURN_IF_ERROR(
      checkTensors("output", entry.outputs, outputs, entry));
  if (manifest_.argMemory == ArgMemory::Device)
    return callDevice(entry, inputs, outputs);
  return callHost(entry, inputs, outputs);
}

Status Module::callInPlace(const EntrySpec &entry,
                           const std::vector<void *> &buffers) {
  EntryFn fn = functionFor(entry);
  if (!fn)
    return Status::error("unknown entry '" + entry.name +
                         "' (available: " + manifest_.entryNames() + ")");
  size_t expected = entry.inputs.size() + entry.outputs.size();
  if (buffers.size() != expected)
    return Status::error("entry '" + entry.name + "' takes " +
                         std::to_string(expected) +
                         " buffers (inputs, then outputs), got " +
                         std::to_string(buffers.size()));
  CallArgs args;
  for (size_t i = 0; i < buffers.size(); ++i)
    args.add(buffers[i], i < entry.inputs.size()
                             ? entry.inputs[i].shape
                             : entry.outputs[i - entry.inputs.size()].shape);
  fn(args.argv());
  return finishCall(entry);
}

EntryFn Module::functionFor(const EntrySpec &entry) const {
  for (size_t i = 0; i < manifest_.entries.size(); ++i)
    if (manifest_.entries[i].name == entry.name)
      return functions_[i];
  return nullptr;
}

Status Module::finishCall(const EntrySpec &entry) {
  if (!manifest_.isCuda())
    return Status::ok();
  // The entry's own host code waits for its kernels; this catches errors of
  // asynchronous work it did not wait for.
  Status sync = cudaSynchronize();
  std::string err = takeLastCudaError();
  if (!err.empty())
    return Status::error("entry '" + entry.name + "': " + err);
  return sync.withContext("entry '" + entry.name + "'");
}

Status Module::callHost(const EntrySpec &entry,
                        const std::vector<HostTensor> &inputs,
                        std::vector<HostTensor> &outputs) {
  CallArgs args;
  for (const HostTensor &t : inputs)
    args.add(const_cast<uint8_t *>(t.data()), t.shape());
  for (HostTensor &t : outputs)
    args.add(t.data(), t.shape());
  functionFor(entry)(args.argv());
  return finishCall(entry);
}

Status Module::callDevice(const EntrySpec &entry,
                          const std::vector<HostTensor> &inputs,
                          std::vector<HostTensor> &outputs) {
  std::vector<DeviceTensor> device;
  // Outputs are uploaded too, so that the device buffers carry the poison.
  for (const std::vector<HostTensor> *list :
       {&inputs, const_cast<const std::vector<HostTensor> *>(&outputs)}) {
    for (const HostTensor &t : *list) {
      Expected<DeviceTensor> d = DeviceTensor::upload(t);
      if (!d)
        return d.status().withContext("entry '" + entry.name + "'");
      device.push_back(d.take());
    }
  }
  CallArgs args;
  for (DeviceTensor &d : device)
    args.add(d.data(), d.shape());
  functionFor(entry)(args.argv());
  RESCALE_RETURN_IF_ERROR(finishCall(entry));
  for (size_t i = 0; i < outputs.size(); ++i)
    RESCALE_RETURN_IF_ERROR(device[inputs.size() + i].download(outputs[i]));
  return Status::ok();
}

} // namespace rescale::runtime
