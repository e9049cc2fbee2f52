//===- Parameters.cpp - The parameter list of a config's model ------------===//
//
// One definition of the parameters (names, shapes, init, weight decay) that
// model.json lists and the builder reads its arguments by: the decoder asks
// for a parameter by its Hugging Face name, so the function's argument order
// is this list's order by construction.
//
//===----------------------------------------------------------------------===//
#include "modelbuilder/CompileModel.h"

namespace rescale::modelbuilder {

using trainer::ModelConfig;
using trainer::ParameterInit;
using trainer::ParameterSpec;

namespace {

/// Standard deviation of every normal init (matrices and embeddings), as
/// Hugging Face's initializer_range default and nanoGPT.
constexpr double kInitStd = 0.02;
/// DyT's alpha init: the DyT paper's default alpha0 = 0.5 (arXiv 2503.10622).
constexpr double kDyTAlphaInit = 0.5;

ParameterInit normal() {
  ParameterInit i;
  i.kind = "normal";
  i.std = kInitStd;
  return i;
}
ParameterInit named(const char *kind, double value = 0) {
  ParameterInit i;
  i.kind = kind;
  i.value = value;
  return i;
}

struct ParameterList {
  std::vector<ParameterSpec> specs;
  /// Weight decay on matrices (embeddings, projections, the GatedNorm
  /// low-rank gate) and not on vectors (norm weights, pre_scale, DyT alpha
  /// and bias, sinks), as nanoGPT decides by rank.
  void add(std::string name, std::vector<int64_t> shape, ParameterInit init) {
    ParameterSpec p;
    p.name = std::move(name);
    p.decay = shape.size() >= 2;
    p.shape = std::move(shape);
    p.init = init;
    specs.push_back(std::move(p));
  }
  /// A norm's tensors, in its op's operand order, then its gate's: the low
  /// rank gate_down [r, d] and gate_up [d, r] (elementwise) or [1, r] (one
  /// gate per token), nn.Linear layout.
  void addNorm(const ModelConfig &c, const std::string &prefix) {
    int64_t d = c.hiddenSize;
    std::string base = c.baseNorm();
    if (base == "rmsnorm") {
      add(prefix + ".weight", {d}, named("ones"));
    } else if (base == "preaffine") {
      add(prefix + ".pre_scale", {d}, named("ones"));
      add(prefix + ".weight", {d}, named("ones"));
    } else if (base == "none") { // identity; the weight is kept
      add(prefix + ".weight", {d}, named("ones"));
    } else { // dyt
      add(prefix + ".alpha", {1}, named("constant", kDyTAlphaInit));
      add(prefix + ".weight", {d}, named("ones"));
      add(prefix + ".bias", {d}, named("zeros"));
    }
    std::string gate = c.effectiveNormGate();
    if (gate == "none")
      return;
    int64_t gates = gate == "tensorwise" ? 1 : d;
    add(prefix + ".gate_down.weight", {c.gatednormRank, d}, normal());
    add(prefix + ".gate_up.weight", {gates, c.gatednormRank}, normal());
  }
};

} // namespace

std::vector<ParameterSpec> listParameters(const ModelConfig &c) {
  ParameterList l;
  int64_t d = c.hiddenSize, hd = c.headDim;
  int64_t h = c.numAttentionHeads, kv = c.numKeyValueHeads;
  l.add("model.embed_tokens.weight", {c.vocabSize, d}, normal());
  for (int64_t i = 0; i < c.numHiddenLayers; ++i) {
    std::string layer = "model.layers." + std::to_string(i);
    l.addNorm(c, layer + ".input_layernorm");
    l.add(layer + ".self_attn.q_proj.weight", {h * hd, d}, normal());
    l.add(layer + ".self_attn.k_proj.weight", {kv * hd, d}, normal());
    l.add(layer + ".self_attn.v_proj.weight", {kv * hd, d}, normal());
    l.add(layer + ".self_attn.o_proj.weight", {d, h * hd}, normal());
    if (c.attnGate == "headwise")
      l.add(layer + ".self_attn.gate_proj.weight", {h, d}, normal());
    else if (c.attnGate == "elementwise")
      l.add(layer + ".self_attn.gate_proj.weight", {h * hd, d}, normal());
    if (c.softmax == "learned_sink")
      l.add(layer + ".self_attn.sinks", {h}, named("zeros"));
    l.addNorm(c, layer + ".post_attention_layernorm");
    l.add(layer + ".mlp.gate_proj.weight", {c.intermediateSize, d}, normal());
    l.add(layer + ".mlp.up_proj.weight", {c.intermediateSize, d}, normal());
    l.add(layer + ".mlp.down_proj.weight", {d, c.intermediateSize}, normal());
  }
  l.addNorm(c, "model.norm");
  if (!c.tieWordEmbeddings)
    l.add("lm_head.weight", {c.vocabSize, d}, normal());
  return l.specs;
}

} // namespace rescale::modelbuilder
