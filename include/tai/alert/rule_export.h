// Rule export: alerting rules and SLO burn-rate alerts as a Prometheus rule
// file (for a Prometheus or Thanos/Mimir ruler that scrapes our /metrics)
// and as Cloud Monitoring alert policies (for services exporting to Google
// Cloud), so the same definitions alert whether or not the embedded engine
// runs. docs/alerting.md ("Export") shows the output and its limits.
//
// Names follow the exporters: Prometheus names as the /metrics endpoint
// writes them (PrometheusName: domain dropped, unit suffix, counters
// `_total`, histograms `_bucket`/`_count`/`_sum`, values in base units);
// Cloud Monitoring types as the Cloud Monitoring exporter sends them
// (CloudMonitoringMetricType).
//
// Free functions over value types; thread-safe. Implemented in
// src/alert/rule_export.cc (Prometheus) and cloud_monitoring_policy_export.cc.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tai/alert/alerting_rule.h"
#include "tai/alert/slo.h"
#include "tai/core/status.h"
#include "tai/export/prometheus_text.h"
#include "tai/metrics/metric_descriptor.h"

namespace tai {

// What the export must know about the metrics, shared by both targets.
struct MetricExportInfo {
  // Kind and unit of each metric, by metric_type. A metric not listed is
  // taken to be what the rule does with it: a counter for rate/increase and
  // ratio SLIs, a histogram for percentiles and latency SLIs, otherwise a
  // gauge; without a unit.
  std::vector<MetricDescriptor> descriptors;
  // Bucket upper bounds of histograms with the explicit layout, by
  // metric_type, in the metric's unit. A latency SLO's threshold becomes the
  // largest bound at or below it (a stricter SLO when it is not a bound).
  std::map<std::string, std::vector<double>> histogram_bounds;
  // Histograms not listed above are exponential; their exposed bucket bounds
  // are 2^(i/2^scale) at the scale the exposition picks. A latency threshold
  // is moved down to the largest such bound at this scale, which stays a
  // bound at every finer scale. Default 3 (9% wide buckets): what the
  // /metrics endpoint exposes for latencies spanning up to ~10^6.
  int exponential_scale = 3;
};

struct PrometheusExportOptions {
  MetricExportInfo metrics;
  // Must match the /metrics endpoint's (PrometheusOptions::units).
  PrometheusUnitStyle units = PrometheusUnitStyle::kBaseUnits;
  // Rule groups are named "<prefix>-rules-<interval>" (one per evaluation
  // interval) and "<prefix>-slo-<id>".
  std::string group_prefix = "tai";
};

// A Prometheus rule file (YAML): each rule as an alerting rule; each SLO as
// recording rules slo:<id>:error_ratio_rate<window> for every window its
// burn-rate alerts use, and one alert per burn-rate alert that fires when
// both windows burn faster than factor x budget and the long window saw at
// least min_events events. INVALID_ARGUMENT names the rule or SLO at fault.
Result<std::string> ExportPrometheusRules(const std::vector<AlertingRule>& rules,
                                          const std::vector<Slo>& slos,
                                          const PrometheusExportOptions& options = {});

struct CloudMonitoringExportOptions {
  MetricExportInfo metrics;
  // Policies whose rule or SLO names no Cloud Monitoring channel
  // (projects/*/notificationChannels/*) notify these. Default: none.
  std::vector<std::string> default_notification_channels;
  // Added to every policy's userLabels (lower-cased, [a-z0-9_-], 63 chars).
  std::map<std::string, std::string> user_labels;
  // ANDed into every filter, e.g. resource.type = "k8s_container". Default: none.
  std::string resource_filter;
};

// One google.monitoring.v3.AlertPolicy per rule and per SLO burn-rate alert,
// each as the proto3 JSON body of alertPolicies.create. Rules become a
// conditionThreshold; ratio SLOs a conditionThreshold on filter /
// denominatorFilter for each window (combiner AND); latency SLOs, whose good
// events need a bucket bound, a conditionPrometheusQueryLanguage.
Result<std::vector<std::string>> ExportCloudMonitoringPolicies(
    const std::vector<AlertingRule>& rules, const std::vector<Slo>& slos,
    const CloudMonitoringExportOptions& options = {});

}  // namespace tai
