//===- Probes.cpp - probe outputs and the reports built from them ---------===//
#include "rescale/runtime/Probes.h"

#include "File.h"
#include "rescale/runtime/Json.h"

#include <algorithm>
#include <sys/stat.h>
#include <cmath>
#include <limits>
#include <numeric>

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
  Expected<std::string> text = readFileBytes(manifestPath, kMaxJsonFileBytes);
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
  Expected<std::string> text = readFileBytes(manifestPath, kMaxJsonFileBytes);
  if (!text)
    return text.status();
  Expected<std::vector<ProbeSpec>> probes = parseProbes(*text, entry);
  if (!probes)
    return probes.status().withContext("invalid manifest '" + manifestPath +
                                       "'");
  return probes;
}

Expected<std::vector<ProbeSpec>> parseProbes(std::string_view manifestText,
                                             const std::string &entry) {
  auto bad = [&](const std::string &why) {
    return Status::error("entry '" + entry + "' probes: " + why);
  };
  Expected<JsonValue> root = parseJson(manifestText);
  if (!root)
    return root.status();
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

Expected<AbsmaxTable> parseAbsmaxCalibration(std::string_view text) {
  Expected<JsonValue> root = parseJson(text);
  if (!root)
    return root.status();
  auto bad = [](const std::string &why) {
    return Status::error("not a calibration file: " + why);
  };
  const JsonValue *format = root->isObject() ? root->get("format") : nullptr;
  const JsonValue *version = root->isObject() ? root->get("version") : nullptr;
  if (!format || !format->isString() ||
      format->getString() != "rescale-calibration")
    return bad("expected \"format\": \"rescale-calibration\"");
  // 1, 1.0 and 1e0 are all version 1, as for the compiler's reader
  // (passes/Calibration.cpp): the two accept the same files.
  if (!version || !version->isNumber() || version->getNumber() != 1)
    return bad("expected \"version\": 1");
  const JsonValue *absmax = root->get("absmax");
  if (!absmax || !absmax->isObject())
    return bad("expected an \"absmax\" object");
  AbsmaxTable table;
  for (const auto &[name, values] : absmax->getObject()) {
    if (!values.isArray())
      return bad("\"" + name + "\" is not an array of numbers");
    std::vector<double> channels;
    for (const JsonValue &v : values.getArray()) {
      if (!v.isNumber())
        return bad("\"" + name + "\" is not an array of numbers");
      // What the compiler refuses, the runtime does not accumulate into:
      // an absmax is a non-negative f32 (beyond f32's range, or 1e999
      // read as infinity, it is an overflowed calibration run).
      double d = v.getNumber();
      if (!std::isfinite(d) || d < 0 ||
          d > double(std::numeric_limits<float>::max()))
        return bad("\"" + name +
                   "\" must hold finite non-negative numbers within f32's "
                   "range");
      channels.push_back(d);
    }
    table.emplace_back(name, std::move(channels));
  }
  return table;
}

Status writeAbsmaxCalibration(const std::string &path,
                              const std::vector<ProbeSpec> &probes,
                              const std::vector<HostTensor> &outputs,
                              bool accumulate) {
  AbsmaxTable table;
  for (const ProbeSpec &p : probes) {
    if (p.kind != "absmax")
      continue;
    if (p.output >= outputs.size() || outputs[p.output].dtype() != DType::F32 ||
        outputs[p.output].shape().size() != 1)
      return Status::error("absmax probe '" + p.name +
                           "' is not an f32 vector output");
    const HostTensor &t = outputs[p.output];
    std::vector<double> channels;
    for (int64_t i = 0; i < t.numElements(); ++i) {
      double v = t.dataAs<float>()[i];
      if (!std::isfinite(v))
        return Status::error("the input of linear '" + p.name + "' has " +
                             (std::isnan(v) ? "a NaN" : "an infinite value") +
                             " in channel " + std::to_string(i) +
                             ": no calibration from this run");
      channels.push_back(v);
    }
    table.emplace_back(p.name, std::move(channels));
  }
  if (table.empty())
    return Status::error("the entry has no absmax probes (no rescale.linear "
                         "was instrumented), so there is nothing to collect");

  struct stat st;
  if (accumulate && ::stat(path.c_str(), &st) == 0) {
    Expected<AbsmaxTable> previous = parseFile<AbsmaxTable>(
        path, kMaxJsonFileBytes, [](const uint8_t *data, size_t size) {
          return parseAbsmaxCalibration(
              std::string_view(reinterpret_cast<const char *>(data), size));
        });
    if (!previous)
      return previous.status();
    auto mismatch = [&](const std::string &why) {
      return Status::error("cannot accumulate into '" + path + "': " + why +
                           " (a calibration of another model?)");
    };
    if (previous->size() != table.size())
      return mismatch("it has " + std::to_string(previous->size()) +
                      " linears, this entry " + std::to_string(table.size()));
    for (auto &entry : table) {
      const std::string &name = entry.first;
      std::vector<double> &channels = entry.second;
      auto it = std::find_if(previous->begin(), previous->end(),
                             [&](const auto &e) { return e.first == name; });
      if (it == previous->end())
        return mismatch("it has no linear '" + name + "'");
      if (it->second.size() != channels.size())
        return mismatch("linear '" + name + "' has " +
                        std::to_string(it->second.size()) +
                        " channels there, " + std::to_string(channels.size()) +
                        " here");
      for (size_t i = 0; i < channels.size(); ++i)
        channels[i] = std::max(channels[i], it->second[i]);
    }
  }

  std::vector<std::pair<std::string, JsonValue>> absmax;
  for (auto &[name, channels] : table) {
    std::vector<JsonValue> values;
    for (double v : channels)
      values.push_back(number(v));
    absmax.emplace_back(name, JsonValue::makeArray(std::move(values)));
  }
  JsonValue root = JsonValue::makeObject(
      {{"format", JsonValue::makeString("rescale-calibration")},
       {"version", integer(1)},
       {"absmax", JsonValue::makeObject(std::move(absmax))}});
  return writeFileBytes(path, root.serialize() + "\n");
}

namespace {
/// The f32 probe output of `p`, or why not.
Expected<const HostTensor *> probeTensor(const ProbeSpec &p,
                                         const std::vector<HostTensor> &outputs,
                                         size_t minRank) {
  if (p.output >= outputs.size() || outputs[p.output].dtype() != DType::F32 ||
      outputs[p.output].shape().size() < minRank)
    return Status::error(p.kind + " probe '" + p.name +
                         "' is not an f32 output of rank >= " +
                         std::to_string(minRank));
  return &outputs[p.output];
}
} // namespace

Status writeSinkReport(const std::string &path, const std::string &entry,
                       const std::vector<ProbeSpec> &probes,
                       const std::vector<HostTensor> &outputs,
                       double threshold) {
  std::vector<JsonValue> attention, norms;
  int64_t pairs = 0, sinks = 0;
  for (const ProbeSpec &p : probes) {
    if (p.kind == "first_token_share") {
      auto t = probeTensor(p, outputs, 2);
      if (!t)
        return t.status();
      // [B, Hq]: the share of each head, averaged over the batch.
      int64_t batch = (*t)->shape()[0], heads = (*t)->shape()[1];
      const float *v = (*t)->dataAs<float>();
      std::vector<JsonValue> shares;
      for (int64_t h = 0; h < heads; ++h) {
        double sum = 0;
        for (int64_t b = 0; b < batch; ++b)
          sum += v[b * heads + h];
        double share = batch ? sum / double(batch) : 0.0;
        shares.push_back(number(share));
        ++pairs;
        sinks += share >= threshold;
      }
      attention.push_back(JsonValue::makeObject(
          {{"name", JsonValue::makeString(p.name)},
           {"first_token_share", JsonValue::makeArray(std::move(shares))}}));
    } else if (p.kind == "norm_input") {
      auto t = probeTensor(p, outputs, 1);
      if (!t)
        return t.status();
      // |x| over [..., d]: peak, median, and the mean per hidden dimension.
      const HostTensor &abs = **t;
      int64_t n = abs.numElements(), d = abs.shape().back();
      std::vector<float> sorted(abs.dataAs<float>(), abs.dataAs<float>() + n);
      std::sort(sorted.begin(), sorted.end());
      double peak = n ? sorted.back() : 0.0;
      double median = n == 0       ? 0.0
                      : n % 2 == 1 ? sorted[n / 2]
                                   : 0.5 * (double(sorted[n / 2 - 1]) +
                                            double(sorted[n / 2]));
      std::vector<double> mean(d, 0.0);
      for (int64_t i = 0; i < n; ++i)
        mean[i % d] += abs.dataAs<float>()[i];
      for (double &m : mean)
        m /= double(n / d);
      std::vector<int64_t> dims(d);
      std::iota(dims.begin(), dims.end(), 0);
      // Largest mean first; ties by dimension, so the report is stable.
      std::stable_sort(dims.begin(), dims.end(), [&](int64_t a, int64_t b) {
        return mean[a] > mean[b];
      });
      std::vector<JsonValue> top;
      for (int64_t i = 0; i < std::min<int64_t>(3, d); ++i)
        top.push_back(JsonValue::makeObject(
            {{"dim", integer(dims[i])}, {"mean_abs", number(mean[dims[i]])}}));
      norms.push_back(JsonValue::makeObject(
          {{"name", JsonValue::makeString(p.name)},
           {"peak_abs", number(peak)},
           {"median_abs", number(median)},
           {"top_dims", JsonValue::makeArray(std::move(top))}}));
    }
  }
  if (attention.empty() && norms.empty())
    return Status::error("the entry has no sink probes (no rescale.attention "
                         "or norm was instrumented), so there is nothing to "
                         "report");
  JsonValue root = JsonValue::makeObject(
      {{"format", JsonValue::makeString("rescale-sink-report")},
       {"version", integer(1)},
       {"entry", JsonValue::makeString(entry)},
       {"sink_threshold", number(threshold)},
       {"sink_rate", pairs ? number(double(sinks) / double(pairs)) : JsonValue()},
       {"attention", JsonValue::makeArray(std::move(attention))},
       {"norms", JsonValue::makeArray(std::move(norms))}});
  return writeFileBytes(path, root.serialize() + "\n");
}

} // namespace rescale::runtime
