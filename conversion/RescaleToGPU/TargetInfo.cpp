//===- TargetInfo.cpp - NVIDIA target facts and warp/block reductions -----===//

#include "conversion/RescaleToGPU/TargetInfo.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

using namespace mlir;
using namespace mlir::rescale::nvptx;

TargetInfo TargetInfo::get(llvm::StringRef chip) {
  TargetInfo info;
  int64_t version = 0;
  llvm::StringRef digits = chip;
  if (digits.consume_front("sm_")) {
    digits = digits.take_while([](char c) { return c >= '0' && c <= '9'; });
    if (!digits.getAsInteger(10, version))
      info.smVersion = version;
  }
  if (info.smVersion >= 90) {
    info.numSMs = 132;
    info.maxDynamicSmemBytes = 227 * 1024;
  } else if (info.smVersion >= 89) {
    info.numSMs = 128;
    info.maxDynamicSmemBytes = 99 * 1024;
  }
  return info;
}

Value mlir::rescale::nvptx::shuffleXor(OpBuilder &b, Location loc, Value value,
                                       int64_t offset) {
  return gpu::ShuffleOp::create(b, loc, value, static_cast<int32_t>(offset),
                                static_cast<int32_t>(TargetInfo::kWarpSize),
                                gpu::ShuffleMode::XOR)
      .getShuffleResult();
}

SmallVector<Value> mlir::rescale::nvptx::warpReduceSum(OpBuilder &b,
                                                       Location loc,
                                                       ValueRange values) {
  SmallVector<Value> acc(values.begin(), values.end());
  // Interleave the independent butterflies so their shuffles overlap.
  for (int64_t offset = TargetInfo::kWarpSize / 2; offset > 0; offset /= 2)
    for (Value &v : acc)
      v = arith::AddFOp::create(b, loc, v, shuffleXor(b, loc, v, offset));
  return acc;
}

SmallVector<Value> mlir::rescale::nvptx::blockReduceSum(
    OpBuilder &b, Location loc, ValueRange values, Value scratch, Value warpId,
    Value laneId, Value firstWarp, int64_t numWarps) {
  ImplicitLocOpBuilder ib(loc, b);
  SmallVector<Value> partial = warpReduceSum(b, loc, values);
  if (numWarps == 1)
    return partial;
  int64_t n = values.size();
  Value zeroIdx = arith::ConstantIndexOp::create(ib, 0);
  Value nIdx = arith::ConstantIndexOp::create(ib, n);
  Value isLane0 =
      arith::CmpIOp::create(ib, arith::CmpIPredicate::eq, laneId, zeroIdx);
  auto publish = scf::IfOp::create(ib, isLane0, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(ib);
    ib.setInsertionPointToStart(publish.thenBlock());
    Value base = arith::MulIOp::create(ib, warpId, nIdx);
    for (int64_t i = 0; i < n; ++i) {
      Value idx = arith::AddIOp::create(ib, base,
                                        arith::ConstantIndexOp::create(ib, i));
      memref::StoreOp::create(ib, partial[i], scratch, idx);
    }
  }
  gpu::BarrierOp::create(ib);
  // Every warp reads its group's numWarps partials (lanes past numWarps read
  // the group's first slot and contribute zero), so all threads finish with
  // the sums.
  Value numWarpsIdx = arith::ConstantIndexOp::create(ib, numWarps);
  Value active =
      arith::CmpIOp::create(ib, arith::CmpIPredicate::ult, laneId, numWarpsIdx);
  Value slot = arith::AddIOp::create(
      ib, firstWarp, arith::SelectOp::create(ib, active, laneId, zeroIdx));
  Value base = arith::MulIOp::create(ib, slot, nIdx);
  Value zero = arith::ConstantOp::create(ib, ib.getF32FloatAttr(0.0f));
  SmallVector<Value> gathered;
  for (int64_t i = 0; i < n; ++i) {
    Value idx =
        arith::AddIOp::create(ib, base, arith::ConstantIndexOp::create(ib, i));
    Value v = memref::LoadOp::create(ib, scratch, idx);
    gathered.push_back(arith::SelectOp::create(ib, active, v, zero));
  }
  SmallVector<Value> sums = warpReduceSum(b, loc, gathered);
  gpu::BarrierOp::create(ib);
  return sums;
}
