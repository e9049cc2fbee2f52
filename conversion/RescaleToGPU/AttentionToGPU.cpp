//===- AttentionToGPU.cpp - FlashAttention-2 style attention kernels ------===//
//
// rescale.attention becomes one kernel, specialized on the static shapes.
// Both schedules use the online softmax in base 2 with log2(e) folded into
// the score scale (s2 = scale·log2e·q·k; p = exp2(s2 − m)), keep the running
// max m and sum l per query row, rescale the output accumulator by
// exp2(m_old − m_new) when the max grows, and divide once in the epilogue,
// where the paper's rescaling mechanisms (arXiv 2601.22966 §3.2) are fused:
//
//   standard:     out = O / l
//   off_by_one:   out = O / (l + exp2(−m))                 (1 + Σ exp(s))
//   learned_sink: out = O / (l + exp2(sink·log2e − m))     (e^sink + Σ exp(s))
//   sigmoid:      p = σ(s − log T) per key, no running max, out = O
//                 (sigmoid attention: nothing normalizes over the keys)
//   gate:         out ⊙= σ(gate)   (headwise: one value per row)
//
// * Tensor-core path (bf16/f16, head dims 64 and 128, sm_80+): a CTA of 4
//   warps owns 64 query rows of one (batch, head); each warp keeps its 16×D
//   Q tile resident in registers as mma.sync A fragments. K and V stream
//   through shared memory in 64-key tiles (K row-major, V transposed, rows
//   padded so fragment reads are bank-conflict free). S = Q·Kᵀ and O += P·V
//   are `nvvm.mma.sync` m16n8k16 with f32 accumulation; P goes from the S
//   accumulators to A fragments in registers (the FA2 layout identity).
//   Causal CTAs stop at the last key tile their rows can see, so fully
//   masked tiles are never loaded.
// * General path (f32, or other head dims): one warp per query row, lanes
//   split the head dimension, scores reduced with shuffles, FMA throughout;
//   causal rows stop at their last visible key.
//
// GQA: query head h reads kv head h / (Hq / Hkv).
//
//===----------------------------------------------------------------------===//

#include "conversion/RescaleToGPU/KernelBuilder.h"
#include "conversion/RescaleToGPU/NVPTXPatterns.h"
#include "conversion/RescaleToGPU/TargetInfo.h"

#include "dialect/GateActivation.h"
#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include <cmath>

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::nvptx;

namespace {

/// What one attention op asks of the kernel.
struct AttentionProblem {
  int64_t batch = 0, hq = 0, hkv = 0, s = 0, t = 0, d = 0, dv = 0;
  bool causal = false;
  /// scale · log2(e): scores in base 2.
  float scaleLog2 = 0;
  GateKind gateKind = GateKind::none;
  SoftmaxKind softmax = SoftmaxKind::standard;
  Type qElt, kElt, vElt;
  RankedTensorType resultType;
};

constexpr float kLog2e = 1.4426950408889634f;

} // namespace

static Value negInf(ImplicitLocOpBuilder &b) {
  return cF32(b, -std::numeric_limits<float>::infinity());
}

static Value exp2(ImplicitLocOpBuilder &b, Value x) {
  return math::Exp2Op::create(b, x);
}

/// A max that is -inf only for rows that have seen no key yet; subtracting
/// it would give NaN (−inf − −inf), so those rows use 0.
static Value safeMax(ImplicitLocOpBuilder &b, Value m) {
  Value isInf =
      arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, m, negInf(b));
  return arith::SelectOp::create(b, isInf, cF32(b, 0.0f), m);
}

/// 1 / the softmax denominator of a row with running max m and sum l (both
/// in base 2), for the op's softmax kind. `sinkLog2` is sink·log2e.
static Value invDenominator(ImplicitLocOpBuilder &b, SoftmaxKind kind, Value l,
                            Value m, Value sinkLog2) {
  Value denom = l;
  Value ms = safeMax(b, m);
  switch (kind) {
  case SoftmaxKind::standard:
    break;
  case SoftmaxKind::off_by_one:
    denom = arith::AddFOp::create(b, l, exp2(b, arith::NegFOp::create(b, ms)));
    break;
  case SoftmaxKind::learned_sink:
    denom = arith::AddFOp::create(
        b, l, exp2(b, arith::SubFOp::create(b, sinkLog2, ms)));
    break;
  case SoftmaxKind::sigmoid:
    return cF32(b, 1.0f); // nothing normalizes over the keys
  }
  return arith::DivFOp::create(b, cF32(b, 1.0f), denom);
}

/// Sigmoid attention's probability of a base-2 score s2 = s·log2e:
/// σ(s − log T) = 1 / (1 + exp2(−(s2 − log2 T))); 0 for s2 = −inf.
static Value sigmoidOfScore2(ImplicitLocOpBuilder &b, const AttentionProblem &p,
                             Value s2) {
  float biasLog2 = static_cast<float>(-std::log2(double(p.t)));
  Value x = arith::AddFOp::create(b, s2, cF32(b, biasLog2));
  Value e = exp2(b, arith::NegFOp::create(b, x));
  Value one = cF32(b, 1.0f);
  return arith::DivFOp::create(b, one, arith::AddFOp::create(b, one, e));
}

static Value toF32(ImplicitLocOpBuilder &b, Value v) {
  if (v.getType().isF32())
    return v;
  return arith::ExtFOp::create(b, b.getF32Type(), v);
}

static Value loadScalarF32(ImplicitLocOpBuilder &b, Value buf, Value idx) {
  return toF32(b, memref::LoadOp::create(b, buf, ValueRange{idx}));
}

static void storeScalarF32(ImplicitLocOpBuilder &b, Value v, Value buf,
                           Value idx) {
  Type elt = cast<MemRefType>(buf.getType()).getElementType();
  if (!elt.isF32())
    v = arith::TruncFOp::create(b, elt, v);
  memref::StoreOp::create(b, v, buf, ValueRange{idx});
}

namespace {

/// Kernel arguments in order: q, k, v, [gate], [sinks], out.
struct AttentionArgs {
  Value q, k, v, gate, sinks, out;
};

} // namespace

static AttentionArgs kernelArgs(gpu::GPUFuncOp func,
                                const AttentionProblem &p) {
  AttentionArgs a;
  unsigned i = 0;
  a.q = func.getArgument(i++);
  a.k = func.getArgument(i++);
  a.v = func.getArgument(i++);
  if (p.gateKind != GateKind::none)
    a.gate = func.getArgument(i++);
  if (p.softmax == SoftmaxKind::learned_sink)
    a.sinks = func.getArgument(i++);
  a.out = func.getArgument(i++);
  return a;
}

/// Row-major flat offsets of [b, h, i, 0] in a [B, H, N, C] tensor.
static Value rowOffset(ImplicitLocOpBuilder &b, Value batch, Value head,
                       Value row, int64_t heads, int64_t rows, int64_t cols) {
  IndexMath ix(b);
  Value bh = ix.mulAdd(batch, heads, head);
  Value r = ix.mulAdd(bh, rows, row);
  return arith::MulIOp::create(b, r, cIdx(b, cols));
}

/// The epilogue factor of one output row: 1/denominator, and the headwise
/// gate when there is one (the elementwise gate is applied per column).
static Value rowFactor(ImplicitLocOpBuilder &b, const AttentionProblem &p,
                       const AttentionArgs &a, Value l, Value m, Value batch,
                       Value head, Value row) {
  Value sinkLog2;
  if (a.sinks) {
    Value sink = loadScalarF32(b, a.sinks, head);
    sinkLog2 = arith::MulFOp::create(b, sink, cF32(b, kLog2e));
  }
  Value f = invDenominator(b, p.softmax, l, m, sinkLog2);
  if (p.gateKind == GateKind::headwise) {
    Value gateRow = rowOffset(b, batch, head, row, p.hq, p.s, 1);
    Value g =
        loadScalarF32(b, a.gate, arith::AddIOp::create(b, gateRow, cIdx(b, 0)));
    f = arith::MulFOp::create(b, f, buildSigmoid(b, b.getLoc(), g));
  }
  return f;
}

/// Applies the elementwise gate to one output value at flat index `idx`.
static Value gateElement(ImplicitLocOpBuilder &b, const AttentionProblem &p,
                         const AttentionArgs &a, Value v, Value idx) {
  if (p.gateKind != GateKind::elementwise)
    return v;
  return arith::MulFOp::create(
      b, v, buildSigmoid(b, b.getLoc(), loadScalarF32(b, a.gate, idx)));
}

namespace {

//===----------------------------------------------------------------------===//
// General path: one warp per query row, FMA.
//===----------------------------------------------------------------------===//

constexpr int64_t kGeneralRowsPerBlock = 4;

/// The general kernel in its parts, in the order they create ops: the
/// warp's (batch, head, row) and lane slices, the scaled query row in
/// registers, the keys the row sees, the online-softmax loop over them, and
/// the guarded, scaled and gated store.
class GeneralAttentionBuilder {
public:
  GeneralAttentionBuilder(ImplicitLocOpBuilder &b, gpu::GPUFuncOp func,
                          const AttentionProblem &p)
      : b(b), p(p), a(kernelArgs(func, p)),
        qPerLane(llvm::divideCeil(p.d, kWarp)),
        oPerLane(llvm::divideCeil(p.dv, kWarp)), qOk(qPerLane), oOk(oPerLane) {}

  void build() {
    computeCoordinates();
    loadQueryRow();
    scf::ForOp loop = buildKeyLoop(visibleKeys());
    storeOutput(loop);
  }

private:
  static constexpr int64_t kWarp = TargetInfo::kWarpSize;

  void computeCoordinates() {
    int64_t rowBlocks = llvm::divideCeil(p.s, kGeneralRowsPerBlock);
    Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
    Value bid = gpu::BlockIdOp::create(b, gpu::Dimension::x);
    lane = arith::RemUIOp::create(b, tid, cIdx(b, kWarp));
    Value warpId = arith::DivUIOp::create(b, tid, cIdx(b, kWarp));
    // blockIdx -> (batch, head, row block).
    Value rowBlock = arith::RemUIOp::create(b, bid, cIdx(b, rowBlocks));
    Value bh = arith::DivUIOp::create(b, bid, cIdx(b, rowBlocks));
    head = arith::RemUIOp::create(b, bh, cIdx(b, p.hq));
    batch = arith::DivUIOp::create(b, bh, cIdx(b, p.hq));
    kvHead = arith::DivUIOp::create(b, head, cIdx(b, p.hq / p.hkv));
    row = ix.mulAdd(rowBlock, kGeneralRowsPerBlock, warpId);
    rowOk =
        arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row, cIdx(b, p.s));
    // Rows past S (last block) run row S-1 and do not store.
    row = arith::MinUIOp::create(b, row, cIdx(b, p.s - 1));
  }

  /// Lane-strided slice `i` of a head dimension `dim`: out-of-range slots
  /// read column 0 and count as zero (`ok` false; null when always in range).
  Value slot(int64_t i, int64_t dim, Value &ok) {
    Value col = arith::AddIOp::create(b, lane, cIdx(b, i * kWarp));
    if ((i + 1) * kWarp <= dim) {
      ok = Value();
      return col;
    }
    ok = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, col, cIdx(b, dim));
    return arith::SelectOp::create(b, ok, col, cIdx(b, 0)).getResult();
  }
  Value masked(Value v, Value ok) {
    return ok ? arith::SelectOp::create(b, ok, v, cF32(b, 0.0f)).getResult()
              : v;
  }

  /// The lane's slices of q·scale·log2(e), and the lane's output columns.
  void loadQueryRow() {
    Value qBase = rowOffset(b, batch, head, row, p.hq, p.s, p.d);
    for (int64_t i = 0; i < qPerLane; ++i) {
      qCols.push_back(slot(i, p.d, qOk[i]));
      Value v =
          loadScalarF32(b, a.q, arith::AddIOp::create(b, qBase, qCols[i]));
      q.push_back(
          masked(arith::MulFOp::create(b, v, cF32(b, p.scaleLog2)), qOk[i]));
    }
    for (int64_t i = 0; i < oPerLane; ++i)
      oCols.push_back(slot(i, p.dv, oOk[i]));
  }

  /// Keys this row sees: all T, or up to i + (T − S) when causal.
  Value visibleKeys() {
    if (!p.causal)
      return cIdx(b, p.t);
    Value last = arith::AddIOp::create(b, row, cIdx(b, p.t - p.s + 1));
    // i + T − S + 1 may be <= 0 for early rows when T < S: no keys.
    Value lastI = arith::IndexCastOp::create(b, b.getI64Type(), last);
    Value pos = arith::CmpIOp::create(
        b, arith::CmpIPredicate::sgt, lastI,
        arith::ConstantIntOp::create(b, b.getI64Type(), 0));
    Value clamped = arith::MinUIOp::create(b, last, cIdx(b, p.t));
    return arith::SelectOp::create(b, pos, clamped, cIdx(b, 0));
  }

  /// One key per iteration: the warp's dot product, the online softmax (or
  /// the standalone sigmoid), and the lane's output slices, carried as
  /// (m, l, o...).
  scf::ForOp buildKeyLoop(Value keyEnd) {
    Value kBase = rowOffset(b, batch, kvHead, cIdx(b, 0), p.hkv, p.t, p.d);
    Value vBase = rowOffset(b, batch, kvHead, cIdx(b, 0), p.hkv, p.t, p.dv);
    SmallVector<Value> init;
    init.push_back(negInf(b));
    init.push_back(cF32(b, 0.0f));
    for (int64_t i = 0; i < oPerLane; ++i)
      init.push_back(cF32(b, 0.0f));
    Value lb = cIdx(b, 0);
    Value step = cIdx(b, 1);
    auto loop = scf::ForOp::create(b, lb, keyEnd, step, init);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    Value j = loop.getInductionVar();
    Value m = loop.getRegionIterArg(0), l = loop.getRegionIterArg(1);
    Value kRow = ix.addProduct(kBase, j, p.d);
    Value partial = cF32(b, 0.0f);
    for (int64_t i = 0; i < qPerLane; ++i) {
      Value kv =
          loadScalarF32(b, a.k, arith::AddIOp::create(b, kRow, qCols[i]));
      partial = math::FmaOp::create(b, q[i], masked(kv, qOk[i]), partial);
    }
    Value s2 = warpReduceSum(b, b.getLoc(), {partial})[0];
    Value mNew, alpha, pj;
    if (p.softmax == SoftmaxKind::sigmoid) {
      // No running max: each key's p stands alone, O just accumulates.
      mNew = m;
      alpha = cF32(b, 1.0f);
      pj = sigmoidOfScore2(b, p, s2);
    } else {
      mNew = arith::MaximumFOp::create(b, m, s2);
      alpha = exp2(b, arith::SubFOp::create(b, m, mNew));
      pj = exp2(b, arith::SubFOp::create(b, s2, mNew));
    }
    SmallVector<Value> next = {mNew, math::FmaOp::create(b, l, alpha, pj)};
    Value vRow = ix.addProduct(vBase, j, p.dv);
    for (int64_t i = 0; i < oPerLane; ++i) {
      Value vv =
          loadScalarF32(b, a.v, arith::AddIOp::create(b, vRow, oCols[i]));
      Value o = arith::MulFOp::create(b, loop.getRegionIterArg(2 + i), alpha);
      next.push_back(math::FmaOp::create(b, pj, vv, o));
    }
    scf::YieldOp::create(b, next);
    return loop;
  }

  /// o / l (or the sink / off-by-one / sigmoid factor), gated, stored where
  /// the row and the column are in range.
  void storeOutput(scf::ForOp loop) {
    Value m = loop.getResult(0), l = loop.getResult(1);
    Value factor = rowFactor(b, p, a, l, m, batch, head, row);
    Value outBase = rowOffset(b, batch, head, row, p.hq, p.s, p.dv);
    for (int64_t i = 0; i < oPerLane; ++i) {
      Value idx = arith::AddIOp::create(b, outBase, oCols[i]);
      Value v = arith::MulFOp::create(b, loop.getResult(2 + i), factor);
      v = gateElement(b, p, a, v, idx);
      Value ok =
          oOk[i] ? arith::AndIOp::create(b, oOk[i], rowOk).getResult() : rowOk;
      auto guarded = scf::IfOp::create(b, ok, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(guarded.thenBlock());
      storeScalarF32(b, v, a.out, idx);
    }
  }

  ImplicitLocOpBuilder &b;
  IndexMath ix{b};
  const AttentionProblem &p;
  const AttentionArgs a;
  const int64_t qPerLane, oPerLane;
  // Set by computeCoordinates and loadQueryRow.
  Value lane, head, batch, kvHead, row, rowOk;
  SmallVector<Value> q, qCols, qOk, oCols, oOk;
};

} // namespace

static void buildGeneralKernel(ImplicitLocOpBuilder &b, gpu::GPUFuncOp func,
                               const AttentionProblem &p) {
  GeneralAttentionBuilder(b, func, p).build();
}

namespace {

//===----------------------------------------------------------------------===//
// Tensor-core path: FlashAttention-2 with mma.sync m16n8k16.
//===----------------------------------------------------------------------===//

constexpr int64_t kBr = 64; // query rows per CTA (16 per warp)
constexpr int64_t kBc = 64; // keys per K/V tile
constexpr int64_t kWarps = 4;
constexpr int64_t kPad = 8; // smem row padding (elements): no bank conflicts

} // namespace

static bool useTensorCores(const AttentionProblem &p,
                           const TargetInfo &target) {
  bool half = (p.qElt.isBF16() || p.qElt.isF16()) && p.kElt == p.qElt &&
              p.vElt == p.qElt;
  return half && target.hasMmaSyncBF16() && (p.d == 64 || p.d == 128) &&
         (p.dv == 64 || p.dv == 128);
}

namespace {

/// Device side of the tensor-core kernel: one CTA per (batch, head, tile of
/// kBr queries), 4 warps of 16 query rows. Built in three parts: the
/// prologue (thread coordinates, the Q tile as A fragments, the key tiles to
/// visit), the loop over K/V tiles (stage through shared memory, S = Q·Kᵀ,
/// scale and mask, online softmax, O += P·V), and the epilogue (normalize,
/// gate, store). Ops are created in that order, which is the IR's.
class TensorCoreAttentionBuilder {
public:
  TensorCoreAttentionBuilder(ImplicitLocOpBuilder &b, gpu::GPUFuncOp func,
                             const AttentionProblem &p, Value kSmem,
                             Value vtSmem)
      : b(b), p(p), kSmem(kSmem), vtSmem(vtSmem), a(kernelArgs(func, p)),
        elt(p.qElt), kSteps(p.d / 16), oTiles(p.dv / 8), kStride(p.d + kPad) {}

  void build() {
    computeCoordinates();
    loadQueryFragments();
    Value tileEnd = visibleKeyTiles();
    kHeadBase = rowOffset(b, batch, kvHead, cIdx(b, 0), p.hkv, p.t, p.d);
    vHeadBase = rowOffset(b, batch, kvHead, cIdx(b, 0), p.hkv, p.t, p.dv);

    // Loop state: m and l for the two rows, then O (oTiles × 4 f32).
    SmallVector<Value> init;
    for (int r = 0; r < 2; ++r)
      init.push_back(negInf(b));
    for (int64_t i = 0; i < 2 + oTiles * 4; ++i)
      init.push_back(cF32(b, 0.0f));
    Value lb = cIdx(b, 0);
    Value step = cIdx(b, 1);
    auto loop = scf::ForOp::create(b, lb, tileEnd, step, init);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(loop.getBody());
      Value k0 = arith::MulIOp::create(b, loop.getInductionVar(), cIdx(b, kBc));
      // Stage K (row-major) and Vᵀ through shared memory.
      gpu::BarrierOp::create(b);
      stageTile(a.k, kHeadBase, p.d, /*transpose=*/false, k0);
      stageTile(a.v, vHeadBase, p.dv, /*transpose=*/true, k0);
      gpu::BarrierOp::create(b);
      Scores scores = computeScores();
      scaleAndMask(scores, k0);
      Value alpha[2];
      SmallVector<Value> state = updateSoftmax(loop, scores, alpha);
      llvm::append_range(state, accumulateOutput(loop, scores, alpha));
      scf::YieldOp::create(b, state);
    }
    storeOutput(loop);
  }

private:
  /// S for one K tile: sTiles n-tiles of 4 f32 accumulators per thread, and
  /// the running row maxima of the thread's two rows.
  struct Scores {
    SmallVector<SmallVector<Value, 4>> acc;
    Value tileMax[2];
  };

  static constexpr int64_t kSTiles = kBc / 8;      // n-tiles of S
  static constexpr int64_t kPSteps = kBc / 16;     // k-steps of O += P·V
  static constexpr int64_t kVtStride = kBc + kPad; // smem Vᵀ row

  Value clampRow(Value r, int64_t n) {
    return arith::MinUIOp::create(b, r, cIdx(b, n - 1)).getResult();
  }

  //===--------------------------------------------------------------------===//
  // Prologue
  //===--------------------------------------------------------------------===//

  void computeCoordinates() {
    const int64_t warp = TargetInfo::kWarpSize;
    int64_t qTiles = llvm::divideCeil(p.s, kBr);
    tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
    Value bid = gpu::BlockIdOp::create(b, gpu::Dimension::x);
    Value lane = arith::RemUIOp::create(b, tid, cIdx(b, warp));
    Value warpId = arith::DivUIOp::create(b, tid, cIdx(b, warp));
    group = arith::DivUIOp::create(b, lane, cIdx(b, 4)); // fragment row
    Value quad =
        arith::RemUIOp::create(b, lane, cIdx(b, 4)); // fragment col pair
    Value qTile = arith::RemUIOp::create(b, bid, cIdx(b, qTiles));
    Value bh = arith::DivUIOp::create(b, bid, cIdx(b, qTiles));
    head = arith::RemUIOp::create(b, bh, cIdx(b, p.hq));
    batch = arith::DivUIOp::create(b, bh, cIdx(b, p.hq));
    kvHead = arith::DivUIOp::create(b, head, cIdx(b, p.hq / p.hkv));
    q0 = arith::MulIOp::create(b, qTile, cIdx(b, kBr));
    Value warpRow0 = ix.addProduct(q0, warpId, 16);
    // This thread's two rows (fragment rows g and g + 8).
    rows[0] = arith::AddIOp::create(b, warpRow0, group);
    rows[1] = ix.addOffset(warpRow0, group, 8);
    quad2 = arith::MulIOp::create(b, quad, cIdx(b, 2));
  }

  /// The Q tile, resident in registers as A fragments (a0..a3 per k-step).
  void loadQueryFragments() {
    qFrag.resize(kSteps);
    Value qRowBase[2];
    for (int r = 0; r < 2; ++r)
      qRowBase[r] =
          rowOffset(b, batch, head, clampRow(rows[r], p.s), p.hq, p.s, p.d);
    for (int64_t kk = 0; kk < kSteps; ++kk)
      for (int slot = 0; slot < 4; ++slot) {
        int r = slot % 2;
        int64_t colOff = kk * 16 + (slot / 2) * 8;
        Value idx = ix.addOffset(qRowBase[r], quad2, colOff);
        qFrag[kk].push_back(loadMmaPair(b, a.q, idx));
      }
  }

  /// Tiles to visit: all, or (causal) up to the last one the CTA's last row
  /// sees; fully masked tiles are skipped without being loaded.
  Value visibleKeyTiles() {
    int64_t kvTiles = llvm::divideCeil(p.t, kBc);
    Value tileEnd = cIdx(b, kvTiles);
    if (!p.causal)
      return tileEnd;
    // last visible key of the CTA = q0 + Br − 1 + (T − S)
    Type i64 = b.getI64Type();
    Value q0I = arith::IndexCastOp::create(b, i64, q0);
    Value lastKey = arith::AddIOp::create(
        b, q0I, arith::ConstantIntOp::create(b, i64, kBr - 1 + p.t - p.s));
    Value zero = arith::ConstantIntOp::create(b, i64, 0);
    Value nonNeg = arith::MaxSIOp::create(
        b,
        arith::AddIOp::create(b, lastKey,
                              arith::ConstantIntOp::create(b, i64, 1)),
        zero);
    Value rounded = arith::AddIOp::create(
        b, nonNeg, arith::ConstantIntOp::create(b, i64, kBc - 1));
    Value tiles = arith::DivUIOp::create(
        b, rounded, arith::ConstantIntOp::create(b, i64, kBc));
    Value tilesIdx = arith::IndexCastOp::create(b, b.getIndexType(), tiles);
    return arith::MinUIOp::create(b, tilesIdx, cIdx(b, kvTiles));
  }

  //===--------------------------------------------------------------------===//
  // One K/V tile
  //===--------------------------------------------------------------------===//

  /// Copies the tile's keys (or values) starting at key k0 to shared memory,
  /// row-major (K) or transposed (Vᵀ), with 16-byte global loads; keys past
  /// T are clamped (and masked in scaleAndMask).
  void stageTile(Value src, Value headBase, int64_t cols, bool transpose,
                 Value k0) {
    const int64_t blockSize = kWarps * TargetInfo::kWarpSize;
    int64_t vecs = kBc * cols / 8;
    for (int64_t it = 0, e = llvm::divideCeil(vecs, blockSize); it < e; ++it) {
      Value v = arith::AddIOp::create(b, tid, cIdx(b, it * blockSize));
      Value r = arith::DivUIOp::create(b, v, cIdx(b, cols / 8));
      Value vecCol = arith::RemUIOp::create(b, v, cIdx(b, cols / 8));
      Value c = arith::MulIOp::create(b, vecCol, cIdx(b, 8));
      Value key = clampRow(arith::AddIOp::create(b, k0, r), p.t);
      Value keyCol = ix.mulAdd(key, cols, c);
      Value gIdx = ix.add(headBase, keyCol);
      Value data =
          vector::LoadOp::create(b, VectorType::get({8}, elt), src,
                                 ValueRange{gIdx}, false, llvm::MaybeAlign(16));
      if (!transpose) {
        Value sIdx = ix.mulAdd(r, kStride, c);
        vector::StoreOp::create(b, data, kSmem, ValueRange{sIdx}, false,
                                llvm::MaybeAlign(16));
        continue;
      }
      for (int64_t e = 0; e < 8; ++e) {
        Value col = arith::AddIOp::create(b, c, cIdx(b, e));
        Value sIdx = ix.mulAdd(col, kVtStride, r);
        memref::StoreOp::create(b, vector::ExtractOp::create(b, data, e),
                                vtSmem, ValueRange{sIdx});
      }
    }
  }

  /// S = Q·Kᵀ: B fragment b0/b1 = K[key = n0 + group][d = k + quad·2 (+8)].
  Scores computeScores() {
    Scores scores;
    scores.acc.resize(kSTiles);
    for (int64_t nt = 0; nt < kSTiles; ++nt) {
      SmallVector<Value, 4> acc(4, cF32(b, 0.0f));
      Value key = arith::AddIOp::create(b, group, cIdx(b, nt * 8));
      Value keyRow = arith::MulIOp::create(b, key, cIdx(b, kStride));
      for (int64_t kk = 0; kk < kSteps; ++kk) {
        Value base = ix.addOffset(keyRow, quad2, kk * 16);
        Value b0 = loadMmaPair(b, kSmem, base);
        Value b1 =
            loadMmaPair(b, kSmem, arith::AddIOp::create(b, base, cIdx(b, 8)));
        mmaSync16816(b, elt, qFrag[kk], {b0, b1}, acc);
      }
      scores.acc[nt] = acc;
    }
    return scores;
  }

  /// Scales S into base 2 and masks it (keys past T; causal j > i + T − S),
  /// in place, and takes the thread's row maxima.
  void scaleAndMask(Scores &scores, Value k0) {
    Value rowLimit[2];
    for (int r = 0; r < 2; ++r) {
      Value rowI = arith::IndexCastOp::create(b, b.getI64Type(), rows[r]);
      rowLimit[r] = arith::AddIOp::create(
          b, rowI, arith::ConstantIntOp::create(b, b.getI64Type(), p.t - p.s));
    }
    for (int r = 0; r < 2; ++r)
      scores.tileMax[r] = negInf(b);
    for (int64_t nt = 0; nt < kSTiles; ++nt)
      for (int slot = 0; slot < 4; ++slot) {
        int r = slot / 2;
        Value key = ix.addOffset(k0, quad2, nt * 8 + slot % 2);
        Value s2 = arith::MulFOp::create(b, scores.acc[nt][slot],
                                         cF32(b, p.scaleLog2));
        Value keep = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, key,
                                           cIdx(b, p.t));
        if (p.causal) {
          Value keyI = arith::IndexCastOp::create(b, b.getI64Type(), key);
          keep = arith::AndIOp::create(
              b, keep,
              arith::CmpIOp::create(b, arith::CmpIPredicate::sle, keyI,
                                    rowLimit[r]));
        }
        s2 = arith::SelectOp::create(b, keep, s2, negInf(b));
        scores.acc[nt][slot] = s2;
        scores.tileMax[r] = arith::MaximumFOp::create(b, scores.tileMax[r], s2);
      }
  }

  /// The online softmax step: the new running max m, the factor alpha that
  /// rescales the old state, p = exp2(s2 − m) in place of S (sigmoid: σ of
  /// each score alone), and the thread's partial l. Returns {m0, m1, l0, l1}.
  SmallVector<Value> updateSoftmax(scf::ForOp loop, Scores &scores,
                                   Value (&alpha)[2]) {
    // A row lives in the 4 threads of a quad: reduce across them.
    SmallVector<Value> next;
    Value mNew[2];
    for (int r = 0; r < 2; ++r) {
      Value &tileMax = scores.tileMax[r];
      for (int64_t off : {1, 2})
        tileMax = arith::MaximumFOp::create(
            b, tileMax, shuffleXor(b, b.getLoc(), tileMax, off));
      Value mOld = loop.getRegionIterArg(r);
      bool sigmoidKind = p.softmax == SoftmaxKind::sigmoid;
      mNew[r] = sigmoidKind
                    ? mOld
                    : arith::MaximumFOp::create(b, mOld, tileMax).getResult();
      Value ms = safeMax(b, mNew[r]);
      alpha[r] = sigmoidKind ? cF32(b, 1.0f)
                             : exp2(b, arith::SubFOp::create(b, mOld, ms));
      Value rowSum = cF32(b, 0.0f);
      for (int64_t nt = 0; nt < kSTiles; ++nt)
        for (int slot = 2 * r; slot < 2 * r + 2; ++slot) {
          Value &sv = scores.acc[nt][slot];
          sv = sigmoidKind ? sigmoidOfScore2(b, p, sv)
                           : exp2(b, arith::SubFOp::create(b, sv, ms));
          rowSum = arith::AddFOp::create(b, rowSum, sv);
        }
      // Per-thread partial l; the quad reduction waits for the epilogue.
      Value l = math::FmaOp::create(b, loop.getRegionIterArg(2 + r), alpha[r],
                                    rowSum);
      next.push_back(l);
    }
    return {mNew[0], mNew[1], next[0], next[1]};
  }

  /// O = O·alpha + P·V. P's A fragment for key step j is S n-tiles 2j and
  /// 2j+1 (c0c1 -> a0/a2 rows g, c2c3 -> a1/a3 rows g+8).
  SmallVector<Value> accumulateOutput(scf::ForOp loop, const Scores &scores,
                                      const Value (&alpha)[2]) {
    SmallVector<Value> o;
    for (int64_t i = 0; i < oTiles * 4; ++i)
      o.push_back(arith::MulFOp::create(b, loop.getRegionIterArg(4 + i),
                                        alpha[(i % 4) / 2]));
    for (int64_t j = 0; j < kPSteps; ++j) {
      SmallVector<Value, 4> pFrag;
      for (int64_t nt : {2 * j, 2 * j + 1})
        for (int half = 0; half < 2; ++half)
          pFrag.push_back(packMmaPair(b, elt, scores.acc[nt][2 * half],
                                      scores.acc[nt][2 * half + 1]));
      for (int64_t nt = 0; nt < oTiles; ++nt) {
        // B fragment = V[key = j·16 + quad·2 (+8)][dv = nt·8 + group] = Vᵀ row.
        Value vCol = arith::AddIOp::create(b, group, cIdx(b, nt * 8));
        Value vRowBase = arith::MulIOp::create(b, vCol, cIdx(b, kVtStride));
        Value keyCol = arith::AddIOp::create(b, quad2, cIdx(b, j * 16));
        Value base = arith::AddIOp::create(b, vRowBase, keyCol);
        Value b0 = loadMmaPair(b, vtSmem, base);
        Value b1 =
            loadMmaPair(b, vtSmem, arith::AddIOp::create(b, base, cIdx(b, 8)));
        MutableArrayRef<Value> acc(o.data() + nt * 4, 4);
        mmaSync16816(b, elt, pFrag, {b0, b1}, acc);
      }
    }
    return o;
  }

  //===--------------------------------------------------------------------===//
  // Epilogue
  //===--------------------------------------------------------------------===//

  /// Finishes l across the quad, divides, gates and stores pairs.
  void storeOutput(scf::ForOp loop) {
    for (int r = 0; r < 2; ++r) {
      Value l = loop.getResult(2 + r);
      for (int64_t off : {1, 2})
        l = arith::AddFOp::create(b, l, shuffleXor(b, b.getLoc(), l, off));
      Value row = clampRow(rows[r], p.s);
      Value factor = rowFactor(b, p, a, l, loop.getResult(r), batch, head, row);
      Value outBase = rowOffset(b, batch, head, row, p.hq, p.s, p.dv);
      Value ok = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, rows[r],
                                       cIdx(b, p.s));
      auto guarded = scf::IfOp::create(b, ok, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(guarded.thenBlock());
      for (int64_t nt = 0; nt < oTiles; ++nt) {
        Value idx = ix.addOffset(outBase, quad2, nt * 8);
        Value v0 = arith::MulFOp::create(b, loop.getResult(4 + nt * 4 + 2 * r),
                                         factor);
        Value v1 = arith::MulFOp::create(
            b, loop.getResult(4 + nt * 4 + 2 * r + 1), factor);
        v0 = gateElement(b, p, a, v0, idx);
        v1 =
            gateElement(b, p, a, v1, arith::AddIOp::create(b, idx, cIdx(b, 1)));
        Value pair = vector::FromElementsOp::create(
            b, VectorType::get({2}, b.getF32Type()), ValueRange{v0, v1});
        storeF32Vector(b, pair, a.out, idx);
      }
    }
  }

  ImplicitLocOpBuilder &b;
  IndexMath ix{b};
  const AttentionProblem &p;
  Value kSmem, vtSmem;
  AttentionArgs a;
  Type elt;
  const int64_t kSteps;  // k-steps of S = Q·Kᵀ
  const int64_t oTiles;  // n-tiles of O
  const int64_t kStride; // smem K row
  // Coordinates.
  Value tid, group, quad2, head, batch, kvHead, q0;
  Value rows[2];
  Value kHeadBase, vHeadBase;
  SmallVector<SmallVector<Value, 4>> qFrag;
};

struct AttentionToGPU : OpRewritePattern<AttentionOp> {
  AttentionToGPU(MLIRContext *ctx, const TargetInfo &target)
      : OpRewritePattern(ctx), target(target) {}

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasStaticOperands(op))
      return rewriter.notifyMatchFailure(op,
                                         "dynamic shapes are not supported");
    auto qType = cast<RankedTensorType>(op.getQ().getType());
    auto kType = cast<RankedTensorType>(op.getK().getType());
    auto vType = cast<RankedTensorType>(op.getV().getType());
    AttentionProblem p;
    p.batch = qType.getDimSize(0);
    p.hq = qType.getDimSize(1);
    p.s = qType.getDimSize(2);
    p.d = qType.getDimSize(3);
    p.hkv = kType.getDimSize(1);
    p.t = kType.getDimSize(2);
    p.dv = vType.getDimSize(3);
    if (p.batch * p.hq * p.s * p.t * p.d * p.dv == 0)
      return rewriter.notifyMatchFailure(op, "empty tensor");
    p.causal = op.getCausal();
    p.scaleLog2 = static_cast<float>(op.getScaleValue() * M_LOG2E);
    p.gateKind = op.getGateKind();
    p.softmax = op.getSoftmax();
    p.qElt = qType.getElementType();
    p.kElt = kType.getElementType();
    p.vElt = vType.getElementType();
    p.resultType = cast<RankedTensorType>(op.getType());

    bool tensorCores = useTensorCores(p, target);
    Location loc = op.getLoc();
    SmallVector<Value> args;
    for (Value operand : {op.getQ(), op.getK(), op.getV()})
      args.push_back(flatBufferOf(rewriter, loc, operand));
    if (Value g = op.getGate())
      args.push_back(flatBufferOf(rewriter, loc, g));
    if (Value s = op.getSinks())
      args.push_back(flatBufferOf(rewriter, loc, s));
    ResultBuffer out = allocResult(rewriter, loc, p.resultType);
    args.push_back(out.flat);

    LaunchConfig config;
    SmallVector<Type> workgroup;
    if (tensorCores) {
      config.blockSize = kWarps * TargetInfo::kWarpSize;
      config.gridSize = llvm::divideCeil(p.s, kBr) * p.hq * p.batch;
      MLIRContext *ctx = rewriter.getContext();
      workgroup.push_back(workgroupBufferType(ctx, kBc * (p.d + kPad), p.kElt));
      workgroup.push_back(
          workgroupBufferType(ctx, p.dv * (kBc + kPad), p.vElt));
    } else {
      config.blockSize = kGeneralRowsPerBlock * TargetInfo::kWarpSize;
      config.gridSize =
          llvm::divideCeil(p.s, kGeneralRowsPerBlock) * p.hq * p.batch;
    }
    emitKernel(rewriter, op, tensorCores ? "attention_mma" : "attention", args,
               workgroup, config,
               [&](ImplicitLocOpBuilder &b, gpu::GPUFuncOp func) {
                 if (tensorCores)
                   TensorCoreAttentionBuilder(
                       b, func, p, func.getWorkgroupAttributions()[0],
                       func.getWorkgroupAttributions()[1])
                       .build();
                 else
                   buildGeneralKernel(b, func, p);
               });
    rewriter.replaceOp(op, out.tensor);
    return success();
  }

  TargetInfo target;
};

} // namespace

void mlir::rescale::nvptx::populateAttentionToGPUPatterns(
    RewritePatternSet &patterns, const TargetInfo &target) {
  patterns.add<AttentionToGPU>(patterns.getContext(), target);
}
