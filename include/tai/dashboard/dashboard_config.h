// DashboardConfig: a dashboard as rows of panels, each panel a query over
// the stored metrics (tai/dashboard/panel_query.h) with an optional alert
// threshold. It is read from the JSON file format of the original design
// (docs/dashboard.md, "Configuration"), built for a service from what it
// records (DefaultDashboard), and exported to Cloud Monitoring and Grafana
// (tai/dashboard/dashboard_export.h).
//
// Value types and free functions; thread-safe. Implemented in
// src/dashboard/dashboard_config.cc and default_dashboard.cc.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tai/core/status.h"
#include "tai/dashboard/panel_query.h"
#include "tai/store/metric_query.h"

namespace tai {

// How a panel is drawn. The metric kinds plot `query`; kLogs, kTraces and
// kFlameGraph are views of the local dashboard whose `query` is free text
// (a log search, a service or span name, a profile filter).
enum class Visualization {
  kTimeSeries,  // lines over time (default)
  kStat,        // the latest value, large, with a sparkline
  kGauge,       // the latest value on a dial from 0 to `max`
  kHeatmap,     // a histogram's distribution over time
  kLogs,
  kTraces,
  kFlameGraph,
};
// "timeseries", "stat", "gauge", "heatmap", "logs", "traces", "flamegraph".
std::string_view VisualizationName(Visualization v);
// True for the kinds that plot a PanelQuery.
bool IsMetricVisualization(Visualization v);

struct DashboardPanel {
  std::string title;
  // The Cloud Monitoring metric type the panel shows, as in the original
  // design ("custom.googleapis.com/app/latency"). Optional and informative:
  // the query names the metrics; exports derive types from those.
  std::string metric;
  std::string query;  // the text as written
  PanelQuery parsed;  // metric visualizations only
  // Drawn as a line; a value beyond it is an alert: above it when
  // alert_if_exceeds, below it otherwise. In the query's unit.
  std::optional<double> threshold;
  bool alert_if_exceeds = false;
  Visualization visualization = Visualization::kTimeSeries;
  std::string unit;                    // UCUM, e.g. "ms", "%", "By"; "" = the metric's own
  std::vector<LabelMatcher> matchers;  // applied to every metric of the query
  std::vector<std::string> group_by;   // label keys; one line per group
  std::optional<double> max;           // kGauge's upper end; default 100
};

struct DashboardRow {
  std::string title;
  std::vector<DashboardPanel> panels;
};

struct DashboardConfig {
  std::string title;
  std::chrono::milliseconds refresh_interval{30'000};
  std::vector<DashboardRow> rows;
};

// Parses and validates a dashboard file. `name` (usually the file name)
// starts every error; the error lists every problem found, one a line, each
// naming the row and panel (title and 1-based #index) and the field:
//   payments.json: row 'SLO Status' (#1): panel 'Latency (p99)' (#1):
//   field 'threshold': expected a number, got "high"
// Unknown fields are errors.
Result<DashboardConfig> ParseDashboardConfig(std::string_view json, std::string_view name);
// Reads `path` (a regular file of at most 4 MiB) and parses it, named by path.
Result<DashboardConfig> LoadDashboardConfig(const std::string& path);
// The file format again; ParseDashboardConfig reads it back to the same.
std::string DashboardConfigToJson(const DashboardConfig& config);

size_t PanelCount(const DashboardConfig& config);

// A dashboard for `service` from what it records (Store::MetricSummaries):
// the golden signals first (latency: p50/p95/p99 of histograms named like a
// latency or duration; traffic: rate of request counters; errors: rate of
// error counters and their share of the requests; saturation: CPU, memory,
// queue and utilization gauges), then one row per remaining metric group
// (the name up to its last '/' or '.'). Same input, same dashboard.
DashboardConfig DefaultDashboard(const std::string& service,
                                 const std::vector<MetricSummary>& metrics);

}  // namespace tai
