//===- MmaGemm.cpp - the tensor-core GEMM schedule shared by the linears --===//

#include "conversion/RescaleToGPU/MmaGemm.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::rescale::nvptx;

using T = MmaGemmTiles;

int64_t mlir::rescale::nvptx::mmaK(MmaKind kind) {
  return kind == MmaKind::s8 ? 32 : 16;
}

int64_t mlir::rescale::nvptx::gemmTileK(MmaKind kind) { return 2 * mmaK(kind); }

static int64_t unitBytes(Type elt) {
  return std::max<int64_t>(1, elt.getIntOrFloatBitWidth() / 8);
}

/// Units of one staged row, and the padded stride between staged rows.
static int64_t tileUnits(MmaKind kind, const GemmOperand &op) {
  return gemmTileK(kind) / op.kPerUnit;
}
static int64_t smemStride(MmaKind kind, const GemmOperand &op) {
  return tileUnits(kind, op) + T::kPadBytes / unitBytes(op.smemElt);
}

SmallVector<Type>
mlir::rescale::nvptx::gemmWorkgroupTypes(MLIRContext *ctx, MmaKind kind,
                                         const GemmOperand &a,
                                         const GemmOperand &b) {
  return {workgroupBufferType(ctx, T::kTileM * smemStride(kind, a), a.smemElt),
          workgroupBufferType(ctx, T::kTileN * smemStride(kind, b), b.smemElt)};
}

LaunchConfig mlir::rescale::nvptx::gemmLaunchConfig(int64_t m, int64_t n) {
  LaunchConfig config;
  config.blockSize = T::kThreads;
  config.gridSize =
      llvm::divideCeil(m, T::kTileM) * llvm::divideCeil(n, T::kTileN);
  return config;
}

/// The global buffer of `op` as something `width` units can be loaded from
/// at a unit index: the memref itself, or for sub-byte codes (f4E2M1FN, one
/// byte per element in memory, whose LLVM vectors would be bit-packed) a
/// global byte pointer.
static Value globalSource(ImplicitLocOpBuilder &b, const GemmOperand &op) {
  Type elt = cast<MemRefType>(op.buffer.getType()).getElementType();
  if (elt.getIntOrFloatBitWidth() >= 8)
    return op.buffer;
  // The aligned pointer plus the view's offset (one byte per element).
  Value base =
      memref::ExtractAlignedPointerAsIndexOp::create(b, op.buffer).getResult();
  auto metadata = memref::ExtractStridedMetadataOp::create(b, op.buffer);
  base = arith::AddIOp::create(b, base, metadata.getOffset());
  Value asInt = arith::IndexCastOp::create(b, b.getI64Type(), base);
  auto global = LLVM::LLVMPointerType::get(b.getContext(), 1);
  return LLVM::IntToPtrOp::create(b, global, asInt);
}

/// `width` units at `idx` as vector<width x smemElt>.
static Value loadUnits(ImplicitLocOpBuilder &b, Value src, Value idx,
                       int64_t width, Type smemElt) {
  int64_t bytes = width * unitBytes(smemElt);
  auto vecType = VectorType::get({width}, smemElt);
  if (isa<LLVM::LLVMPointerType>(src.getType())) {
    Value i64 = arith::IndexCastOp::create(b, b.getI64Type(), idx);
    Value ptr = LLVM::GEPOp::create(b, src.getType(), b.getI8Type(), src,
                                    ValueRange{i64});
    return LLVM::LoadOp::create(b, vecType, ptr, bytes);
  }
  Type elt = cast<MemRefType>(src.getType()).getElementType();
  Value v =
      vector::LoadOp::create(b, VectorType::get({width}, elt), src,
                             ValueRange{idx}, false, llvm::MaybeAlign(bytes));
  if (elt != smemElt)
    v = vector::BitCastOp::create(b, vecType, v);
  return v;
}

/// True when `op`'s tile is staged by cp.async (nvgpu.device_async_copy,
/// global to shared without a register round trip): the global operand is a
/// memref of the staged element type and one access is 4, 8 or 16 bytes (what
/// cp.async copies; `bytes` is one access). Codes staged as bytes of another
/// type (f8 as i8), sub-byte codes (read through a byte pointer) and 2-byte
/// rows (odd K) go through registers.
static bool stagesAsync(const GemmOperand &op, Value src, int64_t bytes) {
  auto type = dyn_cast<MemRefType>(src.getType());
  return type && type.getElementType() == op.smemElt &&
         (bytes == 4 || bytes == 8 || bytes == 16);
}

/// The whole block copies rows [base, base + 128) x units [u0, u0 + tile) of
/// `op` into its staged tile; rows past the end are clamped, units past the
/// end of a row read zeros. Asynchronous copies append their tokens to
/// `tokens` (the caller waits for them before the tile's barrier).
static void stageTile(ImplicitLocOpBuilder &b, MmaKind kind,
                      const GemmOperand &op, Value src, Value base, Value k0,
                      Value dst, Value tid, SmallVectorImpl<Value> &tokens) {
  IndexMath ix(b);
  int64_t units = tileUnits(kind, op), stride = smemStride(kind, op);
  int64_t width = vectorWidth(op.rowUnits, {op.smemElt});
  width = std::min(width, units);
  int64_t vecsPerRow = units / width;
  int64_t bytes = width * unitBytes(op.smemElt);
  bool async = stagesAsync(op, src, bytes);
  auto vecType = VectorType::get({width}, op.smemElt);
  Value zero;
  if (!async)
    zero = arith::ConstantOp::create(
        b, vecType, DenseElementsAttr::get(vecType, b.getZeroAttr(op.smemElt)));
  Value u0 = arith::DivUIOp::create(b, k0, cIdx(b, op.kPerUnit));
  for (int64_t it = 0; it < vecsPerRow; ++it) {
    Value v = arith::AddIOp::create(b, tid, cIdx(b, it * T::kThreads));
    Value r = arith::DivUIOp::create(b, v, cIdx(b, vecsPerRow));
    Value vecCol = arith::RemUIOp::create(b, v, cIdx(b, vecsPerRow));
    Value c = arith::MulIOp::create(b, vecCol, cIdx(b, width));
    Value tileRow = arith::AddIOp::create(b, base, r);
    Value row = arith::MinUIOp::create(b, tileRow, cIdx(b, op.rows - 1));
    Value col = arith::AddIOp::create(b, u0, c);
    Value inRow = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, col,
                                        cIdx(b, op.rowUnits));
    Value safeCol = arith::SelectOp::create(b, inRow, col, cIdx(b, 0));
    Value gIdx = ix.mulAdd(row, op.rowUnits, safeCol);
    Value sRow = arith::MulIOp::create(b, r, cIdx(b, stride));
    Value sIdx = arith::AddIOp::create(b, sRow, c);
    if (async) {
      // A vector is wholly inside a row or wholly past its end (`width`
      // divides the row): past the end, cp.async reads nothing and fills
      // zeros (src-size 0).
      Value all = cIdx(b, width);
      Value none = cIdx(b, 0);
      Value srcElements = arith::SelectOp::create(b, inRow, all, none);
      UnitAttr bypassL1 = bytes == 16 ? b.getUnitAttr() : UnitAttr();
      auto copy = nvgpu::DeviceAsyncCopyOp::create(
          b, nvgpu::DeviceAsyncTokenType::get(b.getContext()), dst,
          ValueRange{sIdx}, src, ValueRange{gIdx}, b.getIndexAttr(width),
          srcElements, bypassL1);
      tokens.push_back(copy.getAsyncToken());
      continue;
    }
    Value data = loadUnits(b, src, gIdx, width, op.smemElt);
    data = arith::SelectOp::create(b, inRow, data, zero);
    vector::StoreOp::create(b, data, dst, ValueRange{sIdx}, false,
                            llvm::MaybeAlign(bytes));
  }
}

/// One slot as staged: two 16-bit elements, or four s8 as one i32.
static Value loadSlotAsIs(ImplicitLocOpBuilder &b, Value smem, Value idx) {
  Type elt = cast<MemRefType>(smem.getType()).getElementType();
  if (elt.getIntOrFloatBitWidth() == 16)
    return loadMmaPair(b, smem, idx);
  return bitcastToI32(b, vector::LoadOp::create(b, VectorType::get({4}, elt),
                                                smem, ValueRange{idx}, false,
                                                llvm::MaybeAlign(4)));
}

void mlir::rescale::nvptx::mmaSync16832S8(ImplicitLocOpBuilder &b,
                                          ArrayRef<Value> aFrag,
                                          ArrayRef<Value> bFrag,
                                          MutableArrayRef<Value> acc) {
  mmaSyncRowCol(b, b.getI8Type(), aFrag, bFrag, acc);
}

namespace {
/// The kernel body of buildMmaGemm in its three parts: the CTA and warp
/// geometry (prologue), the K loop (staging, then the warp's MMAs), and the
/// guarded epilogue. Ops are created in that order.
class MmaGemmBuilder {
public:
  MmaGemmBuilder(ImplicitLocOpBuilder &b, MmaKind kind, int64_t m, int64_t n,
                 int64_t k, const GemmOperand &a, const GemmOperand &bOp,
                 Value aSmem, Value bSmem, const GemmHooks &hooks)
      : b(b), kind(kind), m(m), n(n), k(k), a(a), bOp(bOp), aSmem(aSmem),
        bSmem(bSmem), hooks(hooks), tileK(gemmTileK(kind)), instK(mmaK(kind)),
        integer(kind == MmaKind::s8) {}

  void build() {
    buildGeometry();
    scf::ForOp loop = buildKLoop();
    buildEpilogue(loop);
  }

private:
  static constexpr int64_t kMTiles = T::kWarpTile / 16;
  static constexpr int64_t kNTiles = T::kWarpTile / 8;

  /// Thread, lane and warp coordinates, and the CTA's tile origin.
  void buildGeometry() {
    int64_t gridN = llvm::divideCeil(n, T::kTileN);
    tile.tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
    Value bid = gpu::BlockIdOp::create(b, gpu::Dimension::x);
    Value lane = arith::RemUIOp::create(b, tile.tid, cIdx(b, 32));
    Value warpId = arith::DivUIOp::create(b, tile.tid, cIdx(b, 32));
    group = arith::DivUIOp::create(b, lane, cIdx(b, 4));
    quad = arith::RemUIOp::create(b, lane, cIdx(b, 4));
    Value tileM = arith::DivUIOp::create(b, bid, cIdx(b, gridN));
    tile.m0 = arith::MulIOp::create(b, tileM, cIdx(b, T::kTileM));
    Value tileN = arith::RemUIOp::create(b, bid, cIdx(b, gridN));
    tile.n0 = arith::MulIOp::create(b, tileN, cIdx(b, T::kTileN));
    // Warp (wm, wn) of the 2 x 2 grid owns rows wm·64.. and columns wn·64..
    // of the CTA tile.
    Value warpM = arith::DivUIOp::create(b, warpId, cIdx(b, 2));
    wm = arith::MulIOp::create(b, warpM, cIdx(b, T::kWarpTile));
    Value warpN = arith::RemUIOp::create(b, warpId, cIdx(b, 2));
    wn = arith::MulIOp::create(b, warpN, cIdx(b, T::kWarpTile));
    aSrc = globalSource(b, a);
    bSrc = globalSource(b, bOp);
  }

  /// The loop over K tiles, carrying the warp's accumulators.
  scf::ForOp buildKLoop() {
    Value zero =
        integer ? arith::ConstantIntOp::create(b, b.getI32Type(), 0).getResult()
                : cF32(b, 0.0f);
    SmallVector<Value> init(kMTiles * kNTiles * 4, zero);
    Value lb = cIdx(b, 0);
    Value ub = cIdx(b, llvm::divideCeil(k, tileK));
    Value step = cIdx(b, 1);
    auto loop = scf::ForOp::create(b, lb, ub, step, init);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    Value kTile = loop.getInductionVar();
    stageKTile(kTile);
    SmallVector<Value> acc(loop.getRegionIterArgs().begin(),
                           loop.getRegionIterArgs().end());
    if (hooks.onKTile)
      hooks.onKTile(b, tile, kTile, acc);
    buildMmas(acc);
    scf::YieldOp::create(b, acc);
    return loop;
  }

  /// Both operands' tiles (and side data) of K tile `kTile` into shared
  /// memory, between two barriers.
  void stageKTile(Value kTile) {
    Value k0 = arith::MulIOp::create(b, kTile, cIdx(b, tileK));
    gpu::BarrierOp::create(b);
    SmallVector<Value> copies;
    stageTile(b, kind, a, aSrc, tile.m0, k0, aSmem, tile.tid, copies);
    stageTile(b, kind, bOp, bSrc, tile.n0, k0, bSmem, tile.tid, copies);
    if (a.stageExtra)
      a.stageExtra(b, tile, k0);
    if (bOp.stageExtra)
      bOp.stageExtra(b, tile, k0);
    if (!copies.empty()) {
      // This thread's copies land before the barrier makes them everyone's.
      Value copyGroup = nvgpu::DeviceAsyncCreateGroupOp::create(
          b, nvgpu::DeviceAsyncTokenType::get(b.getContext()), copies);
      nvgpu::DeviceAsyncWaitOp::create(b, copyGroup, b.getI32IntegerAttr(0));
    }
    gpu::BarrierOp::create(b);
  }

  /// One fragment slot of `op` at tile row `row`, K `kIn` within the tile.
  Value slotOf(const GemmOperand &op, Value smem, Value row, Value kIn) {
    Value rowBase =
        arith::MulIOp::create(b, row, cIdx(b, smemStride(kind, op)));
    Value unit = arith::DivUIOp::create(b, kIn, cIdx(b, op.kPerUnit));
    Value idx = arith::AddIOp::create(b, rowBase, unit);
    return op.slot ? op.slot(b, smem, idx, row, kIn)
                   : loadSlotAsIs(b, smem, idx);
  }

  /// The warp's MMAs over the staged K tile: per instruction K step, the A
  /// fragments of its 4 row tiles, then per column tile its B fragment and
  /// 4 MMAs.
  void buildMmas(MutableArrayRef<Value> acc) {
    // Elements of one fragment slot (a 32-bit register): 2 x 16-bit or 4 x
    // s8. A slot's first K element within the tile: lane quad q holds
    // elements q·perSlot.., and the second half of the instruction's K at
    // +instK/2.
    const int64_t perSlot = integer ? 4 : 2;
    Value qOff = arith::MulIOp::create(b, quad, cIdx(b, perSlot));
    for (int64_t kk = 0; kk < tileK / instK; ++kk) {
      Value kOff = arith::AddIOp::create(b, qOff, cIdx(b, kk * instK));
      SmallVector<SmallVector<Value, 4>> aFrag(kMTiles);
      for (int64_t mt = 0; mt < kMTiles; ++mt)
        for (int slot = 0; slot < 4; ++slot) {
          Value warpRow = arith::AddIOp::create(b, wm, group);
          Value row = arith::AddIOp::create(b, warpRow,
                                            cIdx(b, mt * 16 + (slot % 2) * 8));
          Value kIn =
              arith::AddIOp::create(b, kOff, cIdx(b, (slot / 2) * instK / 2));
          aFrag[mt].push_back(slotOf(a, aSmem, row, kIn));
        }
      for (int64_t nt = 0; nt < kNTiles; ++nt) {
        Value warpCol = arith::AddIOp::create(b, wn, group);
        Value row = arith::AddIOp::create(b, warpCol, cIdx(b, nt * 8));
        Value b0 = slotOf(bOp, bSmem, row, kOff);
        Value b1 = slotOf(bOp, bSmem, row,
                          arith::AddIOp::create(b, kOff, cIdx(b, instK / 2)));
        for (int64_t mt = 0; mt < kMTiles; ++mt) {
          MutableArrayRef<Value> c(acc.data() + (mt * kNTiles + nt) * 4, 4);
          if (integer)
            mmaSync16832S8(b, aFrag[mt], {b0, b1}, c);
          else
            mmaSync16816(
                b, kind == MmaKind::bf16 ? b.getBF16Type() : b.getF16Type(),
                aFrag[mt], {b0, b1}, c);
        }
      }
    }
  }

  /// The C fragments (pairs of columns) of the loop's results, each element
  /// guarded by M and N and handed to the epilogue hook as f32.
  void buildEpilogue(scf::ForOp loop) {
    Value quad2 = arith::MulIOp::create(b, quad, cIdx(b, 2));
    for (int64_t mt = 0; mt < kMTiles; ++mt)
      for (int64_t nt = 0; nt < kNTiles; ++nt)
        for (int half = 0; half < 2; ++half) {
          Value tileRow = ix.addSum(tile.m0, wm, group);
          Value row =
              arith::AddIOp::create(b, tileRow, cIdx(b, mt * 16 + half * 8));
          Value tileCol = ix.addSum(tile.n0, wn, quad2);
          Value col = arith::AddIOp::create(b, tileCol, cIdx(b, nt * 8));
          for (int e = 0; e < 2; ++e) {
            Value c = arith::AddIOp::create(b, col, cIdx(b, e));
            Value rowOk = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                                row, cIdx(b, m));
            Value colOk = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, c,
                                                cIdx(b, n));
            Value ok = arith::AndIOp::create(b, rowOk, colOk);
            auto guarded = scf::IfOp::create(b, ok, /*withElseRegion=*/false);
            OpBuilder::InsertionGuard g(b);
            b.setInsertionPointToStart(guarded.thenBlock());
            Value v = loop.getResult((mt * kNTiles + nt) * 4 + half * 2 + e);
            if (integer)
              v = arith::SIToFPOp::create(b, b.getF32Type(), v);
            hooks.epilogue(b, tile, row, c, v);
          }
        }
  }

  ImplicitLocOpBuilder &b;
  IndexMath ix{b};
  const MmaKind kind;
  const int64_t m, n, k;
  const GemmOperand &a, &bOp;
  const Value aSmem, bSmem;
  const GemmHooks &hooks;
  const int64_t tileK, instK;
  const bool integer;
  // Set by buildGeometry.
  GemmTile tile;
  Value group, quad, wm, wn, aSrc, bSrc;
};
} // namespace

void mlir::rescale::nvptx::buildMmaGemm(ImplicitLocOpBuilder &b, MmaKind kind,
                                        int64_t m, int64_t n, int64_t k,
                                        const GemmOperand &a,
                                        const GemmOperand &bOp, Value aSmem,
                                        Value bSmem, const GemmHooks &hooks) {
  MmaGemmBuilder(b, kind, m, n, k, a, bOp, aSmem, bSmem, hooks).build();
}
