//===- DataMovementToGPU.cpp - slices and concatenations as copy kernels --===//
//
// On the NVPTX path host buffers are device memory, and a tensor op that
// bufferizes into a copy becomes a gpu.memcpy, which moves one contiguous
// block only. A tensor.extract_slice or tensor.insert_slice whose region is
// not one contiguous block of its tensor (a column range, a window of
// tokens in every batch), and every tensor.concat, would leave a strided
// memref.copy that no GPU lowering takes. Each becomes a copy kernel here
// instead: a thread per element of the result, its source element found
// from the result's index, the value moved as it is (no conversion). The
// short convolution of the linear-attention layers (shifted token windows,
// weight columns) and the q/k/v split around it are such ops.
//
// Slices that are one contiguous block stay as they are: they bufferize to
// a subview and, where a kernel needs its own buffer, one gpu.memcpy.
//
//===----------------------------------------------------------------------===//

#include "conversion/RescaleToGPU/KernelBuilder.h"
#include "conversion/RescaleToGPU/NVPTXPatterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::rescale::nvptx;

namespace {

constexpr int64_t kBlockSize = 256;

/// One element's value, built in the kernel from the result's index and
/// the kernel's input buffers.
using ElementFn = function_ref<Value(ImplicitLocOpBuilder &, ArrayRef<Value>,
                                     ArrayRef<Value>)>;

} // namespace

/// The multi-index of row-major position `e` in `shape`.
static SmallVector<Value> delinearize(ImplicitLocOpBuilder &b, Value e,
                                      ArrayRef<int64_t> shape) {
  SmallVector<Value> idx(shape.size());
  Value rest = e;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    idx[d] = arith::RemUIOp::create(b, rest, cIdx(b, shape[d]));
    rest = arith::DivUIOp::create(b, rest, cIdx(b, shape[d]));
  }
  return idx;
}

/// The row-major position of `idx` in `shape`.
static Value linearize(ImplicitLocOpBuilder &b, ArrayRef<Value> idx,
                       ArrayRef<int64_t> shape) {
  Value pos = cIdx(b, 0);
  for (size_t d = 0; d < shape.size(); ++d) {
    Value scaled = arith::MulIOp::create(b, pos, cIdx(b, shape[d]));
    pos = arith::AddIOp::create(b, scaled, idx[d]);
  }
  return pos;
}

/// Element `idx` of the flat buffer `buf` holding a tensor of `shape`.
static Value loadAt(ImplicitLocOpBuilder &b, Value buf, ArrayRef<Value> idx,
                    ArrayRef<int64_t> shape) {
  Value pos = linearize(b, idx, shape);
  return memref::LoadOp::create(b, buf, ValueRange{pos});
}

/// A kernel writing every element of a fresh `resultType` buffer with
/// `element`, the `inputs` passed as flat buffers; returns the result.
static Value emitElementKernel(PatternRewriter &rewriter, Operation *op,
                               StringRef name, ValueRange inputs,
                               RankedTensorType resultType, ElementFn element) {
  Location loc = op->getLoc();
  SmallVector<Value> args;
  for (Value input : inputs)
    args.push_back(flatBufferOf(rewriter, loc, input));
  ResultBuffer out = allocResult(rewriter, loc, resultType);
  args.push_back(out.flat);
  int64_t count = resultType.getNumElements();
  int64_t blocks = llvm::divideCeil(count, kBlockSize);
  LaunchConfig config{blocks, kBlockSize, 0};
  ArrayRef<int64_t> shape = resultType.getShape();
  unsigned numInputs = inputs.size();
  emitKernel(rewriter, op, name, args, {}, config,
             [&](ImplicitLocOpBuilder &b, gpu::GPUFuncOp func) {
               Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
               Value bid = gpu::BlockIdOp::create(b, gpu::Dimension::x);
               Value first = arith::MulIOp::create(b, bid, cIdx(b, kBlockSize));
               Value e = arith::AddIOp::create(b, first, tid);
               Value inRange = arith::CmpIOp::create(
                   b, arith::CmpIPredicate::ult, e, cIdx(b, count));
               auto ifInRange =
                   scf::IfOp::create(b, inRange, /*withElseRegion=*/false);
               OpBuilder::InsertionGuard guard(b);
               b.setInsertionPointToStart(ifInRange.thenBlock());
               SmallVector<Value> idx = delinearize(b, e, shape);
               SmallVector<Value> buffers;
               for (unsigned i = 0; i < numInputs; ++i)
                 buffers.push_back(func.getArgument(i));
               Value v = element(b, idx, buffers);
               memref::StoreOp::create(b, v, func.getArgument(numInputs),
                                       ValueRange{e});
             });
  return out.tensor;
}

/// cond ? thenValue() : elseValue(), each built in its own branch of an
/// scf.if, so that the load of the branch not taken never runs (it may be
/// out of bounds).
static Value valueIf(ImplicitLocOpBuilder &b, Type type, Value cond,
                     function_ref<Value()> thenValue,
                     function_ref<Value()> elseValue) {
  auto pick = scf::IfOp::create(b, TypeRange{type}, cond,
                                /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(pick.thenBlock());
  Value picked = thenValue();
  scf::YieldOp::create(b, picked);
  b.setInsertionPointToStart(pick.elseBlock());
  Value other = elseValue();
  scf::YieldOp::create(b, other);
  return pick.getResult(0);
}

/// Whether the region at `offsets` with `sizes` (unit strides) of a tensor
/// of `shape` is one contiguous block: unit sizes outside one dimension,
/// whole extents inside it.
static bool isContiguousRegion(ArrayRef<int64_t> shape,
                               ArrayRef<int64_t> sizes) {
  size_t d = 0;
  while (d < shape.size() && sizes[d] == 1)
    ++d;
  // d is the first dimension of more than one element; the ones after it
  // must be whole.
  for (size_t i = d + 1; i < shape.size(); ++i)
    if (sizes[i] != shape[i])
      return false;
  return true;
}

/// Whether a slice op's tensors, offsets, sizes and strides are all static.
template <typename SliceOp> static bool isStaticSlice(SliceOp op) {
  auto isStatic = [](ArrayRef<int64_t> values) {
    return llvm::none_of(values, ShapedType::isDynamic);
  };
  return hasStaticOperands(op) && isStatic(op.getStaticOffsets()) &&
         isStatic(op.getStaticSizes()) && isStatic(op.getStaticStrides());
}

static bool hasUnitStrides(ArrayRef<int64_t> strides) {
  return llvm::all_of(strides, [](int64_t s) { return s == 1; });
}

namespace {

/// A non-contiguous tensor.extract_slice: the result's element at idx is the
/// source's at offset + stride · idx (offset alone in a dropped unit dim).
struct ExtractSliceToGPU : OpRewritePattern<tensor::ExtractSliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::ExtractSliceOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType source = op.getSourceType();
    RankedTensorType result = op.getResultType();
    ArrayRef<int64_t> offsets = op.getStaticOffsets();
    ArrayRef<int64_t> sizes = op.getStaticSizes();
    ArrayRef<int64_t> strides = op.getStaticStrides();
    if (!isStaticSlice(op))
      return rewriter.notifyMatchFailure(op, "dynamic slice");
    if (result.getNumElements() == 0)
      return rewriter.notifyMatchFailure(op, "empty slice");
    if (hasUnitStrides(strides) && isContiguousRegion(source.getShape(), sizes))
      return rewriter.notifyMatchFailure(op, "contiguous: a memcpy moves it");
    llvm::SmallBitVector dropped = op.getDroppedDims();
    ArrayRef<int64_t> sourceShape = source.getShape();
    Value v = emitElementKernel(
        rewriter, op, "extract_slice", {op.getSource()}, result,
        [&](ImplicitLocOpBuilder &b, ArrayRef<Value> idx,
            ArrayRef<Value> bufs) {
          SmallVector<Value> at;
          unsigned r = 0;
          for (size_t k = 0; k < sourceShape.size(); ++k) {
            if (dropped.test(k)) {
              at.push_back(cIdx(b, offsets[k]));
              continue;
            }
            Value scaled =
                arith::MulIOp::create(b, idx[r++], cIdx(b, strides[k]));
            at.push_back(arith::AddIOp::create(b, scaled, cIdx(b, offsets[k])));
          }
          return loadAt(b, bufs[0], at, sourceShape);
        });
    rewriter.replaceOp(op, v);
    return success();
  }
};

/// A tensor.insert_slice (unit strides) into a non-contiguous region: the
/// destination's element where the region is not, the source's where it is.
struct InsertSliceToGPU : OpRewritePattern<tensor::InsertSliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::InsertSliceOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType dest = op.getDestType();
    RankedTensorType source = op.getSourceType();
    ArrayRef<int64_t> offsets = op.getStaticOffsets();
    ArrayRef<int64_t> sizes = op.getStaticSizes();
    ArrayRef<int64_t> strides = op.getStaticStrides();
    if (!isStaticSlice(op))
      return rewriter.notifyMatchFailure(op, "dynamic slice");
    if (!hasUnitStrides(strides))
      return rewriter.notifyMatchFailure(op, "strided insertion");
    if (dest.getNumElements() == 0 ||
        isContiguousRegion(dest.getShape(), sizes))
      return rewriter.notifyMatchFailure(op, "contiguous: a memcpy moves it");
    llvm::SmallBitVector dropped = op.getDroppedDims();
    ArrayRef<int64_t> destShape = dest.getShape();
    ArrayRef<int64_t> sourceShape = source.getShape();
    Type elt = dest.getElementType();
    Value v = emitElementKernel(
        rewriter, op, "insert_slice", {op.getSource(), op.getDest()}, dest,
        [&](ImplicitLocOpBuilder &b, ArrayRef<Value> idx,
            ArrayRef<Value> bufs) {
          // A non-contiguous region has rank >= 2: `inside` is set.
          Value inside;
          for (size_t k = 0; k < destShape.size(); ++k) {
            Value atLeast = arith::CmpIOp::create(b, arith::CmpIPredicate::uge,
                                                  idx[k], cIdx(b, offsets[k]));
            Value below =
                arith::CmpIOp::create(b, arith::CmpIPredicate::ult, idx[k],
                                      cIdx(b, offsets[k] + sizes[k]));
            Value inDim = arith::AndIOp::create(b, atLeast, below);
            inside = inside
                         ? arith::AndIOp::create(b, inside, inDim).getResult()
                         : inDim;
          }
          auto fromSource = [&] {
            SmallVector<Value> at;
            for (size_t k = 0; k < destShape.size(); ++k)
              if (!dropped.test(k))
                at.push_back(
                    arith::SubIOp::create(b, idx[k], cIdx(b, offsets[k])));
            return loadAt(b, bufs[0], at, sourceShape);
          };
          auto fromDest = [&] { return loadAt(b, bufs[1], idx, destShape); };
          return valueIf(b, elt, inside, fromSource, fromDest);
        });
    rewriter.replaceOp(op, v);
    return success();
  }
};

/// tensor.concat: along its dimension, input i covers [start_i, end_i);
/// each element is read from the one input that covers it.
struct ConcatToGPU : OpRewritePattern<tensor::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::ConcatOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType result = op.getResultType();
    if (!result.hasStaticShape() || !hasStaticOperands(op))
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    if (result.getNumElements() == 0)
      return rewriter.notifyMatchFailure(op, "empty result");
    int64_t dim = op.getDim();
    SmallVector<int64_t> starts;
    SmallVector<SmallVector<int64_t>> shapes;
    int64_t start = 0;
    for (Value input : op.getInputs()) {
      auto type = cast<RankedTensorType>(input.getType());
      starts.push_back(start);
      start += type.getDimSize(dim);
      shapes.emplace_back(type.getShape());
    }
    Type elt = result.getElementType();
    Value v = emitElementKernel(
        rewriter, op, "concat", op.getInputs(), result,
        [&](ImplicitLocOpBuilder &b, ArrayRef<Value> idx,
            ArrayRef<Value> bufs) {
          // The input covering idx[dim]: the last whose start it reaches,
          // as a chain of ifs so that no other input is read.
          auto from = [&](size_t i) -> Value {
            SmallVector<Value> at(idx);
            at[dim] = arith::SubIOp::create(b, idx[dim], cIdx(b, starts[i]));
            return loadAt(b, bufs[i], at, shapes[i]);
          };
          std::function<Value(size_t)> chain = [&](size_t i) -> Value {
            if (i + 1 == bufs.size())
              return from(i);
            Value end = cIdx(b, starts[i + 1]);
            Value here = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                               idx[dim], end);
            return valueIf(
                b, elt, here, [&] { return from(i); },
                [&] { return chain(i + 1); });
          };
          return chain(0);
        });
    rewriter.replaceOp(op, v);
    return success();
  }
};

} // namespace

void mlir::rescale::nvptx::populateDataMovementToGPUPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ExtractSliceToGPU, InsertSliceToGPU, ConcatToGPU>(
      patterns.getContext());
}
