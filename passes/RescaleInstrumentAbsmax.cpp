//===- RescaleInstrumentAbsmax.cpp - per-channel absmax probes ------------===//
//
// SmoothQuant calibration needs, for each linear input channel j, max|X_j|
// over the calibration data. Rather than a side channel in the runtime, the
// statistic is an ordinary extra function result (a "probe"), so that it is
// computed by the same compiled code on every target, and the runtime only
// has to know which outputs are probes (the manifest's "probes" list).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

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
#define GEN_PASS_DEF_RESCALEINSTRUMENTABSMAXPASS
#include "passes/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;
using namespace mlir::rescale;

/// max |x| over every dimension but the last, in f32: tensor<Kxf32>.
static Value channelAbsMax(OpBuilder &b, Location loc, Value x) {
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t rank = xt.getRank();
  Type f32 = b.getF32Type();
  MLIRContext *ctx = b.getContext();
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  Value empty = match::emptyLike(b, loc, x, {unsigned(rank - 1)}, f32);
  Value init =
      linalg::FillOp::create(b, loc, zero, ValueRange{empty}).getResult(0);
  SmallVector<utils::IteratorType> iterators(rank - 1,
                                             utils::IteratorType::reduction);
  iterators.push_back(utils::IteratorType::parallel);
  AffineMap in = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap out = AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx));
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{x}, ValueRange{init},
      ArrayRef<AffineMap>{in, out}, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value v = args[0];
        if (v.getType() != f32)
          v = arith::ExtFOp::create(nb, l, f32, v); // exact
        Value a = math::AbsFOp::create(nb, l, v);
        // maximumf propagates NaN, so a NaN input shows in the calibration.
        linalg::YieldOp::create(
            nb, l, Value(arith::MaximumFOp::create(nb, l, args[1], a)));
      });
  return generic.getResult(0);
}

static bool hasAbsmaxProbes(func::FuncOp func) {
  for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
    if (auto probe =
            func.getResultAttrOfType<DictionaryAttr>(i, kProbeAttrName))
      if (auto kind = probe.getAs<StringAttr>("kind"); kind && kind == "absmax")
        return true;
  return false;
}

namespace {

struct RescaleInstrumentAbsmaxPass
    : rescale::impl::RescaleInstrumentAbsmaxPassBase<
          RescaleInstrumentAbsmaxPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal() || hasAbsmaxProbes(func))
        continue;
      SmallVector<std::pair<LinearOp, std::string>> linears;
      forEachNamedLinear(func, [&](LinearOp lin, StringRef name) {
        linears.emplace_back(lin, name.str());
      });
      Block &body = func.getBody().front();
      auto ret = dyn_cast<func::ReturnOp>(body.getTerminator());
      if (!ret)
        continue;
      OpBuilder b(ret);
      // One probe per distinct input: linears that read the same value (q,
      // k and v after one norm) share it, so the function never returns one
      // value twice.
      llvm::MapVector<Value, SmallVector<std::string>> byInput;
      for (auto &[lin, name] : linears) {
        // Only values of the function's own block can be returned.
        if (lin->getBlock() != &body) {
          lin.emitWarning() << "linear '" << name
                            << "' is inside a nested region; no absmax probe";
          continue;
        }
        byInput[lin.getX()].push_back(name);
      }
      for (auto &[x, names] : byInput) {
        Value probe = channelAbsMax(b, x.getLoc(), x);
        unsigned index = func.getNumResults();
        if (failed(func.insertResult(
                index, probe.getType(),
                b.getDictionaryAttr({b.getNamedAttr(
                    kProbeAttrName,
                    makeProbeAttr(&getContext(), "absmax", names))}))))
          return signalPassFailure();
        ret.getOperandsMutable().append(probe);
        ++numProbes;
      }
    }
  }
};

} // namespace
