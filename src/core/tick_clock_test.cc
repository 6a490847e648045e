#include "core/tick_clock.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "tai/core/clock.h"

namespace tai::internal {
namespace {

// Spins until CLOCK_MONOTONIC has moved `nanos` past `from`.
int64_t SpinUntil(int64_t from, int64_t nanos) {
  int64_t now = MonotonicNanos();
  while (now - from < nanos) now = MonotonicNanos();
  return now;
}

TEST(TickClockTest, ReadingsConvertToTheMonotonicTimeTheyWereTakenAt) {
  for (int i = 0; i < 100; ++i) {
    const int64_t before = MonotonicNanos();
    const uint64_t ticks = ReadTicks();
    const int64_t after = MonotonicNanos();
    const int64_t converted = TicksToMonotonicNanos(ticks);
    // Within the bracket, give or take the calibration's error (a few
    // microseconds at most; 50 us of slack for a preempted read).
    EXPECT_GE(converted, before - 50'000) << i;
    EXPECT_LE(converted, after + 50'000) << i;
  }
}

TEST(TickClockTest, DurationsAgreeWithTheMonotonicClock) {
  const int64_t mono_start = MonotonicNanos();
  const uint64_t tick_start = ReadTicks();
  const int64_t mono_end = SpinUntil(mono_start, 20'000'000);
  const uint64_t tick_end = ReadTicks();
  const int64_t measured = TicksToMonotonicNanos(tick_end) - TicksToMonotonicNanos(tick_start);
  // 20 ms measured both ways agree within 0.1% plus the reads' spacing.
  EXPECT_NEAR(static_cast<double>(measured), static_cast<double>(mono_end - mono_start),
              20'000 + 0.001 * static_cast<double>(mono_end - mono_start));
}

TEST(TickClockTest, SaysWhichClockItUses) {
  const TickClockStats stats = GetTickClockStats();
  const uint64_t ticks = ReadTicks();
  EXPECT_EQ(stats.uses_tsc, (ticks & kTscReadingBit) != 0);
  if (stats.uses_tsc) {
    TicksToMonotonicNanos(ticks);  // calibrates at the latest here
    const TickClockStats calibrated = GetTickClockStats();
    EXPECT_GT(calibrated.tsc_ghz, 0.05);
    EXPECT_LT(calibrated.tsc_ghz, 20.0);
    EXPECT_GE(calibrated.calibrations, 1u);
    EXPECT_EQ(calibrated.tsc_rejected, 0u);
  }
}

TEST(TickClockTest, MonotonicReadingsConvertToThemselves) {
  // What readings are once the counter is rejected, or where there is none.
  const int64_t now = MonotonicNanos();
  EXPECT_EQ(TicksToMonotonicNanos(static_cast<uint64_t>(now)), now);
}

}  // namespace
}  // namespace tai::internal
