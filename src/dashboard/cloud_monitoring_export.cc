// Cloud Monitoring: each query becomes a timeSeriesFilter (a ratio a
// timeSeriesFilterRatio) with the aligner and reducer that compute what the
// store computes, on the metric types the Cloud Monitoring exporter writes.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "alert/rule_export_common.h"
#include "dashboard/dashboard_export_common.h"
#include "tai/dashboard/dashboard_export.h"

namespace tai {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kColumns = 48;
constexpr int kTileHeight = 16;
constexpr const char* kAlignmentPeriod = "60s";

struct Aggregation {
  std::string aligner;
  std::string reducer;  // "" for none
};

Result<Aggregation> AggregationFor(const DashboardPanel& p, const MetricSelect& s, bool histogram) {
  if (p.visualization == Visualization::kHeatmap) return Aggregation{"ALIGN_DELTA", "REDUCE_SUM"};
  switch (s.function) {
    case QueryFunction::kLast:
      return Aggregation{histogram ? "ALIGN_MEAN" : "ALIGN_NEXT_OLDER",
                         p.group_by.empty() ? "" : "REDUCE_MEAN"};
    case QueryFunction::kRate:
      return Aggregation{"ALIGN_RATE", "REDUCE_SUM"};
    case QueryFunction::kIncrease:
      return Aggregation{"ALIGN_DELTA", "REDUCE_SUM"};
    case QueryFunction::kAvg:
      return Aggregation{"ALIGN_MEAN", "REDUCE_MEAN"};
    case QueryFunction::kMax:
      return Aggregation{"ALIGN_MAX", "REDUCE_MAX"};
    case QueryFunction::kMin:
      return Aggregation{"ALIGN_MIN", "REDUCE_MIN"};
    case QueryFunction::kSum:
      return Aggregation{"ALIGN_MEAN", "REDUCE_SUM"};
    case QueryFunction::kPercentile:
      break;
  }
  static constexpr std::pair<double, const char*> kPercentiles[] = {
      {5, "05"}, {50, "50"}, {95, "95"}, {99, "99"}};
  for (const auto& [q, name] : kPercentiles) {
    if (q != s.percentile) continue;
    // A percentile across series comes from the merged distributions.
    if (histogram) return Aggregation{"ALIGN_DELTA", std::string("REDUCE_PERCENTILE_") + name};
    return Aggregation{std::string("ALIGN_PERCENTILE_") + name, "REDUCE_MEAN"};
  }
  return InvalidArgumentError(
      "query: Cloud Monitoring aligns to the percentiles 5, 50, 95 and "
      "99 only, not " +
      internal::Num(s.percentile));
}

Json AggregationJson(const Aggregation& a, const std::vector<std::string>& group_by) {
  Json j = {{"alignmentPeriod", kAlignmentPeriod}, {"perSeriesAligner", a.aligner}};
  if (!a.reducer.empty()) {
    j["crossSeriesReducer"] = a.reducer;
    if (!group_by.empty()) {
      Json fields = Json::array();
      for (const std::string& g : group_by) fields.push_back("metric.label." + g);
      j["groupByFields"] = fields;
    }
  }
  return j;
}

// {filter, aggregation} of one select.
Result<Json> FilterPart(const DashboardPanel& p, const MetricSelect& s,
                        const DashboardCloudExportOptions& o) {
  const MetricType kind =
      internal::DescriptorFor(o.metrics, s.metric, internal::ImpliedKind(s, p.visualization))
          .value_type;
  TAI_ASSIGN_OR_RETURN(Aggregation a, AggregationFor(p, s, kind == MetricType::kDistribution));
  // The panel's `metric` names the Cloud Monitoring type of a one-metric query.
  const std::string& type = p.metric.empty() || p.parsed.denominator ? s.metric : p.metric;
  return Json{{"filter", internal::CloudFilter(type, p.matchers, o.resource_filter)},
              {"aggregation", AggregationJson(a, p.group_by)}};
}

Result<Json> TimeSeriesQuery(const DashboardPanel& p, const DashboardCloudExportOptions& o) {
  Json q;
  TAI_ASSIGN_OR_RETURN(Json num, FilterPart(p, p.parsed.numerator, o));
  if (p.parsed.denominator) {
    TAI_ASSIGN_OR_RETURN(Json den, FilterPart(p, *p.parsed.denominator, o));
    q["timeSeriesFilterRatio"] = {{"numerator", num}, {"denominator", den}};
  } else {
    q["timeSeriesFilter"] = num;
  }
  if (!p.unit.empty() && p.parsed.scale == 1) q["unitOverride"] = p.unit;
  return q;
}

// The threshold in the plotted values: a ratio is plotted without its factor.
Json Thresholds(const DashboardPanel& p) {
  Json list = Json::array();
  if (p.threshold) {
    list.push_back({{"value", *p.threshold / p.parsed.scale},
                    {"color", "RED"},
                    {"direction", p.alert_if_exceeds ? "ABOVE" : "BELOW"}});
  }
  return list;
}

Result<Json> Widget(const DashboardPanel& p, const DashboardCloudExportOptions& o) {
  if (!IsMetricVisualization(p.visualization)) {
    return Json{{"title", p.title},
                {"text",
                 {{"content", internal::LocalPanelMarkdown(p, o.local_dashboard_url)},
                  {"format", "MARKDOWN"}}}};
  }
  TAI_ASSIGN_OR_RETURN(Json query, TimeSeriesQuery(p, o));
  Json w = {{"title", p.title}};
  switch (p.visualization) {
    case Visualization::kStat:
      w["scorecard"] = {{"timeSeriesQuery", query},
                        {"sparkChartView", {{"sparkChartType", "SPARK_LINE"}}},
                        {"thresholds", Thresholds(p)}};
      break;
    case Visualization::kGauge:
      w["scorecard"] = {{"timeSeriesQuery", query},
                        {"gaugeView", {{"lowerBound", 0}, {"upperBound", p.max.value_or(100)}}},
                        {"thresholds", Thresholds(p)}};
      break;
    default: {
      const bool heatmap = p.visualization == Visualization::kHeatmap;
      Json data_set = {{"timeSeriesQuery", query},
                       {"plotType", heatmap ? "HEATMAP" : "LINE"},
                       {"minAlignmentPeriod", kAlignmentPeriod}};
      w["xyChart"] = {{"dataSets", Json::array({data_set})}, {"thresholds", Thresholds(p)}};
      if (!p.unit.empty()) w["xyChart"]["yAxis"] = {{"label", p.unit}, {"scale", "LINEAR"}};
      break;
    }
  }
  return w;
}

}  // namespace

Result<std::string> ExportCloudMonitoringDashboard(const DashboardConfig& config,
                                                   const DashboardCloudExportOptions& o) {
  Json tiles = Json::array();
  int y = 0;
  for (size_t r = 0; r < config.rows.size(); ++r) {
    const DashboardRow& row = config.rows[r];
    const int per_line =
        static_cast<int>(std::min<size_t>(std::max<size_t>(row.panels.size(), 1), 4));
    const int width = kColumns / per_line;
    const int lines = (static_cast<int>(row.panels.size()) + 3) / 4;
    // The group spans its members' tiles, which makes them its members.
    tiles.push_back(
        {{"xPos", 0},
         {"yPos", y},
         {"width", kColumns},
         {"height", std::max(lines, 1) * kTileHeight},
         {"widget", {{"title", row.title}, {"collapsibleGroup", {{"collapsed", false}}}}}});
    for (size_t i = 0; i < row.panels.size(); ++i) {
      auto widget = Widget(row.panels[i], o);
      if (!widget.ok()) {
        return InvalidArgumentError(internal::PanelWhere(row, r, row.panels[i], i) +
                                    widget.status().message());
      }
      tiles.push_back({{"xPos", static_cast<int>(i % 4) * width},
                       {"yPos", y + static_cast<int>(i / 4) * kTileHeight},
                       {"width", width},
                       {"height", kTileHeight},
                       {"widget", *widget}});
    }
    y += std::max(lines, 1) * kTileHeight;
  }
  Json dashboard = {{"displayName", config.title},
                    {"mosaicLayout", {{"columns", kColumns}, {"tiles", tiles}}}};
  return dashboard.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace tai
