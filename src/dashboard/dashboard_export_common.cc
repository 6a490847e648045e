#include "dashboard/dashboard_export_common.h"

namespace tai::internal {

MetricType ImpliedKind(const MetricSelect& s, Visualization v) {
  if (v == Visualization::kHeatmap) return MetricType::kDistribution;
  switch (s.function) {
    case QueryFunction::kRate:
    case QueryFunction::kIncrease:
      return MetricType::kCumulative;
    case QueryFunction::kPercentile:
      return MetricType::kDistribution;
    default:
      return MetricType::kGauge;
  }
}

std::string PanelWhere(const DashboardRow& row, size_t row_index, const DashboardPanel& panel,
                       size_t panel_index) {
  return "row '" + row.title + "' (#" + std::to_string(row_index + 1) + "): panel '" + panel.title +
         "' (#" + std::to_string(panel_index + 1) + "): ";
}

std::string LocalPanelMarkdown(const DashboardPanel& p, const std::string& local_dashboard_url) {
  std::string out = "**" + p.title + "** (" + std::string(VisualizationName(p.visualization)) +
                    ") is drawn by the local dashboard: [open it](" + local_dashboard_url + ")";
  if (!p.query.empty()) out += "\n\nQuery: `" + p.query + "`";
  return out;
}

}  // namespace tai::internal
