//===- AttentionToFlashTiles.cpp - attention as flash-style CPU tiles -----===//
//
// The reference decomposition (AttentionToLinalg.cpp) scores every query
// against every key and normalizes over the whole row. On the CPU that is
// twice the work for causal attention (the masked half is computed and then
// thrown away) and an [S, T] row of scores per query tile. This pass writes
// rescale.attention in the FlashAttention form instead (Dao et al. 2022,
// Algorithm 1), for the CPU pipeline:
//
//   scf.forall (b, h, query tile of Tq rows)            -- OpenMP threads
//     m = z, l = (z ? 1 : 0), acc = 0                   -- z: the extra logit
//     scf.for key tile of Tk keys, up to the causal bound of the tile
//       s     = mask(scale · q_tile · k_tileᵀ)         -- [Tq, Tk], sgemm
//       m'    = max(m, max_j s);  α = exp(m - m')
//       p     = exp(s - m')
//       l     = α · l + Σ_j p;    acc = α · acc + p · v_tile   -- sgemm
//     out = acc / l · σ(gate)
//
// Key tiles past the causal bound of a query tile are not visited: that is
// where the causal half of the work goes. The normalizer's extra logit z
// (0 for off_by_one, sinks[h] for learned_sink) is a key of logit z and
// value 0 seen before the first tile, so it starts the running max and the
// running sum (exp(z - z) = 1) and needs no epilogue of its own. Sigmoid
// attention has no normalizer: p = σ(s − log T) per key, acc = Σ p · v.
//
// Numerics: everything in f32, as in the reference decomposition; only the
// order of the sums differs (per key tile, rescaled by α), so results agree
// with it to f32 rounding, not bit for bit. A row that keeps no key (causal
// with S > T) has l = 0 under `standard` and gives 0, as the reference does.
//
// Shapes stay static so that both products become OpenBLAS calls
// (rescale-contractions-to-blas): Tq and Tk split S and T into tiles of
// equal size, and when they do not divide them, q (and the gate) get zero
// rows and k and v zero keys at the end; padded keys are masked, padded
// query rows are dropped from the result.
//
//===----------------------------------------------------------------------===//

#include "conversion/Passes.h"
#include "conversion/RescaleToLinalg/Common.h"

#include "dialect/GateActivation.h"
#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>
#include <limits>

namespace mlir::rescale {
#define GEN_PASS_DEF_CONVERTRESCALEATTENTIONTOFLASHTILES
#include "conversion/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::tolinalg;

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

} // namespace

/// m if it is finite, else 0: the base that exp(x - m) subtracts, so that a
/// row whose keys are all masked so far (m = -inf) gives exp(-inf) = 0, not
/// NaN.
static Value finiteBase(OpBuilder &b, Location loc, Value m) {
  Value none = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, m,
                                     f32Const(b, loc, kNegInf));
  return arith::SelectOp::create(b, loc, none, f32Const(b, loc, 0.0), m);
}

namespace {

struct ConvertRescaleAttentionToFlashTilesPass
    : mlir::rescale::impl::ConvertRescaleAttentionToFlashTilesBase<
          ConvertRescaleAttentionToFlashTilesPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *ctx) override {
    if (queryTile < 1 || keyTile < 1)
      return emitError(UnknownLoc::get(ctx))
             << "convert-rescale-attention-to-flash-tiles: query-tile and "
                "key-tile must be at least 1, got "
             << static_cast<int64_t>(queryTile) << " and "
             << static_cast<int64_t>(keyTile);
    return success();
  }

  void runOnOperation() override {
    SmallVector<AttentionOp> ops;
    getOperation()->walk([&](AttentionOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (AttentionOp op : ops) {
      rewriter.setInsertionPoint(op);
      if (Value out = rewrite(rewriter, op)) {
        rewriter.replaceOp(op, out);
        ++numRewritten;
      }
    }
  }

  /// The flash-tiled form of `op`, or null where it keeps the reference
  /// decomposition (dynamic or empty shapes).
  Value rewrite(OpBuilder &b, AttentionOp op) {
    if (!hasStaticShapes(op))
      return {};
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Type f32 = b.getF32Type();
    ArrayRef<int64_t> qShape = tensorType(op.getQ()).getShape();
    ArrayRef<int64_t> kShape = tensorType(op.getK()).getShape();
    int64_t B = qShape[0], Hq = qShape[1], S = qShape[2], D = qShape[3];
    int64_t T = kShape[2];
    int64_t Dv = tensorType(op.getV()).getShape()[3];
    if (B == 0 || Hq == 0 || S == 0 || T == 0 || Dv == 0)
      return {};
    int64_t group = Hq / kShape[1];
    TileSplit queries = splitEvenly(S, queryTile);
    TileSplit keys = splitEvenly(T, keyTile);
    int64_t tq = queries.size, tk = keys.size;
    bool causal = op.getCausal();
    SoftmaxKind softmax = op.getSoftmax();
    double scale = op.getScaleValue();
    Value gate = op.getGate();
    bool headwiseGate = gate && op.getGateKind() == GateKind::headwise;
    RankedTensorType resultType = tensorType(op.getResult());

    // Operands in f32 (the products are sgemm calls), padded to whole tiles.
    Value q = padDim(b, loc, convertElementType(b, loc, op.getQ(), f32), 2,
                     queries.padded);
    Value k = padDim(b, loc, convertElementType(b, loc, op.getK(), f32), 2,
                     keys.padded);
    Value v = padDim(b, loc, convertElementType(b, loc, op.getV(), f32), 2,
                     keys.padded);
    if (gate)
      gate = padDim(b, loc, gate, 2, queries.padded);

    Value resultInit = emptyTensor(b, loc, {B, Hq, queries.padded, Dv},
                                   resultType.getElementType());
    SmallVector<OpFoldResult> upper{b.getIndexAttr(B), b.getIndexAttr(Hq),
                                    b.getIndexAttr(queries.count)};
    auto forall = scf::ForallOp::create(b, loc, upper, ValueRange{resultInit},
                                        std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    Value batch = forall.getInductionVar(0);
    Value head = forall.getInductionVar(1);
    auto index = [&](int64_t value) -> Value {
      return arith::ConstantIndexOp::create(b, loc, value);
    };
    Value tqValue = index(tq);
    Value firstRow =
        arith::MulIOp::create(b, loc, forall.getInductionVar(2), tqValue);
    Value groupValue = index(group);
    Value kvHead = arith::DivUIOp::create(b, loc, head, groupValue);
    Value zeroIndex = index(0);
    Value qTile = sliceOf(b, loc, q, {batch, head, firstRow, zeroIndex},
                          {1, 1, tq, D}, {tq, D});

    // The running max and sum start at the extra logit z: a key of logit z
    // and value 0 (none under `standard`: m = -inf, l = 0).
    Value z;
    if (softmax == SoftmaxKind::off_by_one)
      z = f32Const(b, loc, 0.0);
    if (softmax == SoftmaxKind::learned_sink) {
      Value sink = tensor::ExtractOp::create(b, loc, op.getSinks(), head);
      z = castScalar(b, loc, sink, f32);
    }
    bool sigmoidWeights = softmax == SoftmaxKind::sigmoid;
    Value maxInit;
    if (z) {
      Value empty = emptyTensor(b, loc, {tq}, f32);
      maxInit = linalg::FillOp::create(b, loc, z, empty).getResult(0);
    } else {
      maxInit = filledTensor(b, loc, {tq}, f32, kNegInf);
    }
    Value sumInit = filledTensor(b, loc, {tq}, f32, z ? 1.0 : 0.0);
    Value accInit = filledTensor(b, loc, {tq, Dv}, f32, 0.0);

    // Key tiles [0, count): under causal masking only those holding a key
    // j <= i + (T - S) for some row i of the tile, i.e. j < firstRow + tq +
    // (T - S); none when that is <= 0 (rows with no key, S > T).
    Value keyTiles = index(keys.count);
    if (causal) {
      Value bound = arith::AddIOp::create(b, loc, firstRow, index(tq + T - S));
      Value tiles = arith::CeilDivSIOp::create(b, loc, bound, index(tk));
      Value atLeastNone = arith::MaxSIOp::create(b, loc, tiles, zeroIndex);
      keyTiles = arith::MinSIOp::create(b, loc, atLeastNone, keyTiles);
    }
    bool masked = causal || keys.padded != T;
    AffineMap id2 = identityMap(ctx, 2);
    AffineMap rows2 = dropLastDimMap(ctx, 2);
    AffineMap id1 = identityMap(ctx, 1);

    SmallVector<Value> inits{accInit};
    if (!sigmoidWeights) {
      inits.push_back(maxInit);
      inits.push_back(sumInit);
    }
    Value one = index(1);
    auto keyLoop = scf::ForOp::create(b, loc, zeroIndex, keyTiles, one, inits);
    {
      OpBuilder::InsertionGuard loopGuard(b);
      b.setInsertionPointToStart(keyLoop.getBody());
      Value firstKey =
          arith::MulIOp::create(b, loc, keyLoop.getInductionVar(), index(tk));
      Value kTile = sliceOf(b, loc, k, {batch, kvHead, firstKey, zeroIndex},
                            {1, 1, tk, D}, {tk, D});
      Value vTile = sliceOf(b, loc, v, {batch, kvHead, firstKey, zeroIndex},
                            {1, 1, tk, Dv}, {tk, Dv});
      ValueRange carried = keyLoop.getRegionIterArgs();
      Value acc = carried[0];

      // dot[i, j] = Σ_d q[i, d] · k[j, d].
      Value dot = accumulateProduct(b, loc, qTile, /*lhsTransposed=*/false,
                                    kTile, /*rhsTransposed=*/true,
                                    filledTensor(b, loc, {tq, tk}, f32, 0.0));
      // s = scale · dot, or the weight of the key where nothing normalizes
      // (sigmoid); masked keys (causal, or padding past T) get -inf (weight
      // 0).
      double bias = -std::log(double(T));
      Value weights = updateInPlace(
          b, loc, dot, {}, {},
          [&](OpBuilder &nb, Location l, ValueRange, Value out) -> Value {
            Value s = arith::MulFOp::create(nb, l, f32Const(nb, l, scale), out);
            Value dropped = f32Const(nb, l, kNegInf);
            if (sigmoidWeights) {
              Value x = arith::AddFOp::create(nb, l, s, f32Const(nb, l, bias));
              s = buildSigmoid(nb, l, x);
              dropped = f32Const(nb, l, 0.0);
            }
            if (!masked)
              return s;
            Value row = arith::AddIOp::create(
                nb, l, firstRow, linalg::IndexOp::create(nb, l, 0));
            Value key = arith::AddIOp::create(
                nb, l, firstKey, linalg::IndexOp::create(nb, l, 1));
            Value keep =
                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, key,
                                      arith::ConstantIndexOp::create(nb, l, T));
            if (causal) {
              Value last = arith::AddIOp::create(
                  nb, l, row, arith::ConstantIndexOp::create(nb, l, T - S));
              Value visible = arith::CmpIOp::create(
                  nb, l, arith::CmpIPredicate::sle, key, last);
              keep = arith::AndIOp::create(nb, l, keep, visible);
            }
            return arith::SelectOp::create(nb, l, keep, s, dropped);
          });

      SmallVector<Value> yielded;
      if (sigmoidWeights) {
        // acc += p · v.
        yielded.push_back(
            accumulateProduct(b, loc, weights, false, vTile, false, acc));
      } else {
        Value runningMax = carried[1], runningSum = carried[2];
        Value tileMax = buildLastDimReduction(
            b, loc, {tq, tk}, weights, id2, kNegInf,
            [](OpBuilder &nb, Location l, ValueRange a, Value m) {
              return arith::MaximumFOp::create(nb, l, m, a[0]).getResult();
            });
        // m' = max(m, tile max); α = exp(m - m') rescales what was summed
        // against the old max. α reads m before m' overwrites it: every
        // running value is updated in place (scf.for bufferizes its
        // iter_args only to the buffers they came in).
        RankedTensorType rowType = RankedTensorType::get({tq}, f32);
        Value alpha = buildElementwise(
            b, loc, rowType, {runningMax, tileMax}, {id1, id1},
            [](OpBuilder &nb, Location l, ValueRange a) -> Value {
              Value m = arith::MaximumFOp::create(nb, l, a[0], a[1]);
              Value d =
                  arith::SubFOp::create(nb, l, a[0], finiteBase(nb, l, m));
              return math::ExpOp::create(nb, l, d);
            });
        Value newMax = updateInPlace(
            b, loc, runningMax, {tileMax}, {id1},
            [](OpBuilder &nb, Location l, ValueRange a, Value m) -> Value {
              return arith::MaximumFOp::create(nb, l, m, a[0]);
            });
        // p = exp(s - m'), in place of s.
        Value probs = updateInPlace(
            b, loc, weights, {newMax}, {rows2},
            [](OpBuilder &nb, Location l, ValueRange a, Value s) -> Value {
              Value d =
                  arith::SubFOp::create(nb, l, s, finiteBase(nb, l, a[0]));
              return math::ExpOp::create(nb, l, d);
            });
        Value tileSum = buildLastDimReduction(
            b, loc, {tq, tk}, probs, id2, 0.0,
            [](OpBuilder &nb, Location l, ValueRange a, Value sum) {
              return arith::AddFOp::create(nb, l, sum, a[0]).getResult();
            });
        // l = α · l + Σ_j p.
        Value newSum = updateInPlace(
            b, loc, runningSum, {alpha, tileSum}, {id1, id1},
            [](OpBuilder &nb, Location l, ValueRange a, Value sum) -> Value {
              Value kept = arith::MulFOp::create(nb, l, a[0], sum);
              return arith::AddFOp::create(nb, l, kept, a[1]);
            });
        // acc = α · acc + p · v.
        Value scaled = updateInPlace(
            b, loc, acc, {alpha}, {rows2},
            [](OpBuilder &nb, Location l, ValueRange a, Value o) -> Value {
              return arith::MulFOp::create(nb, l, a[0], o);
            });
        yielded.push_back(
            accumulateProduct(b, loc, probs, false, vTile, false, scaled));
        yielded.push_back(newMax);
        yielded.push_back(newSum);
      }
      scf::YieldOp::create(b, loc, yielded);
    }

    // out = acc / l · σ(gate), rounded to the result type; 0 for a row
    // without keys (l = 0 under `standard`).
    SmallVector<Value> outInputs{keyLoop.getResult(0)};
    SmallVector<AffineMap> outMaps{id2};
    int sumArg = -1, gateArg = -1;
    if (!sigmoidWeights) {
      sumArg = outInputs.size();
      outInputs.push_back(keyLoop.getResult(2));
      outMaps.push_back(rows2);
    }
    if (gate) {
      gateArg = outInputs.size();
      if (headwiseGate) {
        outInputs.push_back(
            sliceOf(b, loc, gate, {batch, head, firstRow}, {1, 1, tq}, {tq}));
        outMaps.push_back(rows2);
      } else {
        outInputs.push_back(sliceOf(b, loc, gate,
                                    {batch, head, firstRow, zeroIndex},
                                    {1, 1, tq, Dv}, {tq, Dv}));
        outMaps.push_back(id2);
      }
    }
    Value outTile = buildElementwise(
        b, loc, RankedTensorType::get({tq, Dv}, resultType.getElementType()),
        outInputs, outMaps,
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Value o = a[0];
          if (sumArg >= 0) {
            Value zero = f32Const(nb, l, 0.0);
            Value noKeys = arith::CmpFOp::create(
                nb, l, arith::CmpFPredicate::OEQ, a[sumArg], zero);
            Value ratio = arith::DivFOp::create(nb, l, o, a[sumArg]);
            o = arith::SelectOp::create(nb, l, noKeys, zero, ratio);
          }
          if (gateArg >= 0)
            o = arith::MulFOp::create(nb, l, o,
                                      buildSigmoid(nb, l, a[gateArg]));
          return o;
        });

    b.setInsertionPointToStart(forall.getTerminator().getBody());
    SmallVector<OpFoldResult> offsets{batch, head, firstRow, b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes{b.getIndexAttr(1), b.getIndexAttr(1),
                                    b.getIndexAttr(tq), b.getIndexAttr(Dv)};
    SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
    tensor::ParallelInsertSliceOp::create(b, loc, outTile,
                                          forall.getRegionIterArgs()[0],
                                          offsets, sizes, strides);

    b.setInsertionPointAfter(forall);
    Value result = forall.getResult(0);
    if (queries.padded != S)
      result = sliceOf(b, loc, result,
                       {b.getIndexAttr(0), b.getIndexAttr(0), b.getIndexAttr(0),
                        b.getIndexAttr(0)},
                       {B, Hq, S, Dv}, {B, Hq, S, Dv});
    return result;
  }
};

} // namespace
