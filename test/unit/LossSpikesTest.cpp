//===- LossSpikesTest.cpp - the sweep's loss-spike rule -------------------===//
//
// `rescale-train sweep --lrs` counts loss spikes per run (docs/experiments.md):
// a step whose training loss exceeds 1.25 x the median of the 10 steps before
// it, consecutive spike steps counted once. The curves here are built so that
// each case sits on one side of the rule.
//
//===----------------------------------------------------------------------===//

#include "rescale/trainer/Sweep.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using rescale::trainer::countLossSpikes;

static std::vector<double> flat(size_t n, double v) {
  return std::vector<double>(n, v);
}

namespace {

TEST(LossSpikes, NoneInASmoothDecreasingCurve) {
  std::vector<double> loss;
  for (int t = 0; t < 100; ++t)
    loss.push_back(5.0 * std::exp(-0.02 * t) + 1.0);
  EXPECT_EQ(countLossSpikes(loss), 0);
}

TEST(LossSpikes, TheFirstTenStepsHaveNoHistory) {
  std::vector<double> loss = flat(10, 1.0);
  loss[5] = 100.0; // no 10 steps before it
  EXPECT_EQ(countLossSpikes(loss), 0);
  EXPECT_EQ(countLossSpikes({}), 0);
}

TEST(LossSpikes, AJumpAboveOneQuarterOverTheMedianCounts) {
  std::vector<double> loss = flat(20, 2.0);
  loss[15] = 2.0 * 1.26;
  EXPECT_EQ(countLossSpikes(loss), 1);
  loss[15] = 2.0 * 1.24; // below the threshold
  EXPECT_EQ(countLossSpikes(loss), 0);
}

TEST(LossSpikes, ConsecutiveSpikeStepsAreOneSpike) {
  std::vector<double> loss = flat(30, 1.0);
  loss[12] = loss[13] = loss[14] = 3.0; // one event
  loss[25] = 3.0;                       // another
  EXPECT_EQ(countLossSpikes(loss), 2);
}

TEST(LossSpikes, TheMedianIgnoresOneOutlierInTheWindow) {
  // A single huge step in the window does not raise the bar for the next.
  std::vector<double> loss = flat(25, 1.0);
  loss[14] = 50.0;
  loss[16] = 1.5;
  EXPECT_EQ(countLossSpikes(loss), 2);
}

} // namespace
