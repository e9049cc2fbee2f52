//===- StridedCopiesToLinalg.cpp - no memrefCopy calls in a module --------===//
//
// A memref.copy between non-contiguous buffers lowers to a call of MLIR's
// runner-utils `memrefCopy`, which compiled modules do not link; as a
// linalg.copy it becomes loops like the rest of the program.
//
//===----------------------------------------------------------------------===//

#include "transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/Builders.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_STRIDEDCOPIESTOLINALG
#include "transforms/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;

/// Whether finalize-memref-to-llvm copies `type` as one contiguous block
/// (its MemRefCopyOpLowering asks exactly this before choosing a memcpy over
/// the memrefCopy call).
static bool isContiguous(MemRefType type) {
  return type.getLayout().isIdentity() ||
         (type.hasStaticShape() && type.getNumElements() > 0 &&
          memref::isStaticShapeAndContiguousRowMajor(type));
}

namespace {

struct StridedCopiesToLinalgPass
    : mlir::rescale::impl::StridedCopiesToLinalgBase<
          StridedCopiesToLinalgPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> strided;
    getOperation().walk([&](memref::CopyOp copy) {
      auto source = dyn_cast<MemRefType>(copy.getSource().getType());
      auto target = dyn_cast<MemRefType>(copy.getTarget().getType());
      if (source && target && (!isContiguous(source) || !isContiguous(target)))
        strided.push_back(copy);
    });
    for (memref::CopyOp copy : strided) {
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
      ++numCopies;
    }
  }
};

} // namespace
