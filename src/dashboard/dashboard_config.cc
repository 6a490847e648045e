#include "tai/dashboard/dashboard_config.h"

#include <nlohmann/json.hpp>

#include "core/regular_file.h"
#include "core/text.h"
#include "tai/core/parse.h"

namespace tai {
namespace {

using Json = nlohmann::ordered_json;

constexpr size_t kMaxFileBytes = 4 << 20;

struct VisualizationName_ {
  std::string_view name;
  Visualization v;
};
constexpr VisualizationName_ kVisualizations[] = {
    {"timeseries", Visualization::kTimeSeries},
    {"stat", Visualization::kStat},
    {"gauge", Visualization::kGauge},
    {"heatmap", Visualization::kHeatmap},
    {"logs", Visualization::kLogs},
    {"traces", Visualization::kTraces},
    {"flamegraph", Visualization::kFlameGraph},
};

// A JSON value as an error shows it: strings quoted, others as written.
std::string Shown(const Json& j) {
  std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

std::string Quoted(std::string_view s) {
  std::string out = "'";
  out += s;
  return out + "'";
}

// Collects every problem of the file, each prefixed with where it is.
class Checker {
 public:
  explicit Checker(std::string_view name) : name_(name) {}

  void Add(const std::string& where, const std::string& field, const std::string& what) {
    std::string line = name_ + ": " + where;
    if (!field.empty()) line += "field '" + field + "': ";
    errors_.push_back(line + what);
  }
  Status Result() const {
    if (errors_.empty()) return Status::Ok();
    std::string all;
    for (const std::string& e : errors_) all += (all.empty() ? "" : "\n") + e;
    return InvalidArgumentError(all);
  }

  // Fields of `obj` not in `known` are errors.
  void Unknown(const Json& obj, std::initializer_list<std::string_view> known,
               const std::string& where) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      bool ok = false;
      for (std::string_view k : known) ok = ok || k == it.key();
      if (!ok) Add(where, it.key(), "unknown field");
    }
  }

  // Reads obj[field] when present; `ok` checks its type.
  const Json* Field(const Json& obj, const char* field, bool (Json::*is)() const noexcept,
                    const char* expected, const std::string& where) {
    auto it = obj.find(field);
    if (it == obj.end()) return nullptr;
    if (!((*it).*is)()) {
      Add(where, field, std::string("expected ") + expected + ", got " + Shown(*it));
      return nullptr;
    }
    return &*it;
  }

  std::string String(const Json& obj, const char* field, const std::string& where, bool required) {
    const Json* j = Field(obj, field, &Json::is_string, "a string", where);
    if (j == nullptr) {
      if (required && !obj.contains(field)) Add(where, field, "missing");
      return "";
    }
    std::string s = j->get<std::string>();
    if (required && s.empty()) Add(where, field, "must not be empty");
    return s;
  }

 private:
  std::string name_;
  std::vector<std::string> errors_;
};

std::string RowWhere(const std::string& title, size_t i) {
  return "row " + Quoted(title) + " (#" + std::to_string(i + 1) + "): ";
}
std::string PanelWhere(const std::string& row, const std::string& title, size_t i) {
  return row + "panel " + Quoted(title) + " (#" + std::to_string(i + 1) + "): ";
}

void ParseStrings(Checker& c, const Json& p, const char* field, const std::string& where,
                  std::vector<std::string>* out) {
  const Json* list = c.Field(p, field, &Json::is_array, "a list of strings", where);
  if (list == nullptr) return;
  for (const Json& item : *list) {
    if (!item.is_string()) {
      c.Add(where, field, "expected a list of strings, got " + Shown(item));
      continue;
    }
    out->push_back(item.get<std::string>());
  }
}

DashboardPanel ParsePanel(Checker& c, const Json& p, const std::string& where) {
  DashboardPanel panel;
  c.Unknown(p,
            {"title", "metric", "query", "threshold", "alert_if_exceeds", "visualization", "unit",
             "matchers", "group_by", "max"},
            where);
  panel.title = c.String(p, "title", where, true);
  panel.metric = c.String(p, "metric", where, false);
  panel.unit = c.String(p, "unit", where, false);
  if (const Json* v = c.Field(p, "visualization", &Json::is_string, "a string", where)) {
    const std::string name = v->get<std::string>();
    bool found = false;
    for (const auto& k : kVisualizations) {
      if (k.name == name) {
        panel.visualization = k.v;
        found = true;
      }
    }
    if (!found) {
      c.Add(where, "visualization",
            "expected one of timeseries, stat, gauge, heatmap, logs, traces, flamegraph, got " +
                Shown(*v));
    }
  }
  const bool metric_panel = IsMetricVisualization(panel.visualization);
  panel.query = c.String(p, "query", where, metric_panel);
  if (metric_panel && !panel.query.empty()) {
    auto q = ParsePanelQuery(panel.query);
    if (q.ok()) {
      panel.parsed = std::move(*q);
    } else {
      c.Add(where, "query", q.status().message());
    }
  }
  if (const Json* t = c.Field(p, "threshold", &Json::is_number, "a number", where)) {
    panel.threshold = t->get<double>();
  }
  if (const Json* m = c.Field(p, "max", &Json::is_number, "a number", where)) {
    panel.max = m->get<double>();
  }
  if (const Json* a = c.Field(p, "alert_if_exceeds", &Json::is_boolean, "true or false", where)) {
    panel.alert_if_exceeds = a->get<bool>();
  }
  std::vector<std::string> matchers;
  ParseStrings(c, p, "matchers", where, &matchers);
  for (const std::string& m : matchers) {
    auto parsed = ParseLabelMatcher(m);
    if (parsed.ok()) {
      panel.matchers.push_back(std::move(*parsed));
    } else {
      c.Add(where, "matchers", parsed.status().message());
    }
  }
  ParseStrings(c, p, "group_by", where, &panel.group_by);
  if (!metric_panel && (!panel.matchers.empty() || !panel.group_by.empty() || panel.threshold)) {
    c.Add(where, "visualization",
          std::string(VisualizationName(panel.visualization)) +
              " panels take no threshold, matchers or group_by");
  }
  return panel;
}

DashboardRow ParseRow(Checker& c, const Json& r, size_t index) {
  DashboardRow row;
  std::string where = RowWhere("", index);
  if (!r.is_object()) {
    c.Add(where, "", "expected an object, got " + Shown(r));
    return row;
  }
  if (auto t = r.find("title"); t != r.end() && t->is_string()) {
    where = RowWhere(t->get<std::string>(), index);
  }
  c.Unknown(r, {"title", "panels"}, where);
  row.title = c.String(r, "title", where, true);
  const Json* panels = c.Field(r, "panels", &Json::is_array, "a list of panels", where);
  if (panels == nullptr) {
    if (!r.contains("panels")) c.Add(where, "panels", "missing");
    return row;
  }
  if (panels->empty()) c.Add(where, "panels", "must list at least one panel");
  for (size_t i = 0; i < panels->size(); ++i) {
    const Json& p = (*panels)[i];
    std::string title;
    if (p.is_object()) {
      if (auto t = p.find("title"); t != p.end() && t->is_string()) title = t->get<std::string>();
    }
    const std::string pw = PanelWhere(where, title, i);
    if (!p.is_object()) {
      c.Add(pw, "", "expected an object, got " + Shown(p));
      continue;
    }
    row.panels.push_back(ParsePanel(c, p, pw));
  }
  return row;
}

}  // namespace

std::string_view VisualizationName(Visualization v) {
  for (const auto& k : kVisualizations) {
    if (k.v == v) return k.name;
  }
  return "timeseries";
}

bool IsMetricVisualization(Visualization v) {
  return v == Visualization::kTimeSeries || v == Visualization::kStat ||
         v == Visualization::kGauge || v == Visualization::kHeatmap;
}

size_t PanelCount(const DashboardConfig& config) {
  size_t n = 0;
  for (const DashboardRow& r : config.rows) n += r.panels.size();
  return n;
}

Result<DashboardConfig> ParseDashboardConfig(std::string_view json, std::string_view name) {
  Json root = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  const std::string file(name);
  if (root.is_discarded()) return InvalidArgumentError(file + ": not valid JSON");
  Checker c(name);
  DashboardConfig config;
  if (!root.is_object()) {
    c.Add("", "", "expected a JSON object, got " + Shown(root));
    return c.Result();
  }
  c.Unknown(root, {"title", "refresh_interval", "rows"}, "");
  config.title = c.String(root, "title", "", true);
  if (const Json* r = c.Field(root, "refresh_interval", &Json::is_string, "a duration", "")) {
    auto d = ParseDuration(r->get<std::string>());
    if (!d.ok()) {
      c.Add("", "refresh_interval", d.status().message());
    } else if (d->count() < 1000) {
      c.Add("", "refresh_interval", "must be at least 1s, got " + Shown(*r));
    } else {
      config.refresh_interval = *d;
    }
  }
  const Json* rows = c.Field(root, "rows", &Json::is_array, "a list of rows", "");
  if (rows == nullptr && !root.contains("rows")) c.Add("", "rows", "missing");
  if (rows != nullptr) {
    for (size_t i = 0; i < rows->size(); ++i) config.rows.push_back(ParseRow(c, (*rows)[i], i));
  }
  TAI_RETURN_IF_ERROR(c.Result());
  return config;
}

Result<DashboardConfig> LoadDashboardConfig(const std::string& path) {
  auto text = internal::ReadRegularFile(path, kMaxFileBytes, "the 4 MiB dashboard file limit");
  if (!text.ok()) return Status(text.status().code(), path + ": " + text.status().message());
  return ParseDashboardConfig(*text, path);
}

namespace {

// Not internal::PromDuration: that writes days ("1d"), which ParseDuration
// does not read back.
std::string DurationText(std::chrono::milliseconds d) {
  const int64_t ms = d.count();
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

Json PanelJson(const DashboardPanel& p) {
  Json j;
  j["title"] = p.title;
  if (!p.metric.empty()) j["metric"] = p.metric;
  if (!p.query.empty()) j["query"] = p.query;
  if (p.threshold) j["threshold"] = *p.threshold;
  if (p.alert_if_exceeds) j["alert_if_exceeds"] = true;
  if (p.visualization != Visualization::kTimeSeries) {
    j["visualization"] = std::string(VisualizationName(p.visualization));
  }
  if (!p.unit.empty()) j["unit"] = p.unit;
  if (!p.matchers.empty()) {
    Json m = Json::array();
    for (const LabelMatcher& lm : p.matchers) m.push_back(FormatLabelMatcher(lm));
    j["matchers"] = m;
  }
  if (!p.group_by.empty()) j["group_by"] = p.group_by;
  if (p.max) j["max"] = *p.max;
  return j;
}

}  // namespace

std::string DashboardConfigToJson(const DashboardConfig& config) {
  Json root;
  root["title"] = config.title;
  root["refresh_interval"] = DurationText(config.refresh_interval);
  Json rows = Json::array();
  for (const DashboardRow& r : config.rows) {
    Json panels = Json::array();
    for (const DashboardPanel& p : r.panels) panels.push_back(PanelJson(p));
    rows.push_back(Json{{"title", r.title}, {"panels", panels}});
  }
  root["rows"] = rows;
  return root.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace tai
