//===- rescale-train.cpp - Train tiny transformers with compiled modules --===//
//
//   rescale-train --config C.json --out DIR --module MDIR [--data FILE]
//                 [--steps N] [--batch B] [--seq T] [--lr X] [--min-lr X]
//                 [--warmup N] [--weight-decay X] [--grad-clip X]
//                 [--beta1 X] [--beta2 X] [--eps X] [--device cpu|cuda]
//                 [--seed S] [--save-every N] [--eval-every N]
//                 [--eval-batches N] [--val-fraction X] [--resume]
//   rescale-train eval --checkpoint DIR --tokens T.npy --module MDIR
//   rescale-train compile --config C.json [--device cpu|cuda] [--chip SM]
//     [-O 0-3]
//                 [--batch B] [--seq T] -o MDIR
//
// A thin main: the loop is in trainer/, the model builder in modelbuilder/
// (docs/trainer.md). The builder is compiler code: only a compiler build
// (RESCALE_TRAIN_HAVE_COMPILER) has `compile` and compiles a run without
// --module in-process; the runtime-only build links no LLVM.
//
//===----------------------------------------------------------------------===//
#include "rescale/runtime/HeapTuning.h"
#include "rescale/runtime/HostTensor.h"
#include "rescale/runtime/Npy.h"
#include "rescale/trainer/Checkpoint.h"
#include "rescale/trainer/CompiledModel.h"
#include "rescale/trainer/Config.h"
#include "rescale/trainer/Data.h"
#include "rescale/trainer/Files.h"
#include "rescale/trainer/Sweep.h"
#include "rescale/trainer/Trainer.h"

#ifdef RESCALE_TRAIN_HAVE_COMPILER
#include "modelbuilder/CompileModel.h"
#endif

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

using namespace rescale;

[[noreturn]] static void fail(const std::string &message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  std::exit(1);
}

namespace {

const char kUsage[] =
    "usage: rescale-train --config C.json --out DIR --module MDIR [--data "
    "FILE]\n"
    "         [--steps N] [--batch B] [--seq T] [--lr X] [--min-lr X] "
    "[--warmup N]\n"
    "         [--weight-decay X] [--grad-clip X] [--beta1 X] [--beta2 X] "
    "[--eps X]\n"
    "         [--device cpu|cuda] [--seed S] [--save-every N] [--eval-every "
    "N]\n"
    "         [--eval-batches N] [--val-fraction X] [--resume]\n"
    "       rescale-train eval --checkpoint DIR --tokens T.npy --module MDIR\n"
    "       rescale-train compile --config C.json [--device cpu|cuda] [--chip "
    "SM]\n"
    "         [--batch B] [--seq T] [--emit so|mlir] [-O 0-3] -o MDIR\n"
    "       rescale-train sweep --config BASE.json --out DIR [--variants "
    "LIST]\n"
    "         [--steps N] [--data FILE] [--device cpu|cuda] [--seeds K] "
    "[--seed S]\n"
    "         [--batch B] [--seq T] [--lr X] [--warmup N] [--eval-every N]\n"
    "         [--eval-batches N] [--lrs LR1,LR2,...] [-O 0-3]\n"
    "(docs/trainer.md, docs/experiments.md)\n";

} // namespace

static int64_t parseInt(const std::string &flag, const std::string &text) {
  errno = 0;
  char *end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end || errno || v < 0)
    fail(flag + " expects a non-negative integer, got '" + text + "'");
  return v;
}

/// --device's value: cpu or cuda.
static std::string parseDevice(const std::string &flag,
                               const std::string &text) {
  if (text != "cpu" && text != "cuda")
    fail(flag + " must be cpu or cuda, got '" + text + "'");
  return text;
}

static double parseReal(const std::string &flag, const std::string &text) {
  errno = 0;
  char *end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end || errno || !std::isfinite(v))
    fail(flag + " expects a number, got '" + text + "'");
  return v;
}

namespace {

/// "--flag value" and "--flag=value" pairs, in order.
struct Args {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<std::string> switches;
};

} // namespace

static Args split(int argc, char **argv, int first,
                  const std::vector<std::string> &switchNames) {
  Args a;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (arg.rfind("--", 0) != 0)
      fail("unexpected argument '" + arg + "'\n" + kUsage);
    size_t eq = arg.find('=');
    std::string flag = arg.substr(0, eq);
    bool isSwitch = false;
    for (const std::string &s : switchNames)
      isSwitch |= flag == s;
    if (isSwitch) {
      if (eq != std::string::npos)
        fail(flag + " takes no value");
      a.switches.push_back(flag);
      continue;
    }
    if (eq != std::string::npos) {
      a.pairs.push_back({flag, arg.substr(eq + 1)});
    } else {
      if (i + 1 >= argc)
        fail(flag + " needs a value");
      a.pairs.push_back({flag, argv[++i]});
    }
  }
  return a;
}

#ifdef RESCALE_TRAIN_HAVE_COMPILER
namespace {

// Default shapes of a compiled model when neither a module nor --batch/--seq
// say otherwise.
constexpr int64_t kDefaultBatch = 4, kDefaultSeq = 64;

} // namespace

/// Whether MDIR/model.json describes exactly this config, shapes and target.
static bool moduleMatches(const std::string &mdir,
                          const trainer::ModelConfig &config,
                          const modelbuilder::CompileModelOptions &options) {
  runtime::Expected<trainer::ModelDescription> d =
      trainer::readModelDescription(mdir + "/model.json");
  return d && d->config.toJson().serialize() == config.toJson().serialize() &&
         d->batch == options.batch && d->seq == options.seq &&
         d->target == options.device;
}

/// A run without --module: its model is compiled into DIR/module (reused
/// when its model.json matches, as on --resume).
/// Reads `-O N` or `-ON` at argv[i] into `level` (advancing i past a
/// separate value); false if argv[i] is not -O. As rescale-compile's -O.
static bool takeOptLevel(const std::string &arg, int &i, int argc, char **argv,
                         unsigned &level) {
  if (arg.rfind("-O", 0) != 0)
    return false;
  std::string value = arg.substr(2);
  if (value.empty()) {
    if (i + 1 >= argc)
      fail("-O needs a value (0, 1, 2 or 3)");
    value = argv[++i];
  }
  if (value.size() != 1 || value[0] < '0' || value[0] > '3')
    fail("-O must be 0, 1, 2 or 3, got '" + value + "'");
  level = static_cast<unsigned>(value[0] - '0');
  return true;
}

static std::string compileForRun(const trainer::TrainOptions &o) {
  std::string mdir = o.outDir + "/module";
  if (o.configPath.empty() || o.outDir.empty())
    return mdir; // the trainer reports the missing option
  runtime::Expected<trainer::ModelConfig> config =
      trainer::readModelConfig(o.configPath);
  if (!config)
    fail(config.status().message());
  // A folder that already holds a run is refused by the trainer without
  // --resume: its module is not touched.
  if (!o.resume && trainer::runHasCheckpoint(o.outDir))
    return mdir;
  modelbuilder::CompileModelOptions c;
  runtime::Expected<trainer::ModelDescription> existing =
      trainer::readModelDescription(mdir + "/model.json");
  c.device = o.device.value_or(existing ? existing->target : "cpu");
  c.batch = o.batch.value_or(existing ? existing->batch : kDefaultBatch);
  c.seq = o.seq.value_or(existing ? existing->seq : kDefaultSeq);
  if (moduleMatches(mdir, *config, c))
    return mdir;
  runtime::Status s = modelbuilder::compileTrainingModel(*config, c, mdir);
  if (!s)
    fail(s.message());
  std::fprintf(stderr, "rescale-train: compiled the model into '%s'\n",
               mdir.c_str());
  return mdir;
}

static int compileMain(int argc, char **argv) {
  std::string configPath, out;
  modelbuilder::CompileModelOptions c;
  // -o and -O are the short flags (as rescale-compile's); -O takes "-O 2"
  // or "-O2".
  std::vector<char *> rest = {argv[0], argv[1]};
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-o") {
      if (i + 1 >= argc)
        fail("-o needs a value");
      out = argv[++i];
    } else if (!takeOptLevel(arg, i, argc, argv, c.optLevel)) {
      rest.push_back(argv[i]);
    }
  }
  Args a = split(static_cast<int>(rest.size()), rest.data(), 2, {});
  for (const auto &[flag, value] : a.pairs) {
    if (flag == "--config")
      configPath = value;
    else if (flag == "--device")
      c.device = parseDevice(flag, value);
    else if (flag == "--chip")
      c.chip = value;
    else if (flag == "--batch")
      c.batch = parseInt(flag, value);
    else if (flag == "--seq")
      c.seq = parseInt(flag, value);
    else if (flag == "--emit") {
      if (value != "so" && value != "mlir")
        fail("--emit must be so or mlir, got '" + value + "'");
      c.emitMLIR = value == "mlir";
    } else if (flag == "--out" || flag == "-o")
      out = value;
    else
      fail("unknown option '" + flag + "' for compile\n" + kUsage);
  }
  if (configPath.empty() || out.empty())
    fail("compile needs --config C.json and -o MDIR");
  runtime::Expected<trainer::ModelConfig> config =
      trainer::readModelConfig(configPath);
  if (!config)
    fail(config.status().message());
  runtime::Status s = modelbuilder::compileTrainingModel(*config, c, out);
  if (!s)
    fail(s.message());
  if (c.emitMLIR)
    return 0;
  std::printf("compiled '%s' into '%s' (%zu parameters, batch %lld, seq %lld, "
              "%s)\n",
              configPath.c_str(), out.c_str(),
              modelbuilder::listParameters(*config).size(),
              static_cast<long long>(c.batch), static_cast<long long>(c.seq),
              c.device.c_str());
  return 0;
}

namespace {

constexpr int64_t kCalibrationBatches = 4;

} // namespace

/// The quantization robustness analysis of one trained run
/// (docs/experiments.md): the held-out loss in full precision (the analysis
/// module's) and under each scheme of modelbuilder::quantizationSchemes(),
/// plus w4a4 with SmoothQuant calibrated on `calibrationTokens`; written to
/// RUN/quant_report.json. The scheme modules are compiled once per variant
/// into MDIR/quantized/, the SmoothQuant one per run (its scales come from
/// the run's activations) into RUN/quantized/.
static void quantizationAnalysis(
    const std::string &variant, const trainer::ModelConfig &config,
    const modelbuilder::CompileModelOptions &c, trainer::RunAnalysis &analysis,
    const std::string &mdir, const std::string &runDir,
    const std::string &heldout, const std::string &calibrationTokens) {
  auto check = [&](const runtime::Status &s, const std::string &what) {
    if (!s)
      fail("variant '" + variant + "' (" + runDir + "): " + what + ": " +
           s.message());
  };
  auto module = [&](const std::string &dir, const std::string &scheme,
                    const std::string &calibration) {
    std::string so = trainer::joinPath(dir, scheme + ".so");
    if (!trainer::pathExists(so)) {
      check(trainer::makeDirectories(dir), "quantization");
      std::fprintf(stderr, "sweep: %s: compiling the %s model\n",
                   variant.c_str(), scheme.c_str());
      check(modelbuilder::compileQuantizedLoss(
                config, c, calibration.empty() ? scheme : "w4a4", calibration,
                so),
            scheme);
    }
    return so;
  };
  runtime::Expected<double> full =
      analysis.loss(trainer::joinPath(mdir, "analysis.so"),
                    modelbuilder::kAnalyzeEntry, heldout);
  check(full.status(), "full-precision loss");
  std::vector<trainer::QuantizedLoss> losses;
  for (const std::string &scheme : modelbuilder::quantizationSchemes()) {
    std::string so = module(trainer::joinPath(mdir, "quantized"), scheme, "");
    runtime::Expected<double> loss =
        analysis.loss(so, modelbuilder::kQuantizedEntry, heldout);
    check(loss.status(), scheme);
    losses.push_back({scheme, *loss});
  }
  std::string calibration = trainer::joinPath(runDir, "calibration.json");
  if (!trainer::pathExists(calibration))
    check(analysis.calibrate(calibrationTokens, calibration),
          "SmoothQuant calibration");
  std::string so = module(trainer::joinPath(runDir, "quantized"),
                          "w4a4_smoothquant", calibration);
  runtime::Expected<double> loss =
      analysis.loss(so, modelbuilder::kQuantizedEntry, heldout);
  check(loss.status(), "w4a4_smoothquant");
  losses.push_back({"w4a4_smoothquant", *loss});
  check(
      trainer::writeQuantReport(trainer::joinPath(runDir, "quant_report.json"),
                                heldout, *full, losses),
      "quantization report");
}

/// `rescale-train sweep` (docs/experiments.md): every variant from the same
/// base config, data, seeds and budget; DIR/<variant>/module is compiled once
/// per variant, DIR/<variant>/seed<k> is a run folder. Resumable: a run with
/// a sweep-done marker is not trained again, a killed one resumes from its
/// checkpoint. The report is rewritten from the runs' metrics at the end.
static int sweepMain(int argc, char **argv) {
  std::string configPath, out, variantsList;
  std::vector<double> lrs; // --lrs: the stability table (issue 19)
  trainer::TrainOptions common;
  int64_t seeds = 1, baseSeed = 0;
  modelbuilder::CompileModelOptions c;
  c.batch = 8;
  c.seq = 64;
  c.analysis = true;
  std::vector<char *> rest = {argv[0], argv[1]};
  for (int i = 2; i < argc; ++i) {
    if (!takeOptLevel(argv[i], i, argc, argv, c.optLevel))
      rest.push_back(argv[i]);
  }
  Args a = split(static_cast<int>(rest.size()), rest.data(), 2, {});
  int64_t steps = 300;
  for (const auto &pair : a.pairs) {
    // Not a structured binding: the lambda below captures these, which C++17
    // does not allow for bindings.
    const std::string &flag = pair.first, &value = pair.second;
    auto i = [&](std::optional<int64_t> &o) { o = parseInt(flag, value); };
    if (flag == "--config")
      configPath = value;
    else if (flag == "--out")
      out = value;
    else if (flag == "--variants")
      variantsList = value;
    else if (flag == "--steps")
      steps = parseInt(flag, value);
    else if (flag == "--data")
      common.dataPath = value;
    else if (flag == "--device")
      c.device = parseDevice(flag, value);
    else if (flag == "--seeds")
      seeds = parseInt(flag, value);
    else if (flag == "--seed")
      baseSeed = parseInt(flag, value);
    else if (flag == "--batch")
      c.batch = parseInt(flag, value);
    else if (flag == "--seq")
      c.seq = parseInt(flag, value);
    else if (flag == "--lr")
      common.lr = parseReal(flag, value);
    else if (flag == "--warmup")
      i(common.warmup);
    else if (flag == "--eval-every")
      i(common.evalEvery);
    else if (flag == "--eval-batches")
      i(common.evalBatches);
    else if (flag == "--lrs") {
      std::stringstream items(value);
      std::string item;
      while (std::getline(items, item, ',')) {
        double lr = parseReal(flag, item);
        if (!(lr > 0) || !std::isfinite(lr))
          fail("--lrs expects positive learning rates, got '" + item + "'");
        if (std::find(lrs.begin(), lrs.end(), lr) != lrs.end())
          fail("--lrs names " + item + " twice");
        lrs.push_back(lr);
      }
      if (lrs.empty())
        fail("--lrs expects a comma-separated list of learning rates");
    } else
      fail("unknown option '" + flag + "' for sweep\n" + kUsage);
  }
  if (configPath.empty() || out.empty())
    fail("sweep needs --config BASE.json and --out DIR");
  if (steps < 1 || seeds < 1 || c.batch < 1 || c.seq < 1)
    fail("sweep: --steps, --seeds, --batch and --seq must be at least 1");
  if (variantsList.empty())
    variantsList = trainer::defaultSweepVariants();
  runtime::Expected<std::vector<trainer::SweepVariant>> variants =
      trainer::parseSweepVariants(variantsList);
  if (!variants)
    fail(variants.status().message());
  runtime::Expected<trainer::ModelConfig> base =
      trainer::readModelConfig(configPath);
  if (!base)
    fail(base.status().message());
  // Every variant's config is checked before any training starts.
  std::vector<trainer::ModelConfig> configs;
  for (const trainer::SweepVariant &v : *variants) {
    runtime::Expected<trainer::ModelConfig> config =
        trainer::variantConfig(*base, v);
    if (!config)
      fail(config.status().message());
    configs.push_back(*config);
  }
  if (runtime::Status s = trainer::makeDirectories(out); !s)
    fail(s.message());
  if (runtime::Status s = trainer::lockForProcessLifetime(
          trainer::joinPath(out, ".sweep.lock"),
          "another sweep is running in '" + out + "'");
      !s)
    fail(s.message());

  // The held-out sequences every analysis reads: the first validation batch
  // of the data (the trainer's split, 10% at the end), saved once.
  std::string dataPath = common.dataPath.value_or(trainer::defaultCorpusPath());
  std::string heldout = trainer::joinPath(out, "heldout_tokens.npy");
  if (!trainer::pathExists(heldout)) {
    runtime::Expected<trainer::TokenData> data =
        trainer::loadTokenData(dataPath, base->vocabSize, 0.1, c.batch, c.seq);
    if (!data)
      fail(data.status().message());
    trainer::ValidationBatches val(*data, c.batch, c.seq, 1);
    runtime::Expected<runtime::HostTensor> tokens =
        runtime::HostTensor::create(runtime::DType::I32, {c.batch, c.seq + 1});
    if (!tokens)
      fail(tokens.status().message());
    val.get(0, tokens->dataAs<int32_t>());
    if (runtime::Status s = runtime::writeNpy(heldout + ".tmp", *tokens); !s)
      fail(s.message());
    if (std::rename((heldout + ".tmp").c_str(), heldout.c_str()) != 0)
      fail("cannot write '" + heldout + "'");
  }

  // SmoothQuant's calibration batches: kCalibrationBatches batches of the
  // training split, drawn as the trainer draws them with seed 0 (SmoothQuant
  // calibrates on training data; the held-out batch stays unseen).
  std::string calibrationTokens =
      trainer::joinPath(out, "calibration_tokens.npy");
  if (!trainer::pathExists(calibrationTokens)) {
    runtime::Expected<trainer::TokenData> data =
        trainer::loadTokenData(dataPath, base->vocabSize, 0.1, c.batch, c.seq);
    if (!data)
      fail(data.status().message());
    runtime::Expected<runtime::HostTensor> tokens = runtime::HostTensor::create(
        runtime::DType::I32, {kCalibrationBatches * c.batch, c.seq + 1});
    if (!tokens)
      fail(tokens.status().message());
    trainer::TrainBatches batches(*data, c.batch, c.seq, /*seed=*/0);
    for (int64_t b = 0; b < kCalibrationBatches; ++b)
      batches.next(tokens->dataAs<int32_t>() + b * c.batch * (c.seq + 1));
    if (runtime::Status s =
            runtime::writeNpy(calibrationTokens + ".tmp", *tokens);
        !s)
      fail(s.message());
    if (std::rename((calibrationTokens + ".tmp").c_str(),
                    calibrationTokens.c_str()) != 0)
      fail("cannot write '" + calibrationTokens + "'");
  }

  common.steps = steps;
  common.batch = c.batch;
  common.seq = c.seq;
  common.device = c.device;
  std::vector<trainer::SweepVariantResult> results;
  for (size_t vi = 0; vi < variants->size(); ++vi) {
    const trainer::SweepVariant &v = (*variants)[vi];
    std::string vdir = trainer::joinPath(out, v.name);
    std::string configFile = trainer::joinPath(vdir, "config.json");
    std::string mdir = trainer::joinPath(vdir, "module");
    if (runtime::Status s = trainer::makeDirectories(vdir); !s)
      fail(s.message());
    if (runtime::Status s = trainer::replaceFileDurably(
            configFile, configs[vi].toJson().serialize() + "\n");
        !s)
      fail(s.message());
    trainer::SweepVariantResult result{v, configs[vi], {}};
    // The variant's model folder, compiled when a run needs it and it is
    // missing, of another config or shape, or without the analysis module.
    auto ensureModule = [&] {
      if (moduleMatches(mdir, configs[vi], c) &&
          trainer::pathExists(trainer::joinPath(mdir, "analysis.so")) &&
          trainer::pathExists(trainer::joinPath(mdir, "calibrate.so")))
        return;
      std::fprintf(stderr, "sweep: %s: compiling\n", v.name.c_str());
      if (runtime::Status s =
              modelbuilder::compileTrainingModel(configs[vi], c, mdir);
          !s)
        fail("variant '" + v.name + "': " + s.message());
    };
    for (int64_t k = 0; k < seeds; ++k) {
      std::string runDir =
          trainer::joinPath(vdir, "seed" + std::to_string(baseSeed + k));
      std::string done = trainer::joinPath(runDir, "sweep-done");
      if (trainer::pathExists(done)) {
        std::fprintf(stderr, "sweep: %s seed %lld: already trained\n",
                     v.name.c_str(), static_cast<long long>(baseSeed + k));
      } else {
        ensureModule();
        std::fprintf(stderr, "sweep: %s seed %lld: training %lld steps\n",
                     v.name.c_str(), static_cast<long long>(baseSeed + k),
                     static_cast<long long>(steps));
        trainer::TrainOptions o = common;
        o.configPath = configFile;
        o.outDir = runDir;
        o.modulePath = mdir;
        o.seed = baseSeed + k;
        o.resume = trainer::runHasCheckpoint(runDir);
        if (runtime::Status s = trainer::train(o); !s)
          fail("variant '" + v.name + "' seed " + std::to_string(baseSeed + k) +
               ": " + s.message());
        if (runtime::Status s = trainer::replaceFileDurably(done, "done\n"); !s)
          fail(s.message());
      }
      // The analyses, each only where its report is missing; the run's
      // checkpoint is read once for all of them.
      std::string sinks = trainer::joinPath(runDir, "sink_report.json");
      std::string quant = trainer::joinPath(runDir, "quant_report.json");
      std::string weights = trainer::joinPath(runDir, "norm_weights.json");
      if (!trainer::pathExists(sinks) || !trainer::pathExists(quant) ||
          !trainer::pathExists(weights)) {
        ensureModule();
        auto failRun = [&](const std::string &what, const runtime::Status &s) {
          fail("variant '" + v.name + "' seed " + std::to_string(baseSeed + k) +
               ": " + what + ": " + s.message());
        };
        runtime::Expected<trainer::RunAnalysis> analysis =
            trainer::RunAnalysis::open(mdir, runDir);
        if (!analysis)
          failRun("analysis", analysis.status());
        if (!trainer::pathExists(sinks))
          if (runtime::Status s = analysis->writeSinkReport(heldout, sinks); !s)
            failRun("analysis", s);
        if (!trainer::pathExists(weights))
          if (runtime::Status s =
                  analysis->writeNormWeightReport(sinks, weights);
              !s)
            failRun("norm weights", s);
        if (!trainer::pathExists(quant))
          quantizationAnalysis(v.name, configs[vi], c, *analysis, mdir, runDir,
                               heldout, calibrationTokens);
      }
      runtime::Expected<trainer::SweepRun> run =
          trainer::readSweepRun(runDir, baseSeed + k);
      if (!run)
        fail(run.status().message());
      result.runs.push_back(*run);
    }
    results.push_back(std::move(result));
  }
  trainer::SweepSettings settings{configPath, dataPath, c.device,
                                  steps,      c.batch,  c.seq};
  if (runtime::Status s = trainer::writeSweepReport(out, settings, results); !s)
    fail(s.message());

  // Stability (--lrs): every variant once more at every learning rate, the
  // sweep's first seed; a run that diverges is a result, not an error.
  if (!lrs.empty()) {
    std::vector<trainer::StabilityRun> stability;
    std::vector<std::string> names;
    for (size_t vi = 0; vi < variants->size(); ++vi) {
      const trainer::SweepVariant &v = (*variants)[vi];
      names.push_back(v.name);
      std::string vdir = trainer::joinPath(out, v.name);
      std::string mdir = trainer::joinPath(vdir, "module");
      for (double lr : lrs) {
        std::string runDir =
            trainer::joinPath(vdir, trainer::stabilityRunName(lr));
        std::string done = trainer::joinPath(runDir, "sweep-done");
        if (trainer::pathExists(done)) {
          std::fprintf(stderr, "sweep: %s lr %g: already trained\n",
                       v.name.c_str(), lr);
        } else {
          std::fprintf(stderr, "sweep: %s lr %g: training %lld steps\n",
                       v.name.c_str(), lr, static_cast<long long>(steps));
          trainer::TrainOptions o = common;
          o.configPath = trainer::joinPath(vdir, "config.json");
          o.outDir = runDir;
          o.modulePath = mdir;
          o.seed = baseSeed;
          o.lr = lr;
          o.resume = trainer::runHasCheckpoint(runDir);
          runtime::Status s = trainer::train(o);
          if (!s &&
              !trainer::pathExists(trainer::joinPath(runDir, "diverged.json")))
            fail("variant '" + v.name + "' at " +
                 trainer::stabilityRunName(lr) + ": " + s.message());
          if (!s)
            std::fprintf(stderr, "sweep: %s lr %g: diverged (%s)\n",
                         v.name.c_str(), lr, s.message().c_str());
          if (runtime::Status m = trainer::replaceFileDurably(done, "done\n");
              !m)
            fail(m.message());
        }
        runtime::Expected<trainer::StabilityRun> run =
            trainer::readStabilityRun(runDir, v.name, lr);
        if (!run)
          fail(run.status().message());
        stability.push_back(*run);
      }
    }
    if (runtime::Status s =
            trainer::writeStabilityReport(out, names, configs, lrs, stability);
        !s)
      fail(s.message());
  }
  std::string atLrs =
      lrs.empty() ? ""
                  : " at " + std::to_string(lrs.size()) + " learning rates";
  std::printf("sweep: %zu variants%s; report in %s/report.md (and "
              "report.json, loss_curves.svg, activation_profile.svg, "
              "first_token_share.svg%s)\n",
              results.size(), atLrs.c_str(), out.c_str(),
              lrs.empty() ? "" : ", stability.md, stability.json");
  return 0;
}

#else
static int sweepMain(int, char **) {
  fail("'rescale-train sweep' needs the compiler: this rescale-train was "
       "built with RESCALE_BUILD_COMPILER=OFF");
}

static std::string compileForRun(const trainer::TrainOptions &) {
  return ""; // the trainer says that it needs --module
}

static int compileMain(int, char **) {
  fail("'rescale-train compile' needs the compiler: this rescale-train was "
       "built with RESCALE_BUILD_COMPILER=OFF (compile the model with a "
       "compiler build and pass --module MDIR)");
}
#endif

static int trainMain(int argc, char **argv) {
  trainer::TrainOptions o;
  Args a = split(argc, argv, 1, {"--resume"});
  o.resume = !a.switches.empty();
  for (const auto &pair : a.pairs) {
    const std::string &flag = pair.first, &value = pair.second;
    auto i = [&](std::optional<int64_t> &out) { out = parseInt(flag, value); };
    auto r = [&](std::optional<double> &out) { out = parseReal(flag, value); };
    if (flag == "--config")
      o.configPath = value;
    else if (flag == "--out")
      o.outDir = value;
    else if (flag == "--module")
      o.modulePath = value;
    else if (flag == "--data")
      o.dataPath = value;
    else if (flag == "--device")
      o.device = parseDevice(flag, value);
    else if (flag == "--steps")
      i(o.steps);
    else if (flag == "--batch")
      i(o.batch);
    else if (flag == "--seq")
      i(o.seq);
    else if (flag == "--warmup")
      i(o.warmup);
    else if (flag == "--seed")
      i(o.seed);
    else if (flag == "--save-every")
      i(o.saveEvery);
    else if (flag == "--eval-every")
      i(o.evalEvery);
    else if (flag == "--eval-batches")
      i(o.evalBatches);
    else if (flag == "--lr")
      r(o.lr);
    else if (flag == "--min-lr")
      r(o.minLr);
    else if (flag == "--weight-decay")
      r(o.weightDecay);
    else if (flag == "--grad-clip")
      r(o.gradClip);
    else if (flag == "--beta1")
      r(o.beta1);
    else if (flag == "--beta2")
      r(o.beta2);
    else if (flag == "--eps")
      r(o.eps);
    else if (flag == "--val-fraction")
      r(o.valFraction);
    else if (flag == "--stop-after-step") // test hook: a crash at a known step
      i(o.stopAfterStep);
    else
      fail("unknown option '" + flag + "'\n" + kUsage);
  }
  // A bad input writes nothing: a run folder that only the in-process
  // compile created goes again when the trainer refuses the run.
  bool freshOut = !o.outDir.empty() && !trainer::pathExists(o.outDir);
  if (o.modulePath.empty())
    o.modulePath = compileForRun(o);
  runtime::Status s = trainer::train(o);
  if (!s) {
    if (freshOut && !trainer::runHasCheckpoint(o.outDir))
      (void)trainer::removeTree(o.outDir);
    fail(s.message());
  }
  return 0;
}

static int evalMain(int argc, char **argv) {
  trainer::EvalOptions o;
  Args a = split(argc, argv, 2, {});
  for (const auto &[flag, value] : a.pairs) {
    if (flag == "--checkpoint")
      o.checkpoint = value;
    else if (flag == "--tokens")
      o.tokensPath = value;
    else if (flag == "--module")
      o.modulePath = value;
    else
      fail("unknown option '" + flag + "' for eval\n" + kUsage);
  }
  // A run compiled in-process keeps its model in RUN/module: found from the
  // run folder or one of its checkpoints.
  if (o.modulePath.empty() && !o.checkpoint.empty())
    for (const char *rel : {"/module", "/../../module"})
      if (trainer::pathExists(o.checkpoint + rel + "/model.json")) {
        o.modulePath = o.checkpoint + rel;
        break;
      }
  runtime::Status s = trainer::evaluate(o);
  if (!s)
    fail(s.message());
  return 0;
}

int main(int argc, char **argv) {
  rescale::runtime::keepFreedHeapMemory();
  if (argc >= 2 && std::string(argv[1]) == "eval")
    return evalMain(argc, argv);
  if (argc >= 2 && std::string(argv[1]) == "compile")
    return compileMain(argc, argv);
  if (argc >= 2 && std::string(argv[1]) == "sweep")
    return sweepMain(argc, argv);
  if (argc < 2)
    fail(std::string("no arguments\n") + kUsage);
  return trainMain(argc, argv);
}
