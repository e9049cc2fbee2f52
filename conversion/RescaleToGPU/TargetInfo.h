//===- TargetInfo.h - NVIDIA target facts for the rescale kernels -*- C++
//-*-===//
//
// Everything the kernel builders need to know about the target, in one place
// (as Triton's NVIDIA TargetInfo): the warp size, the shuffle, the shared
// memory budget, the number of SMs a persistent grid is sized for, and the
// reductions built from shuffles and shared memory.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_CONVERSION_RESCALETOGPU_TARGETINFO_H
#define RESCALE_CONVERSION_RESCALETOGPU_TARGETINFO_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::rescale::nvptx {

/// Static facts about one NVIDIA chip (`sm_80`, `sm_90`, `sm_90a`, ...).
struct TargetInfo {
  static constexpr int64_t kWarpSize = 32;
  /// The widest global load/store a thread issues: ld.global.v4.b32.
  static constexpr int64_t kVectorBytes = 16;
  /// Shared memory a kernel may use without an opt-in attribute.
  static constexpr int64_t kDefaultSmemBytes = 48 * 1024;
  static constexpr int64_t kMaxThreadsPerBlock = 1024;

  /// The SM version, e.g. 90 for sm_90 and sm_90a.
  int64_t smVersion = 80;
  /// Streaming multiprocessors of the flagship part of this generation
  /// (A100: 108, H100 SXM: 132); persistent grids are sized from it.
  int64_t numSMs = 108;
  /// Dynamic shared memory a block may opt into (cudaFuncAttribute
  /// MaxDynamicSharedMemorySize): 163 KiB on sm_80, 227 KiB on sm_90.
  int64_t maxDynamicSmemBytes = 163 * 1024;

  /// Facts for `chip`; unknown chips get the sm_80 (most conservative) set.
  static TargetInfo get(llvm::StringRef chip);

  /// Whether the chip has the mma.sync shapes used for bf16/f16 (sm_80+).
  bool hasMmaSyncBF16() const { return smVersion >= 80; }
};

//===----------------------------------------------------------------------===//
// Device-side building blocks (emitted inside a gpu.func).
//===----------------------------------------------------------------------===//

/// `gpu.shuffle xor` of an f32 value by `offset` across the full warp.
Value shuffleXor(OpBuilder &b, Location loc, Value value, int64_t offset);

/// Butterfly sum of each value across the lanes of a warp (5 `gpu.shuffle
/// xor` steps); every lane ends with the full sums.
SmallVector<Value> warpReduceSum(OpBuilder &b, Location loc, ValueRange values);

/// Sum of each value over the `numWarps` warps starting at warp `firstWarp`
/// (a row group: the whole block, or one of several groups in it). Warps
/// first reduce with shuffles; lane 0 of each writes its partials to
/// `scratch` (a flat workgroup f32 memref with values.size() slots per warp
/// of the block), then every warp reads its group's partials back and reduces
/// them with shuffles again, so every thread ends with the sums and no
/// broadcast step is needed. Two block-wide barriers (every thread of the
/// block must reach them): one to publish the partials, one so that
/// `scratch` can be reused by the next reduction.
SmallVector<Value> blockReduceSum(OpBuilder &b, Location loc, ValueRange values,
                                  Value scratch, Value warpId, Value laneId,
                                  Value firstWarp, int64_t numWarps);

} // namespace mlir::rescale::nvptx

#endif // RESCALE_CONVERSION_RESCALETOGPU_TARGETINFO_H
