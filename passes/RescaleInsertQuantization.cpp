//===- RescaleInsertQuantization.cpp - quantize linears, SmoothQuant ------===//
//
// Wraps each rescale.linear with the quantization of a deployment scheme
// (W4A4, W8A8, FP8, NVFP4, MXFP4), using the dialect's quantization ops, so
// that the numerics are exactly those of their reference decomposition.
//
// Two choices worth knowing:
//  * storage=real stores weights through rescale.quantize and folds the
//    ones known at compile time with the op's folder (dialect/
//    QuantizeFold.cpp), which follows the decomposition's f64 formulas in
//    the same operation order: the stored values and scales are bit for bit
//    what `rescale.quantize` computes at run time (a test checks this
//    against the run-time path).
//  * SmoothQuant (Xiao et al. 2023) moves activation outliers into the
//    weights with a per-channel s. The residual outliers it targets are the
//    paper's residual sinks (arXiv 2601.22966 §2): they sit in a few hidden
//    dimensions of the norm input, so s is folded into the norm weight when
//    the linear reads a norm directly.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/RescaleAttrs.h"
#include "dialect/RescaleDialect.h"
#include "dialect/RescaleOps.h"
#include "passes/Calibration.h"
#include "passes/LinearNames.h"
#include "passes/Matchers.h"
#include "passes/WeightUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/Regex.h"

#include <cmath>
#include <limits>
#include <map>
#include <memory>

namespace mlir::rescale {
#define GEN_PASS_DEF_RESCALEINSERTQUANTIZATIONPASS
#include "passes/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;
using namespace mlir::rescale;

namespace {

//===----------------------------------------------------------------------===//
// Schemes
//===----------------------------------------------------------------------===//

/// The option's enum (passes/Passes.h), under the name this file uses.
using Scheme = QuantizationScheme;

} // namespace

/// The block along K that activations and weights share (1: none).
static int64_t kBlock(Scheme s) {
  return s == Scheme::nvfp4 ? 16 : s == Scheme::mxfp4 ? 32 : 1;
}

static QuantSchemeAttr makeScheme(MLIRContext *ctx, QuantFormat f,
                                  QuantGranularity g) {
  return QuantSchemeAttr::get(ctx, f, g, {});
}

/// Dynamic per-token activation scheme.
static QuantSchemeAttr activationScheme(MLIRContext *ctx, Scheme s) {
  using F = QuantFormat;
  using G = QuantGranularity;
  switch (s) {
  case Scheme::w4a4:
    return makeScheme(ctx, F::int4, G::per_token);
  case Scheme::w8a8:
    return makeScheme(ctx, F::int8, G::per_token);
  case Scheme::fp8:
    return makeScheme(ctx, F::fp8, G::per_token);
  case Scheme::nvfp4:
    return makeScheme(ctx, F::nvfp4, G::per_token);
  case Scheme::mxfp4:
    return makeScheme(ctx, F::mxfp4, G::per_block);
  case Scheme::none:
    break;
  }
  return {};
}

/// Weight scheme for a [n, k] weight: per output channel, or per block.
static QuantSchemeAttr weightScheme(MLIRContext *ctx, Scheme s, int64_t n,
                                    int64_t k) {
  using F = QuantFormat;
  using G = QuantGranularity;
  switch (s) {
  case Scheme::w4a4:
    return makeScheme(ctx, F::int4, G::per_channel);
  case Scheme::w8a8:
    return makeScheme(ctx, F::int8, G::per_channel);
  case Scheme::fp8:
    // DeepSeek-V3-style 128x128 weight blocks where they tile the weight.
    return n % 128 == 0 && k % 128 == 0
               ? makeScheme(ctx, F::fp8, G::per_block)
               : makeScheme(ctx, F::fp8, G::per_channel);
  case Scheme::nvfp4:
    return makeScheme(ctx, F::nvfp4, G::per_tensor);
  case Scheme::mxfp4:
    return makeScheme(ctx, F::mxfp4, G::per_block);
  case Scheme::none:
    break;
  }
  return {};
}

//===----------------------------------------------------------------------===//
// Compile-time values
//===----------------------------------------------------------------------===//

static Value f32Vector(OpBuilder &b, Location loc, ArrayRef<float> v) {
  auto type = RankedTensorType::get({int64_t(v.size())}, b.getF32Type());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, v));
}

/// A 1-d elementwise linalg.generic over same-shaped vectors, body in the
/// block arguments' types, result `resultType`.
static Value
mapVectors(OpBuilder &b, Location loc, ValueRange inputs, Type resultElement,
           function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  AffineMap id = AffineMap::getMultiDimIdentityMap(1, b.getContext());
  Value init = match::emptyLike(b, loc, inputs.front(), resultElement);
  SmallVector<AffineMap> maps(inputs.size() + 1, id);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
             {utils::IteratorType::parallel},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, body(nb, l, args.drop_back()));
             })
      .getResult(0);
}

/// max_n |W[n, j]| of a run-time [N, K] weight, in f32: tensor<Kxf32>.
static Value columnAbsMax(OpBuilder &b, Location loc, Value w) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  Value empty = match::emptyLike(b, loc, w, {1}, f32);
  Value init =
      linalg::FillOp::create(b, loc, zero, ValueRange{empty}).getResult(0);
  AffineMap in = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap out = AffineMap::get(2, 0, getAffineDimExpr(1, ctx));
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{w}, ValueRange{init},
             ArrayRef<AffineMap>{in, out},
             {utils::IteratorType::reduction, utils::IteratorType::parallel},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value v = args[0];
               if (v.getType() != f32)
                 v = arith::ExtFOp::create(nb, l, f32, v); // exact
               Value a = math::AbsFOp::create(nb, l, v);
               linalg::YieldOp::create(
                   nb, l, Value(arith::MaximumFOp::create(nb, l, args[1], a)));
             })
      .getResult(0);
}

//===----------------------------------------------------------------------===//
// Quantization builders
//===----------------------------------------------------------------------===//

static Value fakeQuant(OpBuilder &b, Location loc, Value x,
                       QuantSchemeAttr scheme) {
  return FakeQuantOp::create(b, loc, x.getType(), x, scheme);
}

/// The weight in low-precision storage: rescale.quantize, folded now when
/// the weight is a compile-time value (its folder, which also reads immutable
/// globals' initial values here), then rescale.dequantize.
static Value storedWeight(OpBuilder &b, Location loc, Value w,
                          QuantSchemeAttr scheme, bool &folded) {
  auto wt = cast<RankedTensorType>(w.getType());
  auto q = QuantizeOp::create(b, loc, w, scheme);
  SmallVector<Value> parts(q->getResults());
  SmallVector<Attribute> constants;
  folded = false;
  if (DenseElementsAttr c = constantValue(w);
      c && succeeded(QuantizeOp::foldConstant(scheme, c, q->getResultTypes(),
                                              constants))) {
    parts.clear();
    for (Attribute a : constants) {
      auto part = arith::ConstantOp::create(b, loc, cast<TypedAttr>(a));
      parts.push_back(part);
    }
    q->erase();
    folded = true;
  }
  return DequantizeOp::create(b, loc, wt, parts[0], parts[1],
                              parts.size() > 2 ? parts[2] : Value(), scheme);
}

//===----------------------------------------------------------------------===//
// Calibration file
//===----------------------------------------------------------------------===//

/// Reads the calibration file (passes/Calibration.h); one clear error on
/// `loc` when it cannot.
static FailureOr<Calibration> readCalibration(Location loc, StringRef path) {
  llvm::Expected<Calibration> cal = readCalibrationFile(path);
  if (!cal) {
    emitError(loc) << "calibration file '" << path
                   << "': " << llvm::toString(cal.takeError());
    return failure();
  }
  return std::move(*cal);
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

/// The norm result a linear reads directly, or null.
static Value normOutput(Value x) {
  Operation *def = x.getDefiningOp();
  if (isa_and_nonnull<RMSNormOp, PreAffineRMSNormOp, GatedNormOp>(def))
    return x;
  if (auto add = dyn_cast_or_null<AddRMSNormOp>(def))
    return x == add.getResult() ? x : Value();
  return {};
}

/// The norm's post weight operand.
static OpOperand &normWeight(Operation *norm) {
  if (auto g = dyn_cast<GatedNormOp>(norm))
    return g.getWeightMutable();
  if (auto p = dyn_cast<PreAffineRMSNormOp>(norm))
    return p.getWeightMutable();
  if (auto a = dyn_cast<AddRMSNormOp>(norm))
    return a.getWeightMutable();
  return cast<RMSNormOp>(norm).getWeightMutable();
}

namespace {

struct LinearInfo {
  LinearOp op;
  std::string name;
};

struct RescaleInsertQuantizationPass
    : rescale::impl::RescaleInsertQuantizationPassBase<
          RescaleInsertQuantizationPass> {
  using RescaleInsertQuantizationPassBase::RescaleInsertQuantizationPassBase;

  /// The options, checked, and the calibration file, read, once per
  /// pipeline run and before any IR is touched (initialize).
  std::shared_ptr<const Calibration> calibrationData;

  /// The scheme's keyword ("nvfp4"), as the option declares it.
  StringRef schemeKeyword() {
    return scheme.getParser().findArgStrForValue(scheme).value_or("?");
  }

  LogicalResult initialize(MLIRContext *ctx) override {
    Location loc = UnknownLoc::get(ctx);
    if (!(smoothquantAlpha >= 0.0 && smoothquantAlpha <= 1.0))
      return emitError(loc) << "--rescale-insert-quantization: "
                               "smoothquant-alpha must be in [0, 1], got "
                            << smoothquantAlpha;
    std::string regexError;
    if (!skip.empty() && !llvm::Regex(skip).isValid(regexError))
      return emitError(loc)
             << "--rescale-insert-quantization: invalid skip regex '" << skip
             << "': " << regexError;
    calibrationData.reset();
    if (!calibration.empty()) {
      FailureOr<Calibration> read = readCalibration(loc, calibration);
      if (failed(read))
        return failure();
      calibrationData = std::make_shared<const Calibration>(std::move(*read));
    }
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::Regex skipRegex(skip); // valid: initialize checked it
    const Calibration *cal = calibrationData.get();

    // Which linears to quantize.
    SmallVector<LinearInfo> linears;
    forEachNamedLinear(module, [&](LinearOp lin, StringRef name) {
      if (!skip.empty() && skipRegex.match(name)) {
        ++numSkipped;
        return;
      }
      // The schemes' groups, SmoothQuant's channels and the compile-time
      // weights all need static shapes (as does the decomposition).
      if (!lin.getX().getType().hasStaticShape() ||
          !lin.getWeight().getType().hasStaticShape()) {
        lin.emitWarning() << "linear '" << name
                          << "' is not quantized: its input or weight has a "
                             "dynamic shape";
        ++numSkipped;
        return;
      }
      int64_t k =
          cast<RankedTensorType>(lin.getX().getType()).getShape().back();
      int64_t block = kBlock(scheme);
      if (k % block != 0) {
        lin.emitWarning() << "linear '" << name
                          << "' is not quantized: " << schemeKeyword()
                          << " uses blocks of " << block
                          << " along K, which do not divide K = " << k;
        ++numSkipped;
        return;
      }
      linears.push_back({lin, name.str()});
    });

    if (cal && failed(smooth(linears, *cal)))
      return signalPassFailure();
    if (scheme != Scheme::none)
      for (LinearInfo &info : linears)
        quantize(info.op, scheme);
  }

  /// SmoothQuant on `linears` (see the pass description).
  LogicalResult smooth(ArrayRef<LinearInfo> linears, const Calibration &cal) {
    // Channel maxima, checked up front so that a bad file changes nothing.
    DenseMap<Operation *, SmallVector<double>> actMax, weightMax;
    for (LinearInfo info : linears) {
      auto found = cal.find(info.name);
      if (found == cal.end())
        return info.op.emitError()
               << "calibration file '" << calibration
               << "' has no absmax for linear '" << info.name
               << "' (collect it with rescale-run --collect-absmax on this "
                  "model)";
      auto wt = cast<RankedTensorType>(info.op.getWeight().getType());
      int64_t k = wt.getDimSize(1);
      if (static_cast<int64_t>(found->second.size()) != k)
        return info.op.emitError()
               << "calibration file '" << calibration << "' has "
               << found->second.size() << " absmax values for linear '"
               << info.name << "', whose input has " << k << " channels";
      actMax[info.op] = found->second;
      // max|W_j|: now for constants, at run time (a reduction on the weight
      // path) otherwise.
      // A splat's columns all have its |value|; a constant too large to
      // expand takes the run-time reduction.
      DenseElementsAttr w = constantValue(info.op.getWeight());
      if (w && w.isSplat()) {
        double m = std::fabs(w.getSplatValue<APFloat>().convertToDouble());
        weightMax[info.op] = SmallVector<double>(k, wt.getDimSize(0) ? m : 0.0);
      } else if (w && isFoldable(w)) {
        SmallVector<double> cols(k, 0.0);
        SmallVector<double> v = toDoubles(w);
        for (size_t i = 0; i < v.size(); ++i)
          cols[i % k] = std::max(cols[i % k], std::fabs(v[i]));
        weightMax[info.op] = std::move(cols);
      }
    }

    // s_j and 1/s_j over a group of linears sharing an input, as [K] f32
    // tensors built at `b`: constants when every weight is one, else computed
    // at run time with the same formula (in f64, rounded to f32 once).
    double alpha = smoothquantAlpha;
    DenseMap<Operation *, StringRef> names;
    for (const LinearInfo &info : linears)
      names[info.op] = info.name;
    auto nameOf = [&](LinearOp lin) { return names.lookup(lin); };
    auto smoothingFactors =
        [&](OpBuilder &b, Location loc,
            ArrayRef<LinearOp> group) -> FailureOr<std::pair<Value, Value>> {
      size_t k = actMax[group.front()].size();
      SmallVector<double> a(k, 0.0);
      for (LinearOp lin : group)
        for (size_t j = 0; j < k; ++j)
          a[j] = std::max(a[j], actMax[lin][j]);
      bool allConstant = llvm::all_of(
          group, [&](LinearOp lin) { return weightMax.count(lin); });
      if (allConstant) {
        SmallVector<float> s(k), inv(k);
        for (size_t j = 0; j < k; ++j) {
          double w = 0;
          for (LinearOp lin : group)
            w = std::max(w, weightMax[lin][j]);
          double sj = a[j] == 0 || w == 0
                          ? 1.0
                          : std::pow(a[j], alpha) / std::pow(w, 1.0 - alpha);
          s[j] = static_cast<float>(sj);
          inv[j] = 1.0f / s[j];
          // An absmax near the end of f32's range (an activation that
          // overflowed during calibration) can make s, 1/s or the scaled
          // weight w·s overflow or vanish: the model would compute inf·0 =
          // NaN. Say so instead of building it.
          bool representable =
              std::isfinite(s[j]) &&
              s[j] >= std::numeric_limits<float>::min() &&
              std::isfinite(inv[j]) &&
              inv[j] >= std::numeric_limits<float>::min() &&
              w * double(s[j]) <= double(std::numeric_limits<float>::max());
          if (!representable) {
            LinearOp first = group.front();
            first.emitError()
                << "SmoothQuant: channel " << j << " of linear '"
                << nameOf(first) << "' (calibration '" << calibration
                << "') gets s = max|X|^" << alpha << " / max|W|^" << 1.0 - alpha
                << " = " << sj << " from absmax " << a[j] << " and weight max "
                << w
                << ", which f32 cannot hold with 1/s and max|W|·s (the "
                   "model would compute inf or NaN); recalibrate on inputs "
                   "without overflow, or lower smoothquant-alpha";
            return failure();
          }
        }
        Value sVec = f32Vector(b, loc, s);
        Value invVec = f32Vector(b, loc, inv);
        return std::make_pair(sVec, invVec);
      }
      Value w;
      for (LinearOp lin : group) {
        Value m;
        if (weightMax.count(lin)) {
          SmallVector<float> cols;
          for (double c : weightMax[lin])
            cols.push_back(static_cast<float>(c)); // exact: |w| of f32/bf16/f16
          m = f32Vector(b, loc, cols);
        } else {
          m = columnAbsMax(b, loc, lin.getWeight());
        }
        w = !w ? m
               : mapVectors(b, loc, {w, m}, b.getF32Type(),
                            [](OpBuilder &nb, Location l, ValueRange v) {
                              return Value(
                                  arith::MaximumFOp::create(nb, l, v[0], v[1]));
                            });
      }
      auto f64Type = RankedTensorType::get({int64_t(k)}, b.getF64Type());
      Value aVec = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(f64Type, ArrayRef<double>(a)));
      Value s = mapVectors(
          b, loc, {aVec, w}, b.getF32Type(),
          [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
            Type f64 = nb.getF64Type();
            auto cst = [&](double d) {
              return arith::ConstantOp::create(nb, l, nb.getF64FloatAttr(d));
            };
            Value wd = arith::ExtFOp::create(nb, l, f64, v[1]);
            Value num = math::PowFOp::create(nb, l, v[0], cst(alpha));
            Value den = math::PowFOp::create(nb, l, wd, cst(1.0 - alpha));
            Value zero = cst(0.0);
            Value aZero = arith::CmpFOp::create(
                nb, l, arith::CmpFPredicate::OEQ, v[0], zero);
            Value wZero = arith::CmpFOp::create(
                nb, l, arith::CmpFPredicate::OEQ, wd, zero);
            Value degenerate = arith::OrIOp::create(nb, l, aZero, wZero);
            Value one = cst(1.0);
            Value ratio = arith::DivFOp::create(nb, l, num, den);
            Value sj = arith::SelectOp::create(nb, l, degenerate, one, ratio);
            Value sf = arith::TruncFOp::create(nb, l, nb.getF32Type(), sj);
            // The run-time twin of the compile-time check above: a factor
            // that f32 cannot hold with 1/s and max|W|·s (an absmax near
            // FLT_MAX, a subnormal weight column) would make the model
            // compute inf·0 = NaN. That channel is left unsmoothed (s = 1)
            // instead; NaN compares false, so it is caught too.
            Value sRounded = arith::ExtFOp::create(nb, l, f64, sf);
            auto atLeast = [&](Value lhs, double bound) {
              return arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGE,
                                           lhs, cst(bound));
            };
            auto atMost = [&](Value lhs, double bound) {
              return arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLE,
                                           lhs, cst(bound));
            };
            double fltMin = std::numeric_limits<float>::min();
            double fltMax = std::numeric_limits<float>::max();
            Value scaledWeight = arith::MulFOp::create(nb, l, wd, sRounded);
            Value sNotTiny = atLeast(sRounded, fltMin);
            Value invNotTiny = atMost(sRounded, 1.0 / fltMin);
            Value sFits = arith::AndIOp::create(nb, l, sNotTiny, invNotTiny);
            Value weightFits = atMost(scaledWeight, fltMax);
            Value fits = arith::AndIOp::create(nb, l, sFits, weightFits);
            Value oneF32 =
                arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(1.0f));
            return arith::SelectOp::create(nb, l, fits, sf, oneF32);
          });
      Value inv =
          mapVectors(b, loc, {s}, b.getF32Type(),
                     [](OpBuilder &nb, Location l, ValueRange v) -> Value {
                       Value one = arith::ConstantOp::create(
                           nb, l, nb.getF32FloatAttr(1.0f));
                       return arith::DivFOp::create(nb, l, one, v[0]);
                     });
      return std::make_pair(s, inv);
    };
    // Constant factors are folded into constants; drop the vectors then.
    auto dropIfUnused = [](Value v) {
      if (v.use_empty())
        v.getDefiningOp()->erase();
    };
    auto scaleWeight = [&](LinearOp lin, Value s) {
      OpBuilder b(lin);
      Value w = scaleAlong(b, lin.getLoc(), lin.getWeight(), s, 1);
      lin.getWeightMutable().assign(w);
      ++numSmoothed;
    };

    DenseSet<Operation *> done;
    for (LinearInfo info : linears) {
      LinearOp lin = info.op;
      if (done.count(lin))
        continue;
      // A norm whose every use is a smoothable linear absorbs 1/s.
      SmallVector<LinearOp> group;
      if (Value y = normOutput(lin.getX())) {
        for (OpOperand &use : y.getUses()) {
          auto user = dyn_cast<LinearOp>(use.getOwner());
          if (!user || use.getOperandNumber() != 0 || !actMax.count(user)) {
            group.clear();
            break;
          }
          group.push_back(user);
        }
      }
      // Run-time weights must be available where s is computed (before the
      // norm); otherwise smooth each linear on its own.
      bool weightsAfterNorm = false;
      if (!group.empty()) {
        Operation *norm = lin.getX().getDefiningOp();
        for (LinearOp user : group)
          if (Operation *def = user.getWeight().getDefiningOp())
            if (!weightMax.count(user) &&
                (def->getBlock() != norm->getBlock() ||
                 !def->isBeforeInBlock(norm)))
              weightsAfterNorm = true;
        if (weightsAfterNorm)
          group.clear();
      }
      if (!group.empty()) {
        Operation *norm = lin.getX().getDefiningOp();
        OpBuilder b(norm);
        auto factors = smoothingFactors(b, norm->getLoc(), group);
        if (failed(factors))
          return failure();
        auto [s, inv] = *factors;
        OpOperand &weight = normWeight(norm);
        weight.assign(scaleAlong(b, norm->getLoc(), weight.get(), inv, 0));
        // GatedNorm's gate reads the weighted output: w_down's rows take s.
        if (auto gated = dyn_cast<GatedNormOp>(norm))
          gated.getWDownMutable().assign(
              scaleAlong(b, norm->getLoc(), gated.getWDown(), s, 0));
        ++numNormFolds;
        for (LinearOp user : group) {
          scaleWeight(user, s);
          done.insert(user);
        }
        dropIfUnused(s);
        dropIfUnused(inv);
        continue;
      }
      OpBuilder b(lin);
      auto factors = smoothingFactors(b, lin.getLoc(), {lin});
      if (failed(factors))
        return failure();
      auto [s, inv] = *factors;
      auto xt = cast<RankedTensorType>(lin.getX().getType());
      Value x = scaleAlong(b, lin.getLoc(), lin.getX(), inv, xt.getRank() - 1);
      lin.getXMutable().assign(x);
      scaleWeight(lin, s);
      dropIfUnused(s);
      dropIfUnused(inv);
      if (weightsAfterNorm)
        lin.emitRemark() << "SmoothQuant: the input of linear '" << info.name
                         << "' comes from a norm, but a weight of the linears "
                            "reading it is computed after the norm, where s "
                            "is needed; inserted an explicit x·(1/s)";
      else
        lin.emitRemark() << "SmoothQuant: the input of linear '" << info.name
                         << "' does not come straight from a norm whose every "
                            "use is a quantized linear; inserted an explicit "
                            "x·(1/s)";
      done.insert(lin);
    }
    return success();
  }

  void quantize(LinearOp lin, Scheme kind) {
    MLIRContext *ctx = lin.getContext();
    OpBuilder b(lin);
    Location loc = lin.getLoc();
    auto wt = cast<RankedTensorType>(lin.getWeight().getType());
    QuantSchemeAttr ws =
        weightScheme(ctx, kind, wt.getDimSize(0), wt.getDimSize(1));
    Value x = fakeQuant(b, loc, lin.getX(), activationScheme(ctx, kind));
    Value w;
    if (storage == QuantizationStorage::real) {
      bool folded;
      w = storedWeight(b, loc, lin.getWeight(), ws, folded);
      numStoredWeights += folded;
    } else {
      w = fakeQuant(b, loc, lin.getWeight(), ws);
    }
    lin.getXMutable().assign(x);
    lin.getWeightMutable().assign(w);
    ++numQuantized;
  }
};

} // namespace
