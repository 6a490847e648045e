// Clocks: wall time for timestamps that leave the process, monotonic time
// for durations (never goes backwards when NTP steps the wall clock).
//
// Free functions over clock_gettime (vDSO: no syscall); thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace tai {

// Nanoseconds since the Unix epoch (CLOCK_REALTIME).
int64_t WallNanos();
// Nanoseconds since an arbitrary point (CLOCK_MONOTONIC); only differences mean anything.
int64_t MonotonicNanos();
// The wall time of a monotonic reading: the reading plus the offset between
// the two clocks, re-read when it is more than 100 ms old. Spans use it to
// read one clock instead of two; the timestamps follow the wall clock
// (including NTP steps) within that refresh period, and durations stay
// exact because both ends come from the monotonic clock.
int64_t WallNanosAt(int64_t monotonic_nanos);
// CPU time used by the whole process, in nanoseconds (CLOCK_PROCESS_CPUTIME_ID).
int64_t ProcessCpuNanos();

// RFC 3339 with nanoseconds in UTC: "2026-01-25T10:30:00.123456789Z".
std::string FormatRfc3339(int64_t wall_nanos);

}  // namespace tai
