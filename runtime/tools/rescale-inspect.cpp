//===- rescale-inspect.cpp - Show what a module or tensor file holds ------===//
//
//   rescale-inspect FILE.npy|FILE.safetensors [--values]
//   rescale-inspect MODULE.so|MODULE.manifest.json
//   rescale-inspect --cuda
//   rescale-inspect --seal MODULE.so
//
// Runtime-only (links no LLVM): usable on a deployment machine, and the
// binary the no-LLVM ldd test checks.
//
//===----------------------------------------------------------------------===//
#include "rescale/runtime/Cuda.h"
#include "rescale/runtime/Float.h"
#include "rescale/runtime/Manifest.h"
#include "rescale/runtime/Npy.h"
#include "rescale/runtime/Safetensors.h"

#include <cstdio>
#include <cstring>
#include <string>

using namespace rescale::runtime;

static int fail(const std::string &message) {
  std::fprintf(stderr, "rescale-inspect: error: %s\n", message.c_str());
  return 1;
}

static bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

static std::string elementString(const HostTensor &t, int64_t i) {
  char buf[64];
  const uint8_t *p = t.data();
  switch (t.dtype()) {
  case DType::F32:
    std::snprintf(buf, sizeof(buf), "%.9g", double(t.dataAs<float>()[i]));
    break;
  case DType::F64:
    std::snprintf(buf, sizeof(buf), "%.17g", t.dataAs<double>()[i]);
    break;
  case DType::F16:
    std::snprintf(buf, sizeof(buf), "%.9g",
                  double(f16ToF32(t.dataAs<uint16_t>()[i])));
    break;
  case DType::BF16:
    std::snprintf(buf, sizeof(buf), "%.9g",
                  double(bf16ToF32(t.dataAs<uint16_t>()[i])));
    break;
  case DType::F8E4M3FN:
    std::snprintf(buf, sizeof(buf), "%.9g", double(f8E4M3FNToF32(p[i])));
    break;
  case DType::F8E8M0FNU:
    std::snprintf(buf, sizeof(buf), "%.9g", double(f8E8M0FNUToF32(p[i])));
    break;
  case DType::F4E2M1FN:
    std::snprintf(buf, sizeof(buf), "%.9g", double(f4E2M1FNToF32(p[i])));
    break;
  case DType::I32:
    std::snprintf(buf, sizeof(buf), "%d", t.dataAs<int32_t>()[i]);
    break;
  case DType::I64:
    std::snprintf(buf, sizeof(buf), "%lld",
                  static_cast<long long>(t.dataAs<int64_t>()[i]));
    break;
  case DType::I8:
  case DType::I4:
    std::snprintf(buf, sizeof(buf), "%d", int(int8_t(p[i])));
    break;
  case DType::U16:
    std::snprintf(buf, sizeof(buf), "%u", unsigned(t.dataAs<uint16_t>()[i]));
    break;
  default: // i1, u8
    std::snprintf(buf, sizeof(buf), "%u", unsigned(p[i]));
    break;
  }
  return buf;
}

static void printTensor(const std::string &label, const HostTensor &t,
                        bool values) {
  std::printf("%s%s\n", label.c_str(), t.typeString().c_str());
  if (!values)
    return;
  for (int64_t i = 0; i < t.numElements(); ++i)
    std::printf("%s%s", i ? " " : "  ", elementString(t, i).c_str());
  if (t.numElements())
    std::printf("\n");
}

static int inspectManifest(const std::string &path) {
  Expected<Manifest> m = readManifest(path);
  if (!m)
    return fail(m.status().message());
  std::printf("module target=%s chip=%s arg_memory=%s\n", m->target.c_str(),
              m->chip ? m->chip->c_str() : "null",
              m->argMemory == ArgMemory::Device ? "device" : "host");
  for (const EntrySpec &e : m->entries) {
    std::string ins, outs;
    for (const TensorSpec &s : e.inputs)
      ins += (ins.empty() ? "" : ", ") + s.toString();
    for (const TensorSpec &s : e.outputs)
      outs += (outs.empty() ? "" : ", ") + s.toString();
    std::printf("entry %s (%s) -> (%s) symbol %s\n", e.name.c_str(),
                ins.c_str(), outs.c_str(), e.symbol.c_str());
  }
  return 0;
}

int main(int argc, char **argv) {
  std::string file;
  bool values = false, cuda = false, sealModule = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--values")
      values = true;
    else if (a == "--seal")
      sealModule = true;
    else if (a == "--cuda")
      cuda = true;
    else if (a == "-h" || a == "--help") {
      std::printf("usage: rescale-inspect FILE.npy|FILE.safetensors "
                  "[--values]\n       rescale-inspect MODULE.so|"
                  "MODULE.manifest.json\n       rescale-inspect --cuda\n"
                  "       rescale-inspect --seal MODULE.so\n");
      return 0;
    } else if (!a.empty() && a[0] == '-')
      return fail("unknown option '" + a + "'");
    else if (file.empty())
      file = a;
    else
      return fail("more than one file given");
  }
  if (cuda) {
    Expected<std::string> d = cudaDeviceDescription();
    if (!d)
      return fail(d.status().message());
    std::printf("cuda device: %s\n", d->c_str());
    return 0;
  }
  if (file.empty())
    return fail("no file given (see --help)");
  if (sealModule) {
    Status sealed = sealManifest(file);
    return sealed ? 0 : fail(sealed.message());
  }
  if (endsWith(file, ".npy")) {
    Expected<HostTensor> t = readNpy(file);
    if (!t)
      return fail(t.status().message());
    printTensor("npy ", *t, values);
    return 0;
  }
  if (endsWith(file, ".safetensors")) {
    Expected<SafetensorsFile> f = readSafetensors(file);
    if (!f)
      return fail(f.status().message());
    for (const auto &[k, v] : f->metadata)
      std::printf("metadata %s = %s\n", k.c_str(), v.c_str());
    for (const auto &[name, t] : f->tensors)
      printTensor("tensor " + name + ": ", t, values);
    return 0;
  }
  if (endsWith(file, ".so"))
    return inspectManifest(manifestPathFor(file));
  if (endsWith(file, ".json"))
    return inspectManifest(file);
  return fail("cannot tell the kind of '" + file +
              "' (expected .npy, .safetensors, .so or .manifest.json)");
}
