//===- Trainer.h - The training loop and evaluation -------------*- C++ -*-===//
//
// The loop of rescale-train, llm.c style: config, data, step, schedule, eval,
// checkpoint, log. The step itself is a call of the compiled model
// (CompiledModel); this file only feeds it. Reference: docs/trainer.md.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_TRAINER_TRAINER_H
#define RESCALE_TRAINER_TRAINER_H

#include "rescale/runtime/Status.h"

#include <cstdint>
#include <optional>
#include <string>

namespace rescale::trainer {

/// Command-line options of a training run. Unset optionals take their
/// default on a fresh run and the saved value on --resume, where a given
/// value must equal the saved one.
struct TrainOptions {
  std::string configPath;
  std::string outDir;
  std::string modulePath;
  std::optional<std::string> dataPath;
  std::optional<std::string> device;
  std::optional<int64_t> steps, batch, seq, warmup, seed, saveEvery, evalEvery,
      evalBatches;
  std::optional<double> lr, minLr, weightDecay, gradClip, beta1, beta2, eps,
      valFraction;
  bool resume = false;
  /// Test hook: stop (exit status 3) right after this step's work is done,
  /// as a crash would, to check resume without timing races.
  std::optional<int64_t> stopAfterStep;
};

/// Train. A failure is one line (the caller prints "error: " before it).
runtime::Status train(const TrainOptions &options);

struct EvalOptions {
  std::string checkpoint; // a checkpoint folder or a run folder
  std::string tokensPath; // int32 [N, T+1] .npy
  std::string modulePath;
};

/// Print {"loss": L, "tokens": N*T} for the checkpoint's parameters.
runtime::Status evaluate(const EvalOptions &options);

/// The learning rate of 1-based `step`: linear warmup from lr/warmup to lr
/// over `warmup` steps, then cosine decay to `minLr` at `steps`.
double learningRate(int64_t step, int64_t steps, int64_t warmup, double lr,
                    double minLr);

/// The corpus used without --data (installed by scripts/setup.sh).
const char *defaultCorpusPath();

} // namespace rescale::trainer

#endif // RESCALE_TRAINER_TRAINER_H
