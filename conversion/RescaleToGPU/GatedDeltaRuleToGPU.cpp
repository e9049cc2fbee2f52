//===- GatedDeltaRuleToGPU.cpp - the gated delta rule as chunked CTA kernels
//===//
//
// rescale.gated_delta_rule and rescale.gated_delta_rule_grad
// (dialect/RescaleLinearAttentionOps.td) on the GPU: one CTA per (batch,
// value head) walks the chunks of its sequence in order, as the CPU's
// scf.forall iteration does, and runs the chunk's math on f32 matrices in
// shared memory. The formulas are those of the CPU decomposition
// (ToLinalg/GatedDeltaRuleToLinalg.cpp, derivation in
// docs/linear-attention.md), line by line; with γ the cumulative log decay
// within a chunk:
//
//   E[i,j] = exp(γ_i − γ_j) k_i·k_j  (j < i)      A = β ⊙ E
//   U      = (I + A)⁻¹ β ⊙ (V − exp(γ) ⊙ K S₀)      -- forward substitution
//   P[i,j] = exp(γ_i − γ_j) q_i·k_j  (j ≤ i)
//   O      = exp(γ) ⊙ Q S₀ + P U
//   S_C    = exp(γ_L) S₀ + (exp(γ_L − γ) ⊙ K)ᵀ U
//
// and the backward recomputes the chunk start states in a first pass (kept
// in a global scratch buffer, one [dk, dv] per chunk), then walks the chunks
// in reverse carrying dS in shared memory.
//
// Schedule: every product is a loop over its output elements, a thread per
// element (the block strides over them), with the reduction serial in the
// thread, from shared memory, f32 FMA; rows are padded to an odd stride so
// that the lanes reading down a column hit distinct banks. Each triangular
// solve runs a thread per column of its right-hand side. Barriers separate
// the steps. The chunk length is the CPU path's (at most 64 tokens, split
// evenly) when its matrices fit in the chip's shared memory, and halved until
// they do. Tokens past T read as zeros (k = 0, β = 0, g = 0: they write and
// decay nothing), as the CPU path pads.
//
// This is the FMA schedule for every element type. Not done yet: the
// tensor-core (mma.sync) schedule of the chunk products for bf16/f16, and a
// split of the value dimension across CTAs when B·Hv is below the SM count.
//
//===----------------------------------------------------------------------===//

#include "conversion/RescaleToGPU/KernelBuilder.h"
#include "conversion/RescaleToGPU/NVPTXPatterns.h"
#include "conversion/RescaleToGPU/TargetInfo.h"
#include "conversion/RescaleToLinalg/Common.h"

#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::nvptx;

namespace {

constexpr int64_t kBlockSize = 256;
/// The CPU path's longest chunk (flash-linear-attention's choice).
constexpr int64_t kMaxChunk = 64;

using RuleShape = tolinalg::GatedDeltaRuleShape;

/// The shared-memory matrices. `T1` = U dSᵀ and `T2` = dO Sᵀ are the
/// backward's [C, dk] temporaries; `D` is the masked decay exp(γ_i − γ_j)
/// (j ≤ i).
enum Mat { Q, K, T1, T2, U, KS, DOut, DX, E, P, D, DP, DXUt, S, DS, NumMats };
/// The shared-memory vectors: the chunk's g, β, γ, exp(γ), exp(γ_L − γ), and
/// the backward's per-token shares, dγ, and the state's row sums of S ⊙ dS.
enum Vec {
  G,
  Beta,
  Gamma,
  ExpGamma,
  ExpLast,
  KeyShare,
  DGamma,
  StateRows,
  NumVecs
};

/// Which matrices and vectors a kernel keeps, their shapes, and the bytes.
struct SmemLayout {
  int64_t C = 0;
  std::array<std::pair<int64_t, int64_t>, NumMats> mats{};
  std::array<int64_t, NumVecs> vecs{};

  static int64_t strideOf(int64_t cols) { return cols | 1; }

  static SmemLayout of(const RuleShape &s, int64_t C, bool backward) {
    SmemLayout l;
    l.C = C;
    auto set = [&](Mat m, int64_t rows, int64_t cols) {
      l.mats[m] = {rows, cols};
    };
    set(Q, C, s.dk);
    set(K, C, s.dk);
    set(U, C, s.dv);
    set(E, C, C);
    set(P, C, C);
    set(S, s.dk, s.dv);
    for (Vec v : {G, Beta, Gamma, ExpGamma, ExpLast})
      l.vecs[v] = C;
    if (backward) {
      set(T1, C, s.dk);
      set(T2, C, s.dk);
      set(KS, C, s.dv);
      set(DOut, C, s.dv);
      set(DX, C, s.dv);
      set(D, C, C);
      set(DP, C, C);
      set(DXUt, C, C);
      set(DS, s.dk, s.dv);
      l.vecs[KeyShare] = C;
      l.vecs[DGamma] = C;
      l.vecs[StateRows] = s.dk;
    }
    return l;
  }

  /// (f32, elements) of every buffer in carve order, unused ones included
  /// with 0 elements (an empty view) so that indices stay fixed.
  SmallVector<std::pair<Type, int64_t>> buffers(Type f32) const {
    SmallVector<std::pair<Type, int64_t>> all;
    for (auto [rows, cols] : mats)
      all.push_back({f32, rows * strideOf(cols)});
    for (int64_t n : vecs)
      all.push_back({f32, n});
    return all;
  }

  int64_t bytes() const {
    int64_t total = 0;
    for (auto [rows, cols] : mats)
      total += llvm::alignTo(rows * strideOf(cols) * 4, 16);
    for (int64_t n : vecs)
      total += llvm::alignTo(n * 4, 16);
    return total;
  }
};

} // namespace

/// The chunking of `s`: the CPU path's when it fits the chip's shared
/// memory, else the longest of halved maxima that does.
static FailureOr<tolinalg::TileSplit>
chooseChunks(const RuleShape &s, bool backward, const TargetInfo &target) {
  for (int64_t maxChunk = kMaxChunk; maxChunk >= 1; maxChunk /= 2) {
    tolinalg::TileSplit split = tolinalg::splitEvenly(s.T, maxChunk);
    if (SmemLayout::of(s, split.size, backward).bytes() <=
        target.maxDynamicSmemBytes)
      return split;
  }
  return failure();
}

//===----------------------------------------------------------------------===//
// The kernel body
//===----------------------------------------------------------------------===//

namespace {

/// Device code of both kernels. Every helper creates its ops in the order
/// of its statements; results of op-creating calls pass through named
/// locals.
class ChunkKernel {
public:
  ChunkKernel(ImplicitLocOpBuilder &b, const RuleShape &s,
              const tolinalg::TileSplit &c, const SmemLayout &layout)
      : b(b), s(s), C(c.size), chunks(c.count), layout(layout),
        f32(b.getF32Type()) {}

  /// out = rule(q, k, v, g, beta).
  void buildForward(gpu::GPUFuncOp func) {
    bindArguments(func, /*numArgs=*/6);
    prologue();
    zeroState(S);
    auto loop = forLoop(0, chunks);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value first =
          arith::MulIOp::create(b, loop.getInductionVar(), cIdx(b, C));
      loadChunk(first, /*withQuery=*/true, /*withDOut=*/false,
                /*stateFrom=*/Value());
      recomputeChunk(first, /*withQueryScores=*/true, /*backward=*/false);
      // O = exp(γ) ⊙ Q S₀ + P U, straight to global memory.
      forEach(C, s.dv, [&](Value i, Value j) {
        Value fromState = sumOver(s.dk, [&](Value r) {
          Value q = ld(Q, i, r);
          Value st = ld(S, r, j);
          return mulF(q, st);
        });
        Value rows = arith::AddIOp::create(b, i, cIdx(b, 1));
        Value fromChunk = sumOver(cIdx(b, 0), rows, [&](Value r) {
          Value p = ld(P, i, r);
          Value u = ld(U, r, j);
          return mulF(p, u);
        });
        Value eg = ldv(ExpGamma, i);
        Value scaled = mulF(eg, fromState);
        Value o = addF(scaled, fromChunk);
        storeToken(args[5], first, i, s.Hv, head, s.dv, j, o);
      });
      updateState(/*saveTo=*/Value(), first);
    }
  }

  /// (dqH, dkH per value head, dv, dg, dbeta) = the rule's backward.
  void buildBackward(gpu::GPUFuncOp func) {
    bindArguments(func, /*numArgs=*/12);
    Value states = args[6];
    prologue();
    // Pass 1: the state at the start of every chunk, into `states`.
    zeroState(S);
    {
      auto loop = forLoop(0, chunks);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value c = loop.getInductionVar();
      Value first = arith::MulIOp::create(b, c, cIdx(b, C));
      loadChunk(first, /*withQuery=*/false, /*withDOut=*/false, Value());
      recomputeChunk(first, /*withQueryScores=*/false, /*backward=*/false);
      updateState(states, c);
    }
    // Pass 2: the chunks in reverse, carrying dS.
    zeroState(DS);
    auto loop = forLoop(0, chunks);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value lastChunk = cIdx(b, chunks - 1);
    Value c = arith::SubIOp::create(b, lastChunk, loop.getInductionVar());
    Value first = arith::MulIOp::create(b, c, cIdx(b, C));
    loadChunk(first, /*withQuery=*/true, /*withDOut=*/true, c);
    recomputeChunk(first, /*withQueryScores=*/true, /*backward=*/true);
    backwardChunk(first);
  }

private:
  //===--------------------------------------------------------------------===//
  // Arguments, coordinates, memory
  //===--------------------------------------------------------------------===//

  void bindArguments(gpu::GPUFuncOp func, unsigned numArgs) {
    for (unsigned i = 0; i < numArgs; ++i)
      args.push_back(func.getArgument(i));
  }

  void prologue() {
    tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
    Value bid = gpu::BlockIdOp::create(b, gpu::Dimension::x);
    batch = arith::DivUIOp::create(b, bid, cIdx(b, s.Hv));
    head = arith::RemUIOp::create(b, bid, cIdx(b, s.Hv));
    keyHead = arith::DivUIOp::create(b, head, cIdx(b, s.group));
    carveDynamicSmem(b, layout.buffers(f32), views);
  }

  Value matIndex(Mat m, Value i, Value j) {
    int64_t stride = SmemLayout::strideOf(layout.mats[m].second);
    Value row = arith::MulIOp::create(b, i, cIdx(b, stride));
    return arith::AddIOp::create(b, row, j);
  }
  Value ld(Mat m, Value i, Value j) {
    Value idx = matIndex(m, i, j);
    return memref::LoadOp::create(b, views[m], ValueRange{idx});
  }
  void st(Mat m, Value i, Value j, Value v) {
    Value idx = matIndex(m, i, j);
    memref::StoreOp::create(b, v, views[m], ValueRange{idx});
  }
  Value ldv(Vec v, Value i) {
    return memref::LoadOp::create(b, views[NumMats + v], ValueRange{i});
  }
  void stv(Vec v, Value i, Value x) {
    memref::StoreOp::create(b, x, views[NumMats + v], ValueRange{i});
  }

  Value addF(Value x, Value y) { return arith::AddFOp::create(b, x, y); }
  Value subF(Value x, Value y) { return arith::SubFOp::create(b, x, y); }
  Value mulF(Value x, Value y) { return arith::MulFOp::create(b, x, y); }
  Value negF(Value x) { return arith::NegFOp::create(b, x); }
  Value expF(Value x) { return math::ExpOp::create(b, x); }
  /// exp(x − y).
  Value expDiff(Value x, Value y) {
    Value d = subF(x, y);
    return expF(d);
  }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, c, x, y);
  }

  scf::ForOp forLoop(int64_t lb, int64_t ub) {
    Value lower = cIdx(b, lb);
    Value upper = cIdx(b, ub);
    Value step = cIdx(b, 1);
    return scf::ForOp::create(b, lower, upper, step);
  }

  /// Σ_{r in [lb, ub)} term(r), serially, in f32.
  Value sumOver(Value lb, Value ub, function_ref<Value(Value)> term) {
    Value zero = cF32(b, 0.0f);
    Value step = cIdx(b, 1);
    auto loop = scf::ForOp::create(b, lb, ub, step, ValueRange{zero});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value t = term(loop.getInductionVar());
    Value acc = addF(loop.getRegionIterArgs()[0], t);
    scf::YieldOp::create(b, acc);
    return loop.getResult(0);
  }
  Value sumOver(int64_t n, function_ref<Value(Value)> term) {
    Value lb = cIdx(b, 0);
    Value ub = cIdx(b, n);
    return sumOver(lb, ub, term);
  }

  /// fn(i, j) for every element of a rows x cols matrix, the block striding
  /// over them; then a barrier unless `sync` is false.
  void forEach(int64_t rows, int64_t cols, function_ref<void(Value, Value)> fn,
               bool sync = true) {
    if (rows * cols > 0) {
      Value end = cIdx(b, rows * cols);
      Value step = cIdx(b, kBlockSize);
      auto loop = scf::ForOp::create(b, tid, end, step);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value e = loop.getInductionVar();
      Value i = arith::DivUIOp::create(b, e, cIdx(b, cols));
      Value j = arith::RemUIOp::create(b, e, cIdx(b, cols));
      fn(i, j);
    }
    if (sync)
      gpu::BarrierOp::create(b);
  }
  /// fn(i) for every i < rows, a thread each.
  void forEachRow(int64_t rows, function_ref<void(Value)> fn,
                  bool sync = true) {
    forEach(rows, 1, [&](Value i, Value) { fn(i); }, sync);
  }

  /// Token `first + i` of the chunk: its index clamped into [0, T) and
  /// whether it exists (the chunks past T are padding).
  std::pair<Value, Value> token(Value first, Value i) {
    Value t = arith::AddIOp::create(b, first, i);
    Value valid = cmp(arith::CmpIPredicate::ult, t, cIdx(b, s.T));
    Value clamped = arith::MinUIOp::create(b, t, cIdx(b, s.T - 1));
    return {clamped, valid};
  }
  /// Flat index of [batch, t, h, col] in a [B, T, heads, width] buffer.
  Value globalIndex(Value t, int64_t heads, Value h, int64_t width, Value col) {
    Value bt = arith::MulIOp::create(b, batch, cIdx(b, s.T));
    Value row = arith::AddIOp::create(b, bt, t);
    Value rowHeads = arith::MulIOp::create(b, row, cIdx(b, heads));
    Value rh = arith::AddIOp::create(b, rowHeads, h);
    Value base = arith::MulIOp::create(b, rh, cIdx(b, width));
    return arith::AddIOp::create(b, base, col);
  }
  /// The f32 value of token `first + i` at (h, col), 0 past T.
  Value loadToken(Value buf, Value first, Value i, int64_t heads, Value h,
                  int64_t width, Value col) {
    auto [t, valid] = token(first, i);
    Value idx = globalIndex(t, heads, h, width, col);
    Value v = memref::LoadOp::create(b, buf, ValueRange{idx});
    if (!v.getType().isF32())
      v = arith::ExtFOp::create(b, f32, v);
    Value zero = cF32(b, 0.0f);
    return select(valid, v, zero);
  }
  /// Stores `v` (f32, rounded once to the buffer's type) at token
  /// `first + i`, when that token exists.
  void storeToken(Value buf, Value first, Value i, int64_t heads, Value h,
                  int64_t width, Value col, Value v) {
    auto [t, valid] = token(first, i);
    auto ifValid = scf::IfOp::create(b, valid, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifValid.thenBlock());
    Type elt = cast<MemRefType>(buf.getType()).getElementType();
    if (elt != f32)
      v = arith::TruncFOp::create(b, elt, v);
    Value idx = globalIndex(t, heads, h, width, col);
    memref::StoreOp::create(b, v, buf, ValueRange{idx});
  }
  /// Flat index of element (r, c) of chunk `c`'s saved start state.
  Value stateIndex(Value chunk, Value r, Value c) {
    Value bid = arith::MulIOp::create(b, batch, cIdx(b, s.Hv));
    Value cta = arith::AddIOp::create(b, bid, head);
    Value ctaChunks = arith::MulIOp::create(b, cta, cIdx(b, chunks));
    Value slot = arith::AddIOp::create(b, ctaChunks, chunk);
    Value base = arith::MulIOp::create(b, slot, cIdx(b, s.dk * s.dv));
    Value row = arith::MulIOp::create(b, r, cIdx(b, s.dv));
    Value rowBase = arith::AddIOp::create(b, base, row);
    return arith::AddIOp::create(b, rowBase, c);
  }

  void zeroState(Mat m) {
    forEach(s.dk, s.dv, [&](Value r, Value c) {
      Value zero = cF32(b, 0.0f);
      st(m, r, c, zero);
    });
  }

  //===--------------------------------------------------------------------===//
  // The chunk
  //===--------------------------------------------------------------------===//

  /// K (and Q), g, β (and dO) of the chunk at `first`; with `stateFrom`,
  /// S₀ from that chunk's saved state.
  void loadChunk(Value first, bool withQuery, bool withDOut, Value stateFrom) {
    Value q = args[0], k = args[1], g = args[3], beta = args[4];
    forEach(
        C, s.dk,
        [&](Value i, Value r) {
          Value kv = loadToken(k, first, i, s.Hk, keyHead, s.dk, r);
          st(K, i, r, kv);
          if (withQuery) {
            Value qv = loadToken(q, first, i, s.Hk, keyHead, s.dk, r);
            st(Q, i, r, qv);
          }
        },
        /*sync=*/false);
    forEachRow(
        C,
        [&](Value i) {
          Value zero = cIdx(b, 0);
          Value gv = loadToken(g, first, i, s.Hv, head, 1, zero);
          stv(G, i, gv);
          Value bv = loadToken(beta, first, i, s.Hv, head, 1, zero);
          stv(Beta, i, bv);
        },
        /*sync=*/false);
    if (withDOut)
      forEach(
          C, s.dv,
          [&](Value i, Value j) {
            Value d = loadToken(args[5], first, i, s.Hv, head, s.dv, j);
            st(DOut, i, j, d);
          },
          /*sync=*/false);
    if (stateFrom)
      forEach(
          s.dk, s.dv,
          [&](Value r, Value c) {
            Value idx = stateIndex(stateFrom, r, c);
            Value v = memref::LoadOp::create(b, args[6], ValueRange{idx});
            st(S, r, c, v);
          },
          /*sync=*/false);
    gpu::BarrierOp::create(b);
  }

  /// γ, its exponentials, E (and P, D), and the pseudo-values U (and K S₀)
  /// of the loaded chunk.
  void recomputeChunk(Value first, bool withQueryScores, bool backward) {
    forEachRow(C, [&](Value i) {
      Value end = arith::AddIOp::create(b, i, cIdx(b, 1));
      Value zero = cIdx(b, 0);
      Value gamma = sumOver(zero, end, [&](Value j) { return ldv(G, j); });
      stv(Gamma, i, gamma);
    });
    gammaLast = ldv(Gamma, cIdx(b, C - 1));
    forEachRow(C, [&](Value i) {
      Value gamma = ldv(Gamma, i);
      Value eg = expF(gamma);
      stv(ExpGamma, i, eg);
      Value el = expDiff(gammaLast, gamma);
      stv(ExpLast, i, el);
    });
    forEach(C, C, [&](Value i, Value j) {
      Value gi = ldv(Gamma, i);
      Value gj = ldv(Gamma, j);
      Value decay = expDiff(gi, gj);
      Value zero = cF32(b, 0.0f);
      // exp of a positive partial sum above the diagonal may be inf; the
      // masks select, so it never multiplies anything.
      Value lower = cmp(arith::CmpIPredicate::ult, j, i);
      Value lowerOrDiag = cmp(arith::CmpIPredicate::ule, j, i);
      Value gram = sumOver(s.dk, [&](Value r) {
        Value ki = ld(K, i, r);
        Value kj = ld(K, j, r);
        return mulF(ki, kj);
      });
      Value e = mulF(decay, gram);
      Value eMasked = select(lower, e, zero);
      st(E, i, j, eMasked);
      if (backward) {
        Value d = select(lowerOrDiag, decay, zero);
        st(D, i, j, d);
      }
      if (withQueryScores) {
        Value score = sumOver(s.dk, [&](Value r) {
          Value qi = ld(Q, i, r);
          Value kj = ld(K, j, r);
          return mulF(qi, kj);
        });
        Value p = mulF(decay, score);
        Value pMasked = select(lowerOrDiag, p, zero);
        st(P, i, j, pMasked);
      }
    });
    // X = β ⊙ (V − exp(γ) ⊙ K S₀), into U.
    forEach(C, s.dv, [&](Value i, Value j) {
      Value ks = sumOver(s.dk, [&](Value r) {
        Value kv = ld(K, i, r);
        Value sv = ld(S, r, j);
        return mulF(kv, sv);
      });
      if (backward)
        st(KS, i, j, ks);
      Value v = loadToken(args[2], first, i, s.Hv, head, s.dv, j);
      Value eg = ldv(ExpGamma, i);
      Value decayed = mulF(eg, ks);
      Value residual = subF(v, decayed);
      Value beta = ldv(Beta, i);
      Value x = mulF(beta, residual);
      st(U, i, j, x);
    });
    solve(U, /*transposed=*/false);
  }

  /// Y over X in `m` [C, dv]: (I + A) Y = X, or (I + A)ᵀ Y = X when
  /// `transposed`, with A = β ⊙ E strictly lower. A thread per column; each
  /// row reads only rows of its own column solved before it.
  void solve(Mat m, bool transposed) {
    forEach(1, s.dv, [&](Value, Value j) {
      auto rows = forLoop(0, C);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(rows.getBody());
      Value i = rows.getInductionVar();
      if (transposed) {
        Value last = cIdx(b, C - 1);
        i = arith::SubIOp::create(b, last, i);
      }
      Value x = ld(m, i, j);
      Value solved;
      if (!transposed) {
        // y_i = x_i − β_i Σ_{r<i} E[i, r] y_r.
        Value zero = cIdx(b, 0);
        Value dot = sumOver(zero, i, [&](Value r) {
          Value e = ld(E, i, r);
          Value y = ld(m, r, j);
          return mulF(e, y);
        });
        Value beta = ldv(Beta, i);
        Value weighted = mulF(beta, dot);
        solved = subF(x, weighted);
      } else {
        // y_i = x_i − Σ_{r>i} β_r E[r, i] y_r.
        Value next = arith::AddIOp::create(b, i, cIdx(b, 1));
        Value end = cIdx(b, C);
        Value dot = sumOver(next, end, [&](Value r) {
          Value beta = ldv(Beta, r);
          Value e = ld(E, r, i);
          Value a = mulF(beta, e);
          Value y = ld(m, r, j);
          return mulF(a, y);
        });
        solved = subF(x, dot);
      }
      st(m, i, j, solved);
    });
  }

  /// S ← exp(γ_L) S + (exp(γ_L − γ) ⊙ K)ᵀ U; with `saveTo`, S₀ is first
  /// written to chunk `chunk`'s slot of that buffer.
  void updateState(Value saveTo, Value chunk) {
    Value keep = expF(gammaLast);
    forEach(s.dk, s.dv, [&](Value r, Value c) {
      Value old = ld(S, r, c);
      if (saveTo) {
        Value idx = stateIndex(chunk, r, c);
        memref::StoreOp::create(b, old, saveTo, ValueRange{idx});
      }
      Value written = sumOver(C, [&](Value i) {
        Value el = ldv(ExpLast, i);
        Value kv = ld(K, i, r);
        Value scaled = mulF(el, kv);
        Value u = ld(U, i, c);
        return mulF(scaled, u);
      });
      Value kept = mulF(keep, old);
      Value updated = addF(kept, written);
      st(S, r, c, updated);
    });
  }

  /// The gradients of the loaded, recomputed chunk, and dS carried one
  /// chunk back.
  void backwardChunk(Value first) {
    Value dqHeads = args[7], dkHeads = args[8], dvOut = args[9],
          dgOut = args[10], dbetaOut = args[11];
    Value zeroIdx = cIdx(b, 0);
    Value chunkEnd = cIdx(b, C);
    // dU = Pᵀ dO + (exp(γ_L − γ) ⊙ K) dS into DX; dP = dO Uᵀ;
    // T1 = U dSᵀ (the adjoint of the decayed keys); T2 = dO S₀ᵀ.
    forEach(
        C, s.dv,
        [&](Value i, Value j) {
          Value fromOut = sumOver(i, chunkEnd, [&](Value r) {
            Value p = ld(P, r, i);
            Value d = ld(DOut, r, j);
            return mulF(p, d);
          });
          Value fromState = sumOver(s.dk, [&](Value r) {
            Value kv = ld(K, i, r);
            Value ds = ld(DS, r, j);
            return mulF(kv, ds);
          });
          Value el = ldv(ExpLast, i);
          Value scaled = mulF(el, fromState);
          Value du = addF(fromOut, scaled);
          st(DX, i, j, du);
        },
        /*sync=*/false);
    forEach(
        C, C,
        [&](Value i, Value j) {
          Value dp = sumOver(s.dv, [&](Value d) {
            Value o = ld(DOut, i, d);
            Value u = ld(U, j, d);
            return mulF(o, u);
          });
          st(DP, i, j, dp);
        },
        /*sync=*/false);
    forEach(C, s.dk, [&](Value i, Value r) {
      Value t1 = sumOver(s.dv, [&](Value c) {
        Value u = ld(U, i, c);
        Value ds = ld(DS, r, c);
        return mulF(u, ds);
      });
      st(T1, i, r, t1);
      Value t2 = sumOver(s.dv, [&](Value c) {
        Value o = ld(DOut, i, c);
        Value sv = ld(S, r, c);
        return mulF(o, sv);
      });
      st(T2, i, r, t2);
    });
    // dX = (I + A)⁻ᵀ dU, then dX Uᵀ.
    solve(DX, /*transposed=*/true);
    forEach(C, C, [&](Value i, Value j) {
      Value v = sumOver(s.dv, [&](Value d) {
        Value dx = ld(DX, i, d);
        Value u = ld(U, j, d);
        return mulF(dx, u);
      });
      st(DXUt, i, j, v);
    });

    // dq = (dP ⊙ D) K + exp(γ) ⊙ dO S₀ᵀ.
    forEach(
        C, s.dk,
        [&](Value i, Value r) {
          Value end = arith::AddIOp::create(b, i, cIdx(b, 1));
          Value fromScores = sumOver(zeroIdx, end, [&](Value j) {
            Value dp = ld(DP, i, j);
            Value d = ld(D, i, j);
            Value dScore = mulF(dp, d);
            Value kv = ld(K, j, r);
            return mulF(dScore, kv);
          });
          Value eg = ldv(ExpGamma, i);
          Value t2 = ld(T2, i, r);
          Value fromState = mulF(eg, t2);
          Value dq = addF(fromScores, fromState);
          storeToken(dqHeads, first, i, s.Hv, head, s.dk, r, dq);
        },
        /*sync=*/false);
    // dk = (dP ⊙ D)ᵀ Q + exp(γ_L − γ) ⊙ T1 + dGram K + dGramᵀ K
    //      − β exp(γ) ⊙ dX S₀ᵀ, with dGram = −β_i dXUt ⊙ D (j < i).
    forEach(
        C, s.dk,
        [&](Value i, Value r) {
          Value fromScores = sumOver(i, chunkEnd, [&](Value j) {
            Value dp = ld(DP, j, i);
            Value d = ld(D, j, i);
            Value dScore = mulF(dp, d);
            Value qv = ld(Q, j, r);
            return mulF(dScore, qv);
          });
          Value el = ldv(ExpLast, i);
          Value t1 = ld(T1, i, r);
          Value fromDecayed = mulF(el, t1);
          // Row i of dGram: −β_i Σ_{j<i} dXUt[i,j] D[i,j] k_j.
          Value rowDot = sumOver(zeroIdx, i, [&](Value j) {
            Value g = ld(DXUt, i, j);
            Value d = ld(D, i, j);
            Value w = mulF(g, d);
            Value kv = ld(K, j, r);
            return mulF(w, kv);
          });
          Value betaI = ldv(Beta, i);
          Value fromRow = mulF(betaI, rowDot);
          // Column i of dGram: −Σ_{j>i} β_j dXUt[j,i] D[j,i] k_j.
          Value next = arith::AddIOp::create(b, i, cIdx(b, 1));
          Value fromCol = sumOver(next, chunkEnd, [&](Value j) {
            Value betaJ = ldv(Beta, j);
            Value g = ld(DXUt, j, i);
            Value d = ld(D, j, i);
            Value gd = mulF(g, d);
            Value w = mulF(betaJ, gd);
            Value kv = ld(K, j, r);
            return mulF(w, kv);
          });
          Value xs = sumOver(s.dv, [&](Value c) {
            Value dx = ld(DX, i, c);
            Value sv = ld(S, r, c);
            return mulF(dx, sv);
          });
          Value eg = ldv(ExpGamma, i);
          Value w = mulF(betaI, eg);
          Value fromKeyState = mulF(w, xs);
          Value sum = addF(fromScores, fromDecayed);
          sum = subF(sum, fromRow);
          sum = subF(sum, fromCol);
          sum = subF(sum, fromKeyState);
          storeToken(dkHeads, first, i, s.Hv, head, s.dk, r, sum);
        },
        /*sync=*/false);
    // dv = β ⊙ dX.
    forEach(
        C, s.dv,
        [&](Value i, Value j) {
          Value beta = ldv(Beta, i);
          Value dx = ld(DX, i, j);
          Value dv = mulF(beta, dx);
          storeToken(dvOut, first, i, s.Hv, head, s.dv, j, dv);
        },
        /*sync=*/false);
    // The decayed keys' share of dγ_i (Kd_i · dKd_i) and the rows of S ⊙ dS.
    forEachRow(
        C,
        [&](Value i) {
          Value dot = sumOver(s.dk, [&](Value r) {
            Value kv = ld(K, i, r);
            Value t1 = ld(T1, i, r);
            return mulF(kv, t1);
          });
          Value el = ldv(ExpLast, i);
          Value share = mulF(el, dot);
          stv(KeyShare, i, share);
        },
        /*sync=*/false);
    forEachRow(s.dk, [&](Value r) {
      Value dot = sumOver(s.dv, [&](Value c) {
        Value sv = ld(S, r, c);
        Value ds = ld(DS, r, c);
        return mulF(sv, ds);
      });
      stv(StateRows, r, dot);
    });

    // dγ and dβ per token. γ_L's share: exp(γ_L) ⟨S₀, dS⟩ + Σ_j Kd_j·dKd_j.
    Value stateTotal =
        sumOver(s.dk, [&](Value r) { return ldv(StateRows, r); });
    Value keyTotal = sumOver(C, [&](Value i) { return ldv(KeyShare, i); });
    Value keepLast = expF(gammaLast);
    Value stateShare = mulF(keepLast, stateTotal);
    Value lastShare = addF(stateShare, keyTotal);
    forEachRow(C, [&](Value i) {
      Value betaI = ldv(Beta, i);
      Value eg = ldv(ExpGamma, i);
      // Z[i,j] = dP P − dXUt ⊙ A: +Z[i,·] for γ_i, −Z[·,i] for γ_j.
      auto decayTerm = [&](Value row, Value col) {
        Value dp = ld(DP, row, col);
        Value p = ld(P, row, col);
        Value fromP = mulF(dp, p);
        Value g = ld(DXUt, row, col);
        Value e = ld(E, row, col);
        Value beta = ldv(Beta, row);
        Value ge = mulF(g, e);
        Value fromA = mulF(beta, ge);
        return subF(fromP, fromA);
      };
      Value decayRows = sumOver(C, [&](Value j) { return decayTerm(i, j); });
      Value decayCols = sumOver(C, [&](Value j) { return decayTerm(j, i); });
      Value outShare = sumOver(s.dk, [&](Value r) {
        Value qv = ld(Q, i, r);
        Value t2 = ld(T2, i, r);
        return mulF(qv, t2);
      });
      Value xks = sumOver(s.dv, [&](Value d) {
        Value dx = ld(DX, i, d);
        Value ks = ld(KS, i, d);
        return mulF(dx, ks);
      });
      Value w = mulF(betaI, eg);
      Value keyStateShare = mulF(w, xks);
      Value fromOut = mulF(eg, outShare);
      Value fromDecay = subF(decayRows, decayCols);
      Value sum = addF(fromOut, fromDecay);
      sum = subF(sum, keyStateShare);
      Value keyShare = ldv(KeyShare, i);
      sum = subF(sum, keyShare);
      Value isLast = cmp(arith::CmpIPredicate::eq, i, cIdx(b, C - 1));
      Value withLast = addF(sum, lastShare);
      Value dgamma = select(isLast, withLast, sum);
      stv(DGamma, i, dgamma);
      // dβ_i = −Σ_{j<i} dXUt[i,j] E[i,j] + Σ_d dX[i,d] (v_i − exp(γ_i)
      // KS_i)[d].
      Value fromA = sumOver(zeroIdx, i, [&](Value j) {
        Value g = ld(DXUt, i, j);
        Value e = ld(E, i, j);
        return mulF(g, e);
      });
      Value fromX = sumOver(s.dv, [&](Value d) {
        Value dx = ld(DX, i, d);
        Value v = loadToken(args[2], first, i, s.Hv, head, s.dv, d);
        Value ks = ld(KS, i, d);
        Value decayed = mulF(eg, ks);
        Value residual = subF(v, decayed);
        return mulF(dx, residual);
      });
      Value dbeta = subF(fromX, fromA);
      Value zero = cIdx(b, 0);
      storeToken(dbetaOut, first, i, s.Hv, head, 1, zero, dbeta);
    });
    // dg = the reverse cumulative sum of dγ; dS₀ = exp(γ_L) dS +
    // (exp(γ) ⊙ Q)ᵀ dO − Kᵀ (β exp(γ) ⊙ dX), over dS.
    forEachRow(
        C,
        [&](Value i) {
          Value dg =
              sumOver(i, chunkEnd, [&](Value j) { return ldv(DGamma, j); });
          Value zero = cIdx(b, 0);
          storeToken(dgOut, first, i, s.Hv, head, 1, zero, dg);
        },
        /*sync=*/false);
    forEach(s.dk, s.dv, [&](Value r, Value c) {
      Value fromOut = sumOver(C, [&](Value i) {
        Value eg = ldv(ExpGamma, i);
        Value qv = ld(Q, i, r);
        Value scaled = mulF(eg, qv);
        Value d = ld(DOut, i, c);
        return mulF(scaled, d);
      });
      Value fromKeys = sumOver(C, [&](Value i) {
        Value beta = ldv(Beta, i);
        Value eg = ldv(ExpGamma, i);
        Value w = mulF(beta, eg);
        Value kv = ld(K, i, r);
        Value wk = mulF(w, kv);
        Value dx = ld(DX, i, c);
        return mulF(wk, dx);
      });
      Value old = ld(DS, r, c);
      Value kept = mulF(keepLast, old);
      Value sum = addF(kept, fromOut);
      Value updated = subF(sum, fromKeys);
      st(DS, r, c, updated);
    });
  }

  ImplicitLocOpBuilder &b;
  const RuleShape &s;
  int64_t C, chunks;
  const SmemLayout &layout;
  Type f32;
  SmallVector<Value> args, views;
  Value tid, batch, head, keyHead, gammaLast;
};

} // namespace

//===----------------------------------------------------------------------===//
// The patterns
//===----------------------------------------------------------------------===//

/// dq or dk per value head [B, T, Hv, dk] f32 summed over each key head's
/// value heads, then rounded to `elementType`.
static Value sumGroups(OpBuilder &b, Location loc, const RuleShape &s,
                       Value perValueHead, Type elementType) {
  Value summed = perValueHead;
  if (s.group > 1)
    summed = tolinalg::sumValueHeadGroups(b, loc, perValueHead, s.Hk, s.group);
  return tolinalg::convertElementType(b, loc, summed, elementType);
}

namespace {

/// What both patterns start from: the shape, the chunking, the shared-memory
/// layout, and the operands as flat buffers (the kernel's first arguments).
struct RuleLaunch {
  RuleShape s;
  tolinalg::TileSplit split;
  SmemLayout layout;
  SmallVector<Value> args;

  LaunchConfig config() const {
    return {s.B * s.Hv, kBlockSize, layout.bytes()};
  }
};

} // namespace

/// The launch of `op` (a rule or its backward), or a match failure that says
/// why there is none.
static FailureOr<RuleLaunch> prepareRule(PatternRewriter &rewriter,
                                         Operation *op, bool backward,
                                         const TargetInfo &target) {
  if (!hasStaticOperands(op))
    return rewriter.notifyMatchFailure(op, "dynamic shapes are not supported");
  RuleShape s = RuleShape::of(op->getOperand(0), op->getOperand(2));
  // No output element: the reference decomposition's zeros.
  if (s.empty())
    return rewriter.notifyMatchFailure(op, "nothing to compute");
  FailureOr<tolinalg::TileSplit> split = chooseChunks(s, backward, target);
  if (failed(split))
    return rewriter.notifyMatchFailure(
        op, "the chunk's matrices do not fit in shared memory");
  RuleLaunch launch{s, *split, SmemLayout::of(s, split->size, backward), {}};
  for (Value operand : op->getOperands())
    launch.args.push_back(flatBufferOf(rewriter, op->getLoc(), operand));
  return launch;
}

namespace {

struct GatedDeltaRuleToGPU : OpRewritePattern<GatedDeltaRuleOp> {
  GatedDeltaRuleToGPU(MLIRContext *ctx, const TargetInfo &target)
      : OpRewritePattern(ctx), target(target) {}

  LogicalResult matchAndRewrite(GatedDeltaRuleOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<RuleLaunch> l =
        prepareRule(rewriter, op, /*backward=*/false, target);
    if (failed(l))
      return failure();
    ResultBuffer out = allocResult(rewriter, op.getLoc(),
                                   cast<RankedTensorType>(op.getType()));
    l->args.push_back(out.flat);
    emitKernel(rewriter, op, "gated_delta_rule", l->args, {}, l->config(),
               [&](ImplicitLocOpBuilder &b, gpu::GPUFuncOp func) {
                 ChunkKernel(b, l->s, l->split, l->layout).buildForward(func);
               });
    rewriter.replaceOp(op, out.tensor);
    return success();
  }

  TargetInfo target;
};

struct GatedDeltaRuleGradToGPU : OpRewritePattern<GatedDeltaRuleGradOp> {
  GatedDeltaRuleGradToGPU(MLIRContext *ctx, const TargetInfo &target)
      : OpRewritePattern(ctx), target(target) {}

  LogicalResult matchAndRewrite(GatedDeltaRuleGradOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<RuleLaunch> l =
        prepareRule(rewriter, op, /*backward=*/true, target);
    if (failed(l))
      return failure();
    const RuleShape &s = l->s;
    SmallVector<Value> &args = l->args;
    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    // The chunk start states of pass 1, and dq, dk per value head in f32.
    auto states =
        RankedTensorType::get({s.B * s.Hv * l->split.count, s.dk * s.dv}, f32);
    ResultBuffer stateBuffer = allocResult(rewriter, loc, states);
    args.push_back(stateBuffer.flat);
    auto perHead = RankedTensorType::get({s.B, s.T, s.Hv, s.dk}, f32);
    ResultBuffer dqHeads = allocResult(rewriter, loc, perHead);
    args.push_back(dqHeads.flat);
    ResultBuffer dkHeads = allocResult(rewriter, loc, perHead);
    args.push_back(dkHeads.flat);
    SmallVector<Value> results;
    for (Value r : op->getResults().drop_front(2)) {
      ResultBuffer buffer =
          allocResult(rewriter, loc, cast<RankedTensorType>(r.getType()));
      args.push_back(buffer.flat);
      results.push_back(buffer.tensor);
    }
    emitKernel(rewriter, op, "gated_delta_rule_grad", args, {}, l->config(),
               [&](ImplicitLocOpBuilder &b, gpu::GPUFuncOp func) {
                 ChunkKernel(b, s, l->split, l->layout).buildBackward(func);
               });
    Type qType = cast<RankedTensorType>(op.getQ().getType()).getElementType();
    Type kType = cast<RankedTensorType>(op.getK().getType()).getElementType();
    Value dq = sumGroups(rewriter, loc, s, dqHeads.tensor, qType);
    Value dk = sumGroups(rewriter, loc, s, dkHeads.tensor, kType);
    SmallVector<Value> all{dq, dk};
    all.append(results);
    rewriter.replaceOp(op, all);
    return success();
  }

  TargetInfo target;
};

} // namespace

LogicalResult
mlir::rescale::nvptx::checkGatedDeltaRulesTaken(ModuleOp module,
                                                const TargetInfo &target) {
  WalkResult left = module.walk([&](Operation *op) {
    if (!isa<GatedDeltaRuleOp, GatedDeltaRuleGradOp>(op) ||
        !hasStaticOperands(op))
      return WalkResult::advance();
    RuleShape s = RuleShape::of(op->getOperand(0), op->getOperand(2));
    if (s.empty())
      return WalkResult::advance();
    bool backward = isa<GatedDeltaRuleGradOp>(op);
    int64_t smallest = SmemLayout::of(s, 1, backward).bytes();
    op->emitError("no GPU kernel for '")
        << op->getName() << "' with dk = " << s.dk << ", dv = " << s.dv
        << ": its matrices need " << smallest
        << " bytes of shared memory even in chunks of one token, and the "
           "chip has "
        << target.maxDynamicSmemBytes;
    return WalkResult::interrupt();
  });
  return failure(left.wasInterrupted());
}

void mlir::rescale::nvptx::populateGatedDeltaRuleToGPUPatterns(
    RewritePatternSet &patterns, const TargetInfo &target) {
  patterns.add<GatedDeltaRuleToGPU, GatedDeltaRuleGradToGPU>(
      patterns.getContext(), target);
}
