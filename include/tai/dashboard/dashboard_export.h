// Dashboard export: a DashboardConfig as a Google Cloud Monitoring dashboard
// (the proto3 JSON body of projects.dashboards.create) and as a Grafana
// dashboard whose PromQL reads our /metrics exposition, so the same
// dashboard works where the service's metrics end up. docs/dashboard.md
// ("Export") shows how to import both and what does not translate.
//
// Names follow the exporters, as the rule export does (tai/alert/
// rule_export.h): Cloud Monitoring types via CloudMonitoringMetricType,
// Prometheus names via PrometheusName (values in base units, so thresholds
// are scaled with them).
//
// Free functions over value types; thread-safe. Implemented in
// src/dashboard/cloud_monitoring_export.cc and grafana_export.cc.
#pragma once

#include <string>

#include "tai/alert/rule_export.h"
#include "tai/core/status.h"
#include "tai/dashboard/dashboard_config.h"

namespace tai {

// Where the log, trace and flame-graph panels, which neither target can
// draw from metrics, link to: the embedded dashboard, served beside /metrics
// (Config::metrics.prometheus_address's default).
inline constexpr const char* kDefaultLocalDashboardUrl = "http://127.0.0.1:9464/";

struct DashboardCloudExportOptions {
  // Kinds and units of the metrics (a metric not listed is taken to be what
  // its query does with it: a counter for rate/increase, a histogram for
  // percentile and heatmap, else a gauge).
  MetricExportInfo metrics;
  std::string local_dashboard_url = kDefaultLocalDashboardUrl;
  // ANDed into every filter, e.g. resource.type = "k8s_container".
  std::string resource_filter;
};

// A google.monitoring.dashboard.v1.Dashboard: a 48-column mosaic with one
// collapsible group per row and its panels as tiles beneath (up to four a
// line). timeseries and heatmap panels become an xyChart, stat and gauge a
// scorecard, ratios a timeSeriesFilterRatio (its "* 100" is not expressible:
// the ratio is plotted and the threshold divided by the factor). Cloud
// Monitoring aligns to the percentiles 5, 50, 95 and 99 only: another is
// INVALID_ARGUMENT naming the panel.
Result<std::string> ExportCloudMonitoringDashboard(const DashboardConfig& config,
                                                   const DashboardCloudExportOptions& options = {});

struct DashboardGrafanaExportOptions {
  MetricExportInfo metrics;
  // Must match the /metrics endpoint's (PrometheusOptions::units).
  PrometheusUnitStyle units = PrometheusUnitStyle::kBaseUnits;
  // The range of rate(), increase() and histogram_quantile(); Grafana's
  // $__rate_interval adapts it to the scrape interval and zoom.
  std::string rate_window = "$__rate_interval";
  std::string local_dashboard_url = kDefaultLocalDashboardUrl;
};

// A Grafana dashboard (schemaVersion 39): one row panel per row, then its
// panels (timeseries, stat, gauge, heatmap) with one PromQL target each and
// the threshold as a red step; logs, traces and flame graphs as text panels
// linking to the local dashboard.
Result<std::string> ExportGrafanaDashboard(const DashboardConfig& config,
                                           const DashboardGrafanaExportOptions& options = {});

// The PromQL of one panel's query (what ExportGrafanaDashboard puts in its
// target), for tests and for recording rules.
Result<std::string> PanelPromQL(const DashboardPanel& panel,
                                const DashboardGrafanaExportOptions& options = {});

}  // namespace tai
