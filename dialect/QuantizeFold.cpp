//===- QuantizeFold.cpp - rescale.quantize of a constant, at compile time -===//
//
// The folder of rescale.quantize: a constant x is quantized now into
// constants of the op's result types. It follows the reference
// decomposition (conversion/RescaleToLinalg/QuantToLinalg.cpp) step for step
// with dialect/QuantMath.h: f64 scale math in the formulas' order, groups
// laid out as there (blocks tile the trailing dimensions; unblocked schemes
// are per tensor or per row), values and scales rounded to their storage
// types last. So a folded quantize and the run-time one agree bit for bit
// (test/passes/insert-quantization-numerics.test and
// test/dialect/quantize-fold.test compare them).
//
// It declines (the op stays, and runs) when folding could differ or cost too
// much: a NaN or infinity in x (the decomposition's NaN-propagating max and
// the scalar helpers need not agree on them), more than kMaxFoldedElements
// values or groups to expand (a splat is folded as one value), or a
// dynamic shape.
//
//===----------------------------------------------------------------------===//

#include "dialect/ConstantFolding.h"
#include "dialect/QuantMath.h"
#include "dialect/RescaleAttrs.h"
#include "dialect/RescaleOps.h"

#include "mlir/IR/BuiltinTypes.h"

#include <cmath>

using namespace mlir;
using namespace mlir::rescale;
namespace qm = mlir::rescale::quant_math;
using llvm::APFloat;
using llvm::APInt;

/// The value of a storage code in the float type `et`.
static APFloat floatFromCode(Type et, uint64_t code) {
  const llvm::fltSemantics &sem = cast<FloatType>(et).getFloatSemantics();
  return APFloat(sem, APInt(APFloat::getSizeInBits(sem), code));
}

namespace {

/// Groups of elements that share a first-level scale: `block[d]` elements
/// along dimension d (QuantToLinalg.cpp's elementGrouping). A zero-size
/// dimension that one group spans is one group.
struct Groups {
  SmallVector<int64_t> block, count, stride;
  int64_t total = 1;

  Groups(QuantSchemeAttr scheme, ArrayRef<int64_t> shape)
      : block(shape.size(), 1) {
    SmallVector<int64_t> blockShape = scheme.getBlockShape();
    if (!blockShape.empty()) {
      for (size_t i = 0; i < blockShape.size() && i < shape.size(); ++i)
        block[shape.size() - 1 - i] = blockShape[blockShape.size() - 1 - i];
    } else if (scheme.getGranularity() == QuantGranularity::per_tensor) {
      block.assign(shape.begin(), shape.end());
    } else { // per_channel, per_token: one scale per row.
      block.back() = shape.back();
    }
    for (auto [d, b] : llvm::zip(shape, block))
      count.push_back(b == 0 ? 1 : d / b);
    stride.assign(shape.size(), 1);
    for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
      stride[i] = stride[i + 1] * count[i + 1];
    for (int64_t c : count)
      total = total > kMaxFoldedElements ? total : total * c;
  }
};

} // namespace

LogicalResult QuantizeOp::foldConstant(QuantSchemeAttr scheme,
                                       DenseElementsAttr x,
                                       TypeRange resultTypes,
                                       SmallVectorImpl<Attribute> &results) {
  auto xt = dyn_cast<RankedTensorType>(x.getType());
  if (!xt || !xt.hasStaticShape() || xt.getRank() == 0 || !isFoldable(x) ||
      resultTypes.size() < 2)
    return failure();
  auto valuesType = dyn_cast<RankedTensorType>(resultTypes[0]);
  auto scalesType = dyn_cast<RankedTensorType>(resultTypes[1]);
  RankedTensorType globalType = resultTypes.size() > 2
                                    ? dyn_cast<RankedTensorType>(resultTypes[2])
                                    : RankedTensorType();
  if (!valuesType || !scalesType || !valuesType.hasStaticShape() ||
      !scalesType.hasStaticShape() ||
      (globalType && !globalType.hasStaticShape()))
    return failure();

  ArrayRef<int64_t> shape = xt.getShape();
  Groups groups(scheme, shape);
  // Blocks that do not tile x are the verifier's to reject; never index
  // past the groups.
  for (auto [d, b] : llvm::zip(shape, groups.block))
    if (b != 0 && d % b != 0)
      return failure();
  bool splat = x.isSplat() && xt.getNumElements() > 0;
  // A splat has one amax, so one scale and one code; anything else expands.
  if (!splat && groups.total > kMaxFoldedElements)
    return failure();
  if (groups.total != scalesType.getNumElements() && !splat)
    return failure();

  SmallVector<double> xs =
      splat ? SmallVector<double>{x.getSplatValue<APFloat>().convertToDouble()}
            : toDoubles(x);
  for (double v : xs)
    if (!std::isfinite(v))
      return failure();

  // The group of each element (row-major). A splat is folded as its one
  // value, in one group, and every result is built as a splat of it
  // (DenseElementsAttr::get splats a single value).
  int64_t rank = xt.getRank();
  SmallVector<int64_t> groupOf(xs.size(), 0);
  if (!splat) {
    SmallVector<int64_t> index(rank, 0);
    for (size_t i = 0; i < xs.size(); ++i) {
      int64_t g = 0;
      for (int64_t d = 0; d < rank; ++d)
        g += (index[d] / groups.block[d]) * groups.stride[d];
      groupOf[i] = g;
      for (int64_t d = rank - 1; d >= 0; --d) {
        if (++index[d] < shape[d])
          break;
        index[d] = 0;
      }
    }
  }

  int64_t numGroups = splat ? 1 : groups.total;
  SmallVector<double> amax(numGroups, 0.0);
  for (size_t i = 0; i < xs.size(); ++i)
    amax[groupOf[i]] = std::max(amax[groupOf[i]], std::fabs(xs[i]));

  QuantFormat format = scheme.getFormat();
  double emax = scheme.getElementMax();
  // nvfp4's second level, S = amax/(6*448) over the tensor or per row of
  // groups (per_token): the row of group g is g / (groups in the last dim).
  int64_t lastGroups = groups.count.back();
  bool perRowGlobal = scheme.getGranularity() == QuantGranularity::per_token &&
                      !splat && lastGroups != 0;
  auto globalOf = [&](int64_t g) { return perRowGlobal ? g / lastGroups : 0; };
  SmallVector<double> globalScale;
  if (format == QuantFormat::nvfp4) {
    int64_t rows = perRowGlobal ? numGroups / lastGroups : 1;
    SmallVector<double> rowAmax(rows, 0.0);
    for (int64_t g = 0; g < numGroups; ++g)
      rowAmax[globalOf(g)] = std::max(rowAmax[globalOf(g)], amax[g]);
    for (double m : rowAmax)
      globalScale.push_back(qm::nvfp4GlobalScale(m));
    if (globalType && !splat &&
        int64_t(globalScale.size()) != globalType.getNumElements())
      return failure();
  }

  SmallVector<double> scale;
  for (int64_t g = 0; g < numGroups; ++g) {
    switch (format) {
    case QuantFormat::int4:
    case QuantFormat::int8:
    case QuantFormat::fp8:
      scale.push_back(qm::absmaxScale(amax[g], emax));
      break;
    case QuantFormat::nvfp4:
      scale.push_back(qm::nvfp4BlockScale(amax[g], globalScale[globalOf(g)]));
      break;
    case QuantFormat::mxfp4:
      scale.push_back(qm::mxfp4BlockScale(amax[g]));
      break;
    }
  }

  // The stored value of element v in group g.
  Type storage = valuesType.getElementType();
  unsigned storageWidth = storage.getIntOrFloatBitWidth();
  auto codeOf = [&](double v, int64_t g) -> APInt {
    double s = scale[g];
    switch (format) {
    case QuantFormat::int4:
    case QuantFormat::int8:
      return APInt(storageWidth, qm::quantizeInt(v, s, int32_t(emax)),
                   /*isSigned=*/true);
    case QuantFormat::fp8:
      return APInt(8, qm::encodeE4M3(qm::roundToE4M3(v / s)));
    case QuantFormat::mxfp4:
      return APInt(4, qm::encodeE2M1(qm::roundToE2M1(v / s)));
    case QuantFormat::nvfp4: {
      // A block whose E4M3 scale rounded to 0 is all zeros.
      double t = s * globalScale[globalOf(g)];
      double q = t == 0.0 ? 0.0 : qm::roundToE2M1(v / t);
      return APInt(4, qm::encodeE2M1(q));
    }
    }
    llvm_unreachable("unknown quantization format");
  };
  // Codes go in as APInt or APFloat (not as attributes: a weight has
  // millions of elements, and attributes are uniqued in the context).
  bool integer = isa<IntegerType>(storage);
  SmallVector<APInt> intCodes;
  SmallVector<APFloat> floatCodes;
  for (size_t i = 0; i < xs.size(); ++i) {
    APInt code = codeOf(xs[i], groupOf[i]);
    if (integer)
      intCodes.push_back(code);
    else
      floatCodes.push_back(floatFromCode(storage, code.getZExtValue()));
  }
  results.push_back(integer ? DenseElementsAttr::get(valuesType, intCodes)
                            : DenseElementsAttr::get(valuesType, floatCodes));

  // First-level scales in their storage types: f32 rounds once; the E4M3 and
  // E8M0 scales are on their grids already, so their codes are exact.
  Type scaleType = scalesType.getElementType();
  auto storedScale = [&](double s) -> APFloat {
    if (format == QuantFormat::nvfp4)
      return floatFromCode(scaleType, qm::encodeE4M3(s));
    if (format == QuantFormat::mxfp4)
      return floatFromCode(scaleType, qm::floorLog2(s) + 127);
    return roundTo(s, scaleType);
  };
  SmallVector<APFloat> scales;
  for (double s : scale)
    scales.push_back(storedScale(s));
  results.push_back(DenseElementsAttr::get(scalesType, scales));
  if (globalType) {
    SmallVector<APFloat> global;
    for (double s : globalScale)
      global.push_back(roundTo(s, globalType.getElementType()));
    results.push_back(DenseElementsAttr::get(globalType, global));
  }
  return success();
}

LogicalResult QuantizeOp::fold(FoldAdaptor adaptor,
                               SmallVectorImpl<OpFoldResult> &results) {
  auto x = dyn_cast_if_present<DenseElementsAttr>(adaptor.getX());
  if (!x)
    return failure();
  SmallVector<Attribute> folded;
  if (failed(foldConstant(getScheme(), x, getResultTypes(), folded)))
    return failure();
  for (Attribute a : folded)
    results.push_back(a);
  return success();
}
