//===- Rng.cpp - The trainer's random numbers, with saveable state --------===//
#include "rescale/trainer/Rng.h"

#include <cmath>
#include <cstdio>

namespace rescale::trainer {

static uint64_t splitmix64(uint64_t &x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

Rng::Rng(uint64_t seed, uint64_t stream) {
  uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ull);
  for (uint64_t &w : s_)
    w = splitmix64(x);
}

uint64_t Rng::next() {
  uint64_t result = rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Rng::normal() {
  double u1 = 1.0 - uniform(); // (0, 1]: log is finite
  double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

uint64_t Rng::below(uint64_t n) {
  // Reject the top partial block so every residue is equally likely.
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  for (;;) {
    uint64_t x = next();
    if (x < limit)
      return x % n;
  }
}

std::string Rng::stateString() const {
  std::string s;
  char buf[17];
  for (size_t i = 0; i < s_.size(); ++i) {
    std::snprintf(buf, sizeof(buf), "%016llx",
                  static_cast<unsigned long long>(s_[i]));
    s += (i ? ":" : "") + std::string(buf);
  }
  return s;
}

bool Rng::setStateString(const std::string &text) {
  if (text.size() != 4 * 16 + 3)
    return false;
  std::array<uint64_t, 4> s{};
  for (size_t i = 0; i < 4; ++i) {
    if (i && text[i * 17 - 1] != ':')
      return false;
    uint64_t w = 0;
    for (size_t j = 0; j < 16; ++j) {
      char c = text[i * 17 + j];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                     : -1;
      if (d < 0)
        return false;
      w = (w << 4) | static_cast<uint64_t>(d);
    }
    s[i] = w;
  }
  if ((s[0] | s[1] | s[2] | s[3]) == 0)
    return false;
  s_ = s;
  return true;
}

} // namespace rescale::trainer
