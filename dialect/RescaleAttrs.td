//===- RescaleAttrs.td - rescale enums and attributes ------*- tablegen -*-===//

#ifndef RESCALE_ATTRS_TD
#define RESCALE_ATTRS_TD

include "dialect/RescaleDialect.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

// The parser of an enum attribute's keyword, with an error that says which
// keywords are allowed ("unknown gate_kind 'rowwise'; expected none, headwise
// or elementwise") instead of naming the C++ enum class.
class Rescale_EnumKeywordParser<string cppType, string what, string choices> {
  code parser = [{[&]() -> ::mlir::FailureOr<::mlir::rescale::}] # cppType # [{> {
    auto loc = $_parser.getCurrentLocation();
    std::string keyword;
    if (::mlir::failed($_parser.parseKeywordOrString(&keyword)))
      return ::mlir::failure();
    if (auto value = ::mlir::rescale::symbolize}] # cppType # [{(keyword))
      return *value;
    return {(::llvm::LogicalResult)($_parser.emitError(loc)
        << "unknown }] # what # [{ '" << keyword << "'; expected }] # choices # [{")};
  }()}];
}

def Rescale_GateActivation : I32EnumAttr<"GateActivation",
    "activation of the GatedNorm gate (the paper's gate ablation, §3.4)", [
      I32EnumAttrCase<"sigmoid", 0>,
      I32EnumAttrCase<"tanh", 1>,
      I32EnumAttrCase<"silu", 2>,
      I32EnumAttrCase<"identity", 3>,
    ]> {
  let cppNamespace = "::mlir::rescale";
  let genSpecializedAttr = 0;
  let parameterParser = Rescale_EnumKeywordParser<"GateActivation",
      "gate_activation", "sigmoid, tanh, silu or identity">.parser;
}
def Rescale_GateActivationAttr
    : EnumAttr<Rescale_Dialect, Rescale_GateActivation, "gate_activation"> {
  // The summary is also the verifier's message for a wrong attribute, so it
  // names the attribute and its keywords (no angle brackets: the generated
  // docs put summaries in HTML tables).
  let summary = "GatedNorm gate activation (#rescale.gate_activation: sigmoid, "
                "tanh, silu or identity)";
  let description = [{
    The activation applied to GatedNorm's gate logits (§3.4). `sigmoid` is
    the paper's choice and the default; `tanh`, `silu` and `identity` are its
    gate ablation.

    ```mlir
    {gate_activation = #rescale.gate_activation<tanh>}
    ```
  }];
  let assemblyFormat = "`<` $value `>`";
}

def Rescale_GateKind : I32EnumAttr<"GateKind",
    "shape of the sigmoid output gate of gated attention (§3.2)", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"headwise", 1>,
      I32EnumAttrCase<"elementwise", 2>,
    ]> {
  let cppNamespace = "::mlir::rescale";
  let genSpecializedAttr = 0;
  let parameterParser = Rescale_EnumKeywordParser<"GateKind", "gate_kind",
      "none, headwise or elementwise">.parser;
}
def Rescale_GateKindAttr
    : EnumAttr<Rescale_Dialect, Rescale_GateKind, "gate_kind"> {
  let summary = "attention output gate shape (#rescale.gate_kind: none, "
                "headwise or elementwise)";
  let description = [{
    Whether `rescale.attention` has a sigmoid output gate (§3.2) and its
    shape: `none` (the default, no gate operand), `headwise` (gate
    `[B, Hq, S]`, one value per head and query) or `elementwise` (gate
    `[B, Hq, S, Dv]`).

    ```mlir
    {gate_kind = #rescale.gate_kind<headwise>}
    ```
  }];
  let assemblyFormat = "`<` $value `>`";
}

def Rescale_SoftmaxKind : I32EnumAttr<"SoftmaxKind",
    "normalizer of the attention softmax", [
      I32EnumAttrCase<"standard", 0>,
      I32EnumAttrCase<"off_by_one", 1>,
      I32EnumAttrCase<"learned_sink", 2>,
      I32EnumAttrCase<"sigmoid", 3>,
    ]> {
  let cppNamespace = "::mlir::rescale";
  let genSpecializedAttr = 0;
  let parameterParser = Rescale_EnumKeywordParser<"SoftmaxKind", "softmax",
      "standard, off_by_one, learned_sink or sigmoid">.parser;
}
def Rescale_SoftmaxKindAttr
    : EnumAttr<Rescale_Dialect, Rescale_SoftmaxKind, "softmax"> {
  let summary = "attention softmax normalizer (#rescale.softmax: standard, "
                "off_by_one, learned_sink or sigmoid)";
  let description = [{
    The denominator of the attention softmax: `standard` (the default),
    `off_by_one` (an implicit zero logit, `1 + Σ exp(s)`) or `learned_sink`
    (GPT-OSS: `exp(sinks[h]) + Σ exp(s)`, with a `sinks` operand of shape
    `[Hq]`); or `sigmoid`, no normalization over the keys at all (sigmoid
    attention, the paper's "no attention normalization" ablation): each
    score passes through `p = σ(s + b)` with `b = −log(T)`, T the number of
    keys, and masked keys get p = 0.

    ```mlir
    {softmax = #rescale.softmax<learned_sink>}
    ```
  }];
  let assemblyFormat = "`<` $value `>`";
}

def Rescale_QuantFormat : I32EnumAttr<"QuantFormat",
    "element format of a quantization scheme", [
      I32EnumAttrCase<"int4", 0>,
      I32EnumAttrCase<"int8", 1>,
      I32EnumAttrCase<"fp8", 2>,
      I32EnumAttrCase<"nvfp4", 3>,
      I32EnumAttrCase<"mxfp4", 4>,
    ]> {
  let cppNamespace = "::mlir::rescale";
  let genSpecializedAttr = 0;
}

def Rescale_QuantGranularity : I32EnumAttr<"QuantGranularity",
    "which elements share one scale", [
      I32EnumAttrCase<"per_tensor", 0>,
      I32EnumAttrCase<"per_channel", 1>,
      I32EnumAttrCase<"per_token", 2>,
      I32EnumAttrCase<"per_block", 3>,
    ]> {
  let cppNamespace = "::mlir::rescale";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// Quantization scheme
//===----------------------------------------------------------------------===//

def Rescale_QuantSchemeAttr : AttrDef<Rescale_Dialect, "QuantScheme"> {
  let mnemonic = "quant";
  let summary = "a quantization scheme: element format, scale granularity, block";
  let description = [{
    Describes how a tensor is quantized. Every scheme scales along the last
    dimension unless stated otherwise, and a scale is 1 wherever the max it is
    computed from is 0.

    | format  | granularities                          | block      | elements   | scales |
    |---------|----------------------------------------|------------|------------|--------|
    | `int4`  | per_tensor, per_channel, per_token     | -          | i8 or i4 in [-8, 7] | f32 `s = amax/7` |
    | `int8`  | per_tensor, per_channel, per_token     | -          | i8 in [-128, 127]   | f32 `s = amax/127` |
    | `fp8`   | per_tensor, per_channel, per_token, per_block | 128x128 by default | f8E4M3FN | f32 `s = amax/448` |
    | `nvfp4` | per_tensor, per_token (the second-level scale) | 16 | f4E2M1FN | f8E4M3FN block scales + f32 `S = amax/(6*448)` |
    | `mxfp4` | per_block                              | 32         | f4E2M1FN   | f8E8M0FNU `2^(floor(log2 amax_b) - 2)` |

    Integer rounding is round-to-nearest-even, `q = clamp(round(x/s), -qmax-1, qmax)`.
    Float element rounding is to nearest-even and saturating.

    NVFP4: `S = amax/(6*448)`, `s_b = e4m3(amax_b/6/S)`, elements
    `e2m1(x/(s_b*S))`. A block whose `amax_b/6/S` is below half of E4M3's
    smallest subnormal (a block far smaller than the tensor's outlier) gets
    `s_b = 0` and quantizes to zeros.

    `per_channel` (one scale per output row of a weight) and `per_token` (one
    scale per row of an activation) compute the same thing, one scale per row
    along the last dimension; the name records the intent.

    Syntax:
    ```mlir
    #rescale.quant<int8, per_channel>
    #rescale.quant<int4, per_token>
    #rescale.quant<fp8, per_block, block = [128, 128]>
    #rescale.quant<nvfp4, per_tensor>
    #rescale.quant<mxfp4>
    ```
  }];
  let parameters = (ins
    EnumParameter<Rescale_QuantFormat>:$format,
    EnumParameter<Rescale_QuantGranularity>:$granularity,
    OptionalArrayRefParameter<"int64_t">:$block
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The block shape along the trailing dimensions; empty when unblocked.
    /// Fills in the scheme's default (16 for nvfp4, 32 for mxfp4, 128x128 for
    /// blocked fp8) when the attribute does not spell it.
    ::llvm::SmallVector<int64_t> getBlockShape() const;
    /// Largest magnitude of the element format (7, 127, 448, 6).
    double getElementMax() const;
    /// True for the formats whose elements are floating-point grids.
    bool isFloatFormat() const;
    /// Shape of the (first-level) scale tensor for a value of `shape`.
    ::llvm::SmallVector<int64_t> getScaleShape(::llvm::ArrayRef<int64_t> shape) const;
    /// Shape of nvfp4's second-level f32 scale for a value of `shape`.
    ::llvm::SmallVector<int64_t> getGlobalScaleShape(::llvm::ArrayRef<int64_t> shape) const;
    /// Element type of the quantized values (i8, f8E4M3FN, f4E2M1FN).
    ::mlir::Type getStorageType() const;
    /// Element type of the first-level scales (f32, f8E4M3FN, f8E8M0FNU).
    ::mlir::Type getScaleType() const;
    /// True when the scheme has a second-level scale (nvfp4).
    bool hasGlobalScale() const;
  }];
}

#endif // RESCALE_ATTRS_TD
