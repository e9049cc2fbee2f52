//===- Probes.cpp - probe outputs and the reports built from them ---------===//
#include "rescale/runtime/Probes.h"

#include "File.h"
#include "rescale/runtime/Json.h"

namespace rescale::runtime {

namespace {
JsonValue integer(int64_t v) { return JsonValue::makeNumber(double(v), true, v); }
JsonValue number(double v) { return JsonValue::makeNumber(v, false, 0); }

JsonValue probeToJson(const ProbeSpec &p) {
  return JsonValue::makeObject({{"output", integer(int64_t(p.output))},
                                {"kind", JsonValue::makeString(p.kind)},
                                {"name", JsonValue::makeString(p.name)}});
}
} // namespace

Status addProbesToManifest(const std::string &manifestPath,
                           const std::vector<EntryProbes> &probes) {
  Expected<std::string> text = readFileBytes(manifestPath);
  if (!text)
    return text.status();
  Expected<JsonValue> root = parseJson(*text);
  if (!root || !root->isObject())
    return Status::error("invalid manifest '" + manifestPath + "'");
  std::vector<std::pair<std::string, JsonValue>> members;
  for (const auto &[key, value] : root->getObject()) {
    if (key != "entries" || !value.isArray()) {
      members.emplace_back(key, value);
      continue;
    }
    std::vector<JsonValue> entries;
    for (const JsonValue &entry : value.getArray()) {
      const JsonValue *name = entry.get("name");
      const EntryProbes *found = nullptr;
      for (const EntryProbes &ep : probes)
        if (name && name->isString() && ep.entry == name->getString())
          found = &ep;
      if (!found || found->probes.empty() || !entry.isObject()) {
        entries.push_back(entry);
        continue;
      }
      auto fields = entry.getObject();
      std::vector<JsonValue> list;
      for (const ProbeSpec &p : found->probes)
        list.push_back(probeToJson(p));
      fields.emplace_back("probes", JsonValue::makeArray(std::move(list)));
      entries.push_back(JsonValue::makeObject(std::move(fields)));
    }
    members.emplace_back(key, JsonValue::makeArray(std::move(entries)));
  }
  return writeFileBytes(manifestPath,
                        JsonValue::makeObject(std::move(members)).serialize());
}

Expected<std::vector<ProbeSpec>> readProbes(const std::string &manifestPath,
                                            const std::string &entry) {
  auto bad = [&](const std::string &why) {
    return Status::error("invalid manifest '" + manifestPath + "': entry '" +
                         entry + "' probes: " + why);
  };
  Expected<std::string> text = readFileBytes(manifestPath);
  if (!text)
    return text.status();
  Expected<JsonValue> root = parseJson(*text);
  if (!root)
    return root.status().withContext("invalid manifest '" + manifestPath + "'");
  std::vector<ProbeSpec> probes;
  const JsonValue *entries = root->get("entries");
  if (!entries || !entries->isArray())
    return probes;
  for (const JsonValue &e : entries->getArray()) {
    const JsonValue *name = e.get("name");
    if (!name || !name->isString() || name->getString() != entry)
      continue;
    const JsonValue *list = e.get("probes");
    if (!list)
      return probes;
    if (!list->isArray())
      return bad("must be an array");
    for (const JsonValue &p : list->getArray()) {
      const JsonValue *output = p.get("output");
      const JsonValue *kind = p.get("kind");
      const JsonValue *probeName = p.get("name");
      if (!output || !output->isInteger() || output->getInteger() < 0 ||
          !kind || !kind->isString() || !probeName || !probeName->isString())
        return bad("each needs an integer \"output\" and string \"kind\" "
                   "and \"name\"");
      probes.push_back({size_t(output->getInteger()), kind->getString(),
                        probeName->getString()});
    }
  }
  return probes;
}

Status writeAbsmaxCalibration(const std::string &path,
                              const std::vector<ProbeSpec> &probes,
                              const std::vector<HostTensor> &outputs) {
  std::vector<std::pair<std::string, JsonValue>> absmax;
  for (const ProbeSpec &p : probes) {
    if (p.kind != "absmax")
      continue;
    if (p.output >= outputs.size() || outputs[p.output].dtype() != DType::F32 ||
        outputs[p.output].shape().size() != 1)
      return Status::error("absmax probe '" + p.name +
                           "' is not an f32 vector output");
    const HostTensor &t = outputs[p.output];
    std::vector<JsonValue> values;
    for (int64_t i = 0; i < t.numElements(); ++i)
      values.push_back(number(double(t.dataAs<float>()[i])));
    absmax.emplace_back(p.name, JsonValue::makeArray(std::move(values)));
  }
  if (absmax.empty())
    return Status::error("the entry has no absmax probes (no rescale.linear "
                         "was instrumented), so there is nothing to collect");
  JsonValue root = JsonValue::makeObject(
      {{"format", JsonValue::makeString("rescale-calibration")},
       {"version", integer(1)},
       {"absmax", JsonValue::makeObject(std::move(absmax))}});
  return writeFileBytes(path, root.serialize() + "\n");
}

} // namespace rescale::runtime
