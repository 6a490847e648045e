// The default dashboard: the golden signals (Google SRE book, ch. 6) picked
// out of the metric names a service records, then everything else grouped
// by name prefix. Names decide, so the picks are heuristics: a metric that
// matches nothing still gets a panel in its group.
#include <algorithm>
#include <map>

#include "core/text.h"
#include "metrics/self_metric_descriptor.h"
#include "tai/dashboard/dashboard_config.h"

namespace tai {
namespace {

bool Contains(const std::string& lower, std::initializer_list<std::string_view> words) {
  return std::any_of(words.begin(), words.end(),
                     [&](std::string_view w) { return lower.find(w) != std::string::npos; });
}

bool IsLatency(const MetricSummary& m, const std::string& lower) {
  return m.kind == MetricType::kDistribution && Contains(lower, {"latency", "duration"});
}
bool IsErrors(const MetricSummary& m, const std::string& lower) {
  return m.kind == MetricType::kCumulative && Contains(lower, {"error", "fail"});
}
bool IsTraffic(const MetricSummary& m, const std::string& lower) {
  return m.kind == MetricType::kCumulative && !IsErrors(m, lower) &&
         Contains(lower, {"request", "call"});
}
bool IsSaturation(const MetricSummary& m, const std::string& lower) {
  return m.kind == MetricType::kGauge &&
         Contains(lower, {"cpu", "memory", "rss", "heap", "utilization", "saturation", "queue"});
}
// CPU time as a counter (process.cpu.time): its rate is the cores in use.
bool IsCpuTime(const MetricSummary& m, const std::string& lower) {
  return m.kind == MetricType::kCumulative &&
         Contains(lower, {"cpu.time", "cpu_time", "cpu_seconds"});
}

// The metric's group: its name up to the last '/' or '.'.
std::string GroupOf(const std::string& name) {
  const size_t cut = name.find_last_of("/.");
  return cut == std::string::npos || cut == 0 ? "other" : name.substr(0, cut);
}

size_t CommonPrefix(const std::string& a, const std::string& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

// Adds a panel when the query parses (a name the grammar cannot spell has
// no panel rather than a broken one).
void AddPanel(DashboardRow& row, std::string title, std::string query, std::string unit) {
  auto parsed = ParsePanelQuery(query);
  if (!parsed.ok()) return;
  DashboardPanel p;
  p.title = std::move(title);
  p.query = std::move(query);
  p.parsed = std::move(*parsed);
  p.unit = std::move(unit);
  row.panels.push_back(std::move(p));
}

void AddDefaultPanel(DashboardRow& row, const MetricSummary& m) {
  switch (m.kind) {
    case MetricType::kDistribution:
      AddPanel(row, m.name + " p99", "percentile(" + m.name + ", 99)", m.unit);
      break;
    case MetricType::kCumulative:
      AddPanel(row, m.name + " per second", "rate(" + m.name + ")", "");
      break;
    default:
      AddPanel(row, m.name, m.name, m.unit);
      break;
  }
}

}  // namespace

DashboardConfig DefaultDashboard(const std::string& service,
                                 const std::vector<MetricSummary>& metrics) {
  std::vector<MetricSummary> sorted = metrics;
  std::sort(sorted.begin(), sorted.end(),
            [](const MetricSummary& a, const MetricSummary& b) { return a.name < b.name; });
  DashboardRow latency{"Latency", {}}, traffic{"Traffic", {}}, errors{"Errors", {}},
      saturation{"Saturation", {}};
  // The library's own tai_* metrics (queues, drops, export errors): last, as
  // the health of the instrumentation rather than of the service.
  DashboardRow health{"Library health (tai_*)", {}};
  std::vector<const MetricSummary*> requests;
  for (const MetricSummary& m : sorted) {
    if (!internal::IsSelfMetric(m.name) && IsTraffic(m, internal::AsciiLower(m.name))) {
      requests.push_back(&m);
    }
  }
  std::map<std::string, DashboardRow> groups;
  for (const MetricSummary& m : sorted) {
    const std::string lower = internal::AsciiLower(m.name);
    if (internal::IsSelfMetric(m.name)) {
      AddDefaultPanel(health, m);
    } else if (IsCpuTime(m, lower)) {
      AddPanel(saturation, m.name + " (cores)", "rate(" + m.name + ")", "");
    } else if (IsLatency(m, lower)) {
      for (const char* q : {"50", "95", "99"}) {
        AddPanel(latency, m.name + " p" + q, "percentile(" + m.name + ", " + q + ")", m.unit);
      }
    } else if (IsTraffic(m, lower)) {
      AddPanel(traffic, m.name + " per second", "rate(" + m.name + ")", "");
    } else if (IsErrors(m, lower)) {
      AddPanel(errors, m.name + " per second", "rate(" + m.name + ")", "");
      // The share of the requests: the counter whose name is closest.
      const MetricSummary* total = nullptr;
      for (const MetricSummary* r : requests) {
        if (total == nullptr || CommonPrefix(r->name, m.name) > CommonPrefix(total->name, m.name))
          total = r;
      }
      if (total != nullptr) {
        AddPanel(errors, m.name + " % of " + total->name,
                 "rate(" + m.name + ") / rate(" + total->name + ") * 100", "%");
      }
    } else if (IsSaturation(m, lower)) {
      AddPanel(saturation, m.name, m.name, m.unit);
    } else {
      DashboardRow& g = groups[GroupOf(m.name)];
      g.title = GroupOf(m.name);
      AddDefaultPanel(g, m);
    }
  }
  DashboardConfig config;
  config.title = service;
  for (DashboardRow* r : {&latency, &traffic, &errors, &saturation}) {
    if (!r->panels.empty()) config.rows.push_back(std::move(*r));
  }
  for (auto& [name, row] : groups) {
    if (!row.panels.empty()) config.rows.push_back(std::move(row));
  }
  if (!health.panels.empty()) config.rows.push_back(std::move(health));
  return config;
}

}  // namespace tai
