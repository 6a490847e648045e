// Test and benchmark support: functions that burn a known amount of CPU and
// are never inlined or merged, so that a profile can be checked against
// what they did.
#pragma once

#include <time.h>

#include <cstdint>

namespace tai::profile_testing {

inline int64_t ThreadCpuNanos() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// `iterations` rounds of a dependent integer chain the optimiser cannot fold;
// always inlined, so the CPU shows up in the function that calls it.
__attribute__((always_inline)) inline uint64_t Spin(uint64_t iterations, uint64_t seed) {
  uint64_t x = seed | 1;
  for (uint64_t i = 0; i < iterations; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    asm volatile("" : "+r"(x));
  }
  return x;
}

}  // namespace tai::profile_testing

// Distinct, externally visible functions for the profiles to find by name.
extern "C" {
__attribute__((noinline)) inline uint64_t tai_burn_alpha(uint64_t n) {
  uint64_t r = tai::profile_testing::Spin(n, 1);
  asm volatile("" ::: "memory");
  return r;
}
__attribute__((noinline)) inline uint64_t tai_burn_beta(uint64_t n) {
  uint64_t r = tai::profile_testing::Spin(n, 2);
  asm volatile("" ::: "memory");
  return r;
}
__attribute__((noinline)) inline uint64_t tai_burn_gamma(uint64_t n) {
  uint64_t r = tai::profile_testing::Spin(n, 3);
  asm volatile("" ::: "memory");
  return r;
}
}
