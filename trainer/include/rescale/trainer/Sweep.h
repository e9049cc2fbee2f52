//===- Sweep.h - rescale-train sweep: variants and the report ---*- C++ -*-===//
//
// The runtime side of `rescale-train sweep` (docs/experiments.md): the
// paper's variants as config overrides, the merged config of each, and the
// report written from the runs' metrics. The driver (compile each variant,
// train each seed, resume) is in tools/rescale-train, which has the compiler.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_TRAINER_SWEEP_H
#define RESCALE_TRAINER_SWEEP_H

#include "rescale/runtime/HostTensor.h"
#include "rescale/runtime/Json.h"
#include "rescale/runtime/Status.h"
#include "rescale/trainer/Config.h"

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rescale::trainer {

/// A variant: a name and the config fields it sets. Every variant starts
/// from the baseline's variant fields (norm rmsnorm, no attention gate,
/// standard softmax, no residual clip), so that a variant differs from the
/// baseline in exactly what it names.
struct SweepVariant {
  std::string name;
  std::vector<std::pair<std::string, runtime::JsonValue>> overrides;
};

/// The fixed variant names, in the order the report lists them.
const std::vector<std::string> &fixedVariantNames();
/// The default sweep's variants (no --variants): the fixed variants of
/// issue 12, which fit the default sweep's budget; `--variants all` adds the
/// rest (issue 19's gated DyT and gate ablations).
std::string defaultSweepVariants();

/// Parses --variants: comma-separated fixed names, or `name:key=value` with
/// further `key=value` items belonging to it, e.g.
/// "baseline,ga,gn_tanh:norm=gatednorm,gatednorm_activation=tanh", or
/// `all` (every fixed variant). A value
/// is read as JSON when it parses (numbers, true, "text"), else as a string.
/// An unknown name, a repeated name or a malformed item is one error line.
runtime::Expected<std::vector<SweepVariant>>
parseSweepVariants(const std::string &list);

/// `base` with the baseline's variant fields and then `variant`'s overrides;
/// checked as a config (an unknown field or value is an error naming the
/// variant).
runtime::Expected<ModelConfig> variantConfig(const ModelConfig &base,
                                             const SweepVariant &variant);

/// The held-out loss of a run under one quantization scheme.
struct QuantizedLoss {
  std::string scheme; // "w4a4", ..., "w4a4_smoothquant"
  double loss = NAN;
};

/// One trained run of a variant, read back from its metrics.jsonl.
struct SweepRun {
  int64_t seed = 0;
  std::string runDir;
  /// (step, training loss) for every step; (step, val_loss) where evaluated.
  std::vector<std::pair<int64_t, double>> loss, valLoss;
  /// RUN/sink_report.json (RunAnalysis::writeSinkReport) when there is
  /// one, and what the report table shows of it: the mean first-token share
  /// over every attention head, the fraction of heads above 0.5, and the
  /// largest |hidden| over the norms' inputs with that norm's median |hidden|.
  std::optional<runtime::JsonValue> sinkReport;
  double firstTokenShare = NAN, headsOverHalf = NAN, peakAbs = NAN,
         medianAbsAtPeak = NAN;
  /// The mean over every attention head of the first token's share of the
  /// attention output (rescale.attention_first_token_output_share).
  double firstTokenOutputShare = NAN;
  /// RUN/quant_report.json when there is one: the held-out loss in full
  /// precision and per scheme.
  double fullPrecisionLoss = NAN;
  std::vector<QuantizedLoss> quantized;
  /// From the sink report's norms: the largest kurtosis of any norm input;
  /// the mean over norms of the top-5 channels' share of |x| (input) and of
  /// |y| (output); the mean overlap of consecutive top-5 sets.
  double maxKurtosis = NAN, topInputShare = NAN, topOutputShare = NAN,
         topDimsOverlap = NAN;
  /// RUN/norm_weights.json when there is one: the mean over norms of the
  /// mean |weight| at the input's top-5 channels over the median |weight|.
  double normWeightTopToMedian = NAN;
  /// From the sink report's gates (gated norms only): the mean over gates of
  /// the rank correlation over channels between mean |y_c| before the gate
  /// and the mean gate (elementwise gates only), and the same over tokens.
  double gateChannelRankCorrelation = NAN, gateTokenRankCorrelation = NAN;
};

struct SweepVariantResult {
  SweepVariant variant;
  ModelConfig config;
  std::vector<SweepRun> runs;
};

/// Reads RUN/metrics.jsonl; an error if it is missing, malformed, or has
/// no evaluated step.
runtime::Expected<SweepRun> readSweepRun(const std::string &runDir,
                                         int64_t seed);

/// A run's last checkpoint as the inputs of MDIR's host loss modules
/// (CompileModelOptions::analysis, compileQuantizedLoss: the parameters,
/// then i32 [B, T+1] tokens), read once for all of the run's analyses.
/// Defined with the trainer's checkpoint code (Trainer.cpp).
class RunAnalysis {
public:
  static runtime::Expected<RunAnalysis> open(const std::string &mdir,
                                             const std::string &runDir);

  /// Runs MDIR/analysis.so on the int32 [B, T+1] tokens of `tokensPath` and
  /// writes the sink report (docs/sink-report.md, threshold 0.5).
  runtime::Status writeSinkReport(const std::string &tokensPath,
                                  const std::string &reportPath);

  /// Runs MDIR/calibrate.so once per batch of the i32 [N·B, T+1] training
  /// tokens at `tokensPath` and writes the SmoothQuant calibration file (the
  /// per-channel max |x| of every linear input over all batches;
  /// docs/quantization.md) to `calibrationPath`.
  runtime::Status calibrate(const std::string &tokensPath,
                            const std::string &calibrationPath);

  /// RUN/norm_weights.json (issue 19, docs/experiments.md): for every norm
  /// of the sink report at `sinkReportPath`, its weight `<norm>.weight` at
  /// the top-5 channels of its input (the report's top_max_dims) next to
  /// the median |weight| over all channels, and their ratio (the paper: the
  /// weight at the sink channel collapses towards 0).
  runtime::Status writeNormWeightReport(const std::string &sinkReportPath,
                                        const std::string &reportPath);

  /// The mean over the batches of `tokensPath` of the loss that entry
  /// `entry` of the host module `so` returns first.
  runtime::Expected<double> loss(const std::string &so,
                                 const std::string &entry,
                                 const std::string &tokensPath);

private:
  RunAnalysis() = default;
  /// Calls `entry` of `so` once per batch of `tokensPath`; `each` gets every
  /// call's outputs (the first is the loss).
  runtime::Status
  run(const std::string &so, const std::string &entry,
      const std::string &tokensPath,
      const std::function<runtime::Status(std::vector<runtime::HostTensor> &)>
          &each);

  std::string mdir_;
  int64_t batch_ = 0, seq_ = 0;
  std::vector<runtime::HostTensor> inputs_; // the parameters, in order
  std::vector<std::string> names_;          // their names
};

/// RUN/quant_report.json (docs/experiments.md): the held-out loss in full
/// precision and under each quantization scheme, in the order given. The
/// file records the skip regex and SmoothQuant's alpha below, which the
/// compiler side (modelbuilder::compileQuantizedLoss) uses: every linear
/// but the LM head (kept in full precision, as quantized LLMs usually keep
/// it) goes through the scheme; SmoothQuant at the paper's alpha.
inline constexpr const char *kQuantizationSkip = "^lm_head$";
inline constexpr double kSmoothQuantAlpha = 0.5;
runtime::Status writeQuantReport(const std::string &path,
                                 const std::string &heldoutPath,
                                 double fullPrecisionLoss,
                                 const std::vector<QuantizedLoss> &losses);

struct SweepSettings {
  std::string baseConfigPath, dataPath, device;
  int64_t steps = 0, batch = 0, seq = 0;
};

/// Writes DIR/report.json, DIR/report.md and DIR/loss_curves.svg (each
/// atomically) from the results, in the order given.
runtime::Status
writeSweepReport(const std::string &dir, const SweepSettings &settings,
                 const std::vector<SweepVariantResult> &results);

//===----------------------------------------------------------------------===//
// Stability (`sweep --lrs`, issue 19): every variant at every learning rate
//===----------------------------------------------------------------------===//

/// Loss spikes in a training-loss curve (docs/experiments.md): step t is a
/// spike step when its loss exceeds 1.25 times the median (the 6th
/// smallest) of the 10 steps before it; consecutive spike steps are one spike.
/// The first 10 steps are never spikes (no history).
int64_t countLossSpikes(const std::vector<double> &losses);

/// One variant trained at one learning rate.
struct StabilityRun {
  std::string variant;
  double lr = 0;
  std::string runDir;
  /// Steps in metrics.jsonl (the finite ones), and the first and last
  /// training losses among them.
  int64_t steps = 0;
  double initialLoss = NAN, finalLoss = NAN;
  /// The last validation loss in metrics.jsonl; NaN when none (a run that
  /// stopped before its first evaluation).
  double finalValLoss = NAN;
  /// The step whose loss or gradient norm was not finite (RUN/diverged.json
  /// written by the trainer), or -1.
  int64_t nonFiniteStep = -1;
  int64_t spikes = 0;
  /// A non-finite loss, or a final training loss above the initial one.
  bool diverged = false;
};

/// Reads RUN/metrics.jsonl and RUN/diverged.json (when present).
runtime::Expected<StabilityRun> readStabilityRun(const std::string &runDir,
                                                 const std::string &variant,
                                                 double lr);

/// Writes DIR/stability.json and DIR/stability.md (each atomically), and
/// the same table and paragraph as the section "Stability" at the end of
/// DIR/report.md: per variant and learning rate, the final validation
/// loss, diverged or not, the spikes; per variant the largest learning
/// rate at which it trains; and a paragraph that judges the paper's claim
/// that removing normalization hurts stability from these numbers.
runtime::Status writeStabilityReport(const std::string &dir,
                                     const std::vector<std::string> &variants,
                                     const std::vector<ModelConfig> &configs,
                                     const std::vector<double> &lrs,
                                     const std::vector<StabilityRun> &runs);

/// The folder name of a learning rate's run under a variant: "lr" + %g.
std::string stabilityRunName(double lr);

} // namespace rescale::trainer

#endif // RESCALE_TRAINER_SWEEP_H
