// Internal: turns records into rows, inside the writer's open transaction.
// Keeps the prepared statements, the id of every metric series seen (so a
// point costs one insert) and the previous cumulative point of each series
// (so counters get their increase and histograms their per-interval
// distribution; a counter that went down was reset).
//
// Used only by the writer thread; not synchronised.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "metrics/delta_converter.h"
#include "store/sqlite_db.h"
#include "tai/log/log_record.h"
#include "tai/metrics/metric_data.h"
#include "tai/profile/profile_sink.h"
#include "tai/store/alert_records.h"
#include "tai/store/profile_query.h"
#include "tai/trace/span_data.h"

namespace tai::internal {

// How a series is stored and queried.
enum class SeriesKind { kGauge = 0, kCounter = 1, kHistogram = 2 };
// The public name of a kind: gauge, cumulative (counters), distribution.
MetricType MetricTypeOf(SeriesKind kind);

class Ingester {
 public:
  static Result<std::unique_ptr<Ingester>> Create(Database& db);

  Status AddMetrics(const MetricBatch& batch);
  Status AddSpans(std::span<const SpanData> spans, const std::string& service,
                  uint64_t* bytes_added);
  Status AddLogs(std::span<const LogRecord> records, const std::string& service,
                 uint64_t* bytes_added);
  Status AddProfiles(std::span<const UploadedProfile> profiles, const std::string& service,
                     const std::string& version);
  Status AddAlertEvents(std::span<const AlertEventRecord> events);
  Status AddProfileComparisons(std::span<const ProfileComparisonRecord> comparisons);
  Status AddNotificationAttempts(std::span<const NotificationAttempt> attempts);
  // After a rolled-back transaction: series ids made in it are gone.
  void ForgetSeries() { series_ids_.clear(); }

 private:
  explicit Ingester(Database& db) : db_(db) {}
  Result<int64_t> SeriesId(const MetricData& m, const LabelSet& labels, SeriesKind kind);
  Status AddPoint(int64_t series, SeriesKind kind, const MetricPoint& cumulative,
                  const MetricPoint& delta);

  Database& db_;
  Statement find_series_, insert_series_, insert_point_, insert_span_, insert_log_, insert_profile_,
      insert_alert_event_, insert_notification_, insert_comparison_;
  std::unordered_map<std::string, int64_t> series_ids_;  // metric '\0' labels-json
  DeltaConverter deltas_;
};

SeriesKind SeriesKindOf(const MetricData& m);

}  // namespace tai::internal
