//===- TensorGrad.cpp - gradient rules of tensor reshapes and slices ------===//
//
// The data-movement ops move adjoints back the way the values came:
//
//   expand_shape  <-> collapse_shape (same reassociation)
//   extract_slice:  d source = insert_slice(g) into zeros of the source
//   insert_slice:   d source = extract_slice(g); d dest = g with the
//                   inserted window zeroed (insert_slice of zeros)
//   concat:         d input_i = the slice of g at input i's offset
//   cast:           d source = cast(g) back
//   empty:          no operands to differentiate
//
//===----------------------------------------------------------------------===//

#include "dialect/Autodiff/Autodiff.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::autodiff;

namespace {

template <typename Derived, typename OpTy>
struct TensorGrad : AutodiffOpInterface::ExternalModel<Derived, OpTy> {
  LogicalResult buildAdjoint(Operation *op, OpBuilder &b,
                             ArrayRef<Value> resultGrads,
                             ArrayRef<bool> wantGrads,
                             SmallVectorImpl<Value> &operandGrads) const {
    return Derived::rule(cast<OpTy>(op), b, resultGrads, wantGrads,
                         operandGrads);
  }
};

struct ExpandShapeGrad : TensorGrad<ExpandShapeGrad, tensor::ExpandShapeOp> {
  static LogicalResult rule(tensor::ExpandShapeOp op, OpBuilder &b,
                            ArrayRef<Value> g, ArrayRef<bool>,
                            SmallVectorImpl<Value> &grads) {
    grads[0] =
        tensor::CollapseShapeOp::create(b, op.getLoc(), op.getSrc().getType(),
                                        g[0], op.getReassociationIndices());
    return success();
  }
};

struct CollapseShapeGrad
    : TensorGrad<CollapseShapeGrad, tensor::CollapseShapeOp> {
  static LogicalResult rule(tensor::CollapseShapeOp op, OpBuilder &b,
                            ArrayRef<Value> g, ArrayRef<bool>,
                            SmallVectorImpl<Value> &grads) {
    auto srcType = op.getSrcType();
    if (!srcType.hasStaticShape())
      return op.emitOpError() << "is differentiated on static shapes only";
    grads[0] = tensor::ExpandShapeOp::create(b, op.getLoc(), srcType, g[0],
                                             op.getReassociationIndices());
    return success();
  }
};

struct ExtractSliceGrad : TensorGrad<ExtractSliceGrad, tensor::ExtractSliceOp> {
  static LogicalResult rule(tensor::ExtractSliceOp op, OpBuilder &b,
                            ArrayRef<Value> g, ArrayRef<bool>,
                            SmallVectorImpl<Value> &grads) {
    Value zeros = zerosLike(b, op.getLoc(), op.getSourceType());
    grads[0] = tensor::InsertSliceOp::create(
        b, op.getLoc(), g[0], zeros, op.getMixedOffsets(), op.getMixedSizes(),
        op.getMixedStrides());
    return success();
  }
};

struct InsertSliceGrad : TensorGrad<InsertSliceGrad, tensor::InsertSliceOp> {
  static LogicalResult rule(tensor::InsertSliceOp op, OpBuilder &b,
                            ArrayRef<Value> g, ArrayRef<bool> want,
                            SmallVectorImpl<Value> &grads) {
    Location loc = op.getLoc();
    auto srcType = cast<RankedTensorType>(op.getSource().getType());
    if (want[0])
      grads[0] = tensor::ExtractSliceOp::create(
          b, loc, srcType, g[0], op.getMixedOffsets(), op.getMixedSizes(),
          op.getMixedStrides());
    if (want[1]) {
      Value zeros = zerosLike(b, loc, srcType);
      grads[1] = tensor::InsertSliceOp::create(
          b, loc, zeros, g[0], op.getMixedOffsets(), op.getMixedSizes(),
          op.getMixedStrides());
    }
    return success();
  }
};

struct ConcatGrad : TensorGrad<ConcatGrad, tensor::ConcatOp> {
  static LogicalResult rule(tensor::ConcatOp op, OpBuilder &b,
                            ArrayRef<Value> g, ArrayRef<bool> want,
                            SmallVectorImpl<Value> &grads) {
    Location loc = op.getLoc();
    int64_t dim = op.getDim();
    int64_t offset = 0;
    for (auto [i, input] : llvm::enumerate(op.getInputs())) {
      auto type = cast<RankedTensorType>(input.getType());
      if (!type.hasStaticShape())
        return op.emitOpError() << "is differentiated on static shapes only";
      int64_t rank = type.getRank();
      SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
      offsets[dim] = b.getIndexAttr(offset);
      SmallVector<OpFoldResult> sizes;
      for (int64_t d : type.getShape())
        sizes.push_back(b.getIndexAttr(d));
      SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
      offset += type.getDimSize(dim);
      if (!want[i])
        continue;
      grads[i] = tensor::ExtractSliceOp::create(b, loc, type, g[0], offsets,
                                                sizes, strides);
    }
    return success();
  }
};

struct CastGrad : TensorGrad<CastGrad, tensor::CastOp> {
  static LogicalResult rule(tensor::CastOp op, OpBuilder &b, ArrayRef<Value> g,
                            ArrayRef<bool>, SmallVectorImpl<Value> &grads) {
    grads[0] =
        tensor::CastOp::create(b, op.getLoc(), op.getSource().getType(), g[0]);
    return success();
  }
};

struct EmptyGrad : TensorGrad<EmptyGrad, tensor::EmptyOp> {
  static LogicalResult rule(tensor::EmptyOp, OpBuilder &, ArrayRef<Value>,
                            ArrayRef<bool>, SmallVectorImpl<Value> &) {
    return success();
  }
};

} // namespace

namespace mlir::rescale::autodiff {
void registerTensorGradModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, tensor::TensorDialect *) {
    tensor::ExpandShapeOp::attachInterface<ExpandShapeGrad>(*ctx);
    tensor::CollapseShapeOp::attachInterface<CollapseShapeGrad>(*ctx);
    tensor::ExtractSliceOp::attachInterface<ExtractSliceGrad>(*ctx);
    tensor::InsertSliceOp::attachInterface<InsertSliceGrad>(*ctx);
    tensor::ConcatOp::attachInterface<ConcatGrad>(*ctx);
    tensor::CastOp::attachInterface<CastGrad>(*ctx);
    tensor::EmptyOp::attachInterface<EmptyGrad>(*ctx);
  });
}
} // namespace mlir::rescale::autodiff
