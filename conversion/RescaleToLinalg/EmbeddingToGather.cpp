//===- EmbeddingToGather.cpp - embeddings as a gather and a scatter-add ---===//
//
// The reference decomposition (TrainingToLinalg.cpp) writes rescale.embedding
// and rescale.embedding_grad as one-hot select chains over the vocabulary:
// every output element visits all V rows, O(N·V·D) work for what is a copy
// of N rows (forward) and N row additions (backward). In the CPU train step
// of a vocabulary-256 model both chains took about a tenth of the step
// (perf, issue 13). This pass, run by the CPU pipeline before
// --convert-rescale-to-linalg, writes them in O(N·D):
//
//   embedding:      y[n..., d] = in_range(id) ? table[id, d] : 0
//                   (a linalg.generic whose body gathers with tensor.extract)
//   embedding_grad: acc = 0
//                   for n in row-major order of ids:          -- scf.for
//                     if in_range(id[n]): acc[id[n], :] += dy[n, :]
//
// Numerics are the reference decomposition's, bit for bit: the gather copies
// the selected value as the select chain does, and the scatter adds the
// terms of each (v, d) in the reference's order (increasing n, from +0.0, in
// f32) and rounds once to the result type. The GPU pipeline keeps the dense
// form (its generic kernels give each output element to one thread).
//
//===----------------------------------------------------------------------===//

#include "conversion/Passes.h"
#include "conversion/RescaleToLinalg/Common.h"

#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_CONVERTRESCALEEMBEDDINGTOGATHER
#include "conversion/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::tolinalg;

namespace {

/// An id read from the ids tensor, checked against the table's row count.
struct CheckedId {
  /// i1: 0 <= id < rows.
  Value inRange;
  /// The id as an index where it is in range, else 0: a row that exists
  /// whenever rows > 0, so the read or write it addresses is in bounds.
  Value row;
};

} // namespace

static CheckedId checkId(OpBuilder &b, Location loc, Value id, int64_t rows) {
  Value id64 = castScalar(b, loc, id, b.getI64Type());
  Value inRange = idInRange(b, loc, id64, rows);
  Value zero = arith::ConstantIntOp::create(b, loc, 0, 64);
  Value safe = arith::SelectOp::create(b, loc, inRange, id64, zero);
  Value row = arith::IndexCastOp::create(b, loc, b.getIndexType(), safe);
  return {inRange, row};
}

/// `t` with its first `leading` dimensions merged into one (a unit
/// dimension put in front when `leading` is 0), the rest kept.
static Value mergeLeadingDims(OpBuilder &b, Location loc, Value t,
                              unsigned leading) {
  RankedTensorType type = tensorType(t);
  unsigned rank = type.getRank();
  if (leading == 1)
    return t;
  SmallVector<ReassociationIndices> groups;
  if (leading == 0) {
    // [rest...] -> [1, rest...]: the unit dimension joins the first group.
    SmallVector<int64_t> shape{1};
    llvm::append_range(shape, type.getShape());
    for (unsigned d = 0; d < rank; ++d)
      groups.push_back(d == 0 ? ReassociationIndices{0, 1}
                              : ReassociationIndices{d + 1});
    auto expanded = RankedTensorType::get(shape, type.getElementType());
    return tensor::ExpandShapeOp::create(b, loc, expanded, t, groups);
  }
  ReassociationIndices first;
  for (unsigned d = 0; d < leading; ++d)
    first.push_back(d);
  groups.push_back(first);
  for (unsigned d = leading; d < rank; ++d)
    groups.push_back({d});
  return tensor::CollapseShapeOp::create(b, loc, t, groups);
}

/// y[n..., d] = table[id, d] for ids in range, else 0: a gather.
static Value gatherRows(OpBuilder &b, EmbeddingOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  Type element = resultType.getElementType();
  Value table = op.getTable();
  int64_t rows = tensorType(table).getDimSize(0);
  // No row to read: every id is out of range.
  if (rows == 0)
    return filledTensor(b, loc, resultType.getShape(), element, 0.0);
  unsigned n = resultType.getRank();
  SmallVector<AffineExpr> idDims;
  for (unsigned d = 0; d + 1 < n; ++d)
    idDims.push_back(getAffineDimExpr(d, ctx));
  AffineMap idsMap = AffineMap::get(n, 0, idDims, ctx);
  Value init = emptyTensor(b, loc, resultType.getShape(), element);
  return buildGeneric(
             b, loc, {op.getIds()}, {idsMap}, {init}, {identityMap(ctx, n)},
             parallelIterators(n), element,
             [&](OpBuilder &nb, Location l, ValueRange in, ValueRange) {
               CheckedId id = checkId(nb, l, in[0], rows);
               Value column = linalg::IndexOp::create(nb, l, n - 1);
               Value read = tensor::ExtractOp::create(
                   nb, l, table, ValueRange{id.row, column});
               Value zero = floatConst(nb, l, 0.0, element);
               Value value =
                   arith::SelectOp::create(nb, l, id.inRange, read, zero);
               return SmallVector<Value>{value};
             })
      .front();
}

/// dtable = Σ_n onehot(ids[n]) dy[n, :], as one row addition per id in
/// range, in row-major order of the ids.
static Value scatterAddRows(OpBuilder &b, EmbeddingGradOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  Type f32 = b.getF32Type();
  int64_t rows = resultType.getDimSize(0);
  int64_t width = resultType.getDimSize(1);
  Value zeros = filledTensor(b, loc, resultType.getShape(), f32, 0.0);
  if (rows == 0)
    return convertElementType(b, loc, zeros, resultType.getElementType());
  // [N] ids and [N, D] rows of dy (a rank-0 id becomes [1]).
  unsigned idRank = tensorType(op.getIds()).getRank();
  Value ids = mergeLeadingDims(b, loc, op.getIds(), idRank);
  Value dy = mergeLeadingDims(b, loc, op.getDy(), idRank);
  int64_t count = tensorType(ids).getDimSize(0);
  Value lower = arith::ConstantIndexOp::create(b, loc, 0);
  Value upper = arith::ConstantIndexOp::create(b, loc, count);
  Value step = arith::ConstantIndexOp::create(b, loc, 1);
  auto rowType = RankedTensorType::get({width}, f32);
  auto dyRowType =
      RankedTensorType::get({width}, tensorType(dy).getElementType());
  SmallVector<OpFoldResult> sizes{b.getIndexAttr(1), b.getIndexAttr(width)};
  SmallVector<OpFoldResult> strides{b.getIndexAttr(1), b.getIndexAttr(1)};
  OpFoldResult zeroOffset = b.getIndexAttr(0);
  auto loop = scf::ForOp::create(
      b, loc, lower, upper, step, ValueRange{zeros},
      [&](OpBuilder &lb, Location l, Value position, ValueRange carried) {
        Value acc = carried[0];
        Value raw = tensor::ExtractOp::create(lb, l, ids, ValueRange{position});
        CheckedId id = checkId(lb, l, raw, rows);
        auto addRow = [&](OpBuilder &tb, Location tl) {
          SmallVector<OpFoldResult> accOffsets{id.row, zeroOffset};
          SmallVector<OpFoldResult> dyOffsets{position, zeroOffset};
          Value accRow = tensor::ExtractSliceOp::create(
              tb, tl, rowType, acc, accOffsets, sizes, strides);
          Value dyRow = tensor::ExtractSliceOp::create(
              tb, tl, dyRowType, dy, dyOffsets, sizes, strides);
          Value sum =
              buildGeneric(tb, tl, {dyRow}, {identityMap(ctx, 1)}, {accRow},
                           {identityMap(ctx, 1)}, parallelIterators(1), f32,
                           [](OpBuilder &gb, Location gl, ValueRange in,
                              ValueRange out) {
                             Value next =
                                 arith::AddFOp::create(gb, gl, out[0], in[0]);
                             return SmallVector<Value>{next};
                           })
                  .front();
          Value updated = tensor::InsertSliceOp::create(
              tb, tl, sum, acc, accOffsets, sizes, strides);
          scf::YieldOp::create(tb, tl, updated);
        };
        auto keep = [&](OpBuilder &eb, Location el) {
          scf::YieldOp::create(eb, el, acc);
        };
        auto branch = scf::IfOp::create(lb, l, id.inRange, addRow, keep);
        scf::YieldOp::create(lb, l, branch.getResults());
      });
  return convertElementType(b, loc, loop.getResult(0),
                            resultType.getElementType());
}

namespace {

struct ConvertRescaleEmbeddingToGatherPass
    : mlir::rescale::impl::ConvertRescaleEmbeddingToGatherBase<
          ConvertRescaleEmbeddingToGatherPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<EmbeddingOp, EmbeddingGradOp>(op) && hasStaticShapes(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      rewriter.setInsertionPoint(op);
      Value result;
      if (auto embedding = dyn_cast<EmbeddingOp>(op))
        result = gatherRows(rewriter, embedding);
      else
        result = scatterAddRows(rewriter, cast<EmbeddingGradOp>(op));
      rewriter.replaceOp(op, result);
      ++numRewritten;
    }
  }
};

} // namespace
