#include "tai/gcp/cloud_monitoring_metric_sink.h"

#include <cmath>
#include <map>
#include <thread>

#include "core/text.h"
#include "gcp/api_client.h"
#include "metrics/self_metric_descriptor.h"
#include "tai/core/clock.h"

namespace tai::gcp {
namespace {

// Limits from the Cloud Monitoring documentation (docs/gcp.md).
constexpr size_t kSeriesPerRequest = 200;
constexpr int64_t kMinPointIntervalNanos = 5'000'000'000;
constexpr size_t kMaxBuckets = 200;

std::string_view MetricKind(const MetricData& m) {
  switch (m.kind) {
    case InstrumentKind::kCounter:
    case InstrumentKind::kObservedCounter:
    case InstrumentKind::kHistogram:
      return "CUMULATIVE";
    case InstrumentKind::kWrittenPoint:
      return m.descriptor->value_type == MetricType::kCumulative ? "CUMULATIVE" : "GAUGE";
    default:
      return "GAUGE";
  }
}

std::string_view ValueType(const MetricPoint& p) {
  if (p.value.is_int64()) return "INT64";
  if (p.value.is_double()) return "DOUBLE";
  return "DISTRIBUTION";
}

void AppendTimestamp(std::string& out, int64_t nanos) {
  out += '"';
  out += FormatRfc3339(nanos);
  out += '"';
}

void AppendLabels(std::string& out, const LabelSet& labels) {
  out += '{';
  bool first = true;
  for (const auto& [key, value] : labels.labels()) {
    if (!first) out += ',';
    first = false;
    internal::AppendJsonString(out, key);
    out += ':';
    internal::AppendJsonString(out, value);
  }
  out += '}';
}

void AppendDistribution(std::string& out, const DistributionValue& d) {
  out += "{\"count\":\"";
  internal::AppendUint(out, d.count);
  out += "\"";
  if (d.count > 0) {
    out += ",\"mean\":";
    internal::AppendJsonDouble(out, d.mean);
    out += ",\"sumOfSquaredDeviation\":";
    internal::AppendJsonDouble(out, d.sum_of_squared_deviation);
  }
  if (d.histogram && d.count > 0) {
    HistogramData h = *d.histogram;
    std::vector<uint64_t> counts;
    if (h.layout() == HistogramData::Layout::kExplicit) {
      out += ",\"bucketOptions\":{\"explicitBuckets\":{\"bounds\":[";
      for (size_t i = 0; i < h.bounds().size(); ++i) {
        if (i) out += ',';
        internal::AppendJsonDouble(out, h.bounds()[i]);
      }
      out += "]}}";
      counts = h.bucket_counts();
    } else {
      // Exponential: finite bucket i (1..N) is [scale*g^(i-1), scale*g^i);
      // ours at index k is (base^k, base^(k+1)], so scale = base^offset and
      // g = base. Zero and negative values go to the underflow bucket.
      h.LimitBuckets(kMaxBuckets - 2);
      const double base = std::exp2(std::exp2(-h.scale()));
      const ExponentialBuckets& pos = h.positive();
      uint64_t underflow = h.zero_count();
      for (uint64_t c : h.negative().counts) underflow += c;
      const size_t finite = std::max<size_t>(pos.counts.size(), 1);
      out += ",\"bucketOptions\":{\"exponentialBuckets\":{\"numFiniteBuckets\":";
      internal::AppendUint(out, finite);
      out += ",\"growthFactor\":";
      internal::AppendJsonDouble(out, base);
      out += ",\"scale\":";
      internal::AppendJsonDouble(out, std::pow(base, pos.offset));
      out += "}}";
      counts.push_back(underflow);
      counts.insert(counts.end(), pos.counts.begin(), pos.counts.end());
      counts.resize(finite + 2, 0);  // the overflow bucket is empty
    }
    out += ",\"bucketCounts\":[";
    for (size_t i = 0; i < counts.size(); ++i) {
      if (i) out += ',';
      out += '"';
      internal::AppendUint(out, counts[i]);
      out += '"';
    }
    out += ']';
  }
  out += '}';
}

void AppendValue(std::string& out, const MetricValue& v) {
  if (v.is_int64()) {
    out += "{\"int64Value\":\"";
    internal::AppendInt(out, v.int64());
    out += "\"}";
  } else if (v.is_double()) {
    out += "{\"doubleValue\":";
    internal::AppendJsonDouble(out, v.dbl());
    out += '}';
  } else {
    out += "{\"distributionValue\":";
    AppendDistribution(out, v.distribution());
    out += '}';
  }
}

std::string_view UnitOf(const MetricData& m) { return m.descriptor->unit.ucum(); }

void AppendTimeSeries(std::string& body, const std::string& type, const MetricData& m,
                      const MetricPoint& p, const std::string& resource, int64_t end_nanos) {
  const std::string_view kind = MetricKind(m);
  body += "{\"metric\":{\"type\":";
  internal::AppendJsonString(body, type);
  body += ",\"labels\":";
  AppendLabels(body, p.labels);
  body += "},\"resource\":" + resource + ",\"metricKind\":\"";
  body += kind;
  body += "\",\"valueType\":\"";
  body += ValueType(p);
  body += "\"";
  if (!UnitOf(m).empty()) {
    body += ",\"unit\":";
    internal::AppendJsonString(body, UnitOf(m));
  }
  body += ",\"points\":[{\"interval\":{";
  if (kind == "CUMULATIVE") {
    // The API wants a start strictly before the end.
    body += "\"startTime\":";
    AppendTimestamp(body, std::min(p.start_time_nanos, end_nanos - 1'000'000));
    body += ',';
  }
  body += "\"endTime\":";
  AppendTimestamp(body, end_nanos);
  body += "},\"value\":";
  AppendValue(body, p.value);
  body += "}]}";
}

// A distribution written with percentiles and no buckets (the original
// design's DistributionValue) would reach Cloud Monitoring as count and mean
// only: each percentile also goes as a gauge of its own, "<type>_p99"
// ("p99.9" -> "_p99_9"), with the distribution's labels and unit.
std::vector<MetricData> PercentileGauges(const MetricData& m) {
  std::map<std::string, MetricData> by_key;
  for (const MetricPoint& p : m.points) {
    if (!p.value.is_distribution()) continue;
    const DistributionValue& d = p.value.distribution();
    if (d.histogram || d.percentiles.empty()) continue;
    for (const auto& [key, value] : d.percentiles) {
      MetricData& g = by_key[key];
      if (!g.descriptor) {
        std::string suffix = key;
        for (char& c : suffix) c = c == '.' ? '_' : c;
        auto descriptor = std::make_shared<MetricDescriptor>(*m.descriptor);
        descriptor->metric_type += "_" + suffix;
        descriptor->value_type = MetricType::kGauge;
        descriptor->description = key + " of " + m.descriptor->metric_type;
        descriptor->display_name.clear();
        g.descriptor = std::move(descriptor);
        g.kind = InstrumentKind::kGauge;
      }
      g.points.push_back({p.labels, p.start_time_nanos, p.time_nanos, MetricValue(value)});
    }
  }
  std::vector<MetricData> out;
  for (auto& [key, g] : by_key) out.push_back(std::move(g));
  return out;
}

}  // namespace

// Packs series into timeSeries.create requests of at most 200 and queues
// them. Used with the sink's mutex held.
class CloudMonitoringMetricSink::SeriesRequests {
 public:
  explicit SeriesRequests(CloudMonitoringMetricSink& sink)
      : sink_(sink),
        url_(sink.options_.api.endpoints.monitoring + "/v3/projects/" +
             sink.options_.api.project_id + "/timeSeries") {}
  void Add(const std::string& type, const MetricData& m, const MetricPoint& p,
           const std::string& resource, int64_t end_nanos) {
    body_ += in_request_ ? "," : "{\"timeSeries\":[";
    AppendTimeSeries(body_, type, m, p, resource, end_nanos);
    if (++in_request_ == kSeriesPerRequest) Finish();
  }
  void Finish() {
    if (in_request_ == 0) return;
    body_ += "]}";
    (void)sink_.Enqueue(url_, std::move(body_));  // a drop is counted by the queue
    body_.clear();
    in_request_ = 0;
  }

 private:
  CloudMonitoringMetricSink& sink_;
  const std::string url_;
  std::string body_;
  size_t in_request_ = 0;
};

std::string CloudMonitoringMetricSink::CloudMetricType(const std::string& metric_type) {
  return CloudMonitoringMetricType(metric_type);
}

Result<std::shared_ptr<CloudMonitoringMetricSink>> CloudMonitoringMetricSink::Create(
    CloudMonitoringMetricSinkOptions options) {
  TAI_RETURN_IF_ERROR(options.api.Validate("Cloud Monitoring"));
  return std::shared_ptr<CloudMonitoringMetricSink>(
      new CloudMonitoringMetricSink(std::move(options)));
}

CloudMonitoringMetricSink::CloudMonitoringMetricSink(CloudMonitoringMetricSinkOptions options)
    : QueuedNetworkSink(tai::internal::MakeApiQueue(
          options.api, "Cloud Monitoring", "cloud-monitoring", options.api.endpoints.monitoring)),
      options_(std::move(options)) {}

// Queued ahead of the series that need it, and sent in order, so the
// descriptor exists when they arrive.
void CloudMonitoringMetricSink::EnsureDescriptor(const MetricData& m) {
  const std::string type = CloudMetricType(m.descriptor->metric_type);
  if (created_descriptors_.count(type) || m.points.empty()) return;
  std::string body = "{\"type\":";
  internal::AppendJsonString(body, type);
  body += ",\"metricKind\":\"";
  body += MetricKind(m);
  body += "\",\"valueType\":\"";
  body += ValueType(m.points.front());
  body += "\"";
  if (!UnitOf(m).empty()) {
    body += ",\"unit\":";
    internal::AppendJsonString(body, UnitOf(m));
  }
  body += ",\"description\":";
  internal::AppendJsonString(body, m.descriptor->description);
  body += ",\"displayName\":";
  internal::AppendJsonString(body, m.descriptor->display_name.empty() ? m.descriptor->metric_type
                                                                      : m.descriptor->display_name);
  body += ",\"labels\":[";
  for (size_t i = 0; i < m.descriptor->labels.size(); ++i) {
    const LabelDescriptor& l = m.descriptor->labels[i];
    if (i) body += ',';
    body += "{\"key\":";
    internal::AppendJsonString(body, l.key);
    body += ",\"valueType\":\"STRING\",\"description\":";
    internal::AppendJsonString(body, l.description);
    body += '}';
  }
  body += "]}";
  (void)Enqueue(options_.api.endpoints.monitoring + "/v3/projects/" + options_.api.project_id +
                    "/metricDescriptors",
                std::move(body));
  created_descriptors_.insert(type);
}

Status CloudMonitoringMetricSink::Export(std::shared_ptr<const MetricBatch> batch) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string resource =
      options_.resource
          ? options_.resource->ToJson()
          : GenericTaskResource(*batch->resource, options_.api.project_id, options_.location)
                .ToJson();
  const uint64_t dropped_before = dropped_requests();
  SeriesRequests requests(*this);
  std::vector<MetricData> percentiles;
  for (const MetricData& m : batch->metrics) {
    if (m.descriptor->value_type != MetricType::kDistribution) continue;
    for (MetricData& g : PercentileGauges(m)) percentiles.push_back(std::move(g));
  }
  for (const MetricData& m : batch->metrics) ExportMetric(m, resource, requests);
  for (const MetricData& m : percentiles) ExportMetric(m, resource, requests);
  requests.Finish();
  return DropsSince(dropped_before);
}

void CloudMonitoringMetricSink::ExportMetric(const MetricData& m, const std::string& resource,
                                             SeriesRequests& requests) {
  if (m.points.empty()) return;
  if (!options_.self_metrics && internal::IsSelfMetric(m.descriptor->metric_type)) return;
  EnsureDescriptor(m);
  const std::string type = CloudMetricType(m.descriptor->metric_type);
  for (const MetricPoint& p : m.points) {
    const std::string series = type + p.labels.ToString();
    auto last = last_sent_.find(series);
    if (last != last_sent_.end() && p.time_nanos - last->second < kMinPointIntervalNanos) {
      // The 5 s rule: the next point carries the value, or Flush sends
      // this one when its time has come.
      held_[series] = HeldPoint{MetricData{m.descriptor, m.kind, m.temporality, {p}}, resource};
      continue;
    }
    held_.erase(series);
    last_sent_[series] = p.time_nanos;
    requests.Add(type, m, p, resource, p.time_nanos);
  }
}

Status CloudMonitoringMetricSink::DropsSince(uint64_t dropped_before) const {
  return DroppedError("Cloud Monitoring", dropped_requests() - dropped_before, "requests");
}

// A clean shutdown must not lose the last value of a series the 5 s rule
// held back: it goes out stamped 5 s after the series' previous point (the
// earliest time the API takes), once that time has come.
Status CloudMonitoringMetricSink::Flush(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> lock(mu_);
  int64_t due = 0;
  for (const auto& [series, held] : held_) {
    due = std::max(due, last_sent_[series] + kMinPointIntervalNanos);
  }
  const auto wait = std::chrono::nanoseconds(due - WallNanos());
  if (!held_.empty() && wait.count() > 0) {
    lock.unlock();
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(wait, timeout));
    lock.lock();
  }
  const uint64_t dropped_before = dropped_requests();
  SeriesRequests requests(*this);
  const int64_t now = WallNanos();
  for (auto it = held_.begin(); it != held_.end();) {
    int64_t& last = last_sent_[it->first];
    if (now < last + kMinPointIntervalNanos) {
      ++it;
      continue;
    }
    const MetricData& m = it->second.metric;
    last += kMinPointIntervalNanos;
    requests.Add(CloudMetricType(m.descriptor->metric_type), m, m.points.front(),
                 it->second.resource, last);
    it = held_.erase(it);
  }
  requests.Finish();
  Status dropped = DropsSince(dropped_before);
  lock.unlock();
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  Status flushed = FlushQueue(std::max(left, std::chrono::milliseconds(0)));
  return dropped.ok() ? flushed : dropped;
}

}  // namespace tai::gcp
