//===- Probes.h - probe outputs and the reports built from them -*- C++ -*-===//
//
// Instrumentation passes (--rescale-instrument-absmax, ...) add "probe"
// results to entry points: ordinary outputs that carry statistics rather
// than the program's value. The compiler lists them in the manifest, per
// entry:
//
//   "probes": [{"output": 1, "kind": "absmax", "name": "main/linear0"}]
//
// and rescale-run turns them into reports. Formats: docs/quantization.md.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_RUNTIME_PROBES_H
#define RESCALE_RUNTIME_PROBES_H

#include "rescale/runtime/Export.h"
#include "rescale/runtime/HostTensor.h"
#include "rescale/runtime/Status.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rescale::runtime {

struct ProbeSpec {
  size_t output = 0; // index into the entry's outputs
  std::string kind;  // "absmax", ...
  std::string name;  // what it measures, e.g. the linear's name
};

struct EntryProbes {
  std::string entry;
  std::vector<ProbeSpec> probes;
};

/// Adds each entry's "probes" list to the manifest file at `manifestPath`
/// (rewriting it). Entries not named keep no list.
RESCALE_RUNTIME_API Status addProbesToManifest(
    const std::string &manifestPath, const std::vector<EntryProbes> &probes);

/// The probes of `entry` in the manifest file; empty when it lists none.
RESCALE_RUNTIME_API Expected<std::vector<ProbeSpec>>
readProbes(const std::string &manifestPath, const std::string &entry);

/// The probes of `entry` in a manifest's text.
RESCALE_RUNTIME_API Expected<std::vector<ProbeSpec>>
parseProbes(std::string_view manifestText, const std::string &entry);

/// The "absmax" table of a calibration file, by linear name, in file order.
using AbsmaxTable = std::vector<std::pair<std::string, std::vector<double>>>;

/// Reads a calibration file's text (format above); errors say what is wrong
/// ("not a calibration file: ...", or the JSON error with its offset).
RESCALE_RUNTIME_API Expected<AbsmaxTable>
parseAbsmaxCalibration(std::string_view text);

/// Writes the SmoothQuant calibration file from the "absmax" probes among
/// `probes` (each output an f32 [K] tensor):
///   {"format": "rescale-calibration", "version": 1,
///    "absmax": {"main/linear0": [...], ...}}
/// Fails when there is no absmax probe, or a maximum is not finite (JSON has
/// no NaN or inf, and SmoothQuant cannot use one). With `accumulate`, an
/// existing file at `path` is read first and each channel keeps the larger
/// of its value and this call's: calibration over several batches, one call
/// each. The file must then name exactly these linears with the same channel
/// counts (it comes from the same model), else nothing is written.
RESCALE_RUNTIME_API Status writeAbsmaxCalibration(
    const std::string &path, const std::vector<ProbeSpec> &probes,
    const std::vector<HostTensor> &outputs, bool accumulate = false);

/// Writes the sink report (docs/sink-report.md) of one call of `entry` from
/// its "first_token_share" probes (f32 [B, Hq]) and "norm_input" probes
/// (f32 |x|, [..., d]): per-head first-token share (mean over the batch),
/// the sink rate (fraction of (attention, head) pairs with share >=
/// `threshold`), and per norm the peak and median |x| and the 3 hidden
/// dimensions with the largest mean |x|; from "gate_input" (|y| before a
/// gate) and "gate" probes of the same name, per gated norm the rank
/// correlation of the gate with the magnitude it rescales. Fails when there
/// is no such probe.
RESCALE_RUNTIME_API Status
writeSinkReport(const std::string &path, const std::string &entry,
                const std::vector<ProbeSpec> &probes,
                const std::vector<HostTensor> &outputs, double threshold = 0.3);

} // namespace rescale::runtime

#endif // RESCALE_RUNTIME_PROBES_H
