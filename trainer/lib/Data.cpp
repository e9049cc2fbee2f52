//===- Data.cpp - Token data: loading, split, batches ---------------------===//
#include "rescale/trainer/Data.h"

#include "rescale/runtime/Npy.h"
#include "rescale/trainer/Files.h"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace rescale::trainer {

using runtime::DType;
using runtime::Expected;
using runtime::HostTensor;
using runtime::Status;

static Expected<std::vector<int32_t>> tokensFromNpy(const std::string &bytes) {
  Expected<HostTensor> t = runtime::parseNpy(
      reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
  if (!t)
    return t.status();
  if (t->rank() != 1)
    return Status::error("expected a 1-D array of token ids, got " +
                         t->typeString());
  std::vector<int32_t> tokens(static_cast<size_t>(t->numElements()));
  switch (t->dtype()) {
  case DType::U8:
    std::copy_n(t->dataAs<uint8_t>(), tokens.size(), tokens.begin());
    break;
  case DType::U16:
    std::copy_n(t->dataAs<uint16_t>(), tokens.size(), tokens.begin());
    break;
  case DType::I32:
    std::copy_n(t->dataAs<int32_t>(), tokens.size(), tokens.begin());
    break;
  default:
    return Status::error("token ids must be uint8, uint16 or int32, got " +
                         t->typeString());
  }
  return tokens;
}

Expected<TokenData> loadTokenData(const std::string &path, int64_t vocabSize,
                                  double valFraction, int64_t batch,
                                  int64_t seq) {
  if (!pathExists(path))
    return Status::error("data file '" + path + "' does not exist");
  Expected<std::string> bytes = readWholeFile(path);
  if (!bytes)
    return bytes.status();
  TokenData data;
  data.checksum = fnv1a64Hex(*bytes);
  static const char kNpyMagic[] = "\x93NUMPY";
  bool isNpy = bytes->compare(0, 6, kNpyMagic) == 0;
  if (isNpy) {
    Expected<std::vector<int32_t>> tokens = tokensFromNpy(*bytes);
    if (!tokens)
      return tokens.status().withContext("data file '" + path + "'");
    data.tokens = tokens.take();
  } else {
    if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0)
      return Status::error("data file '" + path +
                           "' is named .npy but has no .npy header");
    data.tokens.assign(bytes->begin(), bytes->end());
    for (int32_t &t : data.tokens)
      t &= 0xff; // bytes, not signed chars
  }
  for (size_t i = 0; i < data.tokens.size(); ++i)
    if (data.tokens[i] < 0 || data.tokens[i] >= vocabSize)
      return Status::error(
          "data file '" + path + "': token " + std::to_string(i) + " is " +
          std::to_string(data.tokens[i]) +
          ", outside the model's vocabulary [0, " + std::to_string(vocabSize) +
          ")" + (isNpy ? "" : " (text is read as bytes, 256 ids)"));
  int64_t n = static_cast<int64_t>(data.tokens.size());
  int64_t valCount = static_cast<int64_t>(static_cast<double>(n) * valFraction);
  data.trainCount = n - valCount;
  int64_t trainWindows = (data.trainCount - 1) / seq;
  int64_t valWindows = valCount > 0 ? (valCount - 1) / seq : 0;
  if (trainWindows < 1 || valWindows < batch)
    return Status::error(
        "data file '" + path + "' has " + std::to_string(n) +
        " tokens: too few for one training window and " +
        std::to_string(batch) +
        " validation windows of seq+1 = " + std::to_string(seq + 1) +
        " tokens (validation is the last " + std::to_string(valFraction) +
        " of the tokens, " + std::to_string(valCount) + " here)");
  return data;
}

TrainBatches::TrainBatches(const TokenData &data, int64_t batch, int64_t seq,
                           uint64_t seed)
    : data_(data), batch_(batch), seq_(seq), rng_(seed, /*stream=*/2),
      order_(static_cast<size_t>((data.trainCount - 1) / seq)) {
  startEpoch();
}

void TrainBatches::startEpoch() {
  epochStart_ = rng_;
  std::iota(order_.begin(), order_.end(), int64_t(0));
  // Fisher-Yates with our generator: the same order on every platform.
  for (size_t i = order_.size(); i > 1; --i)
    std::swap(order_[i - 1], order_[rng_.below(i)]);
  index_ = 0;
}

void TrainBatches::next(int32_t *out) {
  for (int64_t b = 0; b < batch_; ++b) {
    if (index_ == static_cast<int64_t>(order_.size())) {
      ++epoch_;
      startEpoch();
    }
    int64_t start = order_[static_cast<size_t>(index_++)] * seq_;
    std::memcpy(out + b * (seq_ + 1), data_.tokens.data() + start,
                static_cast<size_t>(seq_ + 1) * sizeof(int32_t));
  }
}

DataPosition TrainBatches::position() const {
  return {epoch_, index_, epochStart_.stateString()};
}

Status TrainBatches::restore(const DataPosition &position) {
  if (position.index < 0 ||
      position.index > static_cast<int64_t>(order_.size()) ||
      position.epoch < 0)
    return Status::error(
        "data position (epoch " + std::to_string(position.epoch) + ", window " +
        std::to_string(position.index) + ") does not fit the data's " +
        std::to_string(order_.size()) + " training windows");
  Rng start;
  if (!start.setStateString(position.epochRng))
    return Status::error("malformed data generator state '" +
                         position.epochRng + "'");
  rng_ = start;
  startEpoch(); // the epoch's order, and rng_ as it was after drawing it
  epoch_ = position.epoch;
  index_ = position.index;
  return Status::ok();
}

ValidationBatches::ValidationBatches(const TokenData &data, int64_t batch,
                                     int64_t seq, int64_t maxBatches)
    : data_(data), batch_(batch), seq_(seq) {
  int64_t valCount = static_cast<int64_t>(data.tokens.size()) - data.trainCount;
  count_ = std::min(maxBatches, ((valCount - 1) / seq) / batch);
}

void ValidationBatches::get(int64_t i, int32_t *out) const {
  for (int64_t b = 0; b < batch_; ++b) {
    int64_t start = data_.trainCount + (i * batch_ + b) * seq_;
    std::memcpy(out + b * (seq_ + 1), data_.tokens.data() + start,
                static_cast<size_t>(seq_ + 1) * sizeof(int32_t));
  }
}

} // namespace rescale::trainer
