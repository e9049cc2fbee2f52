//===- QuantLinearToGPU.cpp - quantized linears on tensor cores ----------===//
//
// rescale.linear(x, dequantize(codes, scales[, global])) — what
// --rescale-insert-quantization with storage=real produces — as ONE GEMM
// that reads the codes and scales directly, on the schedule of MmaGemm.h.
// x is either a dequantize result too, or a plain bf16/f16 tensor
// (weight-only quantization); a plain f32 x is left to LinearToGPU.
//
// Each operand contributes
//   * register values, decoded from its staged codes right before the MMA,
//     holding what is EXACT in the multiplicand type, and
//   * f32 row factors applied in the epilogue:
//       y[m, n] = (acc[m, n] · a[m]) · b[n]  (+ bias[n]).
//
// | scheme (#rescale.quant)     | registers                 | epilogue factor |
// |-----------------------------|---------------------------|------------------|
// | int8 / int4, any row scale  | q (s8, or exact in bf16)  | s (f32 scale) |
// | fp8 per row / tensor        | e4m3(q) (exact in bf16)   | s | | fp8
// per_block 128 x bk (W)  | e4m3(q)                   | see below        | |
// nvfp4 (blocks of 16)        | e2m1(q)·e4m3(s_b) (exact) | S (f32 global)   |
// | mxfp4 (blocks of 32)        | e2m1(q)·2^e (exact)       | - |
//
// When both operands are integer the MMA is mma.sync m16n8k32 s8.s8.s32 and
// the sum is exact in the s32 accumulators. W4A4 weights are stored packed,
// two int4 per byte (low nibble = even k): folded at compile time for
// constant codes, else packed by a small kernel; the GEMM unpacks the nibbles
// to sign-extended s8 in registers. Otherwise the MMA is bf16 m16n8k16 (or
// f16 when x is plain f16) with f32 accumulators; sm_90 has no FP4 units,
// so FP4 is decoded in registers on every chip.
//
// fp8 per_block weight scales vary along K. The CTA's 128 weight rows are one
// 128-row scale block, so the scale is one scalar per CTA per K block: the
// accumulators are kept in units of the current block's scale, multiplied by
// s_prev/s_cur when a K block starts and by the last block's scale in the
// epilogue.
//
// Numerics: the CPU reference dequantizes to the linear's element type, then
// multiplies in f32. Here the products are exact and only the f32
// accumulation order differs, which is within the dtype tolerance.
//
//===----------------------------------------------------------------------===//

#include "conversion/RescaleToGPU/KernelBuilder.h"
#include "conversion/RescaleToGPU/MmaGemm.h"
#include "conversion/RescaleToGPU/NVPTXPatterns.h"
#include "conversion/RescaleToGPU/TargetInfo.h"

#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::nvptx;

namespace {

enum class CodeKind { plain, integer, fp8, nvfp4, mxfp4 };

/// One operand of the GEMM (x rows or weight rows), as the kernel reads it.
struct QuantOperand {
  CodeKind kind = CodeKind::plain;
  Value values;         // x itself, or the codes
  Value scales, global; // first- and second-level scales (dequantize only)
  /// K elements per block scale (nvfp4 16, mxfp4 32, fp8 per_block bk).
  int64_t kBlock = 0;
  /// fp8 per_block weight scales (128 x kBlock blocks).
  bool blockScaled = false;
  /// int4 codes (one per byte in memory).
  bool int4 = false;
  /// int4 weight codes stored packed two per byte for the s8 MMA.
  bool packed = false;

  bool decoded() const { return kind != CodeKind::plain; }
  /// nvfp4 and mxfp4: a scale per row per K block, staged per K tile.
  bool stagedScales() const {
    return kind == CodeKind::nvfp4 || kind == CodeKind::mxfp4;
  }
  StringRef name() const {
    switch (kind) {
    case CodeKind::plain:
      return "";
    case CodeKind::integer:
      return "int";
    case CodeKind::fp8:
      return "fp8";
    case CodeKind::nvfp4:
      return "nvfp4";
    case CodeKind::mxfp4:
      return "mxfp4";
    }
    llvm_unreachable("code kind");
  }
};

} // namespace

/// How the kernel reads codes of `scheme` (element type `codes`) for a
/// [rows, k] operand, if it has a schedule for them; values and scales are
/// left for the caller.
static std::optional<QuantOperand> classifyScheme(QuantSchemeAttr scheme,
                                                  Type codes, bool isWeight,
                                                  int64_t rows, int64_t k) {
  {
    QuantOperand q;
    bool supported = true;
    switch (scheme.getFormat()) {
    case QuantFormat::int4:
    case QuantFormat::int8:
      // int4 codes stored as i4 are not read here (one byte per code only).
      q.kind = CodeKind::integer;
      q.int4 = scheme.getFormat() == QuantFormat::int4;
      supported = codes.isInteger(8) &&
                  scheme.getGranularity() != QuantGranularity::per_block;
      break;
    case QuantFormat::fp8:
      q.kind = CodeKind::fp8;
      if (scheme.getGranularity() == QuantGranularity::per_block) {
        SmallVector<int64_t> block = scheme.getBlockShape();
        // One scale row per CTA tile of weight rows, K blocks of whole tiles.
        q.blockScaled = true;
        q.kBlock = block.size() == 2 ? block[1] : 0;
        supported = isWeight && block.size() == 2 &&
                    block[0] == MmaGemmTiles::kTileN && rows % block[0] == 0 &&
                    q.kBlock > 0 && q.kBlock % gemmTileK(MmaKind::bf16) == 0 &&
                    k % q.kBlock == 0;
      }
      break;
    case QuantFormat::nvfp4:
    case QuantFormat::mxfp4:
      q.kind = scheme.getFormat() == QuantFormat::nvfp4 ? CodeKind::nvfp4
                                                        : CodeKind::mxfp4;
      q.kBlock = scheme.getBlockShape().front();
      supported = k % q.kBlock == 0 && gemmTileK(MmaKind::bf16) % q.kBlock == 0;
      break;
    }
    if (supported)
      return q;
  }
  return std::nullopt;
}

/// How the kernel reads `v`: a dequantize whose scheme has a schedule here,
/// else a plain bf16/f16 tensor, else nothing (no match).
static std::optional<QuantOperand> classify(Value v, bool isWeight,
                                            int64_t rows, int64_t k) {
  if (auto dq = v.getDefiningOp<DequantizeOp>(); dq && hasStaticOperands(dq)) {
    Type codes =
        cast<RankedTensorType>(dq.getValues().getType()).getElementType();
    if (std::optional<QuantOperand> q =
            classifyScheme(dq.getScheme(), codes, isWeight, rows, k)) {
      q->values = dq.getValues();
      q->scales = dq.getScales();
      q->global = dq.getGlobalScale();
      return q;
    }
  }
  Type elt = cast<RankedTensorType>(v.getType()).getElementType();
  if (!elt.isBF16() && !elt.isF16())
    return std::nullopt;
  QuantOperand q;
  q.values = v;
  return q;
}

static int64_t numElements(Value v) {
  return cast<MemRefType>(v.getType()).getNumElements();
}

namespace {

//===----------------------------------------------------------------------===//
// Decoding (device side, integer bit operations on one code in an i32)
//===----------------------------------------------------------------------===//

} // namespace

static Value cI32(ImplicitLocOpBuilder &b, int64_t v) {
  return arith::ConstantIntOp::create(b, b.getI32Type(), v);
}

static Value andI(ImplicitLocOpBuilder &b, Value v, int64_t mask) {
  return arith::AndIOp::create(b, v, cI32(b, mask));
}

static Value shr(ImplicitLocOpBuilder &b, Value v, int64_t n) {
  return arith::ShRUIOp::create(b, v, cI32(b, n));
}

static Value shl(ImplicitLocOpBuilder &b, Value v, int64_t n) {
  return arith::ShLIOp::create(b, v, cI32(b, n));
}

/// A sign-magnitude minifloat with an implicit leading one and subnormals:
/// normal codes become the f32 bits directly (exponent rebiased, mantissa
/// moved up); subnormal ones m·2^(1-bias-mbits), computed as a float.
static Value decodeMinifloat(ImplicitLocOpBuilder &b, Value code, int ebits,
                             int mbits, int bias) {
  Value e = andI(b, shr(b, code, mbits), (1 << ebits) - 1);
  Value m = andI(b, code, (1 << mbits) - 1);
  Value expBits = shl(b, arith::AddIOp::create(b, e, cI32(b, 127 - bias)), 23);
  Value mantBits = shl(b, m, 23 - mbits);
  Value bits = arith::OrIOp::create(b, expBits, mantBits);
  Value normal = arith::BitcastOp::create(b, b.getF32Type(), bits);
  Value mF32 = arith::UIToFPOp::create(b, b.getF32Type(), m);
  Value sub = arith::MulFOp::create(
      b, mF32, cF32(b, std::ldexp(1.0f, 1 - bias - mbits)));
  Value isSub =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, e, cI32(b, 0));
  Value mag = arith::SelectOp::create(b, isSub, sub, normal);
  Value signBit = andI(b, code, 1 << (ebits + mbits));
  Value neg =
      arith::CmpIOp::create(b, arith::CmpIPredicate::ne, signBit, cI32(b, 0));
  return arith::SelectOp::create(b, neg, arith::NegFOp::create(b, mag), mag);
}

/// A quiet NaN where `isNaN` holds, `v` elsewhere: the NaN codes of E4M3FN
/// and E8M0FNU decode to NaN, as arith.extf gives on the CPU path.
static Value nanWhere(ImplicitLocOpBuilder &b, Value isNaN, Value v) {
  return arith::SelectOp::create(
      b, isNaN, cF32(b, std::numeric_limits<float>::quiet_NaN()), v);
}

/// E4M3FN (bias 7): exact in bf16, f16 and f32; S.1111.111 is NaN.
static Value decodeE4M3(ImplicitLocOpBuilder &b, Value code) {
  Value magnitude = andI(b, code, 0x7F);
  Value isNaN = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, magnitude,
                                      cI32(b, 0x7F));
  return nanWhere(b, isNaN, decodeMinifloat(b, code, 4, 3, 7));
}

/// E2M1 (bias 1), the low 4 bits of its byte: {0, .5, 1, 1.5, 2, 3, 4, 6}.
static Value decodeE2M1(ImplicitLocOpBuilder &b, Value code) {
  return decodeMinifloat(b, andI(b, code, 0xF), 2, 1, 1);
}

/// E8M0 (a power of two, bias 127): 2^(e-127); code 0 is the f32 subnormal
/// 2^-127 and code 255 is NaN.
static Value decodeE8M0(ImplicitLocOpBuilder &b, Value code) {
  Value e = andI(b, code, 0xFF);
  Value isSub =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, e, cI32(b, 0));
  Value subBits = cI32(b, 0x00400000);
  Value normalBits = shl(b, e, 23);
  Value bits = arith::SelectOp::create(b, isSub, subBits, normalBits);
  Value isNaN =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, e, cI32(b, 0xFF));
  return nanWhere(b, isNaN, arith::BitcastOp::create(b, b.getF32Type(), bits));
}

/// `count` consecutive bytes of a staged i8 tile as a zero-extended i32.
static Value loadBytes(ImplicitLocOpBuilder &b, Value smem, Value idx,
                       int64_t count) {
  auto vec =
      vector::LoadOp::create(b, VectorType::get({count}, b.getI8Type()), smem,
                             ValueRange{idx}, false, llvm::MaybeAlign(count));
  Type intType = b.getIntegerType(8 * count);
  Value asInt =
      vector::BitCastOp::create(b, VectorType::get({1}, intType), vec);
  Value v = vector::ExtractOp::create(b, asInt, 0);
  return count == 4 ? v : arith::ExtUIOp::create(b, b.getI32Type(), v);
}

/// Four int4 codes packed in two bytes (low nibble first) as four
/// sign-extended s8 in one i32: each nibble moves to the low half of its own
/// byte, then bit 3 of each byte is copied into its bits 4..7 (0x08 · 0x1E =
/// 0xF0, no carry between bytes).
static Value unpackInt4x4(ImplicitLocOpBuilder &b, Value packed) {
  Value v = andI(b, packed, 0xF);
  for (int i = 1; i < 4; ++i)
    v = arith::OrIOp::create(b, v,
                             shl(b, andI(b, packed, 0xF << (4 * i)), 4 * i));
  Value signBits = andI(b, v, 0x08080808);
  Value sign = arith::MulIOp::create(b, signBits, cI32(b, 0x1E));
  return arith::OrIOp::create(b, v, sign);
}

/// Byte `idx` of a global code/scale buffer (any 8-bit element type) as i32.
static Value loadGlobalByte(ImplicitLocOpBuilder &b, Value buf, Value idx) {
  Value v = memref::LoadOp::create(b, buf, ValueRange{idx});
  if (!v.getType().isInteger(8))
    v = arith::BitcastOp::create(b, b.getI8Type(), v);
  return arith::ExtUIOp::create(b, b.getI32Type(), v);
}

static Value loadF32(ImplicitLocOpBuilder &b, Value buf, Value idx) {
  Value v = memref::LoadOp::create(b, buf, ValueRange{idx});
  return v.getType().isF32() ? v : arith::ExtFOp::create(b, b.getF32Type(), v);
}

namespace {

//===----------------------------------------------------------------------===//
// The GEMM operands
//===----------------------------------------------------------------------===//

/// The kernel arguments of one operand.
struct OperandArgs {
  Value values, scales, global;
  Value scaleTile; // staged nvfp4/mxfp4 block scales (f32 workgroup buffer)
};

} // namespace

static int64_t scalesPerTileRow(const QuantOperand &q) {
  return gemmTileK(MmaKind::bf16) / q.kBlock;
}

/// The schedule's view of `q`: how its tile is staged and how a fragment
/// slot is decoded from it.
static GemmOperand makeGemmOperand(const QuantOperand &q,
                                   const OperandArgs &args, MmaKind kind,
                                   Type mmaElt, bool isA, int64_t rows,
                                   int64_t k) {
  GemmOperand op;
  op.buffer = args.values;
  op.rows = rows;
  op.rowUnits = q.packed ? llvm::divideCeil(k, 2) : k;
  op.kPerUnit = q.packed ? 2 : 1;
  Builder builder(q.values.getContext());
  op.smemElt =
      q.decoded() ? builder.getI8Type()
                  : cast<RankedTensorType>(q.values.getType()).getElementType();
  if (!q.decoded())
    return op;
  if (kind == MmaKind::s8) {
    if (q.packed)
      op.slot = [](ImplicitLocOpBuilder &b, Value smem, Value idx, Value,
                   Value) {
        return unpackInt4x4(b, loadBytes(b, smem, idx, 2));
      };
    return op; // int8 codes are mma operands as they are
  }

  if (q.stagedScales()) {
    // Thread r stages the block scales of tile row r, decoded to f32.
    int64_t spt = scalesPerTileRow(q), nBlocks = k / q.kBlock;
    op.stageExtra = [=, kind = q.kind](ImplicitLocOpBuilder &b,
                                       const GemmTile &tile, Value k0) {
      Value tileRow =
          arith::AddIOp::create(b, isA ? tile.m0 : tile.n0, tile.tid);
      Value row = arith::MinUIOp::create(b, tileRow, cIdx(b, rows - 1));
      Value kb0 = arith::DivUIOp::create(b, k0, cIdx(b, q.kBlock));
      for (int64_t j = 0; j < spt; ++j) {
        // K past the end has zero codes: any finite scale will do.
        Value kbj = arith::AddIOp::create(b, kb0, cIdx(b, j));
        Value kb = arith::MinUIOp::create(b, kbj, cIdx(b, nBlocks - 1));
        Value rowBase = arith::MulIOp::create(b, row, cIdx(b, nBlocks));
        Value code = loadGlobalByte(b, args.scales,
                                    arith::AddIOp::create(b, rowBase, kb));
        Value s =
            kind == CodeKind::nvfp4 ? decodeE4M3(b, code) : decodeE8M0(b, code);
        Value tileBase = arith::MulIOp::create(b, tile.tid, cIdx(b, spt));
        Value sIdx = arith::AddIOp::create(b, tileBase, cIdx(b, j));
        memref::StoreOp::create(b, s, args.scaleTile, ValueRange{sIdx});
      }
    };
  }
  op.slot = [=, kind = q.kind](ImplicitLocOpBuilder &b, Value smem, Value idx,
                               Value row, Value kIn) {
    Value pair = loadBytes(b, smem, idx, 2);
    Value scale;
    if (kind == CodeKind::nvfp4 || kind == CodeKind::mxfp4) {
      // Both elements of a slot lie in one block (k even, blocks even).
      Value rowBase =
          arith::MulIOp::create(b, row, cIdx(b, scalesPerTileRow(q)));
      Value block = arith::DivUIOp::create(b, kIn, cIdx(b, q.kBlock));
      Value sIdx = arith::AddIOp::create(b, rowBase, block);
      scale = memref::LoadOp::create(b, args.scaleTile, ValueRange{sIdx});
    }
    SmallVector<Value, 2> elems;
    for (int e = 0; e < 2; ++e) {
      Value code = andI(b, shr(b, pair, 8 * e), 0xFF);
      Value v;
      switch (kind) {
      case CodeKind::integer:
        v = arith::SIToFPOp::create(
            b, b.getF32Type(), arith::TruncIOp::create(b, b.getI8Type(), code));
        break;
      case CodeKind::fp8:
        v = decodeE4M3(b, code);
        break;
      case CodeKind::nvfp4:
      case CodeKind::mxfp4:
        // Exact in f32 and bf16: a 2-bit by 4-bit significand product.
        v = arith::MulFOp::create(b, decodeE2M1(b, code), scale);
        break;
      case CodeKind::plain:
        llvm_unreachable("plain operands are staged as they are");
      }
      elems.push_back(v);
    }
    return packMmaPair(b, mmaElt, elems[0], elems[1]);
  };
  return op;
}

/// The f32 factor of `q` for output row/column `idx` (null when none):
/// per-row or per-tensor scales, nvfp4's second-level scale, and for fp8
/// per_block the last K block's scale (see onKTile).
static Value rowFactor(ImplicitLocOpBuilder &b, const QuantOperand &q,
                       const OperandArgs &args, Value idx, int64_t k) {
  auto perRow = [&](Value buf) {
    return loadF32(b, buf, numElements(buf) == 1 ? cIdx(b, 0) : idx);
  };
  switch (q.kind) {
  case CodeKind::plain:
  case CodeKind::mxfp4:
    return Value();
  case CodeKind::integer:
    return perRow(args.scales);
  case CodeKind::fp8:
    if (!q.blockScaled)
      return perRow(args.scales);
    {
      int64_t nKb = k / q.kBlock;
      Value nb = arith::DivUIOp::create(b, idx, cIdx(b, MmaGemmTiles::kTileN));
      Value rowBase = arith::MulIOp::create(b, nb, cIdx(b, nKb));
      return loadF32(b, args.scales,
                     arith::AddIOp::create(b, rowBase, cIdx(b, nKb - 1)));
    }
  case CodeKind::nvfp4:
    return perRow(args.global);
  }
  llvm_unreachable("code kind");
}

/// fp8 per_block weights: when K tile `kTile` starts a new K block, the
/// accumulators (in units of the previous block's scale) are rescaled to the
/// new block's: acc *= s[nb, kb-1] / s[nb, kb].
static void rescaleAtKBlock(ImplicitLocOpBuilder &b, const QuantOperand &q,
                            Value scales, const GemmTile &tile, Value kTile,
                            MutableArrayRef<Value> acc, int64_t k) {
  int64_t tilesPerBlock = q.kBlock / gemmTileK(MmaKind::bf16);
  int64_t nKb = k / q.kBlock;
  Value notFirst =
      arith::CmpIOp::create(b, arith::CmpIPredicate::ugt, kTile, cIdx(b, 0));
  Value inBlock = arith::RemUIOp::create(b, kTile, cIdx(b, tilesPerBlock));
  Value atBlockStart =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, inBlock, cIdx(b, 0));
  Value starts = arith::AndIOp::create(b, notFirst, atBlockStart);
  SmallVector<Type> types(acc.size(), b.getF32Type());
  auto ifOp = scf::IfOp::create(b, types, starts, /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value kb = arith::DivUIOp::create(b, kTile, cIdx(b, tilesPerBlock));
    Value nb =
        arith::DivUIOp::create(b, tile.n0, cIdx(b, MmaGemmTiles::kTileN));
    Value rowBase = arith::MulIOp::create(b, nb, cIdx(b, nKb));
    Value cur = arith::AddIOp::create(b, rowBase, kb);
    Value prev = arith::SubIOp::create(b, cur, cIdx(b, 1));
    Value prevScale = loadF32(b, scales, prev);
    Value curScale = loadF32(b, scales, cur);
    Value ratio = arith::DivFOp::create(b, prevScale, curScale);
    SmallVector<Value> scaled;
    for (Value v : acc)
      scaled.push_back(arith::MulFOp::create(b, v, ratio));
    scf::YieldOp::create(b, scaled);
    b.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(b, SmallVector<Value>(acc.begin(), acc.end()));
  }
  for (auto [i, v] : llvm::enumerate(ifOp.getResults()))
    acc[i] = v;
}

namespace {

//===----------------------------------------------------------------------===//
// int4 weight packing (host side: a folded constant or a small kernel)
//===----------------------------------------------------------------------===//

constexpr int64_t kPackThreads = 256;

} // namespace

/// The packed [N, ceil(K/2)] i8 codes of int4 `codes` [N, K] as a flat
/// buffer: low nibble = even k, a missing odd k packs as 0.
static Value packInt4Weight(PatternRewriter &rewriter, Operation *op,
                            Value codes) {
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(codes.getType());
  int64_t n = type.getDimSize(0), k = type.getDimSize(1);
  int64_t kb = llvm::divideCeil(k, 2);
  auto packedType = RankedTensorType::get({n, kb}, rewriter.getI8Type());
  DenseIntElementsAttr dense;
  bool constant = matchPattern(codes, m_Constant(&dense));
  // A splat (a weight of GBs is a few bytes in the IR) packs to a splat
  // when K is even; other constants are folded only up to
  // kMaxFoldedPackedBytes, beyond that the packing kernel runs instead of a
  // compile-time expansion.
  if (constant && dense.isSplat() && k % 2 == 0 && n * k > 0) {
    uint8_t nibble = dense.getSplatValue<APInt>().getZExtValue() & 0xF;
    auto byte = static_cast<int8_t>(nibble | (nibble << 4));
    Value folded = arith::ConstantOp::create(
        rewriter, loc, packedType, DenseElementsAttr::get(packedType, byte));
    return flatBufferOf(rewriter, loc, folded);
  }
  constexpr int64_t kMaxFoldedPackedBytes = int64_t(1) << 24;
  if (constant && n * kb <= kMaxFoldedPackedBytes) {
    SmallVector<int8_t> packed(n * kb, 0);
    auto values = dense.getValues<APInt>();
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < k; ++c) {
        uint8_t nibble = values[r * k + c].getZExtValue() & 0xF;
        packed[r * kb + c / 2] |= nibble << (4 * (c % 2));
      }
    Value folded = arith::ConstantOp::create(
        rewriter, loc, packedType,
        DenseElementsAttr::get(packedType, ArrayRef<int8_t>(packed)));
    return flatBufferOf(rewriter, loc, folded);
  }
  ResultBuffer out = allocResult(rewriter, loc, packedType);
  LaunchConfig config;
  config.blockSize = kPackThreads;
  config.gridSize = llvm::divideCeil(n * kb, kPackThreads);
  Value codesFlat = flatBufferOf(rewriter, loc, codes);
  emitKernel(
      rewriter, op, "pack_int4", {codesFlat, out.flat}, {}, config,
      [&](ImplicitLocOpBuilder &b, gpu::GPUFuncOp func) {
        IndexMath ix(b);
        Value src = func.getArgument(0), dst = func.getArgument(1);
        Value bid = gpu::BlockIdOp::create(b, gpu::Dimension::x);
        Value blockBase = arith::MulIOp::create(b, bid, cIdx(b, kPackThreads));
        Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
        Value i = arith::AddIOp::create(b, blockBase, tid);
        Value ok = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, i,
                                         cIdx(b, n * kb));
        auto guarded = scf::IfOp::create(b, ok, /*withElseRegion=*/false);
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(guarded.thenBlock());
        Value row = arith::DivUIOp::create(b, i, cIdx(b, kb));
        Value pairCol = arith::RemUIOp::create(b, i, cIdx(b, kb));
        Value c = arith::MulIOp::create(b, pairCol, cIdx(b, 2));
        Value base = ix.mulAdd(row, k, c);
        Value lo = andI(b, loadGlobalByte(b, src, base), 0xF);
        // The odd element, or 0 past the end of an odd-length row.
        Value c1 = arith::AddIOp::create(b, c, cIdx(b, 1));
        Value hasHi =
            arith::CmpIOp::create(b, arith::CmpIPredicate::ult, c1, cIdx(b, k));
        Value hiIdx = arith::SelectOp::create(
            b, hasHi, arith::AddIOp::create(b, base, cIdx(b, 1)), base);
        Value hiByte = andI(b, loadGlobalByte(b, src, hiIdx), 0xF);
        Value hi = arith::SelectOp::create(b, hasHi, hiByte, cI32(b, 0));
        Value byte = arith::TruncIOp::create(
            b, b.getI8Type(), arith::OrIOp::create(b, lo, shl(b, hi, 4)));
        memref::StoreOp::create(b, byte, dst, ValueRange{i});
      });
  return out.flat;
}

namespace {

//===----------------------------------------------------------------------===//
// The pattern
//===----------------------------------------------------------------------===//

struct QuantLinearToGPU : OpRewritePattern<LinearOp> {
  QuantLinearToGPU(MLIRContext *ctx, const TargetInfo &target)
      : OpRewritePattern(ctx, /*benefit=*/2), target(target) {}

  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rewriter) const override {
    if (!target.hasMmaSyncBF16())
      return rewriter.notifyMatchFailure(op, "needs mma.sync (sm_80+)");
    if (!op.getWeight().getDefiningOp<DequantizeOp>())
      return rewriter.notifyMatchFailure(op, "weight is not dequantized");
    if (!hasStaticOperands(op))
      return rewriter.notifyMatchFailure(op,
                                         "dynamic shapes are not supported");
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    int64_t k = xType.getShape().back(), n = wType.getDimSize(0);
    int64_t m = k ? xType.getNumElements() / k : 0;
    if (m * n * k == 0)
      return rewriter.notifyMatchFailure(op, "empty tensor");
    std::optional<QuantOperand> a = classify(op.getX(), false, m, k);
    std::optional<QuantOperand> w = classify(op.getWeight(), true, n, k);
    if (!a)
      return rewriter.notifyMatchFailure(
          op, "x is neither dequantized nor bf16/f16 (LinearToGPU takes it)");
    if (!w || !w->decoded())
      return rewriter.notifyMatchFailure(op, "weight scheme has no kernel");

    // Integer x integer runs on the s8 MMA; anything decoded to floats on
    // bf16, or on f16 when x is plain f16 (its values are not all bf16).
    MmaKind kind = MmaKind::bf16;
    if (a->kind == CodeKind::integer && w->kind == CodeKind::integer)
      kind = MmaKind::s8;
    else if (!a->decoded() && xType.getElementType().isF16())
      kind = MmaKind::f16;
    Builder builder(op.getContext());
    Type mmaElt =
        kind == MmaKind::f16 ? builder.getF16Type() : builder.getBF16Type();
    w->packed = kind == MmaKind::s8 && w->int4;

    // Kernel arguments: each operand's values, scales, global scale; bias;
    // the result.
    Location loc = op.getLoc();
    SmallVector<Value> args;
    auto addOperand = [&](const QuantOperand &q, Value values) {
      args.push_back(values);
      for (Value v : {q.scales, q.global})
        if (q.decoded() && v)
          args.push_back(flatBufferOf(rewriter, loc, v));
    };
    addOperand(*a, flatBufferOf(rewriter, loc, a->values));
    addOperand(*w, w->packed ? packInt4Weight(rewriter, op, w->values)
                             : flatBufferOf(rewriter, loc, w->values));
    if (op.getBias())
      args.push_back(flatBufferOf(rewriter, loc, op.getBias()));
    ResultBuffer out = allocResult(rewriter, loc, outType);
    args.push_back(out.flat);

    // Workgroup buffers: the two staged tiles, then the staged block scales.
    GemmOperand aShape = makeGemmOperand(*a, {}, kind, mmaElt, true, m, k);
    GemmOperand wShape = makeGemmOperand(*w, {}, kind, mmaElt, false, n, k);
    SmallVector<Type> workgroup =
        gemmWorkgroupTypes(op.getContext(), kind, aShape, wShape);
    for (const QuantOperand *q : {&*a, &*w})
      if (q->stagedScales())
        workgroup.push_back(workgroupBufferType(
            op.getContext(), MmaGemmTiles::kTileM * scalesPerTileRow(*q),
            builder.getF32Type()));

    std::string name =
        ("qlinear_" +
         (a->decoded() ? a->name() : (kind == MmaKind::f16 ? "f16" : "bf16")) +
         "_" + w->name())
            .str();
    emitKernel(
        rewriter, op, name, args, workgroup, gemmLaunchConfig(m, n),
        [&](ImplicitLocOpBuilder &b, gpu::GPUFuncOp func) {
          unsigned next = 0, nextTile = 2;
          auto take = [&](const QuantOperand &q) {
            OperandArgs o;
            o.values = func.getArgument(next++);
            if (q.decoded() && q.scales)
              o.scales = func.getArgument(next++);
            if (q.decoded() && q.global)
              o.global = func.getArgument(next++);
            if (q.stagedScales())
              o.scaleTile = func.getWorkgroupAttributions()[nextTile++];
            return o;
          };
          OperandArgs aArgs = take(*a), wArgs = take(*w);
          Value bias = op.getBias() ? func.getArgument(next++) : Value();
          Value y = func.getArgument(next++);
          GemmHooks hooks;
          if (w->blockScaled)
            hooks.onKTile = [&](ImplicitLocOpBuilder &b, const GemmTile &tile,
                                Value kTile, MutableArrayRef<Value> acc) {
              rescaleAtKBlock(b, *w, wArgs.scales, tile, kTile, acc, k);
            };
          hooks.epilogue = [&](ImplicitLocOpBuilder &b, const GemmTile &,
                               Value row, Value col, Value v) {
            IndexMath ix(b);
            if (Value f = rowFactor(b, *a, aArgs, row, k))
              v = arith::MulFOp::create(b, v, f);
            if (Value f = rowFactor(b, *w, wArgs, col, k))
              v = arith::MulFOp::create(b, v, f);
            if (bias)
              v = arith::AddFOp::create(b, v, loadF32(b, bias, col));
            Value idx = ix.mulAdd(row, n, col);
            Type elt = outType.getElementType();
            if (!elt.isF32())
              v = arith::TruncFOp::create(b, elt, v);
            memref::StoreOp::create(b, v, y, ValueRange{idx});
          };
          buildMmaGemm(b, kind, m, n, k,
                       makeGemmOperand(*a, aArgs, kind, mmaElt, true, m, k),
                       makeGemmOperand(*w, wArgs, kind, mmaElt, false, n, k),
                       func.getWorkgroupAttributions()[0],
                       func.getWorkgroupAttributions()[1], hooks);
        });
    rewriter.replaceOp(op, out.tensor);
    return success();
  }

  TargetInfo target;
};

/// A fake-quantized activation feeding a quantized linear (what
/// --rescale-insert-quantization builds: it simulates the activation scheme)
/// is fed to the GEMM as codes: fake_quant(x) becomes
/// dequantize(quantize(x)) under the same scheme, which is its definition, so
/// QuantLinearToGPU reads the codes (W8A8 and W4A4 then run on the s8 MMA)
/// and the quantize is decomposed into generic kernels. The only difference
/// is the one fake_quant documents: quantize stores f32 scales, fake_quant
/// keeps them in f64.
struct FakeQuantActivationToCodes : OpRewritePattern<LinearOp> {
  FakeQuantActivationToCodes(MLIRContext *ctx, const TargetInfo &target)
      : OpRewritePattern(ctx, /*benefit=*/3), target(target) {}

  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rewriter) const override {
    if (!target.hasMmaSyncBF16())
      return rewriter.notifyMatchFailure(op, "needs mma.sync (sm_80+)");
    auto weight = op.getWeight().getDefiningOp<DequantizeOp>();
    if (!weight)
      return rewriter.notifyMatchFailure(op, "weight is not dequantized");
    auto fake = op.getX().getDefiningOp<FakeQuantOp>();
    if (!fake || !hasStaticOperands(fake))
      return rewriter.notifyMatchFailure(op, "x is not fake-quantized");
    // Only where QuantLinearToGPU then takes the linear: x codes of a scheme
    // it reads, and a weight scheme it reads.
    QuantSchemeAttr scheme = fake.getScheme();
    auto xType = cast<RankedTensorType>(fake.getType());
    int64_t k = xType.getShape().back(),
            n = cast<RankedTensorType>(weight.getType()).getDimSize(0);
    int64_t m = k ? xType.getNumElements() / k : 0;
    std::optional<QuantOperand> w = classify(weight, true, n, k);
    if (m * n * k == 0 || !w || !w->decoded() ||
        !classifyScheme(scheme, scheme.getStorageType(), false, m, k))
      return rewriter.notifyMatchFailure(op, "no quantized GEMM for these "
                                             "schemes and shapes");
    Location loc = fake.getLoc();
    auto codes = QuantizeOp::create(rewriter, loc, fake.getX(), scheme);
    auto x =
        DequantizeOp::create(rewriter, loc, fake.getType(), codes.getValues(),
                             codes.getScales(), codes.getGlobalScale(), scheme);
    rewriter.modifyOpInPlace(op, [&] { op.getXMutable().assign(x); });
    return success();
  }

  TargetInfo target;
};

} // namespace

void mlir::rescale::nvptx::populateQuantLinearToGPUPatterns(
    RewritePatternSet &patterns, const TargetInfo &target) {
  patterns.add<QuantLinearToGPU>(patterns.getContext(), target);
  patterns.add<FakeQuantActivationToCodes>(patterns.getContext(), target);
}
