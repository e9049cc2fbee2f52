//===- Sweep.cpp - rescale-train sweep: variants and the report -----------===//
//
// Variants are config overrides on top of the baseline's variant fields; the
// report is written from the runs' metrics.jsonl files, never from numbers
// kept in memory, so it can be rewritten from DIR alone.
//
//===----------------------------------------------------------------------===//
#include "rescale/trainer/Sweep.h"

#include "rescale/trainer/Files.h"
#include "rescale/trainer/JsonUtil.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace rescale::trainer {

using runtime::Expected;
using runtime::JsonValue;
using runtime::Status;

namespace {

struct FixedVariant {
  const char *name;
  std::vector<std::pair<std::string, JsonValue>> fields;
  /// In the default sweep (no --variants), which keeps to its time budget
  /// on 2 CPU cores; the others run with `--variants all` or by name.
  bool inDefault = true;
};

} // namespace

/// The variants of issue 12 that the stack builds. `clip` clamps the
/// residual stream at ±10: an order of magnitude above the RMS-normalized
/// scale of a tiny model's stream, so it only bites on outliers.
static const std::vector<FixedVariant> &fixedVariants() {
  static const std::vector<FixedVariant> variants = {
      {"baseline", {}},
      {"ga", {{"attn_gate", jsonString("headwise")}}},
      {"ga_elementwise", {{"attn_gate", jsonString("elementwise")}}},
      {"ga_preaffine",
       {{"attn_gate", jsonString("headwise")},
        {"norm", jsonString("preaffine")}}},
      {"ga_gatednorm",
       {{"attn_gate", jsonString("headwise")},
        {"norm", jsonString("gatednorm")}}},
      {"gatednorm", {{"norm", jsonString("gatednorm")}}},
      {"preaffine", {{"norm", jsonString("preaffine")}}},
      {"dyt", {{"norm", jsonString("dyt")}}},
      {"clip", {{"residual_clip", jsonNumber(10.0)}}},
      {"off_by_one", {{"softmax", jsonString("off_by_one")}}},
      {"learned_sink", {{"softmax", jsonString("learned_sink")}}},
      {"no_rmsnorm", {{"norm", jsonString("none")}}},
      {"no_attn_norm", {{"softmax", jsonString("sigmoid")}}},
      // Issue 19: DyT with gated attention, and the paper's gated DyT (an
      // elementwise sigmoid gate after DyT); the GatedNorm gate ablations
      // (one gate per token; tanh, SiLU and no activation instead of σ).
      {"dyt_ga",
       {{"norm", jsonString("dyt")}, {"attn_gate", jsonString("headwise")}},
       false},
      {"dyt_ga_gated",
       {{"norm", jsonString("dyt")},
        {"attn_gate", jsonString("headwise")},
        {"norm_gate", jsonString("elementwise")}},
       false},
      {"gatednorm_tensorwise",
       {{"norm", jsonString("rmsnorm")},
        {"norm_gate", jsonString("tensorwise")}},
       false},
      {"gatednorm_tanh",
       {{"norm", jsonString("gatednorm")},
        {"gatednorm_activation", jsonString("tanh")}},
       false},
      {"gatednorm_silu",
       {{"norm", jsonString("gatednorm")},
        {"gatednorm_activation", jsonString("silu")}},
       false},
      {"gatednorm_identity",
       {{"norm", jsonString("gatednorm")},
        {"gatednorm_activation", jsonString("identity")}},
       false},
      // Issue 19's linear attention: every layer Gated DeltaNet, and
      // Qwen3-Next's hybrid (every 4th layer full attention), with a
      // headwise gate on its full layers, and with GatedNorm too.
      {"linear", {{"layer_types", jsonString("linear_attention")}}, false},
      {"hybrid", {{"full_attention_interval", jsonInt(4)}}, false},
      {"hybrid_ga",
       {{"full_attention_interval", jsonInt(4)},
        {"attn_gate", jsonString("headwise")}},
       false},
      {"hybrid_ga_gatednorm",
       {{"full_attention_interval", jsonInt(4)},
        {"attn_gate", jsonString("headwise")},
        {"norm", jsonString("gatednorm")}},
       false},
  };
  return variants;
}

/// The baseline's variant fields, set before every variant's own.
static std::vector<std::pair<std::string, JsonValue>> baselineFields() {
  return {{"norm", jsonString("rmsnorm")},
          {"norm_gate", jsonString("none")},
          {"gatednorm_activation", jsonString("sigmoid")},
          {"attn_gate", jsonString("none")},
          {"softmax", jsonString("standard")},
          {"residual_clip", jsonString("none")}};
}

static std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

static bool isName(const std::string &s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
           c == '-' || c == '.';
  });
}

static Status addOverride(SweepVariant &v, const std::string &item) {
  size_t eq = item.find('=');
  std::string key = trim(item.substr(0, eq)), text = trim(item.substr(eq + 1));
  if (key.empty() || text.empty())
    return Status::error("--variants: '" + item + "' in variant '" + v.name +
                         "' is not key=value");
  for (const auto &[k, _] : v.overrides)
    if (k == key)
      return Status::error("--variants: variant '" + v.name + "' sets '" + key +
                           "' twice");
  Expected<JsonValue> parsed = runtime::parseJson(text);
  v.overrides.push_back({key, parsed ? parsed.take() : jsonString(text)});
  return Status::ok();
}

static std::string formatNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

static std::string escapeXml(const std::string &s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '&':
      out += "&amp;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

static JsonValue jsonOrNull(double v) {
  return std::isfinite(v) ? jsonNumber(v) : JsonValue();
}

namespace {

/// "name value; name value" over the variants whose value is measured
/// (finite), with how many there are and how many are below `threshold`:
/// a claim paragraph of report.md.
struct VariantValues {
  std::string list;
  size_t count = 0, below = 0;
};

} // namespace

static VariantValues
variantValues(const std::vector<SweepVariantResult> &results,
              const std::vector<double> &values, double threshold) {
  VariantValues out;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!std::isfinite(values[i]))
      continue;
    out.list += (out.count ? "; " : "") + results[i].variant.name + " " +
                formatNumber(values[i]);
    ++out.count;
    out.below += values[i] < threshold;
  }
  return out;
}

static double mean(const std::vector<double> &v) {
  double s = 0;
  for (double x : v)
    s += x;
  return v.empty() ? NAN : s / double(v.size());
}

/// Per step, the mean over runs of `series` (steps every run has).
static std::vector<std::pair<int64_t, double>>
meanCurve(const std::vector<SweepRun> &runs,
          std::vector<std::pair<int64_t, double>> SweepRun::*series) {
  std::map<int64_t, std::vector<double>> byStep;
  for (const SweepRun &r : runs)
    for (const auto &[step, value] : r.*series)
      byStep[step].push_back(value);
  std::vector<std::pair<int64_t, double>> out;
  for (const auto &[step, values] : byStep)
    if (values.size() == runs.size())
      out.push_back({step, mean(values)});
  return out;
}

static std::string overridesText(const SweepVariant &v) {
  std::string out;
  for (const auto &[k, value] : v.overrides)
    out += (out.empty() ? "" : ", ") + k + "=" +
           (value.isString() ? value.getString() : value.serialize());
  return out.empty() ? "-" : out;
}

namespace {

/// The report's quantization columns, in order (writeQuantReport's names).
const std::vector<std::string> kReportSchemes = {
    "w8a8", "w4a4", "w4a4_smoothquant", "fp8", "nvfp4", "mxfp4"};
constexpr size_t kSmoothQuantColumn = 2;

} // namespace

static std::string schemeLabel(const std::string &scheme) {
  return scheme == "w4a4_smoothquant" ? "w4a4+SQ" : scheme;
}

/// The mean over runs of a field (NaN where a run has none).
static double meanOver(const std::vector<SweepRun> &runs,
                       double SweepRun::*field) {
  std::vector<double> values;
  for (const SweepRun &r : runs)
    values.push_back(r.*field);
  return mean(values);
}

/// The mean over runs of the loss increase under `scheme`.
static double meanIncreaseOf(const std::vector<SweepRun> &runs,
                             const std::string &scheme) {
  std::vector<double> values;
  for (const SweepRun &r : runs) {
    double increase = NAN;
    for (const QuantizedLoss &q : r.quantized)
      if (q.scheme == scheme)
        increase = q.loss - r.fullPrecisionLoss;
    values.push_back(increase);
  }
  return mean(values);
}

static JsonValue quantizedJson(const SweepRun &run) {
  std::vector<JsonValue> out;
  for (const QuantizedLoss &q : run.quantized)
    out.push_back(JsonValue::makeObject(
        {{"scheme", jsonString(q.scheme)},
         {"loss", jsonOrNull(q.loss)},
         {"increase", jsonOrNull(q.loss - run.fullPrecisionLoss)}}));
  return JsonValue::makeArray(std::move(out));
}

namespace {

/// A named line of a chart: (x, y) points in x order.
struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;
};

} // namespace

/// A plain SVG line chart: title, axes with ticks and labels, one polyline
/// per series (points that are not finite, or not positive on a log axis,
/// are left out) and a legend. `logY` draws y on a log10 axis.
static std::string lineChartSvg(const std::string &title,
                                const std::string &xLabel,
                                const std::string &yLabel,
                                const std::vector<Series> &series, bool logY) {
  const double width = 760, height = 460, left = 80, right = 190, top = 40,
               bottom = 60;
  auto usable = [&](double y) { return std::isfinite(y) && (!logY || y > 0); };
  auto ty = [&](double y) { return logY ? std::log10(y) : y; };
  double minY = INFINITY, maxY = -INFINITY, minX = INFINITY, maxX = -INFINITY;
  for (const Series &line : series)
    for (const auto &[x, y] : line.points) {
      if (!usable(y) || !std::isfinite(x))
        continue;
      minY = std::min(minY, ty(y));
      maxY = std::max(maxY, ty(y));
      minX = std::min(minX, x);
      maxX = std::max(maxX, x);
    }
  if (!(minX < maxX)) { // no point, or one x
    minX = std::isfinite(minX) ? minX : 0;
    maxX = minX + 1;
  }
  if (!(minY < maxY)) { // no point, or a flat line
    minY = std::isfinite(minY) ? minY - 1 : 0;
    maxY = minY + 2;
  }
  if (logY) { // whole decades
    minY = std::floor(minY);
    maxY = std::max(minY + 1, std::ceil(maxY));
  }
  double plotW = width - left - right, plotH = height - top - bottom;
  auto sx = [&](double x) { return left + plotW * (x - minX) / (maxX - minX); };
  auto sy = [&](double v) { return top + plotH * (maxY - v) / (maxY - minY); };
  static const char *colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                 "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                 "#bcbd22", "#17becf", "#000000", "#aec7e8",
                                 "#98df8a", "#ff9896", "#c5b0d5", "#c49c94"};
  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width
    << "\" height=\"" << height << "\" font-family=\"sans-serif\" "
    << "font-size=\"12\">\n";
  s << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s << "<text x=\"" << left << "\" y=\"24\" font-size=\"15\">"
    << escapeXml(title) << "</text>\n";
  s << "<line x1=\"" << left << "\" y1=\"" << top + plotH << "\" x2=\""
    << left + plotW << "\" y2=\"" << top + plotH << "\" stroke=\"black\"/>\n";
  s << "<line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left
    << "\" y2=\"" << top + plotH << "\" stroke=\"black\"/>\n";
  // Ticks at multiples of 1, 2 or 5 times a power of ten, about 5 per axis.
  auto niceStep = [](double range) {
    double raw = range / 5, power = std::pow(10, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
      if (m * power >= raw)
        return m * power;
    return 10 * power;
  };
  double xStep = niceStep(maxX - minX);
  if (maxX - minX >= 5)
    xStep = std::max(1.0, xStep); // integer axes (steps, layers, channels)
  for (double x = std::ceil(minX / xStep) * xStep; x <= maxX + 1e-9; x += xStep)
    s << "<line x1=\"" << sx(x) << "\" y1=\"" << top + plotH << "\" x2=\""
      << sx(x) << "\" y2=\"" << top + plotH + 5 << "\" stroke=\"black\"/>"
      << "<text x=\"" << sx(x) << "\" y=\"" << top + plotH + 18
      << "\" text-anchor=\"middle\">" << formatNumber(x) << "</text>\n";
  double yStep = logY ? std::max(1.0, std::ceil((maxY - minY) / 6))
                      : niceStep(maxY - minY);
  for (double v = std::ceil(minY / yStep) * yStep; v <= maxY + 1e-12;
       v += yStep)
    s << "<line x1=\"" << left - 5 << "\" y1=\"" << sy(v) << "\" x2=\""
      << left + plotW << "\" y2=\"" << sy(v)
      << "\" stroke=\"#dddddd\"/><text x=\"" << left - 8 << "\" y=\""
      << sy(v) + 4 << "\" text-anchor=\"end\">"
      << formatNumber(logY ? std::pow(10, v) : v) << "</text>\n";
  s << "<text x=\"" << left + plotW / 2 << "\" y=\"" << height - 18
    << "\" text-anchor=\"middle\">" << escapeXml(xLabel) << "</text>\n";
  s << "<text transform=\"translate(18," << top + plotH / 2
    << ") rotate(-90)\" text-anchor=\"middle\">" << escapeXml(yLabel)
    << (logY ? " (log scale)" : "") << "</text>\n";
  for (size_t i = 0; i < series.size(); ++i) {
    const char *color = colors[i % (sizeof(colors) / sizeof(*colors))];
    s << "<polyline fill=\"none\" stroke=\"" << color
      << "\" stroke-width=\"1.5\" points=\"";
    for (const auto &[x, y] : series[i].points)
      if (usable(y) && std::isfinite(x))
        s << sx(x) << "," << sy(ty(y)) << " ";
    s << "\"><title>" << escapeXml(series[i].name) << "</title></polyline>\n";
    double ly = top + 14 + 18 * double(i);
    s << "<line x1=\"" << left + plotW + 15 << "\" y1=\"" << ly - 4
      << "\" x2=\"" << left + plotW + 40 << "\" y2=\"" << ly - 4
      << "\" stroke=\"" << color << "\" stroke-width=\"2\"/><text x=\""
      << left + plotW + 46 << "\" y=\"" << ly << "\">"
      << escapeXml(series[i].name) << "</text>\n";
  }
  s << "</svg>\n";
  return s.str();
}

/// The loss curves: training loss per step, mean over seeds, per variant.
static std::string
lossCurvesSvg(const std::vector<SweepVariantResult> &results) {
  std::vector<Series> series;
  for (const SweepVariantResult &r : results) {
    Series line{r.variant.name, {}};
    for (const auto &[step, loss] : meanCurve(r.runs, &SweepRun::loss))
      line.points.push_back({double(step), loss});
    series.push_back(std::move(line));
  }
  return lineChartSvg("Training loss by variant (mean over seeds)",
                      "optimizer step", "training loss (nats/token)", series,
                      /*logY=*/false);
}

/// The first seed's sink report entries of kind `key` ("attention",
/// "norms"), or none.
static const std::vector<JsonValue> *sinkEntries(const SweepVariantResult &r,
                                                 const char *key) {
  if (r.runs.empty() || !r.runs[0].sinkReport)
    return nullptr;
  const JsonValue *v = r.runs[0].sinkReport->get(key);
  return v && v->isArray() ? &v->getArray() : nullptr;
}

/// The norm whose input the activation profile shows: the middle layer's
/// attention norm.
static std::string profileNormName(int64_t numLayers) {
  return "model.layers." + std::to_string(numLayers / 2) + ".input_layernorm";
}

/// The massive-activation picture: max |x| per hidden channel at the input
/// of the middle layer's attention norm (profileNormName), first seed.
static std::string
activationProfileSvg(const std::vector<SweepVariantResult> &results) {
  std::vector<Series> series;
  std::string name;
  for (const SweepVariantResult &r : results) {
    Series line{r.variant.name, {}};
    name = profileNormName(r.config.numHiddenLayers);
    if (const auto *norms = sinkEntries(r, "norms"))
      for (const JsonValue &n : *norms) {
        const JsonValue *nm = n.get("name"), *m = n.get("channel_max_abs");
        if (!nm || !nm->isString() || nm->getString() != name || !m ||
            !m->isArray())
          continue;
        for (size_t c = 0; c < m->getArray().size(); ++c)
          line.points.push_back({double(c), m->getArray()[c].getNumber()});
      }
    series.push_back(std::move(line));
  }
  return lineChartSvg("Max |activation| per hidden channel, input of " + name,
                      "hidden channel", "max |x| over held-out tokens", series,
                      /*logY=*/true);
}

/// Mean first-token share over the heads of each layer, first seed.
static std::string
firstTokenShareSvg(const std::vector<SweepVariantResult> &results) {
  std::vector<Series> series;
  for (const SweepVariantResult &r : results) {
    Series line{r.variant.name, {}};
    if (const auto *attention = sinkEntries(r, "attention"))
      for (size_t i = 0; i < attention->size(); ++i) {
        const JsonValue *shares = (*attention)[i].get("first_token_share");
        if (!shares || !shares->isArray() || shares->getArray().empty())
          continue;
        double sum = 0;
        for (const JsonValue &v : shares->getArray())
          sum += v.getNumber();
        // The layer of "model.layers.N.self_attn": in a hybrid the
        // attentions are not layers 0, 1, ... (linear layers have none).
        double layer = double(i);
        if (const JsonValue *name = (*attention)[i].get("name");
            name && name->isString()) {
          const std::string &n = name->getString();
          const std::string prefix = "model.layers.";
          if (n.rfind(prefix, 0) == 0)
            layer = std::atof(n.c_str() + prefix.size());
        }
        line.points.push_back({layer, sum / double(shares->getArray().size())});
      }
    series.push_back(std::move(line));
  }
  return lineChartSvg("Attention on the first token, by layer", "layer",
                      "mean first-token share over heads", series,
                      /*logY=*/false);
}

const std::vector<std::string> &fixedVariantNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const FixedVariant &v : fixedVariants())
      n.push_back(v.name);
    return n;
  }();
  return names;
}

/// The fixed variants' names, comma-separated: every one, or the default
/// sweep's.
static std::string fixedVariantList(bool defaultOnly) {
  std::string list;
  for (const FixedVariant &v : fixedVariants())
    if (v.inDefault || !defaultOnly)
      list += (list.empty() ? "" : ",") + std::string(v.name);
  return list;
}

std::string defaultSweepVariants() {
  return fixedVariantList(/*defaultOnly=*/true);
}

Expected<std::vector<SweepVariant>>
parseSweepVariants(const std::string &list) {
  std::vector<SweepVariant> out;
  std::set<std::string> seen;
  bool custom = false; // the last variant takes further key=value items
  if (trim(list) == "all")
    return parseSweepVariants(fixedVariantList(/*defaultOnly=*/false));
  std::stringstream items(list);
  std::string item;
  while (std::getline(items, item, ',')) {
    item = trim(item);
    if (item.empty())
      return Status::error("--variants: an empty item in '" + list + "'");
    size_t colon = item.find(':');
    if (colon == std::string::npos && item.find('=') != std::string::npos) {
      if (!custom)
        return Status::error("--variants: '" + item +
                             "' follows no 'name:' (write "
                             "name:key=value,key=value)");
      if (Status s = addOverride(out.back(), item); !s)
        return s;
      continue;
    }
    SweepVariant v;
    v.name = trim(item.substr(0, colon));
    if (!isName(v.name))
      return Status::error("--variants: '" + v.name +
                           "' is not a variant name (letters, digits, _ - .)");
    if (!seen.insert(v.name).second)
      return Status::error("--variants: '" + v.name + "' is named twice");
    custom = colon != std::string::npos;
    const FixedVariant *fixed = nullptr;
    for (const FixedVariant &f : fixedVariants())
      if (v.name == f.name)
        fixed = &f;
    if (custom) {
      if (fixed)
        return Status::error("--variants: '" + v.name +
                             "' is a fixed variant's name; give the "
                             "overrides another name");
      if (Status s = addOverride(v, item.substr(colon + 1)); !s)
        return s;
    } else if (fixed) {
      v.overrides = fixed->fields;
    } else {
      std::string known;
      for (const std::string &n : fixedVariantNames())
        known += (known.empty() ? "" : ", ") + n;
      return Status::error("--variants: unknown variant '" + v.name +
                           "' (known: " + known +
                           "; `all` for every one; or name:key=value,... for "
                           "overrides)");
    }
    out.push_back(std::move(v));
  }
  if (out.empty())
    return Status::error("--variants: no variant in '" + list + "'");
  return out;
}

Expected<ModelConfig> variantConfig(const ModelConfig &base,
                                    const SweepVariant &variant) {
  JsonObject fields = base.toJson().getObject();
  auto set = [&](const std::string &key, const JsonValue &value) {
    for (auto &[k, v] : fields)
      if (k == key) {
        v = value;
        return;
      }
    fields.push_back({key, value});
  };
  for (const auto &[k, v] : baselineFields())
    set(k, v);
  bool layersChanged = false, typesGiven = false, intervalGiven = false;
  for (const auto &[k, v] : variant.overrides) {
    set(k, v);
    layersChanged |= k == "num_hidden_layers";
    typesGiven |= k == "layer_types";
    intervalGiven |= k == "full_attention_interval";
  }
  // A new layer count or a full_attention_interval takes layer_types from
  // those, unless given.
  if ((layersChanged || intervalGiven) && !typesGiven)
    fields.erase(
        std::remove_if(fields.begin(), fields.end(),
                       [](const auto &f) { return f.first == "layer_types"; }),
        fields.end());
  // `layer_types` as one string: that type for every layer.
  for (auto &[k, v] : fields) {
    if (k != "layer_types" || !v.isString())
      continue;
    int64_t layers = 0;
    for (const auto &[k2, v2] : fields)
      if (k2 == "num_hidden_layers" && v2.isInteger())
        layers = v2.getInteger();
    std::vector<JsonValue> types(
        static_cast<size_t>(std::max<int64_t>(0, layers)), v);
    v = JsonValue::makeArray(std::move(types));
  }
  Expected<ModelConfig> config =
      parseModelConfig(JsonValue::makeObject(std::move(fields)));
  if (!config)
    return Status::error("variant '" + variant.name +
                         "': " + config.status().message());
  // A hybrid with no full layer would silently be `linear` again.
  if (intervalGiven && !typesGiven && !config->hasFullAttention())
    return Status::error(
        "variant '" + variant.name + "': full_attention_interval over " +
        std::to_string(config->numHiddenLayers) +
        " layers leaves no full-attention layer (a hybrid needs at least as "
        "many layers as the interval)");
  return config;
}

/// The JSON document at `path`; nullopt when there is no such file, an
/// error when it cannot be read or parsed.
static Expected<std::optional<JsonValue>>
readJsonIfPresent(const std::string &path) {
  if (!pathExists(path))
    return std::optional<JsonValue>();
  Expected<std::string> text = readWholeFile(path);
  if (!text)
    return text.status();
  Expected<JsonValue> json = runtime::parseJson(*text);
  if (!json)
    return Status::error("'" + path + "': " + json.status().message());
  return std::optional<JsonValue>(json.take());
}
/// The (step, loss) and (step, val_loss) rows of a run's metrics.jsonl.
static Status readLossCurves(const std::string &path,
                             std::vector<std::pair<int64_t, double>> &loss,
                             std::vector<std::pair<int64_t, double>> &valLoss) {
  Expected<std::string> text = readWholeFile(path);
  if (!text)
    return text.status();
  std::stringstream lines(*text);
  std::string line;
  int64_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (trim(line).empty())
      continue;
    Expected<JsonValue> row = runtime::parseJson(line);
    const JsonValue *step = row ? row->get("step") : nullptr;
    const JsonValue *value = row ? row->get("loss") : nullptr;
    if (!step || !step->isInteger() || !value || !value->isNumber())
      return Status::error("'" + path + "' line " + std::to_string(number) +
                           " is not a metrics row");
    loss.push_back({step->getInteger(), value->getNumber()});
    if (const JsonValue *val = row->get("val_loss"); val && val->isNumber())
      valLoss.push_back({step->getInteger(), val->getNumber()});
  }
  return Status::ok();
}

Expected<SweepRun> readSweepRun(const std::string &runDir, int64_t seed) {
  std::string path = joinPath(runDir, "metrics.jsonl");
  SweepRun run;
  run.seed = seed;
  run.runDir = runDir;
  if (Status s = readLossCurves(path, run.loss, run.valLoss); !s)
    return s;
  if (run.loss.empty() || run.valLoss.empty())
    return Status::error("'" + path + "' has no evaluated step (val_loss)");

  std::string sinkPath = joinPath(runDir, "sink_report.json");
  Expected<std::optional<JsonValue>> report = readJsonIfPresent(sinkPath);
  if (!report)
    return report.status();
  if (!*report)
    return run;
  const JsonValue *attention = (*report)->get("attention");
  const JsonValue *norms = (*report)->get("norms");
  if (!attention || !attention->isArray() || !norms || !norms->isArray())
    return Status::error("'" + sinkPath + "' is not a sink report");
  double shareSum = 0, outputShareSum = 0;
  int64_t heads = 0, overHalf = 0, outputHeads = 0;
  for (const JsonValue &a : attention->getArray()) {
    const JsonValue *shares = a.get("first_token_share");
    if (!shares || !shares->isArray())
      return Status::error("'" + sinkPath + "': an attention has no shares");
    for (const JsonValue &s : shares->getArray()) {
      shareSum += s.getNumber();
      overHalf += s.getNumber() > 0.5;
      ++heads;
    }
    if (const JsonValue *out = a.get("first_token_output_share");
        out && out->isArray())
      for (const JsonValue &s : out->getArray()) {
        outputShareSum += s.getNumber();
        ++outputHeads;
      }
  }
  if (outputHeads > 0)
    run.firstTokenOutputShare = outputShareSum / double(outputHeads);
  if (heads > 0) {
    run.firstTokenShare = shareSum / double(heads);
    run.headsOverHalf = double(overHalf) / double(heads);
  }
  std::vector<double> inShares, outShares;
  for (const JsonValue &n : norms->getArray()) {
    const JsonValue *peak = n.get("peak_abs"), *median = n.get("median_abs");
    if (!peak || !peak->isNumber() || !median || !median->isNumber())
      return Status::error("'" + sinkPath + "': a norm has no peak_abs");
    if (!(peak->getNumber() <= run.peakAbs)) {
      run.peakAbs = peak->getNumber();
      run.medianAbsAtPeak = median->getNumber();
    }
    if (const JsonValue *k = n.get("kurtosis"); k && k->isNumber())
      run.maxKurtosis = std::isfinite(run.maxKurtosis)
                            ? std::max(run.maxKurtosis, k->getNumber())
                            : k->getNumber();
    const JsonValue *in = n.get("top_max_input_share");
    const JsonValue *out = n.get("top_max_output_share");
    if (in && in->isNumber() && out && out->isNumber()) {
      inShares.push_back(in->getNumber());
      outShares.push_back(out->getNumber());
    }
  }
  run.topInputShare = mean(inShares);
  run.topOutputShare = mean(outShares);
  if (const JsonValue *r = (*report)->get("top_dims_recurrence"))
    if (const JsonValue *o = r->get("consecutive_overlap"); o && o->isNumber())
      run.topDimsOverlap = o->getNumber();
  if (const JsonValue *gates = (*report)->get("gates")) {
    if (!gates->isArray())
      return Status::error("'" + sinkPath + "': gates is not a list");
    std::vector<double> channel, token;
    for (const JsonValue &g : gates->getArray()) {
      if (const JsonValue *c = g.get("channel_rank_correlation");
          c && c->isNumber())
        channel.push_back(c->getNumber());
      if (const JsonValue *t = g.get("token_rank_correlation");
          t && t->isNumber())
        token.push_back(t->getNumber());
    }
    run.gateChannelRankCorrelation = mean(channel);
    run.gateTokenRankCorrelation = mean(token);
  }
  run.sinkReport = **report;

  std::string weightsPath = joinPath(runDir, "norm_weights.json");
  Expected<std::optional<JsonValue>> weights = readJsonIfPresent(weightsPath);
  if (!weights)
    return weights.status();
  if (*weights) {
    const JsonValue *list = (*weights)->get("norms");
    if (!list || !list->isArray())
      return Status::error("'" + weightsPath + "' has no norms");
    std::vector<double> ratios;
    for (const JsonValue &n : list->getArray())
      if (const JsonValue *r = n.get("top_to_median"); r && r->isNumber())
        ratios.push_back(r->getNumber());
    run.normWeightTopToMedian = mean(ratios);
  }

  std::string quantPath = joinPath(runDir, "quant_report.json");
  Expected<std::optional<JsonValue>> quant = readJsonIfPresent(quantPath);
  if (!quant)
    return quant.status();
  if (!*quant)
    return run;
  const JsonValue *full = (*quant)->get("full_precision_loss");
  const JsonValue *schemes = (*quant)->get("schemes");
  if (!full || !full->isNumber() || !schemes || !schemes->isArray())
    return Status::error("'" + quantPath + "' is not a quantization report");
  run.fullPrecisionLoss = full->getNumber();
  for (const JsonValue &q : schemes->getArray()) {
    const JsonValue *name = q.get("scheme"), *loss = q.get("loss");
    if (!name || !name->isString() || !loss)
      return Status::error("'" + quantPath + "': a scheme has no name or loss");
    run.quantized.push_back(
        {name->getString(), loss->isNumber() ? loss->getNumber() : NAN});
  }
  return run;
}

Status writeQuantReport(const std::string &path, const std::string &heldoutPath,
                        double fullPrecisionLoss,
                        const std::vector<QuantizedLoss> &losses) {
  std::vector<JsonValue> schemes;
  for (const QuantizedLoss &q : losses)
    schemes.push_back(JsonValue::makeObject(
        {{"scheme", jsonString(q.scheme)},
         {"loss", jsonOrNull(q.loss)},
         {"increase", jsonOrNull(q.loss - fullPrecisionLoss)}}));
  JsonValue root = JsonValue::makeObject(
      {{"format", jsonString("rescale-quant-report")},
       {"version", jsonInt(1)},
       {"heldout_tokens", jsonString(heldoutPath)},
       {"skip", jsonString(kQuantizationSkip)},
       {"smoothquant_alpha", jsonNumber(kSmoothQuantAlpha)},
       {"full_precision_loss", jsonOrNull(fullPrecisionLoss)},
       {"schemes", JsonValue::makeArray(std::move(schemes))}});
  return replaceFileDurably(path, root.serialize() + "\n");
}

Status writeSweepReport(const std::string &dir, const SweepSettings &settings,
                        const std::vector<SweepVariantResult> &results) {
  // report.json
  std::vector<JsonValue> variants;
  std::vector<double> meanVal(results.size()), meanLoss(results.size()),
      meanPeak(results.size()), meanShare(results.size()),
      meanKurtosis(results.size()), meanInShare(results.size()),
      meanOutShare(results.size()), meanOutputShare(results.size()),
      meanWeightRatio(results.size()), meanGateChannel(results.size()),
      meanGateToken(results.size());
  std::vector<std::vector<double>> meanIncrease(
      kReportSchemes.size(), std::vector<double>(results.size(), NAN));
  for (size_t i = 0; i < results.size(); ++i) {
    const SweepVariantResult &r = results[i];
    std::vector<JsonValue> runs;
    std::vector<double> finals, finalLosses;
    for (const SweepRun &run : r.runs) {
      auto pairs = [](const std::vector<std::pair<int64_t, double>> &v) {
        std::vector<JsonValue> out;
        for (const auto &[step, value] : v)
          out.push_back(
              JsonValue::makeArray({jsonInt(step), jsonNumber(value)}));
        return JsonValue::makeArray(std::move(out));
      };
      finals.push_back(run.valLoss.back().second);
      finalLosses.push_back(run.loss.back().second);
      runs.push_back(JsonValue::makeObject({
          {"seed", jsonInt(run.seed)},
          {"run", jsonString(run.runDir)},
          {"final_step", jsonInt(run.loss.back().first)},
          {"final_loss", jsonNumber(run.loss.back().second)},
          {"final_val_loss", jsonNumber(run.valLoss.back().second)},
          {"final_val_step", jsonInt(run.valLoss.back().first)},
          {"loss_curve", pairs(run.loss)},
          {"val_loss_curve", pairs(run.valLoss)},
          {"first_token_share_mean", jsonOrNull(run.firstTokenShare)},
          {"first_token_output_share_mean",
           jsonOrNull(run.firstTokenOutputShare)},
          {"heads_over_half", jsonOrNull(run.headsOverHalf)},
          {"peak_abs", jsonOrNull(run.peakAbs)},
          {"median_abs_at_peak", jsonOrNull(run.medianAbsAtPeak)},
          {"max_kurtosis", jsonOrNull(run.maxKurtosis)},
          {"top5_input_share", jsonOrNull(run.topInputShare)},
          {"top5_output_share", jsonOrNull(run.topOutputShare)},
          {"top5_consecutive_overlap", jsonOrNull(run.topDimsOverlap)},
          {"norm_weight_top5_to_median", jsonOrNull(run.normWeightTopToMedian)},
          {"gate_channel_rank_correlation",
           jsonOrNull(run.gateChannelRankCorrelation)},
          {"gate_token_rank_correlation",
           jsonOrNull(run.gateTokenRankCorrelation)},
          {"full_precision_loss", jsonOrNull(run.fullPrecisionLoss)},
          {"quantized", quantizedJson(run)},
          {"sink_report", run.sinkReport ? *run.sinkReport : JsonValue()},
      }));
    }
    meanVal[i] = mean(finals);
    meanLoss[i] = mean(finalLosses);
    meanPeak[i] = meanOver(r.runs, &SweepRun::peakAbs);
    meanShare[i] = meanOver(r.runs, &SweepRun::firstTokenShare);
    meanKurtosis[i] = meanOver(r.runs, &SweepRun::maxKurtosis);
    meanOutputShare[i] = meanOver(r.runs, &SweepRun::firstTokenOutputShare);
    meanInShare[i] = meanOver(r.runs, &SweepRun::topInputShare);
    meanOutShare[i] = meanOver(r.runs, &SweepRun::topOutputShare);
    meanWeightRatio[i] = meanOver(r.runs, &SweepRun::normWeightTopToMedian);
    meanGateChannel[i] =
        meanOver(r.runs, &SweepRun::gateChannelRankCorrelation);
    meanGateToken[i] = meanOver(r.runs, &SweepRun::gateTokenRankCorrelation);
    JsonObject increases;
    for (size_t q = 0; q < kReportSchemes.size(); ++q) {
      meanIncrease[q][i] = meanIncreaseOf(r.runs, kReportSchemes[q]);
      increases.push_back({kReportSchemes[q], jsonOrNull(meanIncrease[q][i])});
    }
    JsonObject overrides;
    for (const auto &[k, v] : r.variant.overrides)
      overrides.push_back({k, v});
    variants.push_back(JsonValue::makeObject({
        {"name", jsonString(r.variant.name)},
        {"overrides", JsonValue::makeObject(std::move(overrides))},
        {"config", r.config.toJson()},
        {"runs", JsonValue::makeArray(std::move(runs))},
        {"mean_final_val_loss", jsonNumber(meanVal[i])},
        {"mean_final_loss", jsonNumber(meanLoss[i])},
        {"mean_peak_abs", jsonOrNull(meanPeak[i])},
        {"mean_first_token_share", jsonOrNull(meanShare[i])},
        {"mean_first_token_output_share", jsonOrNull(meanOutputShare[i])},
        {"mean_max_kurtosis", jsonOrNull(meanKurtosis[i])},
        {"mean_top5_input_share", jsonOrNull(meanInShare[i])},
        {"mean_top5_output_share", jsonOrNull(meanOutShare[i])},
        {"mean_norm_weight_top5_to_median", jsonOrNull(meanWeightRatio[i])},
        {"mean_gate_channel_rank_correlation", jsonOrNull(meanGateChannel[i])},
        {"mean_gate_token_rank_correlation", jsonOrNull(meanGateToken[i])},
        {"mean_quantization_increase",
         JsonValue::makeObject(std::move(increases))},
    }));
  }
  // Everything issue 12 names is measured; the list stays in the format
  // for analyses a later version cannot run on an older sweep.
  std::vector<JsonValue> notMeasured;
  JsonValue report = JsonValue::makeObject({
      {"format", jsonString("rescale-sweep-report")},
      {"version", jsonInt(1)},
      {"settings",
       JsonValue::makeObject(
           {{"base_config", jsonString(settings.baseConfigPath)},
            {"data", jsonString(settings.dataPath)},
            {"device", jsonString(settings.device)},
            {"steps", jsonInt(settings.steps)},
            {"batch", jsonInt(settings.batch)},
            {"seq", jsonInt(settings.seq)},
            {"heldout_tokens", jsonString(joinPath(dir, "heldout_tokens.npy"))},
            {"calibration_tokens",
             jsonString(joinPath(dir, "calibration_tokens.npy"))}})},
      {"variants", JsonValue::makeArray(std::move(variants))},
      {"not_measured", JsonValue::makeArray(std::move(notMeasured))},
  });
  if (Status s = replaceFileDurably(joinPath(dir, "report.json"),
                                    report.serialize() + "\n");
      !s)
    return s;

  // report.md: the table, then what the numbers say.
  std::ostringstream md;
  md << "# Sweep report\n\n"
     << "Base config `" << settings.baseConfigPath << "`, data `"
     << settings.dataPath << "`, " << settings.steps << " steps of batch "
     << settings.batch << " x seq " << settings.seq << " on " << settings.device
     << ". Every number below is read from the runs' "
     << "`metrics.jsonl` (report.json has the curves).\n\n"
     << "Sinks are measured on the held-out batch `heldout_tokens.npy` with "
     << "each run's final parameters (`sink_report.json` in the run "
     << "folder): peak |act| is the largest |x| entering any norm, the "
     << "first-token share the mean attention probability on the first "
     << "token over every full-attention layer and head (linear-attention "
     << "layers have no attention probabilities and are left out; a model "
     << "of only those has none: n/a).\n\n"
     << "Quantization robustness (`quant_report.json` in the run folder): "
     << "the loss on the same held-out batch with every linear but the LM "
     << "head quantized (`--rescale-insert-quantization`, weights per "
     << "channel, activations per token), minus the full-precision loss; "
     << "w4a4+SQ is w4a4 after SmoothQuant (alpha 0.5) calibrated on "
     << "training batches (`calibration_tokens.npy`).\n\n"
     << "| variant | overrides | seeds | final val loss (mean) | "
     << "final train loss (mean) | val loss - baseline | peak abs act | "
     << "kurtosis (max) | first-token share |";
  for (const std::string &scheme : kReportSchemes)
    md << " Δloss " << schemeLabel(scheme) << " |";
  md << "\n|---|---|---|---|---|---|---|---|---|";
  for (size_t q = 0; q < kReportSchemes.size(); ++q)
    md << "---|";
  md << "\n";
  auto cell = [](double v) {
    return std::isfinite(v) ? formatNumber(v) : std::string("-");
  };
  // Linear-attention layers have no attention probabilities: a model of
  // only those has no first-token share at all (not 0).
  auto shareCell = [&](const SweepVariantResult &r, double v) {
    return r.config.hasFullAttention()
               ? cell(v)
               : std::string("n/a (no softmax attention)");
  };
  auto indexOf = [&](const std::string &name) -> std::optional<size_t> {
    for (size_t k = 0; k < results.size(); ++k)
      if (results[k].variant.name == name)
        return k;
    return std::nullopt;
  };
  std::optional<size_t> baseline = indexOf("baseline");
  for (size_t i = 0; i < results.size(); ++i) {
    md << "| " << results[i].variant.name << " | "
       << overridesText(results[i].variant) << " | " << results[i].runs.size()
       << " | " << formatNumber(meanVal[i]) << " | "
       << formatNumber(meanLoss[i]) << " | "
       << (baseline ? formatNumber(meanVal[i] - meanVal[*baseline]) : "-")
       << " | " << cell(meanPeak[i]) << " | " << cell(meanKurtosis[i]) << " | "
       << shareCell(results[i], meanShare[i]) << " |";
    for (size_t q = 0; q < kReportSchemes.size(); ++q)
      md << " " << cell(meanIncrease[q][i]) << " |";
    md << "\n";
  }
  md << "\n![training loss](loss_curves.svg)\n\n"
     << "![max |activation| per channel](activation_profile.svg)\n\n"
     << "![first-token share by layer](first_token_share.svg)\n\n"
     << "## What the numbers say\n\n";
  size_t best = 0;
  for (size_t i = 1; i < results.size(); ++i)
    if (meanVal[i] < meanVal[best])
      best = i;
  md << "Lowest final validation loss: **" << results[best].variant.name
     << "** (" << formatNumber(meanVal[best]) << ").";
  if (baseline) {
    std::vector<std::string> lower, higher;
    for (size_t i = 0; i < results.size(); ++i) {
      if (i == *baseline)
        continue;
      (meanVal[i] < meanVal[*baseline] ? lower : higher)
          .push_back(results[i].variant.name);
    }
    auto join = [](const std::vector<std::string> &v) {
      std::string out;
      for (const std::string &s : v)
        out += (out.empty() ? "" : ", ") + s;
      return out.empty() ? std::string("none") : out;
    };
    md << " Below the baseline's " << formatNumber(meanVal[*baseline]) << ": "
       << join(lower) << ". At or above it: " << join(higher) << ".";
    size_t seeds = results[*baseline].runs.size();
    md << (seeds < 2
               ? " With one seed per variant no difference here is known to "
                 "exceed seed-to-seed noise."
               : " Differences smaller than the spread between seeds are "
                 "noise.");
  }
  md << "\n\n## The paper's claims at this scale\n\n";
  auto compare = [&](const char *claim, const char *paper,
                     const std::vector<double> &value, const char *what,
                     const std::string &variant) {
    md << "**" << claim << "** (paper: " << paper << "). ";
    std::optional<size_t> v = indexOf(variant);
    if (!baseline || !v || !std::isfinite(value[*baseline]) ||
        !std::isfinite(value[*v])) {
      md << "Not measured here: the sweep needs `baseline` and `" << variant
         << "`.\n\n";
      return;
    }
    double b = value[*baseline], x = value[*v];
    md << "Here " << what << " is " << formatNumber(b) << " for baseline and "
       << formatNumber(x) << " for " << variant << " (ratio "
       << formatNumber(b > 0 ? x / b : NAN) << "): "
       << (x < b ? "lower, the direction of the paper"
                 : "not lower: the direction of the paper does not reproduce")
       << (results[*baseline].runs.size() < 2
               ? ", from one seed (noise unknown)."
               : ".")
       << "\n\n";
  };
  compare("Explicit rescaling lowers peak activations",
          "6000 -> 430 with GA+GatedNorm at 2B parameters", meanPeak,
          "the peak |act|", "ga_gatednorm");
  compare("Gated attention removes the attention sink",
          "first-token share 0.467 -> 0.048", meanShare,
          "the mean first-token share", "ga");
  if (baseline) {
    double o = meanOver(results[*baseline].runs, &SweepRun::headsOverHalf);
    if (std::isfinite(o))
      md << "In the baseline " << formatNumber(100 * o)
         << "% of the heads put more than half of their attention on the "
            "first token"
         << (o == 0 ? ": there is no sink at this scale to remove, so the "
                      "second claim is not really tested here."
                    : ".")
         << "\n\n";
  }
  // The seed's normalization ablations: the paper reports that removing
  // the normalization removes the outliers but hurts stability and loss.
  if (baseline) {
    bool any = false;
    for (const char *name : {"no_rmsnorm", "no_attn_norm"}) {
      std::optional<size_t> v = indexOf(name);
      if (!v)
        continue;
      if (!any)
        md << "**Removing normalization removes the outliers but hurts "
              "stability and loss** (paper). ";
      any = true;
      size_t i = *v, b0 = *baseline;
      bool finite = std::isfinite(meanVal[i]);
      md << name << ": final validation loss "
         << (finite ? formatNumber(meanVal[i]) : std::string("not finite"))
         << " against the baseline's " << formatNumber(meanVal[b0]);
      if (finite)
        md << " (" << (meanVal[i] > meanVal[b0] ? "worse" : "not worse") << ")";
      if (std::isfinite(meanPeak[i]) && std::isfinite(meanPeak[b0]))
        md << ", peak |act| " << formatNumber(meanPeak[i]) << " against "
           << formatNumber(meanPeak[b0]) << " ("
           << (meanPeak[i] < meanPeak[b0] ? "lower" : "not lower") << ")";
      md << ". ";
    }
    if (any)
      md << "The paper's direction holds where the loss is worse and the "
            "peak lower; stability across learning rates is not measured by "
            "one sweep (issue 19's --lrs).\n\n";
  }
  md << "**The norm weight shrinks at the outlier channels** (paper: the "
        "RMSNorm weight at the sink channel collapses towards 0). ";
  {
    VariantValues ratios = variantValues(results, meanWeightRatio, 1.0);
    if (ratios.count == 0) {
      md << "Not measured here (no norm_weights.json in the runs).\n\n";
    } else {
      md << "Mean |weight| at each norm input's top-5 channels (by max |x|) "
            "over the norm's median |weight|, mean over norms "
            "(`norm_weights.json`; 1 = no different from the rest): "
         << ratios.list << ". Below 1 in " << ratios.below << " of "
         << ratios.count << " variants"
         << (ratios.below == ratios.count
                 ? ": the direction of the paper."
                 : "; where it is not, the collapse does not reproduce here.")
         << "\n\n";
    }
  }
  md << "**Gates are smaller where |y| is larger** (paper: the norm gate "
        "rescales the large channels down). ";
  {
    VariantValues correlations = variantValues(results, meanGateChannel, 0.0);
    if (correlations.count == 0) {
      md << "Not measured here (no variant with an elementwise norm gate).\n\n";
    } else {
      md << "Spearman rank correlation over channels between the mean |y_c| "
            "before the gate and the mean gate, mean over the gated norms "
            "(`sink_report.json`, `gates`; negative: smaller gates on larger "
            "channels): "
         << correlations.list << ". Negative in " << correlations.below
         << " of " << correlations.count << " variants"
         << (correlations.below == correlations.count
                 ? ": the direction of the paper."
                 : "; where it is not, the paper's relation does not "
                   "reproduce here.")
         << "\n\n";
    }
  }
  md << "**Outliers are rescale factors, not contributors** (paper: the "
        "massive channels dominate the norm's input and are scaled away by "
        "it). ";
  {
    std::vector<std::string> parts;
    for (size_t i = 0; i < results.size(); ++i)
      if (std::isfinite(meanInShare[i]) && std::isfinite(meanOutShare[i]))
        parts.push_back(results[i].variant.name + " " +
                        formatNumber(meanInShare[i]) + " -> " +
                        formatNumber(meanOutShare[i]));
    if (parts.empty()) {
      md << "Not measured here (no norm output probes).\n\n";
    } else {
      md << "Share of |x| in each norm input's top-5 channels (by max |x|), "
            "before -> after the norm, mean over norms: ";
      for (size_t k = 0; k < parts.size(); ++k)
        md << (k ? "; " : "") << parts[k];
      // The finding is a large effect: count a variant when its norm at
      // least halves the top channels' share.
      size_t halved = 0;
      for (size_t i = 0; i < results.size(); ++i)
        halved += meanOutShare[i] <= 0.5 * meanInShare[i];
      int64_t d = results.empty() ? 0 : results[0].config.hiddenSize;
      double even = d ? 5.0 / double(d) : NAN;
      // Outlier channels exist where the top 5 hold well over their even
      // share (twice it, say); without them there is nothing to rescale.
      size_t withOutliers = 0;
      for (size_t i = 0; i < results.size(); ++i)
        withOutliers += meanInShare[i] > 2 * even;
      md << ". Five channels of " << d << " hold about " << formatNumber(even)
         << " when no channel stands out; ";
      if (withOutliers == 0)
        md << "no variant has channels above twice that, so there are no "
              "residual outliers at this scale and the finding is not "
              "tested here.\n\n";
      else
        md << withOutliers << " variants have outlier channels, and the norm "
           << "at least halves the top 5's share in " << halved << " of "
           << parts.size() << " variants"
           << (halved >= withOutliers
                   ? "."
                   : "; where it does not, the finding does not reproduce "
                     "here.")
           << "\n\n";
    }
  }
  {
    std::vector<std::string> parts;
    for (size_t i = 0; i < results.size(); ++i)
      if (std::isfinite(meanShare[i]) && std::isfinite(meanOutputShare[i]))
        parts.push_back(results[i].variant.name + " " +
                        formatNumber(meanShare[i]) + " -> " +
                        formatNumber(meanOutputShare[i]));
    if (!parts.empty()) {
      md << "Attention side: the first token's share of the attention "
            "probability -> its share of the attention output (p_0 v_0 "
            "against the rest), mean over heads: ";
      for (size_t k = 0; k < parts.size(); ++k)
        md << (k ? "; " : "") << parts[k];
      size_t halved = 0, withSinks = 0;
      for (size_t i = 0; i < results.size(); ++i) {
        halved += meanOutputShare[i] <= 0.5 * meanShare[i];
        withSinks += meanOver(results[i].runs, &SweepRun::headsOverHalf) > 0;
      }
      md << ". ";
      if (withSinks == 0)
        md << "No variant has a sink head (first-token share above 0.5), so "
              "there is no sink to be a rescale factor at this scale: not "
              "tested here.";
      else
        md << withSinks << " variants have sink heads; the output share is "
           << "at most half the probability share in " << halved << " of "
           << parts.size() << " variants"
           << (halved >= withSinks
                   ? "."
                   : "; where it is not, the first token contributes about "
                     "as much as it is attended to, and the finding does not "
                     "reproduce.");
      md << "\n\n";
    }
  }
  md << "**GatedNorm is the most quantization-robust variant** (paper, "
        "W4A4+SmoothQuant loss increase: GatedNorm 1.23, GA 1.50, PreAffine "
        "2.76). ";
  {
    const std::vector<double> &sq = meanIncrease[kSmoothQuantColumn];
    std::vector<size_t> order;
    for (size_t i = 0; i < results.size(); ++i)
      if (std::isfinite(sq[i]))
        order.push_back(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return sq[a] < sq[b]; });
    // A variant that did not train (validation loss far above the
    // baseline's) has little to lose to quantization: its robustness is
    // not comparable. Named, and left out of the "most robust" verdict.
    std::vector<std::string> untrained;
    if (baseline)
      for (size_t i : std::vector<size_t>(order))
        if (meanVal[i] > 1.2 * meanVal[*baseline]) {
          untrained.push_back(results[i].variant.name + " (val loss " +
                              formatNumber(meanVal[i]) + ")");
          order.erase(std::find(order.begin(), order.end(), i));
        }
    if (order.empty()) {
      md << "Not measured here (no run that trained has a quantization "
            "report).\n";
    } else {
      if (!untrained.empty()) {
        md << "Left out, as they trained poorly (validation loss more than "
              "20% above the baseline's, so quantization has little to "
              "spoil): ";
        for (size_t k = 0; k < untrained.size(); ++k)
          md << (k ? ", " : "") << untrained[k];
        md << ". ";
      }
      md << "Here the w4a4+SQ loss increase, smallest first: ";
      for (size_t k = 0; k < order.size(); ++k)
        md << (k ? ", " : "") << results[order[k]].variant.name << " "
           << formatNumber(sq[order[k]]);
      md << ". ";
      std::optional<size_t> gn = indexOf("gatednorm"), ga = indexOf("ga"),
                            pa = indexOf("preaffine");
      if (gn && ga && pa && std::isfinite(sq[*gn]) && std::isfinite(sq[*ga]) &&
          std::isfinite(sq[*pa])) {
        bool ordered = sq[*gn] < sq[*ga] && sq[*ga] < sq[*pa];
        md << "The paper's order gatednorm < ga < preaffine "
           << (ordered ? "reproduces" : "does not reproduce") << " ("
           << formatNumber(sq[*gn]) << ", " << formatNumber(sq[*ga]) << ", "
           << formatNumber(sq[*pa]) << ")";
        md << (results[order[0]].variant.name == "gatednorm"
                   ? ", and gatednorm is the most robust of all variants "
                     "here."
                   : "; the most robust variant here is " +
                         results[order[0]].variant.name + ", not gatednorm.");
      } else {
        md << "The paper's comparison needs gatednorm, ga and preaffine in "
              "the sweep.";
      }
      md << (results[order[0]].runs.size() < 2
                 ? " One seed per variant: the noise of these differences is "
                   "unknown."
                 : "")
         << "\n";
    }
  }
  if (Status s = replaceFileDurably(joinPath(dir, "report.md"), md.str()); !s)
    return s;
  if (Status s = replaceFileDurably(joinPath(dir, "activation_profile.svg"),
                                    activationProfileSvg(results));
      !s)
    return s;
  if (Status s = replaceFileDurably(joinPath(dir, "first_token_share.svg"),
                                    firstTokenShareSvg(results));
      !s)
    return s;
  return replaceFileDurably(joinPath(dir, "loss_curves.svg"),
                            lossCurvesSvg(results));
}

//===----------------------------------------------------------------------===//
// Stability (`sweep --lrs`)
//===----------------------------------------------------------------------===//

int64_t countLossSpikes(const std::vector<double> &losses) {
  constexpr size_t kWindow = 10;
  constexpr double kJump = 1.25;
  int64_t spikes = 0;
  bool inSpike = false;
  for (size_t t = kWindow; t < losses.size(); ++t) {
    std::vector<double> window(losses.begin() + (t - kWindow),
                               losses.begin() + t);
    std::nth_element(window.begin(), window.begin() + kWindow / 2,
                     window.end());
    double median = window[kWindow / 2];
    bool spike = losses[t] > kJump * median;
    if (spike && !inSpike)
      ++spikes;
    inSpike = spike;
  }
  return spikes;
}

std::string stabilityRunName(double lr) { return "lr" + formatNumber(lr); }

Expected<StabilityRun> readStabilityRun(const std::string &runDir,
                                        const std::string &variant, double lr) {
  StabilityRun run;
  run.variant = variant;
  run.lr = lr;
  run.runDir = runDir;
  std::string path = joinPath(runDir, "metrics.jsonl");
  // A run that stopped at its first step has no metrics file.
  std::vector<double> losses;
  if (pathExists(path)) {
    std::vector<std::pair<int64_t, double>> curve, valCurve;
    if (Status s = readLossCurves(path, curve, valCurve); !s)
      return s;
    for (const auto &[step, loss] : curve)
      losses.push_back(loss);
    if (!valCurve.empty())
      run.finalValLoss = valCurve.back().second;
  }
  run.steps = static_cast<int64_t>(losses.size());
  if (!losses.empty()) {
    run.initialLoss = losses.front();
    run.finalLoss = losses.back();
  }
  run.spikes = countLossSpikes(losses);
  Expected<std::optional<JsonValue>> diverged =
      readJsonIfPresent(joinPath(runDir, "diverged.json"));
  if (!diverged)
    return diverged.status();
  if (*diverged) {
    const JsonValue *step = (*diverged)->get("step");
    if (!step || !step->isInteger())
      return Status::error("'" + joinPath(runDir, "diverged.json") +
                           "' has no integer 'step'");
    run.nonFiniteStep = step->getInteger();
  }
  run.diverged = run.nonFiniteStep >= 0 || losses.empty() ||
                 !(run.finalLoss <= run.initialLoss);
  return run;
}

/// The largest learning rate at which `variant` trains (did not diverge),
/// or NaN when it diverged at every one.
static double largestStableLr(const std::vector<StabilityRun> &runs,
                              const std::string &variant) {
  double best = NAN;
  for (const StabilityRun &r : runs)
    if (r.variant == variant && !r.diverged && !(r.lr <= best))
      best = r.lr;
  return best;
}

/// What the numbers say about claim (1), "removing normalization hurts
/// stability": the variants without a normalizing norm (`none`, `dyt`)
/// against the baseline's largest stable learning rate.
static std::string
judgeNormalizationClaim(const std::vector<std::string> &variants,
                        const std::vector<ModelConfig> &configs,
                        const std::vector<StabilityRun> &runs) {
  std::ostringstream p;
  auto baseline = std::find(variants.begin(), variants.end(), "baseline");
  std::vector<size_t> normFree;
  for (size_t i = 0; i < variants.size(); ++i)
    if (configs[i].baseNorm() == "none" || configs[i].baseNorm() == "dyt")
      normFree.push_back(i);
  if (baseline == variants.end() || normFree.empty()) {
    p << "Claim (1), that removing normalization hurts stability, cannot be "
         "judged from this sweep: it needs the `baseline` and at least one "
         "variant without normalization (`no_rmsnorm`, `dyt`, `dyt_ga`, "
         "`dyt_ga_gated`).\n";
    return p.str();
  }
  double base = largestStableLr(runs, "baseline");
  int64_t below = 0, notBelow = 0;
  p << "Claim (1), removing normalization hurts stability: the baseline "
       "trains up to lr "
    << (std::isnan(base) ? std::string("(none: it diverged at every lr)")
                         : formatNumber(base))
    << ";";
  for (size_t i : normFree) {
    double lr = largestStableLr(runs, variants[i]);
    p << " `" << variants[i] << "` ("
      << (configs[i].baseNorm() == "none" ? "no norm" : "DyT") << ") up to "
      << (std::isnan(lr) ? std::string("none") : formatNumber(lr)) << ",";
    bool lower = !std::isnan(base) && (std::isnan(lr) || lr < base);
    (lower ? below : notBelow) += 1;
  }
  p.seekp(-1, std::ios_base::cur);
  p << ". ";
  if (std::isnan(base))
    p << "With the baseline diverging everywhere, these learning rates are "
         "all too high to compare stability; rerun with smaller ones.\n";
  else if (notBelow == 0)
    p << "Every variant without normalization diverges at a learning rate "
         "the baseline survives: these numbers support the claim.\n";
  else if (below == 0)
    p << "No variant without normalization diverges earlier than the "
         "baseline: at this size and budget these numbers do not reproduce "
         "the claim.\n";
  else
    p << "Some variants without normalization diverge earlier than the "
         "baseline and some do not: these numbers support the claim only "
         "in part.\n";
  return p.str();
}

Status writeStabilityReport(const std::string &dir,
                            const std::vector<std::string> &variants,
                            const std::vector<ModelConfig> &configs,
                            const std::vector<double> &lrs,
                            const std::vector<StabilityRun> &runs) {
  std::vector<JsonValue> rows;
  for (const StabilityRun &r : runs)
    rows.push_back(JsonValue::makeObject({
        {"variant", jsonString(r.variant)},
        {"lr", jsonNumber(r.lr)},
        {"run", jsonString(r.runDir)},
        {"steps", jsonInt(r.steps)},
        {"initial_loss", jsonOrNull(r.initialLoss)},
        {"final_loss", jsonOrNull(r.finalLoss)},
        {"final_val_loss", jsonOrNull(r.finalValLoss)},
        {"non_finite_step",
         r.nonFiniteStep >= 0 ? jsonInt(r.nonFiniteStep) : JsonValue()},
        {"spikes", jsonInt(r.spikes)},
        {"diverged", jsonBool(r.diverged)},
    }));
  std::vector<JsonValue> largest, lrValues;
  for (double lr : lrs)
    lrValues.push_back(jsonNumber(lr));
  for (const std::string &v : variants)
    largest.push_back(JsonValue::makeObject(
        {{"variant", jsonString(v)},
         {"largest_stable_lr", jsonOrNull(largestStableLr(runs, v))}}));
  std::string verdict = judgeNormalizationClaim(variants, configs, runs);
  JsonValue json = JsonValue::makeObject({
      {"format", jsonString("rescale-sweep-stability")},
      {"version", jsonInt(1)},
      {"spike_rule",
       jsonString("a step whose training loss exceeds 1.25 x the median "
                  "(the 6th smallest) of the 10 steps before it; consecutive "
                  "such steps are one spike")},
      {"divergence_rule",
       jsonString("a non-finite loss or gradient norm, or a final training "
                  "loss above the first step's")},
      {"lrs", JsonValue::makeArray(std::move(lrValues))},
      {"runs", JsonValue::makeArray(std::move(rows))},
      {"largest_stable_lr", JsonValue::makeArray(std::move(largest))},
      {"claim_1", jsonString(verdict)},
  });
  if (Status s = replaceFileDurably(joinPath(dir, "stability.json"),
                                    json.serialize() + "\n");
      !s)
    return s;

  std::ostringstream md;
  md << "## Stability\n\n"
     << "Every variant trained at every learning rate of `--lrs` (seed of "
     << "the sweep, the sweep's steps; runs in `<variant>/lr<LR>`). "
     << "Diverged: a non-finite loss or gradient norm (the step is given), "
     << "or a final training loss above the first step's. A spike: a step "
     << "whose training loss exceeds 1.25 x the median (the 6th smallest) "
     << "of the 10 steps before it (consecutive ones count once).\n\n"
     << "| variant | lr | final val loss | diverged | spikes |\n"
     << "|---|---|---|---|---|\n";
  for (const StabilityRun &r : runs) {
    md << "| " << r.variant << " | " << formatNumber(r.lr) << " | "
       << (std::isnan(r.finalValLoss) ? std::string("n/a")
                                      : formatNumber(r.finalValLoss))
       << " | ";
    if (r.nonFiniteStep >= 0)
      md << "yes (non-finite at step " << r.nonFiniteStep << ")";
    else if (r.diverged)
      md << "yes (final loss " << formatNumber(r.finalLoss) << " > initial "
         << formatNumber(r.initialLoss) << ")";
    else
      md << "no";
    md << " | " << r.spikes << " |\n";
  }
  md << "\n| variant | largest lr at which it trains |\n|---|---|\n";
  for (const std::string &v : variants) {
    double lr = largestStableLr(runs, v);
    md << "| " << v << " | "
       << (std::isnan(lr) ? std::string("none (diverged at every lr)")
                          : formatNumber(lr))
       << " |\n";
  }
  md << "\n" << verdict;
  if (Status s = replaceFileDurably(joinPath(dir, "stability.md"), md.str());
      !s)
    return s;

  // report.md gets the same section at its end (replacing an older one).
  std::string reportPath = joinPath(dir, "report.md");
  Expected<std::string> report = readWholeFile(reportPath);
  if (!report)
    return report.status();
  std::string text = *report;
  if (size_t at = text.find("\n## Stability\n"); at != std::string::npos)
    text.resize(at + 1);
  if (!text.empty() && text.back() != '\n')
    text += "\n";
  return replaceFileDurably(reportPath, text + "\n" + md.str());
}

} // namespace rescale::trainer
