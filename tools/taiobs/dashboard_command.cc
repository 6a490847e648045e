// `taiobs dashboard check FILE`: validates a dashboard file as the
// dashboard would load it; prints "ok: N rows, M panels" (exit 0) or every
// error, one a line (exit 1).
// `taiobs dashboard export --format cloud-monitoring|grafana FILE [--store DB] [-o OUT]`:
// the dashboard for Cloud Monitoring or Grafana (docs/dashboard.md); with
// --store, metric kinds and units come from a service's store (read-only)
// instead of being implied by the queries.
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

#include "tai/dashboard/dashboard_config.h"
#include "tai/dashboard/dashboard_export.h"
#include "tai/store/store.h"
#include "tools/taiobs/commands.h"
#include "tools/taiobs/flags.h"

namespace taiobs {
namespace {

constexpr const char* kUsage =
    "usage: taiobs dashboard check FILE\n"
    "       taiobs dashboard export --format cloud-monitoring|grafana FILE [--store DB] "
    "[-o OUT]\n";

int Usage() {
  std::fprintf(stderr, "%s", kUsage);
  return 2;
}

int Check(const char* path) {
  auto config = tai::LoadDashboardConfig(path);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().message().c_str());
    return 1;
  }
  const size_t rows = config->rows.size(), panels = tai::PanelCount(*config);
  std::printf("ok: %zu row%s, %zu panel%s\n", rows, rows == 1 ? "" : "s", panels,
              panels == 1 ? "" : "s");
  return 0;
}

// Kinds and units of every metric the store at `path` holds.
tai::Result<tai::MetricExportInfo> StoredMetrics(const std::string& path) {
  auto store = tai::Store::Open({.path = path, .read_only = true});
  if (!store.ok()) return store.status();
  auto summaries = (*store)->MetricSummaries();
  if (!summaries.ok()) return summaries.status();
  tai::MetricExportInfo info;
  for (const tai::MetricSummary& m : *summaries) {
    info.descriptors.push_back(
        {.metric_type = m.name, .value_type = m.kind, .unit = tai::MetricUnit(m.unit)});
  }
  return info;
}

int Export(int argc, char** argv) {
  std::string format, file, out, store;
  for (int i = 2; i < argc; ++i) {
    const std::string_view a = argv[i];
    if ((a == "--format" || a == "-o" || a == "--store") && i + 1 < argc) {
      (a == "-o" ? out : a == "--store" ? store : format) = argv[++i];
    } else if (!a.starts_with("-") && file.empty()) {
      file = a;
    } else {
      SayUnexpected("dashboard export", a);
      return Usage();
    }
  }
  if (file.empty() || (format != "cloud-monitoring" && format != "grafana")) return Usage();
  auto config = tai::LoadDashboardConfig(file);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().message().c_str());
    return 1;
  }
  tai::MetricExportInfo metrics;
  if (!store.empty()) {
    auto stored = StoredMetrics(store);
    if (!stored.ok()) {
      std::fprintf(stderr, "taiobs: %s\n", stored.status().message().c_str());
      return 1;
    }
    metrics = std::move(*stored);
  }
  tai::DashboardGrafanaExportOptions grafana;
  grafana.metrics = metrics;
  tai::DashboardCloudExportOptions cloud;
  cloud.metrics = metrics;
  auto body = format == "grafana" ? tai::ExportGrafanaDashboard(*config, grafana)
                                  : tai::ExportCloudMonitoringDashboard(*config, cloud);
  if (!body.ok()) {
    std::fprintf(stderr, "%s: %s\n", file.c_str(), body.status().message().c_str());
    return 1;
  }
  if (out.empty()) {
    std::fwrite(body->data(), 1, body->size(), stdout);
    return 0;
  }
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << *body;
  f.close();
  if (!f) {
    std::fprintf(stderr, "taiobs: cannot write %s\n", out.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int DashboardCommand(int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[1]) == "check") return Check(argv[2]);
  if (argc >= 2 && std::string_view(argv[1]) == "export") return Export(argc, argv);
  return Usage();
}

}  // namespace taiobs
