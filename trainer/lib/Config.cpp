//===- Config.cpp - The model config of rescale-train ---------------------===//
#include "rescale/trainer/Config.h"

#include "rescale/trainer/Files.h"
#include "rescale/trainer/JsonUtil.h"

#include <cmath>
#include <functional>
#include <map>

namespace rescale::trainer {

using runtime::Expected;
using runtime::JsonValue;
using runtime::Status;

static std::string joinChoices(const std::vector<std::string> &choices) {
  std::string s;
  for (size_t i = 0; i < choices.size(); ++i)
    s += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
  return s;
}

static Status fieldError(const std::string &field, const std::string &why) {
  return Status::error("field '" + field + "': " + why);
}

static Status readPositiveInt(const std::string &field, const JsonValue &v,
                              int64_t &out) {
  if (!v.isInteger() || v.getInteger() <= 0)
    return fieldError(field,
                      "expected a positive integer, got " + v.serialize());
  out = v.getInteger();
  return Status::ok();
}

static Status readPositiveNumber(const std::string &field, const JsonValue &v,
                                 double &out) {
  if (!v.isNumber() || !(v.getNumber() > 0) || !std::isfinite(v.getNumber()))
    return fieldError(field,
                      "expected a positive number, got " + v.serialize());
  out = v.getNumber();
  return Status::ok();
}

static Status readChoice(const std::string &field, const JsonValue &v,
                         const std::vector<std::string> &choices,
                         std::string &out) {
  if (!v.isString())
    return fieldError(field, "expected a string (" + joinChoices(choices) +
                                 "), got " + v.serialize());
  for (const std::string &c : choices)
    if (v.getString() == c) {
      out = c;
      return Status::ok();
    }
  return fieldError(field, "unknown variant '" + v.getString() +
                               "' (expected " + joinChoices(choices) + ")");
}

/// A Hugging Face bookkeeping field that we accept only with the value our
/// models have (so a config asking for something else is not silently
/// trained as ours).
static Status checkFixed(const std::string &field, const JsonValue &v,
                         const std::function<bool(const JsonValue &)> &ok,
                         const std::string &expected) {
  if (!ok(v))
    return fieldError(field, "rescale-train supports only " + expected +
                                 ", got " + v.serialize());
  return Status::ok();
}

Expected<ModelConfig> parseModelConfig(const JsonValue &json) {
  if (!json.isObject())
    return Status::error("expected a JSON object");
  ModelConfig c;
  bool haveKvHeads = false, haveHeadDim = false;
  const std::vector<std::string> required = {"hidden_size", "num_hidden_layers",
                                             "num_attention_heads",
                                             "intermediate_size", "vocab_size"};
  std::map<std::string, bool> seen;
  const JsonValue *layerTypes = nullptr;
  int64_t fullAttentionInterval = 0;
  bool haveLinearKeyHeads = false, haveLinearValueHeads = false;
  bool haveLinearKeyDim = false, haveLinearValueDim = false;

  auto isString = [](const std::string &s) {
    return
        [s](const JsonValue &v) { return v.isString() && v.getString() == s; };
  };
  auto isFalse = [](const JsonValue &v) { return v.isBool() && !v.getBool(); };

  for (const auto &[key, v] : json.getObject()) {
    seen[key] = true;
    Status s = Status::ok();
    if (key == "hidden_size")
      s = readPositiveInt(key, v, c.hiddenSize);
    else if (key == "num_hidden_layers")
      s = readPositiveInt(key, v, c.numHiddenLayers);
    else if (key == "num_attention_heads")
      s = readPositiveInt(key, v, c.numAttentionHeads);
    else if (key == "num_key_value_heads")
      s = readPositiveInt(key, v, c.numKeyValueHeads), haveKvHeads = true;
    else if (key == "head_dim")
      s = readPositiveInt(key, v, c.headDim), haveHeadDim = true;
    else if (key == "intermediate_size")
      s = readPositiveInt(key, v, c.intermediateSize);
    else if (key == "vocab_size")
      s = readPositiveInt(key, v, c.vocabSize);
    else if (key == "max_position_embeddings")
      s = readPositiveInt(key, v, c.maxPositionEmbeddings);
    else if (key == "rms_norm_eps")
      s = readPositiveNumber(key, v, c.rmsNormEps);
    else if (key == "rope_theta")
      s = readPositiveNumber(key, v, c.ropeTheta);
    else if (key == "tie_word_embeddings") {
      if (!v.isBool())
        s = fieldError(key, "expected true or false, got " + v.serialize());
      else
        c.tieWordEmbeddings = v.getBool();
    } else if (key == "norm")
      s = readChoice(
          key, v, {"rmsnorm", "preaffine", "gatednorm", "dyt", "none"}, c.norm);
    else if (key == "norm_gate")
      s = readChoice(key, v, {"none", "elementwise", "tensorwise"}, c.normGate);
    else if (key == "gatednorm_rank")
      s = readPositiveInt(key, v, c.gatednormRank);
    else if (key == "gatednorm_activation")
      s = readChoice(key, v, {"sigmoid", "tanh", "silu", "identity"},
                     c.gatednormActivation);
    else if (key == "attn_gate")
      s = readChoice(key, v, {"none", "headwise", "elementwise"}, c.attnGate);
    else if (key == "softmax")
      s = readChoice(key, v,
                     {"standard", "off_by_one", "learned_sink", "sigmoid"},
                     c.softmax);
    else if (key == "residual_clip") {
      if (v.isNull() || (v.isString() && v.getString() == "none"))
        c.residualClip.reset();
      else if (v.isNumber() && v.getNumber() > 0 &&
               std::isfinite(v.getNumber()))
        c.residualClip = v.getNumber();
      else
        s = fieldError(key, "expected \"none\" or a positive threshold, got " +
                                v.serialize());
    } else if (key == "layer_types") {
      layerTypes = &v;
    } else if (key == "full_attention_interval")
      s = readPositiveInt(key, v, fullAttentionInterval);
    else if (key == "linear_num_key_heads")
      s = readPositiveInt(key, v, c.linearNumKeyHeads),
      haveLinearKeyHeads = true;
    else if (key == "linear_num_value_heads")
      s = readPositiveInt(key, v, c.linearNumValueHeads),
      haveLinearValueHeads = true;
    else if (key == "linear_key_head_dim")
      s = readPositiveInt(key, v, c.linearKeyHeadDim), haveLinearKeyDim = true;
    else if (key == "linear_value_head_dim")
      s = readPositiveInt(key, v, c.linearValueHeadDim),
      haveLinearValueDim = true;
    else if (key == "linear_conv_kernel_dim")
      s = readPositiveInt(key, v, c.linearConvKernelDim);
    // Hugging Face bookkeeping: accepted with the values our models have.
    else if (key == "architectures" || key == "transformers_version" ||
             key == "bos_token_id" || key == "eos_token_id" ||
             key == "pad_token_id" || key == "use_cache" ||
             key == "initializer_range")
      ; // informational only
    else if (key == "model_type")
      s = checkFixed(
          key, v,
          [](const JsonValue &v) {
            return v.isString() &&
                   (v.getString() == "llama" || v.getString() == "qwen3" ||
                    v.getString() == "qwen3_next");
          },
          "\"llama\", \"qwen3\" or \"qwen3_next\"");
    else if (key == "hidden_act")
      s = checkFixed(key, v, isString("silu"), "\"silu\"");
    else if (key == "torch_dtype")
      s = checkFixed(key, v, isString("float32"), "\"float32\"");
    else if (key == "attention_bias" || key == "mlp_bias")
      s = checkFixed(key, v, isFalse, "false");
    else if (key == "attention_dropout")
      s = checkFixed(
          key, v,
          [](const JsonValue &v) { return v.isNumber() && v.getNumber() == 0; },
          "0");
    else if (key == "rope_scaling")
      s = checkFixed(
          key, v, [](const JsonValue &v) { return v.isNull(); }, "null");
    else
      return Status::error("unknown config field '" + key +
                           "' (docs/trainer.md lists the fields)");
    if (!s)
      return s;
  }
  for (const std::string &r : required)
    if (!seen.count(r))
      return Status::error("missing config field '" + r + "'");

  if (!haveKvHeads)
    c.numKeyValueHeads = c.numAttentionHeads;
  if (!haveHeadDim) {
    if (c.hiddenSize % c.numAttentionHeads != 0)
      return Status::error("hidden_size " + std::to_string(c.hiddenSize) +
                           " is not divisible by num_attention_heads " +
                           std::to_string(c.numAttentionHeads) +
                           " (give head_dim explicitly, "
                           "or change one of them)");
    c.headDim = c.hiddenSize / c.numAttentionHeads;
  }
  if (c.numAttentionHeads % c.numKeyValueHeads != 0)
    return Status::error("num_attention_heads " +
                         std::to_string(c.numAttentionHeads) +
                         " is not divisible by num_key_value_heads " +
                         std::to_string(c.numKeyValueHeads) +
                         " (each key/value head serves a whole group of query "
                         "heads)");
  if (c.headDim % 2 != 0)
    return Status::error("head_dim " + std::to_string(c.headDim) +
                         " is odd: rotary embeddings rotate pairs of "
                         "dimensions");
  if (c.norm == "gatednorm" && c.normGate == "tensorwise")
    return fieldError("norm_gate",
                      "'tensorwise' contradicts norm 'gatednorm' (rmsnorm with "
                      "an elementwise gate); for one gate per token write norm "
                      "'rmsnorm' with norm_gate 'tensorwise'");
  if (c.effectiveNormGate() != "none" && c.gatednormRank > c.hiddenSize)
    return fieldError("gatednorm_rank", std::to_string(c.gatednormRank) +
                                            " is larger than hidden_size " +
                                            std::to_string(c.hiddenSize));

  if (!haveLinearKeyHeads)
    c.linearNumKeyHeads = c.numAttentionHeads;
  if (!haveLinearValueHeads)
    c.linearNumValueHeads = c.linearNumKeyHeads;
  if (!haveLinearKeyDim)
    c.linearKeyHeadDim = c.headDim;
  if (!haveLinearValueDim)
    c.linearValueHeadDim = c.headDim;
  if (c.linearNumValueHeads % c.linearNumKeyHeads != 0)
    return Status::error(
        "linear_num_value_heads " + std::to_string(c.linearNumValueHeads) +
        " is not divisible by linear_num_key_heads " +
        std::to_string(c.linearNumKeyHeads) +
        " (each key head serves a whole group of value heads)");

  c.layerTypes.assign(static_cast<size_t>(c.numHiddenLayers), "full_attention");
  if (fullAttentionInterval > 0)
    for (size_t i = 0; i < c.layerTypes.size(); ++i)
      if ((i + 1) % static_cast<size_t>(fullAttentionInterval) != 0)
        c.layerTypes[i] = "linear_attention";
  std::vector<std::string> fromInterval = c.layerTypes;
  if (layerTypes) {
    if (!layerTypes->isArray() ||
        layerTypes->getArray().size() != c.layerTypes.size())
      return fieldError("layer_types", "expected a list of " +
                                           std::to_string(c.numHiddenLayers) +
                                           " entries (one per layer), got " +
                                           layerTypes->serialize());
    for (size_t i = 0; i < c.layerTypes.size(); ++i) {
      Status s = readChoice(
          "layer_types[" + std::to_string(i) + "]", layerTypes->getArray()[i],
          {"full_attention", "linear_attention"}, c.layerTypes[i]);
      if (!s)
        return s;
    }
    if (fullAttentionInterval > 0 && fromInterval != c.layerTypes)
      return fieldError("layer_types",
                        "disagrees with full_attention_interval " +
                            std::to_string(fullAttentionInterval) +
                            " (give one of them, or both alike)");
  }
  return c;
}

Expected<ModelConfig> readModelConfig(const std::string &path) {
  Expected<std::string> text = readWholeFile(path);
  if (!text)
    return text.status();
  Expected<JsonValue> json = runtime::parseJson(*text);
  if (!json)
    return json.status().withContext("config '" + path + "'");
  Expected<ModelConfig> config = parseModelConfig(*json);
  if (!config)
    return config.status().withContext("config '" + path + "'");
  return config;
}

JsonValue ModelConfig::toJson() const {
  std::vector<JsonValue> types;
  for (const std::string &t : layerTypes)
    types.push_back(jsonString(t));
  JsonObject o = {
      {"architectures", JsonValue::makeArray({jsonString("LlamaForCausalLM")})},
      {"model_type", jsonString("llama")},
      {"hidden_size", jsonInt(hiddenSize)},
      {"num_hidden_layers", jsonInt(numHiddenLayers)},
      {"num_attention_heads", jsonInt(numAttentionHeads)},
      {"num_key_value_heads", jsonInt(numKeyValueHeads)},
      {"head_dim", jsonInt(headDim)},
      {"intermediate_size", jsonInt(intermediateSize)},
      {"vocab_size", jsonInt(vocabSize)},
      {"max_position_embeddings", jsonInt(maxPositionEmbeddings)},
      {"rms_norm_eps", jsonNumber(rmsNormEps)},
      {"rope_theta", jsonNumber(ropeTheta)},
      {"tie_word_embeddings", jsonBool(tieWordEmbeddings)},
      {"hidden_act", jsonString("silu")},
      {"torch_dtype", jsonString("float32")},
      {"norm", jsonString(norm)},
      {"norm_gate", jsonString(normGate)},
      {"gatednorm_rank", jsonInt(gatednormRank)},
      {"gatednorm_activation", jsonString(gatednormActivation)},
      {"attn_gate", jsonString(attnGate)},
      {"softmax", jsonString(softmax)},
      {"residual_clip",
       residualClip ? jsonNumber(*residualClip) : jsonString("none")},
      {"layer_types", JsonValue::makeArray(std::move(types))},
      {"linear_num_key_heads", jsonInt(linearNumKeyHeads)},
      {"linear_num_value_heads", jsonInt(linearNumValueHeads)},
      {"linear_key_head_dim", jsonInt(linearKeyHeadDim)},
      {"linear_value_head_dim", jsonInt(linearValueHeadDim)},
      {"linear_conv_kernel_dim", jsonInt(linearConvKernelDim)},
  };
  return JsonValue::makeObject(std::move(o));
}

} // namespace rescale::trainer
