// Internal: the clock spans read at start and end. On x86-64 with an
// invariant time-stamp counter one reading is `rdtsc` (about 10 ns here,
// against 22 ns for clock_gettime through the vDSO on a kvm-clock guest);
// elsewhere it is CLOCK_MONOTONIC. Readings are converted to nanoseconds
// only when a span is exported, so the clean unsampled spans that are never
// exported pay for the read alone.
//
// Conversion maps ticks onto CLOCK_MONOTONIC through an anchor (a counter
// reading and a monotonic reading taken together) and a rate measured
// between the last two anchors, re-taken when the last is more than 100 ms
// old. Each new anchor cross-checks the counter against CLOCK_MONOTONIC:
// when the counter drifts from it by more than 100 us plus 0.5% of the time
// between anchors (a migrated VM, a counter that stopped or jumped), new
// readings use CLOCK_MONOTONIC for the rest of the process, and the event
// is counted and said once on stderr. A reading says which clock it came
// from (its top bit), so a span that straddles the switch still converts.
//
// Thread-safe. ReadTicks is async-signal-safe; a conversion takes a mutex
// (conversions run on export, off the application's threads).
#pragma once

#include <atomic>
#include <cstdint>

#include "tai/core/clock.h"

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace tai::internal {

// Set on readings of the time-stamp counter; clear on nanoseconds.
inline constexpr uint64_t kTscReadingBit = uint64_t{1} << 63;

// True while readings come from the time-stamp counter.
extern std::atomic<bool> g_tick_clock_uses_tsc;

inline uint64_t ReadTicks() {
#if defined(__x86_64__)
  if (g_tick_clock_uses_tsc.load(std::memory_order_relaxed)) return __rdtsc() | kTscReadingBit;
#endif
  return static_cast<uint64_t>(MonotonicNanos());
}

// The calibration at one moment, for converting several readings with one
// look at it (a span's start and end).
class TickConversion {
 public:
  // Refreshes the calibration first when it is stale.
  static TickConversion Current();
  // The CLOCK_MONOTONIC time of a reading.
  int64_t ToMonotonicNanos(uint64_t ticks) const;

 private:
  uint64_t anchor_tsc_ = 0;
  int64_t anchor_mono_ = 0;
  double ns_per_tick_ = 1.0;
};

inline int64_t TicksToMonotonicNanos(uint64_t ticks) {
  if ((ticks & kTscReadingBit) == 0) return static_cast<int64_t>(ticks);
  return TickConversion::Current().ToMonotonicNanos(ticks);
}

struct TickClockStats {
  bool uses_tsc = false;
  double tsc_ghz = 0;         // the measured rate, 0 before the first conversion
  uint64_t calibrations = 0;  // anchors taken
  uint64_t tsc_rejected = 0;  // 1 once the cross-check failed
};
TickClockStats GetTickClockStats();

}  // namespace tai::internal
