//===- Rng.h - The trainer's random numbers, with saveable state -*- C++
//-*-===//
//
// xoshiro256** (Blackman & Vigna), seeded through splitmix64. Its whole state
// is four words, saved in trainer_state.json, so a resumed run draws exactly
// the numbers an uninterrupted one would. Our own generator rather than
// <random>: std::normal_distribution differs between standard libraries and
// caches a second value that would also need saving.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_TRAINER_RNG_H
#define RESCALE_TRAINER_RNG_H

#include <array>
#include <cstdint>
#include <string>

namespace rescale::trainer {

class Rng {
public:
  /// `stream` separates independent generators of one seed (parameter init,
  /// data order).
  explicit Rng(uint64_t seed = 0, uint64_t stream = 0);

  uint64_t next();
  /// Uniform in [0, 1) with 53 random bits.
  double uniform();
  /// Standard normal (Box-Muller, two uniforms per value, nothing cached).
  double normal();
  /// Uniform in [0, n), unbiased (rejection).
  uint64_t below(uint64_t n);

  std::array<uint64_t, 4> state() const { return s_; }
  void setState(const std::array<uint64_t, 4> &s) { s_ = s; }
  /// "0123456789abcdef:..." (four 16-digit hex words) and back; false on a
  /// malformed string or the all-zero state xoshiro cannot leave.
  std::string stateString() const;
  bool setStateString(const std::string &text);

private:
  std::array<uint64_t, 4> s_{};
};

} // namespace rescale::trainer

#endif // RESCALE_TRAINER_RNG_H
