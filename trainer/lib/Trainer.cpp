//===- Trainer.cpp - The training loop and evaluation ---------------------===//
#include "rescale/trainer/Trainer.h"

#include "rescale/runtime/Module.h"
#include "rescale/runtime/Npy.h"
#include "rescale/runtime/Probes.h"
#include "rescale/trainer/Checkpoint.h"
#include "rescale/trainer/CompiledModel.h"
#include "rescale/trainer/Data.h"
#include "rescale/trainer/Files.h"
#include "rescale/trainer/JsonUtil.h"
#include "rescale/trainer/Sweep.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <unistd.h>

#ifndef RESCALE_DEFAULT_CORPUS
#define RESCALE_DEFAULT_CORPUS "/usr/local/share/rescale/kjv.txt"
#endif

namespace rescale::trainer {

using runtime::DType;
using runtime::Expected;
using runtime::HostTensor;
using runtime::JsonValue;
using runtime::SafetensorsFile;
using runtime::Status;

const char *defaultCorpusPath() { return RESCALE_DEFAULT_CORPUS; }

double learningRate(int64_t step, int64_t steps, int64_t warmup, double lr,
                    double minLr) {
  if (step <= warmup)
    return lr * static_cast<double>(step) / static_cast<double>(warmup);
  double progress = static_cast<double>(step - warmup) /
                    static_cast<double>(std::max<int64_t>(1, steps - warmup));
  return minLr + 0.5 * (lr - minLr) * (1.0 + std::cos(M_PI * progress));
}

namespace {

//===----------------------------------------------------------------------===//
// The run's arguments: resolved once, saved in every checkpoint.
//===----------------------------------------------------------------------===//

struct RunArgs {
  std::string data, dataChecksum, device;
  int64_t dataTokens = 0;
  int64_t steps = 0, batch = 0, seq = 0, warmup = 0, seed = 0, saveEvery = 0,
          evalEvery = 0, evalBatches = 0;
  double lr = 0, minLr = 0, weightDecay = 0, gradClip = 0, beta1 = 0, beta2 = 0,
         eps = 0, valFraction = 0;
};

} // namespace

/// The integer and real arguments by their option names, for saving,
/// restoring and comparing them uniformly.
template <typename F> static void forEachArg(RunArgs &a, F f) {
  f("steps", a.steps), f("batch", a.batch), f("seq", a.seq),
      f("warmup", a.warmup), f("seed", a.seed), f("save-every", a.saveEvery),
      f("eval-every", a.evalEvery), f("eval-batches", a.evalBatches);
  f("lr", a.lr), f("min-lr", a.minLr), f("weight-decay", a.weightDecay),
      f("grad-clip", a.gradClip), f("beta1", a.beta1), f("beta2", a.beta2),
      f("eps", a.eps), f("val-fraction", a.valFraction);
}

static JsonValue runArgsToJson(RunArgs a) {
  JsonObject o = {{"data", jsonString(a.data)},
                  {"data_tokens", jsonInt(a.dataTokens)},
                  {"data_fnv1a64", jsonString(a.dataChecksum)},
                  {"device", jsonString(a.device)}};
  struct Add {
    JsonObject &o;
    void operator()(const char *k, int64_t v) { o.push_back({k, jsonInt(v)}); }
    void operator()(const char *k, double v) {
      o.push_back({k, jsonNumber(v)});
    }
  };
  forEachArg(a, Add{o});
  return JsonValue::makeObject(std::move(o));
}

static Expected<RunArgs> runArgsFromJson(const JsonValue *j) {
  RunArgs a;
  if (!j || !j->isObject())
    return Status::error("trainer_state.json has no 'run' arguments");
  std::string missing;
  auto str = [&](const char *k, std::string &out) {
    const JsonValue *v = j->get(k);
    if (v && v->isString())
      out = v->getString();
    else
      missing = k;
  };
  str("data", a.data), str("data_fnv1a64", a.dataChecksum),
      str("device", a.device);
  if (!asNonNegativeInt(j->get("data_tokens"), a.dataTokens))
    missing = "data_tokens";
  struct Get {
    const JsonValue *j;
    std::string &missing;
    void operator()(const char *k, int64_t &v) {
      if (!asNonNegativeInt(j->get(k), v))
        missing = k;
    }
    void operator()(const char *k, double &v) {
      const JsonValue *x = j->get(k);
      if (x && x->isNumber())
        v = x->getNumber();
      else
        missing = k;
    }
  };
  forEachArg(a, Get{j, missing});
  if (!missing.empty())
    return Status::error("trainer_state.json: 'run' has no valid '" + missing +
                         "'");
  return a;
}

static std::string formatNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

/// Fresh run: options over defaults. Resume: options must equal the saved
/// arguments, which fill in the rest.
static Expected<RunArgs> resolveArgs(const TrainOptions &o,
                                     const RunArgs *saved,
                                     const ModelDescription &model,
                                     const std::string &checkpointDir) {
  RunArgs a;
  if (saved)
    a = *saved;
  else {
    a.data = defaultCorpusPath();
    a.device = model.target;
    a.steps = 1000, a.batch = model.batch, a.seq = model.seq, a.seed = 1337;
    a.saveEvery = 100, a.evalEvery = 100, a.evalBatches = 8;
    a.lr = 1e-3, a.weightDecay = 0.1, a.gradClip = 1.0, a.beta1 = 0.9,
    a.beta2 = 0.95, a.eps = 1e-8, a.valFraction = 0.1;
    a.warmup = -1, a.minLr = -1; // derived below unless given
  }
  std::string mismatch;
  auto set = [&](const char *name, auto &field, const auto &given) {
    if (!given)
      return;
    if (saved && !(field == *given) && mismatch.empty()) {
      std::string was, now;
      if constexpr (std::is_same_v<std::decay_t<decltype(field)>, std::string>)
        was = field, now = *given;
      else
        was = formatNumber(double(field)), now = formatNumber(double(*given));
      mismatch = "--" + std::string(name) + " " + now +
                 " differs from the run's " + was + " saved in checkpoint '" +
                 checkpointDir +
                 "' (--resume continues a run with the same "
                 "arguments)";
    }
    field = *given;
  };
  // The data file by its absolute path, so a resume from another folder
  // finds it and compares like with like.
  std::optional<std::string> dataPath = o.dataPath;
  if (dataPath) {
    if (char *real = ::realpath(dataPath->c_str(), nullptr)) {
      dataPath = std::string(real);
      std::free(real);
    }
  }
  set("data", a.data, dataPath);
  set("device", a.device, o.device);
  set("steps", a.steps, o.steps), set("batch", a.batch, o.batch);
  set("seq", a.seq, o.seq), set("warmup", a.warmup, o.warmup);
  set("seed", a.seed, o.seed), set("save-every", a.saveEvery, o.saveEvery);
  set("eval-every", a.evalEvery, o.evalEvery);
  set("eval-batches", a.evalBatches, o.evalBatches);
  set("lr", a.lr, o.lr), set("min-lr", a.minLr, o.minLr);
  set("weight-decay", a.weightDecay, o.weightDecay);
  set("grad-clip", a.gradClip, o.gradClip);
  set("beta1", a.beta1, o.beta1), set("beta2", a.beta2, o.beta2);
  set("eps", a.eps, o.eps), set("val-fraction", a.valFraction, o.valFraction);
  if (!mismatch.empty())
    return Status::error(mismatch);
  if (a.warmup < 0)
    a.warmup = std::max<int64_t>(1, a.steps / 20);
  if (a.minLr < 0)
    a.minLr = a.lr / 10;

  if (a.batch != model.batch || a.seq != model.seq)
    return Status::error(
        "--batch " + std::to_string(a.batch) + " --seq " +
        std::to_string(a.seq) + ": the compiled model takes batch " +
        std::to_string(model.batch) + " and seq " + std::to_string(model.seq) +
        " (its shapes are static; compile it again for others)");
  if (a.device != model.target)
    return Status::error("--device " + a.device +
                         ": the compiled model's target is '" + model.target +
                         "'");
  if (a.steps < 1 || a.saveEvery < 1 || a.evalEvery < 1 || a.evalBatches < 1 ||
      a.warmup < 1)
    return Status::error("--steps, --warmup, --save-every, --eval-every and "
                         "--eval-batches must be at least 1");
  if (a.warmup > a.steps)
    return Status::error("--warmup " + std::to_string(a.warmup) +
                         " is longer than --steps " + std::to_string(a.steps));
  if (!(a.lr > 0) || !(a.minLr >= 0) || a.minLr > a.lr)
    return Status::error("need 0 < --lr and 0 <= --min-lr <= --lr");
  if (!(a.beta1 >= 0 && a.beta1 < 1) || !(a.beta2 >= 0 && a.beta2 < 1) ||
      !(a.eps > 0) || !(a.weightDecay >= 0) || !(a.gradClip >= 0))
    return Status::error("need 0 <= --beta1, --beta2 < 1, --eps > 0, "
                         "--weight-decay >= 0, --grad-clip >= 0");
  if (!(a.valFraction > 0 && a.valFraction < 1))
    return Status::error("--val-fraction must lie strictly between 0 and 1");
  return a;
}

//===----------------------------------------------------------------------===//
// Checkpoint <-> model state
//===----------------------------------------------------------------------===//

/// The tensors `prefix + name` of every parameter, in model.json order.
static Expected<NamedTensors> tensorsInOrder(const SafetensorsFile &file,
                                             const ModelDescription &model,
                                             const std::string &prefix,
                                             const std::string &fileName) {
  NamedTensors out;
  for (const ParameterSpec &p : model.parameters) {
    const HostTensor *t = file.find(prefix + p.name);
    if (!t)
      return Status::error(fileName + " has no tensor '" + prefix + p.name +
                           "', which the model needs");
    if (t->dtype() != DType::F32 || t->shape() != p.shape)
      return Status::error(fileName + ": '" + prefix + p.name + "' is " +
                           t->typeString() + ", the model needs f32" +
                           runtime::formatShape(p.shape));
    out.emplace_back(p.name, t->clone());
  }
  return out;
}

/// A checkpoint of another model has tensors this one does not know.
static Status checkNoOtherTensors(const SafetensorsFile &file,
                                  const ModelDescription &model,
                                  const std::vector<std::string> &prefixes,
                                  const std::string &extra,
                                  const std::string &fileName) {
  for (const auto &[name, t] : file.tensors) {
    bool known = name == extra;
    for (const std::string &prefix : prefixes)
      for (const ParameterSpec &p : model.parameters)
        known |= name == prefix + p.name;
    if (!known)
      return Status::error(fileName + " has tensor '" + name +
                           "', which the model does not have");
  }
  return Status::ok();
}

static Status checkConfigsMatch(const ModelConfig &a, const std::string &aName,
                                const JsonValue &b, const std::string &bName) {
  Expected<ModelConfig> parsed = parseModelConfig(b);
  if (!parsed)
    return parsed.status().withContext(bName);
  std::string x = a.toJson().serialize(), y = parsed->toJson().serialize();
  if (x == y)
    return Status::ok();
  // Name the first differing field.
  JsonValue xj = a.toJson(), yj = parsed->toJson();
  const auto &xo = xj.getObject(), &yo = yj.getObject();
  for (size_t i = 0; i < xo.size() && i < yo.size(); ++i)
    if (xo[i].second.serialize() != yo[i].second.serialize())
      return Status::error(aName + " and " + bName + " differ in '" +
                           xo[i].first + "': " + xo[i].second.serialize() +
                           " vs " + yo[i].second.serialize());
  return Status::error(aName + " and " + bName + " differ");
}

//===----------------------------------------------------------------------===//
// metrics.jsonl
//===----------------------------------------------------------------------===//

/// Keep the lines of steps <= `step` (a resumed run rewrites the rest),
/// dropping a torn last line.
static Status truncateMetrics(const std::string &path, int64_t step) {
  if (!pathExists(path))
    return Status::ok();
  Expected<std::string> text = readWholeFile(path);
  if (!text)
    return text.status();
  std::string kept;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos)
      break; // torn line
    std::string line = text->substr(pos, end - pos);
    pos = end + 1;
    Expected<JsonValue> j = runtime::parseJson(line);
    int64_t s;
    if (j && j->isObject() && asNonNegativeInt(j->get("step"), s) && s <= step)
      kept += line + "\n";
  }
  return replaceFileDurably(path, kept);
}

namespace {

//===----------------------------------------------------------------------===//
// Progress
//===----------------------------------------------------------------------===//

class Progress {
public:
  explicit Progress(int64_t total) : total_(total), tty_(::isatty(1)) {}
  void step(int64_t step, float loss, double lr, float gradNorm, double tokPerS,
            double etaS, const double *valLoss) {
    if (tty_) {
      int width = 24;
      int filled = static_cast<int>(width * step / total_);
      std::string bar(static_cast<size_t>(filled), '#');
      bar.resize(static_cast<size_t>(width), ' ');
      long eta = std::lround(etaS);
      std::printf(
          "\r%6lld/%lld [%s] loss %.4f | %.0f tok/s | ETA %ld:%02ld:%02ld",
          static_cast<long long>(step), static_cast<long long>(total_),
          bar.c_str(), double(loss), tokPerS, eta / 3600, (eta / 60) % 60,
          eta % 60);
      if (valLoss)
        std::printf("\n       val_loss %.4f at step %lld\n", *valLoss,
                    static_cast<long long>(step));
      if (step == total_)
        std::printf("\n");
    } else {
      std::printf("step %lld/%lld loss %.6f lr %.3e grad_norm %.4f %.0f tok/s",
                  static_cast<long long>(step), static_cast<long long>(total_),
                  double(loss), lr, double(gradNorm), tokPerS);
      if (valLoss)
        std::printf(" val_loss %.6f", *valLoss);
      std::printf("\n");
    }
    std::fflush(stdout);
  }

private:
  int64_t total_;
  bool tty_;
};

} // namespace

static Expected<double> validationLoss(CompiledModel &model,
                                       const ValidationBatches &val,
                                       std::vector<int32_t> &tokens) {
  double sum = 0;
  for (int64_t i = 0; i < val.count(); ++i) {
    val.get(i, tokens.data());
    Expected<float> l = model.evalLoss(tokens.data());
    if (!l)
      return l.status();
    sum += *l;
  }
  return sum / static_cast<double>(val.count());
}

//===----------------------------------------------------------------------===//
// train
//===----------------------------------------------------------------------===//

Status train(const TrainOptions &o) {
  if (o.configPath.empty())
    return Status::error("--config C.json is required");
  if (o.outDir.empty())
    return Status::error("--out DIR is required");
  Expected<ModelConfig> config = readModelConfig(o.configPath);
  if (!config)
    return config.status();
  if (o.modulePath.empty())
    return Status::error(
        "no --module MDIR given: building and compiling the model from "
        "--config needs the compiler in-process, and this rescale-train was "
        "built without it (RESCALE_BUILD_COMPILER=OFF); compile the model "
        "with `rescale-train compile` of a compiler build and pass --module "
        "MDIR (docs/trainer.md)");

  // One process per run folder: two would overwrite each other's
  // checkpoints. An existing folder is locked before its checkpoint is read
  // (so no save of another process is half-seen); a new one only once the
  // arguments are known good, so that bad input creates nothing.
  bool locked = false;
  auto lockRun = [&]() -> Status {
    locked = true;
    return lockForProcessLifetime(joinPath(o.outDir, ".lock"),
                                  "another rescale-train is running in '" +
                                      o.outDir + "'");
  };
  if (isDirectory(o.outDir))
    RESCALE_RETURN_IF_ERROR(lockRun());

  // A fresh run never overwrites another run's checkpoint; a resumed one
  // loads and checks everything before it writes anything.
  bool resuming = o.resume && runHasCheckpoint(o.outDir);
  if (!o.resume && runHasCheckpoint(o.outDir))
    return Status::error("'" + o.outDir +
                         "' already holds a run (it has a checkpoint): pass "
                         "--resume to continue it, or choose another --out");

  Expected<std::unique_ptr<CompiledModel>> loaded =
      CompiledModel::load(o.modulePath);
  if (!loaded)
    return loaded.status();
  CompiledModel &model = **loaded;
  const ModelDescription &desc = model.description();
  RESCALE_RETURN_IF_ERROR(checkConfigsMatch(
      *config, "--config '" + o.configPath + "'", desc.config.toJson(),
      "the compiled model's config (" + joinPath(o.modulePath, "model.json") +
          ")"));

  std::optional<Checkpoint> ckpt;
  std::string ckptDir;
  RunArgs savedArgs;
  int64_t startStep = 0;
  DataPosition position;
  if (resuming) {
    Expected<std::string> dir = resolveCheckpointDir(o.outDir);
    if (!dir)
      return dir.status();
    ckptDir = *dir;
    Expected<Checkpoint> c = loadCheckpoint(ckptDir);
    if (!c)
      return c.status();
    ckpt = c.take();
    RESCALE_RETURN_IF_ERROR(
        checkConfigsMatch(*config, "--config '" + o.configPath + "'",
                          ckpt->config, "checkpoint '" + ckptDir + "'"));
    const JsonValue &st = ckpt->state;
    Expected<RunArgs> a = runArgsFromJson(st.get("run"));
    if (!a)
      return a.status().withContext("checkpoint '" + ckptDir + "'");
    savedArgs = a.take();
    const JsonValue *data = st.get("data");
    const JsonValue *rng = data ? data->get("epoch_rng") : nullptr;
    if (!asNonNegativeInt(st.get("step"), startStep) || !data ||
        !asNonNegativeInt(data->get("epoch"), position.epoch) ||
        !asNonNegativeInt(data->get("index"), position.index) || !rng ||
        !rng->isString())
      return Status::error("checkpoint '" + ckptDir +
                           "': trainer_state.json lacks 'step' or 'data'");
    position.epochRng = rng->getString();
  }
  Expected<RunArgs> resolved =
      resolveArgs(o, resuming ? &savedArgs : nullptr, desc, ckptDir);
  if (!resolved)
    return resolved.status();
  RunArgs args = resolved.take();
  if (startStep > args.steps)
    return Status::error("checkpoint '" + ckptDir + "' is at step " +
                         std::to_string(startStep) + ", past --steps " +
                         std::to_string(args.steps));

  Expected<TokenData> data = loadTokenData(
      args.data, desc.config.vocabSize, args.valFraction, args.batch, args.seq);
  if (!data)
    return args.data == defaultCorpusPath() && !pathExists(args.data)
               ? Status::error(
                     "no --data given and the default corpus '" + args.data +
                     "' is missing: scripts/setup.sh installs it (the King "
                     "James Bible from Debian's bible-kjv)")
               : data.status();
  if (resuming &&
      (data->checksum != args.dataChecksum ||
       static_cast<int64_t>(data->tokens.size()) != args.dataTokens))
    return Status::error("data file '" + args.data +
                         "' changed since the run started (checkpoint '" +
                         ckptDir + "' recorded " +
                         std::to_string(args.dataTokens) +
                         " tokens, checksum " + args.dataChecksum + ")");
  args.dataChecksum = data->checksum;
  args.dataTokens = static_cast<int64_t>(data->tokens.size());

  TrainBatches batches(*data, args.batch, args.seq,
                       static_cast<uint64_t>(args.seed));
  ValidationBatches val(*data, args.batch, args.seq, args.evalBatches);
  if (resuming) {
    std::string modelFile = "checkpoint '" + ckptDir + "': model.safetensors";
    std::string optFile = "checkpoint '" + ckptDir + "': optimizer.safetensors";
    Expected<NamedTensors> p = tensorsInOrder(ckpt->model, desc, "", modelFile);
    if (!p)
      return p.status();
    RESCALE_RETURN_IF_ERROR(
        checkNoOtherTensors(ckpt->model, desc, {""}, "", modelFile));
    Expected<NamedTensors> m =
        tensorsInOrder(ckpt->optimizer, desc, "exp_avg.", optFile);
    if (!m)
      return m.status();
    Expected<NamedTensors> v =
        tensorsInOrder(ckpt->optimizer, desc, "exp_avg_sq.", optFile);
    if (!v)
      return v.status();
    RESCALE_RETURN_IF_ERROR(checkNoOtherTensors(
        ckpt->optimizer, desc, {"exp_avg.", "exp_avg_sq."}, "step", optFile));
    const HostTensor *stepT = ckpt->optimizer.find("step");
    if (!stepT || stepT->dtype() != DType::I64 || stepT->numElements() != 1 ||
        *stepT->dataAs<int64_t>() != startStep)
      return Status::error("checkpoint '" + ckptDir +
                           "': optimizer.safetensors 'step' is missing or "
                           "disagrees with trainer_state.json");
    RESCALE_RETURN_IF_ERROR(model.setState(*p, *m, *v));
    RESCALE_RETURN_IF_ERROR(
        batches.restore(position).withContext("checkpoint '" + ckptDir + "'"));
    ckpt.reset();
  } else {
    Rng init(static_cast<uint64_t>(args.seed), /*stream=*/1);
    RESCALE_RETURN_IF_ERROR(model.initialize(init));
  }

  // From here on we write.
  RESCALE_RETURN_IF_ERROR(makeDirectories(o.outDir));
  if (!locked)
    RESCALE_RETURN_IF_ERROR(lockRun());
  RESCALE_RETURN_IF_ERROR(removeStaleCheckpoints(o.outDir));
  // A divergence record describes an earlier attempt, not this one.
  std::string divergedPath = joinPath(o.outDir, "diverged.json");
  if (std::remove(divergedPath.c_str()) != 0 && errno != ENOENT)
    return Status::error("cannot remove '" + divergedPath +
                         "': " + std::strerror(errno));
  std::string metricsPath = joinPath(o.outDir, "metrics.jsonl");
  RESCALE_RETURN_IF_ERROR(truncateMetrics(metricsPath, startStep));

  auto save = [&](int64_t step) -> Status {
    Checkpoint c;
    c.config = config->toJson();
    NamedTensors p, m, v;
    RESCALE_RETURN_IF_ERROR(model.getState(p, m, v));
    c.model.metadata["format"] = "pt";
    c.model.tensors = std::move(p);
    for (auto &[name, t] : m)
      c.optimizer.tensors.emplace_back("exp_avg." + name, std::move(t));
    for (auto &[name, t] : v)
      c.optimizer.tensors.emplace_back("exp_avg_sq." + name, std::move(t));
    Expected<HostTensor> s = HostTensor::create(DType::I64, {});
    if (!s)
      return s.status();
    *s->dataAs<int64_t>() = step;
    c.optimizer.tensors.emplace_back("step", s.take());
    c.optimizer.metadata["optimizer"] = "AdamW";
    DataPosition pos = batches.position();
    c.state = JsonValue::makeObject(
        {{"format", jsonString("rescale-train-state")},
         {"version", jsonInt(1)},
         {"step", jsonInt(step)},
         {"data",
          JsonValue::makeObject({{"epoch", jsonInt(pos.epoch)},
                                 {"index", jsonInt(pos.index)},
                                 {"epoch_rng", jsonString(pos.epochRng)}})},
         {"run", runArgsToJson(args)}});
    return saveCheckpoint(o.outDir, step, c);
  };
  if (!resuming)
    RESCALE_RETURN_IF_ERROR(save(0));

  std::FILE *metrics = std::fopen(metricsPath.c_str(), "a");
  if (!metrics)
    return Status::error("cannot open '" + metricsPath + "' for appending");
  std::printf(
      "rescale-train: %s, %zu parameter tensors; data %s (%zu tokens, "
      "%lld for validation); batch %lld x seq %lld; %s step %lld of "
      "%lld\n",
      o.modulePath.c_str(), model.numParameters(), args.data.c_str(),
      data->tokens.size(),
      static_cast<long long>(data->tokens.size() - data->trainCount),
      static_cast<long long>(args.batch), static_cast<long long>(args.seq),
      resuming ? "resuming after" : "starting at",
      static_cast<long long>(startStep), static_cast<long long>(args.steps));
  std::fflush(stdout);

  Progress progress(args.steps);
  std::vector<int32_t> tokens(static_cast<size_t>(args.batch * (args.seq + 1)));
  std::vector<int32_t> valTokens(tokens.size());
  int64_t lastSaved = startStep;
  auto runStart = std::chrono::steady_clock::now();
  Status result = Status::ok();
  for (int64_t step = startStep + 1; step <= args.steps; ++step) {
    batches.next(tokens.data());
    StepHyper h;
    double lr =
        learningRate(step, args.steps, args.warmup, args.lr, args.minLr);
    h.lr = static_cast<float>(lr);
    h.beta1 = static_cast<float>(args.beta1);
    h.beta2 = static_cast<float>(args.beta2);
    h.eps = static_cast<float>(args.eps);
    h.weightDecay = static_cast<float>(args.weightDecay);
    h.maxGradNorm = static_cast<float>(args.gradClip);
    h.step = step;
    auto t0 = std::chrono::steady_clock::now();
    Expected<StepResult> r = model.step(h, tokens.data());
    if (!r) {
      result = r.status().withContext("step " + std::to_string(step));
      break;
    }
    auto t1 = std::chrono::steady_clock::now();
    if (!std::isfinite(r->loss) || !std::isfinite(r->gradNorm)) {
      // DIR/diverged.json records the stop for whoever reads the run
      // later (the sweep's stability table counts it as diverged).
      std::string what = std::isfinite(r->loss) ? "gradient_norm" : "loss";
      JsonValue record = JsonValue::makeObject(
          {{"step", jsonInt(step)},
           {"what", jsonString(what)},
           {"value", jsonString(formatNumber(
                         std::isfinite(r->loss) ? r->gradNorm : r->loss))},
           {"last_checkpoint_step", jsonInt(lastSaved)}});
      if (Status s = replaceFileDurably(joinPath(o.outDir, "diverged.json"),
                                        record.serialize() + "\n");
          !s) {
        result = s;
        break;
      }
      result = Status::error(
          std::string(std::isfinite(r->loss) ? "gradient norm" : "loss") +
          " is " +
          formatNumber(std::isfinite(r->loss) ? r->gradNorm : r->loss) +
          " at step " + std::to_string(step) +
          "; training stopped, the last good checkpoint (step " +
          std::to_string(lastSaved) + ") is kept in '" +
          joinPath(o.outDir, "checkpoint") + "'");
      break;
    }
    double seconds = std::chrono::duration<double>(t1 - t0).count();
    double tokPerS =
        seconds > 0 ? double(args.batch * args.seq) / seconds : 0.0;
    std::optional<double> valLoss;
    if (step % args.evalEvery == 0 || step == args.steps) {
      Expected<double> v = validationLoss(model, val, valTokens);
      if (!v) {
        result = v.status().withContext("validation at step " +
                                        std::to_string(step));
        break;
      }
      valLoss = *v;
    }
    std::string line = "{\"step\": " + std::to_string(step) +
                       ", \"loss\": " + formatNumber(r->loss) +
                       ", \"lr\": " + formatNumber(h.lr) +
                       ", \"grad_norm\": " + formatNumber(r->gradNorm) +
                       ", \"tokens_per_s\": " + formatNumber(tokPerS);
    if (valLoss)
      line += ", \"val_loss\": " + formatNumber(*valLoss);
    line += "}\n";
    std::fputs(line.c_str(), metrics);
    std::fflush(metrics);

    double elapsed = std::chrono::duration<double>(t1 - runStart).count();
    double eta = elapsed / double(step - startStep) * double(args.steps - step);
    progress.step(step, r->loss, lr, r->gradNorm, tokPerS, eta,
                  valLoss ? &*valLoss : nullptr);

    if (step % args.saveEvery == 0 || step == args.steps) {
      Status s = save(step);
      if (!s) {
        result = s;
        break;
      }
      lastSaved = step;
    }
    if (o.stopAfterStep && *o.stopAfterStep == step) {
      std::fclose(metrics);
      std::fflush(stdout);
      std::_Exit(3); // as a crash would: no cleanup, no final save
    }
  }
  std::fclose(metrics);
  return result;
}

//===----------------------------------------------------------------------===//
// evaluate
//===----------------------------------------------------------------------===//

/// The parameters of the checkpoint `checkpoint` names (a checkpoint or a run
/// folder), in `desc`'s order: its config must be the model's, and it may
/// hold no tensor the model lacks.
static Expected<NamedTensors>
checkpointParameters(const std::string &checkpoint,
                     const ModelDescription &desc) {
  Expected<std::string> dir = resolveCheckpointDir(checkpoint);
  if (!dir)
    return dir.status();
  Expected<Checkpoint> ckpt = loadCheckpoint(*dir);
  if (!ckpt)
    return ckpt.status();
  RESCALE_RETURN_IF_ERROR(
      checkConfigsMatch(desc.config, "the compiled model's config",
                        ckpt->config, "checkpoint '" + *dir + "'"));
  std::string modelFile = "checkpoint '" + *dir + "': model.safetensors";
  Expected<NamedTensors> p = tensorsInOrder(ckpt->model, desc, "", modelFile);
  if (!p)
    return p.status();
  RESCALE_RETURN_IF_ERROR(
      checkNoOtherTensors(ckpt->model, desc, {""}, "", modelFile));
  return p;
}

Status evaluate(const EvalOptions &o) {
  if (o.checkpoint.empty() || o.tokensPath.empty())
    return Status::error("eval needs --checkpoint DIR and --tokens T.npy");
  if (o.modulePath.empty())
    return Status::error(
        "no --module MDIR given: eval runs a compiled model folder, such as "
        "RUN/module of a run compiled in-process or the output of "
        "`rescale-train compile` (docs/trainer.md)");
  Expected<std::unique_ptr<CompiledModel>> loaded =
      CompiledModel::load(o.modulePath);
  if (!loaded)
    return loaded.status();
  CompiledModel &model = **loaded;
  const ModelDescription &desc = model.description();
  Expected<NamedTensors> p = checkpointParameters(o.checkpoint, desc);
  if (!p)
    return p.status();
  RESCALE_RETURN_IF_ERROR(model.setState(*p, {}, {}));

  Expected<HostTensor> tokens = runtime::readNpy(o.tokensPath);
  if (!tokens)
    return tokens.status();
  int64_t B = desc.batch, T = desc.seq;
  if (tokens->dtype() != DType::I32 || tokens->rank() != 2 ||
      tokens->shape()[1] != T + 1 || tokens->shape()[0] % B != 0 ||
      tokens->shape()[0] == 0)
    return Status::error("'" + o.tokensPath + "' is " + tokens->typeString() +
                         "; the compiled model evaluates i32[N, " +
                         std::to_string(T + 1) +
                         "] with N a positive "
                         "multiple of its batch " +
                         std::to_string(B));
  const int32_t *t = tokens->dataAs<int32_t>();
  for (int64_t i = 0; i < tokens->numElements(); ++i)
    if (t[i] < 0 || t[i] >= desc.config.vocabSize)
      return Status::error("'" + o.tokensPath + "': token " +
                           std::to_string(i) + " is " + std::to_string(t[i]) +
                           ", outside the vocabulary [0, " +
                           std::to_string(desc.config.vocabSize) + ")");
  int64_t batches = tokens->shape()[0] / B;
  double sum = 0;
  for (int64_t b = 0; b < batches; ++b) {
    Expected<float> l = model.evalLoss(t + b * B * (T + 1));
    if (!l)
      return l.status();
    sum += *l;
  }
  std::printf("{\"loss\": %s, \"tokens\": %lld}\n",
              formatNumber(sum / double(batches)).c_str(),
              static_cast<long long>(tokens->shape()[0] * T));
  return Status::ok();
}

Expected<RunAnalysis> RunAnalysis::open(const std::string &mdir,
                                        const std::string &runDir) {
  Expected<ModelDescription> desc =
      readModelDescription(joinPath(mdir, "model.json"));
  if (!desc)
    return desc.status();
  Expected<NamedTensors> p = checkpointParameters(runDir, *desc);
  if (!p)
    return p.status();
  RunAnalysis run;
  run.mdir_ = mdir;
  run.batch_ = desc->batch;
  run.seq_ = desc->seq;
  for (auto &named : *p) {
    run.names_.push_back(named.first);
    run.inputs_.push_back(std::move(named.second));
  }
  return run;
}

Status RunAnalysis::writeNormWeightReport(const std::string &sinkReportPath,
                                          const std::string &reportPath) {
  Expected<std::string> text = readWholeFile(sinkReportPath);
  if (!text)
    return text.status();
  Expected<JsonValue> sinks = runtime::parseJson(*text);
  if (!sinks)
    return sinks.status().withContext("'" + sinkReportPath + "'");
  const JsonValue *norms = sinks->get("norms");
  if (!norms || !norms->isArray())
    return Status::error("'" + sinkReportPath + "' has no norms");
  std::vector<JsonValue> entries;
  for (const JsonValue &norm : norms->getArray()) {
    const JsonValue *name = norm.get("name");
    const JsonValue *top = norm.get("top_max_dims");
    if (!name || !name->isString() || !top || !top->isArray())
      return Status::error("'" + sinkReportPath +
                           "': a norm without name or top_max_dims");
    auto it =
        std::find(names_.begin(), names_.end(), name->getString() + ".weight");
    if (it == names_.end())
      continue; // a probe that is no norm of the model's own
    const HostTensor &w = inputs_[it - names_.begin()];
    if (w.dtype() != DType::F32 || w.rank() != 1)
      return Status::error("'" + *it + "' is " + w.typeString() +
                           ", not a norm weight f32[d]");
    int64_t d = w.shape()[0];
    std::vector<double> absWeights;
    for (int64_t c = 0; c < d; ++c)
      absWeights.push_back(std::fabs(double(w.dataAs<float>()[c])));
    std::vector<double> sorted = absWeights;
    std::sort(sorted.begin(), sorted.end());
    double median =
        d % 2 ? sorted[d / 2] : 0.5 * (sorted[d / 2 - 1] + sorted[d / 2]);
    std::vector<JsonValue> dims;
    double topSum = 0;
    for (const JsonValue &t : top->getArray()) {
      const JsonValue *dim = t.get("dim");
      if (!dim || !dim->isInteger() || dim->getInteger() < 0 ||
          dim->getInteger() >= d)
        return Status::error(
            "'" + sinkReportPath + "': norm '" + name->getString() +
            "' names a channel outside [0, " + std::to_string(d) + ")");
      double a = absWeights[dim->getInteger()];
      topSum += a;
      dims.push_back(JsonValue::makeObject({{"dim", jsonInt(dim->getInteger())},
                                            {"abs_weight", jsonNumber(a)}}));
    }
    double ratio = !dims.empty() && median > 0
                       ? topSum / double(dims.size()) / median
                       : NAN;
    entries.push_back(JsonValue::makeObject(
        {{"name", jsonString(name->getString())},
         {"median_abs_weight", jsonNumber(median)},
         {"top_dims", JsonValue::makeArray(std::move(dims))},
         {"top_to_median",
          std::isfinite(ratio) ? jsonNumber(ratio) : JsonValue()}}));
  }
  JsonValue report = JsonValue::makeObject(
      {{"format", jsonString("rescale-norm-weights")},
       {"version", jsonInt(1)},
       {"norms", JsonValue::makeArray(std::move(entries))}});
  return replaceFileDurably(reportPath, report.serialize() + "\n");
}

Status
RunAnalysis::run(const std::string &so, const std::string &entry,
                 const std::string &tokensPath,
                 const std::function<Status(std::vector<HostTensor> &)> &each) {
  Expected<std::unique_ptr<runtime::Module>> module = runtime::Module::load(so);
  if (!module)
    return module.status();
  Expected<HostTensor> tokens = runtime::readNpy(tokensPath);
  if (!tokens)
    return tokens.status();
  int64_t B = batch_, T = seq_;
  if (tokens->dtype() != DType::I32 || tokens->rank() != 2 ||
      tokens->shape()[1] != T + 1 || tokens->shape()[0] % B != 0 ||
      tokens->shape()[0] == 0)
    return Status::error("'" + tokensPath + "' is " + tokens->typeString() +
                         "; the model reads i32[N, " + std::to_string(T + 1) +
                         "] with N a positive multiple of its batch " +
                         std::to_string(B));
  for (int64_t first = 0; first < tokens->shape()[0]; first += B) {
    Expected<HostTensor> batch = HostTensor::create(DType::I32, {B, T + 1});
    if (!batch)
      return batch.status();
    std::memcpy(batch->data(), tokens->dataAs<int32_t>() + first * (T + 1),
                size_t(B * (T + 1)) * sizeof(int32_t));
    // The parameters stay; each batch is appended for one call.
    inputs_.push_back(batch.take());
    Expected<std::vector<HostTensor>> outputs = (*module)->run(entry, inputs_);
    inputs_.pop_back();
    if (!outputs)
      return outputs.status();
    if (outputs->empty() || (*outputs)[0].dtype() != DType::F32 ||
        (*outputs)[0].numElements() != 1)
      return Status::error("'" + so + "': @" + entry +
                           " does not return the loss first");
    RESCALE_RETURN_IF_ERROR(each(*outputs));
  }
  return Status::ok();
}

Status RunAnalysis::writeSinkReport(const std::string &tokensPath,
                                    const std::string &reportPath) {
  std::string so = joinPath(mdir_, "analysis.so");
  Expected<std::vector<runtime::ProbeSpec>> probes =
      runtime::readProbes(runtime::manifestPathFor(so), "analyze");
  if (!probes)
    return probes.status();
  bool once = false;
  return run(so, "analyze", tokensPath,
             [&](std::vector<HostTensor> &outputs) -> Status {
               if (once)
                 return Status::error("the analysis reads one batch of "
                                      "held-out tokens, '" +
                                      tokensPath + "' has more");
               once = true;
               // The issue's sink criterion: a head whose first-token share
               // exceeds 0.5.
               return runtime::writeSinkReport(reportPath, "analyze", *probes,
                                               outputs, 0.5);
             });
}

Status RunAnalysis::calibrate(const std::string &tokensPath,
                              const std::string &calibrationPath) {
  std::string so = joinPath(mdir_, "calibrate.so");
  Expected<std::vector<runtime::ProbeSpec>> probes =
      runtime::readProbes(runtime::manifestPathFor(so), "calibrate");
  if (!probes)
    return probes.status();
  // Accumulated in a file of its own and renamed: an interrupted
  // calibration leaves no partial file under the final name.
  std::string tmp = calibrationPath + ".partial";
  std::remove(tmp.c_str());
  bool first = true;
  RESCALE_RETURN_IF_ERROR(
      run(so, "calibrate", tokensPath, [&](std::vector<HostTensor> &outputs) {
        Status s = runtime::writeAbsmaxCalibration(tmp, *probes, outputs,
                                                   /*accumulate=*/!first);
        first = false;
        return s;
      }));
  if (std::rename(tmp.c_str(), calibrationPath.c_str()) != 0)
    return Status::error("cannot write '" + calibrationPath + "'");
  return Status::ok();
}

Expected<double> RunAnalysis::loss(const std::string &so,
                                   const std::string &entry,
                                   const std::string &tokensPath) {
  double sum = 0;
  int64_t batches = 0;
  RESCALE_RETURN_IF_ERROR(
      run(so, entry, tokensPath, [&](std::vector<HostTensor> &outputs) {
        sum += outputs[0].dataAs<float>()[0];
        ++batches;
        return Status::ok();
      }));
  return sum / double(batches);
}

} // namespace rescale::trainer
