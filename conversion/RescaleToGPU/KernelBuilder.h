//===- KernelBuilder.h - shared host/device helpers of the GPU kernels -*- C++
//-*-===//
//
// The pieces every kernel family uses: where kernels live (one gpu.module per
// payload module), how a tensor operand reaches a kernel (a flat 1-D buffer),
// how a result buffer is made and returned as a tensor, how a launch is
// emitted, and the vectorized global loads/stores with f32 conversion.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_CONVERSION_RESCALETOGPU_KERNELBUILDER_H
#define RESCALE_CONVERSION_RESCALETOGPU_KERNELBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::rescale::nvptx {

/// Name of the gpu.module holding every rescale kernel of a module.
inline constexpr llvm::StringLiteral kKernelModuleName = "rescale_kernels";

/// Launch geometry of a 1-D kernel.
struct LaunchConfig {
  int64_t gridSize = 1;
  int64_t blockSize = 32;
  int64_t dynamicSmemBytes = 0;
};

/// True when every shaped operand of `op` has a static shape: the kernels
/// are specialized on static shapes, so patterns leave any other op alone.
bool hasStaticOperands(Operation *op);

/// A new kernel `<function>_<baseName>` (uniqued; `<function>` is the
/// function enclosing `anchor`, so kernels are named after where they come
/// from) in the module's gpu.module (created on first use, and the module
/// marked `gpu.container_module`). `workgroupTypes` are static shared-memory
/// buffers (workgroup attributions). The kernel is tagged with its block size
/// so that NVVM sees `.reqntid` and ptxas can size registers for it.
gpu::GPUFuncOp createKernel(OpBuilder &b, Operation *anchor,
                            llvm::StringRef baseName, TypeRange argTypes,
                            TypeRange workgroupTypes,
                            const LaunchConfig &config);

/// The launch sequence of one kernel for `op`: `createKernel` with the types
/// of `args`, `body` filling the kernel (inserting at the start of its entry
/// block), then `launch` with `args` at `b`'s insertion point.
gpu::GPUFuncOp
emitKernel(OpBuilder &b, Operation *op, llvm::StringRef baseName,
           ValueRange args, TypeRange workgroupTypes,
           const LaunchConfig &config,
           function_ref<void(ImplicitLocOpBuilder &, gpu::GPUFuncOp)> body);

/// The type of a static shared-memory buffer of `size` elements of `elt`
/// (a workgroup attribution of `createKernel`).
MemRefType workgroupBufferType(MLIRContext *ctx, int64_t size, Type elt);

/// Host side: a 1-D view (memref<N x T>) of a statically shaped tensor.
Value flatBufferOf(OpBuilder &b, Location loc, Value tensor);

/// Host side: a fresh buffer for a result of `type`; `flat` is its 1-D view
/// for the kernel and `tensor` the tensor to replace the op's result with.
struct ResultBuffer {
  Value flat;
  Value tensor;
};
ResultBuffer allocResult(OpBuilder &b, Location loc, RankedTensorType type);

/// Host side: `gpu.launch_func` of `kernel` with `config`.
void launch(OpBuilder &b, Location loc, gpu::GPUFuncOp kernel,
            const LaunchConfig &config, ValueRange args);

/// The widest power-of-two vector width (elements) dividing `n` whose bytes
/// stay within one 16-byte access, for every element type in `types`.
int64_t vectorWidth(int64_t n, TypeRange types);

/// Device side: `width` elements of a 1-D buffer at `index`, as vector<width x
/// f32> (one vectorized load, then extf). The buffer may be global or shared.
Value loadF32Vector(ImplicitLocOpBuilder &b, Value buffer, Value index,
                    int64_t width);

/// Device side: store an f32 vector into a 1-D buffer of any float type
/// (truncf, then one vectorized store).
void storeF32Vector(ImplicitLocOpBuilder &b, Value value, Value buffer,
                    Value index);

/// Device side: an f32 scalar of the 1-D buffer at a constant index.
Value loadF32Scalar(ImplicitLocOpBuilder &b, Value buffer, int64_t index);

/// Device side: typed views of the dynamic shared memory, one per element
/// type and count, packed at 16-byte aligned offsets. Returns the total bytes.
int64_t carveDynamicSmem(ImplicitLocOpBuilder &b,
                         ArrayRef<std::pair<Type, int64_t>> buffers,
                         SmallVectorImpl<Value> &views);

/// Device side: the whole block copies `count` elements from `src` to `dst`
/// (1-D buffers of the same element type) with 16-byte accesses.
void blockCopy(ImplicitLocOpBuilder &b, Value src, Value dst, int64_t count,
               Value threadId, int64_t blockSize);

//===----------------------------------------------------------------------===//
// Tensor cores: mma.sync m16n8k16 (sm_80+), f32 accumulation. Fragment slots
// are 32-bit registers holding two 16-bit elements (PTX ISA, "Matrix
// Fragments for mma.m16n8k16"): with g = lane / 4 and q = lane % 4,
//   A (16x16, row): a0 = A[g][2q..], a1 = A[g+8][2q..], a2 = A[g][2q+8..],
//                   a3 = A[g+8][2q+8..]
//   B (16x8, col):  b0 = B[2q..][g], b1 = B[2q+8..][g]
//   C (16x8):       c0,c1 = C[g][2q, 2q+1], c2,c3 = C[g+8][2q, 2q+1]
//===----------------------------------------------------------------------===//

/// A 4-byte vector (2 x 16-bit, 4 x 8-bit) as the one i32 an mma.sync slot
/// takes.
Value bitcastToI32(ImplicitLocOpBuilder &b, Value vec);

/// Packs two values (f32 are truncated to `elt`, bf16 or f16) into one
/// fragment slot: i32 for bf16, vector<2xf16> for f16 (what nvvm.mma.sync
/// takes).
Value packMmaPair(ImplicitLocOpBuilder &b, Type elt, Value lo, Value hi);

/// One fragment slot: two consecutive 16-bit elements of a 1-D buffer
/// (global or shared) at an even index.
Value loadMmaPair(ImplicitLocOpBuilder &b, Value buf, Value idx);

/// acc (4 f32) += A (4 slots) x B (2 slots): one nvvm.mma.sync m16n8k16,
/// row.col, `elt` (bf16 or f16) operands.
void mmaSync16816(ImplicitLocOpBuilder &b, Type elt, ArrayRef<Value> aFrag,
                  ArrayRef<Value> bFrag, MutableArrayRef<Value> acc);

/// acc += A x B: one nvvm.mma.sync row.col m16n8k16 for bf16/f16 operands
/// (f32 accumulators) or m16n8k32 for s8 operands (i32, wrapping), by
/// `operandElt`.
void mmaSyncRowCol(ImplicitLocOpBuilder &b, Type operandElt,
                   ArrayRef<Value> aFrag, ArrayRef<Value> bFrag,
                   MutableArrayRef<Value> acc);

inline Value cIdx(ImplicitLocOpBuilder &b, int64_t v) {
  return arith::ConstantIndexOp::create(b, v);
}

inline Value cF32(ImplicitLocOpBuilder &b, float v) {
  return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
}

/// Index arithmetic of the kernels: each method creates its constant (if
/// any) and then its op(s), in the order the formula reads, so a nested
/// expression such as `ix.mulAdd(row, stride, col)` replaces nested `arith`
/// creates without leaving their order to C++ (unspecified between the
/// arguments of one call; each composite below passes one op-creating call
/// as an argument, never two). Pass results of other calls through named
/// locals when a formula has two of them.
class IndexMath {
public:
  explicit IndexMath(ImplicitLocOpBuilder &b) : b(b) {}
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value add(Value x, int64_t c) { return add(x, cIdx(b, c)); }
  Value mul(Value x, int64_t c) {
    return arith::MulIOp::create(b, x, cIdx(b, c));
  }
  /// x · c + y.
  Value mulAdd(Value x, int64_t c, Value y) { return add(mul(x, c), y); }
  /// x + y · c.
  Value addProduct(Value x, Value y, int64_t c) { return add(x, mul(y, c)); }
  /// x + (y + c).
  Value addOffset(Value x, Value y, int64_t c) { return add(x, add(y, c)); }
  /// x + (y + z).
  Value addSum(Value x, Value y, Value z) { return add(x, add(y, z)); }

private:
  ImplicitLocOpBuilder &b;
};

} // namespace mlir::rescale::nvptx

#endif // RESCALE_CONVERSION_RESCALETOGPU_KERNELBUILDER_H
