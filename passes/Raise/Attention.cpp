//===- Attention.cpp - raise softmax attention ---------------------------===//
//
// softmax(scale · q·kᵀ [+ mask]) · v and its variants (softmax₁, learned
// sinks, GQA by repeated keys and values).
// Part of --rescale-raise (passes/RescaleRaise.cpp); how matching works is
// described there.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/RescaleDialect.h"
#include "dialect/RescaleOps.h"
#include "passes/Matchers.h"
#include "passes/Raise/Common.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::match;
using namespace mlir::rescale::raise;

namespace {

struct AttentionMatch {
  Value q, k, v;
  double scale = 1.0;
  bool causal = false;
  SoftmaxKind softmax = SoftmaxKind::standard;
  /// learned_sink: the per-query-head sink logits (Hq elements, any shape).
  Value sinks;
};

} // namespace

/// The tensor a scaled operand scales: `c · t` or `t / c` with c constant.
static Value unscale(Value v, double &scale) {
  SmallVector<Factor> fs;
  double c;
  flattenProduct(v, fs, c);
  if (fs.size() != 1 || fs[0].inverse)
    return {};
  scale *= c;
  return fs[0].v;
}

namespace {

/// A causal mask applied to scores of [S, T]: `s + M` with M in {0, masked}
/// or `select(C, s, masked)`. On success sets `s` to the unmasked scores.
/// Returns failure for any other mask or bias, so near-misses stay alone.
enum class MaskResult { NotAMask, Causal, Other };

} // namespace

static MaskResult peelMask(Value &s, int64_t S, int64_t T) {
  Elementwise e = getElementwise(s);
  if (e.kind == Ew::Add) {
    for (int i = 0; i < 2; ++i) {
      std::optional<SmallVector<double>> vals =
          evaluateMask(e.operands[i], S, T);
      if (!vals)
        continue;
      SmallVector<bool> keep;
      for (double x : *vals) {
        if (x != 0.0 && !isMaskedScore(x))
          return MaskResult::Other;
        keep.push_back(x == 0.0);
      }
      if (!isCausalPattern(keep, S, T))
        return MaskResult::Other;
      s = e.operands[1 - i];
      return MaskResult::Causal;
    }
    return MaskResult::Other; // an additive bias we do not model
  }
  if (e.kind == Ew::Select) {
    std::optional<double> t = getSplat(e.operands[1]),
                          f = getSplat(e.operands[2]);
    bool keepWhenTrue = f && isMaskedScore(*f);
    if (!keepWhenTrue && !(t && isMaskedScore(*t)))
      return MaskResult::Other;
    std::optional<SmallVector<double>> cond = evaluateMask(e.operands[0], S, T);
    if (!cond)
      return MaskResult::Other;
    SmallVector<bool> keep;
    for (double c : *cond)
      keep.push_back((c != 0.0) == keepWhenTrue);
    if (!isCausalPattern(keep, S, T))
      return MaskResult::Other;
    s = e.operands[keepWhenTrue ? 1 : 2];
    return MaskResult::Causal;
  }
  return MaskResult::NotAMask;
}

static Value matchSoftmaxScores(Value p, SoftmaxKind &kind);
static Value matchSinkSoftmax(Value p, int64_t T, int64_t rank, Value &sinks);
static bool isRowMax(Value m, Value s);
static std::optional<AttentionMatch>
matchScores(Value s, const Matmul *pv, int64_t S, int64_t T, int64_t rank);

static std::optional<AttentionMatch> matchAttention(Value root) {
  // out = P · v (v possibly read per kv head, h floordiv g)
  std::optional<Matmul> pv = matchMatmul(root, /*allowGroupedRhs=*/true);
  if (!pv || pv->rhsTransposed || !pv->lhsCanonical || !pv->outCanonical ||
      cast<ShapedType>(pv->init.getType()).getShape() !=
          cast<ShapedType>(root.getType()).getShape())
    return std::nullopt;
  std::optional<double> zero = getSplat(pv->init);
  if (!zero || *zero != 0.0)
    return std::nullopt;
  auto pt = cast<RankedTensorType>(pv->lhs.getType());
  auto vt = cast<RankedTensorType>(pv->rhs.getType());
  int64_t rank = pt.getRank();
  if (rank < 2 || rank > 4 || vt.getRank() != rank || !pt.hasStaticShape())
    return std::nullopt;
  int64_t S = pt.getDimSize(rank - 2), T = pt.getDimSize(rank - 1);

  // P = linalg.softmax(s) over the last dimension, or spelled out as
  // P = exp(s - max(s)) / sum(exp(s - max(s))).
  Value s, sinks;
  SoftmaxKind kind = SoftmaxKind::standard;
  if ((s = matchSinkSoftmax(pv->lhs, T, rank, sinks))) {
    kind = SoftmaxKind::learned_sink;
  } else if (auto sm = strip(pv->lhs).getDefiningOp<linalg::SoftmaxOp>()) {
    if (sm.getDimension() != static_cast<uint64_t>(rank - 1))
      return std::nullopt;
    s = sm.getInput();
  } else if (!(s = matchSoftmaxScores(pv->lhs, kind))) {
    return std::nullopt;
  }
  std::optional<AttentionMatch> m = matchScores(s, &*pv, S, T, rank);
  if (m) {
    m->softmax = kind;
    m->sinks = sinks;
  }
  return m;
}

/// The op defining `v` if it only copies its one input into its result, read
/// at some indexing map (a linalg.broadcast, or a generic written as one):
/// all-parallel loops, an identity output map, the input's element yielded
/// as it is. Returns the input operand, or null.
static OpOperand *copyingBroadcastInput(Value v) {
  auto op = v.getDefiningOp<linalg::LinalgOp>();
  if (!op || op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != op.getNumParallelLoops() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return nullptr;
  OpOperand *in = op.getDpsInputOperand(0);
  if (op.getBlock()->getTerminator()->getOperand(0) !=
      op.getMatchingBlockArgument(in))
    return nullptr;
  return in;
}

/// A [B, Hq, S, 1] column that holds one value per query head: a broadcast
/// (linalg.broadcast or a copying generic) of a tensor of Hq elements read
/// along the head loop only. Returns that tensor.
static Value matchPerHeadColumn(Value column) {
  auto ct = cast<RankedTensorType>(column.getType());
  if (ct.getRank() != 4 || !ct.hasStaticShape() || ct.getDimSize(3) != 1)
    return {};
  int64_t heads = ct.getDimSize(1);
  // Not `strip`: it would look through the very broadcast this checks.
  OpOperand *in = copyingBroadcastInput(column);
  if (!in)
    return {};
  auto bc = cast<linalg::LinalgOp>(in->getOwner());
  // The input varies with the head loop (1) only; any other loop it reads
  // has extent 1.
  SmallVector<int64_t> ranges = bc.getStaticLoopRanges();
  bool readsHead = false;
  for (AffineExpr e : bc.getMatchingIndexingMap(in).getResults()) {
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      if (d.getPosition() == 1)
        readsHead = true;
      else if (ranges[d.getPosition()] != 1)
        return {};
    } else if (auto c = dyn_cast<AffineConstantExpr>(e);
               !c || c.getValue() != 0) {
      return {};
    }
  }
  auto it = dyn_cast<RankedTensorType>(in->get().getType());
  if ((!readsHead && heads != 1) || !it || !it.hasStaticShape() ||
      it.getNumElements() != heads)
    return {};
  return in->get();
}

/// GPT-OSS's learned attention sinks: a sink logit per head appended as an
/// extra key column, softmax over the T + 1 columns (optionally after
/// subtracting the row max, as Hugging Face does), the sink column dropped:
///   P = softmax(concat(s, sink[h]))[..., :T]
/// which is p_j = exp(s_j) / (exp(sink[h]) + Σ exp(s)). Returns s and sets
/// `sinks` to the per-head logits.
static Value matchSinkSoftmax(Value p, int64_t T, int64_t rank, Value &sinks) {
  auto slice = strip(p).getDefiningOp<tensor::ExtractSliceOp>();
  if (!slice || rank != 4)
    return {};
  RankedTensorType src = slice.getSourceType(), dst = slice.getResultType();
  if (src.getRank() != rank || dst.getRank() != rank || !src.hasStaticShape() ||
      !dst.hasStaticShape() ||
      src.getShape().drop_back() != dst.getShape().drop_back() ||
      src.getShape().back() != T + 1 || dst.getShape().back() != T)
    return {};
  for (auto [offset, size, stride] :
       llvm::zip(slice.getStaticOffsets(), slice.getStaticSizes(),
                 slice.getStaticStrides()))
    if (offset != 0 || stride != 1 || ShapedType::isDynamic(size))
      return {};
  Value c;
  if (auto sm = strip(slice.getSource()).getDefiningOp<linalg::SoftmaxOp>()) {
    if (sm.getDimension() != static_cast<uint64_t>(rank - 1))
      return {};
    c = sm.getInput();
  } else {
    SoftmaxKind kind;
    c = matchSoftmaxScores(slice.getSource(), kind);
    if (!c || kind != SoftmaxKind::standard)
      return {};
  }
  // softmax(x - max x) = softmax(x).
  Elementwise sub = getElementwise(c);
  if (sub.kind == Ew::Sub && isRowMax(sub.operands[1], sub.operands[0]))
    c = sub.operands[0];
  auto cat = strip(c).getDefiningOp<tensor::ConcatOp>();
  if (!cat || cat.getDim() != static_cast<uint64_t>(rank - 1) ||
      cat.getInputs().size() != 2)
    return {};
  Value scores = cat.getInputs()[0];
  if (cast<RankedTensorType>(scores.getType()).getShape().back() != T)
    return {};
  sinks = matchPerHeadColumn(cat.getInputs()[1]);
  return sinks ? scores : Value();
}

/// Whether `m` is the row maximum of `s` over the last dimension, or that
/// maximum clamped below at 0 (softmax₁'s stabilizer, max(0, max s)): a
/// value constant along the softmax dimension either way.
static bool isRowMax(Value m, Value s) {
  std::optional<Reduction> mx = matchReduction(m);
  if (mx)
    return mx->kind == ReduceKind::Max && mx->overLastDim &&
           sameValue(mx->element, s);
  Elementwise clamp = getElementwise(m);
  if (clamp.kind != Ew::Max)
    return false;
  for (int i = 0; i < 2; ++i) {
    std::optional<double> zero = getSplat(clamp.operands[i]);
    if (zero && *zero == 0.0 && isRowMax(clamp.operands[1 - i], s))
      return true;
  }
  return false;
}

/// `exp(-m)` or `exp(0 - m)`: returns m.
static Value matchExpOfNegation(Value v) {
  Elementwise ex = getElementwise(v);
  if (ex.kind != Ew::Exp)
    return {};
  Elementwise neg = getElementwise(ex.operands[0]);
  if (neg.kind == Ew::Neg)
    return neg.operands[0];
  if (neg.kind == Ew::Sub) {
    std::optional<double> zero = getSplat(neg.operands[0]);
    if (zero && *zero == 0.0)
      return neg.operands[1];
  }
  return {};
}

/// The softmax over the last dimension, returning its scores s:
///   standard:   exp(s - m) / Σ exp(s - m)
///   off_by_one: exp(s - m) / (exp(-m) + Σ exp(s - m)), or without m
///               exp(s) / (1 + Σ exp(s))  (softmax₁, "attention is off by one")
/// where m, when present, is the row maximum of s (for off_by_one also
/// max(0, max s)); any such m gives the same probabilities.
static Value matchSoftmaxScores(Value p, SoftmaxKind &kind) {
  SmallVector<Factor> fs;
  double c;
  flattenProduct(p, fs, c);
  if (fs.size() != 2 || !approxEq(c, 1.0) || fs[0].inverse == fs[1].inverse)
    return {};
  Value num = fs[0].inverse ? fs[1].v : fs[0].v;
  Value den = fs[0].inverse ? fs[0].v : fs[1].v;
  Elementwise ex = getElementwise(num);
  if (ex.kind != Ew::Exp)
    return {};
  Value s = ex.operands[0], shift;
  Elementwise sub = getElementwise(s);
  if (sub.kind == Ew::Sub && !getSplat(sub.operands[1])) {
    if (!isRowMax(sub.operands[1], sub.operands[0]))
      return {};
    shift = sub.operands[1];
    s = sub.operands[0];
  }
  auto isSumOfNumerator = [&](Value v) {
    std::optional<Reduction> sum = matchReduction(v);
    return sum && sum->kind == ReduceKind::Sum && sum->overLastDim &&
           sameValue(sum->element, num);
  };
  if (isSumOfNumerator(den)) {
    kind = SoftmaxKind::standard;
    return s;
  }
  // The off-by-one denominator: its extra term is exp(0 - m), i.e. 1 when
  // there is no shift.
  Elementwise add = getElementwise(den);
  if (add.kind != Ew::Add)
    return {};
  for (int i = 0; i < 2; ++i) {
    if (!isSumOfNumerator(add.operands[1 - i]))
      continue;
    Value extra = add.operands[i];
    std::optional<double> splat = getSplat(extra);
    bool one = !shift && splat && *splat == 1.0;
    Value negated = shift ? matchExpOfNegation(extra) : Value();
    if (one || (negated && sameValue(negated, shift))) {
      kind = SoftmaxKind::off_by_one;
      return s;
    }
  }
  return {};
}

/// Below the softmax: optional scale and causal mask, then q·kᵀ.
static std::optional<AttentionMatch>
matchScores(Value s, const Matmul *pv, int64_t S, int64_t T, int64_t rank) {
  auto vt = cast<RankedTensorType>(pv->rhs.getType());

  // Peel the scale and the causal mask, in either order.
  AttentionMatch m;
  bool sawMask = false;
  for (int guard = 0; guard < 6; ++guard) {
    MaskResult r = peelMask(s, S, T);
    if (r == MaskResult::Other || (r == MaskResult::Causal && sawMask))
      return std::nullopt;
    if (r == MaskResult::Causal) {
      sawMask = m.causal = true;
      continue;
    }
    if (matchMatmul(s, /*allowGroupedRhs=*/true))
      break;
    Value inner = unscale(s, m.scale);
    if (!inner || inner == strip(s))
      return std::nullopt;
    s = inner;
  }

  // s = (c·q) · (c'·k)ᵀ
  std::optional<Matmul> qk = matchMatmul(s, /*allowGroupedRhs=*/true);
  // GQA written through the indexing maps (k and v read at head
  // h floordiv g, as a kernel-style or hand-written import does): both
  // must group the heads alike.
  if (!qk || !qk->lhsCanonical || !qk->outCanonical ||
      qk->rhsGroup != pv->rhsGroup)
    return std::nullopt;
  std::optional<double> qkZero = getSplat(qk->init);
  if (!qkZero || *qkZero != 0.0)
    return std::nullopt;
  Value kT = qk->rhsTransposed ? qk->rhs : matchTransposeLastTwo(qk->rhs);
  if (!kT)
    return std::nullopt;
  auto qt = cast<RankedTensorType>(qk->lhs.getType());
  auto kt = cast<RankedTensorType>(kT.getType());
  if (qt.getRank() != rank || kt.getRank() != rank)
    return std::nullopt;
  Value q = unscale(qk->lhs, m.scale), k = unscale(kT, m.scale);
  if (!q || !k)
    return std::nullopt;
  m.q = tensorLeaf(q, qt.getShape());
  m.k = tensorLeaf(k, kt.getShape());
  m.v = tensorLeaf(pv->rhs, vt.getShape());
  if (!m.q || !m.k || !m.v)
    return std::nullopt;
  // q [.., S, D], k [.., T, D], v [.., T, Dv] with the same batch dims;
  // grouped, k and v have Hq / g heads, so that query head h reads kv head
  // h floordiv g = h / (Hq / Hkv), the op's GQA rule.
  ArrayRef<int64_t> qs = qt.getShape(), ks = kt.getShape(), vs = vt.getShape();
  SmallVector<int64_t> kBatch(ks.drop_back(2)), vBatch(vs.drop_back(2));
  if (qk->rhsGroup > 1) {
    if (kBatch.empty() || vBatch.empty())
      return std::nullopt;
    kBatch.back() *= qk->rhsGroup;
    vBatch.back() *= qk->rhsGroup;
  }
  if (qs.drop_back(2) != ArrayRef<int64_t>(kBatch) ||
      qs.drop_back(2) != ArrayRef<int64_t>(vBatch) || qs[rank - 2] != S ||
      ks[rank - 2] != T || vs[rank - 2] != T || qs.back() != ks.back())
    return std::nullopt;
  return m;
}

/// Llama's repeat_kv: k [B, Hkv, T, D] unsqueezed, broadcast along a new
/// dim 2 to [B, Hkv, n, T, D] and collapsed to [B, Hkv·n, T, D]. Returns the
/// [B, Hkv, T, D] tensor, so the raised op does grouped-query attention
/// instead of attending to n copies.
static Value matchRepeatKV(Value kv) {
  auto collapse = kv.getDefiningOp<tensor::CollapseShapeOp>();
  if (!collapse)
    return {};
  auto st = collapse.getSrcType();
  SmallVector<ReassociationIndices> re = collapse.getReassociationIndices();
  if (st.getRank() != 5 || !st.hasStaticShape() || re.size() != 4 ||
      re[1] != ReassociationIndices{1, 2})
    return {};
  OpOperand *in = copyingBroadcastInput(collapse.getSrc());
  if (!in)
    return {};
  auto bcast = cast<linalg::LinalgOp>(in->getOwner());
  // The input is read without loop 2 (the repeat) and in loop order.
  AffineMap m = bcast.getMatchingIndexingMap(in);
  if (!m.isProjectedPermutation(/*allowZeroInResults=*/true) ||
      m.isFunctionOfDim(2))
    return {};
  SmallVector<unsigned> dims;
  for (AffineExpr e : m.getResults())
    if (auto d = dyn_cast<AffineDimExpr>(e))
      dims.push_back(d.getPosition());
  if (dims != SmallVector<unsigned>{0, 1, 3, 4})
    return {};
  Value src = strip(in->get(), /*throughCasts=*/false);
  auto t = dyn_cast<RankedTensorType>(src.getType());
  ArrayRef<int64_t> s5 = st.getShape();
  if (!t || !t.hasStaticShape() ||
      t.getNumElements() != s5[0] * s5[1] * s5[3] * s5[4] || t.getRank() < 2 ||
      t.getShape().back() != s5[4] || t.getDimSize(t.getRank() - 2) != s5[3])
    return {};
  return src;
}

/// `shape` with leading unit dims up to rank 4.
static SmallVector<int64_t> to4D(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> r(4 - shape.size(), 1);
  r.append(shape.begin(), shape.end());
  return r;
}

namespace {

struct RaiseAttention : RewritePattern {
  RaiseAttention(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/3, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType rt = floatTensorResult(op);
    if (!rt || feedsOnlyNarrowingCast(op))
      return failure();
    std::optional<AttentionMatch> m = matchAttention(op->getResult(0));
    if (!m)
      return rewriter.notifyMatchFailure(op, "not a softmax-attention root");
    Location loc = op->getLoc();
    Type et = rt.getElementType();
    auto as4D = [&](Value v) {
      auto t = cast<RankedTensorType>(v.getType());
      return reshapeTo(rewriter, loc, castElements(rewriter, loc, v, et),
                       to4D(t.getShape()));
    };
    Value q = as4D(m->q), k = as4D(m->k), v = as4D(m->v);
    // Grouped-query attention: read the kv heads before repeat_kv.
    if (rt.getRank() == 4) {
      Value kk = matchRepeatKV(m->k), vv = matchRepeatKV(m->v);
      if (kk && vv) {
        auto kt = cast<RankedTensorType>(m->k.getType());
        int64_t hkv = cast<tensor::CollapseShapeOp>(m->k.getDefiningOp())
                          .getSrcType()
                          .getDimSize(1);
        SmallVector<int64_t> ks{kt.getDimSize(0), hkv, kt.getDimSize(2),
                                kt.getDimSize(3)};
        auto vt = cast<RankedTensorType>(m->v.getType());
        int64_t hkvV = cast<tensor::CollapseShapeOp>(m->v.getDefiningOp())
                           .getSrcType()
                           .getDimSize(1);
        SmallVector<int64_t> vs{vt.getDimSize(0), hkvV, vt.getDimSize(2),
                                vt.getDimSize(3)};
        k = reshapeTo(rewriter, loc, castElements(rewriter, loc, kk, et), ks);
        v = reshapeTo(rewriter, loc, castElements(rewriter, loc, vv, et), vs);
      }
    }
    auto resultType = RankedTensorType::get(to4D(rt.getShape()), et);
    SmallVector<NamedAttribute> attrs{
        rewriter.getNamedAttr("scale", rewriter.getF32FloatAttr(m->scale))};
    if (m->causal)
      attrs.push_back(rewriter.getNamedAttr("causal", rewriter.getUnitAttr()));
    if (m->softmax != SoftmaxKind::standard)
      attrs.push_back(rewriter.getNamedAttr(
          "softmax", SoftmaxKindAttr::get(rewriter.getContext(), m->softmax)));
    SmallVector<Value> operands{q, k, v};
    if (m->sinks) {
      int64_t heads = cast<RankedTensorType>(q.getType()).getDimSize(1);
      operands.push_back(reshapeTo(
          rewriter, loc, castElements(rewriter, loc, m->sinks, et), {heads}));
    }
    auto attn = AttentionOp::create(rewriter, loc, TypeRange{resultType},
                                    operands, attrs);
    rewriter.replaceOp(
        op, reshapeTo(rewriter, loc, attn.getResult(), rt.getShape()));
    return success();
  }
};

} // namespace

void mlir::rescale::populateRaiseAttentionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<RaiseAttention>(patterns.getContext());
}
