//===- Data.h - Token data: loading, split, batches -------------*- C++ -*-===//
//
// Tokens come from any text file (byte-level: one token per byte, vocab 256)
// or a 1-D .npy of token ids (uint8, uint16 or int32). The last
// `valFraction` of the tokens is the validation split, the rest the training
// split. Training batches are windows of seq+1 tokens (window w starts at token
// w*seq), visited in a fresh random order each epoch; the order comes from a
// generator whose state at the start of the epoch is part of the data
// position, so a restored position continues with exactly the same windows.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_TRAINER_DATA_H
#define RESCALE_TRAINER_DATA_H

#include "rescale/runtime/Status.h"
#include "rescale/trainer/Rng.h"

#include <cstdint>
#include <string>
#include <vector>

namespace rescale::trainer {

struct TokenData {
  std::vector<int32_t> tokens;
  int64_t trainCount = 0; // tokens[0, trainCount) train, the rest validation
  std::string checksum;   // FNV-1a 64 of the file's bytes
};

/// Load `path` and split it. Errors: a missing file, a .npy of another dtype
/// or rank, a token id outside [0, vocabSize), or too few tokens for one
/// training window and `batch` validation windows of seq+1 tokens.
runtime::Expected<TokenData> loadTokenData(const std::string &path,
                                           int64_t vocabSize,
                                           double valFraction, int64_t batch,
                                           int64_t seq);

/// Where the training stream stands: epoch, windows already taken in it, and
/// the generator state the epoch's order was drawn from.
struct DataPosition {
  int64_t epoch = 0;
  int64_t index = 0;
  std::string epochRng;
};

class TrainBatches {
public:
  TrainBatches(const TokenData &data, int64_t batch, int64_t seq,
               uint64_t seed);
  /// Fill `out` (int32 [batch, seq+1], row-major) with the next batch.
  void next(int32_t *out);
  DataPosition position() const;
  runtime::Status restore(const DataPosition &position);
  int64_t windows() const { return static_cast<int64_t>(order_.size()); }

private:
  void startEpoch();

  const TokenData &data_;
  int64_t batch_, seq_;
  Rng rng_;
  Rng epochStart_;
  int64_t epoch_ = 0, index_ = 0;
  std::vector<int64_t> order_;
};

/// Validation batches: the validation split's consecutive windows, `batch`
/// at a time, at most `maxBatches` of them (the same ones at every
/// evaluation).
class ValidationBatches {
public:
  ValidationBatches(const TokenData &data, int64_t batch, int64_t seq,
                    int64_t maxBatches);
  int64_t count() const { return count_; }
  void get(int64_t i, int32_t *out) const;

private:
  const TokenData &data_;
  int64_t batch_, seq_, count_;
};

} // namespace rescale::trainer

#endif // RESCALE_TRAINER_DATA_H
