//===- Parameters.cpp - The parameter list of a config's model ------------===//
//
// One definition of the parameters (names, shapes, init, weight decay) that
// model.json lists and the builder reads its arguments by: the decoder asks
// for a parameter by its Hugging Face name, so the function's argument order
// is this list's order by construction.
//
//===----------------------------------------------------------------------===//
#include "modelbuilder/CompileModel.h"

#include <cmath>

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

} // namespace

static ParameterInit normal() {
  ParameterInit i;
  i.kind = "normal";
  i.std = kInitStd;
  return i;
}
/// Uniform in [low, high), or its log (`log_uniform`).
static ParameterInit range(const char *kind, double low, double high) {
  ParameterInit i;
  i.kind = kind;
  i.low = low;
  i.high = high;
  return i;
}
static ParameterInit named(const char *kind, double value = 0) {
  ParameterInit i;
  i.kind = kind;
  i.value = value;
  return i;
}

namespace {

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

  /// The post-attention norm and the SwiGLU MLP of layer `layer`.
  void addMlp(const ModelConfig &c, const std::string &layer) {
    int64_t d = c.hiddenSize;
    addNorm(c, layer + ".post_attention_layernorm");
    add(layer + ".mlp.gate_proj.weight", {c.intermediateSize, d}, normal());
    add(layer + ".mlp.up_proj.weight", {c.intermediateSize, d}, normal());
    add(layer + ".mlp.down_proj.weight", {d, c.intermediateSize}, normal());
  }

  /// A Gated DeltaNet sublayer (Qwen3-Next's names and layouts). The inits
  /// follow Qwen3-Next's: A = exp(A_log) uniform in [1, 16) (Mamba-2's
  /// range), dt_bias ones, the output norm's weight ones, the depthwise
  /// convolution PyTorch's Conv1d default (uniform ±1/sqrt(K), fan-in K).
  void addLinearAttention(const ModelConfig &c, const std::string &prefix) {
    int64_t d = c.hiddenSize;
    int64_t hk = c.linearNumKeyHeads, hv = c.linearNumValueHeads;
    int64_t dk = c.linearKeyHeadDim, dv = c.linearValueHeadDim;
    int64_t kernel = c.linearConvKernelDim;
    int64_t channels = 2 * hk * dk + hv * dv;
    double bound = 1.0 / std::sqrt(static_cast<double>(kernel));
    add(prefix + ".q_proj.weight", {hk * dk, d}, normal());
    add(prefix + ".k_proj.weight", {hk * dk, d}, normal());
    add(prefix + ".v_proj.weight", {hv * dv, d}, normal());
    add(prefix + ".z_proj.weight", {hv * dv, d}, normal());
    add(prefix + ".b_proj.weight", {hv, d}, normal());
    add(prefix + ".a_proj.weight", {hv, d}, normal());
    add(prefix + ".conv1d.weight", {channels, 1, kernel},
        range("uniform", -bound, bound));
    add(prefix + ".dt_bias", {hv}, named("ones"));
    add(prefix + ".A_log", {hv}, range("log_uniform", 1.0, 16.0));
    add(prefix + ".norm.weight", {dv}, named("ones"));
    add(prefix + ".out_proj.weight", {d, hv * dv}, normal());
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
    if (c.layerTypes[i] == "linear_attention") {
      l.addLinearAttention(c, layer + ".linear_attn");
      l.addMlp(c, layer);
      continue;
    }
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
    l.addMlp(c, layer);
  }
  l.addNorm(c, "model.norm");
  if (!c.tieWordEmbeddings)
    l.add("lm_head.weight", {c.vocabSize, d}, normal());
  return l.specs;
}

} // namespace rescale::modelbuilder
