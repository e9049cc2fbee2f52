//===- TileAndFuseRows.cpp - row tiles that keep a chain in cache ---------===//
//
// The reference decomposition turns a norm or an attention into a chain of
// linalg ops over whole tensors: GatedNorm is a row reduction, the
// normalized y, two low-rank products and the gate, each materialized as a
// tensor of every row (32 MB apiece at 4096x2048 f32) and read back from
// memory by the next op. Rows are independent, so the chain can run one
// tile of rows at a time: each op's slice of the tile stays in cache, and
// only x and the result cross memory. The tiles are an `scf.forall`, which
// the CPU pipeline runs on all cores.
//
// Tiling never changes the arithmetic of our loops: reductions along a row
// stay whole inside a tile, in the same order. A product inside a tile that
// becomes an OpenBLAS call (rescale-contractions-to-blas) is a call on the
// tile's rows, and OpenBLAS picks its kernel, and so its order of
// summation, by the matrix sizes: such products may round differently from
// the untiled call (which is how a GatedNorm + gated-attention train step's
// losses moved in their last digits when chains grew).
//
//===----------------------------------------------------------------------===//

#include "transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_TILEANDFUSEROWS
#include "transforms/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;

/// Whether `value` is computed from `iv` (through index arithmetic).
static bool dependsOn(Value value, Value iv, unsigned depth = 0) {
  if (value == iv)
    return true;
  Operation *def = value.getDefiningOp();
  if (!def || depth > 8)
    return false;
  return llvm::any_of(def->getOperands(), [&](Value operand) {
    return dependsOn(operand, iv, depth + 1);
  });
}

/// Bytes that one tile of `op` reads, per tile, through the input operands
/// whose indexing maps do not use loop `rowLoop`: what every tile of rows
/// reads again (a weight, the keys of a head). `extents` is the tile's size
/// along each loop of `op`.
static int64_t rowInvariantInputBytes(linalg::LinalgOp op, unsigned rowLoop,
                                      ArrayRef<int64_t> extents) {
  int64_t bytes = 0;
  for (OpOperand *input : op.getDpsInputOperands()) {
    auto type = dyn_cast<ShapedType>(input->get().getType());
    if (!type)
      continue;
    AffineMap map = op.getMatchingIndexingMap(input);
    if (map.isFunctionOfDim(rowLoop))
      continue;
    int64_t elements = 1;
    for (AffineExpr expr : map.getResults()) {
      auto dim = dyn_cast<AffineDimExpr>(expr);
      int64_t extent = dim ? extents[dim.getPosition()] : 1;
      if (ShapedType::isDynamic(extent))
        return std::numeric_limits<int64_t>::max();
      elements *= extent;
    }
    bytes += elements * llvm::divideCeil(type.getElementTypeBitWidth(), 8);
  }
  return bytes;
}

/// The loop of `op` that indexes dimension `dim` of its first result.
static std::optional<unsigned> loopOfResultDim(linalg::LinalgOp op,
                                               unsigned dim) {
  AffineMap map = op.getIndexingMapMatchingResult(op->getResult(0));
  if (dim >= map.getNumResults())
    return std::nullopt;
  auto expr = dyn_cast<AffineDimExpr>(map.getResult(dim));
  if (!expr)
    return std::nullopt;
  return expr.getPosition();
}

namespace {

struct TileAndFuseRowsPass
    : mlir::rescale::impl::TileAndFuseRowsBase<TileAndFuseRowsPass> {
  using Base::Base;

  /// Tile sizes for `root` (rows of its result: the last dimension whole,
  /// the one before it in tiles of `tileRows`, the others one at a time),
  /// and the loop that the row tiles walk; nullopt when `root` is not a
  /// chain's end worth tiling.
  std::optional<std::pair<SmallVector<OpFoldResult>, unsigned>>
  planRoot(linalg::LinalgOp root, OpBuilder &b) {
    // A chain ends in an elementwise op (a norm's scaling, attention's
    // division by the row sums). A fill alone is no chain, and a product or
    // a reduction at the end is left whole: a GEMM stays one OpenBLAS call.
    if (!root.hasPureTensorSemantics() || root->getNumResults() != 1 ||
        root.getNumDpsInits() != 1 || isa<linalg::FillOp>(root) ||
        root.getNumReductionLoops() != 0)
      return std::nullopt;
    auto type = dyn_cast<RankedTensorType>(root->getResult(0).getType());
    if (!type || !type.hasStaticShape() || type.getRank() < 2)
      return std::nullopt;
    AffineMap out = root.getIndexingMapMatchingResult(root->getResult(0));
    if (!out.isProjectedPermutation())
      return std::nullopt;
    int64_t rank = type.getRank();
    int64_t rows = type.getDimSize(rank - 2);
    if (rows <= tileRows)
      return std::nullopt;
    SmallVector<OpFoldResult> sizes(root.getNumLoops(), b.getIndexAttr(0));
    for (int64_t dim = 0; dim + 1 < rank; ++dim) {
      unsigned loop = cast<AffineDimExpr>(out.getResult(dim)).getPosition();
      sizes[loop] = b.getIndexAttr(dim + 2 == rank ? int64_t(tileRows) : 1);
    }
    unsigned rowLoop =
        cast<AffineDimExpr>(out.getResult(rank - 2)).getPosition();
    SmallVector<int64_t> extents = root.getStaticLoopRanges();
    for (auto [loop, size] : llvm::enumerate(sizes))
      if (int64_t tile = *getConstantIntValue(size))
        extents[loop] = tile;
    if (rowInvariantInputBytes(root, rowLoop, extents) > maxInvariantBytes)
      return std::nullopt;
    return std::make_pair(sizes, rowLoop);
  }

  /// Whether the producer of `slice` joins the tile: it must be a linalg op
  /// of the function body whose slice moves with the row tiles (a key
  /// projection read whole by every query tile would be recomputed per
  /// tile), whose whole-tile reads are small, and which belongs to `chain`.
  /// A producer that a tile reads twice is fused twice; the CSE after the
  /// pass merges the copies.
  bool fusesIntoTile(tensor::ExtractSliceOp slice, OpResult producer,
                     const llvm::SmallPtrSetImpl<Operation *> &chain) {
    auto op = dyn_cast<linalg::LinalgOp>(producer.getOwner());
    if (!op || !chain.contains(op) || !op.hasPureTensorSemantics() ||
        op->getNumResults() != 1)
      return false;
    auto forall = slice->getParentOfType<scf::ForallOp>();
    if (!forall)
      return false;
    Value rowIv = forall.getInductionVars().back();
    std::optional<unsigned> rowDim;
    for (auto [dim, offset] : llvm::enumerate(slice.getMixedOffsets())) {
      auto value = dyn_cast<Value>(offset);
      if (value && dependsOn(value, rowIv)) {
        rowDim = dim;
        break;
      }
    }
    if (!rowDim)
      return false;
    // The producer's slice must move with every loop of the tiles, not only
    // with the rows: a slice that is the same for every head of an attention
    // tile (the norm before a headwise gate's projection) would be computed
    // again for each head.
    for (auto [inductionVar, lower, upper, step] :
         llvm::zip(forall.getInductionVars(), forall.getMixedLowerBound(),
                   forall.getMixedUpperBound(), forall.getMixedStep())) {
      // A copy: the lambda below captures it, which C++17 does not allow for
      // a structured binding.
      Value iv = inductionVar;
      std::optional<int64_t> lb = getConstantIntValue(lower),
                             ub = getConstantIntValue(upper),
                             st = getConstantIntValue(step);
      if (lb && ub && st && *ub - *lb <= *st)
        continue; // one iteration: nothing is repeated
      bool moves = llvm::any_of(slice.getMixedOffsets(), [&](OpFoldResult o) {
        auto value = dyn_cast<Value>(o);
        return value && dependsOn(value, iv);
      });
      if (!moves)
        return false;
    }
    std::optional<unsigned> rowLoop = loopOfResultDim(op, *rowDim);
    if (!rowLoop)
      return false;
    // The producer's tile: the slice's sizes along the loops of its result,
    // its whole range along the others (its reductions).
    SmallVector<int64_t> extents = op.getStaticLoopRanges();
    AffineMap out = op.getIndexingMapMatchingResult(producer);
    for (auto [dim, size] : llvm::enumerate(slice.getStaticSizes()))
      if (auto loop = dyn_cast<AffineDimExpr>(out.getResult(dim)))
        extents[loop.getPosition()] = size;
    if (rowInvariantInputBytes(op, *rowLoop, extents) > maxInvariantBytes)
      return false;
    return true;
  }

  /// The ops that may join `root`'s tiles: its linalg producers in `body`
  /// whose every use is `root` or another op of the set. An op with a use
  /// outside would stay for that use and be computed twice; in a train step,
  /// whose activations the backward ops also read, each root would otherwise
  /// pull in everything before it. An op joins when its last use does, so
  /// the walk only visits the chain and its edge, not all that precedes it.
  static llvm::SmallPtrSet<Operation *, 16> chainOf(Operation *root,
                                                    Block *body) {
    llvm::SmallPtrSet<Operation *, 16> chain;
    llvm::DenseMap<Operation *, size_t> usesLeft;
    SmallVector<Operation *> worklist = {root};
    while (!worklist.empty()) {
      Operation *op = worklist.pop_back_val();
      for (Value operand : op->getOperands()) {
        Operation *def = operand.getDefiningOp();
        if (!def || def->getBlock() != body || !isa<linalg::LinalgOp>(def))
          continue;
        auto [it, first] = usesLeft.try_emplace(def, 0);
        if (first)
          it->second = std::distance(def->use_begin(), def->use_end());
        if (--it->second == 0) {
          chain.insert(def);
          worklist.push_back(def);
        }
      }
    }
    return chain;
  }

  /// Options are checked once per pipeline run, before any function.
  LogicalResult initialize(MLIRContext *ctx) override {
    if (tileRows < 1)
      return emitError(UnknownLoc::get(ctx))
             << "rescale-tile-and-fuse-rows: tile-rows must be at least 1, got "
             << static_cast<int64_t>(tileRows);
    return success();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || !func.getBody().hasOneBlock())
      return;
    Block *body = &func.getBody().front();
    SmallVector<linalg::LinalgOp> ops;
    for (Operation &op : *body)
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op))
        ops.push_back(linalgOp);

    IRRewriter rewriter(&getContext());
    // Last op first: a chain's end is tiled before its producers are
    // visited, and a producer fused into every use is dead by then.
    for (linalg::LinalgOp op : llvm::reverse(ops)) {
      if (op->use_empty()) {
        if (isMemoryEffectFree(op))
          rewriter.eraseOp(op);
        continue;
      }
      rewriter.setInsertionPoint(op);
      auto plan = planRoot(op, rewriter);
      if (!plan)
        continue;
      scf::SCFTilingOptions tiling;
      tiling.setTileSizes(plan->first);
      tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      llvm::SmallPtrSet<Operation *, 16> chain = chainOf(op, body);
      scf::SCFTileAndFuseOptions options;
      options.setTilingOptions(tiling);
      options.setFusionControlFn(
          [&](tensor::ExtractSliceOp slice, OpResult producer, bool)
              -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
            if (!fusesIntoTile(slice, producer, chain))
              return std::nullopt;
            return scf::SCFTileAndFuseOptions::ControlFnResult{};
          });
      auto tiled = scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue;
      for (OpResult result : op->getResults())
        if (Value replacement = tiled->replacements.lookup(result))
          rewriter.replaceAllUsesWith(result, replacement);
      rewriter.eraseOp(op);
      ++numTiled;
      numFused += tiled->fusedProducers.size();
    }
  }
};

} // namespace
