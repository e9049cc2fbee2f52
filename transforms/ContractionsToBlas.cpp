//===- ContractionsToBlas.cpp - f32 GEMMs on buffers as cblas_sgemm calls -===//
//
// The CPU pipeline lowers linalg to scalar loops; LLVM's loop vectorizer
// cannot turn a triple loop into a cache-blocked, register-tiled,
// multi-threaded GEMM. Rather than write our own packed micro-kernels, large
// and small f32 matrix products go to OpenBLAS (Debian's libopenblas, tuned
// per CPU at run time, threaded): docs/compile-and-run.md says why. Every
// other op, and every epilogue, stays ours.
//
// A contraction is planned as C[M, N] += A[M, K] · B[K, N] over loop groups
// (batch, M, N, K) from linalg::inferContractionDims. Each operand is a
// matrix over its two groups when the loops of each group collapse (their
// strides nest) and one group has unit stride; the rest is a row-major
// cblas_sgemm call with the transposes and leading dimensions that follow.
//
//===----------------------------------------------------------------------===//

#include "transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

#include <limits>
#include <optional>

namespace mlir::rescale {
#define GEN_PASS_DEF_CONTRACTIONSTOBLAS
#include "transforms/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;

namespace {

using mlir::rescale::kBlasGetThreadsSymbol;
using mlir::rescale::kBlasSetThreadsSymbol;
using mlir::rescale::kBlasSgemmSymbol;
using mlir::rescale::kOmpMaxThreadsSymbol;
// cblas.h's enumerators (CBLAS_ORDER, CBLAS_TRANSPOSE).
constexpr int32_t kRowMajor = 101, kNoTrans = 111, kTrans = 112;

/// One operand's view of a loop group: the group's loops collapsed into one
/// dimension of `size` elements, `stride` apart (nullopt: the group has no
/// loop of size > 1, so any stride addresses it).
struct GroupView {
  int64_t size = 1;
  std::optional<int64_t> stride;
};

/// How one operand is passed: transposed or not, and its leading dimension.
struct MatrixArg {
  bool transposed = false;
  int64_t leadingDim = 1;
};

/// A GEMM the call computes: C[m, n] (+)= A[m, k] · B[k, n], each matrix an
/// operand of the contraction (`aOperand` etc. index op->getOperands()).
struct GemmPlan {
  unsigned aOperand, bOperand, cOperand;
  int64_t m, n, k;
  MatrixArg a, b, c;
  /// Batch loops (size > 1) with each operand's stride along them, in the
  /// order of op->getOperands().
  SmallVector<std::pair<int64_t, SmallVector<int64_t, 3>>> batch;
};

} // namespace

/// Whether the body is exactly `yield out + a * b` in f32 (either order of
/// each operand pair), with no cast: the product a BLAS computes.
static bool isMulAddBody(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  if (body->getNumArguments() != 3 || body->getOperations().size() != 3)
    return false;
  auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!yield || yield.getNumOperands() != 1)
    return false;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value a = body->getArgument(0), b = body->getArgument(1),
        out = body->getArgument(2);
  auto mulOf = [&](Value v) {
    auto mul = v.getDefiningOp<arith::MulFOp>();
    return mul && ((mul.getLhs() == a && mul.getRhs() == b) ||
                   (mul.getLhs() == b && mul.getRhs() == a));
  };
  return (add.getLhs() == out && mulOf(add.getRhs())) ||
         (add.getRhs() == out && mulOf(add.getLhs()));
}

/// `operand`'s view of `group`: nullopt when its loops do not collapse into
/// one strided dimension. `strideOf[d]` is the operand's stride along loop d.
static std::optional<GroupView> viewOf(ArrayRef<unsigned> group,
                                       ArrayRef<int64_t> sizes,
                                       ArrayRef<int64_t> strideOf) {
  GroupView view;
  std::optional<unsigned> inner;
  for (unsigned d : group) {
    if (sizes[d] == 1)
      continue;
    if (inner && strideOf[*inner] != sizes[d] * strideOf[d])
      return std::nullopt;
    inner = d;
    view.size *= sizes[d];
  }
  if (inner)
    view.stride = strideOf[*inner];
  return view;
}

/// The row-major BLAS form of a rows × cols matrix, or nullopt.
static std::optional<MatrixArg> matrixArg(GroupView rows, GroupView cols) {
  auto unit = [](GroupView g) { return !g.stride || *g.stride == 1; };
  auto fits = [](int64_t ld, int64_t width) {
    return ld >= std::max<int64_t>(1, width) &&
           ld <= std::numeric_limits<int32_t>::max();
  };
  if (unit(cols)) {
    int64_t ld = rows.stride ? *rows.stride : std::max<int64_t>(1, cols.size);
    if (fits(ld, cols.size))
      return MatrixArg{false, ld};
  }
  if (unit(rows)) {
    int64_t ld = cols.stride ? *cols.stride : std::max<int64_t>(1, rows.size);
    if (fits(ld, rows.size))
      return MatrixArg{true, ld};
  }
  return std::nullopt;
}

static std::optional<GemmPlan> planGemm(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !isMulAddBody(op))
    return std::nullopt;
  // Per operand, its strides along each loop (0 where it does not read it).
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  if (llvm::any_of(sizes, ShapedType::isDynamic) ||
      llvm::is_contained(sizes, 0))
    return std::nullopt;
  // A loop of one iteration is 0. A tile of a grouped-query attention reads
  // its key head as (h floordiv g) over a tile of one head: that result
  // becomes the constant 0, and the product a plain GEMM.
  MLIRContext *ctx = op.getContext();
  SmallVector<AffineExpr> unitLoopsAsZero;
  for (auto [d, size] : llvm::enumerate(sizes))
    unitLoopsAsZero.push_back(size == 1 ? getAffineConstantExpr(0, ctx)
                                        : getAffineDimExpr(d, ctx));
  SmallVector<AffineMap, 3> maps;
  SmallVector<SmallVector<int64_t>, 3> strideOf;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
      return std::nullopt;
    auto [strides, offset] = type.getStridesAndOffset();
    (void)offset; // read at run time
    if (llvm::any_of(strides, ShapedType::isDynamic))
      return std::nullopt;
    // Only results other than a plain loop index are rewritten: a unit loop
    // that an operand indexes directly stays a loop of the contraction.
    AffineMap original = op.getMatchingIndexingMap(&operand);
    SmallVector<AffineExpr> results;
    for (AffineExpr result : original.getResults())
      results.push_back(isa<AffineDimExpr>(result)
                            ? result
                            : simplifyAffineExpr(result.replaceDimsAndSymbols(
                                                     unitLoopsAsZero, {}),
                                                 sizes.size(), 0));
    AffineMap map = AffineMap::get(sizes.size(), 0, results, ctx);
    if (!map.isProjectedPermutation(/*allowZeroInResults=*/true))
      return std::nullopt;
    SmallVector<int64_t> perLoop(sizes.size(), 0);
    for (auto [i, result] : llvm::enumerate(map.getResults()))
      if (auto dim = dyn_cast<AffineDimExpr>(result))
        perLoop[dim.getPosition()] = strides[i];
    strideOf.push_back(std::move(perLoop));
    maps.push_back(map);
  }
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(maps);
  if (failed(dims) || dims->k.empty() || dims->m.empty() || dims->n.empty())
    return std::nullopt;
  // Every loop of more than one iteration is one of batch, M, N, K: nothing
  // else may iterate.
  for (auto [d, size] : llvm::enumerate(sizes))
    if (size != 1 && !llvm::is_contained(dims->batch, d) &&
        !llvm::is_contained(dims->m, d) && !llvm::is_contained(dims->n, d) &&
        !llvm::is_contained(dims->k, d))
      return std::nullopt;

  enum { A = 0, B = 1, C = 2 };
  auto view = [&](unsigned operand, ArrayRef<unsigned> group) {
    return viewOf(group, sizes, strideOf[operand]);
  };
  std::optional<GroupView> am = view(A, dims->m), ak = view(A, dims->k),
                           bk = view(B, dims->k), bn = view(B, dims->n),
                           cm = view(C, dims->m), cn = view(C, dims->n);
  if (!am || !ak || !bk || !bn || !cm || !cn)
    return std::nullopt;
  constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
  if (am->size > kInt32Max || bn->size > kInt32Max || ak->size > kInt32Max)
    return std::nullopt;

  GemmPlan plan;
  // C row-major over (M, N): C = A·B. C row-major over (N, M) (unit stride
  // along M): Cᵀ = Bᵀ·Aᵀ, the same call with the roles of A and B swapped.
  std::optional<MatrixArg> c = matrixArg(*cm, *cn);
  if (c && !c->transposed) {
    std::optional<MatrixArg> a = matrixArg(*am, *ak), b = matrixArg(*bk, *bn);
    if (!a || !b)
      return std::nullopt;
    plan = GemmPlan{A, B, C, am->size, bn->size, ak->size, *a, *b, *c, {}};
  } else {
    std::optional<MatrixArg> ct = matrixArg(*cn, *cm);
    if (!ct || ct->transposed)
      return std::nullopt;
    std::optional<MatrixArg> a = matrixArg(*bn, *bk), b = matrixArg(*ak, *am);
    if (!a || !b)
      return std::nullopt;
    plan = GemmPlan{B, A, C, bn->size, am->size, ak->size, *a, *b, *ct, {}};
  }
  for (unsigned d : dims->batch)
    if (sizes[d] > 1)
      plan.batch.push_back(
          {sizes[d], {strideOf[A][d], strideOf[B][d], strideOf[C][d]}});
  return plan;
}

/// Whether `name` is free for a declaration of `type` in `module`: unused,
/// or already that declaration.
static bool canDeclare(ModuleOp module, StringRef name, FunctionType type) {
  Operation *existing = module.lookupSymbol(name);
  if (!existing)
    return true;
  auto func = dyn_cast<func::FuncOp>(existing);
  return func && func.isDeclaration() && func.getFunctionType() == type;
}

/// The private declaration `name` of `type`, added at the end of `module`
/// when missing; failure when the module has another symbol of that name
/// (its own definition, or another signature).
static FailureOr<func::FuncOp> getOrDeclare(ModuleOp module, StringRef name,
                                            FunctionType type) {
  if (!canDeclare(module, name, type))
    return failure();
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto decl = func::FuncOp::create(b, module.getLoc(), name, type);
  decl.setPrivate();
  return decl;
}

/// The declaration of cblas_sgemm (OpenBLAS's cblas.h, 32-bit blasint).
static FailureOr<func::FuncOp> getOrDeclareSgemm(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  Type i32 = IntegerType::get(ctx, 32), f32 = Float32Type::get(ctx),
       ptr = LLVM::LLVMPointerType::get(ctx);
  FunctionType type = FunctionType::get(
      ctx,
      {i32, i32, i32, i32, i32, i32, f32, ptr, i32, ptr, i32, f32, ptr, i32},
      {});
  return getOrDeclare(module, kBlasSgemmSymbol, type);
}

/// The declaration of OpenMP's omp_get_max_threads, or null when the module
/// has another symbol of that name (its products are then not split).
static func::FuncOp getOrDeclareMaxThreads(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  FunctionType type = FunctionType::get(ctx, {}, {IntegerType::get(ctx, 32)});
  FailureOr<func::FuncOp> decl =
      getOrDeclare(module, kOmpMaxThreadsSymbol, type);
  return succeeded(decl) ? *decl : func::FuncOp();
}

/// Around every outermost scf.forall that calls `sgemm`: OpenBLAS on one
/// thread per caller, and its previous thread count restored after the loop.
/// The forall's iterations run on OpenMP threads (the CPU pipeline's
/// `openmp`); with its own threads as well, OpenBLAS would run 2 threads per
/// core, and its callers serialize on its thread server (a tiled attention
/// ran 7x slower). The loops of products split by rows (`split-rows`) are
/// such loops too; other products outside them keep OpenBLAS's threads.
static void runTiledProductsOnOneThread(ModuleOp module, func::FuncOp sgemm) {
  SmallVector<scf::ForallOp> loops;
  module.walk([&](scf::ForallOp loop) {
    if (loop->getParentOfType<scf::ForallOp>())
      return;
    bool callsSgemm = loop.walk([&](func::CallOp call) {
                            return call.getCallee() == sgemm.getSymName()
                                       ? WalkResult::interrupt()
                                       : WalkResult::advance();
                          })
                          .wasInterrupted();
    if (callsSgemm)
      loops.push_back(loop);
  });
  if (loops.empty())
    return;
  MLIRContext *ctx = module.getContext();
  Type i32 = IntegerType::get(ctx, 32);
  FunctionType getType = FunctionType::get(ctx, {}, {i32});
  FunctionType setType = FunctionType::get(ctx, {i32}, {});
  if (!canDeclare(module, kBlasGetThreadsSymbol, getType) ||
      !canDeclare(module, kBlasSetThreadsSymbol, setType)) {
    loops.front()->emitRemark()
        << "OpenBLAS keeps its own threads inside tiled loops: the module "
           "defines its own '"
        << kBlasGetThreadsSymbol << "' or '" << kBlasSetThreadsSymbol << "'";
    return;
  }
  func::FuncOp getThreads =
      *getOrDeclare(module, kBlasGetThreadsSymbol, getType);
  func::FuncOp setThreads =
      *getOrDeclare(module, kBlasSetThreadsSymbol, setType);
  for (scf::ForallOp loop : loops) {
    Location loc = loop.getLoc();
    OpBuilder b(loop);
    auto saved = func::CallOp::create(b, loc, getThreads, ValueRange{});
    Value one = arith::ConstantIntOp::create(b, loc, 1, 32);
    func::CallOp::create(b, loc, setThreads, ValueRange{one});
    b.setInsertionPointAfter(loop);
    func::CallOp::create(b, loc, setThreads, saved.getResults());
  }
}

/// The address of the element `offset` elements past `alignedIndex` (a
/// buffer's aligned pointer as an index).
static Value elementPointer(OpBuilder &b, Location loc, Value alignedIndex,
                            Value offset) {
  Type i64 = b.getI64Type();
  Value address = arith::IndexCastOp::create(b, loc, i64, alignedIndex);
  Value base = LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext()), address);
  Value offset64 = arith::IndexCastOp::create(b, loc, i64, offset);
  return LLVM::GEPOp::create(b, loc, base.getType(), b.getF32Type(), base,
                             ValueRange{offset64});
}

/// Rows of C a part gets at least when a product is split across threads:
/// below that, each call's packing of B costs more than the second core
/// gives.
constexpr int64_t kMinRowsPerPart = 64;

/// Whether `op` is split by rows across OpenMP threads (`split-rows`):
/// outside any loop whose iterations already run on threads, no batch loop,
/// and rows enough for two parts.
static bool splitsRows(linalg::LinalgOp op, const GemmPlan &plan) {
  return plan.batch.empty() && plan.m >= 2 * kMinRowsPerPart &&
         !op->getParentOfType<scf::ForallOp>() &&
         !op->getParentOfType<scf::ParallelOp>();
}

/// The sgemm call of `plan` on `rows` rows of C (an i32), starting at the
/// element offsets `offsets` of the operands.
static void emitSgemm(OpBuilder &b, Location loc, const GemmPlan &plan,
                      func::FuncOp sgemm, ArrayRef<Value> aligned,
                      ArrayRef<Value> offsets, Value rows, float beta) {
  auto i32 = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, v, 32);
  };
  Value order = i32(kRowMajor);
  Value transA = i32(plan.a.transposed ? kTrans : kNoTrans);
  Value transB = i32(plan.b.transposed ? kTrans : kNoTrans);
  Value n = i32(plan.n), k = i32(plan.k);
  Value one =
      arith::ConstantFloatOp::create(b, loc, b.getF32Type(), APFloat(1.0f));
  Value aPtr =
      elementPointer(b, loc, aligned[plan.aOperand], offsets[plan.aOperand]);
  Value lda = i32(plan.a.leadingDim);
  Value bPtr =
      elementPointer(b, loc, aligned[plan.bOperand], offsets[plan.bOperand]);
  Value ldb = i32(plan.b.leadingDim);
  Value cPtr =
      elementPointer(b, loc, aligned[plan.cOperand], offsets[plan.cOperand]);
  Value ldc = i32(plan.c.leadingDim);
  Value betaValue = beta == 1.0f ? one
                                 : arith::ConstantFloatOp::create(
                                       b, loc, b.getF32Type(), APFloat(beta))
                                       .getResult();
  func::CallOp::create(b, loc, sgemm,
                       ValueRange{order, transA, transB, rows, n, k, one, aPtr,
                                  lda, bPtr, ldb, betaValue, cPtr, ldc});
}

/// The product as `parts` sgemm calls in an scf.forall, part i on rows
/// [i·p, min((i+1)·p, M)) of C and of A (p = ceil(M / parts)), with parts =
/// clamp(omp_get_max_threads(), 1, M / kMinRowsPerPart).
static void emitRowSplitSgemm(OpBuilder &b, Location loc, const GemmPlan &plan,
                              func::FuncOp sgemm, func::FuncOp maxThreads,
                              ArrayRef<Value> aligned, ArrayRef<Value> offsets,
                              float beta) {
  auto threads32 = func::CallOp::create(b, loc, maxThreads, ValueRange{});
  Value threads = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                             threads32.getResult(0));
  Value cap = arith::ConstantIndexOp::create(b, loc, plan.m / kMinRowsPerPart);
  Value oneIndex = arith::ConstantIndexOp::create(b, loc, 1);
  Value capped = arith::MinSIOp::create(b, loc, threads, cap);
  Value parts = arith::MaxSIOp::create(b, loc, capped, oneIndex);
  Value total = arith::ConstantIndexOp::create(b, loc, plan.m);
  Value perPart = arith::CeilDivSIOp::create(b, loc, total, parts);
  auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{parts},
                                      ValueRange{}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value part = forall.getInductionVar(0);
  Value firstRow = arith::MulIOp::create(b, loc, part, perPart);
  Value left = arith::SubIOp::create(b, loc, total, firstRow);
  Value rows = arith::MinSIOp::create(b, loc, perPart, left);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value any =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, rows, zero);
  auto ifAny = scf::IfOp::create(b, loc, any, /*withElseRegion=*/false);
  b.setInsertionPointToStart(ifAny.thenBlock());
  // Row r of the call's C is r·ldc in; of its A, r·lda in, or r columns in
  // when A is passed transposed ([K, M] in memory).
  SmallVector<Value, 3> partOffsets(offsets);
  Value ldc = arith::ConstantIndexOp::create(b, loc, plan.c.leadingDim);
  Value cAdvance = arith::MulIOp::create(b, loc, firstRow, ldc);
  partOffsets[plan.cOperand] =
      arith::AddIOp::create(b, loc, offsets[plan.cOperand], cAdvance);
  Value aAdvance = firstRow;
  if (!plan.a.transposed) {
    Value lda = arith::ConstantIndexOp::create(b, loc, plan.a.leadingDim);
    aAdvance = arith::MulIOp::create(b, loc, firstRow, lda);
  }
  partOffsets[plan.aOperand] =
      arith::AddIOp::create(b, loc, offsets[plan.aOperand], aAdvance);
  Value rows32 = arith::IndexCastOp::create(b, loc, b.getI32Type(), rows);
  emitSgemm(b, loc, plan, sgemm, aligned, partOffsets, rows32, beta);
}

/// The linalg.fill of +0.0 into exactly `op`'s output buffer that comes
/// right before `op` in its block, or null.
static linalg::FillOp zeroFillJustBefore(linalg::LinalgOp op) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(op->getPrevNode());
  if (!fill || !fill.hasPureBufferSemantics() ||
      fill.getDpsInitOperand(0)->get() != op.getDpsInitOperand(0)->get())
    return {};
  auto zero = fill.getInputs()[0].getDefiningOp<arith::ConstantOp>();
  auto value = zero ? dyn_cast<FloatAttr>(zero.getValue()) : FloatAttr();
  if (!value || !value.getValue().isPosZero())
    return {};
  return fill;
}

/// Replaces `op` by the sgemm calls of `plan`; split by rows across OpenMP
/// threads when `maxThreads` (omp_get_max_threads) is given.
static void emitCall(linalg::LinalgOp op, const GemmPlan &plan,
                     func::FuncOp sgemm, func::FuncOp maxThreads) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  // C zeroed just before: beta = 0 writes it without reading it, and the
  // fill's pass over C goes (OpenBLAS's small-matrix kernels then skip C).
  float beta = 1.0f;
  if (linalg::FillOp fill = zeroFillJustBefore(op)) {
    fill->erase();
    beta = 0.0f;
  }
  SmallVector<Value, 3> aligned, offsets;
  for (Value operand : op->getOperands()) {
    auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, operand);
    Value pointer =
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, operand);
    aligned.push_back(pointer);
    offsets.push_back(metadata.getOffset());
  }
  if (maxThreads) {
    emitRowSplitSgemm(b, loc, plan, sgemm, maxThreads, aligned, offsets, beta);
    op->erase();
    return;
  }
  // One loop per batch dimension; each operand's offset advances by its
  // stride along it.
  for (const auto &[size, strides] : plan.batch) {
    Value lower = arith::ConstantIndexOp::create(b, loc, 0);
    Value upper = arith::ConstantIndexOp::create(b, loc, size);
    Value step = arith::ConstantIndexOp::create(b, loc, 1);
    auto loop = scf::ForOp::create(b, loc, lower, upper, step);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    Value iv = loop.getInductionVar();
    for (unsigned i = 0; i < 3; ++i) {
      Value stride = arith::ConstantIndexOp::create(b, loc, strides[i]);
      Value advance = arith::MulIOp::create(b, loc, iv, stride);
      offsets[i] = arith::AddIOp::create(b, loc, offsets[i], advance);
    }
  }
  Value rows = arith::ConstantIntOp::create(b, loc, plan.m, 32);
  emitSgemm(b, loc, plan, sgemm, aligned, offsets, rows, beta);
  op->erase();
}

namespace {

struct ContractionsToBlasPass
    : mlir::rescale::impl::ContractionsToBlasBase<ContractionsToBlasPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<linalg::LinalgOp, GemmPlan>> gemms;
    module.walk([&](linalg::LinalgOp op) {
      if (std::optional<GemmPlan> plan = planGemm(op))
        gemms.push_back({op, *plan});
    });
    if (gemms.empty())
      return;
    FailureOr<func::FuncOp> sgemm = getOrDeclareSgemm(module);
    if (failed(sgemm)) {
      // A program's own symbol named cblas_sgemm: its products stay loops.
      gemms.front().first->emitRemark()
          << "matrix products stay loops: the module defines its own '"
          << kBlasSgemmSymbol << "'";
      return;
    }
    // omp_get_max_threads, declared when a product is split.
    func::FuncOp maxThreads;
    for (auto &[op, plan] : gemms) {
      func::FuncOp split;
      if (splitRows && splitsRows(op, plan)) {
        if (!maxThreads)
          maxThreads = getOrDeclareMaxThreads(module);
        split = maxThreads;
      }
      emitCall(op, plan, *sgemm, split);
      ++numCalls;
      if (split)
        ++numSplit;
    }
    runTiledProductsOnOneThread(module, *sgemm);
  }
};

} // namespace
