//===- LinearNames.h - stable names of linears and probe results -*- C++
//-*-===//
//
// The quantization and instrumentation passes and the calibration file talk
// about linears by name, so the name must not depend on how the IR was
// printed: a linear whose location is a NameLoc (`loc("layer0.q_proj")`) is
// called by that name; any other is `<func>/linear<N>`, N counting the
// linears of its function in walk order from 0. Probe results carry the
// attribute `rescale.probe = {kind = "...", name = "..."}` (or `names`
// = [...]), which the
// compiler copies into the manifest (docs/quantization.md).
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_PASSES_LINEARNAMES_H
#define RESCALE_PASSES_LINEARNAMES_H

#include "dialect/RescaleOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir::rescale {

/// Calls `fn(linear, name)` for every rescale.linear under `root`, in walk
/// order, with the name described above.
void forEachNamedLinear(Operation *root,
                        function_ref<void(LinearOp, StringRef)> fn);

/// The result attribute that marks a function result as a probe.
constexpr llvm::StringLiteral kProbeAttrName = "rescale.probe";

/// A unit attribute that makes any single-result op a norm for
/// --rescale-instrument-sinks: its operand 0 is probed as a norm input and
/// its result as the norm's output. The model builder sets it on the
/// identity "norm" (x ⊙ w) of `norm = none`, which has no norm op, so that
/// the no-normalization ablation's residual stream is measured like every
/// other variant's.
constexpr llvm::StringLiteral kNormSiteAttrName = "rescale.norm_site";

/// A unit attribute on the multiplication g ⊙ y that applies a norm's gate
/// where the gate is written out of ops (after a norm other than RMSNorm,
/// whose gated form is rescale.gated_norm): operand 0 is the gate (one value
/// per element, or per token broadcast over the channels), operand 1 the
/// normalized y. --rescale-instrument-sinks with `gate-probes` probes both.
constexpr llvm::StringLiteral kNormGateAttrName = "rescale.norm_gate";

/// A unit attribute on a norm op inside a sublayer, which does not read the
/// residual stream (the per-head output norm of a linear-attention layer):
/// --rescale-instrument-sinks leaves it out of the residual statistics.
constexpr llvm::StringLiteral kInnerNormAttrName = "rescale.inner_norm";

/// `{kind = <kind>, name = <name>}`, or `{kind = <kind>, names = [...]}`
/// for a probe that measures several things at once (one input read by
/// several linears).
DictionaryAttr makeProbeAttr(MLIRContext *ctx, StringRef kind,
                             ArrayRef<std::string> names);

} // namespace mlir::rescale

#endif // RESCALE_PASSES_LINEARNAMES_H
