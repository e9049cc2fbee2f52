#!/usr/bin/env python3
"""Runs the kernels of one entry on the CPU by interpreting their gpu IR.

Usage: emulate_kernels.py GENERIC.mlir ENTRY OUT_DIR in0.npy [in1.npy ...]

GENERIC.mlir is `rescale-opt --convert-rescale-to-gpu --mlir-print-op-generic`
output. The host side of ENTRY (buffers, allocations, gpu.launch_func, the
return) is followed op by op; every launch runs each CTA's threads as
coroutines that meet at gpu.barrier and at nvvm.mma.sync, which is computed
for the whole warp from the lanes' fragments as the PTX ISA lays them out
(m16n8k16 bf16/f16 and m16n8k32 s8, row.col), and at gpu.shuffle (xor, down,
up, idx within the width). Dynamic shared memory is one set of disjoint typed
views (memref.view of gpu.dynamic_shared_memory) per CTA. nvgpu.device_async_copy (cp.async) lands at the
thread's nvgpu.device_async_wait, not before. Threads that returned count as arrived at a
barrier; a warp collective needs all 32 lanes. Writes OUT_DIR/out<j>.npy
(f32 values; integer and narrow-float results as their values, as rescale-run
writes them).

It is how the quantized linear and quantization kernels are checked on
machines without a GPU (quant-linear-emulated.test, quant-ops-emulated.test):
it executes the very IR the backend emits, so index, staging, decoding,
reduction and epilogue mistakes show up as wrong numbers. Float arithmetic is
IEEE (f64 division and rounding to even as Python does them); math.exp is
libm's, not libdevice's. It knows only the ops those kernels use and is slow
(a CTA of 128 GEMM threads per few seconds): keep the shapes small. Inputs of f8/f4 element types are the
decoded values (what rescale-run writes), encoded back to their codes here.
"""
import math
import os
import re
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, os.pardir, "Inputs"))
from npy import read_npy  # noqa: E402

# ---------------------------------------------------------------- numerics


def f32(x):
    if math.isnan(x) or math.isinf(x):
        return x
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def bits_f32(b):
    return struct.unpack("<f", struct.pack("<I", b & 0xFFFFFFFF))[0]


def bf16_bits(x):
    b = f32_bits(f32(x))
    if (b & 0x7F800000) == 0x7F800000 and (b & 0x7FFFFF):
        return (b >> 16) | 0x40
    lsb = (b >> 16) & 1
    return ((b + 0x7FFF + lsb) >> 16) & 0xFFFF


def bf16(x):
    return bits_f32(bf16_bits(x) << 16)


def f16(x):
    try:
        return struct.unpack("<e", struct.pack("<e", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def f16_bits(x):
    return struct.unpack("<H", struct.pack("<e", f16(x)))[0]


def round_to(t, x):
    if t == "f32":
        return f32(x)
    if t == "bf16":
        return bf16(x)
    if t == "f16":
        return f16(x)
    if t == "f64":
        return float(x)
    raise Exception("round_to " + t)


def width(t):
    if t == "index":
        return 64
    m = re.match(r"i(\d+)$", t)
    if m:
        return int(m.group(1))
    return {"f32": 32, "bf16": 16, "f16": 16, "f8E4M3FN": 8, "f8E8M0FNU": 8,
            "f4E2M1FN": 8, "f64": 64}[t]


def to_bits(t, v):
    if t.startswith("i") or t == "index":
        return v & ((1 << width(t)) - 1)
    if t == "f32":
        return f32_bits(v)
    if t == "f64":
        return struct.unpack("<Q", struct.pack("<d", v))[0]
    if t == "bf16":
        return bf16_bits(v)
    if t == "f16":
        return f16_bits(v)
    if t in ("f8E4M3FN", "f8E8M0FNU", "f4E2M1FN"):
        return v  # raw codes
    raise Exception("to_bits " + t)


def from_bits(t, b):
    if t.startswith("i") or t == "index":
        return b
    if t == "f32":
        return bits_f32(b)
    if t == "f64":
        return struct.unpack("<d", struct.pack("<Q", b & (2 ** 64 - 1)))[0]
    if t == "bf16":
        return bits_f32(b << 16)
    if t == "f16":
        return struct.unpack("<e", struct.pack("<H", b))[0]
    if t in ("f8E4M3FN", "f8E8M0FNU", "f4E2M1FN"):
        return b
    raise Exception("from_bits " + t)


def signed(v, w):
    v &= (1 << w) - 1
    return v - (1 << w) if v >> (w - 1) else v


# E4M3FN / E2M1 / E8M0 values -> codes (inputs arrive as f32 values)
def minifloat_table(ebits, mbits, bias, nan_code=None):
    table = {}
    for c in range(1 << (1 + ebits + mbits)):
        e = (c >> mbits) & ((1 << ebits) - 1)
        m = c & ((1 << mbits) - 1)
        s = -1.0 if c >> (ebits + mbits) else 1.0
        if nan_code is not None and (c & ((1 << (ebits + mbits)) - 1)) == nan_code:
            continue
        v = (m / (1 << mbits)) * 2.0 ** (1 - bias) if e == 0 else \
            (1 + m / (1 << mbits)) * 2.0 ** (e - bias)
        if v == 0 and s < 0:
            continue
        table.setdefault(s * v, c)
    return table


E4M3 = minifloat_table(4, 3, 7, nan_code=0x7F)
E2M1 = minifloat_table(2, 1, 1)


def encode(t, v):
    negative_zero = v == 0 and math.copysign(1, v) < 0
    if t == "f8E4M3FN":
        return 0x80 if negative_zero else 0x7F if math.isnan(v) else E4M3[v]
    if t == "f4E2M1FN":
        return 0x8 if negative_zero else E2M1[v]
    if t == "f8E8M0FNU":
        if v == 0:
            raise Exception("e8m0 0")
        e = int(round(math.log2(v)))
        assert 2.0 ** e == v
        return e + 127
    if t.startswith("i"):
        return int(v) & ((1 << width(t)) - 1)
    return round_to(t, v)

def decode(t, v):
    """An element as rescale-run writes it: narrow floats and integers as
    their values (signed for iN)."""
    if t == "f8E4M3FN":
        return math.nan if v & 0x7F == 0x7F else E4M3_VALUES[v]
    if t == "f4E2M1FN":
        return E2M1_VALUES[v & 0xF]
    if t == "f8E8M0FNU":
        return math.nan if v == 0xFF else 2.0 ** (v - 127)
    if t.startswith("i"):
        return float(signed(v, width(t)))
    return float(v)


E4M3_VALUES = {c: v for v, c in E4M3.items()}
E4M3_VALUES.update({0x80: -0.0})
E2M1_VALUES = {c: v for v, c in E2M1.items()}
E2M1_VALUES.update({0x8: -0.0})

# ---------------------------------------------------------------- parsing


def split_top(s, sep=","):
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch in "<([{":
            depth += 1
        elif ch in ">)]}":
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


class Op:
    __slots__ = ("name", "results", "operands", "props", "regions", "in_types",
                 "out_types", "fn", "special")


OP_RE = re.compile(r'^\s*(?:(%[\w:#]+(?:, %[\w#]+)*) = )?"([\w.]+)"\((.*?)\)(.*)$')


def parse_sig(rest):
    # rest: '... : (a, b) -> c' possibly with attrs before.
    i = rest.rfind(" : (")
    if i < 0:
        return rest, [], []
    attrs = rest[:i]
    sig = rest[i + 3:]
    # sig: '(types) -> X'
    depth = 0
    for j, ch in enumerate(sig):
        if ch in "<([{":
            depth += 1
        elif ch in ">)]}":
            depth -= 1
            if depth == 0:
                break
    ins = split_top(sig[1:j])
    outs = sig[j + 1:].strip()
    assert outs.startswith("->"), sig
    outs = outs[2:].strip()
    if outs.startswith("("):
        outs = split_top(outs[1:-1])
    else:
        outs = [outs]
    return attrs, ins, outs


def expand_results(res):
    if not res:
        return []
    out = []
    for r in res.split(", "):
        if ":" in r:
            base, n = r.split(":")
            out += ["%s#%d" % (base, i) for i in range(int(n))]
        else:
            out.append(r)
    return out


def parse_ops(lines, i):
    """Parse ops until a line closing the region ('}' or '}, {' or '})').
    Returns (blocks, i) where blocks is [(argnames, argtypes, ops)]."""
    blocks = [([], [], [])]
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("}"):
            return blocks, i
        if line.startswith("^"):
            m = re.match(r"\^\w+\((.*)\):$", line)
            args = split_top(m.group(1)) if m and m.group(1) else []
            names = [a.split(":")[0].strip() for a in args]
            types = [a.split(":", 1)[1].strip() for a in args]
            if blocks[-1][2] or blocks[-1][0]:
                blocks.append((names, types, []))
            else:
                blocks[-1] = (names, types, [])
            i += 1
            continue
        m = OP_RE.match(lines[i])
        if not m:
            raise Exception("cannot parse: " + lines[i][:200])
        op = Op()
        op.results = expand_results(m.group(1))
        op.name = m.group(2)
        op.operands = [o.strip() for o in m.group(3).split(",")] if m.group(3).strip() else []
        rest = m.group(4)
        op.regions = []
        if rest.rstrip().endswith("({"):
            op.props = rest
            i += 1
            while True:
                blocks_r, i = parse_ops(lines, i)
                op.regions.append(blocks_r)
                closing = lines[i].strip()
                if closing.startswith("}, {"):
                    i += 1
                    continue
                assert closing.startswith("})"), closing
                rest = op.props.rstrip()[:-2] + closing[2:]
                break
        attrs, op.in_types, op.out_types = parse_sig(rest)
        op.props = attrs
        blocks[-1][2].append(op)
        i += 1
    return blocks, i


def parse_module(text):
    lines = [l for l in text.split("\n") if l.strip()]
    blocks, _ = parse_ops(lines, 0)
    return blocks[0][2]


def find_all(ops, name, acc):
    for op in ops:
        if op.name == name:
            acc.append(op)
        for r in op.regions:
            for b in r:
                find_all(b[2], name, acc)
    return acc


def prop(op, key):
    m = re.search(key + r" = ([^,}>]+(?:<[^>]*>)?)", op.props)
    return m.group(1).strip() if m else None

# ---------------------------------------------------------------- memory


class Buf:
    def __init__(self, elt, n, data=None):
        self.elt = elt
        self.data = data if data is not None else [0] * n


class Ptr:
    """A pointer into a buffer (one element per byte): what the kernels make
    of a memref's aligned pointer, its offset added."""

    def __init__(self, buf, off=0):
        self.buf, self.off = buf, off

    def __add__(self, n):
        return Ptr(self.buf, self.off + n)


def memref_elt(t):
    m = re.match(r"memref<(?:[\d?]+x)*([\w]+)", t)
    return m.group(1)


def vec_type(t):
    m = re.match(r"vector<(\d+)x(\w+)>", t)
    return int(m.group(1)), m.group(2)

# ---------------------------------------------------------------- interpreter


class Barrier:
    pass


def maximumf(ins):
    """arith.maximumf: NaN if either is NaN, +0 above -0."""
    a, b = ins
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if a == b:
        return a if math.copysign(1, a) > 0 else b
    return max(a, b)


def minimumf(ins):
    a, b = ins
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if a == b:
        return a if math.copysign(1, a) < 0 else b
    return min(a, b)


def cmpf(pred, a, b):
    """arith.cmpf by its predicate number (false, oeq, ogt, oge, olt, ole,
    one, ord, ueq, ugt, uge, ult, ule, une, uno, true)."""
    unordered = math.isnan(a) or math.isnan(b)
    if pred in (0, 15):
        return int(pred == 15)
    if pred == 7:
        return int(not unordered)
    if pred == 14:
        return int(unordered)
    rel = [None, a == b, a > b, a >= b, a < b, a <= b, a != b][pred if pred < 7 else pred - 7]
    if pred < 7:
        return int(not unordered and rel)
    return int(unordered or rel)


def compile_op(op):
    """Sets op.fn: ins -> result for the plain ops (computed once per op), or
    op.special for the ops that control flow or synchronize."""
    n = op.name
    t = op.out_types[0] if op.out_types else None
    op.special = None
    if n == "arith.constant":
        m = re.search(r"value = (.*) : ([\w<>]+)\}>", op.props)
        val, ct = m.group(1), m.group(2)
        if val.startswith("dense<"):
            cnt, et = vec_type(ct)
            inner = val[6:-1]
            x = float(inner) if et.startswith("f") or et == "bf16" else int(inner)
            c = [x] * cnt
        elif ct.startswith("i") or ct == "index":
            x = int(val) if val not in ("true", "false") else int(val == "true")
            c = x & ((1 << width(ct)) - 1)
        elif val.startswith("0x"):  # a float printed by its bits (NaN, inf)
            c = from_bits(ct, int(val, 16))
        else:
            c = round_to(ct, float(val))
        op.fn = lambda ins: c
        return
    if n in INT_OPS:
        mask = (1 << width(t)) - 1
        f = INT_OPS[n]
        op.fn = lambda ins: f(ins[0], ins[1]) & mask
        if n == "arith.addi":
            # index arithmetic may offset a pointer (aligned pointer + offset)
            op.fn = lambda ins: (ins[0] + ins[1]) if isinstance(ins[0], Ptr) \
                else (ins[0] + ins[1]) & mask
        return
    if n == "arith.cmpi":
        pred = int(prop(op, "predicate").split(":")[0])
        w = width(op.in_types[0])

        def cmpi(ins):
            a, b = ins
            sa, sb = signed(a, w), signed(b, w)
            return int([a == b, a != b, sa < sb, sa <= sb, sa > sb, sa >= sb,
                        a < b, a <= b, a > b, a >= b][pred])
        op.fn = cmpi
        return
    if n == "arith.select":
        op.fn = lambda ins: ins[1] if ins[0] else ins[2]
    elif n == "arith.bitcast":
        st = op.in_types[0]
        op.fn = lambda ins: from_bits(t, to_bits(st, ins[0]))
    elif n in ("arith.extui", "arith.extf", "arith.index_cast", "llvm.inttoptr"):
        op.fn = lambda ins: ins[0]
    elif n == "arith.trunci":
        mask = (1 << width(t)) - 1
        op.fn = lambda ins: ins[0] & mask
    elif n == "arith.sitofp":
        w = width(op.in_types[0])
        op.fn = lambda ins: round_to(t, float(signed(ins[0], w)))
    elif n == "arith.uitofp":
        op.fn = lambda ins: round_to(t, float(ins[0]))
    elif n == "arith.mulf":
        op.fn = lambda ins: round_to(t, ins[0] * ins[1])
    elif n == "arith.addf":
        op.fn = lambda ins: round_to(t, ins[0] + ins[1])
    elif n == "arith.divf":
        op.fn = lambda ins: round_to(t, ins[0] / ins[1]) if ins[1] != 0 else \
            math.copysign(math.inf, ins[0]) * math.copysign(1, ins[1])
    elif n == "arith.negf":
        op.fn = lambda ins: -ins[0]
    elif n == "arith.truncf":
        if t.startswith("vector"):
            et = vec_type(t)[1]
            op.fn = lambda ins: [round_to(et, x) for x in ins[0]]
        else:
            op.fn = lambda ins: round_to(t, ins[0])
    elif n == "math.fma":
        op.fn = lambda ins: round_to(t, ins[0] * ins[1] + ins[2])
    elif n == "arith.subf":
        op.fn = lambda ins: round_to(t, ins[0] - ins[1])
    elif n == "math.absf":
        op.fn = lambda ins: abs(ins[0])
    elif n == "math.copysign":
        op.fn = lambda ins: math.copysign(ins[0], ins[1])
    elif n == "math.roundeven":
        # Python's round is half to even; inf and NaN stay.
        op.fn = lambda ins: ins[0] if not math.isfinite(ins[0]) else \
            math.copysign(float(round(ins[0])), ins[0])
    elif n == "math.exp":
        op.fn = lambda ins: round_to(t, math.exp(ins[0])) if ins[0] < 709 else math.inf
    elif n == "math.exp2":
        # The device's ex2.approx.ftz is within 2 ulp; the emulation is exact,
        # so comparisons against it need a tolerance above that.
        op.fn = lambda ins: round_to(t, 2.0 ** ins[0]) if ins[0] < 1024 else math.inf
    elif n == "math.sqrt":
        # IEEE sqrt is correctly rounded (PTX sqrt.rn): round the exact root.
        op.fn = lambda ins: round_to(t, math.sqrt(ins[0])) if ins[0] >= 0 else \
            (ins[0] if ins[0] == 0 or math.isnan(ins[0]) else math.nan)
    elif n in ("arith.maximumf", "arith.minimumf"):
        op.fn = maximumf if n == "arith.maximumf" else minimumf
    elif n == "arith.cmpf":
        pred = int(prop(op, "predicate").split(":")[0])
        op.fn = lambda ins: cmpf(pred, ins[0], ins[1])
    elif n == "arith.fptosi":
        mask = (1 << width(t)) - 1
        op.fn = lambda ins: (int(ins[0]) if math.isfinite(ins[0]) else 0) & mask
    elif n in ("arith.maxsi", "arith.minsi", "arith.divsi"):
        w = width(t)
        mask = (1 << w) - 1
        pick = {"arith.maxsi": max, "arith.minsi": min,
                "arith.divsi": lambda a, b: int(a / b)}[n]
        op.fn = lambda ins: pick(signed(ins[0], w), signed(ins[1], w)) & mask
    elif n == "memref.extract_aligned_pointer_as_index":
        op.fn = lambda ins: Ptr(ins[0])
    elif n == "llvm.getelementptr":
        op.fn = lambda ins: Ptr(ins[0].buf, ins[0].off + ins[1])
    elif n == "llvm.load":
        cnt = vec_type(t)[0]
        op.fn = lambda ins: ins[0].buf.data[ins[0].off:ins[0].off + cnt]
    elif n == "memref.load":
        op.fn = lambda ins: ins[0].data[ins[1]]
    elif n == "vector.load":
        cnt = vec_type(t)[0]

        def vload(ins):
            buf, idx = ins
            assert idx + cnt <= len(buf.data), ("out of bounds load", idx, cnt)
            return buf.data[idx:idx + cnt]
        op.fn = vload
    elif n == "vector.bitcast":
        _, st = vec_type(op.in_types[0])
        dcnt, dt = vec_type(t)
        sw, dw = width(st), width(dt)

        def vbitcast(ins):
            bits = 0
            for k, x in enumerate(ins[0]):
                bits |= to_bits(st, x) << (k * sw)
            return [from_bits(dt, (bits >> (k * dw)) & ((1 << dw) - 1)) for k in range(dcnt)]
        op.fn = vbitcast
    elif n == "gpu.shuffle":
        op.special = n
    elif n in ("vector.extract", "llvm.extractvalue"):
        pos = int(re.search(r"(?:static_)?position = array<i64: (\d+)>", op.props).group(1))
        op.fn = lambda ins: ins[0][pos]
    elif n == "vector.from_elements":
        op.fn = lambda ins: list(ins)
    elif n in ("memref.extract_strided_metadata", "memref.store",
               "vector.store", "gpu.thread_id", "gpu.block_id",
               "gpu.barrier", "nvvm.mma.sync", "scf.for", "scf.if",
               "scf.yield", "gpu.return",
               "nvgpu.device_async_copy", "nvgpu.device_async_create_group",
               "nvgpu.device_async_wait", "gpu.dynamic_shared_memory",
               "memref.view"):
        op.special = n
    else:
        raise Exception("unsupported op " + n)


INT_OPS = {"arith.addi": lambda a, b: a + b, "arith.subi": lambda a, b: a - b,
           "arith.muli": lambda a, b: a * b, "arith.divui": lambda a, b: a // b,
           "arith.remui": lambda a, b: a % b, "arith.minui": min,
           "arith.andi": lambda a, b: a & b, "arith.ori": lambda a, b: a | b,
           "arith.shli": lambda a, b: a << b, "arith.shrui": lambda a, b: a >> b}


def compile_ops(ops):
    for op in ops:
        compile_op(op)
        for r in op.regions:
            for b in r:
                compile_ops(b[2])


def run_ops(ops, env, ctx):
    for op in ops:
        ins = [env[o] for o in op.operands]
        n = op.special
        if n is None:
            env[op.results[0]] = op.fn(ins)
        elif n == "memref.extract_strided_metadata":
            # Flat buffers of the kernels: offset 0, stride 1.
            buf = ins[0]
            for nm, v in zip(op.results, [buf, 0, len(buf.data), 1]):
                env[nm] = v
        elif n == "memref.store":
            ins[1].data[ins[2]] = ins[0]
        elif n == "vector.store":
            v, buf, idx = ins
            assert idx + len(v) <= len(buf.data), "out of bounds store"
            buf.data[idx:idx + len(v)] = v
        elif n == "gpu.thread_id":
            env[op.results[0]] = ctx["tid"]
        elif n == "gpu.block_id":
            env[op.results[0]] = ctx["bid"]
        elif n == "gpu.dynamic_shared_memory":
            env[op.results[0]] = ctx["dynamic_smem"]
        elif n == "memref.view":
            # A typed view of the CTA's dynamic shared memory at a byte
            # offset. Views are taken to be disjoint (carveDynamicSmem packs
            # them so), each its own buffer; an empty view may share its
            # offset with the next one, so the key has the size and type.
            t = op.out_types[0]
            count = int(re.match(r"memref<(\d+)x", t).group(1))
            key = (ins[1], count, memref_elt(t))
            views = ins[0]
            if key not in views:
                views[key] = Buf(memref_elt(t), count)
            env[op.results[0]] = views[key]
        elif n == "gpu.barrier":
            yield Barrier()
        elif n == "nvvm.mma.sync":
            env[op.results[0]] = yield ("mma", op, ins)
        elif n == "nvgpu.device_async_copy":
            # cp.async: the source is read now, the destination written only
            # at the thread's device_async_wait, so a read of the tile that
            # does not wait sees the old data, as it may on the GPU.
            dst, dst_idx, src, src_idx = ins[:4]
            count = int(prop(op, "dstElements").split(":")[0])
            valid = ins[4] if len(ins) > 4 else count
            assert src_idx + valid <= len(src.data), "out of bounds cp.async"
            assert dst_idx + count <= len(dst.data), "out of bounds cp.async"
            data = src.data[src_idx:src_idx + valid] + [0] * (count - valid)
            ctx.setdefault("async", []).append((dst, dst_idx, data))
            env[op.results[0]] = None
        elif n == "nvgpu.device_async_create_group":
            env[op.results[0]] = None
        elif n == "nvgpu.device_async_wait":
            groups = prop(op, "numGroups")
            assert groups is None or int(groups.split(":")[0]) == 0, \
                "only wait-for-all is emulated"
            for dst, dst_idx, data in ctx.pop("async", []):
                dst.data[dst_idx:dst_idx + len(data)] = data
        elif n == "gpu.shuffle":
            value, valid = yield ("shfl", op, ins)
            env[op.results[0]], env[op.results[1]] = value, valid
        elif n == "scf.for":
            lb, ub, step = ins[:3]
            it = list(ins[3:])
            names, _, body = op.regions[0][0]
            iv = lb
            while iv < ub:
                env[names[0]] = iv
                for nm, v in zip(names[1:], it):
                    env[nm] = v
                it = yield from run_ops(body, env, ctx)
                iv += step
            for nm, v in zip(op.results, it):
                env[nm] = v
        elif n == "scf.if":
            region = op.regions[0] if ins[0] else (op.regions[1] if len(op.regions) > 1 else None)
            res = []
            if region is not None and region[0][2]:
                res = yield from run_ops(region[0][2], env, ctx)
            for nm, v in zip(op.results, res or []):
                env[nm] = v
        elif n == "scf.yield":
            return ins
        elif n == "gpu.return":
            assert not ctx.get("async"), "cp.async copies never waited for"
            return None
    return None


def mma(kind, frags):
    """frags: 32 lanes of (A list, B list, C list). Returns 32 result tuples."""
    res = []
    if kind == "s8":
        A = [[0] * 32 for _ in range(16)]
        B = [[0] * 8 for _ in range(32)]
        for lane, (a, b, c) in enumerate(frags):
            g, q = lane // 4, lane % 4
            for reg, (ro, ko) in enumerate([(0, 0), (8, 0), (0, 16), (8, 16)]):
                for j in range(4):
                    A[g + ro][4 * q + ko + j] = signed(a[reg] >> (8 * j), 8)
            for reg, ko in enumerate([0, 16]):
                for j in range(4):
                    B[4 * q + ko + j][g] = signed(b[reg] >> (8 * j), 8)
        for lane, (a, b, c) in enumerate(frags):
            g, q = lane // 4, lane % 4
            out = []
            for i, (row, col) in enumerate([(g, 2 * q), (g, 2 * q + 1), (g + 8, 2 * q), (g + 8, 2 * q + 1)]):
                s = sum(A[row][k] * B[k][col] for k in range(32)) + signed(c[i], 32)
                out.append(s & 0xFFFFFFFF)
            res.append(tuple(out))
        return res
    A = [[0.0] * 16 for _ in range(16)]
    B = [[0.0] * 8 for _ in range(16)]

    def pair(v):
        if isinstance(v, list):
            return v
        return [from_bits("bf16", v & 0xFFFF), from_bits("bf16", (v >> 16) & 0xFFFF)]
    for lane, (a, b, c) in enumerate(frags):
        g, q = lane // 4, lane % 4
        for reg, (ro, ko) in enumerate([(0, 0), (8, 0), (0, 8), (8, 8)]):
            p = pair(a[reg])
            A[g + ro][2 * q + ko], A[g + ro][2 * q + ko + 1] = p
        for reg, ko in enumerate([0, 8]):
            p = pair(b[reg])
            B[2 * q + ko][g], B[2 * q + ko + 1][g] = p
    for lane, (a, b, c) in enumerate(frags):
        g, q = lane // 4, lane % 4
        out = []
        for i, (row, col) in enumerate([(g, 2 * q), (g, 2 * q + 1), (g + 8, 2 * q), (g + 8, 2 * q + 1)]):
            s = sum(A[row][k] * B[k][col] for k in range(16)) + c[i]
            out.append(f32(s))
        res.append(tuple(out))
    return res


def launch(func, args, grid, block):
    names, types, body = func.regions[0][0]
    if not hasattr(launch, "compiled"):
        launch.compiled = set()
    if id(func) not in launch.compiled:
        compile_ops(body)
        launch.compiled.add(id(func))
    nargs = len(args)
    for bid in range(grid):
        wg = []
        for t in types[nargs:]:
            n = int(re.match(r"memref<(\d+)x", t).group(1))
            wg.append(Buf(memref_elt(t), n))
        gens = []
        dynamic_smem = {}
        for tid in range(block):
            env = {}
            for nm, v in zip(names, list(args) + wg):
                env[nm] = v
            gens.append(run_ops(body, env, {"tid": tid, "bid": bid,
                                            "dynamic_smem": dynamic_smem}))
        run_block(gens)


def run_block(gens):
    """Runs a CTA's threads (generators) to the end. Each runs until it
    yields a sync point: a barrier (resumed once every live thread is at
    one), or a warp collective, mma.sync or a shuffle (resumed once the 32
    lanes of its warp are at the same op). Threads that returned count as
    arrived at barriers, as on the GPU; a warp collective needs all 32."""
    block = len(gens)
    finished = [False] * block
    pending = [None] * block  # the sync point a thread waits at
    sends = [None] * block
    while True:
        for tid, g in enumerate(gens):
            if finished[tid] or pending[tid] is not None:
                continue
            try:
                pending[tid] = g.send(sends[tid])
            except StopIteration:
                finished[tid] = True
        live = [t for t in range(block) if not finished[t]]
        if not live:
            return
        sends = [None] * block
        progressed = False
        for w in range(0, block, 32):
            lanes = [t for t in range(w, min(w + 32, block)) if not finished[t]]
            if not lanes or not all(isinstance(pending[t], tuple) for t in lanes):
                continue
            first = pending[lanes[0]]
            assert len(lanes) == 32 and all(
                pending[t][0] == first[0] and pending[t][1] is first[1] for t in lanes), \
                "a warp collective reached by part of a warp, or by different ops"
            ins = [pending[t][2] for t in lanes]
            if first[0] == "mma":
                kind = "s8" if "mma_type<s8>" in first[1].props else "f"
                frags = [(i[:4], i[4:6], i[6:]) for i in ins]
                results = mma(kind, frags)
            else:
                results = shuffle(first[1], ins)
            for t, r in zip(lanes, results):
                sends[t], pending[t] = r, None
            progressed = True
        if progressed:
            continue
        assert all(isinstance(pending[t], Barrier) for t in live), \
            "threads wait at different sync points: a barrier and a warp collective"
        for t in live:
            pending[t] = None


def shuffle(op, ins):
    """gpu.shuffle across the 32 lanes: ins[lane] = (value, offset, width)."""
    mode = re.search(r"shuffle_mode (\w+)", op.props).group(1)
    out = []
    for lane, (value, offset, width_) in enumerate(ins):
        base = lane - lane % width_
        src = {"xor": lane ^ offset, "down": lane + offset, "up": lane - offset,
               "idx": base + offset}[mode]
        ok = base <= src < base + width_
        out.append((ins[src][0] if ok else value, int(ok)))
    return out


def host_constant(op):
    """A scalar, or a tensor constant (splat, list or hex) as a Buf."""
    m = re.search(r"value = (.*) : ([\w<>]+)\}>", op.props)
    val, t = m.group(1), m.group(2)
    if not t.startswith("tensor<"):
        return int(val) if t == "index" or t.startswith("i") else float(val)
    dims = re.match(r"tensor<((?:\d+x)*)(\w+)>", t)
    n = 1
    for d in dims.group(1).strip("x").split("x"):
        n *= int(d)
    elt = dims.group(2)
    inner = val[len("dense<"):-1]
    if inner.startswith('"0x'):
        raw = bytes.fromhex(inner[3:-1])
        w = width(elt) // 8
        vals = [from_bits(elt, int.from_bytes(raw[i * w:(i + 1) * w], "little"))
                for i in range(len(raw) // w)]
        if len(vals) == 1:
            vals = vals * n
    else:
        nums = re.findall(r"-?[\d.]+(?:e[+-]?\d+)?", inner)
        vals = [float(x) if elt.startswith("f") or elt == "bf16" else int(x) & ((1 << width(elt)) - 1)
                for x in nums]
        if len(vals) == 1:
            vals = vals * n
    assert len(vals) == n, (len(vals), n)
    return Buf(elt, n, vals)


def write_npy(path, shape, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % (
        "".join("%d, " % d for d in shape))
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        f.write(struct.pack("<%df" % len(values), *values))


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: emulate_kernels.py GENERIC.mlir ENTRY OUT_DIR in0.npy ...")
    path, fname, out_dir = sys.argv[1:4]
    inputs = sys.argv[4:]
    ops = parse_module(open(path).read())
    funcs = find_all(ops, "func.func", [])
    gfuncs = {re.search(r'sym_name = "(\w+)"', f.props).group(1): f
              for f in find_all(ops, "gpu.func", [])}
    func = [f for f in funcs if 'sym_name = "%s"' % fname in f.props][0]
    names, types, body = func.regions[0][0]
    env = {}
    for nm, t, p in zip(names, types, inputs):
        elt = re.match(r"tensor<(?:\d+x)*(\w+)>", t).group(1)
        _, _, vals = read_npy(p)
        env[nm] = Buf(elt, 0, [encode(elt, v) for v in vals])
    for op in body:
        ins = [env.get(o) for o in op.operands]
        if op.name in ("bufferization.to_buffer", "memref.collapse_shape",
                       "bufferization.to_tensor", "tensor.collapse_shape",
                       "tensor.expand_shape"):
            env[op.results[0]] = ins[0]
        elif op.name == "memref.alloc":
            t = op.out_types[0]
            dims = re.match(r"memref<((?:\d+x)*)", t).group(1).strip("x").split("x")
            n = 1
            for d in dims:
                n *= int(d)
            env[op.results[0]] = Buf(memref_elt(t), n)
        elif op.name == "arith.constant":
            env[op.results[0]] = host_constant(op)
        elif op.name == "gpu.launch_func":
            kname = re.search(r"kernel = @\w+::@(\w+)", op.props).group(1)
            # operands: grid xyz, block xyz, smem, args...
            grid, block = ins[0], ins[3]
            args = ins[7:]
            launch(gfuncs[kname], args, grid, block)
        elif op.name == "func.return":
            os.makedirs(out_dir, exist_ok=True)
            for j, (t, buf) in enumerate(zip(op.in_types, ins)):
                dims = re.match(r"tensor<((?:\d+x)*)(\w+)>", t)
                shape = [int(d) for d in dims.group(1).strip("x").split("x") if d]
                write_npy(os.path.join(out_dir, "out%d.npy" % j), shape,
                          [decode(dims.group(2), x) for x in buf.data])
        else:
            raise Exception("host op " + op.name)


if __name__ == "__main__":
    main()
