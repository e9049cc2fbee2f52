//===- CompileModel.cpp - Config -> compiled training model folder --------===//
#include "modelbuilder/CompileModel.h"
#include "modelbuilder/ModelBuilder.h"

#include "dialect/Autodiff/Autodiff.h"
#include "dialect/RescaleDialect.h"
#include "lowering/ModuleCompiler.h"
#include "passes/Passes.h"

#include "rescale/trainer/JsonUtil.h"

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

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::rescale::modelbuilder {

OwningOpRef<ModuleOp> buildTrainingModule(MLIRContext &context,
                                          const trainer::ModelConfig &config,
                                          int64_t batch, int64_t seq) {
  context.loadDialect<RescaleDialect, func::FuncDialect, arith::ArithDialect,
                      linalg::LinalgDialect, tensor::TensorDialect,
                      math::MathDialect>();
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
using trainer::jsonString;
using trainer::JsonObject;

namespace {

JsonValue initJson(const trainer::ParameterInit &init) {
  JsonObject o = {{"kind", jsonString(init.kind)}};
  if (init.kind == "normal")
    o.push_back({"std", jsonNumber(init.std)});
  if (init.kind == "constant")
    o.push_back({"value", jsonNumber(init.value)});
  return JsonValue::makeObject(std::move(o));
}

Status writeFile(const std::string &path, const std::string &text) {
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

} // namespace

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
  std::string firstError;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    if (d.getSeverity() == mlir::DiagnosticSeverity::Error &&
        firstError.empty())
      firstError = d.str();
    return mlir::success();
  });
  auto failedWith = [&](const std::string &what) {
    return Status::error(what + ": " +
                         (firstError.empty() ? "(no diagnostic)" : firstError));
  };

  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::rescale::modelbuilder::buildTrainingModule(context, config,
                                                       options.batch,
                                                       options.seq);
  if (!module)
    return failedWith("building the model failed");

  if (options.emitMLIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
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
  std::string tmp = mdir + ".tmp-" +
                    std::to_string(llvm::sys::Process::getProcessId());
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
    // The loss alone, renamed and instrumented; a host module, so that the
    // analysis runs the same on a CPU or a GPU sweep.
    mlir::OpBuilder builder(&context);
    mlir::OwningOpRef<mlir::ModuleOp> analysis =
        mlir::ModuleOp::create(builder.getUnknownLoc());
    mlir::func::FuncOp loss = mlir::rescale::modelbuilder::buildLossFunction(
        *analysis, config, options.batch, options.seq);
    if (!loss)
      return cleanup(failedWith("building the analysis model failed"));
    loss.setName("analyze");
    mlir::PassManager pm(&context);
    pm.addPass(mlir::rescale::createRescaleInstrumentSinksPass());
    if (mlir::failed(pm.run(*analysis)))
      return cleanup(failedWith("instrumenting the analysis model failed"));
    mlir::rescale::CompileOptions host;
    host.optLevel = options.optLevel;
    if (mlir::failed(mlir::rescale::compileModule(*analysis, host,
                                                  tmp + "/analysis.so")))
      return cleanup(failedWith("compiling the analysis model failed"));
  }
  Status written = writeFile(tmp + "/model.json", modelJson(config, options));
  if (!written)
    return cleanup(written);

  if (llvm::sys::fs::exists(mdir))
    if (std::error_code ec = llvm::sys::fs::remove_directories(mdir))
      return cleanup(Status::error("cannot replace '" + mdir +
                                   "': " + ec.message()));
  if (std::error_code ec = llvm::sys::fs::rename(tmp, mdir))
    return cleanup(Status::error("cannot move the compiled model to '" + mdir +
                                 "': " + ec.message()));
  return Status::ok();
}

} // namespace rescale::modelbuilder
