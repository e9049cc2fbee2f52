//===- TrainStep.cpp - @train_step around @loss_grad ----------------------===//
//
// The module contract's train_step (docs/trainer.md):
//
//   train_step(p.., m.., v.., hyper f32[8], tokens) -> (loss, grad_norm, p'..,
//   m'.., v'..) hyper = [lr, beta1, beta2, eps, weight_decay, max_grad_norm,
//   step, 0]
//
// built in place from --rescale-autodiff's @loss_grad(p.., tokens) ->
// (loss, g..): the moments and hyper become new arguments, and before the
// return come torch.nn.utils.clip_grad_norm_ (the global L2 norm of every
// gradient; scale min(1, max_grad_norm / (norm + 1e-6)), none when
// max_grad_norm is 0) and one rescale.adamw per parameter (torch.optim.AdamW,
// weight decay only on parameters with decay true). Building around the
// function instead of calling it leaves nothing to inline.
//
//===----------------------------------------------------------------------===//
#include "modelbuilder/ModelBuilder.h"

#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::rescale::modelbuilder {

namespace {

/// The index of each value in train_step's `hyper` input.
enum Hyper : int64_t {
  kLr = 0,
  kBeta1 = 1,
  kBeta2 = 2,
  kEps = 3,
  kWeightDecay = 4,
  kMaxGradNorm = 5,
  kStep = 6,
};

/// Ops on 0-d f32 tensors and the global norm, created at `b`.
struct StepBuilder {
  ImplicitLocOpBuilder &b;

  RankedTensorType scalarType() {
    return RankedTensorType::get({}, b.getF32Type());
  }

  Value scalar(double value) {
    auto attr = DenseElementsAttr::get(scalarType(), b.getF32FloatAttr(value));
    return arith::ConstantOp::create(b, scalarType(), attr);
  }

  /// hyper[index] as tensor<f32>: a 0-d linalg.generic reading element
  /// `index` (not tensor.extract_slice + collapse_shape, whose strided view
  /// of an entry argument does not lower on the nvptx pipeline).
  Value hyper(Value hyper, int64_t index) {
    MLIRContext *ctx = b.getContext();
    AffineMap in =
        AffineMap::get(0, 0, {getAffineConstantExpr(index, ctx)}, ctx);
    AffineMap out = AffineMap::get(0, 0, ArrayRef<AffineExpr>{}, ctx);
    SmallVector<AffineMap> maps = {in, out};
    Value init =
        tensor::EmptyOp::create(b, ArrayRef<int64_t>{}, b.getF32Type());
    auto read = linalg::GenericOp::create(
        b, TypeRange{scalarType()}, ValueRange{hyper}, ValueRange{init}, maps,
        ArrayRef<utils::IteratorType>{},
        [](OpBuilder &nb, Location loc, ValueRange args) {
          linalg::YieldOp::create(nb, loc, args[0]);
        });
    return read.getResult(0);
  }

  /// Σ g² over every element, in f32.
  Value sumOfSquares(Value g) {
    auto type = cast<RankedTensorType>(g.getType());
    Value sq = arith::MulFOp::create(b, g, g);
    Value zero = scalar(0.0);
    SmallVector<int64_t> dims =
        llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
    auto reduce = linalg::ReduceOp::create(
        b, ValueRange{sq}, ValueRange{zero}, dims,
        [](OpBuilder &nb, Location loc, ValueRange args) {
          Value s = arith::AddFOp::create(nb, loc, args[0], args[1]);
          linalg::YieldOp::create(nb, loc, s);
        });
    return reduce.getResult(0);
  }

  /// `s` (tensor<f32>) broadcast to `like`'s shape.
  Value broadcastLike(Value s, Value like) {
    auto type = cast<RankedTensorType>(like.getType());
    if (type.getRank() == 0)
      return s;
    Value init = tensor::EmptyOp::create(b, type.getShape(), b.getF32Type());
    SmallVector<int64_t> dims =
        llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
    auto bc = linalg::BroadcastOp::create(b, s, init, dims);
    return bc.getResult()[0];
  }
};

} // namespace

LogicalResult buildTrainStep(ModuleOp module,
                             ArrayRef<trainer::ParameterSpec> parameters) {
  auto func = module.lookupSymbol<func::FuncOp>("loss_grad");
  if (!func)
    return module.emitError() << "no @loss_grad to build train_step around";
  MLIRContext *ctx = module.getContext();
  unsigned P = parameters.size();
  if (func.getNumArguments() != P + 1 || func.getNumResults() != P + 1)
    return func.emitError()
           << "@loss_grad has " << func.getNumArguments() << " arguments and "
           << func.getNumResults() << " results; train_step expects " << P + 1
           << " of each (the parameters and tokens; the "
              "loss and one gradient per parameter)";

  // p.., [m.., v.., hyper], tokens.
  SmallVector<unsigned> indices;
  SmallVector<Type> types;
  SmallVector<DictionaryAttr> attrs;
  SmallVector<Location> locs;
  for (int moment = 0; moment < 2; ++moment)
    for (unsigned i = 0; i < P; ++i) {
      indices.push_back(P);
      types.push_back(func.getArgument(i).getType());
      attrs.push_back(DictionaryAttr::get(ctx));
      locs.push_back(func.getLoc());
    }
  indices.push_back(P);
  types.push_back(RankedTensorType::get({8}, Float32Type::get(ctx)));
  attrs.push_back(DictionaryAttr::get(ctx));
  locs.push_back(func.getLoc());
  if (failed(func.insertArguments(indices, types, attrs, locs)))
    return func.emitError() << "cannot add train_step's arguments";

  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  ImplicitLocOpBuilder b(func.getLoc(), ret);
  StepBuilder s{b};
  Value loss = ret.getOperand(0);
  SmallVector<Value> grads(ret.getOperands().drop_front());
  Value hyperArg = func.getArgument(3 * P);

  // clip_grad_norm_: the norm of all gradients, then one scale.
  Value total = s.scalar(0.0);
  for (Value g : grads) {
    Value sq = s.sumOfSquares(g);
    total = arith::AddFOp::create(b, total, sq);
  }
  Value gradNorm = math::SqrtOp::create(b, total);
  Value maxNorm = s.hyper(hyperArg, kMaxGradNorm);
  Value tiny = s.scalar(1e-6);
  Value denom = arith::AddFOp::create(b, gradNorm, tiny);
  Value ratio = arith::DivFOp::create(b, maxNorm, denom);
  Value one = s.scalar(1.0);
  Value clipped = arith::MinimumFOp::create(b, one, ratio);
  Value zero = s.scalar(0.0);
  Value noClip =
      arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, maxNorm, zero);
  Value scale = arith::SelectOp::create(b, noClip, one, clipped);

  Value lr = s.hyper(hyperArg, kLr);
  Value beta1 = s.hyper(hyperArg, kBeta1);
  Value beta2 = s.hyper(hyperArg, kBeta2);
  Value eps = s.hyper(hyperArg, kEps);
  Value wd = s.hyper(hyperArg, kWeightDecay);
  Value step = s.hyper(hyperArg, kStep);
  Value noDecay = s.scalar(0.0);

  SmallVector<Value> newP, newM, newV;
  for (unsigned i = 0; i < P; ++i) {
    Value p = func.getArgument(i);
    Value m = func.getArgument(P + i);
    Value v = func.getArgument(2 * P + i);
    Value scaleFull = s.broadcastLike(scale, grads[i]);
    Value g = arith::MulFOp::create(b, grads[i], scaleFull);
    Value decay = parameters[i].decay ? wd : noDecay;
    auto adamw = AdamWOp::create(b, p.getType(), m.getType(), v.getType(), p, g,
                                 m, v, lr, beta1, beta2, eps, decay, step);
    newP.push_back(adamw.getNewParam());
    newM.push_back(adamw.getNewM());
    newV.push_back(adamw.getNewV());
  }

  SmallVector<Value> results = {loss, gradNorm};
  results.append(newP);
  results.append(newM);
  results.append(newV);
  func::ReturnOp::create(b, results);
  ret.erase();
  SmallVector<Type> resultTypes;
  for (Value r : results)
    resultTypes.push_back(r.getType());
  func.setFunctionType(
      FunctionType::get(ctx, func.getArgumentTypes(), resultTypes));
  func.setSymName("train_step"); // nothing calls @loss_grad
  return success();
}

} // namespace mlir::rescale::modelbuilder
