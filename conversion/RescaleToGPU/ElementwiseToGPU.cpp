//===- ElementwiseToGPU.cpp - linalg ops as one-thread-per-point kernels --===//
//
// Two kinds of linalg reach the NVPTX path and must not run on the host,
// whose buffers are device memory there:
//   * the glue of a model (residual adds, the SwiGLU product, casts,
//     transposes, broadcasts), as all-parallel linalg.generic ops (the
//     pipeline turns arith/math on tensors and named ops into that form and
//     fuses producer/consumer chains first, so a SwiGLU is one op);
//   * the reference decomposition (ToLinalg/*ToLinalg.cpp) of the rescale ops
//     no hand-scheduled kernel takes (quantization, clip, the probes):
//     generics with reduction loops (group maxima, row sums), linalg.fill
//     accumulator inits, and payloads reading linalg.index.
// Each linalg op becomes one kernel: a thread per point of its parallel
// loops, indices delinearized from the thread id, every operand read at its
// indexing map (inputs: any affine function of the indices), the payload
// cloned on scalars. The reduction loops run serially in that thread, nested
// in loop order and starting from the init operand's value: exactly the order
// of the CPU path's linalg-to-loops, so the results are bit-identical to it
// (floating-point sums included). A reduction whose result does not depend
// on the order (a maximum or minimum: the group maxima of the quantization
// scales) over 64 points or more gets a warp per output element instead:
// strided lanes, then a butterfly of shuffles; the same bits, coalesced.
//
//===----------------------------------------------------------------------===//

#include "conversion/RescaleToGPU/KernelBuilder.h"
#include "conversion/RescaleToGPU/NVPTXPatterns.h"
#include "conversion/RescaleToGPU/TargetInfo.h"

#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::rescale::nvptx;

namespace {

constexpr int64_t kMaxThreads = 256;
constexpr int64_t kWarpSize = TargetInfo::kWarpSize;
/// Order-free reductions over at least this many points get a warp each.
constexpr int64_t kWarpReductionMinSize = 64;

} // namespace

/// The constant op defining a scalar value, if any.
static Operation *scalarConstant(Value v) {
  Operation *def = v.getDefiningOp();
  if (def && def->hasTrait<OpTrait::ConstantLike>() &&
      !isa<ShapedType>(v.getType()))
    return def;
  return nullptr;
}

/// A scalar the kernel can rebuild on its own: a constant, or the constant
/// every element of a splat holds (a `linalg.fill` of a constant, or the
/// all-parallel generic the pipeline generalizes it to: a reduction's init),
/// so the kernel needs neither a buffer nor a kernel of its own for it.
static Operation *constantSource(Value v) {
  auto splat = v.getDefiningOp<linalg::LinalgOp>();
  if (!splat)
    return scalarConstant(v);
  if (splat->getNumResults() != 1 ||
      splat.getNumLoops() != splat.getNumParallelLoops())
    return nullptr;
  Value yielded = splat.getBlock()->getTerminator()->getOperand(0);
  if (yielded.getType() != getElementTypeOrSelf(v.getType()))
    return nullptr;
  // The payload yields an input's element: that input must be a constant.
  if (auto arg = dyn_cast<BlockArgument>(yielded)) {
    if (arg.getOwner() != splat.getBlock() ||
        arg.getArgNumber() >= splat.getNumDpsInputs())
      return nullptr;
    return scalarConstant(splat.getDpsInputOperand(arg.getArgNumber())->get());
  }
  return scalarConstant(yielded);
}

/// The combiner of a reduction whose result does not depend on the order in
/// which the points are combined: one output, accumulated by exactly
/// `acc = maximumf(acc, v)` or `minimumf` (NaN-absorbing, +0 above -0: a
/// total order, so any grouping gives the same bits). The group maxima of
/// the quantization scales are such reductions. Null for any other, whose
/// reduction loops must run serially in the CPU loops' order.
static Operation *orderFreeCombiner(linalg::LinalgOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return nullptr;
  Block *payload = op.getBlock();
  Operation *combiner = payload->getTerminator()->getOperand(0).getDefiningOp();
  if (!combiner || combiner->getBlock() != payload ||
      !isa<arith::MaximumFOp, arith::MinimumFOp>(combiner))
    return nullptr;
  BlockArgument acc = op.getMatchingBlockArgument(op.getDpsInitOperand(0));
  if (!acc.hasOneUse() || *acc.getUsers().begin() != combiner)
    return nullptr;
  return combiner;
}

/// Why `op` cannot become one generic kernel, or null when it can. Fills
/// `captured` with the constants its payload reads from above.
static const char *unsupportedReason(linalg::LinalgOp op,
                                     SmallVectorImpl<Operation *> &captured) {
  if (!op.hasPureTensorSemantics())
    return "expects tensors";
  if (!hasStaticOperands(op))
    return "dynamic shapes";
  // Inputs may be read at any affine function of the loop indices (GQA
  // reads head h's K at h floordiv group); each output element is written
  // once, by the thread of its parallel point, after its reductions.
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (map.getNumSymbols() != 0)
      return "indexing map with symbols";
    if (!op.isDpsInit(&operand))
      continue;
    if (!map.isProjectedPermutation() ||
        map.getNumResults() != op.getNumParallelLoops())
      return "output not indexed by exactly the parallel loops";
    for (AffineExpr e : map.getResults())
      if (iterators[cast<AffineDimExpr>(e).getPosition()] !=
          utils::IteratorType::parallel)
        return "output indexed by a reduction loop";
  }
  // Values the payload captures from above (the yield included: a fill
  // generalized and folded yields a constant) must be constants: the
  // kernel is isolated from the host function, so they are cloned into it.
  Block *payload = op.getBlock();
  for (Operation &inner : *payload) {
    if (inner.getNumRegions() != 0)
      return "payload has regions";
    for (Value v : inner.getOperands()) {
      if (v.getParentBlock() == payload)
        continue;
      Operation *def = v.getDefiningOp();
      if (!def || !def->hasTrait<OpTrait::ConstantLike>())
        return "payload captures a non-constant";
      captured.push_back(def);
    }
  }
  return nullptr;
}

namespace {

/// How one operand reaches the kernel.
struct OperandSource {
  enum Kind { Buffer, Scalar, Constant, Unread } kind;
  /// Buffer, Scalar: the kernel argument; Constant: the op to clone.
  unsigned argument = 0;
  Operation *constant = nullptr;
};

/// What the pattern decides about an op before its kernel is built.
struct GenericKernelPlan {
  /// Constants the payload reads from above (cloned into the kernel).
  SmallVector<Operation *> captured;
  SmallVector<int64_t> ranges;
  SmallVector<unsigned> parallelDims, reductionDims;
  /// How each operand reaches the kernel, by operand number.
  SmallVector<OperandSource> sources;
  /// The kernel argument of the first result buffer.
  unsigned firstOut = 0;
  int64_t reductionSize = 1;
  /// The order-free combiner, when a warp reduces each point.
  Operation *combiner = nullptr;
  /// Threads per parallel point (1 or a warp), threads in all, per block.
  int64_t lanes = 1, workers = 0, threads = 0;
};

/// The body of one generic kernel: a thread (or a warp, for an order-free
/// reduction) per parallel point, the reduction loops in the CPU loops'
/// order, the payload cloned at each point. Ops are created in the order of
/// `build`: coordinates, captured constants, then the warp reduction or
/// the serial loop nest and the stores.
class GenericKernelBuilder {
public:
  GenericKernelBuilder(ImplicitLocOpBuilder &b, gpu::GPUFuncOp func,
                       linalg::LinalgOp op, const GenericKernelPlan &plan)
      : b(b), func(func), op(op), plan(plan), ivs(plan.ranges.size()) {}

  void build() {
    computeParallelIndices();
    for (Operation *c : plan.captured)
      if (!constants.contains(c->getResult(0)))
        b.clone(*c, constants);
    if (plan.lanes != 1)
      buildWarpReduction();
    else
      buildSerial();
  }

private:
  /// The guarded thread of parallel point `point` (and its lane), and the
  /// parallel loop indices, last loop fastest.
  void computeParallelIndices() {
    Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
    Value bid = gpu::BlockIdOp::create(b, gpu::Dimension::x);
    Value i = ix.mulAdd(bid, plan.threads, tid);
    // With a warp per point, `workers` is whole warps: the guard is
    // uniform across each warp, as its shuffles need.
    Value ok = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, i,
                                     cIdx(b, plan.workers));
    auto guarded = scf::IfOp::create(b, ok, /*withElseRegion=*/false);
    b.setInsertionPointToStart(guarded.thenBlock());
    Value point = i;
    if (plan.lanes != 1) {
      point = arith::DivUIOp::create(b, i, cIdx(b, plan.lanes));
      lane = arith::RemUIOp::create(b, i, cIdx(b, plan.lanes));
    }
    Value rest = point;
    for (unsigned d : llvm::reverse(plan.parallelDims)) {
      ivs[d] = arith::RemUIOp::create(b, rest, cIdx(b, plan.ranges[d]));
      rest = arith::DivUIOp::create(b, rest, cIdx(b, plan.ranges[d]));
    }
  }

  /// Row-major flat index of an operand at its indexing map.
  Value flatIndex(OpOperand &operand) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    auto shape = cast<ShapedType>(operand.get().getType()).getShape();
    Value idx = cIdx(b, 0);
    for (auto [r, expr] : llvm::enumerate(map.getResults())) {
      Value at = isa<AffineDimExpr>(expr)
                     ? ivs[cast<AffineDimExpr>(expr).getPosition()]
                     : affine::expandAffineExpr(b, b.getLoc(), expr, ivs,
                                                ValueRange{});
      idx = ix.mulAdd(idx, shape[r], at);
    }
    return idx;
  }

  /// An operand's element at the current indices.
  Value read(OpOperand &operand) {
    const OperandSource &src = plan.sources[operand.getOperandNumber()];
    switch (src.kind) {
    case OperandSource::Buffer:
      return memref::LoadOp::create(b, func.getArgument(src.argument),
                                    ValueRange{flatIndex(operand)});
    case OperandSource::Scalar:
      return func.getArgument(src.argument);
    case OperandSource::Constant:
      return b.clone(*src.constant)->getResult(0);
    case OperandSource::Unread:
      return arith::ConstantOp::create(
          b, cast<TypedAttr>(
                 b.getZeroAttr(getElementTypeOrSelf(operand.get().getType()))));
    }
    llvm_unreachable("unknown operand source");
  }

  /// The payload at the current indices, with `accs` as the values of the
  /// init block arguments; returns the yielded values.
  SmallVector<Value> runPayload(ValueRange accs) {
    IRMapping mapping = constants;
    for (OpOperand *in : op.getDpsInputOperands())
      if (op.payloadUsesValueFromOperand(in))
        mapping.map(op.getMatchingBlockArgument(in), read(*in));
    for (auto [j, init] : llvm::enumerate(op.getDpsInitsMutable()))
      if (accs[j])
        mapping.map(op.getMatchingBlockArgument(&init), accs[j]);
    Block *payload = op.getBlock();
    for (Operation &inner : payload->without_terminator()) {
      if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
        mapping.map(index.getResult(), ivs[index.getDim()]);
        continue;
      }
      b.clone(inner, mapping);
    }
    SmallVector<Value> yielded;
    for (Value v : payload->getTerminator()->getOperands())
      yielded.push_back(mapping.lookupOrDefault(v));
    return yielded;
  }

  /// The reduction loops from the `k`-th, outermost first (the CPU loops'
  /// order), carrying the accumulators.
  SmallVector<Value> nest(unsigned k, ValueRange accs) {
    if (k == plan.reductionDims.size())
      return runPayload(accs);
    unsigned d = plan.reductionDims[k];
    Value lb = cIdx(b, 0);
    Value ub = cIdx(b, plan.ranges[d]);
    Value step = cIdx(b, 1);
    auto loop = scf::ForOp::create(b, lb, ub, step, accs);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    ivs[d] = loop.getInductionVar();
    scf::YieldOp::create(b, nest(k + 1, loop.getRegionIterArgs()));
    return SmallVector<Value>(loop.getResults());
  }

  /// Each lane from the init (max/min are idempotent, so every lane may
  /// start from it) over the reduction points lane, lane + 32, ... (indices
  /// delinearized, last reduction loop fastest), then the butterfly; lane 0
  /// stores.
  void buildWarpReduction() {
    OpOperand &init = *op.getDpsInitOperand(0);
    Value start = read(init);
    Value end = cIdx(b, plan.reductionSize);
    Value step = cIdx(b, plan.lanes);
    auto loop = scf::ForOp::create(b, lane, end, step, ValueRange{start});
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value r = loop.getInductionVar();
      for (unsigned d : llvm::reverse(plan.reductionDims)) {
        ivs[d] = arith::RemUIOp::create(b, r, cIdx(b, plan.ranges[d]));
        r = arith::DivUIOp::create(b, r, cIdx(b, plan.ranges[d]));
      }
      scf::YieldOp::create(b, runPayload(loop.getRegionIterArgs()));
    }
    Value acc = loop.getResult(0);
    for (int64_t offset = plan.lanes / 2; offset > 0; offset /= 2) {
      Value other = shuffleXor(b, b.getLoc(), acc, offset);
      IRMapping combine;
      combine.map(plan.combiner->getOperand(0), acc);
      combine.map(plan.combiner->getOperand(1), other);
      acc = b.clone(*plan.combiner, combine)->getResult(0);
    }
    Value first =
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane, cIdx(b, 0));
    auto store = scf::IfOp::create(b, first, /*withElseRegion=*/false);
    b.setInsertionPointToStart(store.thenBlock());
    memref::StoreOp::create(b, acc, func.getArgument(plan.firstOut),
                            ValueRange{flatIndex(init)});
  }

  /// One thread: the inits (or nothing where unread and nothing is
  /// reduced), the loop nest, the stores.
  void buildSerial() {
    SmallVector<Value> inits;
    for (OpOperand &init : op.getDpsInitsMutable())
      inits.push_back(plan.sources[init.getOperandNumber()].kind ==
                                  OperandSource::Unread &&
                              plan.reductionDims.empty()
                          ? Value()
                          : read(init));
    SmallVector<Value> finals = nest(0, inits);
    for (auto [j, init] : llvm::enumerate(op.getDpsInitsMutable()))
      memref::StoreOp::create(b, finals[j], func.getArgument(plan.firstOut + j),
                              ValueRange{flatIndex(init)});
  }

  ImplicitLocOpBuilder &b;
  IndexMath ix{b};
  gpu::GPUFuncOp func;
  linalg::LinalgOp op;
  const GenericKernelPlan &plan;
  // Set while building.
  SmallVector<Value> ivs;
  Value lane;
  IRMapping constants;
};

/// One kernel for a linalg op on static tensors whose outputs are indexed by
/// its parallel loops: see the file header.
struct LinalgToGPU : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    GenericKernelPlan plan;
    if (const char *reason = unsupportedReason(op, plan.captured))
      return rewriter.notifyMatchFailure(op, reason);

    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    plan.ranges = op.getStaticLoopRanges();
    int64_t points = 1;
    for (auto [d, it] : llvm::enumerate(iterators)) {
      if (it == utils::IteratorType::parallel) {
        plan.parallelDims.push_back(d);
        points *= plan.ranges[d];
      } else {
        plan.reductionDims.push_back(d);
      }
    }

    Location loc = op.getLoc();
    SmallVector<Value> results;
    SmallVector<Value> outBuffers;
    for (Type t : op->getResultTypes()) {
      ResultBuffer r = allocResult(rewriter, loc, cast<RankedTensorType>(t));
      outBuffers.push_back(r.flat);
      results.push_back(r.tensor);
    }
    // Nothing to compute: the results are empty tensors.
    if (points == 0) {
      rewriter.replaceOp(op, results);
      return success();
    }

    // Kernel arguments: the operands the payload reads (by buffer, by value,
    // or rebuilt as constants), then the result buffers.
    SmallVector<Value> args;
    for (OpOperand &operand : op->getOpOperands()) {
      bool isInit = op.isDpsInit(&operand);
      if (isInit && plan.reductionDims.empty() &&
          !op.payloadUsesValueFromOperand(&operand)) {
        plan.sources.push_back({OperandSource::Unread});
        continue;
      }
      if (Operation *c = constantSource(operand.get())) {
        plan.sources.push_back({OperandSource::Constant, 0, c});
        continue;
      }
      // A reduction whose payload ignores its accumulator still needs a start
      // value; any will do, it is overwritten by the first iteration.
      if (isInit && !op.payloadUsesValueFromOperand(&operand)) {
        plan.sources.push_back({OperandSource::Unread});
        continue;
      }
      bool shaped = isa<ShapedType>(operand.get().getType());
      plan.sources.push_back(
          {shaped ? OperandSource::Buffer : OperandSource::Scalar,
           static_cast<unsigned>(args.size())});
      args.push_back(shaped ? flatBufferOf(rewriter, loc, operand.get())
                            : operand.get());
    }
    plan.firstOut = args.size();
    llvm::append_range(args, outBuffers);

    // An order-free reduction over enough points runs a warp per output
    // element: each lane combines a strided share, then a butterfly of
    // shuffles combines the lanes (same bits in any order). Coalesced, and
    // a per-tensor maximum no longer runs in one thread.
    for (unsigned d : plan.reductionDims)
      plan.reductionSize *= plan.ranges[d];
    plan.combiner = orderFreeCombiner(op);
    plan.lanes = plan.combiner && plan.reductionSize >= kWarpReductionMinSize
                     ? kWarpSize
                     : 1;
    plan.workers = points * plan.lanes;
    // Blocks of up to kMaxThreads, whole warps: a small iteration space (a
    // per-tensor scale, one row's reduction) does not launch idle warps.
    plan.threads =
        std::min(kMaxThreads,
                 static_cast<int64_t>(llvm::alignTo(plan.workers, kWarpSize)));
    LaunchConfig config{
        static_cast<int64_t>(llvm::divideCeil(plan.workers, plan.threads)),
        plan.threads, 0};
    auto body = [&](ImplicitLocOpBuilder &b, gpu::GPUFuncOp func) {
      GenericKernelBuilder(b, func, op, plan).build();
    };
    StringRef kind = isa<linalg::FillOp>(op)      ? "fill"
                     : plan.reductionDims.empty() ? "elementwise"
                                                  : "reduction";
    emitKernel(rewriter, op, kind, args, {}, config, body);
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::rescale::nvptx::populateElementwiseToGPUPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LinalgToGPU>(patterns.getContext());
}
