#include "metrics/metric_impl.h"

#include <algorithm>
#include <cmath>

#include "core/text.h"

namespace tai::internal {

Status MetricImpl::ValidateLabels(const LabelSet& labels) const {
  const MetricDescriptor& d = descriptor();
  auto fail = [&](const std::string& why) {
    return InvalidArgumentError("metric '" + d.metric_type + "' labels " + labels.ToString() +
                                ": " + why);
  };
  if (labels.size() > kMaxLabelsPerMetric) {
    return fail(std::to_string(labels.size()) + " labels; the limit is " +
                std::to_string(kMaxLabelsPerMetric));
  }
  for (const auto& [key, value] : labels.labels()) {
    Status s = ValidateLabelKey(key);
    if (!s.ok()) return fail(s.message());
    if (!d.labels.empty() && std::none_of(d.labels.begin(), d.labels.end(),
                                          [&](const LabelDescriptor& l) { return l.key == key; })) {
      std::string declared;
      for (const auto& l : d.labels) declared += (declared.empty() ? "" : ", ") + l.key;
      return fail("label '" + key + "' is not declared (declared: " + declared + ")");
    }
    if (value.size() > kMaxLabelValueLength) {
      return fail("value of '" + key + "' is " + std::to_string(value.size()) +
                  " bytes; the limit is " + std::to_string(kMaxLabelValueLength));
    }
    if (!IsValidUtf8(value)) return fail("value of '" + key + "' is not valid UTF-8");
  }
  return Status::Ok();
}

void GaugeMetric::CollectInto(MetricData& out, int64_t now) {
  ForEach([&](const Entry& e) {
    double v = e.payload->value.load(std::memory_order_relaxed);
    if (!std::isnan(v)) out.points.push_back({e.labels, now, now, MetricValue(v)});
  });
}

HistogramMetric::HistogramMetric(std::shared_ptr<const MetricDescriptor> d, size_t limit,
                                 int64_t start, HistogramOptions options, HistogramData empty)
    : SeriesMetric(std::move(d), InstrumentKind::kHistogram, limit, start,
                   [options] { return std::make_unique<HistogramSeries>(options); }),
      options_(std::move(options)),
      empty_(std::move(empty)) {}

void HistogramMetric::CollectInto(MetricData& out, int64_t now) {
  ForEach([&](const Entry& e) {
    auto snapshot = std::make_shared<HistogramData>(empty_);
    e.payload->recorder.ReadInto(*snapshot);
    snapshot->LimitBuckets(options_.max_buckets);
    out.points.push_back(
        {e.labels, e.start_nanos, now, MetricValue(DistributionValue::FromHistogram(snapshot))});
  });
}

std::string HistogramMetric::settings() const {
  std::string s = options_.explicit_bounds.empty() ? "exponential" : "explicit bounds";
  for (double b : options_.explicit_bounds) {
    s += ' ';
    AppendDouble(s, b);
  }
  return s;
}

Status WrittenMetric::Write(const MetricValue& value, const LabelSet& labels, int64_t time_nanos) {
  Status error;
  WrittenPoint* p = Find(labels, &error);
  if (p == nullptr) return error;
  std::lock_guard<std::mutex> lock(p->mu);
  p->value = value;
  p->time_nanos = time_nanos;
  return Status::Ok();
}

void WrittenMetric::CollectInto(MetricData& out, int64_t /*now*/) {
  ForEach([&](const Entry& e) {
    std::lock_guard<std::mutex> lock(e.payload->mu);
    if (e.payload->time_nanos == 0) return;
    const int64_t t = e.payload->time_nanos;
    const int64_t start = descriptor().value_type == MetricType::kGauge ? t : e.start_nanos;
    out.points.push_back({e.labels, std::min(start, t), t, e.payload->value});
  });
}

void CallbackMetric::Add(uint64_t id, ObserveCallback cb) {
  std::lock_guard<std::mutex> lock(mu_);
  callbacks_.emplace(id, std::move(cb));
}

bool CallbackMetric::Remove(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  return callbacks_.erase(id) > 0;
}

size_t CallbackMetric::series_count() const { return last_series_.load(std::memory_order_relaxed); }

namespace {

// Collects what callbacks observe, validating labels and keeping the limit.
class CollectingObserver : public Observer {
 public:
  CollectingObserver(MetricData& out, int64_t start, int64_t now, size_t limit,
                     std::atomic<uint64_t>& rejected_value, std::atomic<uint64_t>& overflowed,
                     const std::function<Status(const LabelSet&)>& validate)
      : out_(out),
        start_(start),
        now_(now),
        limit_(limit),
        rejected_value_(rejected_value),
        overflowed_(overflowed),
        validate_(validate) {}

 protected:
  void ObserveDouble(double v, LabelsView labels) override {
    if (!std::isfinite(v)) {
      rejected_value_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    Push(MetricValue(v), labels);
  }
  void ObserveInt64(int64_t v, LabelsView labels) override { Push(MetricValue(v), labels); }

 private:
  void Push(MetricValue v, LabelsView labels) {
    if (out_.points.size() >= limit_) {
      overflowed_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    LabelSet set(labels);
    if (!validate_(set).ok()) return;  // counted by the validator
    out_.points.push_back({std::move(set), start_, now_, std::move(v)});
  }

  MetricData& out_;
  const int64_t start_, now_;
  const size_t limit_;
  std::atomic<uint64_t>& rejected_value_;
  std::atomic<uint64_t>& overflowed_;
  const std::function<Status(const LabelSet&)>& validate_;
};

}  // namespace

void CallbackMetric::CollectInto(MetricData& out, int64_t now) {
  const int64_t start = kind() == InstrumentKind::kGauge ? now : start_nanos_;
  std::function<Status(const LabelSet&)> validate = [this](const LabelSet& set) {
    Status s = ValidateLabels(set);
    if (!s.ok()) rejected_labels.fetch_add(1, std::memory_order_relaxed);
    return s;
  };
  CollectingObserver observer(out, start, now, limit_, rejected_value, overflowed, validate);
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, cb] : callbacks_) {
    try {
      cb(observer);
    } catch (...) {
      callback_errors_->fetch_add(1, std::memory_order_relaxed);
    }
  }
  last_series_.store(out.points.size(), std::memory_order_relaxed);
}

}  // namespace tai::internal
