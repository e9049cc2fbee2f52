//===- NormsToGPU.cpp - hand-scheduled kernels for the norm family --------===//
//
// rms_norm, preaffine_rms_norm, gated_norm, dyt and add_rms_norm become one
// row-wise kernel each, specialized on the static shape:
//
//  * A row is owned by one warp when it fits in 4 vector accesses per lane
//    (d <= 1024 for bf16/f16, d <= 512 for f32), else by one CTA sized so that
//    every thread holds about 32 elements of the row in registers.
//  * Global accesses are 16 bytes wide (ld/st.global.v4.b32); the row is read
//    once into registers and every output is written once.
//  * Everything is computed in f32; sums use a butterfly of `gpu.shuffle xor`,
//    then (row per CTA) one shared-memory exchange between warps.
//  * The grid is persistent (about one wave); per-column vectors (weight,
//    pre_scale, bias) are loaded into registers once per thread, outside the
//    row loop, and GatedNorm's w_down/w_up are staged in shared memory once
//    per CTA.
//
// The math follows the reference decomposition (ToLinalg/NormsToLinalg.cpp)
// operation by operation; the GPU tests compare the two.
//
//===----------------------------------------------------------------------===//

#include "conversion/RescaleToGPU/KernelBuilder.h"
#include "conversion/RescaleToGPU/NVPTXPatterns.h"
#include "conversion/RescaleToGPU/TargetInfo.h"

#include "dialect/GateActivation.h"
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

enum class NormKind { RMSNorm, PreAffine, Gated, DyT, AddRMSNorm };

/// What one norm op asks of the row kernel.
struct RowNormProblem {
  NormKind kind;
  llvm::StringRef name;
  int64_t rows = 0, d = 0;
  float epsilon = 0;
  GateActivation activation = GateActivation::sigmoid;
  /// Row-shaped inputs ([rows, d]): x, then residual for add_rms_norm.
  SmallVector<Value> rowInputs;
  /// Column vectors ([d]): weight, pre_scale or bias, in the order the
  /// kind's formula names them.
  SmallVector<Value> colInputs;
  /// DyT's alpha; GatedNorm's w_down [d, r] and w_up [r, d] or [r, 1].
  Value alpha, wDown, wUp;
  int64_t rank = 0;
  bool tensorwiseGate = false;
  /// The op's results, in order (add_rms_norm: sum, then y).
  SmallVector<RankedTensorType> resultTypes;
};

/// How the row kernel is laid out on the machine.
struct RowSchedule {
  int64_t width = 1; // elements per vector access
  int64_t threadsPerRow = 32;
  int64_t rowsPerBlock = 1; // row groups of threadsPerRow threads
  int64_t blockSize = 32;
  int64_t chunks = 1; // vector accesses per thread per row
  int64_t grid = 1;
  int64_t iterations = 1; // rows each thread group walks (persistent grid)
  int64_t smemBytes = 0;  // GatedNorm weights, when they are staged
  bool rowPerWarp() const { return threadsPerRow == TargetInfo::kWarpSize; }
  int64_t warpsPerRow() const { return threadsPerRow / TargetInfo::kWarpSize; }
  int64_t numWarps() const { return blockSize / TargetInfo::kWarpSize; }
};

/// Elements a thread keeps in registers per row tensor: beyond this the
/// schedule would spill.
constexpr int64_t kElementsPerThread = 32;
constexpr int64_t kMaxChunksPerWarpRow = 4;
constexpr int64_t kWarpsPerBlockInWarpMode = 4;
/// Threads an SM should hold at least to keep enough loads in flight.
constexpr int64_t kMinThreadsPerSM = 512;
/// GatedNorm keeps r partial sums and the row in registers: blocks beyond
/// this size would cap it at 64 registers per thread and spill.
constexpr int64_t kMaxGatedBlockSize = 512;

} // namespace

static FailureOr<RowSchedule> chooseSchedule(const RowNormProblem &p,
                                             const TargetInfo &target) {
  RowSchedule s;
  SmallVector<Type> types;
  for (Value v : p.rowInputs)
    types.push_back(cast<ShapedType>(v.getType()).getElementType());
  for (Value v : p.colInputs)
    types.push_back(cast<ShapedType>(v.getType()).getElementType());
  for (RankedTensorType t : p.resultTypes)
    types.push_back(t.getElementType());
  s.width = vectorWidth(p.d, types);
  int64_t vecCount = p.d / s.width;
  const int64_t warp = TargetInfo::kWarpSize;
  if (vecCount <= warp * kMaxChunksPerWarpRow) {
    s.threadsPerRow = warp;
    s.rowsPerBlock = kWarpsPerBlockInWarpMode;
    s.blockSize = warp * kWarpsPerBlockInWarpMode;
  } else {
    int64_t chunksTarget = std::max<int64_t>(1, kElementsPerThread / s.width);
    int64_t threads =
        llvm::alignTo(llvm::divideCeil(vecCount, chunksTarget), warp);
    s.threadsPerRow =
        std::clamp<int64_t>(threads, 2 * warp, TargetInfo::kMaxThreadsPerBlock);
    s.rowsPerBlock = 1;
    s.blockSize = s.threadsPerRow;
  }
  s.chunks = llvm::divideCeil(vecCount, s.threadsPerRow);
  if (s.chunks * s.width > 4 * kElementsPerThread)
    return failure();

  // Blocks per SM the registers allow, then shared memory (GatedNorm).
  int64_t blocksPerSM = std::max<int64_t>(1, 2048 / s.blockSize);
  if (p.kind == NormKind::Gated) {
    auto bytes = [](Value v) {
      auto t = cast<ShapedType>(v.getType());
      return llvm::alignTo(t.getNumElements() * t.getElementTypeBitWidth() / 8,
                           16);
    };
    // A rank-0 gate (r = 0: w_down [d, 0], w_up [0, d]) has no weights to
    // stage; its gate is act(0).
    int64_t need = bytes(p.wDown) + bytes(p.wUp);
    if (need > 0 && need <= target.maxDynamicSmemBytes) {
      s.smemBytes = need;
      blocksPerSM =
          std::min<int64_t>(blocksPerSM, target.maxDynamicSmemBytes / need);
      // Few blocks fit: give each several row groups so the SM still holds
      // enough threads (all groups share the staged weights).
      if (!s.rowPerWarp() && s.blockSize * blocksPerSM < kMinThreadsPerSM) {
        int64_t groups = std::min<int64_t>(
            kMaxGatedBlockSize / s.threadsPerRow,
            llvm::divideCeil(kMinThreadsPerSM, s.blockSize * blocksPerSM));
        s.rowsPerBlock = std::max<int64_t>(1, groups);
        s.blockSize = s.rowsPerBlock * s.threadsPerRow;
      }
    }
  }
  int64_t blocksNeeded = llvm::divideCeil(p.rows, s.rowsPerBlock);
  s.grid = std::max<int64_t>(
      1, std::min<int64_t>(blocksNeeded, target.numSMs * blocksPerSM));
  s.iterations = llvm::divideCeil(blocksNeeded, s.grid);
  return s;
}

/// Applies a scalar function to each lane of an f32 vector. Transcendental
/// math is mapped to libdevice per scalar, so it is applied lane by lane.
static Value mapLanes(ImplicitLocOpBuilder &b, Value v,
                      llvm::function_ref<Value(Value)> fn) {
  auto type = cast<VectorType>(v.getType());
  SmallVector<Value> lanes;
  for (int64_t i = 0; i < type.getNumElements(); ++i)
    lanes.push_back(fn(vector::ExtractOp::create(b, v, i)));
  return vector::FromElementsOp::create(b, type, lanes);
}

namespace {

/// Device side of the row-norm kernel for one problem and schedule, built in
/// three parts: the prologue (arguments, thread coordinates, GatedNorm's
/// staged weights, each chunk's column, the per-column values), the
/// persistent row loop, and in it the norm kind's body. Ops are created in
/// that order, which is the IR's.
class RowNormKernelBuilder {
public:
  RowNormKernelBuilder(ImplicitLocOpBuilder &b, gpu::GPUFuncOp func,
                       const RowNormProblem &p, const RowSchedule &s)
      : b(b), func(func), p(p), s(s), loc(b.getLoc()) {}

  void build() {
    bindArguments();
    computeThreadCoordinates();
    if (s.smemBytes != 0)
      stageGateWeights();
    computeChunkColumns();
    loadColumnValues();
    Value row = beginRowLoop();
    Value rowBase = arith::MulIOp::create(b, row, cIdx(b, p.d));
    SmallVector<Value> x;
    for (int64_t k = 0; k < s.chunks; ++k)
      x.push_back(load(rowBufs[0], rowBase, k));
    switch (p.kind) {
    case NormKind::RMSNorm:
      return buildRMSNormRow(x, rowBase);
    case NormKind::PreAffine:
      return buildPreAffineRow(x, rowBase);
    case NormKind::AddRMSNorm:
      return buildAddRMSNormRow(x, rowBase);
    case NormKind::DyT:
      return buildDyTRow(x, rowBase);
    case NormKind::Gated:
      return buildGatedNormRow(x, rowBase);
    }
  }

private:
  //===--------------------------------------------------------------------===//
  // Prologue
  //===--------------------------------------------------------------------===//

  /// The kernel's buffers, in the launch's argument order.
  void bindArguments() {
    unsigned argNo = 0;
    for (size_t i = 0; i < p.rowInputs.size(); ++i)
      rowBufs.push_back(func.getArgument(argNo++));
    for (size_t i = 0; i < p.colInputs.size(); ++i)
      colBufs.push_back(func.getArgument(argNo++));
    alphaBuf = p.alpha ? func.getArgument(argNo++) : Value();
    if (p.wDown) {
      wDownBuf = func.getArgument(argNo++);
      wUpBuf = func.getArgument(argNo++);
    }
    for (size_t i = 0; i < p.resultTypes.size(); ++i)
      outBufs.push_back(func.getArgument(argNo++));
    // The block-reduction scratch, when the schedule needs one (see
    // buildRowNorm).
    scratch = func.getWorkgroupAttributions().empty()
                  ? Value()
                  : Value(func.getWorkgroupAttributions()[0]);
  }

  void computeThreadCoordinates() {
    const int64_t warp = TargetInfo::kWarpSize;
    tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
    bid = gpu::BlockIdOp::create(b, gpu::Dimension::x);
    lane = arith::RemUIOp::create(b, tid, cIdx(b, warp));
    warpId = arith::DivUIOp::create(b, tid, cIdx(b, warp));
    // Threads of a block form rowsPerBlock groups of threadsPerRow threads;
    // a group owns a row (in warp mode the group is the warp).
    colThread = arith::RemUIOp::create(b, tid, cIdx(b, s.threadsPerRow));
    rowInBlock = arith::DivUIOp::create(b, tid, cIdx(b, s.threadsPerRow));
    groupFirstWarp =
        arith::MulIOp::create(b, rowInBlock, cIdx(b, s.warpsPerRow()));
  }

  /// GatedNorm: stage w_down (transposed to [r, d]) and w_up in shared
  /// memory once per CTA; every row this CTA walks reads them from there,
  /// and with both in [r, d] order the lanes of a warp read consecutive
  /// columns (no bank conflicts).
  void stageGateWeights() {
    SmallVector<Value> views;
    auto memrefOf = [](Value v) { return cast<MemRefType>(v.getType()); };
    carveDynamicSmem(b,
                     {{memrefOf(wDownBuf).getElementType(),
                       memrefOf(wDownBuf).getNumElements()},
                      {memrefOf(wUpBuf).getElementType(),
                       memrefOf(wUpBuf).getNumElements()}},
                     views);
    // smem[j*d + c] = w_down[c*r + j]: contiguous shared stores, strided
    // (L2-served) global loads, once per CTA.
    {
      Value fillEnd = cIdx(b, p.d * p.rank);
      Value fillStep = cIdx(b, s.blockSize);
      auto fill = scf::ForOp::create(b, tid, fillEnd, fillStep);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(fill.getBody());
      Value t = fill.getInductionVar();
      Value j = arith::DivUIOp::create(b, t, cIdx(b, p.d));
      Value c = arith::RemUIOp::create(b, t, cIdx(b, p.d));
      Value src = ix.mulAdd(c, p.rank, j);
      Value v = memref::LoadOp::create(b, wDownBuf, ValueRange{src});
      memref::StoreOp::create(b, v, views[0], ValueRange{t});
    }
    blockCopy(b, wUpBuf, views[1], memrefOf(wUpBuf).getNumElements(), tid,
              s.blockSize);
    gpu::BarrierOp::create(b);
    wDownBuf = views[0];
    wUpBuf = views[1];
    staged = true;
  }

  /// Column of each chunk. The last chunk of a ragged row is predicated:
  /// loads read a clamped in-bounds column and select zero, stores are
  /// skipped.
  void computeChunkColumns() {
    int64_t vecCount = p.d / s.width;
    for (int64_t k = 0; k < s.chunks; ++k) {
      Value vecIdx =
          arith::AddIOp::create(b, cIdx(b, k * s.threadsPerRow), colThread);
      Value col = arith::MulIOp::create(b, vecIdx, cIdx(b, s.width));
      if ((k + 1) * s.threadsPerRow <= vecCount) {
        colIdx.push_back(col);
        valid.push_back(Value());
        continue;
      }
      Value ok = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, vecIdx,
                                       cIdx(b, vecCount));
      colIdx.push_back(arith::SelectOp::create(b, ok, col, cIdx(b, 0)));
      valid.push_back(ok);
    }
    vecF32 = VectorType::get({s.width}, b.getF32Type());
    zeroVec = arith::ConstantOp::create(
        b, vecF32, DenseElementsAttr::get(vecF32, b.getF32FloatAttr(0.0f)));
  }

  /// Per-column vectors and scalars: loaded once, kept in registers.
  void loadColumnValues() {
    cols.resize(colBufs.size());
    for (size_t i = 0; i < colBufs.size(); ++i)
      for (int64_t k = 0; k < s.chunks; ++k)
        cols[i].push_back(load(colBufs[i], Value(), k));
    alpha = alphaBuf ? loadF32Scalar(b, alphaBuf, 0) : Value();
  }

  //===--------------------------------------------------------------------===//
  // The row loop and its helpers
  //===--------------------------------------------------------------------===//

  /// Opens the persistent row loop (the builder stays inside it) and returns
  /// this group's row of the current step.
  Value beginRowLoop() {
    Value rowsPerStep = cIdx(b, s.grid * s.rowsPerBlock);
    Value firstRow = ix.mulAdd(bid, s.rowsPerBlock, rowInBlock);
    Value lb = cIdx(b, 0);
    Value ub = cIdx(b, s.iterations);
    Value step = cIdx(b, 1);
    auto loop = scf::ForOp::create(b, lb, ub, step);
    b.setInsertionPointToStart(loop.getBody());
    Value row = arith::AddIOp::create(
        b, firstRow,
        arith::MulIOp::create(b, loop.getInductionVar(), rowsPerStep));
    // The last step of the persistent loop may run past the rows. Groups
    // clamp to the last row and skip their stores, instead of branching
    // around the body: every thread of the block keeps reaching the barriers
    // of the block reductions.
    if (s.grid * s.rowsPerBlock * s.iterations != p.rows) {
      rowInRange = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row,
                                         cIdx(b, p.rows));
      row = arith::MinUIOp::create(b, row, cIdx(b, p.rows - 1));
    }
    return row;
  }

  /// Chunk k of the row at `base` (or of a per-column buffer: no base), as
  /// an f32 vector; zero past a ragged row's end.
  Value load(Value buf, Value base, int64_t k) {
    Value idx = base ? arith::AddIOp::create(b, base, colIdx[k]).getResult()
                     : colIdx[k];
    Value v = loadF32Vector(b, buf, idx, s.width);
    return valid[k]
               ? arith::SelectOp::create(b, valid[k], v, zeroVec).getResult()
               : v;
  }

  /// Stores chunk k of the row at `base`, skipped past a ragged row's end
  /// and for a clamped row.
  void store(Value v, Value buf, Value base, int64_t k) {
    Value idx = arith::AddIOp::create(b, base, colIdx[k]);
    Value pred = valid[k];
    if (rowInRange)
      pred = pred ? arith::AndIOp::create(b, pred, rowInRange).getResult()
                  : rowInRange;
    if (!pred) {
      storeF32Vector(b, v, buf, idx);
      return;
    }
    auto guarded = scf::IfOp::create(b, pred, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(guarded.thenBlock());
    storeF32Vector(b, v, buf, idx);
  }

  /// The sums of `partials` over the row's threads.
  SmallVector<Value> rowReduce(ValueRange partials) {
    if (s.rowPerWarp())
      return warpReduceSum(b, loc, partials);
    return blockReduceSum(b, loc, partials, scratch, warpId, lane,
                          groupFirstWarp, s.warpsPerRow());
  }

  /// 1 / sqrt(mean(v²) + ε) of the row held in `chunks` (f32), broadcast.
  Value invRms(ArrayRef<Value> chunks) {
    Value acc = zeroVec;
    for (Value c : chunks)
      acc = vector::FMAOp::create(b, c, c, acc);
    Value partial =
        vector::ReductionOp::create(b, vector::CombiningKind::ADD, acc);
    Value sum = rowReduce({partial})[0];
    Value mean =
        arith::DivFOp::create(b, sum, cF32(b, static_cast<float>(p.d)));
    Value var = arith::AddFOp::create(b, mean, cF32(b, p.epsilon));
    Value inv = math::RsqrtOp::create(b, var);
    return vector::BroadcastOp::create(b, vecF32, inv).getResult();
  }

  /// weight ⊙ v · inv, chunk by chunk.
  SmallVector<Value> scaleRow(ArrayRef<Value> v, Value inv,
                              ArrayRef<Value> weight) {
    SmallVector<Value> y;
    for (int64_t k = 0; k < s.chunks; ++k)
      y.push_back(arith::MulFOp::create(b, weight[k],
                                        arith::MulFOp::create(b, v[k], inv)));
    return y;
  }

  //===--------------------------------------------------------------------===//
  // Row bodies, one per norm kind
  //===--------------------------------------------------------------------===//

  void buildRMSNormRow(ArrayRef<Value> x, Value rowBase) {
    Value inv = invRms(x);
    for (int64_t k = 0; k < s.chunks; ++k) {
      Value y = arith::MulFOp::create(b, cols[0][k],
                                      arith::MulFOp::create(b, x[k], inv));
      store(y, outBufs[0], rowBase, k);
    }
  }

  /// PreAffine RMSNorm (§3.3): pre_scale acts before the statistic.
  void buildPreAffineRow(ArrayRef<Value> x, Value rowBase) {
    SmallVector<Value> u;
    for (int64_t k = 0; k < s.chunks; ++k)
      u.push_back(arith::MulFOp::create(b, cols[0][k], x[k]));
    Value inv = invRms(u);
    for (int64_t k = 0; k < s.chunks; ++k) {
      Value y = arith::MulFOp::create(b, cols[1][k],
                                      arith::MulFOp::create(b, u[k], inv));
      store(y, outBufs[0], rowBase, k);
    }
  }

  void buildAddRMSNormRow(ArrayRef<Value> x, Value rowBase) {
    SmallVector<Value> sum;
    for (int64_t k = 0; k < s.chunks; ++k) {
      sum.push_back(
          arith::AddFOp::create(b, x[k], load(rowBufs[1], rowBase, k)));
      store(sum[k], outBufs[0], rowBase, k);
    }
    Value inv = invRms(sum);
    for (int64_t k = 0; k < s.chunks; ++k) {
      Value y = arith::MulFOp::create(b, cols[0][k],
                                      arith::MulFOp::create(b, sum[k], inv));
      store(y, outBufs[1], rowBase, k);
    }
  }

  void buildDyTRow(ArrayRef<Value> x, Value rowBase) {
    Value a = vector::BroadcastOp::create(b, vecF32, alpha);
    for (int64_t k = 0; k < s.chunks; ++k) {
      Value t = mapLanes(b, arith::MulFOp::create(b, a, x[k]), [&](Value v) {
        return math::TanhOp::create(b, v).getResult();
      });
      Value y = vector::FMAOp::create(b, cols[0][k], t, cols[1][k]);
      store(y, outBufs[0], rowBase, k);
    }
  }

  /// GatedNorm (§3.4): the gate is computed from the normalized row itself,
  /// in the same pass: y stays in registers between the norm, the low-rank
  /// projection and the gating.
  void buildGatedNormRow(ArrayRef<Value> x, Value rowBase) {
    Value inv = invRms(x);
    SmallVector<Value> y = scaleRow(x, inv, cols[0]);
    SmallVector<Value> h = rowReduce(downProjectionPartials(y));
    SmallVector<Value> sw; // swish(h) = h·σ(h)
    for (Value hj : h)
      sw.push_back(buildSwish(b, b.getLoc(), hj));
    if (p.tensorwiseGate) {
      // One gate per token: w_up is [r, 1].
      Value g = cF32(b, 0.0f);
      for (int64_t j = 0; j < p.rank; ++j)
        g = math::FmaOp::create(b, sw[j], loadF32Scalar(b, wUpBuf, j), g);
      Value gv = gate(vector::BroadcastOp::create(b, vecF32, g));
      for (int64_t k = 0; k < s.chunks; ++k)
        store(arith::MulFOp::create(b, gv, y[k]), outBufs[0], rowBase, k);
      return;
    }
    for (int64_t k = 0; k < s.chunks; ++k) {
      Value acc = zeroVec;
      for (int64_t j = 0; j < p.rank; ++j) {
        Value idx = arith::AddIOp::create(b, cIdx(b, j * p.d), colIdx[k]);
        Value wu = loadF32Vector(b, wUpBuf, idx, s.width);
        Value sj = vector::BroadcastOp::create(b, vecF32, sw[j]);
        acc = vector::FMAOp::create(b, sj, wu, acc);
      }
      store(arith::MulFOp::create(b, gate(acc), y[k]), outBufs[0], rowBase, k);
    }
  }

  /// h = y · w_down: this thread's contribution of its columns to the r
  /// outputs (the row sums them).
  SmallVector<Value> downProjectionPartials(ArrayRef<Value> y) {
    SmallVector<Value> partials;
    if (staged) {
      // Shared w_down is [r, d]: one vector per (j, chunk), like x itself.
      for (int64_t j = 0; j < p.rank; ++j) {
        Value acc = cF32(b, 0.0f);
        for (int64_t k = 0; k < s.chunks; ++k) {
          Value idx = arith::AddIOp::create(b, cIdx(b, j * p.d), colIdx[k]);
          Value w = loadF32Vector(b, wDownBuf, idx, s.width);
          acc = vector::ReductionOp::create(b, vector::CombiningKind::ADD,
                                            arith::MulFOp::create(b, y[k], w),
                                            acc);
        }
        partials.push_back(acc);
      }
      return partials;
    }
    // Global w_down is [d, r]: a row of r values per column.
    auto vecR = VectorType::get({p.rank}, b.getF32Type());
    Value hAcc = arith::ConstantOp::create(
        b, vecR, DenseElementsAttr::get(vecR, b.getF32FloatAttr(0.0f)));
    for (int64_t k = 0; k < s.chunks; ++k)
      for (int64_t e = 0; e < s.width; ++e) {
        Value col = arith::AddIOp::create(b, colIdx[k], cIdx(b, e));
        Value wRow = loadF32Vector(
            b, wDownBuf, arith::MulIOp::create(b, col, cIdx(b, p.rank)),
            p.rank);
        Value ye = vector::BroadcastOp::create(
            b, vecR, vector::ExtractOp::create(b, y[k], e));
        hAcc = vector::FMAOp::create(b, ye, wRow, hAcc);
      }
    for (int64_t j = 0; j < p.rank; ++j)
      partials.push_back(vector::ExtractOp::create(b, hAcc, j));
    return partials;
  }

  /// The gate activation, lane by lane.
  Value gate(Value pre) {
    return mapLanes(b, pre, [&](Value v) {
      return buildGateActivation(b, b.getLoc(), p.activation, v);
    });
  }

  ImplicitLocOpBuilder &b;
  IndexMath ix{b};
  gpu::GPUFuncOp func;
  const RowNormProblem &p;
  const RowSchedule &s;
  Location loc;
  // Arguments.
  SmallVector<Value> rowBufs, colBufs, outBufs;
  Value alphaBuf, wDownBuf, wUpBuf, scratch;
  bool staged = false;
  // Thread coordinates.
  Value tid, bid, lane, warpId, colThread, rowInBlock, groupFirstWarp;
  // Chunks: each one's column and, for a ragged last chunk, its predicate.
  SmallVector<Value> colIdx, valid;
  VectorType vecF32;
  Value zeroVec;
  // Per-column values (weights, DyT's alpha).
  SmallVector<SmallVector<Value>> cols;
  Value alpha;
  // Set in the row loop when the last step's rows may run out.
  Value rowInRange;
};

} // namespace

/// Builds the kernel and its launch for `p` and returns the result tensors.
static FailureOr<SmallVector<Value>> buildRowNorm(PatternRewriter &rewriter,
                                                  Operation *op,
                                                  const RowNormProblem &p,
                                                  const TargetInfo &target) {
  FailureOr<RowSchedule> maybe = chooseSchedule(p, target);
  if (failed(maybe))
    return rewriter.notifyMatchFailure(
        op, "rows are too long to keep in registers");
  const RowSchedule s = *maybe;
  Location loc = op->getLoc();

  // Host side: flat buffers in, fresh buffers out.
  SmallVector<Value> args;
  for (Value v : p.rowInputs)
    args.push_back(flatBufferOf(rewriter, loc, v));
  for (Value v : p.colInputs)
    args.push_back(flatBufferOf(rewriter, loc, v));
  if (p.alpha)
    args.push_back(flatBufferOf(rewriter, loc, p.alpha));
  if (p.wDown) {
    args.push_back(flatBufferOf(rewriter, loc, p.wDown));
    args.push_back(flatBufferOf(rewriter, loc, p.wUp));
  }
  SmallVector<Value> results;
  for (RankedTensorType t : p.resultTypes) {
    ResultBuffer r = allocResult(rewriter, loc, t);
    args.push_back(r.flat);
    results.push_back(r.tensor);
  }

  bool needsReduction = p.kind != NormKind::DyT;
  SmallVector<Type> workgroup;
  if (!s.rowPerWarp() && needsReduction) {
    int64_t slots = s.numWarps() * std::max<int64_t>(1, p.rank);
    workgroup.push_back(workgroupBufferType(rewriter.getContext(), slots,
                                            rewriter.getF32Type()));
  }
  LaunchConfig config{s.grid, s.blockSize, s.smemBytes};
  emitKernel(rewriter, op, p.name, args, workgroup, config,
             [&](ImplicitLocOpBuilder &b, gpu::GPUFuncOp func) {
               RowNormKernelBuilder(b, func, p, s).build();
             });
  return results;
}

namespace {

/// The norm patterns differ only in what their op puts into the problem
/// (`describe`); the shape checks, the one row-norm kernel and the
/// replacement are the same for all.
template <typename OpTy> struct RowNormToGPU : OpRewritePattern<OpTy> {
  RowNormToGPU(MLIRContext *ctx, const TargetInfo &target, NormKind kind,
               llvm::StringRef name)
      : OpRewritePattern<OpTy>(ctx), target(target), kind(kind), name(name) {}

  /// Fills the op-specific fields (epsilon, column inputs, gate, ...).
  virtual void describe(OpTy op, RowNormProblem &p) const = 0;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const final {
    if (!hasStaticOperands(op))
      return rewriter.notifyMatchFailure(op,
                                         "dynamic shapes are not supported");
    auto xType = cast<RankedTensorType>(op.getX().getType());
    RowNormProblem p;
    p.kind = kind;
    p.name = name;
    p.d = xType.getShape().back();
    p.rows = xType.getNumElements() / std::max<int64_t>(1, p.d);
    if (p.d == 0 || p.rows == 0)
      return rewriter.notifyMatchFailure(op, "empty tensor");
    p.rowInputs.push_back(op.getX());
    for (Type t : op->getResultTypes())
      p.resultTypes.push_back(cast<RankedTensorType>(t));
    describe(op, p);
    FailureOr<SmallVector<Value>> r = buildRowNorm(rewriter, op, p, target);
    if (failed(r))
      return failure();
    rewriter.replaceOp(op, *r);
    return success();
  }

  TargetInfo target;
  NormKind kind;
  llvm::StringRef name;
};

struct RMSNormToGPU : RowNormToGPU<RMSNormOp> {
  RMSNormToGPU(MLIRContext *ctx, const TargetInfo &target)
      : RowNormToGPU(ctx, target, NormKind::RMSNorm, "rms_norm") {}
  void describe(RMSNormOp op, RowNormProblem &p) const override {
    p.epsilon = floatAttrValue(op.getEpsilon());
    p.colInputs = {op.getWeight()};
  }
};

struct PreAffineRMSNormToGPU : RowNormToGPU<PreAffineRMSNormOp> {
  PreAffineRMSNormToGPU(MLIRContext *ctx, const TargetInfo &target)
      : RowNormToGPU(ctx, target, NormKind::PreAffine, "preaffine_rms_norm") {}
  void describe(PreAffineRMSNormOp op, RowNormProblem &p) const override {
    p.epsilon = floatAttrValue(op.getEpsilon());
    p.colInputs = {op.getPreScale(), op.getWeight()};
  }
};

struct AddRMSNormToGPU : RowNormToGPU<AddRMSNormOp> {
  AddRMSNormToGPU(MLIRContext *ctx, const TargetInfo &target)
      : RowNormToGPU(ctx, target, NormKind::AddRMSNorm, "add_rms_norm") {}
  void describe(AddRMSNormOp op, RowNormProblem &p) const override {
    p.epsilon = floatAttrValue(op.getEpsilon());
    p.rowInputs.push_back(op.getResidual());
    p.colInputs = {op.getWeight()};
  }
};

struct DyTToGPU : RowNormToGPU<DyTOp> {
  DyTToGPU(MLIRContext *ctx, const TargetInfo &target)
      : RowNormToGPU(ctx, target, NormKind::DyT, "dyt") {}
  void describe(DyTOp op, RowNormProblem &p) const override {
    p.colInputs = {op.getWeight(), op.getBias()};
    p.alpha = op.getAlpha();
  }
};

struct GatedNormToGPU : RowNormToGPU<GatedNormOp> {
  GatedNormToGPU(MLIRContext *ctx, const TargetInfo &target)
      : RowNormToGPU(ctx, target, NormKind::Gated, "gated_norm") {}
  void describe(GatedNormOp op, RowNormProblem &p) const override {
    p.epsilon = floatAttrValue(op.getEpsilon());
    p.activation = op.getGateActivation();
    p.colInputs = {op.getWeight()};
    p.wDown = op.getWDown();
    p.wUp = op.getWUp();
    p.rank = op.getRank();
    p.tensorwiseGate = op.isTensorwise();
  }
};

} // namespace

void mlir::rescale::nvptx::populateNormsToGPUPatterns(
    RewritePatternSet &patterns, const TargetInfo &target) {
  patterns.add<RMSNormToGPU, PreAffineRMSNormToGPU, AddRMSNormToGPU, DyTToGPU,
               GatedNormToGPU>(patterns.getContext(), target);
}
