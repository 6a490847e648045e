#include "tai/core/clock.h"

#include <time.h>

#include <atomic>
#include <cstdio>

namespace tai {
namespace {

int64_t Read(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

constexpr int64_t kOffsetMaxAge = 100'000'000;

// Wall minus monotonic, and the monotonic time it was read at. Readers race
// benignly: each load is atomic, and a stale pair is at most one refresh old.
std::atomic<int64_t> g_wall_offset{0};
std::atomic<int64_t> g_offset_read_at{INT64_MIN / 2};

}  // namespace

int64_t WallNanosAt(int64_t monotonic_nanos) {
  if (monotonic_nanos - g_offset_read_at.load(std::memory_order_relaxed) > kOffsetMaxAge) {
    const int64_t wall = WallNanos();
    const int64_t mono = MonotonicNanos();
    g_wall_offset.store(wall - mono, std::memory_order_relaxed);
    g_offset_read_at.store(mono, std::memory_order_relaxed);
  }
  return monotonic_nanos + g_wall_offset.load(std::memory_order_relaxed);
}

int64_t WallNanos() { return Read(CLOCK_REALTIME); }
int64_t MonotonicNanos() { return Read(CLOCK_MONOTONIC); }
int64_t ProcessCpuNanos() { return Read(CLOCK_PROCESS_CPUTIME_ID); }

std::string FormatRfc3339(int64_t wall_nanos) {
  int64_t secs = wall_nanos / 1'000'000'000;
  int64_t nanos = wall_nanos % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --secs;
  }
  time_t t = static_cast<time_t>(secs);
  tm utc;
  gmtime_r(&t, &utc);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<long long>(nanos));
  return buf;
}

}  // namespace tai
