//===- Manifest.cpp - The compiled-module manifest ------------------------===//
#include "rescale/runtime/Manifest.h"

#include "File.h"
#include "rescale/runtime/HostTensor.h"
#include "rescale/runtime/Json.h"
#include "rescale/runtime/Sha256.h"

namespace rescale::runtime {

std::string TensorSpec::toString() const {
  return std::string(dtypeName(dtype)) + formatShape(shape);
}

const EntrySpec *Manifest::findEntry(const std::string &name) const {
  for (const EntrySpec &e : entries)
    if (e.name == name)
      return &e;
  return nullptr;
}

std::string Manifest::entryNames() const {
  std::string s;
  for (const EntrySpec &e : entries)
    s += (s.empty() ? "" : ", ") + e.name;
  return s;
}

std::string entrySymbolFor(const std::string &name) {
  return "_rescale_entry_" + name;
}

std::string manifestPathFor(const std::string &modulePath) {
  const std::string so = ".so";
  if (modulePath.size() > so.size() &&
      modulePath.compare(modulePath.size() - so.size(), so.size(), so) == 0)
    return modulePath.substr(0, modulePath.size() - so.size()) +
           ".manifest.json";
  return modulePath + ".manifest.json";
}

static Status fail(const std::string &what) {
  return Status::error("invalid manifest: " + what);
}

static bool isSha256Hex(const std::string &s) {
  if (s.size() != 64)
    return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

static Expected<std::vector<TensorSpec>>
parseTensorList(const JsonValue *list, const std::string &where) {
  if (!list || !list->isArray())
    return fail(where + " must be an array");
  std::vector<TensorSpec> specs;
  for (size_t i = 0; i < list->getArray().size(); ++i) {
    const JsonValue &t = list->getArray()[i];
    std::string at = where + "[" + std::to_string(i) + "]";
    const JsonValue *dtype = t.get("dtype");
    const JsonValue *shape = t.get("shape");
    if (!t.isObject() || !dtype || !dtype->isString() || !shape ||
        !shape->isArray())
      return fail(at + " needs a string 'dtype' and an array 'shape'");
    TensorSpec spec;
    Expected<DType> d = parseDType(dtype->getString());
    if (!d)
      return d.status().withContext("invalid manifest: " + at);
    spec.dtype = *d;
    for (const JsonValue &dim : shape->getArray()) {
      if (!dim.isInteger() || dim.getInteger() < 0)
        return fail(at + ": shape entries must be non-negative integers "
                         "(entry points have static shapes)");
      spec.shape.push_back(dim.getInteger());
    }
    Expected<int64_t> n = checkedNumElements(spec.shape);
    if (!n)
      return n.status().withContext("invalid manifest: " + at);
    specs.push_back(std::move(spec));
  }
  return specs;
}

Expected<Manifest> parseManifest(std::string_view json) {
  Expected<JsonValue> root = parseJson(json);
  if (!root)
    return root.status().withContext("invalid manifest");
  if (!root->isObject())
    return fail("not a JSON object");
  const JsonValue *format = root->get("format");
  if (!format || !format->isString() || format->getString() != "rescale-module")
    return fail("\"format\" must be \"rescale-module\"");
  Manifest m;
  const JsonValue *version = root->get("version");
  if (!version || !version->isInteger())
    return fail("\"version\" must be an integer");
  if (version->getInteger() != Manifest::kVersion)
    return fail("version " + std::to_string(version->getInteger()) +
                " is not supported (this runtime reads version " +
                std::to_string(Manifest::kVersion) + ")");
  const JsonValue *digest = root->get("module_sha256");
  if (!digest || !digest->isString() || !isSha256Hex(digest->getString()))
    return fail("\"module_sha256\" must be the module file's SHA-256, 64 "
                "lowercase hex digits");
  m.moduleSha256 = digest->getString();
  const JsonValue *target = root->get("target");
  if (!target || !target->isString() ||
      (target->getString() != "cpu" && target->getString() != "cuda"))
    return fail("\"target\" must be \"cpu\" or \"cuda\"");
  m.target = target->getString();
  if (const JsonValue *chip = root->get("chip")) {
    if (chip->isString())
      m.chip = chip->getString();
    else if (!chip->isNull())
      return fail("\"chip\" must be a string or null");
  }
  m.argMemory = ArgMemory::Host;
  if (const JsonValue *mem = root->get("arg_memory")) {
    if (!mem->isString() ||
        (mem->getString() != "host" && mem->getString() != "device"))
      return fail("\"arg_memory\" must be \"host\" or \"device\"");
    m.argMemory =
        mem->getString() == "device" ? ArgMemory::Device : ArgMemory::Host;
    if (m.argMemory == ArgMemory::Device && !m.isCuda())
      return fail("\"arg_memory\": \"device\" needs target \"cuda\"");
  }
  const JsonValue *entries = root->get("entries");
  if (!entries || !entries->isArray())
    return fail("\"entries\" must be an array");
  for (size_t i = 0; i < entries->getArray().size(); ++i) {
    const JsonValue &e = entries->getArray()[i];
    std::string at = "entries[" + std::to_string(i) + "]";
    const JsonValue *name = e.get("name");
    if (!e.isObject() || !name || !name->isString() ||
        name->getString().empty())
      return fail(at + " needs a non-empty string \"name\"");
    EntrySpec spec;
    spec.name = name->getString();
    if (m.findEntry(spec.name))
      return fail("duplicate entry '" + spec.name + "'");
    const JsonValue *symbol = e.get("symbol");
    if (symbol && !symbol->isString())
      return fail(at + ": \"symbol\" must be a string");
    spec.symbol = symbol ? symbol->getString() : entrySymbolFor(spec.name);
    Expected<std::vector<TensorSpec>> inputs =
        parseTensorList(e.get("inputs"), "entry '" + spec.name + "' inputs");
    if (!inputs)
      return inputs.status();
    Expected<std::vector<TensorSpec>> outputs =
        parseTensorList(e.get("outputs"), "entry '" + spec.name + "' outputs");
    if (!outputs)
      return outputs.status();
    spec.inputs = inputs.take();
    spec.outputs = outputs.take();
    m.entries.push_back(std::move(spec));
  }
  return m;
}

Expected<Manifest> readManifest(const std::string &path) {
  Expected<std::string> text = readFileBytes(path, kMaxJsonFileBytes);
  if (!text)
    return text.status();
  Expected<Manifest> m = parseManifest(*text);
  if (!m)
    return m.status().withContext("'" + path + "'");
  return m;
}

Status sealManifest(const std::string &modulePath) {
  std::string path = manifestPathFor(modulePath);
  Expected<std::string> text = readFileBytes(path, kMaxJsonFileBytes);
  if (!text)
    return text.status();
  Expected<JsonValue> root = parseJson(*text);
  if (!root || !root->isObject())
    return Status::error("'" + path + "' is not a JSON object");
  Expected<std::string> digest = fileSha256(modulePath);
  if (!digest)
    return digest.status();
  std::vector<std::pair<std::string, JsonValue>> members;
  for (const auto &member : root->getObject())
    if (member.first != "module_sha256")
      members.push_back(member);
  members.emplace_back("module_sha256", JsonValue::makeString(*digest));
  std::string sealed = JsonValue::makeObject(std::move(members)).serialize();
  Expected<Manifest> m = parseManifest(sealed);
  if (!m)
    return m.status().withContext("'" + path + "'");
  return writeFileBytes(path, sealed);
}

static JsonValue specToJson(const TensorSpec &s) {
  std::vector<JsonValue> shape;
  for (int64_t d : s.shape)
    shape.push_back(JsonValue::makeNumber(double(d), true, d));
  return JsonValue::makeObject(
      {{"dtype", JsonValue::makeString(std::string(dtypeName(s.dtype)))},
       {"shape", JsonValue::makeArray(std::move(shape))}});
}

std::string serializeManifest(const Manifest &m) {
  std::vector<JsonValue> entries;
  for (const EntrySpec &e : m.entries) {
    std::vector<JsonValue> ins, outs;
    for (const TensorSpec &s : e.inputs)
      ins.push_back(specToJson(s));
    for (const TensorSpec &s : e.outputs)
      outs.push_back(specToJson(s));
    entries.push_back(JsonValue::makeObject(
        {{"name", JsonValue::makeString(e.name)},
         {"symbol", JsonValue::makeString(e.symbol)},
         {"inputs", JsonValue::makeArray(std::move(ins))},
         {"outputs", JsonValue::makeArray(std::move(outs))}}));
  }
  std::vector<std::pair<std::string, JsonValue>> root = {
      {"format", JsonValue::makeString("rescale-module")},
      {"version", JsonValue::makeNumber(double(m.version), true, m.version)},
      {"module_sha256", JsonValue::makeString(m.moduleSha256)},
      {"target", JsonValue::makeString(m.target)},
      {"chip", m.chip ? JsonValue::makeString(*m.chip) : JsonValue()}};
  if (m.argMemory == ArgMemory::Device)
    root.emplace_back("arg_memory", JsonValue::makeString("device"));
  root.emplace_back("entries", JsonValue::makeArray(std::move(entries)));
  return JsonValue::makeObject(std::move(root)).serialize();
}

} // namespace rescale::runtime
