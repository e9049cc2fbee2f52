//===- ElementwiseToGPU.cpp - glue between the rescale kernels ------------===//
//
// The elementwise glue of a model (residual adds, the SwiGLU product, casts)
// and data movement (transposes, broadcasts) arrive as linalg.generic ops
// with only parallel loops and projected-permutation indexing maps (the
// pipeline turns arith/math on tensors and named linalg ops into that form,
// and fuses producer/consumer chains first, so a SwiGLU is one op). Each
// becomes one kernel: a thread per iteration point, indices delinearized
// from the thread id, every operand read at its indexing map, the payload
// cloned on scalars, and the results stored once.
//
//===----------------------------------------------------------------------===//

#include "lowering/NVPTX/KernelBuilder.h"
#include "lowering/NVPTX/NVPTXPatterns.h"
#include "lowering/NVPTX/TargetInfo.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace mlir::rescale::nvptx;

namespace {

constexpr int64_t kThreads = 256;

struct ElementwiseGenericToGPU : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "expects tensors");
    if (op.getNumReductionLoops() != 0)
      return rewriter.notifyMatchFailure(op, "has a reduction");
    for (AffineMap map : op.getIndexingMapsArray())
      if (!map.isProjectedPermutation())
        return rewriter.notifyMatchFailure(op, "non-permutation indexing");
    if (!hasStaticOperands(op))
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    // Values the payload captures from above must be constants: the kernel
    // is isolated from the host function, so they are cloned into it.
    SmallVector<Operation *> captured;
    for (Operation &inner : op.getBody()->without_terminator()) {
      if (inner.getNumRegions() != 0 || isa<linalg::IndexOp>(inner))
        return rewriter.notifyMatchFailure(op,
                                           "payload has regions or indices");
      for (Value v : inner.getOperands()) {
        if (op.getBody() == v.getParentBlock())
          continue;
        Operation *def = v.getDefiningOp();
        if (!def || !def->hasTrait<OpTrait::ConstantLike>())
          return rewriter.notifyMatchFailure(op,
                                             "payload captures a non-constant");
        captured.push_back(def);
      }
    }
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t total = 1;
    for (int64_t r : ranges)
      total *= r;
    if (total == 0)
      return rewriter.notifyMatchFailure(op, "empty iteration space");

    Location loc = op.getLoc();
    // Inputs, then the inits the payload reads, then fresh outputs.
    SmallVector<Value> args;
    SmallVector<OpOperand *> loaded;
    for (OpOperand &in : op->getOpOperands()) {
      bool isInit = op.isDpsInit(&in);
      if (isInit && !op.payloadUsesValueFromOperand(&in))
        continue;
      args.push_back(flatBufferOf(rewriter, loc, in.get()));
      loaded.push_back(&in);
    }
    SmallVector<Value> results;
    unsigned firstOut = args.size();
    for (Type t : op->getResultTypes()) {
      ResultBuffer r = allocResult(rewriter, loc, cast<RankedTensorType>(t));
      args.push_back(r.flat);
      results.push_back(r.tensor);
    }

    LaunchConfig config{static_cast<int64_t>(llvm::divideCeil(total, kThreads)),
                        kThreads, 0};
    auto body = [&](ImplicitLocOpBuilder &b, gpu::GPUFuncOp func) {
      Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
      Value bid = gpu::BlockIdOp::create(b, gpu::Dimension::x);
      Value i = arith::AddIOp::create(
          b, arith::MulIOp::create(b, bid, cIdx(b, kThreads)), tid);
      Value ok = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, i,
                                       cIdx(b, total));
      auto guarded = scf::IfOp::create(b, ok, /*withElseRegion=*/false);
      b.setInsertionPointToStart(guarded.thenBlock());
      // Loop indices, last loop fastest.
      SmallVector<Value> ivs(ranges.size());
      Value rest = i;
      for (int64_t d = ranges.size() - 1; d >= 0; --d) {
        ivs[d] = arith::RemUIOp::create(b, rest, cIdx(b, ranges[d]));
        rest = arith::DivUIOp::create(b, rest, cIdx(b, ranges[d]));
      }
      // Row-major flat index of an operand at its indexing map.
      auto flatIndex = [&](OpOperand *operand) {
        AffineMap map = op.getMatchingIndexingMap(operand);
        auto shape = cast<ShapedType>(operand->get().getType()).getShape();
        Value idx = cIdx(b, 0);
        for (auto [r, expr] : llvm::enumerate(map.getResults())) {
          unsigned dim = cast<AffineDimExpr>(expr).getPosition();
          idx = arith::AddIOp::create(
              b, arith::MulIOp::create(b, idx, cIdx(b, shape[r])), ivs[dim]);
        }
        return idx;
      };
      IRMapping mapping;
      for (Operation *constant : captured)
        if (!mapping.contains(constant->getResult(0)))
          b.clone(*constant, mapping);
      for (auto [k, operand] : llvm::enumerate(loaded)) {
        Value v = memref::LoadOp::create(b, func.getArgument(k),
                                         ValueRange{flatIndex(operand)});
        mapping.map(op.getMatchingBlockArgument(operand), v);
      }
      for (Operation &inner : op.getBody()->without_terminator())
        b.clone(inner, mapping);
      auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
      for (auto [j, value] : llvm::enumerate(yield.getValues())) {
        OpOperand *init = op.getDpsInitOperand(j);
        memref::StoreOp::create(b, mapping.lookupOrDefault(value),
                                func.getArgument(firstOut + j),
                                ValueRange{flatIndex(init)});
      }
    };
    emitKernel(rewriter, op, "elementwise", args, {}, config, body);
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::rescale::nvptx::populateElementwiseToGPUPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ElementwiseGenericToGPU>(patterns.getContext());
}
