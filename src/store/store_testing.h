// Test support for the store's tests: a store in a temporary directory
// with a settable clock, and builders for metric batches, spans, log
// records and profiles.
//
// Owned by one test; not thread-safe (the clock is atomic so the writer
// thread may read it).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/temp_dir_testing.h"
#include "tai/metrics/metric_data.h"
#include "tai/store/store.h"
#include "tai/trace/span_data.h"

namespace tai::testing {

inline constexpr int64_t kSecond = 1'000'000'000;
inline constexpr int64_t kMinute = 60 * kSecond;
inline constexpr int64_t kHour = 60 * kMinute;
inline constexpr int64_t kDay = 24 * kHour;
// An hour boundary, so that tests can reason about rollup buckets.
inline constexpr int64_t kBaseTime = int64_t{1'700'000'000} / 86'400 * 86'400 * kSecond;

class TestStore {
 public:
  explicit TestStore(StoreOptions options = {}) : options_(std::move(options)) {
    if (options_.path.empty()) options_.path = dir_.path() + "/test.db";
    options_.clock = [this] { return now_.load(); };
  }
  Result<std::unique_ptr<Store>> Open() { return Store::Open(options_); }
  Result<std::unique_ptr<Store>> OpenReadOnly() {
    StoreOptions o = options_;
    o.read_only = true;
    return Store::Open(o);
  }
  void set_now(int64_t t) { now_ = t; }
  int64_t now() const { return now_; }
  const std::string& path() const { return options_.path; }
  const std::string& dir() const { return dir_.path(); }
  StoreOptions& options() { return options_; }

 private:
  TempDir dir_;
  StoreOptions options_;
  std::atomic<int64_t> now_{kBaseTime};
};

inline std::shared_ptr<const MetricDescriptor> Descriptor(const std::string& type,
                                                          MetricType value_type) {
  return std::make_shared<const MetricDescriptor>(
      MetricDescriptor{.metric_type = type, .value_type = value_type});
}

// One metric with one point per series at `time`.
inline MetricData OneMetric(std::shared_ptr<const MetricDescriptor> d, InstrumentKind kind,
                            std::vector<MetricPoint> points) {
  MetricData m;
  m.descriptor = std::move(d);
  m.kind = kind;
  m.points = std::move(points);
  return m;
}

inline std::shared_ptr<const MetricBatch> Batch(std::vector<MetricData> metrics, int64_t time) {
  auto b = std::make_shared<MetricBatch>();
  b->time_nanos = time;
  b->metrics = std::move(metrics);
  return b;
}

inline MetricPoint Point(LabelSet labels, int64_t time, MetricValue value) {
  return MetricPoint{std::move(labels), kBaseTime - kHour, time, std::move(value)};
}

inline MetricValue Distribution(const HistogramData& cumulative) {
  return DistributionValue::FromHistogram(std::make_shared<HistogramData>(cumulative));
}

inline SpanData MakeSpan(TraceId trace, uint64_t span, uint64_t parent, std::string name,
                         int64_t start, int64_t duration, bool error) {
  SpanData s;
  s.context.trace_id = trace;
  s.context.span_id = SpanId::FromWord(span);
  if (parent) s.parent_span_id = SpanId::FromWord(parent);
  s.name = std::move(name);
  s.start_unix_nanos = start;
  s.end_unix_nanos = start + duration;
  s.status = error ? SpanStatusCode::kError : SpanStatusCode::kOk;
  return s;
}

// The ceil(q*n)-th smallest of `values` (the definition HistogramData uses).
inline double ExactPercentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::max<size_t>(rank, 1) - 1];
}

}  // namespace tai::testing
