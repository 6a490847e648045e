// Grafana: PromQL over the names our /metrics endpoint exposes. Values are
// brought back to the metric's own unit (the exposition converts ms to
// seconds; the query multiplies by 1000 again) so thresholds and units read
// as in the dashboard file.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "alert/rule_export_common.h"
#include "dashboard/dashboard_export_common.h"
#include "tai/dashboard/dashboard_export.h"

namespace tai {
namespace {

using Json = nlohmann::ordered_json;
using internal::Num;
using internal::PromMetric;
using internal::PromSelector;

std::string By(const std::vector<std::string>& group_by, const std::string& first = "") {
  std::vector<std::string> keys;
  if (!first.empty()) keys.push_back(first);
  keys.insert(keys.end(), group_by.begin(), group_by.end());
  if (keys.empty()) return "";
  std::string out = " by (";
  for (size_t i = 0; i < keys.size(); ++i) out += (i ? ", " : "") + keys[i];
  return out + ") ";
}

struct SelectExpr {
  std::string expr;
  double scale = 1;  // of the exposed values relative to the metric's unit
};

Result<SelectExpr> SelectPromQL(const DashboardPanel& p, const MetricSelect& s,
                                const DashboardGrafanaExportOptions& o) {
  const PromMetric m = internal::PromMetricOf(o.metrics, o.units, s.metric,
                                              internal::ImpliedKind(s, p.visualization));
  auto range = [&](std::string_view suffix) {
    return PromSelector(m.Series(suffix), p.matchers) + "[" + o.rate_window + "]";
  };
  auto reduce = [&](std::string_view how, const std::string& inner) {
    return std::string(how) + By(p.group_by) + "(" + inner + ")";
  };
  const std::string series = PromSelector(m.CounterSeries(), p.matchers);
  const std::string histogram_mean = reduce("sum", "rate(" + range("_sum") + ")") + " / " +
                                     reduce("sum", "rate(" + range("_count") + ")");
  auto fail = [&](const std::string& why) {
    return InvalidArgumentError("query: '" + s.metric + "' " + why);
  };
  SelectExpr out{"", m.scale};
  if (p.visualization == Visualization::kHeatmap) {
    if (!m.histogram || s.function != QueryFunction::kLast) {
      return fail("must be a histogram named alone for a heatmap");
    }
    out.expr = "sum" + By(p.group_by, "le") + "(rate(" + range("_bucket") + "))";
    out.scale = 1;  // bucket counts
    return out;
  }
  switch (s.function) {
    case QueryFunction::kRate:
    case QueryFunction::kIncrease:
      if (!m.counter) return fail("is not a counter; rate and increase need one");
      out.expr = reduce("sum", std::string(QueryFunctionName(s.function)) + "(" +
                                   range(m.counter ? "_total" : "") + ")");
      return out;
    case QueryFunction::kPercentile:
      if (m.histogram) {
        out.expr = "histogram_quantile(" + Num(s.percentile / 100) + ", sum" +
                   By(p.group_by, "le") + "(rate(" + range("_bucket") + ")))";
      } else {
        out.expr =
            "quantile" + By(p.group_by) + "(" + Num(s.percentile / 100) + ", " + series + ")";
      }
      return out;
    case QueryFunction::kAvg:
      out.expr = m.histogram ? histogram_mean : reduce("avg", series);
      return out;
    case QueryFunction::kSum:
      out.expr = m.histogram ? reduce("sum", "rate(" + range("_sum") + ")") : reduce("sum", series);
      return out;
    case QueryFunction::kMax:
    case QueryFunction::kMin:
      if (m.histogram) return fail("is a histogram; use percentile(" + s.metric + ", 100) or 0");
      out.expr = reduce(QueryFunctionName(s.function), series);
      return out;
    case QueryFunction::kLast:
      if (m.histogram) {
        out.expr = histogram_mean;
      } else {
        out.expr = p.group_by.empty() ? series : reduce("avg", series);
      }
      return out;
  }
  return out;
}

std::string GrafanaUnit(const std::string& ucum) {
  static const std::pair<std::string_view, std::string_view> kUnits[] = {
      {"ms", "ms"},       {"s", "s"},         {"us", "µs"},     {"ns", "ns"}, {"By", "bytes"},
      {"KiBy", "kbytes"}, {"MiBy", "mbytes"}, {"%", "percent"}, {"1", "none"}};
  for (const auto& [u, g] : kUnits) {
    if (u == ucum) return std::string(g);
  }
  return "short";
}

Json Thresholds(const DashboardPanel& p) {
  Json steps = Json::array();
  if (!p.threshold) {
    steps.push_back({{"color", "green"}, {"value", nullptr}});
  } else {
    const bool above = p.alert_if_exceeds;
    steps.push_back({{"color", above ? "green" : "red"}, {"value", nullptr}});
    steps.push_back({{"color", above ? "red" : "green"}, {"value", *p.threshold}});
  }
  return {{"mode", "absolute"}, {"steps", steps}};
}

std::string PanelUnit(const DashboardPanel& p, const MetricExportInfo& info) {
  if (!p.unit.empty()) return p.unit;
  const MetricSelect& s = p.parsed.numerator;
  if (p.parsed.denominator || s.function == QueryFunction::kRate ||
      s.function == QueryFunction::kIncrease)
    return "";
  return internal::DescriptorFor(info, s.metric, MetricType::kGauge).unit.ucum();
}

const Json kDatasource = {{"type", "prometheus"}, {"uid", "${datasource}"}};

Json MetricPanel(const DashboardPanel& p, const std::string& expr,
                 const DashboardGrafanaExportOptions& o) {
  static constexpr std::pair<Visualization, const char*> kTypes[] = {
      {Visualization::kTimeSeries, "timeseries"},
      {Visualization::kStat, "stat"},
      {Visualization::kGauge, "gauge"},
      {Visualization::kHeatmap, "heatmap"}};
  std::string type = "timeseries";
  for (const auto& [v, t] : kTypes) {
    if (v == p.visualization) type = t;
  }
  Json target = {{"refId", "A"}, {"expr", expr}, {"datasource", kDatasource}};
  Json defaults = {{"unit", GrafanaUnit(PanelUnit(p, o.metrics))}, {"thresholds", Thresholds(p)}};
  Json options = Json::object();
  if (p.visualization == Visualization::kTimeSeries && p.threshold) {
    defaults["custom"] = {{"thresholdsStyle", {{"mode", "line"}}}};
  }
  if (p.visualization == Visualization::kGauge) {
    defaults["min"] = 0;
    defaults["max"] = p.max.value_or(100);
  }
  if (p.visualization == Visualization::kHeatmap) {
    target["format"] = "heatmap";
    target["legendFormat"] = "{{le}}";
    options["calculate"] = false;
  }
  if (p.visualization == Visualization::kStat) options["graphMode"] = "area";
  return {{"type", type},
          {"title", p.title},
          {"datasource", kDatasource},
          {"targets", Json::array({target})},
          {"fieldConfig", {{"defaults", defaults}, {"overrides", Json::array()}}},
          {"options", options}};
}

}  // namespace

Result<std::string> PanelPromQL(const DashboardPanel& p, const DashboardGrafanaExportOptions& o) {
  const PanelQuery& q = p.parsed;
  TAI_ASSIGN_OR_RETURN(SelectExpr num, SelectPromQL(p, q.numerator, o));
  double factor = q.scale / num.scale;
  std::string expr = num.expr;
  if (q.denominator) {
    TAI_ASSIGN_OR_RETURN(SelectExpr den, SelectPromQL(p, *q.denominator, o));
    factor *= den.scale;
    expr = "(" + num.expr + ") / (" + den.expr + ")";
  }
  if (factor != 1) expr = "(" + expr + ") * " + Num(factor);
  return expr;
}

Result<std::string> ExportGrafanaDashboard(const DashboardConfig& config,
                                           const DashboardGrafanaExportOptions& o) {
  Json panels = Json::array();
  int id = 1;
  int y = 0;
  for (size_t r = 0; r < config.rows.size(); ++r) {
    const DashboardRow& row = config.rows[r];
    panels.push_back({{"id", id++},
                      {"type", "row"},
                      {"title", row.title},
                      {"collapsed", false},
                      {"gridPos", {{"h", 1}, {"w", 24}, {"x", 0}, {"y", y}}},
                      {"panels", Json::array()}});
    ++y;
    const int per_line = static_cast<int>(std::min<size_t>(row.panels.size(), 4));
    const int width = 24 / std::max(per_line, 1);
    for (size_t i = 0; i < row.panels.size(); ++i) {
      const DashboardPanel& p = row.panels[i];
      Json panel;
      if (IsMetricVisualization(p.visualization)) {
        auto expr = PanelPromQL(p, o);
        if (!expr.ok()) {
          return InvalidArgumentError(internal::PanelWhere(row, r, p, i) + expr.status().message());
        }
        panel = MetricPanel(p, *expr, o);
      } else {
        panel = {{"type", "text"},
                 {"title", p.title},
                 {"options",
                  {{"mode", "markdown"},
                   {"content", internal::LocalPanelMarkdown(p, o.local_dashboard_url)}}}};
      }
      const int col = static_cast<int>(i) % 4;
      const int line = static_cast<int>(i) / 4;
      panel["id"] = id++;
      panel["gridPos"] = {{"h", 8}, {"w", width}, {"x", col * width}, {"y", y + line * 8}};
      panels.push_back(std::move(panel));
    }
    y += 8 * ((static_cast<int>(row.panels.size()) + 3) / 4);
  }
  Json dashboard = {{"title", config.title},
                    {"tags", Json::array({"tai-observability"})},
                    {"timezone", "browser"},
                    {"schemaVersion", 39},
                    {"version", 1},
                    {"editable", true},
                    {"refresh", internal::PromDuration(config.refresh_interval)},
                    {"time", {{"from", "now-1h"}, {"to", "now"}}},
                    {"templating",
                     {{"list", Json::array({{{"name", "datasource"},
                                             {"label", "Prometheus"},
                                             {"type", "datasource"},
                                             {"query", "prometheus"}}})}}},
                    {"panels", panels}};
  return dashboard.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace tai
