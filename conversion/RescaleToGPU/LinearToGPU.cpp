//===- LinearToGPU.cpp - tensor-core matmul for rescale.linear ------------===//
//
// y[M, N] = x[M, K] · weight[N, K]ᵀ (+ bias[N]), with M the product of x's
// leading dims. Both operands are K-contiguous, which is exactly the
// row.col operand order of mma.sync: x rows are A fragments and weight rows
// are B fragments, with no transpose anywhere.
//
// * Tensor-core path (x and weight both bf16 or both f16, K % 8 == 0,
//   sm_80+): the schedule of MmaGemm.h (128 x 128 CTA tiles, 4 warps of
//   4 x 8 mma.sync m16n8k16 with f32 accumulators, 32-wide K tiles through
//   padded shared memory, ragged M, N and K). The bias is added in f32 in the
//   epilogue.
// * General path (f32 or mixed types): one thread per output, FMA over K.
//
// Quantized linears (a weight from rescale.dequantize) have their own
// pattern on the same schedule: QuantLinearToGPU.cpp.
//
//===----------------------------------------------------------------------===//

#include "conversion/RescaleToGPU/KernelBuilder.h"
#include "conversion/RescaleToGPU/MmaGemm.h"
#include "conversion/RescaleToGPU/NVPTXPatterns.h"
#include "conversion/RescaleToGPU/TargetInfo.h"

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

constexpr int64_t kGeneralThreads = 256;

} // namespace

static MmaKind mmaKindOf(Type elt) {
  return elt.isBF16() ? MmaKind::bf16 : MmaKind::f16;
}

static bool useTensorCores(const LinearProblem &p, const TargetInfo &target) {
  return target.hasMmaSyncBF16() && (p.xElt.isBF16() || p.xElt.isF16()) &&
         p.wElt == p.xElt && p.k % 8 == 0;
}

static Value toF32(ImplicitLocOpBuilder &b, Value v) {
  return v.getType().isF32()
             ? v
             : arith::ExtFOp::create(b, b.getF32Type(), v).getResult();
}

/// Stores one f32 value, converted to the buffer's element type.
static void storeF32(ImplicitLocOpBuilder &b, Value v, Value buf, Value idx) {
  Type elt = cast<MemRefType>(buf.getType()).getElementType();
  if (!elt.isF32())
    v = arith::TruncFOp::create(b, elt, v);
  memref::StoreOp::create(b, v, buf, ValueRange{idx});
}

/// The shared tensor-core schedule (MmaGemm.h) with both operands staged as
/// they are; the epilogue adds the bias in f32.
static void buildTensorCoreKernel(ImplicitLocOpBuilder &b, gpu::GPUFuncOp func,
                                  const LinearProblem &p,
                                  ArrayRef<GemmOperand> ops) {
  Value bias = p.hasBias ? func.getArgument(2) : Value();
  Value y = func.getArgument(p.hasBias ? 3 : 2);
  GemmHooks hooks;
  hooks.epilogue = [&](ImplicitLocOpBuilder &b, const GemmTile &, Value row,
                       Value col, Value v) {
    IndexMath ix(b);
    if (bias)
      v = arith::AddFOp::create(
          b, v, toF32(b, memref::LoadOp::create(b, bias, ValueRange{col})));
    storeF32(b, v, y, ix.mulAdd(row, p.n, col));
  };
  buildMmaGemm(b, mmaKindOf(p.xElt), p.m, p.n, p.k, ops[0], ops[1],
               func.getWorkgroupAttributions()[0],
               func.getWorkgroupAttributions()[1], hooks);
}

static void buildGeneralKernel(ImplicitLocOpBuilder &b, gpu::GPUFuncOp func,
                               const LinearProblem &p) {
  Value x = func.getArgument(0), w = func.getArgument(1);
  Value bias = p.hasBias ? func.getArgument(2) : Value();
  Value y = func.getArgument(p.hasBias ? 3 : 2);
  IndexMath ix(b);
  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value bid = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  Value i = ix.mulAdd(bid, kGeneralThreads, tid);
  Value ok = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, i,
                                   cIdx(b, p.m * p.n));
  auto guarded = scf::IfOp::create(b, ok, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(guarded.thenBlock());
  Value row = arith::DivUIOp::create(b, i, cIdx(b, p.n));
  Value col = arith::RemUIOp::create(b, i, cIdx(b, p.n));
  Value xBase = arith::MulIOp::create(b, row, cIdx(b, p.k));
  Value wBase = arith::MulIOp::create(b, col, cIdx(b, p.k));
  Value lb = cIdx(b, 0);
  Value ub = cIdx(b, p.k);
  Value step = cIdx(b, 1);
  Value zero = cF32(b, 0.0f);
  auto loop = scf::ForOp::create(b, lb, ub, step, ValueRange{zero});
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

namespace {

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
    SmallVector<Value> args;
    for (Value operand : {op.getX(), op.getWeight()})
      args.push_back(flatBufferOf(rewriter, loc, operand));
    if (p.hasBias)
      args.push_back(flatBufferOf(rewriter, loc, op.getBias()));
    ResultBuffer out = allocResult(rewriter, loc, outType);
    args.push_back(out.flat);

    bool tensorCores = useTensorCores(p, target);
    // The tensor-core operands: x rows and weight rows, staged as they are.
    SmallVector<GemmOperand, 2> ops(2);
    ops[0].rows = p.m;
    ops[1].rows = p.n;
    for (GemmOperand &o : ops) {
      o.rowUnits = p.k;
      o.smemElt = p.xElt;
    }
    LaunchConfig config;
    SmallVector<Type> workgroup;
    if (tensorCores) {
      config = gemmLaunchConfig(p.m, p.n);
      workgroup = gemmWorkgroupTypes(rewriter.getContext(), mmaKindOf(p.xElt),
                                     ops[0], ops[1]);
    } else {
      config.blockSize = kGeneralThreads;
      config.gridSize = llvm::divideCeil(p.m * p.n, kGeneralThreads);
    }
    emitKernel(rewriter, op, tensorCores ? "linear_mma" : "linear", args,
               workgroup, config,
               [&](ImplicitLocOpBuilder &b, gpu::GPUFuncOp func) {
                 if (tensorCores) {
                   ops[0].buffer = func.getArgument(0);
                   ops[1].buffer = func.getArgument(1);
                   buildTensorCoreKernel(b, func, p, ops);
                 } else {
                   buildGeneralKernel(b, func, p);
                 }
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
