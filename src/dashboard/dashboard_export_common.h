// Internal: what the Cloud Monitoring and Grafana dashboard exports share.
// Free functions; thread-safe.
#pragma once

#include <string>

#include "tai/dashboard/dashboard_config.h"
#include "tai/metrics/metric_descriptor.h"

namespace tai::internal {

// The kind a query implies for a metric the export is not told about: a
// counter for rate/increase, a histogram for percentiles and heatmaps, else
// a gauge.
MetricType ImpliedKind(const MetricSelect& s, Visualization v);
// "row 'R' (#i): panel 'P' (#j): " for export errors.
std::string PanelWhere(const DashboardRow& row, size_t row_index, const DashboardPanel& panel,
                       size_t panel_index);
// The markdown of a logs, traces or flame-graph panel: what it shows and a
// link to the local dashboard that draws it.
std::string LocalPanelMarkdown(const DashboardPanel& p, const std::string& local_dashboard_url);

}  // namespace tai::internal
