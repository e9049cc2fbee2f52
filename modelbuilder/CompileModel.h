//===- CompileModel.h - Config -> compiled training model folder -*- C++
//-*-===//
//
// The compiler side of rescale-train (docs/trainer.md, "The model builder"):
// from a model config, batch and seq, build the decoder as rescale IR
// (ModelBuilder.h), differentiate it, fuse clipping + AdamW into train_step,
// compile it for cpu or cuda, and write MDIR/model.json, MDIR/train.so and
// MDIR/train.manifest.json.
//
// This header names no MLIR type, so that rescale-train's main can call it
// behind a compile-time option and its runtime-only build links no LLVM.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_MODELBUILDER_COMPILEMODEL_H
#define RESCALE_MODELBUILDER_COMPILEMODEL_H

#include "rescale/runtime/Status.h"
#include "rescale/trainer/CompiledModel.h"
#include "rescale/trainer/Config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace rescale::modelbuilder {

struct CompileModelOptions {
  std::string device = "cpu"; // cpu | cuda
  std::string chip;           // cuda: "sm_90" (default); cpu: LLVM CPU name
  int64_t batch = 4;
  int64_t seq = 64;
  /// LLVM's optimization level for the host code (0-3). Tests that check
  /// numbers, not speed, compile at 0: a train step is one large function and
  /// O3 spends about 30 s on it, O0 about 2 s, with the same arithmetic (no
  /// fast-math flags, so LLVM may not reassociate or contract).
  unsigned optLevel = 3;
  /// Write the training module's IR (train_step and eval_loss, before
  /// lowering) to the output path instead of compiling a folder.
  bool emitMLIR = false;
  /// Also write, compiled for the host CPU whatever the device (rescale-train
  /// sweep's analyses, docs/experiments.md):
  /// - MDIR/analysis.so: `@analyze`, the loss instrumented with
  ///   --rescale-instrument-sinks{norm-outputs} (first-token share of every
  ///   attention, |x| of every norm's input and |y| of its output);
  /// - MDIR/calibrate.so: `@calibrate`, the loss instrumented with
  ///   --rescale-instrument-absmax (SmoothQuant's calibration).
  bool analysis = false;
};

/// Entry names of the host loss modules (CompileModelOptions::analysis,
/// compileQuantizedLoss). Each takes the parameters in listParameters'
/// order and the i32 [B, T+1] tokens; its first result is the mean loss.
inline constexpr const char *kAnalyzeEntry = "analyze";
inline constexpr const char *kCalibrateEntry = "calibrate";
inline constexpr const char *kQuantizedEntry = "eval_quantized";

/// The schemes the robustness analysis runs (--rescale-insert-quantization's
/// scheme names), in report order.
const std::vector<std::string> &quantizationSchemes();

/// Compiles `@eval_quantized`, the loss under --rescale-insert-quantization
/// with `scheme` (and SmoothQuant from `calibrationPath` when not empty),
/// for the host CPU into `so` and its manifest. The linears and alpha are
/// trainer::kQuantizationSkip and trainer::kSmoothQuantAlpha. Nothing is left
/// at `so` on failure.
runtime::Status compileQuantizedLoss(const trainer::ModelConfig &config,
                                     const CompileModelOptions &options,
                                     const std::string &scheme,
                                     const std::string &calibrationPath,
                                     const std::string &so);

/// The parameters of `config`'s model in the order of docs/trainer.md
/// ("Parameter names"), with their PyTorch [out, in] shapes, init and
/// weight-decay flag.
std::vector<trainer::ParameterSpec>
listParameters(const trainer::ModelConfig &config);

/// Everything the builder cannot build yet, as one error line
/// ("layer_types[1] = linear_attention is not implemented yet").
runtime::Status checkBuildable(const trainer::ModelConfig &config);

/// MDIR/model.json's contents.
std::string modelJson(const trainer::ModelConfig &config,
                      const CompileModelOptions &options);

/// Build, differentiate and compile; write MDIR. On failure nothing is left
/// in MDIR (the files are written into a temporary folder beside it and
/// renamed), and the status is one line.
runtime::Status compileTrainingModel(const trainer::ModelConfig &config,
                                     const CompileModelOptions &options,
                                     const std::string &mdir);

} // namespace rescale::modelbuilder

#endif // RESCALE_MODELBUILDER_COMPILEMODEL_H
