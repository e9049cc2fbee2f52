//===- ModelBuilder.h - The decoder of rescale-train as rescale IR -*- C++
//-*-===//
//
// Builds the model a rescale-train config describes (docs/trainer.md, "The
// model builder"): a pre-norm Llama/Qwen3-style decoder whose norm, attention
// gate, softmax and residual clipping are the variants of arXiv 2601.22966.
//
//   buildLossFunction   @loss(p_0..p_{P-1}, tokens i32[B, T+1]) -> f32[]
//   buildTrainStep      @train_step around @loss_grad (--rescale-autodiff):
//                       global gradient norm, clipping, AdamW per parameter
//   buildTrainingModule both, as the module rescale-train loads: public
//                       entries train_step and eval_loss, nothing else
//
// Each layer is built by the function its `layer_types` entry selects
// (getLayerBuilders), so hybrids add a row, not a branch in the decoder.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_MODELBUILDER_MODELBUILDER_H
#define RESCALE_MODELBUILDER_MODELBUILDER_H

#include "modelbuilder/CompileModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <functional>
#include <string>

namespace mlir::rescale::modelbuilder {

namespace trainer = ::rescale::trainer;

class DecoderBuilder;

/// Builds layer `layer` on the residual stream `x` ([B, T, D]) and returns
/// the new stream.
using LayerBuildFn =
    std::function<Value(DecoderBuilder &, int64_t layer, Value x)>;

struct LayerBuilder {
  StringRef layerType; // a layer_types value
  LayerBuildFn build;  // null: not implemented yet
};

/// Every layer type of the config, with its builder.
ArrayRef<LayerBuilder> getLayerBuilders();

/// Adds `func.func @loss` to `module` (config already checked with
/// checkBuildable).
func::FuncOp buildLossFunction(ModuleOp module,
                               const trainer::ModelConfig &config,
                               int64_t batch, int64_t seq);

/// Turns `@loss_grad` (--rescale-autodiff's output for @loss) into
/// `@train_step` of the module contract (docs/trainer.md).
LogicalResult buildTrainStep(ModuleOp module,
                             ArrayRef<trainer::ParameterSpec> parameters);

/// The whole training module: @loss, autodiff, @train_step, and @loss
/// renamed to @eval_loss. Diagnostics go to the context's handler.
OwningOpRef<ModuleOp> buildTrainingModule(MLIRContext &context,
                                          const trainer::ModelConfig &config,
                                          int64_t batch, int64_t seq);

} // namespace mlir::rescale::modelbuilder

#endif // RESCALE_MODELBUILDER_MODELBUILDER_H
