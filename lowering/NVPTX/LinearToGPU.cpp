//===- LinearToGPU.cpp - tensor-core matmul for rescale.linear ------------===//
//
// y[M, N] = x[M, K] · weight[N, K]ᵀ (+ bias[N]), with M the product of x's
// leading dims. Both operands are K-contiguous, which is exactly the
// row.col operand order of mma.sync: x rows are A fragments and weight rows
// are B fragments, with no transpose anywhere.
//
// * Tensor-core path (x and weight both bf16 or both f16, K % 8 == 0,
//   sm_80+): a CTA of 4 warps (2 x 2) computes a 128 x 128 tile of y, each
//   warp 64 x 64 as 4 x 8 mma.sync m16n8k16 accumulators (f32). K advances in
//   32-wide tiles staged through shared memory with 16-byte loads; rows are
//   padded by 8 elements so fragment reads are bank-conflict free. Ragged M,
//   N and K are clamped on load (K past the end reads zeros) and guarded on
//   store. The bias is added in f32 in the epilogue.
// * General path (f32 or mixed types): one thread per output, FMA over K.
//
// Quantized linears (W8A8 int8 MMA, W4A4, FP8/NVFP4/MXFP4 dequantized to
// bf16 in registers) are not written yet.
//
//===----------------------------------------------------------------------===//

#include "lowering/NVPTX/KernelBuilder.h"
#include "lowering/NVPTX/NVPTXPatterns.h"
#include "lowering/NVPTX/TargetInfo.h"

#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::nvptx;

namespace {

struct LinearProblem {
  int64_t m = 0, n = 0, k = 0;
  Type xElt, wElt, outElt;
  bool hasBias = false;
};

constexpr int64_t kTileM = 128, kTileN = 128, kTileK = 32;
constexpr int64_t kWarpTile = 64; // each of the 2 x 2 warps: 64 x 64
constexpr int64_t kPadK = 8;      // smem row padding (elements)
constexpr int64_t kThreads = 128;
constexpr int64_t kGeneralThreads = 256;

bool useTensorCores(const LinearProblem &p, const TargetInfo &target) {
  return target.hasMmaSyncBF16() && (p.xElt.isBF16() || p.xElt.isF16()) &&
         p.wElt == p.xElt && p.k % 8 == 0;
}

Value toF32(ImplicitLocOpBuilder &b, Value v) {
  return v.getType().isF32()
             ? v
             : arith::ExtFOp::create(b, b.getF32Type(), v).getResult();
}

/// Stores one f32 value, converted to the buffer's element type.
void storeF32(ImplicitLocOpBuilder &b, Value v, Value buf, Value idx) {
  Type elt = cast<MemRefType>(buf.getType()).getElementType();
  if (!elt.isF32())
    v = arith::TruncFOp::create(b, elt, v);
  memref::StoreOp::create(b, v, buf, ValueRange{idx});
}

void buildTensorCoreKernel(ImplicitLocOpBuilder &b, gpu::GPUFuncOp func,
                           const LinearProblem &p, Value aSmem, Value bSmem) {
  Value x = func.getArgument(0), w = func.getArgument(1);
  Value bias = p.hasBias ? func.getArgument(2) : Value();
  Value y = func.getArgument(p.hasBias ? 3 : 2);
  Type elt = p.xElt;
  const int64_t stride = kTileK + kPadK;
  const int64_t mTiles = kWarpTile / 16, nTiles = kWarpTile / 8;
  int64_t gridN = llvm::divideCeil(p.n, kTileN);

  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value bid = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  Value lane = arith::RemUIOp::create(b, tid, cIdx(b, 32));
  Value warpId = arith::DivUIOp::create(b, tid, cIdx(b, 32));
  Value group = arith::DivUIOp::create(b, lane, cIdx(b, 4));
  Value quad2 = arith::MulIOp::create(
      b, arith::RemUIOp::create(b, lane, cIdx(b, 4)), cIdx(b, 2));
  Value m0 = arith::MulIOp::create(
      b, arith::DivUIOp::create(b, bid, cIdx(b, gridN)), cIdx(b, kTileM));
  Value n0 = arith::MulIOp::create(
      b, arith::RemUIOp::create(b, bid, cIdx(b, gridN)), cIdx(b, kTileN));
  // Warp (wm, wn) of the 2 x 2 grid owns rows wm·64.. and columns wn·64.. of
  // the CTA tile.
  Value wm = arith::MulIOp::create(
      b, arith::DivUIOp::create(b, warpId, cIdx(b, 2)), cIdx(b, kWarpTile));
  Value wn = arith::MulIOp::create(
      b, arith::RemUIOp::create(b, warpId, cIdx(b, 2)), cIdx(b, kWarpTile));

  SmallVector<Value> init(mTiles * nTiles * 4, cF32(b, 0.0f));
  auto loop = scf::ForOp::create(
      b, cIdx(b, 0), cIdx(b, llvm::divideCeil(p.k, kTileK)), cIdx(b, 1), init);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    Value k0 =
        arith::MulIOp::create(b, loop.getInductionVar(), cIdx(b, kTileK));
    gpu::BarrierOp::create(b);
    // Stage x[m0.., k0..] and w[n0.., k0..]: 128 rows x 4 vectors of 8.
    auto vec8 = VectorType::get({8}, elt);
    Value zero8 = arith::ConstantOp::create(
        b, vec8, DenseElementsAttr::get(vec8, b.getZeroAttr(elt)));
    auto stage = [&](Value src, Value base, int64_t rows, Value dst) {
      for (int64_t it = 0; it < kTileM * kTileK / 8 / kThreads; ++it) {
        Value v = arith::AddIOp::create(b, tid, cIdx(b, it * kThreads));
        Value r = arith::DivUIOp::create(b, v, cIdx(b, kTileK / 8));
        Value c = arith::MulIOp::create(
            b, arith::RemUIOp::create(b, v, cIdx(b, kTileK / 8)), cIdx(b, 8));
        Value row = arith::MinUIOp::create(b, arith::AddIOp::create(b, base, r),
                                           cIdx(b, rows - 1));
        Value col = arith::AddIOp::create(b, k0, c);
        Value inK = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, col,
                                          cIdx(b, p.k));
        Value safeCol = arith::SelectOp::create(b, inK, col, cIdx(b, 0));
        Value gIdx = arith::AddIOp::create(
            b, arith::MulIOp::create(b, row, cIdx(b, p.k)), safeCol);
        Value data = vector::LoadOp::create(b, vec8, src, ValueRange{gIdx},
                                            false, llvm::MaybeAlign(16));
        data = arith::SelectOp::create(b, inK, data, zero8);
        Value sIdx = arith::AddIOp::create(
            b, arith::MulIOp::create(b, r, cIdx(b, stride)), c);
        vector::StoreOp::create(b, data, dst, ValueRange{sIdx}, false,
                                llvm::MaybeAlign(16));
      }
    };
    stage(x, m0, p.m, aSmem);
    stage(w, n0, p.n, bSmem);
    gpu::BarrierOp::create(b);

    SmallVector<Value> acc(loop.getRegionIterArgs().begin(),
                           loop.getRegionIterArgs().end());
    for (int64_t kk = 0; kk < kTileK / 16; ++kk) {
      Value kOff = arith::AddIOp::create(b, quad2, cIdx(b, kk * 16));
      SmallVector<SmallVector<Value, 4>> aFrag(mTiles);
      for (int64_t mt = 0; mt < mTiles; ++mt)
        for (int slot = 0; slot < 4; ++slot) {
          Value row =
              arith::AddIOp::create(b, arith::AddIOp::create(b, wm, group),
                                    cIdx(b, mt * 16 + (slot % 2) * 8));
          Value idx = arith::AddIOp::create(
              b, arith::MulIOp::create(b, row, cIdx(b, stride)),
              arith::AddIOp::create(b, kOff, cIdx(b, (slot / 2) * 8)));
          aFrag[mt].push_back(loadMmaPair(b, aSmem, idx));
        }
      for (int64_t nt = 0; nt < nTiles; ++nt) {
        Value row = arith::AddIOp::create(
            b, arith::AddIOp::create(b, wn, group), cIdx(b, nt * 8));
        Value base = arith::AddIOp::create(
            b, arith::MulIOp::create(b, row, cIdx(b, stride)), kOff);
        Value b0 = loadMmaPair(b, bSmem, base);
        Value b1 =
            loadMmaPair(b, bSmem, arith::AddIOp::create(b, base, cIdx(b, 8)));
        for (int64_t mt = 0; mt < mTiles; ++mt)
          mmaSync16816(
              b, elt, aFrag[mt], {b0, b1},
              MutableArrayRef<Value>(acc.data() + (mt * nTiles + nt) * 4, 4));
      }
    }
    scf::YieldOp::create(b, acc);
  }

  // Epilogue: + bias, convert, store the C fragments (pairs of columns).
  for (int64_t mt = 0; mt < mTiles; ++mt)
    for (int64_t nt = 0; nt < nTiles; ++nt)
      for (int half = 0; half < 2; ++half) {
        Value row = arith::AddIOp::create(
            b,
            arith::AddIOp::create(b, m0, arith::AddIOp::create(b, wm, group)),
            cIdx(b, mt * 16 + half * 8));
        Value col = arith::AddIOp::create(
            b,
            arith::AddIOp::create(b, n0, arith::AddIOp::create(b, wn, quad2)),
            cIdx(b, nt * 8));
        for (int e = 0; e < 2; ++e) {
          Value c = arith::AddIOp::create(b, col, cIdx(b, e));
          Value ok = arith::AndIOp::create(
              b,
              arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row,
                                    cIdx(b, p.m)),
              arith::CmpIOp::create(b, arith::CmpIPredicate::ult, c,
                                    cIdx(b, p.n)));
          auto guarded = scf::IfOp::create(b, ok, /*withElseRegion=*/false);
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPointToStart(guarded.thenBlock());
          Value v = loop.getResult((mt * nTiles + nt) * 4 + half * 2 + e);
          if (bias)
            v = arith::AddFOp::create(
                b, v, toF32(b, memref::LoadOp::create(b, bias, ValueRange{c})));
          storeF32(b, v, y,
                   arith::AddIOp::create(
                       b, arith::MulIOp::create(b, row, cIdx(b, p.n)), c));
        }
      }
}

void buildGeneralKernel(ImplicitLocOpBuilder &b, gpu::GPUFuncOp func,
                        const LinearProblem &p) {
  Value x = func.getArgument(0), w = func.getArgument(1);
  Value bias = p.hasBias ? func.getArgument(2) : Value();
  Value y = func.getArgument(p.hasBias ? 3 : 2);
  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value bid = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  Value i = arith::AddIOp::create(
      b, arith::MulIOp::create(b, bid, cIdx(b, kGeneralThreads)), tid);
  Value ok = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, i,
                                   cIdx(b, p.m * p.n));
  auto guarded = scf::IfOp::create(b, ok, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(guarded.thenBlock());
  Value row = arith::DivUIOp::create(b, i, cIdx(b, p.n));
  Value col = arith::RemUIOp::create(b, i, cIdx(b, p.n));
  Value xBase = arith::MulIOp::create(b, row, cIdx(b, p.k));
  Value wBase = arith::MulIOp::create(b, col, cIdx(b, p.k));
  auto loop = scf::ForOp::create(b, cIdx(b, 0), cIdx(b, p.k), cIdx(b, 1),
                                 ValueRange{cF32(b, 0.0f)});
  {
    OpBuilder::InsertionGuard lg(b);
    b.setInsertionPointToStart(loop.getBody());
    Value kk = loop.getInductionVar();
    Value xv =
        toF32(b, memref::LoadOp::create(
                     b, x, ValueRange{arith::AddIOp::create(b, xBase, kk)}));
    Value wv =
        toF32(b, memref::LoadOp::create(
                     b, w, ValueRange{arith::AddIOp::create(b, wBase, kk)}));
    scf::YieldOp::create(b, ValueRange{math::FmaOp::create(
                                b, xv, wv, loop.getRegionIterArg(0))});
  }
  Value v = loop.getResult(0);
  if (bias)
    v = arith::AddFOp::create(
        b, v, toF32(b, memref::LoadOp::create(b, bias, ValueRange{col})));
  storeF32(b, v, y, i);
}

struct LinearToGPU : OpRewritePattern<LinearOp> {
  LinearToGPU(MLIRContext *ctx, const TargetInfo &target)
      : OpRewritePattern(ctx), target(target) {}

  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasStaticOperands(op))
      return rewriter.notifyMatchFailure(op,
                                         "dynamic shapes are not supported");
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    LinearProblem p;
    p.k = xType.getShape().back();
    p.n = wType.getDimSize(0);
    p.m = p.k ? xType.getNumElements() / p.k : 0;
    if (p.m * p.n * p.k == 0)
      return rewriter.notifyMatchFailure(op, "empty tensor");
    p.xElt = xType.getElementType();
    p.wElt = wType.getElementType();
    p.outElt = outType.getElementType();
    p.hasBias = static_cast<bool>(op.getBias());

    Location loc = op.getLoc();
    SmallVector<Value> args = {flatBufferOf(rewriter, loc, op.getX()),
                               flatBufferOf(rewriter, loc, op.getWeight())};
    if (p.hasBias)
      args.push_back(flatBufferOf(rewriter, loc, op.getBias()));
    ResultBuffer out = allocResult(rewriter, loc, outType);
    args.push_back(out.flat);

    bool tensorCores = useTensorCores(p, target);
    LaunchConfig config;
    SmallVector<Type> workgroup;
    if (tensorCores) {
      config.blockSize = kThreads;
      config.gridSize =
          llvm::divideCeil(p.m, kTileM) * llvm::divideCeil(p.n, kTileN);
      for (int i = 0; i < 2; ++i)
        workgroup.push_back(workgroupBufferType(
            rewriter.getContext(), kTileM * (kTileK + kPadK), p.xElt));
    } else {
      config.blockSize = kGeneralThreads;
      config.gridSize = llvm::divideCeil(p.m * p.n, kGeneralThreads);
    }
    emitKernel(rewriter, op, tensorCores ? "linear_mma" : "linear", args,
               workgroup, config,
               [&](ImplicitLocOpBuilder &b, gpu::GPUFuncOp func) {
                 if (tensorCores)
                   buildTensorCoreKernel(b, func, p,
                                         func.getWorkgroupAttributions()[0],
                                         func.getWorkgroupAttributions()[1]);
                 else
                   buildGeneralKernel(b, func, p);
               });
    rewriter.replaceOp(op, out.tensor);
    return success();
  }

  TargetInfo target;
};

} // namespace

void mlir::rescale::nvptx::populateLinearToGPUPatterns(
    RewritePatternSet &patterns, const TargetInfo &target) {
  patterns.add<LinearToGPU>(patterns.getContext(), target);
}
