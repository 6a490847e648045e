// StoreStats: what the embedded store's writer has done, per signal: records
// committed and dropped (queue full, failed commit, shutdown), the last
// error. Observability publishes `dropped` as tai_store_dropped_total{signal}.
//
// A value type (a snapshot). Not synchronised.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tai {

// kAlerts: the alert history (alert events and notification attempts).
enum class StoreSignal { kMetrics, kSpans, kLogs, kProfiles, kAlerts };
inline constexpr size_t kStoreSignalCount = 5;
// "metrics", "spans", "logs", "profiles", "alerts": the label value of the
// self-metrics.
std::string_view StoreSignalName(StoreSignal signal);

struct StoreStats {
  // Indexed by StoreSignal; metric records are points.
  std::array<uint64_t, kStoreSignalCount> written{};
  std::array<uint64_t, kStoreSignalCount> dropped{};
  uint64_t commits = 0;
  uint64_t failed_commits = 0;
  std::string last_error;  // "" when the last commit succeeded
  // The latest failed commit, kept after later commits succeed (a full file
  // fails big batches while small ones still fit): its error and its time
  // on the store's clock (Unix nanoseconds); "" and 0 when none failed.
  std::string last_failure;
  int64_t last_failure_unix_nanos = 0;
  // Why the last background housekeeping pass (rollups, retention, the
  // rollup archive) failed; "" when it succeeded.
  std::string maintenance_error;

  uint64_t written_of(StoreSignal s) const { return written[static_cast<size_t>(s)]; }
  uint64_t dropped_of(StoreSignal s) const { return dropped[static_cast<size_t>(s)]; }
};

}  // namespace tai
