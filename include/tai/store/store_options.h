// StoreOptions: where the embedded store keeps its file, how much it queues
// before dropping, and how long each kind of data is kept. Every field says
// its default; the defaults are the original design's retention policy.
//
// A value type. Not synchronised.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace tai {

// How long each tier and signal is kept, and the size caps that apply first.
struct RetentionOptions {
  std::chrono::nanoseconds raw_points = std::chrono::hours(24);          // 1 day
  std::chrono::nanoseconds hourly_rollups = std::chrono::hours(24 * 7);  // 1 week
  std::chrono::nanoseconds daily_rollups = std::chrono::hours(24 * 31);  // 1 month
  std::chrono::nanoseconds spans = std::chrono::hours(24 * 7);           // 1 week
  std::chrono::nanoseconds logs = std::chrono::hours(24 * 7);            // 1 week
  // Profiles and the comparisons made with them.
  std::chrono::nanoseconds profiles = std::chrono::hours(24 * 31);  // 1 month
  // Alert events and notification attempts.
  std::chrono::nanoseconds alert_history = std::chrono::hours(24 * 31);  // 1 month
  // Oldest first beyond these totals (encoded sizes, close to bytes on disk).
  uint64_t max_span_bytes = uint64_t{1} << 30;  // 1 GiB
  uint64_t max_log_bytes = uint64_t{1} << 30;   // 1 GiB
  // Profiles per (service, kind) beyond which the oldest unpinned go.
  size_t max_profiles_per_kind = 2000;
  // Where daily rollups past `daily_rollups` go: one gzip file of JSON
  // lines per day (tai/store/rollup_archive.h), written before the day
  // leaves the store. "" (the default): they are deleted. An archive that
  // cannot be written keeps the day in the store and is reported once.
  std::string archive_directory;
};

struct StoreOptions {
  // The SQLite file; its directory is created. Default: ./tai-data/<service>.db
  // (Observability fills it from the service name and TAI_STORE_PATH).
  std::string path;
  // Open for reading only (a CLI or dashboard beside a running service):
  // takes no writer lock, has no writer thread, and every write is refused.
  bool read_only = false;
  // Records queued per signal before new ones are dropped and counted: metric
  // points, spans, log records, profiles.
  size_t max_queued_points = 1'000'000;
  size_t max_queued_spans = 200'000;
  size_t max_queued_logs = 200'000;
  size_t max_queued_profiles = 64;
  // Alert events plus notification attempts.
  size_t max_queued_alert_records = 100'000;
  // The writer commits at least this often while data arrives.
  std::chrono::milliseconds commit_interval{200};
  // Retention and rollups run every `maintenance_interval` of the injected
  // clock, each pass doing at most `maintenance_step_rows` rows per table so
  // that the writer is never held for long.
  std::chrono::milliseconds maintenance_interval{10'000};
  size_t maintenance_step_rows = 20'000;
  RetentionOptions retention;
  // Caps the file (0: no cap). Past it writes fail as on a full disk: the
  // error is reported once and records are dropped and counted.
  uint64_t max_file_bytes = 0;
  // A query that would return more points than this is refused.
  size_t max_points_per_query = 500'000;
  // Stored rows (points or rollups) one metric query may read before it is
  // refused.
  size_t max_rows_scanned = 20'000'000;
  // A query still running after this is stopped with DEADLINE_EXCEEDED.
  std::chrono::milliseconds query_timeout{10'000};
  // Rows a trace, log or profile search returns at most (a query's own
  // limit is capped at this).
  size_t max_rows_per_query = 10'000;
  // Wall clock in Unix nanoseconds; tests inject a simulated one.
  std::function<int64_t()> clock;
  // Called once per failure episode with the error that made the writer drop
  // records (full disk, I/O error), from the writer thread. Default: stderr.
  std::function<void(const std::string&)> on_error;
};

}  // namespace tai
