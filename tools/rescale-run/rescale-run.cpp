//===- rescale-run.cpp - run a rescale program on .npy tensors ------------===//
//
//   rescale-run FILE.mlir|MODULE.so --entry NAME [--input a.npy ...]
//               --output-dir DIR [--random-inputs [--seed N]] [--time N]
//               [--device cpu|cuda] [--print-summary]
//               [--collect-absmax FILE [--accumulate]] [--sink-report FILE]
//
// A .mlir file is compiled on the fly (the same path as rescale-compile) to a
// module in a temporary directory; a .so is loaded with its manifest. The
// entry runs on caller-allocated, poisoned outputs, written as DIR/out<j>.npy.
// Built with RESCALE_BUILD_COMPILER=OFF, only compiled modules are accepted.
//
// File boundary (docs/compile-and-run.md): bf16 tensors are read from and
// written to f32 .npy files (rounded to nearest even on the way in); f8/f4
// tensors are f32 files of their (exact) values, or u8 files of their codes
// on the way in; i4 tensors are i8 files.
//
// Every failure is one line "rescale-run: error: ..." and exit status 1 (2
// for bad flags), a fault in the compiled code included; compiler
// diagnostics are printed as they come.
//
//===----------------------------------------------------------------------===//

#include "rescale/runtime/Cuda.h"
#include "rescale/runtime/Float.h"
#include "rescale/runtime/HeapTuning.h"
#include "rescale/runtime/HostTensor.h"
#include "rescale/runtime/Module.h"
#include "rescale/runtime/Npy.h"
#include "rescale/runtime/Probes.h"

#ifdef RESCALE_RUN_WITH_COMPILER
#include "compiler/ModuleCompiler.h"
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"

#include "dialect/RescaleOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace rescale::runtime;

namespace {

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

struct Options {
  std::string program;
  std::string entry;
  std::vector<std::string> inputs;
  std::string outputDir;
  bool randomInputs = false;
  uint64_t seed = 0;
  int64_t timeRuns = 0;
  std::string device = "cpu";
  bool printSummary = false;
  /// Probe reports (docs/quantization.md): instrument the .mlir, write FILE.
  std::string collectAbsmax;
  bool accumulateAbsmax = false;
  std::string sinkReport;
  /// LLVM's optimization level for a FILE.mlir compiled on the fly; unset
  /// means rescale-compile's default (3).
  std::optional<unsigned> optLevel;
};

constexpr const char *kUsage =
    "usage: rescale-run FILE.mlir|MODULE.so --entry NAME [--input a.npy ...]\n"
    "                   --output-dir DIR [--random-inputs [--seed N]]\n"
    "                   [--time N] [--device cpu|cuda] [--print-summary]\n"
    "                   [-O 0-3]\n"
    "\n"
    "Runs entry NAME of a rescale program (compiled on the fly) or of a\n"
    "module built by rescale-compile, and writes DIR/out0.npy, out1.npy, ...\n"
    "  --input F          one .npy per entry input, in order (repeatable)\n"
    "  --random-inputs    normal(0,1) inputs from --seed (default 0), written\n"
    "                     as DIR/in0.npy, ... with the values actually used\n"
    "  --time N           run N more times; print the median and min time\n"
    "  --device D         cpu (default) or cuda\n"
    "  --print-summary    print each output's type and checksums\n"
    "  -O N               LLVM optimization level for a FILE.mlir (default 3;\n"
    "                     0 compiles a large program ten times faster)\n"
    "  --collect-absmax F instrument every rescale.linear input and write its\n"
    "                     per-channel max|x| as the SmoothQuant calibration\n"
    "                     file F (for --rescale-insert-quantization)\n"
    "  --accumulate       with --collect-absmax: F keeps the per-channel\n"
    "                     maximum of its previous values and this run's\n"
    "                     (calibrate over several batches, one run each)\n"
    "  --sink-report F    instrument attentions and norms and write the\n"
    "                     attention/residual sink report F (JSON)\n"
    "bf16 tensors are f32 .npy files at the boundary.\n";

} // namespace

[[noreturn]] static void fail(const std::string &message, int code = 1) {
  std::fprintf(stderr, "rescale-run: error: %s\n", message.c_str());
  std::exit(code);
}

[[noreturn]] static void usageError(const std::string &message) {
  fail(message + " (see --help)", 2);
}

static bool parseInt(const std::string &text, int64_t &value) {
  if (text.empty())
    return false;
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0')
    return false;
  value = v;
  return true;
}

static bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

static Options parseOptions(int argc, char **argv) {
  Options options;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool hasInlineValue = false;
    if (arg.rfind("--", 0) == 0) {
      size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        hasInlineValue = true;
      }
    }
    auto takeValue = [&]() -> std::string {
      if (hasInlineValue)
        return value;
      if (i + 1 >= argc)
        usageError("option " + arg + " needs a value");
      return argv[++i];
    };
    auto noValue = [&] {
      if (hasInlineValue)
        usageError("option " + arg + " takes no value");
    };

    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--entry") {
      options.entry = takeValue();
    } else if (arg == "--input") {
      options.inputs.push_back(takeValue());
    } else if (arg == "--output-dir" || arg == "-o") {
      options.outputDir = takeValue();
    } else if (arg == "--random-inputs") {
      noValue();
      options.randomInputs = true;
    } else if (arg == "--seed") {
      int64_t seed;
      std::string text = takeValue();
      if (!parseInt(text, seed) || seed < 0)
        usageError("--seed expects a non-negative integer, got '" + text + "'");
      options.seed = static_cast<uint64_t>(seed);
    } else if (arg == "--time") {
      std::string text = takeValue();
      if (!parseInt(text, options.timeRuns) || options.timeRuns < 1)
        usageError("--time expects a positive integer, got '" + text + "'");
    } else if (arg == "--device") {
      options.device = takeValue();
      if (options.device != "cpu" && options.device != "cuda")
        usageError("--device expects cpu or cuda, got '" + options.device +
                   "'");
    } else if (arg == "--print-summary") {
      noValue();
      options.printSummary = true;
    } else if (arg == "--collect-absmax") {
      options.collectAbsmax = takeValue();
    } else if (arg == "--accumulate") {
      noValue();
      options.accumulateAbsmax = true;
    } else if (arg == "--sink-report") {
      options.sinkReport = takeValue();
    } else if (arg.rfind("-O", 0) == 0) {
      // "-O 0" or "-O0", as rescale-compile and rescale-train compile.
      std::string level = arg.substr(2);
      if (level.empty()) {
        if (i + 1 >= argc)
          usageError("-O needs a value (0, 1, 2 or 3)");
        level = argv[++i];
      }
      if (level.size() != 1 || level[0] < '0' || level[0] > '3')
        usageError("-O must be 0, 1, 2 or 3, got '" + level + "'");
      options.optLevel = static_cast<unsigned>(level[0] - '0');
    } else if (arg.size() > 1 && arg[0] == '-') {
      usageError("unknown option '" + arg + "'");
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 1)
    usageError(positional.empty()
                   ? "expected one program (FILE.mlir or MODULE.so)"
                   : "expected one program, got " +
                         std::to_string(positional.size()) + " ('" +
                         positional[1] + "' is extra)");
  options.program = positional[0];
  if (options.entry.empty())
    usageError("--entry NAME is required");
  if (options.outputDir.empty())
    usageError("--output-dir DIR is required");
  if (options.randomInputs && !options.inputs.empty())
    usageError("--random-inputs and --input are exclusive");
  if (options.accumulateAbsmax && options.collectAbsmax.empty())
    usageError("--accumulate needs --collect-absmax F");
  if (options.optLevel && endsWith(options.program, ".so"))
    usageError("-O applies to a FILE.mlir compiled on the fly, not to a "
               "compiled module");
  return options;
}

/// Empty if `path` is a readable regular file, else why not.
static std::string whyNotAFile(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return std::strerror(errno);
  if (S_ISDIR(st.st_mode))
    return "is a directory";
  if (::access(path.c_str(), R_OK) != 0)
    return std::strerror(errno);
  return "";
}

/// mkdir -p.
static Status makeDirectories(const std::string &path) {
  std::string prefix;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    prefix = path.substr(0, pos);
    if (prefix.empty())
      continue;
    struct stat st;
    if (::stat(prefix.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode))
        return Status::error("cannot create output directory '" + path +
                             "': '" + prefix + "' is not a directory");
      continue;
    }
    if (::mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST)
      return Status::error("cannot create output directory '" + path +
                           "': " + std::strerror(errno));
  }
  return Status::ok();
}

namespace {

//===----------------------------------------------------------------------===//
// Getting a module
//===----------------------------------------------------------------------===//

/// A temporary directory removed (with the module in it) at exit.
class TempDir {
public:
  TempDir() {
    const char *base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base && *base ? base : "/tmp") + "/rescale-run-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (!::mkdtemp(buffer.data()))
      fail(std::string("cannot create a temporary directory: ") +
           std::strerror(errno));
    path = buffer.data();
  }
  ~TempDir() {
    for (const std::string &file : files)
      ::unlink(file.c_str());
    ::rmdir(path.c_str());
  }
  std::string file(const std::string &name) {
    files.push_back(path + "/" + name);
    return files.back();
  }

private:
  std::string path;
  std::vector<std::string> files;
};

/// An entry input that feeds rescale.embedding's ids (compileProgram).
struct EmbeddingIdsInput {
  std::string entry;
  size_t input;
  int64_t vocab;
};
std::vector<EmbeddingIdsInput> embeddingIdsInputs;

} // namespace

/// Warns, once per such input, when ids fall outside [0, V).
static void warnOutOfRangeIds(const std::string &entry,
                              const std::vector<HostTensor> &inputs) {
  for (const EmbeddingIdsInput &e : embeddingIdsInputs) {
    if (e.entry != entry || e.input >= inputs.size())
      continue;
    const HostTensor &t = inputs[e.input];
    if (t.dtype() != DType::I32 && t.dtype() != DType::I64)
      continue;
    int64_t bad = 0;
    for (int64_t i = 0; i < t.numElements(); ++i) {
      int64_t id = t.dtype() == DType::I32 ? t.dataAs<int32_t>()[i]
                                           : t.dataAs<int64_t>()[i];
      bad += id < 0 || id >= e.vocab;
    }
    if (bad)
      std::fprintf(stderr,
                   "rescale-run: warning: input %zu of '%s' holds %lld of "
                   "%lld id(s) outside [0, %lld) for rescale.embedding; they "
                   "read zero rows\n",
                   e.input, entry.c_str(), static_cast<long long>(bad),
                   static_cast<long long>(t.numElements()),
                   static_cast<long long>(e.vocab));
  }
}

#ifdef RESCALE_RUN_WITH_COMPILER
/// Entry arguments that are the ids of a rescale.embedding (directly or
/// through reshapes), found in the IR before it is compiled: an id outside
/// [0, V) reads a zero row, which is defined but almost always a data bug,
/// so main() counts them in the inputs and warns. A precompiled .so carries
/// no IR, so the check runs for .mlir programs only (docs/compile-and-run.md).
static void collectEmbeddingIdsInputs(mlir::ModuleOp module) {
  module.walk([](mlir::rescale::EmbeddingOp op) {
    mlir::Value ids = op.getIds();
    while (mlir::Operation *def = ids.getDefiningOp()) {
      if (!mlir::isa<mlir::tensor::ExpandShapeOp, mlir::tensor::CollapseShapeOp,
                     mlir::tensor::CastOp>(def))
        break;
      ids = def->getOperand(0);
    }
    auto arg = mlir::dyn_cast<mlir::BlockArgument>(ids);
    if (!arg)
      return;
    auto fn = mlir::dyn_cast<mlir::func::FuncOp>(arg.getOwner()->getParentOp());
    if (!fn)
      return;
    int64_t vocab = mlir::cast<mlir::RankedTensorType>(op.getTable().getType())
                        .getDimSize(0);
    EmbeddingIdsInput found{fn.getSymName().str(), arg.getArgNumber(), vocab};
    for (const EmbeddingIdsInput &e : embeddingIdsInputs)
      if (e.entry == found.entry && e.input == found.input &&
          e.vocab == found.vocab)
        return;
    embeddingIdsInputs.push_back(found);
  });
}

/// Compile `path` for `device` into `dir`; returns the module path. MLIR
/// diagnostics (with locations) go to stderr; then one summary line.
static std::string compileProgram(const std::string &path, const Options &run,
                                  TempDir &dir) {
  const std::string &device = run.device;
  mlir::DialectRegistry registry;
  mlir::rescale::registerModuleCompilerDialects(registry);
  mlir::MLIRContext context(registry);
  context.printOpOnDiagnostic(false); // the location already points at it
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);

  mlir::rescale::CompileOptions options;
  options.target = device == "cuda" ? "nvptx" : "cpu";
  if (run.optLevel)
    options.optLevel = *run.optLevel;
  std::string modulePath = dir.file("module.so");
  dir.file("module.manifest.json");

  std::string ioError;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::rescale::parseSourceFile(path, context, ioError);
  if (!module)
    fail(ioError.empty()
             ? "cannot compile '" + path + "' (see the diagnostics above)"
             : ioError);
  collectEmbeddingIdsInputs(*module);
  // Probe reports: the instrumentation adds probe results to the entries.
  if (!run.collectAbsmax.empty() || !run.sinkReport.empty()) {
    mlir::PassManager pm(&context);
    if (!run.collectAbsmax.empty())
      pm.addPass(mlir::rescale::createRescaleInstrumentAbsmaxPass());
    if (!run.sinkReport.empty()) {
      mlir::rescale::RescaleInstrumentSinksPassOptions sinkOptions;
      sinkOptions.normOutputs = true; // the post-norm outlier share
      sinkOptions.gateProbes = true;  // the gate-magnitude correlation
      pm.addPass(mlir::rescale::createRescaleInstrumentSinksPass(sinkOptions));
    }
    if (mlir::failed(pm.run(*module)))
      fail("cannot instrument '" + path + "' (see the diagnostics above)");
  }
  if (mlir::failed(mlir::rescale::compileModule(*module, options, modulePath)))
    fail("cannot compile '" + path + "' for " + options.target +
         " (see the diagnostics above)");
  return modulePath;
}
#endif

static std::unique_ptr<Module> loadProgram(const Options &options,
                                           TempDir &dir) {
  std::string notAFile = whyNotAFile(options.program);
  if (!notAFile.empty())
    fail("cannot open '" + options.program + "': " + notAFile);
  std::string modulePath = options.program;
  if (!endsWith(options.program, ".so")) {
#ifdef RESCALE_RUN_WITH_COMPILER
    modulePath = compileProgram(options.program, options, dir);
#else
    (void)dir;
    fail("'" + options.program +
         "' is not a compiled module (.so), and this rescale-run was built "
         "without the compiler (RESCALE_BUILD_COMPILER=OFF); compile it with "
         "rescale-compile first");
#endif
  }
  auto module = Module::load(modulePath);
  if (!module)
    fail(module.status().message());
  return module.take();
}

namespace {

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

/// splitmix64: a tiny, portable generator, so that --seed gives the same
/// inputs with every C++ standard library.
struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in (0, 1].
  double uniform() { return (double((next() >> 11)) + 1.0) * 0x1.0p-53; }
  /// Standard normal (Box-Muller).
  double normal() {
    double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
};

} // namespace

static bool isRawBitsDType(DType dtype) {
  return dtype == DType::F8E4M3FN || dtype == DType::F8E8M0FNU ||
         dtype == DType::F4E2M1FN || dtype == DType::I4;
}

/// normal(0,1) values for `spec`, input `index` of the run: each input has its
/// own stream, so adding an input does not change the others. Floats are
/// drawn in f64 and rounded to the input's type; integers are round(3·n)
/// clamped to the type; i1 is n > 0; f8/f4/i4 get random valid encodings.
static HostTensor randomInput(const TensorSpec &spec, uint64_t seed,
                              size_t index) {
  SplitMix64 rng{seed * 0x100000001B3ull + index * 0x9E3779B97F4A7C15ull + 1};
  auto check = [](auto expected) {
    if (!expected)
      fail(expected.status().message());
    return expected.take();
  };
  HostTensor tensor = check(HostTensor::create(spec.dtype, spec.shape));
  int64_t n = tensor.numElements();
  switch (spec.dtype) {
  case DType::F32:
  case DType::F64:
  case DType::F16:
  case DType::BF16: {
    HostTensor wide = check(HostTensor::create(DType::F64, spec.shape));
    for (int64_t i = 0; i < n; ++i)
      wide.dataAs<double>()[i] = rng.normal();
    return check(convertTensor(wide, spec.dtype));
  }
  case DType::I1:
    for (int64_t i = 0; i < n; ++i)
      tensor.data()[i] = rng.normal() > 0;
    return tensor;
  case DType::I8:
  case DType::U8:
  case DType::U16:
  case DType::I32:
  case DType::I64:
    for (int64_t i = 0; i < n; ++i) {
      double v = std::nearbyint(3.0 * rng.normal());
      if (spec.dtype == DType::I8)
        tensor.dataAs<int8_t>()[i] = int8_t(std::clamp(v, -128.0, 127.0));
      else if (spec.dtype == DType::U8)
        tensor.dataAs<uint8_t>()[i] = uint8_t(std::clamp(v, 0.0, 255.0));
      else if (spec.dtype == DType::U16)
        tensor.dataAs<uint16_t>()[i] = uint16_t(std::clamp(v, 0.0, 65535.0));
      else if (spec.dtype == DType::I32)
        tensor.dataAs<int32_t>()[i] = int32_t(v);
      else
        tensor.dataAs<int64_t>()[i] = int64_t(v);
    }
    return tensor;
  case DType::I4:
    for (int64_t i = 0; i < n; ++i)
      tensor.dataAs<int8_t>()[i] = int8_t(int(rng.next() % 16) - 8);
    return tensor;
  case DType::F4E2M1FN:
    for (int64_t i = 0; i < n; ++i)
      tensor.data()[i] = uint8_t(rng.next() % 16);
    return tensor;
  case DType::F8E4M3FN:
    for (int64_t i = 0; i < n; ++i) {
      uint8_t bits;
      do
        bits = uint8_t(rng.next());
      while ((bits & 0x7F) == 0x7F); // NaN
      tensor.data()[i] = bits;
    }
    return tensor;
  case DType::F8E8M0FNU:
    for (int64_t i = 0; i < n; ++i)
      tensor.data()[i] = uint8_t(127 - 8 + rng.next() % 17); // 2^-8 .. 2^8
    return tensor;
  }
  fail("cannot generate random inputs of type " + spec.toString());
}

/// The decoder of an 8-bit-or-narrower float dtype, or null.
static float (*narrowFloatDecoder(DType dtype))(uint8_t) {
  switch (dtype) {
  case DType::F8E4M3FN:
    return f8E4M3FNToF32;
  case DType::F8E8M0FNU:
    return f8E8M0FNUToF32;
  case DType::F4E2M1FN:
    return f4E2M1FNToF32;
  default:
    return nullptr;
  }
}

/// The tensor written to a file for a module tensor: bf16 -> f32 (exact),
/// f8/f4 -> f32 decoded (exact), i4 -> i8; others as they are.
static HostTensor toFileTensor(const HostTensor &tensor) {
  auto check = [](auto expected) {
    if (!expected)
      fail(expected.status().message());
    return expected.take();
  };
  if (tensor.dtype() == DType::BF16)
    return check(convertTensor(tensor, DType::F32));
  if (tensor.dtype() == DType::I4) {
    // One byte per element; LLVM stores an i4 zero-extended, so the value is
    // the sign-extended low nibble (-4 is stored as 0x0c).
    HostTensor out = check(HostTensor::create(DType::I8, tensor.shape()));
    for (int64_t i = 0; i < tensor.numElements(); ++i)
      out.dataAs<int8_t>()[i] = int8_t(uint8_t(tensor.data()[i] << 4)) >> 4;
    return out;
  }
  float (*decode)(uint8_t) = narrowFloatDecoder(tensor.dtype());
  if (!decode)
    return tensor.clone();
  HostTensor out = check(HostTensor::create(DType::F32, tensor.shape()));
  for (int64_t i = 0; i < tensor.numElements(); ++i)
    out.dataAs<float>()[i] = decode(tensor.data()[i]);
  return out;
}

/// f32 values that are exactly values of the narrow float `dtype` (as
/// rescale-run writes them, decoded) -> their codes. Exact only: a value off
/// the grid is an error, since rounding it here would hide a wrong file.
static Expected<HostTensor> encodeExactly(const HostTensor &values,
                                          DType dtype) {
  float (*decode)(uint8_t) = narrowFloatDecoder(dtype);
  unsigned numCodes = dtype == DType::F4E2M1FN ? 16 : 256;
  auto out = HostTensor::create(dtype, values.shape());
  if (!out)
    return out;
  for (int64_t i = 0; i < values.numElements(); ++i) {
    float v = values.dataAs<float>()[i];
    uint32_t vBits;
    std::memcpy(&vBits, &v, 4);
    int code = -1;
    for (unsigned c = 0; c < numCodes && code < 0; ++c) {
      float d = decode(uint8_t(c));
      uint32_t dBits;
      std::memcpy(&dBits, &d, 4);
      if (dBits == vBits || (std::isnan(d) && std::isnan(v)))
        code = int(c);
    }
    if (code < 0) {
      char text[64];
      std::snprintf(text, sizeof(text), "%.9g", double(v));
      return Status::error("element " + std::to_string(i) + " (" + text +
                           ") is not a " + std::string(dtypeName(dtype)) +
                           " value");
    }
    out->data()[i] = uint8_t(code);
  }
  return out;
}

/// Read input `index` from `path` and bring it to `spec`'s dtype: bf16 from
/// f32 (rounded); f8/f4 from f32 values on their grid (exactly) or from their
/// raw codes in a u8/i8 file; i4 from i8; anything else must match exactly.
static HostTensor readInput(const std::string &path, const TensorSpec &spec,
                            size_t index) {
  std::string what = "input " + std::to_string(index) + " ('" + path + "')";
  std::string notAFile = whyNotAFile(path);
  if (!notAFile.empty())
    fail("cannot open " + what + ": " + notAFile);
  auto file = readNpy(path);
  if (!file)
    fail(file.status().message());
  HostTensor tensor = file.take();
  if (tensor.shape() != spec.shape)
    fail(what + ": expected shape " + formatShape(spec.shape) + " (" +
         spec.toString() + "), got " + formatShape(tensor.shape()));
  if (tensor.dtype() == spec.dtype)
    return tensor;
  if (spec.dtype == DType::BF16 && tensor.dtype() == DType::F32) {
    auto converted = convertTensor(tensor, DType::BF16);
    if (!converted)
      fail(what + ": " + converted.status().message());
    return converted.take();
  }
  if (narrowFloatDecoder(spec.dtype) && tensor.dtype() == DType::F32) {
    auto encoded = encodeExactly(tensor, spec.dtype);
    if (!encoded)
      fail(what + ": " + encoded.status().message());
    return encoded.take();
  }
  if (isRawBitsDType(spec.dtype) &&
      (tensor.dtype() == DType::U8 || tensor.dtype() == DType::I8)) {
    auto raw = HostTensor::fromBytes(spec.dtype, spec.shape, tensor.data(),
                                     tensor.numBytes());
    if (!raw)
      fail(what + ": " + raw.status().message());
    return raw.take();
  }
  std::string expected = spec.dtype == DType::BF16 ? "f32 (bf16 inputs are "
                                                     "read from f32 files)"
                         : spec.dtype == DType::I4 ? "i8 (i4 values)"
                         : isRawBitsDType(spec.dtype)
                             ? "f32 (values of " +
                                   std::string(dtypeName(spec.dtype)) +
                                   ") or u8 (its raw codes)"
                             : std::string(dtypeName(spec.dtype));
  fail(what + ": expected dtype " + expected + " for " + spec.toString() +
       ", got " + std::string(dtypeName(tensor.dtype())));
}

static void writeTensor(const std::string &path, const HostTensor &tensor) {
  Status status = writeNpy(path, toFileTensor(tensor));
  if (!status)
    fail(status.message());
}

namespace {

//===----------------------------------------------------------------------===//
// Reporting
//===----------------------------------------------------------------------===//

/// "out0: f32[2,3] sum=... abs_sum=... nonfinite=0" with the sums taken in
/// f64 over the values as written to the file.
/// While an entry runs, a fault in the compiled code (a stack overflow from
/// unbounded recursion, a temporary buffer malloc could not provide) is
/// reported as one error line and exit status 1 instead of a signal. The
/// handler runs on its own stack (the faulting one may be exhausted) and
/// uses only async-signal-safe calls, so the message is built beforehand.
class EntryFaultReport {
public:
  explicit EntryFaultReport(const std::string &entry) {
    std::snprintf(prefix, sizeof(prefix),
                  "rescale-run: error: entry '%s' crashed (", entry.c_str());
    stack_t stack{};
    stack.ss_sp = altStack;
    stack.ss_size = sizeof(altStack);
    sigaltstack(&stack, nullptr);
    struct sigaction action{};
    action.sa_handler = handle;
    action.sa_flags = SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < std::size(kSignals); ++i)
      sigaction(kSignals[i].number, &action, &previous[i]);
  }
  ~EntryFaultReport() {
    for (size_t i = 0; i < std::size(kSignals); ++i)
      sigaction(kSignals[i].number, &previous[i], nullptr);
  }

private:
  /// A signal and what it means in compiled code: each cause named, since
  /// "stack overflow" for an illegal instruction sends the user the wrong
  /// way.
  struct Signal {
    int number;
    const char *name;
    const char *cause;
  };
  static constexpr const char *kMemoryCause =
      ") in the compiled code: a stack overflow from unbounded recursion, or "
      "a buffer larger than the memory available\n";
  static constexpr Signal kSignals[] = {
      {SIGSEGV, "SIGSEGV", kMemoryCause},
      {SIGBUS, "SIGBUS", kMemoryCause},
      {SIGFPE, "SIGFPE",
       ") in the compiled code: an integer division by zero or overflow\n"},
      {SIGILL, "SIGILL",
       ") in the compiled code: an instruction this CPU does not have; the "
       "module was built for a CPU with features this host lacks (rebuild it "
       "with rescale-compile --chip=native, or --chip=x86-64 for any x86-64 "
       "host)\n"}};
  static void handle(int number) {
    const char *name = "signal";
    const char *cause = kMemoryCause;
    for (const Signal &s : kSignals)
      if (s.number == number) {
        name = s.name;
        cause = s.cause;
      }
    (void)!write(STDERR_FILENO, prefix, std::strlen(prefix));
    (void)!write(STDERR_FILENO, name, std::strlen(name));
    (void)!write(STDERR_FILENO, cause, std::strlen(cause));
    _exit(1);
  }
  static inline char prefix[512];
  static inline char altStack[64 * 1024];
  struct sigaction previous[std::size(kSignals)];
};

} // namespace

static void printSummary(const std::string &name, const HostTensor &tensor) {
  HostTensor file = toFileTensor(tensor);
  double sum = 0, absSum = 0;
  int64_t nonFinite = 0;
  for (int64_t i = 0; i < file.numElements(); ++i) {
    double v;
    switch (file.dtype()) {
    case DType::F32:
      v = file.dataAs<float>()[i];
      break;
    case DType::F64:
      v = file.dataAs<double>()[i];
      break;
    case DType::F16:
      v = f16ToF32(file.dataAs<uint16_t>()[i]);
      break;
    case DType::I1:
    case DType::U8:
      v = file.dataAs<uint8_t>()[i];
      break;
    case DType::U16:
      v = file.dataAs<uint16_t>()[i];
      break;
    case DType::I8:
      v = file.dataAs<int8_t>()[i];
      break;
    case DType::I32:
      v = file.dataAs<int32_t>()[i];
      break;
    case DType::I64:
      v = double(file.dataAs<int64_t>()[i]);
      break;
    default:
      v = 0;
    }
    if (!std::isfinite(v)) {
      ++nonFinite;
      continue;
    }
    sum += v;
    absSum += std::fabs(v);
  }
  std::printf("%s: %s sum=%.6e abs_sum=%.6e nonfinite=%lld\n", name.c_str(),
              tensor.typeString().c_str(), sum, absSum,
              static_cast<long long>(nonFinite));
}

int main(int argc, char **argv) {
  rescale::runtime::keepFreedHeapMemory();
  Options options = parseOptions(argc, argv);

  if (options.device == "cuda") {
    Status cuda = ensureCudaContext();
    if (!cuda)
      fail(cuda.message());
  }

  // static: std::exit (every error path) still removes it.
  static TempDir tempDir;
  std::unique_ptr<Module> module = loadProgram(options, tempDir);
  if (options.device == "cuda" && !module->manifest().isCuda())
    fail("'" + options.program + "' is a " + module->manifest().target +
         " module; --device cuda needs one compiled with --target=nvptx");
  if (options.device == "cpu" && module->manifest().isCuda())
    fail("'" + options.program + "' is a " + module->manifest().target +
         " module; run it with --device cuda");

  auto entryOr = module->entry(options.entry);
  if (!entryOr)
    fail(entryOr.status().message());
  const EntrySpec &entry = **entryOr;

  Status mkdir = makeDirectories(options.outputDir);
  if (!mkdir)
    fail(mkdir.message());

  std::vector<HostTensor> inputs;
  if (options.randomInputs) {
    for (size_t i = 0; i < entry.inputs.size(); ++i) {
      inputs.push_back(randomInput(entry.inputs[i], options.seed, i));
      writeTensor(options.outputDir + "/in" + std::to_string(i) + ".npy",
                  inputs.back());
    }
  } else {
    if (options.inputs.size() != entry.inputs.size())
      fail("entry '" + entry.name + "' takes " +
           std::to_string(entry.inputs.size()) + " input(s), got " +
           std::to_string(options.inputs.size()) +
           (entry.inputs.empty() ? ""
                                 : " (pass --input once per input, or "
                                   "--random-inputs)"));
    for (size_t i = 0; i < entry.inputs.size(); ++i)
      inputs.push_back(readInput(options.inputs[i], entry.inputs[i], i));
  }

  warnOutOfRangeIds(entry.name, inputs);

  std::optional<EntryFaultReport> faultReport(std::in_place, entry.name);
  auto outputsOr = module->run(entry.name, inputs);
  if (!outputsOr)
    fail(outputsOr.status().message());
  std::vector<HostTensor> outputs = outputsOr.take();

  if (options.timeRuns > 0) {
    std::vector<double> millis;
    for (int64_t r = 0; r < options.timeRuns; ++r) {
      auto start = std::chrono::steady_clock::now();
      Status status = module->call(entry, inputs, outputs);
      auto stop = std::chrono::steady_clock::now();
      if (!status)
        fail(status.message());
      millis.push_back(
          std::chrono::duration<double, std::milli>(stop - start).count());
    }
    faultReport.reset();
    std::sort(millis.begin(), millis.end());
    size_t n = millis.size();
    double median =
        n % 2 ? millis[n / 2] : 0.5 * (millis[n / 2 - 1] + millis[n / 2]);
    std::printf("time: median %.4f ms, min %.4f ms over %zu runs\n", median,
                millis.front(), n);
  }

  faultReport.reset();

  // Probe outputs go to their reports, not to outN.npy (they come last, so
  // the program's outputs keep their numbers).
  auto probesOr = readProbes(manifestPathFor(module->path()), entry.name);
  if (!probesOr)
    fail(probesOr.status().message());
  std::vector<bool> isProbe(outputs.size(), false);
  for (const ProbeSpec &p : *probesOr)
    if (p.output < outputs.size())
      isProbe[p.output] = true;
  if (!options.collectAbsmax.empty()) {
    Status status = writeAbsmaxCalibration(options.collectAbsmax, *probesOr,
                                           outputs, options.accumulateAbsmax);
    if (!status)
      fail("--collect-absmax: " + status.message());
  }
  if (!options.sinkReport.empty()) {
    Status status =
        writeSinkReport(options.sinkReport, entry.name, *probesOr, outputs);
    if (!status)
      fail("--sink-report: " + status.message());
  }

  for (size_t j = 0; j < outputs.size(); ++j) {
    if (isProbe[j])
      continue;
    std::string name = "out" + std::to_string(j);
    writeTensor(options.outputDir + "/" + name + ".npy", outputs[j]);
    if (options.printSummary)
      printSummary(name, outputs[j]);
  }
  return 0;
}
