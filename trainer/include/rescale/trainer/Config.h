//===- Config.h - The model config of rescale-train -------------*- C++ -*-===//
//
// A Hugging Face config.json (Llama/Qwen3 field names) plus the variants of
// "outlier-driven rescaling" (arXiv 2601.22966): which norm, the attention
// output gate, the softmax, residual clipping. Parsing is strict: an unknown
// field, an unknown variant or a non-divisible head count is an error naming
// the field, so a typo never trains a different model than the one asked for.
// Field reference: docs/trainer.md.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_TRAINER_CONFIG_H
#define RESCALE_TRAINER_CONFIG_H

#include "rescale/runtime/Json.h"
#include "rescale/runtime/Status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rescale::trainer {

struct ModelConfig {
  // Hugging Face (Llama/Qwen3) fields.
  int64_t hiddenSize = 0;
  int64_t numHiddenLayers = 0;
  int64_t numAttentionHeads = 0;
  int64_t numKeyValueHeads = 0; // default: numAttentionHeads
  int64_t headDim = 0;          // default: hiddenSize / numAttentionHeads
  int64_t intermediateSize = 0;
  int64_t vocabSize = 0;
  int64_t maxPositionEmbeddings = 2048;
  double rmsNormEps = 1e-6;
  double ropeTheta = 10000.0;
  bool tieWordEmbeddings = false;

  // The paper's variants.
  std::string norm = "rmsnorm"; // rmsnorm | preaffine | gatednorm | dyt | none
  /// The low-rank self-gate after every norm (issue 19): none | elementwise
  /// | tensorwise (one gate per token). `norm: gatednorm` is rmsnorm with an
  /// elementwise gate.
  std::string normGate = "none";
  int64_t gatednormRank = 16;
  std::string gatednormActivation = "sigmoid"; // sigmoid|tanh|silu|identity
  std::string attnGate = "none";               // none | headwise | elementwise
  std::string softmax = "standard";   // standard | off_by_one | learned_sink
  std::optional<double> residualClip; // nullopt = "none"
  /// One entry per layer: "full_attention" | "linear_attention" (from
  /// `layer_types`, or from `full_attention_interval` n: layer i is full when
  /// (i + 1) % n == 0; default all full).
  std::vector<std::string> layerTypes;

  // Linear attention (Gated DeltaNet, Qwen3-Next names): key heads Hk
  // (default num_attention_heads), value heads Hv (a multiple of Hk, default
  // Hk), head dims (default head_dim) and the short convolution's kernel.
  int64_t linearNumKeyHeads = 0;
  int64_t linearNumValueHeads = 0;
  int64_t linearKeyHeadDim = 0;
  int64_t linearValueHeadDim = 0;
  int64_t linearConvKernelDim = 4;

  /// Whether some layer has softmax attention (and so attention sinks).
  bool hasFullAttention() const {
    for (const std::string &t : layerTypes)
      if (t == "full_attention")
        return true;
    return false;
  }

  /// The norm under the gate: `gatednorm` is `rmsnorm`, the others as they
  /// are.
  std::string baseNorm() const {
    return norm == "gatednorm" ? "rmsnorm" : norm;
  }
  /// The gate after every norm: `elementwise` for `gatednorm`, else
  /// `norm_gate`.
  std::string effectiveNormGate() const {
    return norm == "gatednorm" ? "elementwise" : normGate;
  }

  /// Every field, defaults filled in, under its config.json name: what a
  /// checkpoint's config.json holds, and what two configs are compared by.
  runtime::JsonValue toJson() const;
};

/// Parse and validate a config object. Errors name the field:
/// "unknown config field 'hiden_size'", "field 'norm': unknown variant
/// 'layernorm' (expected rmsnorm, preaffine, gatednorm or dyt)".
runtime::Expected<ModelConfig> parseModelConfig(const runtime::JsonValue &json);
/// The same for a file; errors are prefixed with "config 'PATH'".
runtime::Expected<ModelConfig> readModelConfig(const std::string &path);

} // namespace rescale::trainer

#endif // RESCALE_TRAINER_CONFIG_H
