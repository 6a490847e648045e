#include "core/tick_clock.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace tai::internal {
namespace {

#if defined(__x86_64__)

// CPUID 0x80000007, EDX bit 8: the counter ticks at a constant rate in
// every P-, C- and T-state, the condition for using it as a clock.
bool HasInvariantTsc() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_max(0x80000000, nullptr) < 0x80000007) return false;
  __get_cpuid(0x80000007, &eax, &ebx, &ecx, &edx);
  return (edx & (1u << 8)) != 0;
}

struct Anchor {
  uint64_t tsc = 0;
  int64_t mono = 0;
  double ns_per_tick = 0;  // 0: not measured yet
};

constexpr int64_t kAnchorMaxAgeNanos = 100'000'000;
constexpr int64_t kFirstBaselineNanos = 10'000;
constexpr int64_t kToleranceNanos = 100'000;
constexpr double kToleranceFraction = 0.005;

// A counter reading and a monotonic reading taken together: the counter is
// read on both sides of clock_gettime and the tightest of three tries kept,
// so a preemption in between does not skew the pair.
Anchor TakePair() {
  Anchor best;
  uint64_t best_width = UINT64_MAX;
  for (int i = 0; i < 3; ++i) {
    const uint64_t before = __rdtsc();
    const int64_t mono = MonotonicNanos();
    const uint64_t after = __rdtsc();
    if (after - before < best_width) {
      best_width = after - before;
      best.tsc = before + (after - before) / 2;
      best.mono = mono;
    }
  }
  return best;
}

struct Calibration {
  // The first anchor is taken when the library loads, so the first rate has
  // the whole time since then as its baseline.
  Calibration() {
    if (!HasInvariantTsc()) return;
    anchor = TakePair();
    g_tick_clock_uses_tsc.store(true, std::memory_order_relaxed);
  }

  // Takes a new anchor when the current one is stale; called with mu held.
  void RefreshIfStale();

  // Conversions happen on export (a background thread, a few per span),
  // so a mutex is cheap enough and keeps the anchor's three fields
  // consistent.
  std::mutex mu;
  Anchor anchor;
  uint64_t calibrations = 0;
  uint64_t rejected = 0;
};

Calibration& TheCalibration() {
  static Calibration* calibration = new Calibration();  // used until exit
  return *calibration;
}

// Makes sure the first anchor is taken at load, not at the first span.
[[maybe_unused]] const bool g_calibrated_at_load = (TheCalibration(), true);

bool IsStale(const Anchor& a) {
  if (a.ns_per_tick == 0) return true;
  return static_cast<double>(__rdtsc() - a.tsc) * a.ns_per_tick > kAnchorMaxAgeNanos;
}

void Calibration::RefreshIfStale() {
  const Anchor last = anchor;
  if (!IsStale(last)) return;
  Anchor next = TakePair();
  if (last.ns_per_tick == 0) {
    // The first rate: wait out a baseline long enough for the pairs'
    // jitter (tens of nanoseconds) not to matter.
    while (next.mono - last.mono < kFirstBaselineNanos) next = TakePair();
  }
  const int64_t elapsed = next.mono - last.mono;
  const auto ticks = static_cast<int64_t>(next.tsc - last.tsc);
  bool counter_ok = ticks > 0 && elapsed > 0;
  if (counter_ok && last.ns_per_tick != 0) {
    const double predicted = static_cast<double>(ticks) * last.ns_per_tick;
    const double drift = std::abs(predicted - static_cast<double>(elapsed));
    counter_ok = drift <= kToleranceNanos + kToleranceFraction * static_cast<double>(elapsed);
  }
  if (counter_ok) {
    next.ns_per_tick = static_cast<double>(elapsed) / static_cast<double>(ticks);
    // A rate outside 50 MHz..20 GHz is no clock.
    counter_ok = next.ns_per_tick > 0.05 && next.ns_per_tick < 20.0;
  }
  if (!counter_ok) {
    if (g_tick_clock_uses_tsc.exchange(false)) {
      ++rejected;
      // Once per process: timestamps of spans open at this moment may be
      // off by the drift; later spans read clock_gettime.
      std::fprintf(stderr,
                   "tai: the CPU time-stamp counter advanced %lld ticks in %lld ns of "
                   "CLOCK_MONOTONIC, outside its calibration; spans now read clock_gettime\n",
                   static_cast<long long>(ticks), static_cast<long long>(elapsed));
    }
    // Readings already taken still convert, as well as they can.
    next.ns_per_tick = last.ns_per_tick != 0 ? last.ns_per_tick : 1.0;
  }
  anchor = next;
  ++calibrations;
}

#endif  // __x86_64__

}  // namespace

std::atomic<bool> g_tick_clock_uses_tsc{false};

TickConversion TickConversion::Current() {
  TickConversion conversion;
#if defined(__x86_64__)
  Calibration& c = TheCalibration();
  std::lock_guard<std::mutex> lock(c.mu);
  c.RefreshIfStale();
  conversion.anchor_tsc_ = c.anchor.tsc;
  conversion.anchor_mono_ = c.anchor.mono;
  conversion.ns_per_tick_ = c.anchor.ns_per_tick;
#endif
  return conversion;
}

int64_t TickConversion::ToMonotonicNanos(uint64_t ticks) const {
  if ((ticks & kTscReadingBit) == 0) return static_cast<int64_t>(ticks);
  const auto delta = static_cast<int64_t>((ticks & ~kTscReadingBit) - anchor_tsc_);
  return anchor_mono_ + std::llround(static_cast<double>(delta) * ns_per_tick_);
}

TickClockStats GetTickClockStats() {
  TickClockStats stats;
  stats.uses_tsc = g_tick_clock_uses_tsc.load(std::memory_order_relaxed);
#if defined(__x86_64__)
  Calibration& c = TheCalibration();
  std::lock_guard<std::mutex> lock(c.mu);
  stats.tsc_ghz = c.anchor.ns_per_tick != 0 ? 1.0 / c.anchor.ns_per_tick : 0;
  stats.calibrations = c.calibrations;
  stats.tsc_rejected = c.rejected;
#endif
  return stats;
}

}  // namespace tai::internal
