//===- Checkpoint.h - Checkpoints that survive kill -9 ----------*- C++ -*-===//
//
// A checkpoint folder holds Hugging Face-readable files:
//   config.json            the model config (ModelConfig::toJson)
//   model.safetensors      parameters, Hugging Face Llama names, f32
//   optimizer.safetensors  AdamW moments "exp_avg.<name>", "exp_avg_sq.<name>"
//                          and "step" (i64 [])
//   trainer_state.json     step, data position, generator state, the run's
//                          arguments, and the size and FNV-1a 64 checksum of
//                          the three files above (written last)
//
// In a run folder OUT, checkpoints live in OUT/checkpoints/step-NNNNNNNN and
// the symbolic link OUT/checkpoint names the latest. Saving writes every file
// into OUT/checkpoints/.tmp-step-NNNNNNNN and fsyncs it, fsyncs the folder,
// renames it into place, then replaces the link atomically (a new link
// renamed over the old one) and only then removes the previous checkpoint. A
// process killed at any instant leaves OUT/checkpoint naming a complete
// checkpoint: the old one or the new one.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_TRAINER_CHECKPOINT_H
#define RESCALE_TRAINER_CHECKPOINT_H

#include "rescale/runtime/Json.h"
#include "rescale/runtime/Safetensors.h"
#include "rescale/runtime/Status.h"

#include <cstdint>
#include <string>

namespace rescale::trainer {

struct Checkpoint {
  runtime::JsonValue config;
  runtime::SafetensorsFile model;
  runtime::SafetensorsFile optimizer;
  /// trainer_state.json without its "files" member (added on save, checked
  /// and removed on load).
  runtime::JsonValue state;
};

/// Save as OUT/checkpoints/step-<step> and point OUT/checkpoint at it.
runtime::Status saveCheckpoint(const std::string &outDir, int64_t step,
                               const Checkpoint &checkpoint);

/// The link OUT/checkpoint exists (a run has saved at least once).
bool runHasCheckpoint(const std::string &outDir);

/// The folder `path` means: a checkpoint folder itself, or a run folder
/// whose OUT/checkpoint link names one.
runtime::Expected<std::string> resolveCheckpointDir(const std::string &path);

/// Load and verify (sizes and checksums of every file, formats). Errors
/// start with "checkpoint 'DIR': ".
runtime::Expected<Checkpoint> loadCheckpoint(const std::string &dir);

/// Remove what a killed save left under OUT/checkpoints: temporary folders
/// and checkpoints the link does not name.
runtime::Status removeStaleCheckpoints(const std::string &outDir);

} // namespace rescale::trainer

#endif // RESCALE_TRAINER_CHECKPOINT_H
