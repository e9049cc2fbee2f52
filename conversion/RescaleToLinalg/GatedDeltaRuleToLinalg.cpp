//===- GatedDeltaRuleToLinalg.cpp - the gated delta rule in chunked form --===//
//
// rescale.gated_delta_rule and rescale.gated_delta_rule_grad
// (dialect/RescaleLinearAttentionOps.td) as linalg on tensors, in the
// chunked WY / UT form of flash-linear-attention (Yang et al. 2024,
// arXiv 2406.06484 §3; Gated DeltaNet, arXiv 2412.06464 §3.3): the token
// recurrence is replaced by one step per chunk of C <= 64 tokens whose work
// is C×C and C×d matrix products.
//
// Within a chunk, with S₀ the state at its start, γ the cumulative sum of g
// from the chunk's start and γ_L its last entry (rows are tokens):
//
//   A[i,j] = β_i exp(γ_i − γ_j) k_i·k_j             j < i, else 0
//   X      = β ⊙ (V − exp(γ) ⊙ K S₀)
//   U      = (I + A)⁻¹ X                           -- forward substitution
//   P[i,j] = exp(γ_i − γ_j) q_i·k_j                 j <= i, else 0
//   O      = exp(γ) ⊙ Q S₀ + P U
//   S_C    = exp(γ_L) S₀ + (exp(γ_L − γ) ⊙ K)ᵀ U
//
// U are the "pseudo-values" each token writes: unrolling the recurrence,
// u_i = β_i (v_i − exp(g_i) S_{i−1}ᵀ k_i), and S_{i−1} is S₀ plus the writes
// of the earlier tokens of the chunk, which is the triangular system above.
//
// The backward recomputes the state at the start of every chunk in a first
// pass (one [dk, dv] per chunk is all it keeps), then walks the chunks in
// reverse carrying dS, the adjoint of the chunk's final state, and
// differentiates the six lines above; the derivation is in
// docs/linear-attention.md.
//
// Schedule: scf.forall over (batch, value head) -- OpenMP threads on the
// CPU -- around a sequential scf.for over chunks. The sequence is padded
// with zero tokens to whole chunks of equal size: a padded token has k = 0,
// β = 0 and g = 0, so it writes nothing and decays nothing, and its outputs
// are dropped. Every product is an `out + a * b` generic on f32 tiles, which
// rescale-contractions-to-blas turns into sgemm calls. Operands are read as
// f32 and each result is rounded once.
//
//===----------------------------------------------------------------------===//

#include "conversion/Passes.h"
#include "conversion/RescaleToLinalg/Common.h"

#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::tolinalg;

namespace {

/// The longest chunk: flash-linear-attention's choice, and the tile the
/// products are sized for.
constexpr int64_t kMaxChunk = 64;

/// The sizes of one op and its chunks.
struct RuleDims : GatedDeltaRuleShape {
  TileSplit chunks;

  static RuleDims of(Value q, Value v) {
    RuleDims d;
    static_cast<GatedDeltaRuleShape &>(d) = GatedDeltaRuleShape::of(q, v);
    d.chunks = splitEvenly(d.T, kMaxChunk);
    return d;
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// Scalar helpers for the generic bodies
//===----------------------------------------------------------------------===//

static Value add(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddFOp::create(b, loc, x, y);
}
static Value sub(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::SubFOp::create(b, loc, x, y);
}
static Value mul(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::MulFOp::create(b, loc, x, y);
}
static Value expOf(OpBuilder &b, Location loc, Value x) {
  return math::ExpOp::create(b, loc, x);
}
/// exp(x − y).
static Value expDiff(OpBuilder &b, Location loc, Value x, Value y) {
  Value d = sub(b, loc, x, y);
  return expOf(b, loc, d);
}

/// `value` where the generic's index j (dim 1) and i (dim 0) satisfy
/// `predicate(j, i)`, else 0: the triangular masks (slt: j < i, sle: j <= i).
static Value maskedByIndex(OpBuilder &b, Location loc,
                           arith::CmpIPredicate predicate, Value value) {
  Value i = linalg::IndexOp::create(b, loc, 0);
  Value j = linalg::IndexOp::create(b, loc, 1);
  Value keep = arith::CmpIOp::create(b, loc, predicate, j, i);
  Value zero = f32Const(b, loc, 0.0);
  return arith::SelectOp::create(b, loc, keep, value, zero);
}

namespace {

//===----------------------------------------------------------------------===//
// One chunk
//===----------------------------------------------------------------------===//

/// A chunk's operands, f32: q, k [C, dk], v [C, dv], g, beta [C].
struct ChunkOperands {
  Value q, k, v, g, beta;
};

/// What the forward computes in a chunk that the output, the next state and
/// the backward use (all f32).
struct ChunkForward {
  Value gamma;      // [C], cumulative log decay
  Value gammaLast;  // scalar, γ_L
  Value keyGram;    // [C, C], K Kᵀ
  Value A;          // [C, C], strictly lower
  Value keyState;   // [C, dv], K S₀
  Value U;          // [C, dv], the pseudo-values
  Value decayedK;   // [C, dk], exp(γ_L − γ) ⊙ K
  Value nextState;  // [dk, dv], S_C
  Value P;          // [C, C], lower with diagonal (with output only)
  Value queryState; // [C, dv], Q S₀ (with output only)
};

/// Gradients of one chunk, f32.
struct ChunkGrads {
  Value dq, dk, dv, dg, dbeta, dState;
};

/// Builds the chunk math at the builder's insertion point for chunks of C
/// tokens. Every helper creates its ops in the order of its statements.
class ChunkBuilder {
public:
  ChunkBuilder(OpBuilder &b, Location loc, int64_t C, int64_t dk, int64_t dv)
      : b(b), loc(loc), ctx(b.getContext()), f32(b.getF32Type()), C(C), dk(dk),
        dv(dv) {}

  /// The chunk's forward values from its start state. With `withOutput`,
  /// also P and Q S₀ (for O); with `nextStateInPlace`, S_C, written over
  /// `state` after its last read (the chunk loop's state is updated where it
  /// is: scf.for bufferizes an iter_arg only to the buffer it came in).
  ChunkForward forward(const ChunkOperands &x, Value state, bool withOutput,
                       bool nextStateInPlace);
  Value output(const ChunkForward &f);
  ChunkGrads backward(const ChunkOperands &x, const ChunkForward &f,
                      Value state, Value dState, Value dOut);

private:
  /// (d0, d1) -> listed dims.
  AffineMap map2(ArrayRef<unsigned> dims) {
    SmallVector<AffineExpr> exprs;
    for (unsigned d : dims)
      exprs.push_back(getAffineDimExpr(d, ctx));
    return AffineMap::get(2, 0, exprs, ctx);
  }
  AffineMap id2() { return identityMap(ctx, 2); }
  AffineMap row2() { return map2({0}); }
  AffineMap col2() { return map2({1}); }
  AffineMap transposed2() { return map2({1, 0}); }

  Value zeros(ArrayRef<int64_t> shape) {
    return filledTensor(b, loc, shape, f32, 0.0);
  }

  /// exp(γ) · t, written over `t` (a generic whose init is `t`).
  Value scaleInPlace(Value t, Value gamma) {
    return updateInPlace(b, loc, t, {}, {},
                         [&](OpBuilder &nb, Location l, ValueRange, Value out) {
                           return mul(nb, l, expOf(nb, l, gamma), out);
                         });
  }

  /// [M, N]: acc + Σ_r lhs · rhs, lhs [M, R] (or [R, M] when `lhsT`), rhs
  /// [R, N] (or [N, R] when `rhsT`); acc zeros when null.
  Value product(Value lhs, bool lhsT, Value rhs, bool rhsT, int64_t M,
                int64_t N, Value acc = {}) {
    if (!acc)
      acc = zeros({M, N});
    return accumulateProduct(b, loc, lhs, lhsT, rhs, rhsT, acc);
  }

  /// An f32 tensor of `shape` = body(inputs).
  Value map(ArrayRef<int64_t> shape, ValueRange inputs,
            ArrayRef<AffineMap> maps, ElementwiseFn body) {
    return buildElementwise(b, loc, RankedTensorType::get(shape, f32), inputs,
                            maps, body);
  }

  /// [R] = Σ over the last dim of the iteration space `shape` [R, N] of
  /// body(inputs).
  Value rowSum(ArrayRef<int64_t> shape, ValueRange inputs,
               ArrayRef<AffineMap> maps, ElementwiseFn body) {
    return buildLastDimReduction(
        b, loc, shape, inputs, maps, 0.0,
        [&](OpBuilder &nb, Location l, ValueRange args, Value acc) {
          Value term = body(nb, l, args);
          return add(nb, l, acc, term);
        });
  }

  /// The sum of all elements of a [N] or [R, N] tensor, as a scalar.
  Value total(Value t) {
    auto identity = [](OpBuilder &, Location, ValueRange a) { return a[0]; };
    ArrayRef<int64_t> shape = tensorType(t).getShape();
    if (shape.size() == 2)
      t = rowSum(shape, {t}, {id2()}, identity);
    Value all = rowSum({shape[0]}, {t}, {identityMap(ctx, 1)}, identity);
    return tensor::ExtractOp::create(b, loc, all, ValueRange{});
  }

  /// [C]: out[i] = Σ_{j <= i} x[j] (or Σ_{j >= i} when `reverse`).
  Value cumulativeSum(Value x, bool reverse) {
    auto predicate =
        reverse ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle;
    return rowSum({C, C}, {x}, {col2()},
                  [&](OpBuilder &nb, Location l, ValueRange a) {
                    return maskedByIndex(nb, l, predicate, a[0]);
                  });
  }

  /// Y [C, D] with (I + A) Y = X (forward substitution over rows 0..C−1), or
  /// with (I + A)ᵀ Y = X when `transposed` (backward substitution over rows
  /// C−1..0); A strictly lower triangular [C, C]. Row i of Y is X_i minus
  /// the rows already solved weighted by row i of A (column i when
  /// transposed); the other weights are 0, so the whole of Y is read.
  Value solveUnitTriangular(Value A, Value X, int64_t D, bool transposed);

  OpBuilder &b;
  Location loc;
  MLIRContext *ctx;
  Type f32;
  int64_t C, dk, dv;
};

} // namespace

Value ChunkBuilder::solveUnitTriangular(Value A, Value X, int64_t D,
                                        bool transposed) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value count = arith::ConstantIndexOp::create(b, loc, C);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value last = arith::ConstantIndexOp::create(b, loc, C - 1);
  auto loop = scf::ForOp::create(b, loc, zero, count, one, ValueRange{X});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value step = loop.getInductionVar();
  Value row =
      transposed ? arith::SubIOp::create(b, loc, last, step).getResult() : step;
  Value Y = loop.getRegionIterArgs()[0];
  Value weights =
      transposed ? sliceOf(b, loc, A, {b.getIndexAttr(0), row}, {C, 1}, {C})
                 : sliceOf(b, loc, A, {row, b.getIndexAttr(0)}, {1, C}, {C});
  Value rhs = sliceOf(b, loc, Y, {row, b.getIndexAttr(0)}, {1, D}, {D});
  // (d, j): y[d] = rhs[d] − Σ_j w[j] Y[j, d].
  Value solved =
      buildGeneric(
          b, loc, {weights, Y}, {col2(), transposed2()}, rhs, row2(),
          lastDimReductionIterators(2), f32,
          [](OpBuilder &nb, Location l, ValueRange ins, ValueRange outs) {
            Value p = mul(nb, l, ins[0], ins[1]);
            return SmallVector<Value>{sub(nb, l, outs[0], p)};
          })
          .front();
  SmallVector<OpFoldResult> offsets{row, b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes{b.getIndexAttr(1), b.getIndexAttr(D)};
  SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
  Value updated =
      tensor::InsertSliceOp::create(b, loc, solved, Y, offsets, sizes, strides);
  scf::YieldOp::create(b, loc, updated);
  return loop.getResult(0);
}

ChunkForward ChunkBuilder::forward(const ChunkOperands &x, Value state,
                                   bool withOutput, bool nextStateInPlace) {
  ChunkForward f;
  f.gamma = cumulativeSum(x.g, /*reverse=*/false);
  Value lastIndex = arith::ConstantIndexOp::create(b, loc, C - 1);
  f.gammaLast = tensor::ExtractOp::create(b, loc, f.gamma, lastIndex);
  Value gammaLast = f.gammaLast;
  f.keyGram = product(x.k, false, x.k, true, C, C);
  // A[i, j] = β_i exp(γ_i − γ_j) k_i·k_j, j < i.
  f.A = map({C, C}, {f.keyGram, x.beta, f.gamma, f.gamma},
            {id2(), row2(), row2(), col2()},
            [](OpBuilder &nb, Location l, ValueRange a) {
              Value decay = expDiff(nb, l, a[2], a[3]);
              Value weight = mul(nb, l, a[1], decay);
              Value value = mul(nb, l, weight, a[0]);
              return maskedByIndex(nb, l, arith::CmpIPredicate::slt, value);
            });
  f.keyState = product(x.k, false, state, false, C, dv);
  // X = β ⊙ (V − exp(γ) ⊙ K S₀).
  Value X = map({C, dv}, {x.v, f.keyState, x.beta, f.gamma},
                {id2(), id2(), row2(), row2()},
                [](OpBuilder &nb, Location l, ValueRange a) {
                  Value decayed = mul(nb, l, expOf(nb, l, a[3]), a[1]);
                  Value residual = sub(nb, l, a[0], decayed);
                  return mul(nb, l, a[2], residual);
                });
  f.U = solveUnitTriangular(f.A, X, dv, /*transposed=*/false);
  f.decayedK = map({C, dk}, {x.k, f.gamma}, {id2(), row2()},
                   [&](OpBuilder &nb, Location l, ValueRange a) {
                     return mul(nb, l, expDiff(nb, l, gammaLast, a[1]), a[0]);
                   });
  if (withOutput) {
    // P[i, j] = exp(γ_i − γ_j) q_i·k_j, j <= i.
    Value scores = product(x.q, false, x.k, true, C, C);
    f.P = map({C, C}, {scores, f.gamma, f.gamma}, {id2(), row2(), col2()},
              [](OpBuilder &nb, Location l, ValueRange a) {
                Value value = mul(nb, l, a[0], expDiff(nb, l, a[1], a[2]));
                return maskedByIndex(nb, l, arith::CmpIPredicate::sle, value);
              });
    f.queryState = product(x.q, false, state, false, C, dv);
  }
  if (nextStateInPlace) {
    // S_C = exp(γ_L) S₀ + (exp(γ_L − γ) ⊙ K)ᵀ U, over S₀.
    Value keptState = scaleInPlace(state, gammaLast);
    f.nextState = product(f.decayedK, true, f.U, false, dk, dv, keptState);
  }
  return f;
}

Value ChunkBuilder::output(const ChunkForward &f) {
  // O = exp(γ) ⊙ Q S₀ + P U.
  Value fromState = map({C, dv}, {f.queryState, f.gamma}, {id2(), row2()},
                        [](OpBuilder &nb, Location l, ValueRange a) {
                          return mul(nb, l, expOf(nb, l, a[1]), a[0]);
                        });
  return product(f.P, false, f.U, false, C, dv, fromState);
}

ChunkGrads ChunkBuilder::backward(const ChunkOperands &x, const ChunkForward &f,
                                  Value state, Value dState, Value dOut) {
  Value gammaLast = f.gammaLast;
  ChunkGrads g;
  // O = exp(γ) ⊙ Q S₀ + P U and S_C = exp(γ_L) S₀ + Kdᵀ U give U's adjoint.
  Value dU = product(f.P, true, dOut, false, C, dv);
  dU = product(f.decayedK, false, dState, false, C, dv, dU);
  // Through P: dP = dO Uᵀ; q·k's adjoint is dP times the decay.
  Value dP = product(dOut, false, f.U, true, C, C);
  Value dScores =
      map({C, C}, {dP, f.gamma, f.gamma}, {id2(), row2(), col2()},
          [](OpBuilder &nb, Location l, ValueRange a) {
            Value value = mul(nb, l, a[0], expDiff(nb, l, a[1], a[2]));
            return maskedByIndex(nb, l, arith::CmpIPredicate::sle, value);
          });
  // dQ = dScores K + exp(γ) ⊙ dO S₀ᵀ.
  Value outStateT = product(dOut, false, state, true, C, dk);
  Value dqFromState = map({C, dk}, {outStateT, f.gamma}, {id2(), row2()},
                          [](OpBuilder &nb, Location l, ValueRange a) {
                            return mul(nb, l, expOf(nb, l, a[1]), a[0]);
                          });
  g.dq = product(dScores, false, x.k, false, C, dk, dqFromState);
  Value keyGrad = product(dScores, true, x.q, false, C, dk);
  // Through Kd = exp(γ_L − γ) ⊙ K: dKd = U dSᵀ.
  Value dDecayedK = product(f.U, false, dState, true, C, dk);
  Value decayedKeyShare =
      rowSum({C, dk}, {f.decayedK, dDecayedK}, {id2(), id2()},
             [](OpBuilder &nb, Location l, ValueRange a) {
               return mul(nb, l, a[0], a[1]);
             });
  keyGrad = map({C, dk}, {keyGrad, dDecayedK, f.gamma}, {id2(), id2(), row2()},
                [&](OpBuilder &nb, Location l, ValueRange a) {
                  Value decay = expDiff(nb, l, gammaLast, a[2]);
                  return add(nb, l, a[0], mul(nb, l, decay, a[1]));
                });
  // Through U = (I + A)⁻¹ X: dX = (I + A)⁻ᵀ dU, dA = −dX Uᵀ (j < i).
  Value dX = solveUnitTriangular(f.A, dU, dv, /*transposed=*/true);
  Value dXUt = product(dX, false, f.U, true, C, C);
  // A[i, j] = β_i exp(γ_i − γ_j) (K Kᵀ)[i, j]: the Gram matrix's adjoint,
  // then both of its factors.
  Value dGram = map(
      {C, C}, {dXUt, x.beta, f.gamma, f.gamma}, {id2(), row2(), row2(), col2()},
      [](OpBuilder &nb, Location l, ValueRange a) {
        Value decay = expDiff(nb, l, a[2], a[3]);
        Value weight = mul(nb, l, a[1], decay);
        Value value = arith::NegFOp::create(nb, l, mul(nb, l, a[0], weight));
        return maskedByIndex(nb, l, arith::CmpIPredicate::slt, value);
      });
  keyGrad = product(dGram, false, x.k, false, C, dk, keyGrad);
  keyGrad = product(dGram, true, x.k, false, C, dk, keyGrad);
  Value dbetaFromA =
      rowSum({C, C}, {dXUt, f.keyGram, f.gamma, f.gamma},
             {id2(), id2(), row2(), col2()},
             [](OpBuilder &nb, Location l, ValueRange a) {
               Value decay = expDiff(nb, l, a[2], a[3]);
               Value value = arith::NegFOp::create(
                   nb, l, mul(nb, l, mul(nb, l, a[0], decay), a[1]));
               return maskedByIndex(nb, l, arith::CmpIPredicate::slt, value);
             });
  // Through X = β ⊙ (V − exp(γ) ⊙ K S₀).
  Value dbetaFromX = rowSum(
      {C, dv}, {dX, x.v, f.keyState, f.gamma}, {id2(), id2(), id2(), row2()},
      [](OpBuilder &nb, Location l, ValueRange a) {
        Value decayed = mul(nb, l, expOf(nb, l, a[3]), a[2]);
        return mul(nb, l, a[0], sub(nb, l, a[1], decayed));
      });
  g.dbeta = map({C}, {dbetaFromA, dbetaFromX},
                {identityMap(ctx, 1), identityMap(ctx, 1)},
                [](OpBuilder &nb, Location l, ValueRange a) {
                  return add(nb, l, a[0], a[1]);
                });
  g.dv = map({C, dv}, {dX, x.beta}, {id2(), row2()},
             [](OpBuilder &nb, Location l, ValueRange a) {
               return mul(nb, l, a[1], a[0]);
             });
  // dKS = −β exp(γ) ⊙ dX, the adjoint of K S₀.
  Value dKeyState =
      map({C, dv}, {dX, x.beta, f.gamma}, {id2(), row2(), row2()},
          [](OpBuilder &nb, Location l, ValueRange a) {
            Value w = mul(nb, l, a[1], expOf(nb, l, a[2]));
            return arith::NegFOp::create(nb, l, mul(nb, l, w, a[0]));
          });
  g.dk = product(dKeyState, false, state, true, C, dk, keyGrad);

  // dγ: every exp(±γ) above. Z = dP ⊙ P − dXUᵀ ⊙ A holds the terms of the
  // two decay matrices, +Z[i, ·] for γ_i and −Z[·, i] for γ_j.
  Value decayTerms =
      map({C, C}, {dP, f.P, dXUt, f.A}, {id2(), id2(), id2(), id2()},
          [](OpBuilder &nb, Location l, ValueRange a) {
            Value fromP = mul(nb, l, a[0], a[1]);
            Value fromA = mul(nb, l, a[2], a[3]);
            return sub(nb, l, fromP, fromA);
          });
  auto identity = [](OpBuilder &, Location, ValueRange a) { return a[0]; };
  Value decayRows = rowSum({C, C}, {decayTerms}, {id2()}, identity);
  Value decayCols = rowSum({C, C}, {decayTerms}, {transposed2()}, identity);
  auto dot = [](OpBuilder &nb, Location l, ValueRange a) {
    return mul(nb, l, a[0], a[1]);
  };
  Value outStateShare =
      rowSum({C, dv}, {dOut, f.queryState}, {id2(), id2()}, dot);
  Value keyStateShare =
      rowSum({C, dv}, {dKeyState, f.keyState}, {id2(), id2()}, dot);
  // γ_L: exp(γ_L) ⟨S₀, dS⟩ + Σ_j Kd_j·dKd_j.
  Value stateShare = total(map({dk, dv}, {state, dState}, {id2(), id2()}, dot));
  Value decayedKeyTotal = total(decayedKeyShare);
  Value lastShare =
      add(b, loc, mul(b, loc, expOf(b, loc, gammaLast), stateShare),
          decayedKeyTotal);
  AffineMap id1 = identityMap(ctx, 1);
  int64_t lastRow = C - 1;
  Value dgamma =
      map({C},
          {outStateShare, decayRows, decayCols, keyStateShare, decayedKeyShare,
           f.gamma},
          {id1, id1, id1, id1, id1, id1},
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Value fromOut = mul(nb, l, expOf(nb, l, a[5]), a[0]);
            Value fromDecay = sub(nb, l, a[1], a[2]);
            Value sum = add(nb, l, fromOut, fromDecay);
            sum = add(nb, l, sum, a[3]);
            sum = sub(nb, l, sum, a[4]);
            Value i = linalg::IndexOp::create(nb, l, 0);
            Value lastIndex = arith::ConstantIndexOp::create(nb, l, lastRow);
            Value isLast = arith::CmpIOp::create(
                nb, l, arith::CmpIPredicate::eq, i, lastIndex);
            Value withLast = add(nb, l, sum, lastShare);
            return arith::SelectOp::create(nb, l, isLast, withLast, sum)
                .getResult();
          });
  g.dg = cumulativeSum(dgamma, /*reverse=*/true);

  // dS₀ = exp(γ_L) dS + (exp(γ) ⊙ Q)ᵀ dO + Kᵀ dKS, over dS after its last
  // read (the reverse loop carries it in place).
  Value decayedQ = map({C, dk}, {x.q, f.gamma}, {id2(), row2()},
                       [](OpBuilder &nb, Location l, ValueRange a) {
                         return mul(nb, l, expOf(nb, l, a[1]), a[0]);
                       });
  Value dStateKept = scaleInPlace(dState, gammaLast);
  Value dStart = product(decayedQ, true, dOut, false, dk, dv, dStateKept);
  g.dState = product(x.k, true, dKeyState, false, dk, dv, dStart);
  return g;
}

namespace {

//===----------------------------------------------------------------------===//
// The ops
//===----------------------------------------------------------------------===//

/// The operands in f32, padded with zero tokens to whole chunks.
struct PaddedOperands {
  Value q, k, v, g, beta;

  /// `t` [B, T, ...] in f32 with zero tokens up to `padded`.
  static Value prepare(OpBuilder &b, Location loc, Value t, int64_t padded) {
    Value wide = convertElementType(b, loc, t, b.getF32Type());
    return padDim(b, loc, wide, 1, padded);
  }

  static PaddedOperands of(OpBuilder &b, Location loc, ValueRange operands,
                           int64_t padded) {
    auto prepare = [&](Value t) {
      return PaddedOperands::prepare(b, loc, t, padded);
    };
    PaddedOperands p;
    p.q = prepare(operands[0]);
    p.k = prepare(operands[1]);
    p.v = prepare(operands[2]);
    p.g = prepare(operands[3]);
    p.beta = prepare(operands[4]);
    return p;
  }

  /// Chunk `first..first+C` of value head `head` (key head `keyHead`).
  ChunkOperands chunk(OpBuilder &b, Location loc, const RuleDims &d,
                      Value batch, Value head, Value keyHead,
                      Value first) const {
    int64_t C = d.chunks.size;
    OpFoldResult zero = b.getIndexAttr(0);
    ChunkOperands x;
    x.q = sliceOf(b, loc, q, {batch, first, keyHead, zero}, {1, C, 1, d.dk},
                  {C, d.dk});
    x.k = sliceOf(b, loc, k, {batch, first, keyHead, zero}, {1, C, 1, d.dk},
                  {C, d.dk});
    x.v = sliceOf(b, loc, v, {batch, first, head, zero}, {1, C, 1, d.dv},
                  {C, d.dv});
    x.g = sliceOf(b, loc, g, {batch, first, head}, {1, C, 1}, {C});
    x.beta = sliceOf(b, loc, beta, {batch, first, head}, {1, C, 1}, {C});
    return x;
  }
};

} // namespace

/// `source` [n, m] (or [n]) written into `dest` at row `first`.
static Value insertRows(OpBuilder &b, Location loc, Value source, Value dest,
                        Value first) {
  ArrayRef<int64_t> shape = tensorType(source).getShape();
  SmallVector<OpFoldResult> offsets{first}, sizes, strides;
  for (size_t i = 1; i < shape.size(); ++i)
    offsets.push_back(b.getIndexAttr(0));
  for (int64_t s : shape) {
    sizes.push_back(b.getIndexAttr(s));
    strides.push_back(b.getIndexAttr(1));
  }
  return tensor::InsertSliceOp::create(b, loc, source, dest, offsets, sizes,
                                       strides);
}

/// In the forall's terminator: `perHead` ([Tp, n] or [Tp]) into `dest`
/// [B, Tp, Hv, n] (or [B, Tp, Hv]) at (batch, 0, head).
static void insertHead(OpBuilder &b, Location loc, Value perHead, Value dest,
                       Value batch, Value head) {
  ArrayRef<int64_t> shape = tensorType(perHead).getShape();
  SmallVector<OpFoldResult> offsets{batch, b.getIndexAttr(0), head};
  SmallVector<OpFoldResult> sizes{b.getIndexAttr(1), b.getIndexAttr(shape[0]),
                                  b.getIndexAttr(1)};
  if (shape.size() == 2) {
    offsets.push_back(b.getIndexAttr(0));
    sizes.push_back(b.getIndexAttr(shape[1]));
  }
  SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
  tensor::ParallelInsertSliceOp::create(b, loc, perHead, dest, offsets, sizes,
                                        strides);
}

/// `t` [B, Tp, ...] cut to the first T tokens and rounded to `elementType`.
static Value unpad(OpBuilder &b, Location loc, Value t, int64_t T,
                   Type elementType) {
  ArrayRef<int64_t> shape = tensorType(t).getShape();
  if (shape[1] != T) {
    SmallVector<int64_t> kept(shape);
    kept[1] = T;
    SmallVector<OpFoldResult> zeros(shape.size(), b.getIndexAttr(0));
    t = sliceOf(b, loc, t, zeros, kept, kept);
  }
  return convertElementType(b, loc, t, elementType);
}

namespace {

/// The indices of one scf.forall iteration over (batch, value head), and
/// the key head that value head reads (head / group).
struct HeadIndices {
  Value batch, head, keyHead;

  static HeadIndices of(OpBuilder &b, Location loc, scf::ForallOp forall,
                        int64_t group) {
    HeadIndices h;
    h.batch = forall.getInductionVar(0);
    h.head = forall.getInductionVar(1);
    Value groupSize = arith::ConstantIndexOp::create(b, loc, group);
    h.keyHead = arith::DivUIOp::create(b, loc, h.head, groupSize);
    return h;
  }
};

struct GatedDeltaRuleToLinalg : OpRewritePattern<GatedDeltaRuleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GatedDeltaRuleOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType resultType = tensorType(op.getResult());
    RuleDims d = RuleDims::of(op.getQ(), op.getV());
    if (d.empty()) {
      rewriter.replaceOp(op, filledTensor(rewriter, loc, resultType.getShape(),
                                          resultType.getElementType(), 0.0));
      return success();
    }
    OpBuilder &b = rewriter;
    Type f32 = b.getF32Type();
    int64_t C = d.chunks.size, Tp = d.chunks.padded;
    PaddedOperands in = PaddedOperands::of(b, loc, op->getOperands(), Tp);

    Value init = emptyTensor(b, loc, {d.B, Tp, d.Hv, d.dv}, f32);
    SmallVector<OpFoldResult> upper{b.getIndexAttr(d.B), b.getIndexAttr(d.Hv)};
    auto forall =
        scf::ForallOp::create(b, loc, upper, ValueRange{init}, std::nullopt);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(forall.getBody());
      auto [batch, head, keyHead] = HeadIndices::of(b, loc, forall, d.group);
      Value state = filledTensor(b, loc, {d.dk, d.dv}, f32, 0.0);
      Value headOut = emptyTensor(b, loc, {Tp, d.dv}, f32);
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value count = arith::ConstantIndexOp::create(b, loc, d.chunks.count);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      auto chunks = scf::ForOp::create(b, loc, zero, count, one,
                                       ValueRange{state, headOut});
      {
        OpBuilder::InsertionGuard loopGuard(b);
        b.setInsertionPointToStart(chunks.getBody());
        Value size = arith::ConstantIndexOp::create(b, loc, C);
        Value first =
            arith::MulIOp::create(b, loc, chunks.getInductionVar(), size);
        ChunkOperands x = in.chunk(b, loc, d, batch, head, keyHead, first);
        ChunkBuilder chunk(b, loc, C, d.dk, d.dv);
        ChunkForward f = chunk.forward(x, chunks.getRegionIterArgs()[0],
                                       /*withOutput=*/true,
                                       /*nextStateInPlace=*/true);
        Value out = chunk.output(f);
        Value written =
            insertRows(b, loc, out, chunks.getRegionIterArgs()[1], first);
        scf::YieldOp::create(b, loc, ValueRange{f.nextState, written});
      }
      b.setInsertionPointToStart(forall.getTerminator().getBody());
      insertHead(b, loc, chunks.getResult(1), forall.getRegionIterArgs()[0],
                 batch, head);
    }
    Value result =
        unpad(b, loc, forall.getResult(0), d.T, resultType.getElementType());
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GatedDeltaRuleGradToLinalg : OpRewritePattern<GatedDeltaRuleGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GatedDeltaRuleGradOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    RuleDims d = RuleDims::of(op.getQ(), op.getV());
    OpBuilder &b = rewriter;
    if (d.empty()) {
      // No output element: nothing depends on the operands.
      SmallVector<Value> zeros;
      for (Type t : op->getResultTypes()) {
        auto type = cast<RankedTensorType>(t);
        zeros.push_back(
            filledTensor(b, loc, type.getShape(), type.getElementType(), 0.0));
      }
      rewriter.replaceOp(op, zeros);
      return success();
    }
    Type f32 = b.getF32Type();
    int64_t C = d.chunks.size, Tp = d.chunks.padded, n = d.chunks.count;
    PaddedOperands in =
        PaddedOperands::of(b, loc, op->getOperands().take_front(5), Tp);
    Value dOutAll = PaddedOperands::prepare(b, loc, op.getDout(), Tp);

    // Per value head; dq and dk are summed over each key head's group after.
    SmallVector<Value> inits;
    for (int64_t width : {d.dk, d.dk, d.dv})
      inits.push_back(emptyTensor(b, loc, {d.B, Tp, d.Hv, width}, f32));
    for (int i = 0; i < 2; ++i)
      inits.push_back(emptyTensor(b, loc, {d.B, Tp, d.Hv}, f32));
    SmallVector<OpFoldResult> upper{b.getIndexAttr(d.B), b.getIndexAttr(d.Hv)};
    auto forall = scf::ForallOp::create(b, loc, upper, inits, std::nullopt);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(forall.getBody());
      auto [batch, head, keyHead] = HeadIndices::of(b, loc, forall, d.group);
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value count = arith::ConstantIndexOp::create(b, loc, n);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      Value size = arith::ConstantIndexOp::create(b, loc, C);

      // Pass 1: the state at the start of every chunk.
      Value state = filledTensor(b, loc, {d.dk, d.dv}, f32, 0.0);
      Value states = emptyTensor(b, loc, {n, d.dk, d.dv}, f32);
      auto forward = scf::ForOp::create(b, loc, zero, count, one,
                                        ValueRange{state, states});
      {
        OpBuilder::InsertionGuard loopGuard(b);
        b.setInsertionPointToStart(forward.getBody());
        Value c = forward.getInductionVar();
        Value start = forward.getRegionIterArgs()[0];
        Value startState = tensor::ExpandShapeOp::create(
            b, loc, RankedTensorType::get({1, d.dk, d.dv}, f32), start,
            SmallVector<ReassociationIndices>{{0, 1}, {2}});
        Value saved =
            insertRows(b, loc, startState, forward.getRegionIterArgs()[1], c);
        Value first = arith::MulIOp::create(b, loc, c, size);
        ChunkOperands x = in.chunk(b, loc, d, batch, head, keyHead, first);
        ChunkBuilder chunk(b, loc, C, d.dk, d.dv);
        ChunkForward f = chunk.forward(x, start, /*withOutput=*/false,
                                       /*nextStateInPlace=*/true);
        scf::YieldOp::create(b, loc, ValueRange{f.nextState, saved});
      }
      Value savedStates = forward.getResult(1);

      // Pass 2: the chunks in reverse, carrying dS.
      SmallVector<Value> carried;
      carried.push_back(filledTensor(b, loc, {d.dk, d.dv}, f32, 0.0));
      for (int64_t width : {d.dk, d.dk, d.dv})
        carried.push_back(emptyTensor(b, loc, {Tp, width}, f32));
      for (int i = 0; i < 2; ++i)
        carried.push_back(emptyTensor(b, loc, {Tp}, f32));
      auto reverse = scf::ForOp::create(b, loc, zero, count, one, carried);
      {
        OpBuilder::InsertionGuard loopGuard(b);
        b.setInsertionPointToStart(reverse.getBody());
        Value lastChunk = arith::ConstantIndexOp::create(b, loc, n - 1);
        Value c =
            arith::SubIOp::create(b, loc, lastChunk, reverse.getInductionVar());
        Value first = arith::MulIOp::create(b, loc, c, size);
        OpFoldResult zeroAttr = b.getIndexAttr(0);
        Value start = sliceOf(b, loc, savedStates, {c, zeroAttr, zeroAttr},
                              {1, d.dk, d.dv}, {d.dk, d.dv});
        Value dOut = sliceOf(b, loc, dOutAll, {batch, first, head, zeroAttr},
                             {1, C, 1, d.dv}, {C, d.dv});
        ChunkOperands x = in.chunk(b, loc, d, batch, head, keyHead, first);
        ChunkBuilder chunk(b, loc, C, d.dk, d.dv);
        ChunkForward f = chunk.forward(x, start, /*withOutput=*/true,
                                       /*nextStateInPlace=*/false);
        ValueRange acc = reverse.getRegionIterArgs();
        ChunkGrads grads = chunk.backward(x, f, start, acc[0], dOut);
        Value dq = insertRows(b, loc, grads.dq, acc[1], first);
        Value dk = insertRows(b, loc, grads.dk, acc[2], first);
        Value dv = insertRows(b, loc, grads.dv, acc[3], first);
        Value dg = insertRows(b, loc, grads.dg, acc[4], first);
        Value dbeta = insertRows(b, loc, grads.dbeta, acc[5], first);
        scf::YieldOp::create(b, loc,
                             ValueRange{grads.dState, dq, dk, dv, dg, dbeta});
      }
      b.setInsertionPointToStart(forall.getTerminator().getBody());
      for (unsigned i = 0; i < 5; ++i)
        insertHead(b, loc, reverse.getResult(i + 1),
                   forall.getRegionIterArgs()[i], batch, head);
    }

    // dq, dk: the sum over the value heads of each key head's group.
    Value dq = sumValueHeadGroups(b, loc, forall.getResult(0), d.Hk, d.group);
    Value dk = sumValueHeadGroups(b, loc, forall.getResult(1), d.Hk, d.group);
    auto elementType = [&](Value v) { return tensorType(v).getElementType(); };
    Value dqResult = unpad(b, loc, dq, d.T, elementType(op.getQ()));
    Value dkResult = unpad(b, loc, dk, d.T, elementType(op.getK()));
    Value dvResult =
        unpad(b, loc, forall.getResult(2), d.T, elementType(op.getV()));
    Value dgResult =
        unpad(b, loc, forall.getResult(3), d.T, elementType(op.getG()));
    Value dbetaResult =
        unpad(b, loc, forall.getResult(4), d.T, elementType(op.getBeta()));
    SmallVector<Value> results{dqResult, dkResult, dvResult, dgResult,
                               dbetaResult};
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::rescale::populateGatedDeltaRuleToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<GatedDeltaRuleToLinalg, GatedDeltaRuleGradToLinalg>(
      patterns.getContext());
}
