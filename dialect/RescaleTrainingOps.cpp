//===- RescaleTrainingOps.cpp - verifiers of the training ops -------------===//
//
// embedding, embedding_grad, cross_entropy, cross_entropy_grad, rope, adamw
// (dialect/RescaleTrainingOps.td). As in RescaleOps.cpp, each message names
// the operand and says what was expected against what was found.
//
//===----------------------------------------------------------------------===//

#include "dialect/RescaleOps.h"
#include "dialect/VerifierHelpers.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::verifier;

/// Token ids, targets and positions: i32 or i64 (signless).
static LogicalResult expectIndices(Operation *op, Value v, StringRef name) {
  Type et = tensorOf(v).getElementType();
  if (et.isSignlessInteger(32) || et.isSignlessInteger(64))
    return success();
  return op->emitOpError() << "'" << name
                           << "' must have element type i32 or i64, but has "
                           << et;
}

static LogicalResult expectElementType(Operation *op, Value v, StringRef name,
                                       Type expected, StringRef like) {
  Type et = tensorOf(v).getElementType();
  if (et == expected)
    return success();
  return op->emitOpError() << "'" << name << "' must have element type "
                           << expected << " (like '" << like << "'), but has "
                           << et;
}

/// `shape` followed by `last`.
static SmallVector<int64_t> withLast(ArrayRef<int64_t> shape, int64_t last) {
  SmallVector<int64_t> out(shape);
  out.push_back(last);
  return out;
}

/// logits [..., V] float, targets [...] integer: shared by cross_entropy and
/// its gradient.
static LogicalResult verifyLogitsTargets(Operation *op, Value logits,
                                         Value targets, const APFloat &zLoss) {
  if (failed(expectFloatElements(op, logits, "logits")) ||
      failed(expectIndices(op, targets, "targets")))
    return failure();
  RankedTensorType lt = tensorOf(logits);
  if (lt.getRank() < 1)
    return op->emitOpError()
           << "'logits' must have rank >= 1 ([..., V]), but has rank 0";
  if (failed(expectShape(op, targets, "targets", lt.getShape().drop_back(),
                         "the leading dimensions of 'logits'")))
    return failure();
  double z = zLoss.convertToDouble();
  if (!std::isfinite(z) || z < 0.0)
    return op->emitOpError()
           << "'z_loss' must be finite and non-negative, but is " << z;
  return success();
}

//===----------------------------------------------------------------------===//
// Embedding
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::verify() {
  if (failed(expectIndices(*this, getIds(), "ids")) ||
      failed(expectFloatElements(*this, getTable(), "table")) ||
      failed(expectRank(*this, getTable(), "table", 2, "[V, D]")))
    return failure();
  RankedTensorType table = tensorOf(getTable());
  if (failed(expectShape(
          *this, getResult(), "result",
          withLast(tensorOf(getIds()).getShape(), table.getDimSize(1)),
          "the shape of 'ids' followed by D of 'table'")))
    return failure();
  return expectElementType(*this, getResult(), "result", table.getElementType(),
                           "table");
}

LogicalResult EmbeddingGradOp::verify() {
  if (failed(expectIndices(*this, getIds(), "ids")) ||
      failed(expectFloatElements(*this, getDy(), "dy")))
    return failure();
  int64_t v = getNumEmbeddings();
  if (v < 0)
    return emitOpError() << "'num_embeddings' must be non-negative, but is "
                         << v;
  ArrayRef<int64_t> ids = tensorOf(getIds()).getShape();
  RankedTensorType dy = tensorOf(getDy());
  if (dy.getRank() != static_cast<int64_t>(ids.size()) + 1)
    return emitOpError() << "'dy' must have rank " << ids.size() + 1
                         << " (the shape of 'ids' followed by D), but has rank "
                         << dy.getRank();
  int64_t d = dy.getShape().back();
  if (failed(expectShape(*this, getDy(), "dy", withLast(ids, d),
                         "the shape of 'ids' followed by D")) ||
      failed(expectShape(*this, getResult(), "result", {v, d},
                         "[num_embeddings, D]")))
    return failure();
  return expectElementType(*this, getResult(), "result", dy.getElementType(),
                           "dy");
}

//===----------------------------------------------------------------------===//
// Cross-entropy
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyOp::verify() {
  return verifyLogitsTargets(*this, getLogits(), getTargets(), getZLoss());
}

LogicalResult CrossEntropyGradOp::verify() {
  if (failed(verifyLogitsTargets(*this, getLogits(), getTargets(), getZLoss())))
    return failure();
  if (getResult().getType() != getLogits().getType())
    return emitOpError() << "'result' must have the type of 'logits' ("
                         << getLogits().getType() << "), but has "
                         << getResult().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// RoPE
//===----------------------------------------------------------------------===//

LogicalResult RoPEOp::verify() {
  if (failed(expectFloatElements(*this, getX(), "x")) ||
      failed(expectRank(*this, getX(), "x", 4, "[B, H, S, D]")))
    return failure();
  ArrayRef<int64_t> x = tensorOf(getX()).getShape();
  int64_t d = x[3];
  if (!ShapedType::isDynamic(d) && (d % 2 != 0 || d == 0))
    return emitOpError() << "the head dimension D of 'x' must be even and "
                            "positive (rotate_half splits it in two), but is "
                         << d;
  double theta = getTheta().convertToDouble();
  if (!std::isfinite(theta) || theta <= 0.0)
    return emitOpError() << "'theta' must be finite and positive, but is "
                         << theta;
  Value positions = getPositions();
  if (!positions)
    return success();
  if (getOffset() != 0)
    return emitOpError() << "'offset' must be 0 when 'positions' is given, "
                            "but is "
                         << getOffset();
  if (failed(expectIndices(*this, positions, "positions")))
    return failure();
  ArrayRef<int64_t> p = tensorOf(positions).getShape();
  if (p.size() == 1)
    return expectShape(*this, positions, "positions", {x[2]}, "[S] of 'x'");
  if (p.size() == 2)
    return expectShape(*this, positions, "positions", {x[0], x[2]},
                       "[B, S] of 'x'");
  return emitOpError() << "'positions' must have rank 1 ([S]) or 2 ([B, S]), "
                          "but has rank "
                       << p.size();
}

//===----------------------------------------------------------------------===//
// AdamW
//===----------------------------------------------------------------------===//

LogicalResult AdamWOp::verify() {
  // ODS has checked that param, grad, m, v and the results share one type.
  return expectFloatElements(*this, getParam(), "param");
}
