//===- RescaleInstrumentSinks.cpp - attention and residual sink probes ----===//
//
// The paper's two sink phenomena (arXiv 2601.22966 §2) as probe results:
// attention sinks (heads that park their probability mass on the first
// token) and residual sinks (a few hidden dimensions of the residual stream,
// the norm inputs, with massive activations). Like the absmax probes these
// are ordinary function results, computed by the compiled program on any
// target; rescale-run --sink-report turns them into the report
// (docs/sink-report.md).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/GateActivation.h"
#include "dialect/RescaleOps.h"
#include "passes/LinearNames.h"
#include "passes/Matchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_RESCALEINSTRUMENTSINKSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;
using namespace mlir::rescale;

/// fn(x) in f32, elementwise (x widened first; fn null: x itself): a new
/// value, so that the function never returns an argument or another result
/// twice.
static Value
elementwiseF32(OpBuilder &b, Location loc, Value x,
               function_ref<Value(OpBuilder &, Location, Value)> fn) {
  auto xt = cast<RankedTensorType>(x.getType());
  Type f32 = b.getF32Type();
  unsigned rank = xt.getRank();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
  Value init = match::emptyLike(b, loc, x, f32); // dynamic sizes included
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{x}, ValueRange{init},
             ArrayRef<AffineMap>{id, id},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value v = args[0];
               if (v.getType() != f32)
                 v = arith::ExtFOp::create(nb, l, f32, v); // exact
               Value r = fn ? fn(nb, l, v) : v;
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

/// |x| in f32, elementwise: the norm-input probe.
static Value absF32(OpBuilder &b, Location loc, Value x) {
  return elementwiseF32(b, loc, x, [](OpBuilder &nb, Location l, Value v) {
    return Value(math::AbsFOp::create(nb, l, v));
  });
}

/// x widened to f32 (x itself when it is f32 already).
static Value asF32(OpBuilder &b, Location loc, Value x) {
  if (cast<RankedTensorType>(x.getType()).getElementType().isF32())
    return x;
  return elementwiseF32(b, loc, x, nullptr);
}

/// w [m, n] as f32 [n, m]: a gated_norm weight in rescale.linear's [N, K]
/// layout.
static Value transposedF32(OpBuilder &b, Location loc, Value w) {
  Value wide = asF32(b, loc, w);
  auto t = cast<RankedTensorType>(wide.getType());
  Value init = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{t.getDimSize(1), t.getDimSize(0)},
      b.getF32Type());
  auto transposed =
      linalg::TransposeOp::create(b, loc, wide, init, ArrayRef<int64_t>{1, 0});
  return transposed.getResult()[0];
}

/// y before the gate and the gate g (both f32) of a gated_norm, recomputed
/// from its operands as its definition reads: y = rms_norm(x, weight),
/// g = act(swish(y · w_down) · w_up).
static std::pair<Value, Value> gatedNormParts(OpBuilder &b, GatedNormOp op) {
  Location loc = op.getLoc();
  auto xt = cast<RankedTensorType>(op.getX().getType());
  Value normalized = RMSNormOp::create(b, loc, xt, op.getX(), op.getWeight(),
                                       op.getEpsilonAttr());
  Value y = asF32(b, loc, normalized);
  auto shapeWithLast = [&](int64_t last) {
    SmallVector<int64_t> shape(xt.getShape());
    shape.back() = last;
    return RankedTensorType::get(shape, b.getF32Type());
  };
  Value down = transposedF32(b, loc, op.getWDown()); // [r, d]
  Value h =
      LinearOp::create(b, loc, shapeWithLast(op.getRank()), y, down, Value());
  Value s = elementwiseF32(b, loc, h, buildSwish);
  Value up = transposedF32(b, loc, op.getWUp()); // [d or 1, r]
  int64_t gates = op.w_upType().getDimSize(1);
  Value z = LinearOp::create(b, loc, shapeWithLast(gates), s, up, Value());
  GateActivation act = op.getGateActivation();
  Value g = elementwiseF32(b, loc, z, [&](OpBuilder &nb, Location l, Value v) {
    return buildGateActivation(nb, l, act, v);
  });
  return {y, g};
}

/// The residual-stream value a norm reads: x, or the sum of add_rms_norm.
static Value normInput(Operation *op) {
  if (auto add = dyn_cast<AddRMSNormOp>(op))
    return add.getSum();
  return op->getOperand(0);
}

/// What the next sublayer reads: the normalized result (of add_rms_norm, its
/// second result; of gated_norm, after the gate).
static Value normOutput(Operation *op) {
  if (auto add = dyn_cast<AddRMSNormOp>(op))
    return add.getResult();
  return op->getResult(0);
}

/// `<func>/<kind><N>` or the op's NameLoc.
static std::string probeName(Operation *op, StringRef func, StringRef kind,
                             unsigned index) {
  if (auto named = dyn_cast<NameLoc>(op->getLoc()))
    return named.getName().str();
  return (func + "/" + kind + Twine(index)).str();
}

namespace {

struct RescaleInstrumentSinksPass
    : rescale::impl::RescaleInstrumentSinksPassBase<
          RescaleInstrumentSinksPass> {
  using Base::Base;
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      Block &body = func.getBody().front();
      auto ret = dyn_cast<func::ReturnOp>(body.getTerminator());
      if (!ret)
        continue;
      OpBuilder b(ret);
      SmallVector<std::pair<Value, DictionaryAttr>> probes;
      // Norm inputs, one probe per distinct value.
      llvm::MapVector<Value, SmallVector<std::string>> normInputs;
      // Norm outputs (norm-outputs), in walk order: what the next sublayer
      // reads after the norm.
      SmallVector<std::pair<Value, std::string>> outputProbes;
      // Gated norms (gate-probes): a gated_norm, or the multiplication that
      // applies a gate written out of ops, and the norm's name.
      SmallVector<std::pair<Operation *, std::string>> gateSites;
      unsigned numAttention = 0, numNormOps = 0, numGates = 0;
      func.walk([&](Operation *op) {
        if (op->hasAttr(kNormGateAttrName)) {
          if (!gateProbes)
            return;
          std::string name =
              probeName(op, func.getSymName(), "gate", numGates++);
          if (op->getBlock() != &body || op->getNumOperands() != 2 ||
              op->getNumResults() != 1) {
            op->emitWarning() << "gate '" << name
                              << "' is not a binary op of the function's "
                                 "body; no gate probe";
            return;
          }
          gateSites.push_back({op, name});
          return;
        }
        if (auto attn = dyn_cast<AttentionOp>(op)) {
          std::string name =
              probeName(op, func.getSymName(), "attention", numAttention++);
          if (op->getBlock() != &body) {
            op->emitWarning() << "attention '" << name
                              << "' is inside a nested region; no sink probe";
            return;
          }
          auto qt = cast<RankedTensorType>(attn.getQ().getType());
          auto type = RankedTensorType::get(
              {qt.getDimSize(0), qt.getDimSize(1)}, b.getF32Type());
          Value share = AttentionFirstTokenShareOp::create(
              b, op->getLoc(), type, attn.getQ(), attn.getK(), attn.getSinks(),
              attn.getCausalAttr(), attn.getScaleAttr(), attn.getSoftmaxAttr());
          probes.push_back({share, makeProbeAttr(&getContext(),
                                                 "first_token_share", {name})});
          Value outputShare = AttentionFirstTokenOutputShareOp::create(
              b, op->getLoc(), type, attn.getQ(), attn.getK(), attn.getV(),
              attn.getSinks(), attn.getCausalAttr(), attn.getScaleAttr(),
              attn.getSoftmaxAttr());
          probes.push_back(
              {outputShare, makeProbeAttr(&getContext(),
                                          "first_token_output_share", {name})});
          return;
        }
        if (op->hasAttr(kInnerNormAttrName))
          return;
        if (isa<RMSNormOp, PreAffineRMSNormOp, GatedNormOp, AddRMSNormOp,
                DyTOp>(op) ||
            (op->hasAttr(kNormSiteAttrName) && op->getNumOperands() >= 1 &&
             op->getNumResults() == 1)) {
          std::string name =
              probeName(op, func.getSymName(), "norm", numNormOps++);
          if (op->getBlock() != &body) {
            op->emitWarning() << "norm '" << name
                              << "' is inside a nested region; no sink probe";
            return;
          }
          normInputs[normInput(op)].push_back(name);
          if (normOutputs)
            outputProbes.push_back({normOutput(op), name});
          if (gateProbes && isa<GatedNormOp>(op)) {
            if (cast<RankedTensorType>(op->getOperand(0).getType())
                    .hasStaticShape())
              gateSites.push_back({op, name});
            else
              op->emitWarning() << "gated norm '" << name
                                << "' has a dynamic shape; no gate probe";
          }
        }
      });
      for (auto &[x, names] : normInputs)
        probes.push_back({absF32(b, x.getLoc(), x),
                          makeProbeAttr(&getContext(), "norm_input", names)});
      for (auto &[y, name] : outputProbes)
        probes.push_back({absF32(b, y.getLoc(), y),
                          makeProbeAttr(&getContext(), "norm_output", {name})});
      for (auto &[op, name] : gateSites) {
        Value y, g;
        if (auto gated = dyn_cast<GatedNormOp>(op)) {
          std::tie(y, g) = gatedNormParts(b, gated);
        } else {
          y = op->getOperand(1);
          g = elementwiseF32(b, op->getLoc(), op->getOperand(0), nullptr);
        }
        probes.push_back({absF32(b, op->getLoc(), y),
                          makeProbeAttr(&getContext(), "gate_input", {name})});
        probes.push_back({g, makeProbeAttr(&getContext(), "gate", {name})});
      }
      for (auto &[value, attr] : probes) {
        if (failed(func.insertResult(
                func.getNumResults(), value.getType(),
                b.getDictionaryAttr({b.getNamedAttr(kProbeAttrName, attr)}))))
          return signalPassFailure();
        ret.getOperandsMutable().append(value);
        ++numProbes;
      }
    }
  }
};

} // namespace
