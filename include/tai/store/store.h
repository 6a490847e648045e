// Store: the embedded SQLite store (WAL mode) that keeps every signal on
// local disk, with retention tiers and rollups, behind one query API that
// the dashboard, the CLI and the alert engine all read through.
//
//   auto store = tai::Store::Open({.path = "./tai-data/checkout.db"});
//   if (!store.ok()) { ... store.status().message() names the file and why ... }
//   (*store)->AddMetrics(batch);                  // never waits
//   auto p99 = (*store)->QueryRange({.metric = "http/latency", ...});
//
// Writing: the Add* calls copy or share the records into a bounded queue
// per signal and return at once; one background writer thread commits them
// in batched transactions. A full queue drops the new records and counts
// them (stats().dropped). A failed commit (full disk, I/O error) drops the
// batch, counts it and reports the error once per episode.
//
// Exactly one process writes a file: Open takes an exclusive lock on
// "<path>.lock" and a second writer gets FAILED_PRECONDITION naming the
// file. Any number of read-only opens (StoreOptions::read_only) may run
// beside the writer; readers see only committed batches and never block it.
//
// Owned by the application or Observability (unique_ptr). Thread-safe:
// queries run on the caller's thread with their own connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tai/core/resource.h"
#include "tai/core/status.h"
#include "tai/log/log_sink.h"
#include "tai/metrics/metric_data.h"
#include "tai/profile/profile.h"
#include "tai/profile/profile_sink.h"
#include "tai/store/alert_records.h"
#include "tai/store/log_query.h"
#include "tai/store/metric_query.h"
#include "tai/store/profile_query.h"
#include "tai/store/store_options.h"
#include "tai/store/store_stats.h"
#include "tai/store/trace_query.h"
#include "tai/trace/span_data.h"

namespace tai {

namespace internal {
class StoreWriter;
class ReaderPool;
}  // namespace internal

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(StoreOptions options);
  // Commits what is queued (within a few seconds), then stops the writer.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const { return options_.path; }
  bool read_only() const { return options_.read_only; }

  // Writes: queued for the writer thread; never wait on the disk.
  // Cumulative batches (the collector's default); counters keep their total
  // and their increase, histograms their per-interval distribution.
  void AddMetrics(std::shared_ptr<const MetricBatch> batch);
  void AddSpans(const SpanBatch& spans, const Resource& resource);
  void AddLogs(const LogBatch& batch);
  void AddProfiles(std::span<const UploadedProfile> profiles, const Resource& resource);
  // Alert history, from the alert engine and the notification dispatcher.
  void AddAlertEvents(std::vector<AlertEventRecord> events);
  void AddNotificationAttempts(std::vector<NotificationAttempt> attempts);
  // The continuous profiler's comparisons with its baseline (counted with
  // the profiles' queue and signal).
  void AddProfileComparisons(std::vector<ProfileComparisonRecord> comparisons);
  // A baseline is pinned: retention keeps it however old it is.
  Status PinProfile(int64_t row_id, bool pinned);

  // Waits until everything queued before the call is committed (or dropped),
  // at most `timeout`.
  Status Flush(std::chrono::milliseconds timeout);
  // Runs retention and rollups to completion now rather than in background
  // steps (tests, `taiobs store compact`).
  Status RunMaintenance(std::chrono::milliseconds timeout);
  StoreStats stats() const;

  // Metrics.
  Result<std::vector<std::string>> MetricNames() const;
  // Name, kind and unit of every stored metric, by name (the kind and unit
  // of its first series when series disagree).
  Result<std::vector<MetricSummary>> MetricSummaries() const;
  Result<std::vector<LatestPoint>> Latest(std::string_view metric,
                                          const std::vector<LabelMatcher>& matchers = {}) const;
  Result<MetricRangeResult> QueryRange(const MetricRangeQuery& query) const;
  Result<WindowStatistics> Statistics(std::string_view metric,
                                      const std::vector<LabelMatcher>& matchers,
                                      int64_t start_nanos, int64_t end_nanos) const;
  // Traces: newest first.
  Result<std::vector<StoredSpan>> SearchSpans(const TraceQuery& query) const;
  // Every span of the trace, by start time; NOT_FOUND when none is stored.
  Result<std::vector<StoredSpan>> GetTrace(const TraceId& trace_id) const;
  // Logs: newest first.
  Result<std::vector<StoredLog>> SearchLogs(const LogQuery& query) const;
  // Alert history: newest first.
  Result<std::vector<AlertEventRecord>> SearchAlertEvents(const AlertEventQuery& query) const;
  Result<std::vector<NotificationAttempt>> SearchNotifications(
      const NotificationQuery& query) const;
  // Profiles.
  Result<std::vector<StoredProfileInfo>> ListProfiles(const ProfileQuery& query) const;
  Result<Profile> GetProfile(int64_t row_id) const;
  // The profiles the query lists, merged into one (same sample types needed);
  // NOT_FOUND when it lists none.
  Result<Profile> MergeProfiles(const ProfileQuery& query) const;
  // Comparison history: newest first.
  Result<std::vector<ProfileComparisonRecord>> SearchProfileComparisons(
      const ProfileComparisonQuery& query) const;

  // While the returned object lives, queries running now stop within
  // milliseconds (DEADLINE_EXCEEDED) and new ones fail at once
  // (UNAVAILABLE); writes go on. For an owner about to stop the server that
  // runs queries for clients (the dashboard's), so that its stop does not
  // wait out query_timeout. Must not outlive the store.
  class QueryCancellation {
   public:
    explicit QueryCancellation(internal::ReaderPool* readers);
    ~QueryCancellation();
    QueryCancellation(QueryCancellation&& other) noexcept
        : readers_(std::exchange(other.readers_, nullptr)) {}
    QueryCancellation(const QueryCancellation&) = delete;
    QueryCancellation& operator=(const QueryCancellation&) = delete;
    QueryCancellation& operator=(QueryCancellation&&) = delete;

   private:
    internal::ReaderPool* readers_;
  };
  [[nodiscard]] QueryCancellation CancelQueries() const;

 private:
  explicit Store(StoreOptions options);
  int64_t Now() const { return options_.clock(); }

  StoreOptions options_;
  int lock_fd_ = -1;
  std::unique_ptr<internal::ReaderPool> readers_;
  std::unique_ptr<internal::StoreWriter> writer_;
};

// "./tai-data/<service>.db", the service name made safe for a file name.
std::string DefaultStorePath(std::string_view service_name);

}  // namespace tai
