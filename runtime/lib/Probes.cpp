//===- Probes.cpp - probe outputs and the reports built from them ---------===//
#include "rescale/runtime/Probes.h"

#include "File.h"
#include "rescale/runtime/Json.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <sys/stat.h>

namespace rescale::runtime {

static JsonValue integer(int64_t v) {
  return JsonValue::makeNumber(double(v), true, v);
}
static JsonValue number(double v) { return JsonValue::makeNumber(v, false, 0); }

static JsonValue probeToJson(const ProbeSpec &p) {
  return JsonValue::makeObject({{"output", integer(int64_t(p.output))},
                                {"kind", JsonValue::makeString(p.kind)},
                                {"name", JsonValue::makeString(p.name)}});
}

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
        return mismatch(
            "linear '" + name + "' has " + std::to_string(it->second.size()) +
            " channels there, " + std::to_string(channels.size()) + " here");
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
constexpr int64_t kTopMeanDims = 3, kTopMaxDims = 5;

/// The residual-sink statistics of one |x| probe ([..., d], f32).
struct NormStatistics {
  double peak = 0, median = 0;
  /// E[x^4] / E[x^2]^2 over all elements (3 for a Gaussian, large when a
  /// few values dominate); none when every element is 0 or there is none.
  std::optional<double> kurtosis;
  std::vector<double> channelMean, channelMax; // [d], over all other axes
  std::vector<int64_t> topMeanDims, topMaxDims;
};
} // namespace

/// The `count` dims with the largest `value`, largest first, ties by dim.
static std::vector<int64_t> largestDims(const std::vector<double> &value,
                                        int64_t count) {
  std::vector<int64_t> dims(value.size());
  std::iota(dims.begin(), dims.end(), 0);
  std::stable_sort(dims.begin(), dims.end(),
                   [&](int64_t a, int64_t b) { return value[a] > value[b]; });
  dims.resize(std::min<int64_t>(count, int64_t(dims.size())));
  return dims;
}

static NormStatistics normStatistics(const HostTensor &abs) {
  NormStatistics st;
  const float *x = abs.dataAs<float>();
  int64_t n = abs.numElements(), d = abs.shape().back();
  std::vector<float> sorted(x, x + n);
  std::sort(sorted.begin(), sorted.end());
  st.peak = n ? sorted.back() : 0.0;
  st.median = n == 0 ? 0.0
              : n % 2 == 1
                  ? sorted[n / 2]
                  : 0.5 * (double(sorted[n / 2 - 1]) + double(sorted[n / 2]));
  st.channelMean.assign(d, 0.0);
  st.channelMax.assign(d, 0.0);
  double m2 = 0, m4 = 0;
  for (int64_t i = 0; i < n; ++i) {
    double v = x[i];
    st.channelMean[i % d] += v;
    st.channelMax[i % d] = std::max(st.channelMax[i % d], v);
    m2 += v * v;
    m4 += v * v * v * v;
  }
  int64_t rows = d ? n / d : 0;
  for (double &m : st.channelMean)
    m = rows ? m / double(rows) : 0.0;
  if (n && m2 > 0 && std::isfinite(m4))
    st.kurtosis = (m4 / double(n)) / ((m2 / double(n)) * (m2 / double(n)));
  st.topMeanDims = largestDims(st.channelMean, kTopMeanDims);
  st.topMaxDims = largestDims(st.channelMax, kTopMaxDims);
  return st;
}

/// Per dim of `dims`, Σ over that channel of |v| / Σ |v| (v a |.| probe
/// [..., d]), then their sum last; all 0 when Σ |v| = 0.
static std::vector<double> massShares(const HostTensor &abs,
                                      const std::vector<int64_t> &dims) {
  const float *v = abs.dataAs<float>();
  int64_t n = abs.numElements(), d = abs.shape().back();
  std::vector<double> channel(d, 0.0);
  double all = 0;
  for (int64_t i = 0; i < n; ++i) {
    all += v[i];
    channel[i % d] += v[i];
  }
  std::vector<double> shares;
  double sum = 0;
  for (int64_t dim : dims) {
    shares.push_back(all > 0 ? channel[dim] / all : 0.0);
    sum += shares.back();
  }
  shares.push_back(sum);
  return shares;
}

/// How the top channels recur across the residual stream's probes: each dim
/// in any top set with the number of probes whose top set has it (most
/// first, ties by dim), and the mean overlap |A ∩ B| / |A| of consecutive
/// probes' top sets (null with fewer than two).
static JsonValue recurrenceJson(const std::vector<std::vector<int64_t>> &tops) {
  std::map<int64_t, int64_t> counts;
  for (const auto &top : tops)
    for (int64_t dim : top)
      ++counts[dim];
  std::vector<std::pair<int64_t, int64_t>> byCount(counts.begin(),
                                                   counts.end());
  std::stable_sort(byCount.begin(), byCount.end(),
                   [](auto &a, auto &b) { return a.second > b.second; });
  std::vector<JsonValue> dims;
  for (auto &[dim, count] : byCount)
    dims.push_back(JsonValue::makeObject(
        {{"dim", integer(dim)}, {"norm_inputs", integer(count)}}));
  double overlap = 0;
  for (size_t i = 1; i < tops.size(); ++i) {
    int64_t common = 0;
    for (int64_t dim : tops[i])
      common += std::count(tops[i - 1].begin(), tops[i - 1].end(), dim);
    overlap += tops[i].empty() ? 0.0 : double(common) / double(tops[i].size());
  }
  return JsonValue::makeObject(
      {{"norm_inputs", integer(int64_t(tops.size()))},
       {"dims", JsonValue::makeArray(std::move(dims))},
       {"consecutive_overlap", tops.size() >= 2
                                   ? number(overlap / double(tops.size() - 1))
                                   : JsonValue()}});
}

/// 1-based ranks of `v`, ties sharing their average rank.
static std::vector<double> averageRanks(const std::vector<double> &v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> ranks(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]])
      ++j;
    double rank = 0.5 * double(i + j) + 1.0; // the mean of ranks i+1..j+1
    for (size_t k = i; k <= j; ++k)
      ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

/// Spearman's rank correlation of a and b: the Pearson correlation of their
/// average ranks. None with fewer than two values, or when a or b is
/// constant (no order to correlate).
static std::optional<double> rankCorrelation(const std::vector<double> &a,
                                             const std::vector<double> &b) {
  if (a.size() != b.size() || a.size() < 2)
    return std::nullopt;
  std::vector<double> ra = averageRanks(a), rb = averageRanks(b);
  double mean = 0.5 * double(a.size() + 1); // of ranks 1..n, ties or not
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (ra[i] - mean) * (rb[i] - mean);
    saa += (ra[i] - mean) * (ra[i] - mean);
    sbb += (rb[i] - mean) * (rb[i] - mean);
  }
  if (saa == 0 || sbb == 0)
    return std::nullopt;
  return sab / std::sqrt(saa * sbb);
}

/// One gated norm's entry of the sink report from |y| before the gate
/// ([..., d]) and the gate ([..., d], or [..., 1] for one gate per token):
/// per channel the mean |y| and the mean gate over tokens, and their rank
/// correlation over channels (the paper: the gate is smaller where |y| is
/// larger, a negative correlation); per token the same over tokens. A gate
/// that is one value per token (width 1, or every row constant: a
/// broadcast) has no channel correlation.
static Expected<JsonValue> gateJson(const std::string &name,
                                    const HostTensor &yAbs,
                                    const HostTensor &gate) {
  int64_t d = yAbs.shape().back(), width = gate.shape().back();
  int64_t rows = d ? yAbs.numElements() / d : 0;
  if ((width != d && width != 1) ||
      (width && gate.numElements() / width != rows))
    return Status::error("gate probe '" + name + "' is " + gate.typeString() +
                         ", its gate_input " + yAbs.typeString() +
                         "; the gate must have the same rows and " +
                         std::to_string(d) + " or 1 channels");
  const float *y = yAbs.dataAs<float>(), *g = gate.dataAs<float>();
  std::vector<double> channelY(d, 0.0), channelGate(d, 0.0);
  std::vector<double> tokenY(rows, 0.0), tokenGate(rows, 0.0);
  bool perToken = width == 1;
  if (!perToken) {
    perToken = true;
    for (int64_t r = 0; r < rows && perToken; ++r)
      for (int64_t c = 1; c < d && perToken; ++c)
        perToken = g[r * d + c] == g[r * d];
  }
  double sumGate = 0;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < d; ++c) {
      double gv = g[r * width + (width == 1 ? 0 : c)];
      channelY[c] += y[r * d + c];
      channelGate[c] += gv;
      tokenY[r] += y[r * d + c];
      tokenGate[r] += gv;
      sumGate += gv;
    }
  }
  for (int64_t c = 0; c < d; ++c) {
    channelY[c] /= double(rows);
    channelGate[c] /= double(rows);
  }
  for (int64_t r = 0; r < rows; ++r) {
    tokenY[r] /= double(d);
    tokenGate[r] /= double(d);
  }
  auto orNull = [](std::optional<double> v) {
    return v && std::isfinite(*v) ? number(*v) : JsonValue();
  };
  std::optional<double> channel;
  if (!perToken)
    channel = rankCorrelation(channelY, channelGate);
  std::vector<JsonValue> top;
  for (int64_t dim : largestDims(channelY, kTopMaxDims))
    top.push_back(
        JsonValue::makeObject({{"dim", integer(dim)},
                               {"mean_abs_y", number(channelY[dim])},
                               {"mean_gate", number(channelGate[dim])}}));
  double n = double(rows) * double(d);
  return JsonValue::makeObject(
      {{"name", JsonValue::makeString(name)},
       {"gate", JsonValue::makeString(perToken ? "tensorwise" : "elementwise")},
       {"mean_gate", n > 0 ? number(sumGate / n) : JsonValue()},
       {"channel_rank_correlation", orNull(channel)},
       {"token_rank_correlation", orNull(rankCorrelation(tokenY, tokenGate))},
       {"top_dims", JsonValue::makeArray(std::move(top))}});
}

/// [B, Hq] -> the mean over the batch of each head.
static std::vector<JsonValue> batchMeans(const HostTensor &perHead) {
  int64_t batch = perHead.shape()[0], heads = perHead.shape()[1];
  const float *v = perHead.dataAs<float>();
  std::vector<JsonValue> means;
  for (int64_t h = 0; h < heads; ++h) {
    double sum = 0;
    for (int64_t b = 0; b < batch; ++b)
      sum += v[b * heads + h];
    means.push_back(number(batch ? sum / double(batch) : 0.0));
  }
  return means;
}

/// The f32 probe output of `p`, or why not.
static Expected<const HostTensor *>
probeTensor(const ProbeSpec &p, const std::vector<HostTensor> &outputs,
            size_t minRank) {
  if (p.output >= outputs.size() || outputs[p.output].dtype() != DType::F32 ||
      outputs[p.output].shape().size() < minRank)
    return Status::error(
        p.kind + " probe '" + p.name +
        "' is not an f32 output of rank >= " + std::to_string(minRank));
  return &outputs[p.output];
}

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
      std::vector<JsonValue> shares = batchMeans(**t);
      for (const JsonValue &share : shares) {
        ++pairs;
        sinks += share.getNumber() >= threshold;
      }
      std::vector<std::pair<std::string, JsonValue>> fields = {
          {"name", JsonValue::makeString(p.name)},
          {"first_token_share", JsonValue::makeArray(std::move(shares))}};
      // The same heads' share of the output (a sink takes probability
      // mass but contributes little: its value is small).
      for (const ProbeSpec &o : probes) {
        if (o.kind != "first_token_output_share" || o.name != p.name)
          continue;
        auto out = probeTensor(o, outputs, 2);
        if (!out)
          return out.status();
        if ((*out)->shape() != (*t)->shape())
          return Status::error("first_token_output_share probe '" + o.name +
                               "' has another shape than its share probe");
        fields.emplace_back("first_token_output_share",
                            JsonValue::makeArray(batchMeans(**out)));
      }
      attention.push_back(JsonValue::makeObject(std::move(fields)));
    }
  }
  // Residual sinks: one entry per norm name, its statistics from the |x|
  // probe it reads (shared by norms that read one value).
  std::vector<std::vector<int64_t>> topMaxDims; // per distinct |x| probe
  std::vector<size_t> seenOutputs;
  for (const ProbeSpec &p : probes) {
    if (p.kind != "norm_input")
      continue;
    auto t = probeTensor(p, outputs, 1);
    if (!t)
      return t.status();
    const HostTensor &abs = **t;
    NormStatistics st = normStatistics(abs);
    if (std::find(seenOutputs.begin(), seenOutputs.end(), p.output) ==
        seenOutputs.end()) {
      seenOutputs.push_back(p.output);
      topMaxDims.push_back(st.topMaxDims);
    }
    // What the norm hands on (|y|), when probed: a rescale factor dominates
    // |x| and then hardly shows in y (the paper's finding).
    const HostTensor *y = nullptr;
    for (const ProbeSpec &o : probes) {
      if (o.kind != "norm_output" || o.name != p.name)
        continue;
      auto t = probeTensor(o, outputs, 1);
      if (!t)
        return t.status();
      if ((*t)->shape() != abs.shape())
        return Status::error("norm_output probe '" + o.name +
                             "' has another shape than its input");
      y = *t;
    }
    std::vector<double> inShares = massShares(abs, st.topMaxDims);
    std::vector<double> outShares =
        y ? massShares(*y, st.topMaxDims) : std::vector<double>();
    std::vector<JsonValue> top, topMax, channelMax;
    for (int64_t dim : st.topMeanDims)
      top.push_back(JsonValue::makeObject(
          {{"dim", integer(dim)}, {"mean_abs", number(st.channelMean[dim])}}));
    for (size_t k = 0; k < st.topMaxDims.size(); ++k) {
      int64_t dim = st.topMaxDims[k];
      std::vector<std::pair<std::string, JsonValue>> entry = {
          {"dim", integer(dim)},
          {"max_abs", number(st.channelMax[dim])},
          {"input_share", number(inShares[k])}};
      if (y)
        entry.emplace_back("output_share", number(outShares[k]));
      topMax.push_back(JsonValue::makeObject(std::move(entry)));
    }
    for (double m : st.channelMax)
      channelMax.push_back(number(m));
    std::vector<std::pair<std::string, JsonValue>> fields = {
        {"name", JsonValue::makeString(p.name)},
        {"peak_abs", number(st.peak)},
        {"median_abs", number(st.median)},
        {"kurtosis", st.kurtosis ? number(*st.kurtosis) : JsonValue()},
        {"top_dims", JsonValue::makeArray(std::move(top))},
        {"top_max_dims", JsonValue::makeArray(std::move(topMax))},
        {"channel_max_abs", JsonValue::makeArray(std::move(channelMax))},
        {"top_max_input_share", number(inShares.back())}};
    if (y)
      fields.emplace_back("top_max_output_share", number(outShares.back()));
    norms.push_back(JsonValue::makeObject(std::move(fields)));
  }
  // Gated norms: the gate against the magnitude it rescales.
  std::vector<JsonValue> gates;
  for (const ProbeSpec &p : probes) {
    if (p.kind != "gate")
      continue;
    auto g = probeTensor(p, outputs, 1);
    if (!g)
      return g.status();
    const HostTensor *y = nullptr;
    for (const ProbeSpec &o : probes)
      if (o.kind == "gate_input" && o.name == p.name) {
        auto t = probeTensor(o, outputs, 1);
        if (!t)
          return t.status();
        y = *t;
      }
    if (!y)
      return Status::error("gate probe '" + p.name +
                           "' has no gate_input probe of the same name");
    Expected<JsonValue> entry = gateJson(p.name, *y, **g);
    if (!entry)
      return entry.status();
    gates.push_back(entry.take());
  }
  if (attention.empty() && norms.empty() && gates.empty())
    return Status::error("the entry has no sink probes (no rescale.attention "
                         "or norm was instrumented), so there is nothing to "
                         "report");
  JsonValue root = JsonValue::makeObject(
      {{"format", JsonValue::makeString("rescale-sink-report")},
       {"version", integer(1)},
       {"entry", JsonValue::makeString(entry)},
       {"sink_threshold", number(threshold)},
       {"sink_rate",
        pairs ? number(double(sinks) / double(pairs)) : JsonValue()},
       {"attention", JsonValue::makeArray(std::move(attention))},
       {"norms", JsonValue::makeArray(std::move(norms))},
       {"top_dims_recurrence", recurrenceJson(topMaxDims)},
       {"gates", JsonValue::makeArray(std::move(gates))}});
  return writeFileBytes(path, root.serialize() + "\n");
}

} // namespace rescale::runtime
