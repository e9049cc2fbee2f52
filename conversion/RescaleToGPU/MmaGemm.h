//===- MmaGemm.h - the tensor-core GEMM schedule shared by the linears -*- C++
//-*-===//
//
// y[M, N] = A[M, K] · B[N, K]ᵀ with both operands K-contiguous (x rows and
// weight rows): exactly the row.col operand order of mma.sync. A CTA of 4
// warps (2 x 2) computes a 128 x 128 tile of y, each warp 64 x 64 as 4 x 8
// mma.sync accumulators. K advances in tiles staged through shared memory by
// cp.async (nvgpu.device_async_copy, up to 16 bytes; through registers where
// cp.async cannot copy, see stagesAsync); rows are padded by 16 bytes so
// fragment reads are bank-conflict free. Ragged M and N rows are clamped on
// load and guarded on store; K past the end of a row reads zeros.
//
// The schedule is the same for every linear; what differs is how an operand
// is stored and how a fragment slot is built from its staged tile:
//   * bf16 / f16 operands are staged as they are (m16n8k16, f32 accumulators);
//   * quantized codes (i8, f8E4M3FN, f4E2M1FN bytes) are staged as bytes and
//     decoded in registers by the operand's `slot` hook, either to s8 for the
//     int8 mma (m16n8k32, s32 accumulators) or to bf16/f16.
// The epilogue hook receives every in-bounds accumulator as f32.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_CONVERSION_RESCALETOGPU_MMAGEMM_H
#define RESCALE_CONVERSION_RESCALETOGPU_MMAGEMM_H

#include "conversion/RescaleToGPU/KernelBuilder.h"

#include <functional>

namespace mlir::rescale::nvptx {

/// The multiplicand type of the tensor-core instruction.
enum class MmaKind { bf16, f16, s8 };

/// Fixed tile sizes of the schedule.
struct MmaGemmTiles {
  static constexpr int64_t kTileM = 128, kTileN = 128;
  static constexpr int64_t kWarpTile = 64; // each of the 2 x 2 warps
  static constexpr int64_t kThreads = 128;
  static constexpr int64_t kPadBytes = 16; // smem row padding
};

/// K extent of one mma instruction (16 for bf16/f16, 32 for s8) and of one
/// staged K tile (two instructions).
int64_t mmaK(MmaKind kind);
int64_t gemmTileK(MmaKind kind);

/// Per-CTA values the hooks may use.
struct GemmTile {
  Value tid, m0, n0;
};

/// One multiplicand: rows of `rowUnits` storage units in a flat global
/// buffer, `kPerUnit` K elements per unit (2 for int4 packed in bytes).
struct GemmOperand {
  Value buffer;
  int64_t rows = 0;
  int64_t rowUnits = 0;
  int64_t kPerUnit = 1;
  /// Element type of the staged tile: bf16, f16 or i8 (bytes of any code).
  Type smemElt;
  /// Builds one fragment slot (i32, or vector<2xf16> for f16) whose first
  /// K element is `k` (within the K tile) of tile row `row`; `unitIdx` is that
  /// element's unit in the staged tile. Unset: the slot is loaded as is.
  std::function<Value(ImplicitLocOpBuilder &, Value smem, Value unitIdx,
                      Value row, Value k)>
      slot;
  /// Optional: stages side data of the K tile at global `k0` (block scales)
  /// before the tile's barrier.
  std::function<void(ImplicitLocOpBuilder &, const GemmTile &, Value k0)>
      stageExtra;
};

/// Workgroup buffer types of the two staged tiles (A then B).
SmallVector<Type> gemmWorkgroupTypes(MLIRContext *ctx, MmaKind kind,
                                     const GemmOperand &a,
                                     const GemmOperand &b);

/// Grid and block of an M x N GEMM.
LaunchConfig gemmLaunchConfig(int64_t m, int64_t n);

struct GemmHooks {
  /// Optional: at the start of K tile `kTile` (before its MMAs), may rewrite
  /// the accumulators (as f32 or i32 values, as the mma kind has them).
  std::function<void(ImplicitLocOpBuilder &, const GemmTile &, Value kTile,
                     MutableArrayRef<Value> acc)>
      onKTile;
  /// Called once per in-bounds output element, inside its guard, with the
  /// accumulator converted to f32: stores y[row, col].
  std::function<void(ImplicitLocOpBuilder &, const GemmTile &, Value row,
                     Value col, Value acc)>
      epilogue;
};

/// Emits the whole kernel body. `aSmem` and `bSmem` are the buffers of
/// `gemmWorkgroupTypes`.
void buildMmaGemm(ImplicitLocOpBuilder &b, MmaKind kind, int64_t m, int64_t n,
                  int64_t k, const GemmOperand &a, const GemmOperand &bOp,
                  Value aSmem, Value bSmem, const GemmHooks &hooks);

/// acc (4 i32) += A (4 i32 of 4 s8) x B (2 i32 of 4 s8): one nvvm.mma.sync
/// m16n8k32 row.col s8.s8.s32 (PTX ISA "Matrix Fragments for mma.m16n8k32":
/// a0 = A[g][4q..], a1 = A[g+8][4q..], a2 = A[g][4q+16..], a3 =
/// A[g+8][4q+16..]; b0 = B[4q..][g], b1 = B[4q+16..][g]; C as for m16n8k16).
void mmaSync16832S8(ImplicitLocOpBuilder &b, ArrayRef<Value> aFrag,
                    ArrayRef<Value> bFrag, MutableArrayRef<Value> acc);

} // namespace mlir::rescale::nvptx

#endif // RESCALE_CONVERSION_RESCALETOGPU_MMAGEMM_H
