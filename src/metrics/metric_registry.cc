#include "tai/metrics/metric_registry.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include "metrics/metric_impl.h"
#include "metrics/self_metric_descriptor.h"
#include "tai/core/clock.h"

namespace tai {
namespace {

std::string Describe(const MetricDescriptor& d, InstrumentKind kind, const std::string& settings) {
  static constexpr const char* kKinds[] = {"counter",   "up-down counter",  "gauge",
                                           "histogram", "callback counter", "written metric"};
  std::string s = std::string(MetricTypeName(d.value_type)) + " " + kKinds[static_cast<int>(kind)] +
                  " with unit '" + d.unit.ucum() + "'";
  if (!d.labels.empty()) {
    s += " and labels [";
    for (size_t i = 0; i < d.labels.size(); ++i) s += (i ? "," : "") + d.labels[i].key;
    s += "]";
  }
  if (!settings.empty()) s += " (" + settings + ")";
  return s;
}

std::vector<std::string> LabelKeys(const MetricDescriptor& d) {
  std::vector<std::string> keys;
  for (const auto& l : d.labels) keys.push_back(l.key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

Status CheckValueType(MetricDescriptor& d, MetricType expected) {
  if (d.value_type == MetricType::kUnspecified) {
    d.value_type = expected;
    return Status::Ok();
  }
  if (d.value_type != expected) {
    return InvalidArgumentError(
        "metric '" + d.metric_type + "' is declared " + std::string(MetricTypeName(d.value_type)) +
        " but this instrument makes " + std::string(MetricTypeName(expected)) + " data");
  }
  return Status::Ok();
}

MetricDescriptor SelfDescriptor(std::string type, MetricType kind, std::string unit,
                                std::string description, std::vector<std::string> labels) {
  MetricDescriptor d;
  d.metric_type = std::move(type);
  d.value_type = kind;
  d.unit = MetricUnit(std::move(unit));
  d.description = std::move(description);
  for (auto& l : labels) d.labels.push_back({std::move(l), "", "string"});
  return d;
}

}  // namespace

MetricRegistry::MetricRegistry(MetricRegistryOptions options,
                               std::shared_ptr<const Resource> resource)
    : options_(options),
      resource_(resource ? std::move(resource) : std::make_shared<Resource>()),
      start_nanos_(WallNanos()) {
  // The registry reports on itself through its own instruments.
  collection_seconds_ =
      CreateHistogram(SelfDescriptor("tai_metric_collection_duration", MetricType::kDistribution,
                                     "s", "Time taken to collect all metrics", {}))
          .value();
  auto per_metric = [this](auto value_of) {
    return [this, value_of](Observer& o) {
      std::vector<internal::MetricImpl*> list;
      {
        std::lock_guard<std::mutex> lock(mu_);
        for (const auto& m : metrics_) list.push_back(m.get());
      }
      for (internal::MetricImpl* m : list) value_of(o, *m);
    };
  };
  AddSelfMetric(SelfDescriptor("tai_metric_rejected", MetricType::kCumulative, "1",
                               "Records refused by an instrument, by reason", {"metric", "reason"}),
                per_metric([](Observer& o, internal::MetricImpl& m) {
                  const std::string& t = m.descriptor().metric_type;
                  if (uint64_t v = m.rejected_value.load(std::memory_order_relaxed)) {
                    o.Observe(v, {{"metric", t}, {"reason", "invalid_value"}});
                  }
                  if (uint64_t v = m.rejected_labels.load(std::memory_order_relaxed)) {
                    o.Observe(v, {{"metric", t}, {"reason", "invalid_labels"}});
                  }
                }));
  AddSelfMetric(
      SelfDescriptor("tai_metric_overflow", MetricType::kCumulative, "1",
                     "Records sent to the overflow series past the cardinality limit", {"metric"}),
      per_metric([](Observer& o, internal::MetricImpl& m) {
        if (uint64_t v = m.overflowed.load(std::memory_order_relaxed)) {
          o.Observe(v, {{"metric", m.descriptor().metric_type}});
        }
      }));
  AddSelfMetric(
      SelfDescriptor("tai_metric_series", MetricType::kGauge, "1", "Series per metric", {"metric"}),
      per_metric([](Observer& o, internal::MetricImpl& m) {
        o.Observe(m.series_count(), {{"metric", m.descriptor().metric_type}});
      }));
  AddSelfMetric(
      SelfDescriptor("tai_metric_callback_errors", MetricType::kCumulative, "1",
                     "Metric callbacks that threw", {}),
      [this](Observer& o) { o.Observe(callback_errors_.load(std::memory_order_relaxed)); });
}

MetricRegistry::~MetricRegistry() = default;

void MetricRegistry::AddSelfMetric(MetricDescriptor d, ObserveCallback callback) {
  // One series per metric or reason: the user's cardinality limit is not for these.
  MetricType type = d.value_type;
  InstrumentKind kind =
      type == MetricType::kCumulative ? InstrumentKind::kObservedCounter : InstrumentKind::kGauge;
  auto added = AddCallback(std::move(d), type, kind, std::numeric_limits<size_t>::max(),
                           std::move(callback));
  assert(added.ok() && "self-metric registration cannot fail");
  (void)added;
}

template <typename Impl, typename... Args>
Result<Impl*> MetricRegistry::GetOrCreate(MetricDescriptor d, MetricType expected,
                                          InstrumentKind kind, Args&&... args) {
  TAI_RETURN_IF_ERROR(CheckValueType(d, expected));
  TAI_RETURN_IF_ERROR(ValidateMetricDescriptor(d));
  auto descriptor = std::make_shared<const MetricDescriptor>(std::move(d));
  auto made = std::make_unique<Impl>(descriptor, std::forward<Args>(args)...);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_type_.find(descriptor->metric_type);
  if (it != by_type_.end()) {
    internal::MetricImpl* have = it->second;
    const MetricDescriptor& hd = have->descriptor();
    auto* same = dynamic_cast<Impl*>(have);
    if (same == nullptr || have->kind() != kind || hd.value_type != descriptor->value_type ||
        hd.unit != descriptor->unit || LabelKeys(hd) != LabelKeys(*descriptor) ||
        have->settings() != made->settings()) {
      return AlreadyExistsError(
          "metric '" + descriptor->metric_type + "' is already registered as " +
          Describe(hd, have->kind(), have->settings()) + "; cannot register it again as " +
          Describe(*descriptor, kind, made->settings()));
    }
    return same;
  }
  Impl* raw = made.get();
  by_type_.emplace(descriptor->metric_type, raw);
  metrics_.push_back(std::move(made));
  return raw;
}

Result<Counter> MetricRegistry::CreateCounter(MetricDescriptor d) {
  TAI_ASSIGN_OR_RETURN(auto m,
                       GetOrCreate<internal::SumMetric<int64_t>>(
                           std::move(d), MetricType::kCumulative, InstrumentKind::kCounter,
                           InstrumentKind::kCounter, options_.cardinality_limit, start_nanos_));
  return Counter(m);
}

Result<DoubleCounter> MetricRegistry::CreateDoubleCounter(MetricDescriptor d) {
  TAI_ASSIGN_OR_RETURN(auto m,
                       GetOrCreate<internal::SumMetric<double>>(
                           std::move(d), MetricType::kCumulative, InstrumentKind::kCounter,
                           InstrumentKind::kCounter, options_.cardinality_limit, start_nanos_));
  return DoubleCounter(m);
}

Result<UpDownCounter> MetricRegistry::CreateUpDownCounter(MetricDescriptor d) {
  TAI_ASSIGN_OR_RETURN(
      auto m, GetOrCreate<internal::SumMetric<int64_t>>(
                  std::move(d), MetricType::kGauge, InstrumentKind::kUpDownCounter,
                  InstrumentKind::kUpDownCounter, options_.cardinality_limit, start_nanos_));
  return UpDownCounter(m);
}

Result<DoubleUpDownCounter> MetricRegistry::CreateDoubleUpDownCounter(MetricDescriptor d) {
  TAI_ASSIGN_OR_RETURN(
      auto m, GetOrCreate<internal::SumMetric<double>>(
                  std::move(d), MetricType::kGauge, InstrumentKind::kUpDownCounter,
                  InstrumentKind::kUpDownCounter, options_.cardinality_limit, start_nanos_));
  return DoubleUpDownCounter(m);
}

Result<Gauge> MetricRegistry::CreateGauge(MetricDescriptor d) {
  TAI_ASSIGN_OR_RETURN(auto m, GetOrCreate<internal::GaugeMetric>(
                                   std::move(d), MetricType::kGauge, InstrumentKind::kGauge,
                                   options_.cardinality_limit, start_nanos_));
  return Gauge(m);
}

Result<Histogram> MetricRegistry::CreateHistogram(MetricDescriptor d, HistogramOptions options) {
  HistogramData empty;
  if (!options.explicit_bounds.empty()) {
    TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(empty,
                                      HistogramData::WithExplicitBounds(options.explicit_bounds),
                                      "histogram '" + d.metric_type + "'");
  } else {
    if (options.max_scale < 0 || options.max_scale > 6) {
      return InvalidArgumentError("histogram '" + d.metric_type + "': max_scale " +
                                  std::to_string(options.max_scale) + " is outside 0..6");
    }
    if (options.max_buckets < 2) {
      return InvalidArgumentError("histogram '" + d.metric_type +
                                  "': max_buckets must be at least 2");
    }
    empty.Downscale(6 - options.max_scale);
  }
  TAI_ASSIGN_OR_RETURN(
      auto m, GetOrCreate<internal::HistogramMetric>(
                  std::move(d), MetricType::kDistribution, InstrumentKind::kHistogram,
                  options_.cardinality_limit, start_nanos_, std::move(options), std::move(empty)));
  return Histogram(m);
}

Result<uint64_t> MetricRegistry::AddCallback(MetricDescriptor d, MetricType expected,
                                             InstrumentKind kind, size_t series_limit,
                                             ObserveCallback callback) {
  if (!callback) {
    return InvalidArgumentError("metric '" + d.metric_type + "': the callback is empty");
  }
  TAI_ASSIGN_OR_RETURN(
      auto m, GetOrCreate<internal::CallbackMetric>(std::move(d), expected, kind, kind,
                                                    series_limit, start_nanos_, &callback_errors_));
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_callback_id_++;
  }
  // Not under mu_: a running callback holds the metric's lock and may take mu_.
  m->Add(id, std::move(callback));
  return id;
}

Result<uint64_t> MetricRegistry::CreateCallbackGauge(MetricDescriptor d, ObserveCallback cb) {
  return AddCallback(std::move(d), MetricType::kGauge, InstrumentKind::kGauge,
                     options_.cardinality_limit, std::move(cb));
}

Result<uint64_t> MetricRegistry::CreateCallbackCounter(MetricDescriptor d, ObserveCallback cb) {
  return AddCallback(std::move(d), MetricType::kCumulative, InstrumentKind::kObservedCounter,
                     options_.cardinality_limit, std::move(cb));
}

void MetricRegistry::RemoveCallback(uint64_t id) {
  std::vector<internal::CallbackMetric*> list;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& m : metrics_) {
      if (auto* c = dynamic_cast<internal::CallbackMetric*>(m.get())) list.push_back(c);
    }
  }
  for (auto* c : list) {
    if (c->Remove(id)) return;
  }
}

Status MetricRegistry::RegisterDescriptor(MetricDescriptor d) {
  if (d.value_type == MetricType::kUnspecified) {
    return InvalidArgumentError("metric '" + d.metric_type + "': value_type is required");
  }
  MetricType kind = d.value_type;
  auto m = GetOrCreate<internal::WrittenMetric>(std::move(d), kind, InstrumentKind::kWrittenPoint,
                                                options_.cardinality_limit, start_nanos_);
  return m.ok() ? Status::Ok() : m.status();
}

Result<internal::WrittenMetric*> MetricRegistry::WrittenMetricFor(std::string_view metric_type,
                                                                  const MetricValue& value) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_type_.find(std::string(metric_type));
    if (it != by_type_.end()) {
      auto* w = dynamic_cast<internal::WrittenMetric*>(it->second);
      if (w == nullptr) {
        return FailedPreconditionError(
            "metric '" + std::string(metric_type) +
            "' belongs to an instrument; record through the instrument, not WritePoint");
      }
      return w;
    }
  }
  MetricDescriptor d;
  d.metric_type = std::string(metric_type);
  d.value_type = value.is_distribution() ? MetricType::kDistribution : MetricType::kGauge;
  MetricType kind = d.value_type;
  return GetOrCreate<internal::WrittenMetric>(std::move(d), kind, InstrumentKind::kWrittenPoint,
                                              options_.cardinality_limit, start_nanos_);
}

Status MetricRegistry::WritePoint(std::string_view metric_type, const MetricValue& value,
                                  const LabelSet& labels, int64_t time_nanos) {
  TAI_ASSIGN_OR_RETURN(auto w, WrittenMetricFor(metric_type, value));
  const MetricType kind = w->descriptor().value_type;
  if (value.is_distribution() != (kind == MetricType::kDistribution)) {
    return InvalidArgumentError(
        "metric '" + std::string(metric_type) + "' is " + std::string(MetricTypeName(kind)) +
        "; a " + (value.is_distribution() ? "distribution" : "number") + " point does not fit it");
  }
  if (value.is_double() && !std::isfinite(value.dbl())) {
    return InvalidArgumentError("metric '" + std::string(metric_type) +
                                "': the value is not finite");
  }
  if (kind == MetricType::kCumulative && value.AsDouble() < 0) {
    return InvalidArgumentError("metric '" + std::string(metric_type) +
                                "' is CUMULATIVE; a negative total is not allowed");
  }
  return w->Write(value, labels, time_nanos);
}

std::shared_ptr<const MetricDescriptor> MetricRegistry::FindDescriptor(
    std::string_view metric_type) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_type_.find(std::string(metric_type));
  return it == by_type_.end() ? nullptr : it->second->descriptor_ptr();
}

std::vector<std::shared_ptr<const MetricDescriptor>> MetricRegistry::Descriptors() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<const MetricDescriptor>> out;
  for (const auto& m : metrics_) out.push_back(m->descriptor_ptr());
  return out;
}

std::shared_ptr<const MetricBatch> MetricRegistry::Collect() {
  const int64_t began = MonotonicNanos();
  std::vector<internal::MetricImpl*> list;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& m : metrics_) list.push_back(m.get());
  }
  std::stable_partition(list.begin(), list.end(), [](const internal::MetricImpl* m) {
    return !internal::IsSelfMetric(m->descriptor().metric_type);
  });
  auto batch = std::make_shared<MetricBatch>();
  batch->resource = resource_;
  batch->time_nanos = WallNanos();
  batch->metrics.reserve(list.size());
  for (internal::MetricImpl* m : list) {
    MetricData data;
    data.descriptor = m->descriptor_ptr();
    data.kind = m->kind();
    m->CollectInto(data, batch->time_nanos);
    if (!data.points.empty()) batch->metrics.push_back(std::move(data));
  }
  collection_seconds_.Record(static_cast<double>(MonotonicNanos() - began) * 1e-9);
  return batch;
}

}  // namespace tai
