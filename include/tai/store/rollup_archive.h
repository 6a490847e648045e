// Rollup archives: what the embedded store does with daily rollups past
// their retention when RetentionOptions::archive_directory is set. Each
// expired day becomes one gzip file of JSON lines,
// "<store file stem>-daily-YYYY-MM-DD.jsonl.gz" (the UTC day), one line per
// series, written and synced before the day leaves the store. The lines
// keep everything a rollup has (count, sum, min, max, last, increase and
// the merged histogram, buckets included), so percentiles of an archived
// day stay exact to the histogram's bound; `zcat | jq` reads them, and
// ReadRollupArchive turns a file back into values.
//
// Line format (fields absent or null when unknown):
//   {"metric":"http.server.request.duration","labels":{"route":"/pay"},
//    "kind":"DISTRIBUTION","unit":"ms","start":"2026-11-02T00:00:00.000000000Z",
//    "start_unix_nanos":...,"end_unix_nanos":...,"count":86400,"sum":...,
//    "min":...,"max":...,"last":...,"increase":0,
//    "histogram":{"layout":"exponential","count":...,"sum":...,"min":...,
//                 "max":...,"mean":...,"sum_of_squared_deviation":...,
//                 "scale":3,"zero_count":0,
//                 "positive":{"offset":-12,"counts":[...]},
//                 "negative":{"offset":0,"counts":[]}}}
// An explicit-bounds histogram has "layout":"explicit", "bounds" and
// "counts" (one more count than bounds: the last bucket is +Inf) instead
// of the exponential fields.
//
// Value types and a free function; thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "tai/core/labels.h"
#include "tai/core/status.h"
#include "tai/metrics/histogram_data.h"
#include "tai/metrics/metric_descriptor.h"

namespace tai {

// One series' cell of one archived day.
struct ArchivedRollup {
  std::string metric;
  LabelSet labels;
  MetricType kind = MetricType::kGauge;  // kCumulative: a counter
  std::string unit;
  int64_t start_unix_nanos = 0;  // the day's start (UTC midnight)
  int64_t end_unix_nanos = 0;    // exclusive
  uint64_t count = 0;            // points (histograms: observations)
  double sum = 0;
  double min = std::numeric_limits<double>::quiet_NaN();  // NaN when unknown
  double max = std::numeric_limits<double>::quiet_NaN();
  double last = std::numeric_limits<double>::quiet_NaN();
  double increase = 0;  // counters: the day's increase, resets handled
  // Histograms: the day's observations; gauges: the distribution of their
  // values. Absent for counters.
  std::optional<HistogramData> histogram;
};

// The archive's file limits: larger files, or lines that do not parse as
// the format above, are refused naming the file (and the line).
inline constexpr size_t kMaxRollupArchiveBytes = size_t{1} << 30;  // inflated

// Every line of one archive file, in file order.
Result<std::vector<ArchivedRollup>> ReadRollupArchive(const std::string& path);

}  // namespace tai
