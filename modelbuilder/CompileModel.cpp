//===- CompileModel.cpp - Config -> compiled training model folder --------===//
#include "modelbuilder/CompileModel.h"
#include "modelbuilder/ModelBuilder.h"

#include "compiler/ModuleCompiler.h"
#include "dialect/Autodiff/Autodiff.h"
#include "dialect/RescaleDialect.h"
#include "passes/Passes.h"

#include "rescale/runtime/Manifest.h"
#include "rescale/trainer/JsonUtil.h"
#include "rescale/trainer/Sweep.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::rescale::modelbuilder {

/// The dialects the builder creates ops of.
static void loadModelDialects(MLIRContext &context) {
  context.loadDialect<RescaleDialect, func::FuncDialect, arith::ArithDialect,
                      linalg::LinalgDialect, tensor::TensorDialect,
                      math::MathDialect>();
}

OwningOpRef<ModuleOp> buildTrainingModule(MLIRContext &context,
                                          const trainer::ModelConfig &config,
                                          int64_t batch, int64_t seq) {
  loadModelDialects(context);
  Location loc = NameLoc::get(StringAttr::get(&context, "rescale-train model"));
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  buildLossFunction(*module, config, batch, seq);
  if (failed(verify(*module)))
    return nullptr;

  // Parameters are f32 tensors (differentiable), tokens i32 (no gradient).
  PassManager pm(&context);
  RescaleAutodiffPassOptions autodiff;
  autodiff.entry = "loss";
  pm.addPass(createRescaleAutodiffPass(autodiff));
  if (failed(pm.run(*module)))
    return nullptr;

  std::vector<trainer::ParameterSpec> params =
      ::rescale::modelbuilder::listParameters(config);
  if (failed(buildTrainStep(*module, params)))
    return nullptr;
  auto loss = module->lookupSymbol<func::FuncOp>("loss");
  loss.setSymName("eval_loss"); // nothing calls it
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace mlir::rescale::modelbuilder

namespace rescale::modelbuilder {

using runtime::JsonValue;
using runtime::Status;
using trainer::jsonInt;
using trainer::jsonNumber;
using trainer::JsonObject;
using trainer::jsonString;

static JsonValue initJson(const trainer::ParameterInit &init) {
  JsonObject o = {{"kind", jsonString(init.kind)}};
  if (init.kind == "normal")
    o.push_back({"std", jsonNumber(init.std)});
  if (init.kind == "constant")
    o.push_back({"value", jsonNumber(init.value)});
  if (init.kind == "uniform" || init.kind == "log_uniform") {
    o.push_back({"low", jsonNumber(init.low)});
    o.push_back({"high", jsonNumber(init.high)});
  }
  return JsonValue::makeObject(std::move(o));
}

static Status writeFile(const std::string &path, const std::string &text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return Status::error("cannot write '" + path + "': " + ec.message());
  os << text;
  os.close();
  if (os.has_error())
    return Status::error("cannot write '" + path + "'");
  return Status::ok();
}

std::string modelJson(const trainer::ModelConfig &config,
                      const CompileModelOptions &options) {
  std::vector<JsonValue> params;
  for (const trainer::ParameterSpec &p : listParameters(config)) {
    std::vector<JsonValue> shape;
    for (int64_t d : p.shape)
      shape.push_back(jsonInt(d));
    JsonObject o = {{"name", jsonString(p.name)},
                    {"shape", JsonValue::makeArray(std::move(shape))},
                    {"init", initJson(p.init)},
                    {"decay", trainer::jsonBool(p.decay)}};
    params.push_back(JsonValue::makeObject(std::move(o)));
  }
  JsonObject o = {{"format", jsonString("rescale-train-model")},
                  {"version", jsonInt(1)},
                  {"config", config.toJson()},
                  {"batch", jsonInt(options.batch)},
                  {"seq", jsonInt(options.seq)},
                  {"target", jsonString(options.device)},
                  {"parameters", JsonValue::makeArray(std::move(params))}};
  return JsonValue::makeObject(std::move(o)).serialize() + "\n";
}

namespace {
/// Keeps the first error diagnostic emitted in `context` while it lives: the
/// one line a failed build or compile reports.
struct FirstError {
  explicit FirstError(mlir::MLIRContext &context)
      : handler(&context, [this](mlir::Diagnostic &d) {
          if (d.getSeverity() == mlir::DiagnosticSeverity::Error &&
              message.empty())
            message = d.str();
          return mlir::success();
        }) {}
  std::string message;
  mlir::ScopedDiagnosticHandler handler;
};
} // namespace

/// Builds the loss alone as @entry in a module of its own, runs `addPasses`
/// on it, and compiles it for the host CPU (whatever the device: the
/// analyses run the same on a CPU or a GPU sweep) into `so`. Errors carry
/// the first diagnostic, which the caller's handler keeps in `firstError`.
static Status
compileHostLoss(mlir::MLIRContext &context, const trainer::ModelConfig &config,
                const CompileModelOptions &options, llvm::StringRef entry,
                llvm::function_ref<void(mlir::PassManager &)> addPasses,
                const std::string &so, const std::string &firstError) {
  auto failedWith = [&](const std::string &what) {
    return Status::error(what + " (@" + entry.str() + "): " +
                         (firstError.empty() ? "(no diagnostic)" : firstError));
  };
  mlir::rescale::modelbuilder::loadModelDialects(context);
  mlir::OpBuilder builder(&context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::ModuleOp::create(builder.getUnknownLoc());
  mlir::func::FuncOp loss = mlir::rescale::modelbuilder::buildLossFunction(
      *module, config, options.batch, options.seq);
  if (!loss)
    return failedWith("building the loss failed");
  loss.setName(entry);
  mlir::PassManager pm(&context);
  addPasses(pm);
  if (mlir::failed(pm.run(*module)))
    return failedWith("transforming the loss failed");
  mlir::rescale::CompileOptions host;
  host.optLevel = options.optLevel;
  if (mlir::failed(mlir::rescale::compileModule(*module, host, so)))
    return failedWith("compiling the loss failed");
  return Status::ok();
}

const std::vector<std::string> &quantizationSchemes() {
  static const std::vector<std::string> schemes = {"w8a8", "w4a4", "fp8",
                                                   "nvfp4", "mxfp4"};
  return schemes;
}

Status compileQuantizedLoss(const trainer::ModelConfig &config,
                            const CompileModelOptions &options,
                            const std::string &scheme,
                            const std::string &calibrationPath,
                            const std::string &so) {
  if (std::find(quantizationSchemes().begin(), quantizationSchemes().end(),
                scheme) == quantizationSchemes().end())
    return Status::error("unknown quantization scheme '" + scheme + "'");
  RESCALE_RETURN_IF_ERROR(checkBuildable(config));
  mlir::DialectRegistry registry;
  mlir::rescale::registerModuleCompilerDialects(registry);
  mlir::MLIRContext context(registry);
  FirstError firstErrorCapture(context);
  const std::string &firstError = firstErrorCapture.message;
  // Written beside `so` and renamed, the module last: a killed compile
  // leaves no .so (only, at worst, a manifest that matches none).
  std::string tmp =
      so + ".tmp-" + std::to_string(llvm::sys::Process::getProcessId());
  mlir::rescale::RescaleInsertQuantizationPassOptions q;
  q.calibration = calibrationPath;
  q.smoothquantAlpha = trainer::kSmoothQuantAlpha;
  q.skip = trainer::kQuantizationSkip;
  std::unique_ptr<mlir::Pass> quantize =
      mlir::rescale::createRescaleInsertQuantizationPass(q);
  // The scheme by its keyword, through the option's own parser (its
  // keywords are declared once, in passes/Passes.td).
  std::string optionError;
  if (mlir::failed(quantize->initializeOptions("scheme=" + scheme,
                                               [&](const llvm::Twine &message) {
                                                 optionError = message.str();
                                                 return mlir::failure();
                                               })))
    return Status::error("quantization scheme '" + scheme +
                         "': " + optionError);
  Status s = compileHostLoss(
      context, config, options, kQuantizedEntry,
      [&](mlir::PassManager &pm) { pm.addPass(std::move(quantize)); }, tmp,
      firstError);
  std::string tmpManifest = runtime::manifestPathFor(tmp);
  if (s) {
    if (std::error_code ec =
            llvm::sys::fs::rename(tmpManifest, runtime::manifestPathFor(so)))
      s = Status::error("cannot write '" + runtime::manifestPathFor(so) +
                        "': " + ec.message());
    else if (std::error_code ec = llvm::sys::fs::rename(tmp, so))
      s = Status::error("cannot write '" + so + "': " + ec.message());
  }
  if (!s) {
    llvm::sys::fs::remove(tmp);
    llvm::sys::fs::remove(tmpManifest);
  }
  return s;
}

Status compileTrainingModel(const trainer::ModelConfig &config,
                            const CompileModelOptions &options,
                            const std::string &mdir) {
  if (options.device != "cpu" && options.device != "cuda")
    return Status::error("--device must be cpu or cuda, got '" +
                         options.device + "'");
  if (options.optLevel > 3)
    return Status::error("-O must be 0, 1, 2 or 3, got " +
                         std::to_string(options.optLevel));
  if (options.batch <= 0 || options.seq <= 0)
    return Status::error("--batch and --seq must be positive");
  if (options.seq > config.maxPositionEmbeddings)
    return Status::error("--seq " + std::to_string(options.seq) +
                         " is longer than max_position_embeddings " +
                         std::to_string(config.maxPositionEmbeddings));
  RESCALE_RETURN_IF_ERROR(checkBuildable(config));

  mlir::DialectRegistry registry;
  mlir::rescale::registerModuleCompilerDialects(registry);
  mlir::rescale::registerAutodiffExternalModels(registry);
  mlir::MLIRContext context(registry);
  FirstError firstErrorCapture(context);
  const std::string &firstError = firstErrorCapture.message;
  auto failedWith = [&](const std::string &what) {
    return Status::error(what + ": " +
                         (firstError.empty() ? "(no diagnostic)" : firstError));
  };

  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::rescale::modelbuilder::buildTrainingModule(
          context, config, options.batch, options.seq);
  if (!module)
    return failedWith("building the model failed");

  if (options.emitMLIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    // With locations: linears, norms and attentions keep their checkpoint
    // names through rescale-opt (--rescale-insert-quantization's skip=,
    // calibration files, probe names).
    module->print(os, mlir::OpPrintingFlags().enableDebugInfo());
    return writeFile(mdir, text);
  }

  // Everything goes into a temporary folder beside MDIR, renamed at the end:
  // a failure leaves no half-written model behind.
  llvm::SmallString<256> parent(mdir);
  llvm::sys::path::remove_filename(parent);
  if (!parent.empty())
    if (std::error_code ec = llvm::sys::fs::create_directories(parent))
      return Status::error("cannot create '" + std::string(parent) +
                           "': " + ec.message());
  std::string tmp =
      mdir + ".tmp-" + std::to_string(llvm::sys::Process::getProcessId());
  llvm::sys::fs::remove_directories(tmp);
  if (std::error_code ec = llvm::sys::fs::create_directories(tmp))
    return Status::error("cannot create '" + tmp + "': " + ec.message());
  auto cleanup = [&](Status s) {
    llvm::sys::fs::remove_directories(tmp);
    return s;
  };

  mlir::rescale::CompileOptions compile;
  compile.target = options.device == "cuda" ? "nvptx" : "cpu";
  compile.chip = options.chip;
  compile.optLevel = options.optLevel;
  std::string so = tmp + "/train.so";
  if (mlir::failed(mlir::rescale::compileModule(*module, compile, so)))
    return cleanup(failedWith("compiling the model failed"));
  if (options.analysis) {
    // The loss alone, renamed and instrumented; host modules, so that the
    // analyses run the same on a CPU or a GPU sweep.
    mlir::rescale::RescaleInstrumentSinksPassOptions sinkOptions;
    sinkOptions.normOutputs = true; // the post-norm outlier share
    sinkOptions.gateProbes = true;  // the gate-magnitude correlation
    Status analysis = compileHostLoss(
        context, config, options, kAnalyzeEntry,
        [&](mlir::PassManager &pm) {
          pm.addPass(
              mlir::rescale::createRescaleInstrumentSinksPass(sinkOptions));
        },
        tmp + "/analysis.so", firstError);
    if (!analysis)
      return cleanup(analysis);
    Status calibrate = compileHostLoss(
        context, config, options, kCalibrateEntry,
        [](mlir::PassManager &pm) {
          pm.addPass(mlir::rescale::createRescaleInstrumentAbsmaxPass());
        },
        tmp + "/calibrate.so", firstError);
    if (!calibrate)
      return cleanup(calibrate);
  }
  Status written = writeFile(tmp + "/model.json", modelJson(config, options));
  if (!written)
    return cleanup(written);

  if (llvm::sys::fs::exists(mdir))
    if (std::error_code ec = llvm::sys::fs::remove_directories(mdir))
      return cleanup(
          Status::error("cannot replace '" + mdir + "': " + ec.message()));
  if (std::error_code ec = llvm::sys::fs::rename(tmp, mdir))
    return cleanup(Status::error("cannot move the compiled model to '" + mdir +
                                 "': " + ec.message()));
  return Status::ok();
}

} // namespace rescale::modelbuilder
