//===- LinalgGrad.cpp - gradient rules of linalg structured ops -----------===//
//
// One rule for every linalg structured op on tensors with a scalar body
// (linalg.generic, matmul, batch_matmul, transpose, broadcast, reduce, fill,
// copy and the elementwise named ops), read off its indexing maps and body:
//
//   all-parallel:  out[N(i)] = f(in_1[M_1(i)], ..., out[N(i)])
//   reduction:     out[N(i)] = out[N(i)] + e(in_1[M_1(i)], ...)   (a sum)
//
// The adjoint of input j is, over the same iteration space,
//
//   d in_j[M_j(i)] += Σ_r g_r[N_r(i)] · ∂f_r/∂in_j (i)
//
// i.e. one linalg.generic per differentiated input: the forward body is
// cloned (recomputed) and differentiated in reverse with the scalar rules
// of arith and math (ArithMathGrad.cpp), the loops M_j selects are parallel
// and the others (the broadcast or contracted ones) are reductions. Matmul's
// dA = g·Bᵀ and dB = Aᵀ·g, transpose's inverse permutation and broadcast's
// sum over the broadcast dims all come out of this one rule.
//
//===----------------------------------------------------------------------===//

#include "dialect/Autodiff/Autodiff.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::autodiff;

/// Values of `block` that depend on any of `roots` (roots included).
static llvm::DenseSet<Value> dependents(Block &block, ArrayRef<Value> roots) {
  llvm::DenseSet<Value> dep(roots.begin(), roots.end());
  for (Operation &op : block.without_terminator())
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return dep.contains(v); }))
      for (Value r : op.getResults())
        dep.insert(r);
  return dep;
}

/// For a reduction: the summand e of `yielded = acc + e` (either order), or
/// null when the combiner is not a sum of the accumulator and a value
/// independent of every accumulator.
static Value sumSummand(Value yielded, BlockArgument acc,
                        const llvm::DenseSet<Value> &dependsOnAcc) {
  auto add = yielded.getDefiningOp<arith::AddFOp>();
  if (!add)
    return {};
  Value other;
  if (add.getLhs() == acc)
    other = add.getRhs();
  else if (add.getRhs() == acc)
    other = add.getLhs();
  if (!other || dependsOnAcc.contains(other))
    return {};
  return other;
}

static LogicalResult linalgAdjoint(linalg::LinalgOp op, OpBuilder &b,
                                   ArrayRef<Value> resultGrads,
                                   ArrayRef<bool> wantGrads,
                                   SmallVectorImpl<Value> &operandGrads) {
  Operation *raw = op.getOperation();
  Location loc = op.getLoc();
  if (!op.hasPureTensorSemantics())
    return raw->emitOpError() << "is differentiated on tensors only";
  Block &body = *op.getBlock();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  unsigned numLoops = op.getNumLoops();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  bool hasReduction = llvm::any_of(iters, [](utils::IteratorType t) {
    return t != utils::IteratorType::parallel;
  });

  SmallVector<BlockArgument> accArgs;
  for (OpOperand &init : op.getDpsInitsMutable())
    accArgs.push_back(op.getMatchingBlockArgument(&init));
  llvm::DenseSet<Value> dependsOnAcc =
      dependents(body, SmallVector<Value>(accArgs.begin(), accArgs.end()));

  // The value whose adjoint is g_r: the yielded value (parallel) or the
  // summand of the sum (reduction).
  SmallVector<Value> seeds;
  for (auto [r, yielded] : llvm::enumerate(yield.getValues())) {
    if (!hasReduction) {
      seeds.push_back(yielded);
      continue;
    }
    Value e = sumSummand(yielded, accArgs[r], dependsOnAcc);
    if (!e)
      return raw->emitOpError()
             << "has a reduction whose combiner is not a sum "
                "(acc + f(inputs)): no gradient rule for it";
    seeds.push_back(e);
  }

  unsigned numInputs = op.getNumDpsInputs();
  for (OpOperand &operand : raw->getOpOperands()) {
    unsigned j = operand.getOperandNumber();
    if (!wantGrads[j])
      continue;
    auto type = dyn_cast<RankedTensorType>(operand.get().getType());
    if (!type)
      return raw->emitOpError() << "operand #" << j
                                << " is a differentiated scalar; only tensor "
                                   "operands of linalg ops have gradients";
    bool isInit = j >= numInputs;
    unsigned r = j - numInputs;
    if (isInit && !resultGrads[j - numInputs])
      continue; // a non-float result (an i1 mask) has no adjoint
    if (isInit && hasReduction) {
      // out = init + Σ e: the init's adjoint is the result's.
      operandGrads[j] = resultGrads[r];
      continue;
    }
    BlockArgument arg = op.getMatchingBlockArgument(&operand);
    if (isInit && arg.use_empty())
      continue; // an overwritten init
    AffineMap mj = op.getMatchingIndexingMap(&operand);
    if (!mj.isProjectedPermutation())
      return raw->emitOpError()
             << "operand #" << j << " has the indexing map "
             << AffineMapAttr::get(mj)
             << ", which is not a projected permutation: no gradient rule "
                "for it";

    // ins: the forward inputs, the inits the body reads (parallel case) and
    // the result adjoints; out: d operand_j, read through M_j.
    SmallVector<Value> ins;
    SmallVector<AffineMap> maps;
    for (OpOperand *in : op.getDpsInputOperands()) {
      ins.push_back(in->get());
      maps.push_back(op.getMatchingIndexingMap(in));
    }
    SmallVector<int> initSlot;
    for (OpOperand &init : op.getDpsInitsMutable()) {
      BlockArgument a = op.getMatchingBlockArgument(&init);
      if (!hasReduction && !a.use_empty()) {
        initSlot.push_back(ins.size());
        ins.push_back(init.get());
        maps.push_back(op.getMatchingIndexingMap(&init));
      } else {
        initSlot.push_back(-1);
      }
    }
    // The adjoints of the float results; a non-float one (an i1 mask) has
    // none and contributes nothing.
    SmallVector<int> gradSlot;
    for (auto [k, init] : llvm::enumerate(op.getDpsInitsMutable())) {
      if (!resultGrads[k]) {
        gradSlot.push_back(-1);
        continue;
      }
      gradSlot.push_back(ins.size());
      ins.push_back(resultGrads[k]);
      maps.push_back(op.getMatchingIndexingMap(&init));
    }
    maps.push_back(mj);
    SmallVector<utils::IteratorType> gradIters(numLoops,
                                               utils::IteratorType::reduction);
    for (AffineExpr e : mj.getResults())
      gradIters[cast<AffineDimExpr>(e).getPosition()] =
          utils::IteratorType::parallel;
    // With every loop parallel each element of d operand_j is written once:
    // the body yields the adjoint itself and the init is not read (a body
    // that read a dead init would, once linalg fuses this generic into its
    // consumer, read an uninitialized buffer). Otherwise it accumulates
    // into zeros.
    bool accumulates = llvm::any_of(gradIters, [](utils::IteratorType t) {
      return t == utils::IteratorType::reduction;
    });
    Value init =
        accumulates
            ? filledTensor(b, loc, type.getShape(), type.getElementType(), 0.0)
            : Value(tensor::EmptyOp::create(b, loc, type.getShape(),
                                            type.getElementType()));

    LogicalResult bodyResult = success();
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{type}, ins, ValueRange{init}, maps, gradIters,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          IRMapping mapping;
          for (unsigned i = 0; i < numInputs; ++i)
            mapping.map(body.getArgument(i), args[i]);
          for (auto [k, acc] : llvm::enumerate(accArgs)) {
            if (initSlot[k] >= 0) {
              mapping.map(acc, args[initSlot[k]]);
              continue;
            }
            // Reduction: the accumulator only feeds the final sum, whose
            // summand is what we differentiate.
            Value zero = zerosLike(nb, l, acc.getType());
            mapping.map(acc, zero);
          }
          SmallVector<Operation *> cloned;
          for (Operation &fwd : body.without_terminator())
            cloned.push_back(nb.clone(fwd, mapping));
          ReverseMode reverse(nb);
          Value target = mapping.lookup(Value(arg));
          reverse.markVaried(target);
          for (auto [k, seed] : llvm::enumerate(seeds))
            if (gradSlot[k] >= 0)
              reverse.addAdjoint(mapping.lookupOrDefault(seed),
                                 args[gradSlot[k]]);
          Value acc = args.back();
          if (failed(reverse.run(cloned))) {
            bodyResult = failure();
            linalg::YieldOp::create(nb, l, acc);
            return;
          }
          Value adj = reverse.getAdjoint(target);
          if (!accumulates) {
            Value value = adj ? adj : zerosLike(nb, l, acc.getType());
            linalg::YieldOp::create(nb, l, value);
            return;
          }
          Value sum = adj ? Value(arith::AddFOp::create(nb, l, acc, adj)) : acc;
          linalg::YieldOp::create(nb, l, sum);
        });
    if (failed(bodyResult))
      return failure();
    operandGrads[j] = generic.getResult(0);
  }
  return success();
}

namespace {

template <typename OpTy>
struct LinalgStructuredGrad
    : AutodiffOpInterface::ExternalModel<LinalgStructuredGrad<OpTy>, OpTy> {
  LogicalResult buildAdjoint(Operation *op, OpBuilder &b,
                             ArrayRef<Value> resultGrads,
                             ArrayRef<bool> wantGrads,
                             SmallVectorImpl<Value> &operandGrads) const {
    return linalgAdjoint(cast<linalg::LinalgOp>(op), b, resultGrads, wantGrads,
                         operandGrads);
  }
};

} // namespace

template <typename... OpTys> static void attachLinalg(MLIRContext *ctx) {
  (OpTys::template attachInterface<LinalgStructuredGrad<OpTys>>(*ctx), ...);
}

namespace mlir::rescale::autodiff {
void registerLinalgGradModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, linalg::LinalgDialect *) {
    attachLinalg<linalg::GenericOp, linalg::MatmulOp, linalg::BatchMatmulOp,
                 linalg::TransposeOp, linalg::BroadcastOp, linalg::ReduceOp,
                 linalg::FillOp, linalg::CopyOp, linalg::AddOp, linalg::SubOp,
                 linalg::MulOp, linalg::DivOp, linalg::ExpOp, linalg::LogOp,
                 linalg::NegFOp, linalg::SqrtOp, linalg::RsqrtOp,
                 linalg::TanhOp, linalg::ErfOp, linalg::MaxOp, linalg::MinOp>(
        ctx);
  });
}
} // namespace mlir::rescale::autodiff
