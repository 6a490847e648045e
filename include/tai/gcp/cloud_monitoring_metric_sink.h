// CloudMonitoringMetricSink: sends collected metrics to Cloud Monitoring with the
// v3 REST API: metricDescriptors.create once per metric type, then
// timeSeries.create with GAUGE, CUMULATIVE and DISTRIBUTION points, within
// the API's documented limits: at most 200 time series per request, one
// point per series per request, and no more than one point per series
// every 5 seconds (faster collections skip the series until 5 s have
// passed; the next point carries the cumulative value, and Flush sends a
// held-back last value stamped 5 s after the previous point, waiting for
// that time within its timeout, so nothing is lost at shutdown either).
// Distributions carry count, mean, sumOfSquaredDeviation, bucketOptions
// (exponential or explicit, at most 200 buckets) and bucketCounts.
//
// Metric types without a domain ("myapp/latency") are sent as
// custom.googleapis.com/<type>. The monitored resource is the one given
// (k8s_container, gce_instance: see monitored_resource.h), else
// generic_task (project, location, namespace = service, job = service,
// task_id = instance).
//
// Made by Create(); owned by the MetricCollector it is added to.
// Thread-safe (calls are serialised). Cumulative temporality. Export encodes and queues the
// requests, descriptors first, never waiting on the network; the sink's
// sender delivers them in order and holds them (in memory, then in the
// spill directory) while the API is unreachable: see
// tai/export/delivery_options.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "tai/export/queued_network_sink.h"
#include "tai/gcp/api_options.h"
#include "tai/gcp/monitored_resource.h"
#include "tai/metrics/metric_sink.h"

namespace tai::gcp {

struct CloudMonitoringMetricSinkOptions {
  GcpApiOptions api;
  std::string location = "global";  // a zone or region when known
  // The resource the series are filed under (DetectMonitoredResource);
  // unset: generic_task from the batch's Resource and `location`.
  std::optional<MonitoredResource> resource;
  // Send the library's own metrics (metric types starting "tai_") too.
  // Off: they are billable custom metrics, kept on Prometheus and the store.
  bool self_metrics = false;
};

class CloudMonitoringMetricSink : public MetricSink, public QueuedNetworkSink {
 public:
  // Fails when the project is empty or an endpoint is not allowed.
  static Result<std::shared_ptr<CloudMonitoringMetricSink>> Create(
      CloudMonitoringMetricSinkOptions options);
  std::string name() const override { return "cloud-monitoring"; }
  // Fails only when a request could be neither queued nor spilled.
  Status Export(std::shared_ptr<const MetricBatch> batch) override;
  Status Flush(std::chrono::milliseconds timeout) override;

  // The type Cloud Monitoring sees for a descriptor's metric_type.
  static std::string CloudMetricType(const std::string& metric_type);

 private:
  explicit CloudMonitoringMetricSink(CloudMonitoringMetricSinkOptions options);
  class SeriesRequests;
  struct HeldPoint {
    MetricData metric;  // with the one point held back
    std::string resource;
  };
  void EnsureDescriptor(const MetricData& m);
  // The metric's series, queued or held back by the 5 s rule; mu_ held.
  void ExportMetric(const MetricData& m, const std::string& resource, SeriesRequests& requests);
  // RESOURCE_EXHAUSTED when the queue dropped requests since it counted
  // `dropped_before`.
  Status DropsSince(uint64_t dropped_before) const;

  const CloudMonitoringMetricSinkOptions options_;
  std::mutex mu_;
  std::set<std::string> created_descriptors_;
  // Last point time sent per series (type + labels), for the 5 s rule.
  std::map<std::string, int64_t> last_sent_;
  // The newest point of each series the 5 s rule held back.
  std::map<std::string, HeldPoint> held_;
};

}  // namespace tai::gcp
