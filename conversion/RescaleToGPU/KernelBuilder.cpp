//===- KernelBuilder.cpp - shared host/device helpers of the GPU kernels --===//

#include "conversion/RescaleToGPU/KernelBuilder.h"
#include "conversion/RescaleToGPU/TargetInfo.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace mlir::rescale::nvptx;

static gpu::GPUModuleOp getOrCreateKernelModule(OpBuilder &b, ModuleOp module) {
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  b.getUnitAttr());
  if (auto existing = module.lookupSymbol<gpu::GPUModuleOp>(kKernelModuleName))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  return gpu::GPUModuleOp::create(b, module.getLoc(), kKernelModuleName);
}

bool mlir::rescale::nvptx::hasStaticOperands(Operation *op) {
  return llvm::all_of(op->getOperandTypes(), [](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return !shaped || shaped.hasStaticShape();
  });
}

gpu::GPUFuncOp mlir::rescale::nvptx::createKernel(
    OpBuilder &b, Operation *anchor, llvm::StringRef baseName,
    TypeRange argTypes, TypeRange workgroupTypes, const LaunchConfig &config) {
  auto module = anchor->getParentOfType<ModuleOp>();
  gpu::GPUModuleOp kernels = getOrCreateKernelModule(b, module);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(kernels.getBody());
  // Kernels are named after the function and the op they come from, and
  // uniqued among the kernels already emitted: one kernel per op.
  std::string base = baseName.str();
  if (auto parent = anchor->getParentOfType<FunctionOpInterface>())
    base = (parent.getName() + "_" + baseName).str();
  std::string name = base;
  for (int i = 0; kernels.lookupSymbol(name); ++i)
    name = (base + "_" + llvm::Twine(i)).str();
  auto func =
      gpu::GPUFuncOp::create(b, anchor->getLoc(), name,
                             b.getFunctionType(argTypes, {}), workgroupTypes);
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  // Static shared buffers are read and written with 16-byte vector accesses
  // and cp.async copies, which need 16-byte aligned addresses; without the
  // attribute the NVVM lowering aligns a buffer to its element only.
  for (unsigned i = 0; i < workgroupTypes.size(); ++i)
    func.setWorkgroupAttributionAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                                     b.getI64IntegerAttr(16));
  func.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({static_cast<int32_t>(config.blockSize), 1, 1}));
  func.setKnownGridSizeAttr(
      b.getDenseI32ArrayAttr({static_cast<int32_t>(config.gridSize), 1, 1}));
  b.setInsertionPointToStart(&func.getBody().front());
  gpu::ReturnOp::create(b, anchor->getLoc());
  return func;
}

gpu::GPUFuncOp mlir::rescale::nvptx::emitKernel(
    OpBuilder &b, Operation *op, llvm::StringRef baseName, ValueRange args,
    TypeRange workgroupTypes, const LaunchConfig &config,
    function_ref<void(ImplicitLocOpBuilder &, gpu::GPUFuncOp)> body) {
  gpu::GPUFuncOp func =
      createKernel(b, op, baseName, args.getTypes(), workgroupTypes, config);
  {
    ImplicitLocOpBuilder kb(op->getLoc(), b);
    OpBuilder::InsertionGuard guard(kb);
    kb.setInsertionPointToStart(&func.getBody().front());
    body(kb, func);
  }
  launch(b, op->getLoc(), func, config, args);
  return func;
}

MemRefType mlir::rescale::nvptx::workgroupBufferType(MLIRContext *ctx,
                                                     int64_t size, Type elt) {
  return MemRefType::get(
      {size}, elt, MemRefLayoutAttrInterface(),
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup));
}

/// `buffer` as a rank-1 view of its elements: itself at rank 1, a collapse
/// of every dimension above it, and an expansion to memref<1xT> at rank 0
/// (a scalar such as dyt's `alpha : tensor<f32>`).
static Value flatView(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  if (type.getRank() == 1)
    return buffer;
  if (type.getRank() == 0)
    return memref::ExpandShapeOp::create(
        b, loc, MemRefType::get({1}, type.getElementType()), buffer,
        ArrayRef<ReassociationIndices>{});
  SmallVector<ReassociationIndices> all(1);
  for (int64_t i = 0; i < type.getRank(); ++i)
    all[0].push_back(i);
  return memref::CollapseShapeOp::create(b, loc, buffer, all);
}

Value mlir::rescale::nvptx::flatBufferOf(OpBuilder &b, Location loc,
                                         Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  Value buffer = bufferization::ToBufferOp::create(b, loc, memrefType, tensor,
                                                   /*read_only=*/true);
  return flatView(b, loc, buffer);
}

ResultBuffer mlir::rescale::nvptx::allocResult(OpBuilder &b, Location loc,
                                               RankedTensorType type) {
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  Value buffer = memref::AllocOp::create(b, loc, memrefType);
  Value flat = flatView(b, loc, buffer);
  Value tensor = bufferization::ToTensorOp::create(
      b, loc, type, buffer, /*restrict=*/true, /*writable=*/true);
  return {flat, tensor};
}

void mlir::rescale::nvptx::launch(OpBuilder &b, Location loc,
                                  gpu::GPUFuncOp kernel,
                                  const LaunchConfig &config, ValueRange args) {
  auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value one = c(1);
  Value smem = arith::ConstantIntOp::create(b, loc, b.getI32Type(),
                                            config.dynamicSmemBytes);
  Value grid = c(config.gridSize);
  Value block = c(config.blockSize);
  gpu::LaunchFuncOp::create(b, loc, kernel, gpu::KernelDim3{grid, one, one},
                            gpu::KernelDim3{block, one, one}, smem, args);
}

int64_t mlir::rescale::nvptx::vectorWidth(int64_t n, TypeRange types) {
  int64_t width = TargetInfo::kVectorBytes;
  for (Type t : types)
    width = std::min<int64_t>(width, TargetInfo::kVectorBytes /
                                         (t.getIntOrFloatBitWidth() / 8));
  while (width > 1 && n % width != 0)
    width /= 2;
  return width;
}

Value mlir::rescale::nvptx::loadF32Vector(ImplicitLocOpBuilder &b, Value buffer,
                                          Value index, int64_t width) {
  auto memrefType = cast<MemRefType>(buffer.getType());
  Type elt = memrefType.getElementType();
  // Accesses are aligned to their size, up to the 16 bytes the buffers'
  // bases (cudaMalloc, shared memory views) are aligned to.
  int64_t bytes = std::min<int64_t>(width * elt.getIntOrFloatBitWidth() / 8,
                                    TargetInfo::kVectorBytes);
  auto vecType = VectorType::get({width}, elt);
  Value v = vector::LoadOp::create(b, vecType, buffer, ValueRange{index},
                                   /*nontemporal=*/false,
                                   /*alignment=*/llvm::MaybeAlign(bytes));
  if (elt.isF32())
    return v;
  return arith::ExtFOp::create(b, VectorType::get({width}, b.getF32Type()), v);
}

void mlir::rescale::nvptx::storeF32Vector(ImplicitLocOpBuilder &b, Value value,
                                          Value buffer, Value index) {
  auto memrefType = cast<MemRefType>(buffer.getType());
  Type elt = memrefType.getElementType();
  auto vecType = cast<VectorType>(value.getType());
  int64_t width = vecType.getNumElements();
  if (!elt.isF32())
    value = arith::TruncFOp::create(b, VectorType::get({width}, elt), value);
  int64_t bytes = std::min<int64_t>(width * elt.getIntOrFloatBitWidth() / 8,
                                    TargetInfo::kVectorBytes);
  vector::StoreOp::create(b, value, buffer, ValueRange{index},
                          /*nontemporal=*/false, llvm::MaybeAlign(bytes));
}

Value mlir::rescale::nvptx::loadF32Scalar(ImplicitLocOpBuilder &b, Value buffer,
                                          int64_t index) {
  Value v = memref::LoadOp::create(b, buffer, ValueRange{cIdx(b, index)});
  if (v.getType().isF32())
    return v;
  return arith::ExtFOp::create(b, b.getF32Type(), v);
}

int64_t mlir::rescale::nvptx::carveDynamicSmem(
    ImplicitLocOpBuilder &b, ArrayRef<std::pair<Type, int64_t>> buffers,
    SmallVectorImpl<Value> &views) {
  auto wg =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  auto rawType = MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                                 MemRefLayoutAttrInterface(), wg);
  Value raw = gpu::DynamicSharedMemoryOp::create(b, rawType);
  int64_t offset = 0;
  for (auto [elt, count] : buffers) {
    auto viewType =
        MemRefType::get({count}, elt, MemRefLayoutAttrInterface(), wg);
    views.push_back(memref::ViewOp::create(b, viewType, raw, cIdx(b, offset),
                                           ValueRange{}));
    offset += llvm::alignTo(count * elt.getIntOrFloatBitWidth() / 8, 16);
  }
  return offset;
}

void mlir::rescale::nvptx::blockCopy(ImplicitLocOpBuilder &b, Value src,
                                     Value dst, int64_t count, Value threadId,
                                     int64_t blockSize) {
  Type elt = cast<MemRefType>(src.getType()).getElementType();
  int64_t width = vectorWidth(count, {elt});
  auto vecType = VectorType::get({width}, elt);
  int64_t bytes = width * elt.getIntOrFloatBitWidth() / 8;
  Value start = arith::MulIOp::create(b, threadId, cIdx(b, width));
  Value end = cIdx(b, count);
  Value step = cIdx(b, blockSize * width);
  auto loop = scf::ForOp::create(b, start, end, step);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value i = loop.getInductionVar();
  Value v = vector::LoadOp::create(b, vecType, src, ValueRange{i}, false,
                                   llvm::MaybeAlign(bytes));
  vector::StoreOp::create(b, v, dst, ValueRange{i}, false,
                          llvm::MaybeAlign(bytes));
}

//===----------------------------------------------------------------------===//
// mma.sync fragments
//===----------------------------------------------------------------------===//

Value mlir::rescale::nvptx::bitcastToI32(ImplicitLocOpBuilder &b, Value vec) {
  Value asInt =
      vector::BitCastOp::create(b, VectorType::get({1}, b.getI32Type()), vec);
  return vector::ExtractOp::create(b, asInt, 0);
}

Value mlir::rescale::nvptx::packMmaPair(ImplicitLocOpBuilder &b, Type elt,
                                        Value lo, Value hi) {
  auto pairType = VectorType::get({2}, elt);
  if (lo.getType().isF32()) {
    lo = arith::TruncFOp::create(b, elt, lo);
    hi = arith::TruncFOp::create(b, elt, hi);
  }
  Value pair = vector::FromElementsOp::create(b, pairType, ValueRange{lo, hi});
  return elt.isF16() ? pair : bitcastToI32(b, pair);
}

Value mlir::rescale::nvptx::loadMmaPair(ImplicitLocOpBuilder &b, Value buf,
                                        Value idx) {
  Type elt = cast<MemRefType>(buf.getType()).getElementType();
  auto pairType = VectorType::get({2}, elt);
  Value pair = vector::LoadOp::create(b, pairType, buf, ValueRange{idx}, false,
                                      llvm::MaybeAlign(4));
  return elt.isF16() ? pair : bitcastToI32(b, pair);
}

void mlir::rescale::nvptx::mmaSyncRowCol(ImplicitLocOpBuilder &b,
                                         Type operandElt, ArrayRef<Value> aFrag,
                                         ArrayRef<Value> bFrag,
                                         MutableArrayRef<Value> acc) {
  bool s8 = operandElt.isInteger(8);
  Type accElt = s8 ? Type(b.getI32Type()) : Type(b.getF32Type());
  auto resType = LLVM::LLVMStructType::getLiteral(
      b.getContext(), {accElt, accElt, accElt, accElt});
  NVVM::MMATypes t = s8                    ? NVVM::MMATypes::s8
                     : operandElt.isBF16() ? NVVM::MMATypes::bf16
                                           : NVVM::MMATypes::f16;
  // Each 32-bit slot holds 2 16-bit or 4 8-bit elements: K is 16 or 32.
  std::optional<NVVM::MMAIntOverflow> overflow;
  if (s8)
    overflow = NVVM::MMAIntOverflow::wrapped;
  auto op = NVVM::MmaOp::create(
      b, resType, aFrag, bFrag, acc, {16, 8, s8 ? 32 : 16}, std::nullopt,
      overflow, std::array<NVVM::MMATypes, 2>{t, t},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  for (int64_t i = 0; i < 4; ++i)
    acc[i] = LLVM::ExtractValueOp::create(b, op.getRes(), i);
}

void mlir::rescale::nvptx::mmaSync16816(ImplicitLocOpBuilder &b, Type elt,
                                        ArrayRef<Value> aFrag,
                                        ArrayRef<Value> bFrag,
                                        MutableArrayRef<Value> acc) {
  mmaSyncRowCol(b, elt, aFrag, bFrag, acc);
}
