//===- rescale-train.cpp - Train tiny transformers with compiled modules --===//
//
//   rescale-train --config C.json --out DIR --module MDIR [--data FILE]
//                 [--steps N] [--batch B] [--seq T] [--lr X] [--min-lr X]
//                 [--warmup N] [--weight-decay X] [--grad-clip X]
//                 [--beta1 X] [--beta2 X] [--eps X] [--device cpu|cuda]
//                 [--seed S] [--save-every N] [--eval-every N]
//                 [--eval-batches N] [--val-fraction X] [--resume]
//   rescale-train eval --checkpoint DIR --tokens T.npy --module MDIR
//
// A thin main: the loop is in trainer/ (docs/trainer.md).
//
//===----------------------------------------------------------------------===//
#include "rescale/trainer/Trainer.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace rescale;

namespace {

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  std::exit(1);
}

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
    "(docs/trainer.md)\n";

int64_t parseInt(const std::string &flag, const std::string &text) {
  errno = 0;
  char *end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end || errno || v < 0)
    fail(flag + " expects a non-negative integer, got '" + text + "'");
  return v;
}

double parseReal(const std::string &flag, const std::string &text) {
  errno = 0;
  char *end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end || errno || !std::isfinite(v))
    fail(flag + " expects a number, got '" + text + "'");
  return v;
}

/// "--flag value" and "--flag=value" pairs, in order.
struct Args {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<std::string> switches;
};

Args split(int argc, char **argv, int first,
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

int trainMain(int argc, char **argv) {
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
    else if (flag == "--device") {
      if (value != "cpu" && value != "cuda")
        fail("--device must be cpu or cuda, got '" + value + "'");
      o.device = value;
    } else if (flag == "--steps")
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
  runtime::Status s = trainer::train(o);
  if (!s)
    fail(s.message());
  return 0;
}

int evalMain(int argc, char **argv) {
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
  runtime::Status s = trainer::evaluate(o);
  if (!s)
    fail(s.message());
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc >= 2 && std::string(argv[1]) == "eval")
    return evalMain(argc, argv);
  if (argc >= 2 && std::string(argv[1]) == "compile")
    fail("'rescale-train compile' (building the model from a config) is not "
         "available yet; it needs the model builder on the compiler side");
  if (argc < 2)
    fail(std::string("no arguments\n") + kUsage);
  return trainMain(argc, argv);
}
