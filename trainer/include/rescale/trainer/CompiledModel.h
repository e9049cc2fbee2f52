//===- CompiledModel.h - A compiled training module and its state -*- C++
//-*-===//
//
// The trainer's side of the module contract (docs/trainer.md, "The compiled
// model"): MDIR/model.json describes the model (config, batch, seq, target,
// parameters with their init and weight-decay flag), MDIR/train.so with its
// manifest has two entries,
//
//   train_step(p.., m.., v.., hyper f32[8], tokens i32[B,T+1])
//       -> (loss f32[], grad_norm f32[], p'.., m'.., v'..)
//   eval_loss(p.., tokens i32[B,T+1]) -> loss f32[]
//
// CompiledModel checks the manifest against model.json, keeps parameters and
// AdamW moments where the module computes (host memory for cpu modules,
// device memory for cuda ones) in two buffer sets, and swaps the sets after
// each step: the outputs of step n are the inputs of step n+1, nothing is
// copied. Per step only the two scalars loss and grad_norm come back to the
// host. The trainer holds no model math: every FLOP is in the module.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_TRAINER_COMPILEDMODEL_H
#define RESCALE_TRAINER_COMPILEDMODEL_H

#include "rescale/runtime/Cuda.h"
#include "rescale/runtime/HostTensor.h"
#include "rescale/runtime/Json.h"
#include "rescale/runtime/Module.h"
#include "rescale/trainer/Config.h"
#include "rescale/trainer/Rng.h"

#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace rescale::trainer {

struct ParameterInit {
  /// normal | ones | zeros | constant | uniform | log_uniform
  std::string kind = "normal";
  double std = 0.02;        // normal
  double value = 0;         // constant
  double low = 0, high = 0; // uniform in [low, high), or its log
};

struct ParameterSpec {
  std::string
      name; // Hugging Face name, e.g. "model.layers.0.mlp.up_proj.weight"
  std::vector<int64_t> shape;
  ParameterInit init;
  bool decay = true;
};

/// MDIR/model.json.
struct ModelDescription {
  ModelConfig config;
  int64_t batch = 0, seq = 0;
  std::string target; // "cpu" | "cuda"
  std::vector<ParameterSpec> parameters;
};

runtime::Expected<ModelDescription>
readModelDescription(const std::string &path);

/// The 8 values of train_step's `hyper` input, in order.
struct StepHyper {
  float lr = 0, beta1 = 0.9f, beta2 = 0.95f, eps = 1e-8f, weightDecay = 0.1f;
  float maxGradNorm = 1.0f; // 0: no clipping
  int64_t step = 1;         // 1-based
};

struct StepResult {
  float loss = 0, gradNorm = 0;
};

/// Named tensors in parameter order (checkpoint contents).
using NamedTensors = std::vector<std::pair<std::string, runtime::HostTensor>>;

class CompiledModel {
public:
  /// Read MDIR/model.json, load MDIR/train.so and check its manifest against
  /// the description: one error naming the first mismatch.
  static runtime::Expected<std::unique_ptr<CompiledModel>>
  load(const std::string &mdir);

  const ModelDescription &description() const { return desc_; }
  size_t numParameters() const { return desc_.parameters.size(); }

  /// Fresh state: parameters drawn by their init specs from `rng` (in
  /// parameter order, row-major), moments zero.
  runtime::Status initialize(Rng &rng);
  /// Set state from host tensors (a checkpoint); `m`/`v` may be empty for
  /// evaluation-only use, which then leaves the moments zero.
  runtime::Status setState(const NamedTensors &params, const NamedTensors &m,
                           const NamedTensors &v);
  /// Copy the state to the host (for a checkpoint).
  runtime::Status getState(NamedTensors &params, NamedTensors &m,
                           NamedTensors &v) const;

  /// One train_step on `tokens` (int32 [B, T+1]); swaps the buffer sets.
  runtime::Expected<StepResult> step(const StepHyper &hyper,
                                     const int32_t *tokens);
  /// eval_loss with the current parameters.
  runtime::Expected<float> evalLoss(const int32_t *tokens);

  /// A buffer where the module computes: a host tensor for cpu modules, a
  /// device tensor for cuda modules.
  class Buffer {
  public:
    static runtime::Expected<Buffer> create(bool onDevice, runtime::DType dtype,
                                            const std::vector<int64_t> &shape);
    void *data() const;
    runtime::Status upload(const runtime::HostTensor &host);
    runtime::Status download(runtime::HostTensor &host) const;

  private:
    bool onDevice_ = false;
    runtime::HostTensor host_;
    runtime::DeviceTensor device_;
  };

private:
  CompiledModel() = default;
  std::string mdir_;
  ModelDescription desc_;
  std::unique_ptr<runtime::Module> module_;
  const runtime::EntrySpec *trainStep_ = nullptr;
  const runtime::EntrySpec *evalLoss_ = nullptr;
  bool onDevice_ = false;
  // state_[set][k * P + i]: k = 0 parameters, 1 first moments, 2 second
  // moments; set `current_` holds the state, the other receives the outputs.
  std::array<std::vector<Buffer>, 2> state_;
  int current_ = 0;
  Buffer hyper_, tokens_, loss_, gradNorm_;
  runtime::HostTensor hostHyper_, hostTokens_, hostScalar_;
};

} // namespace rescale::trainer

#endif // RESCALE_TRAINER_COMPILEDMODEL_H
