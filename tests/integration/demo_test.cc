// The README's main job end to end: `taiobs demo` with a scripted incident
// and short windows. Through the dashboard's JSON API, while it runs: the
// latency SLO burns (a burn-rate window holds, the SLO fails), and the
// regression alert fires naming the slowed function. From the demo's own
// output: its webhook receiver got the notification and, after the incident,
// the resolution; and the run stops cleanly. With the heap hooks linked
// (this build is not a sanitizer one), heap profiles are listed too and
// their flame graph names the receipts the service keeps.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "export/http/http_client.h"
#include "tests/integration/child_process.h"

namespace tai {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using testing::ChildProcess;

json GetJson(const std::string& url) {
  internal::HttpClient client;
  auto r = client.Send({.method = "GET", .url = url});
  if (!r.ok() || r->status != 200) return json();
  return json::parse(r->body, nullptr, false);
}

bool LatencySloBurned(const json& slos) {
  if (!slos.is_object()) return false;
  for (const json& s : slos["slos"]) {
    if (s["id"] != "pay-latency") continue;
    for (const json& w : s["burn_rate_windows"]) {
      if (w["holds"] == true) return true;
    }
  }
  return false;
}

bool RegressionNamesTheFunction(const json& alerts) {
  if (!alerts.is_object()) return false;
  for (const json& a : alerts["alerts"]) {
    if (a["state"] == "firing" && a.dump().find("demo_query_orders") != std::string::npos) {
      return true;
    }
  }
  return false;
}

// The newest stored heap profile's flame graph (in-use space) names the
// demo's receipt rendering.
bool HeapProfileNamesTheReceipts(const std::string& dashboard) {
  const json list = GetJson(dashboard + "api/profiles?kind=HEAP");
  if (!list.is_object() || list["profiles"].empty()) return false;
  const json& newest = list["profiles"][0];
  if (newest["kind"] != "HEAP") return false;
  const json tree = GetJson(dashboard + "api/profiles/" +
                            std::to_string(newest["row_id"].get<int64_t>()) + "/flamegraph.json");
  return tree.dump().find("demo_render_receipt") != std::string::npos;
}

TEST(DemoTest, TheIncidentBurnsTheSloRaisesTheRegressionAndResolves) {
#if defined(TAI_SANITIZER_BUILD)
  GTEST_SKIP() << "a wall-clock scripted run; the Release build runs it";
#endif
  testing::TempDir dir;
  ChildProcess demo;
  ASSERT_TRUE(demo.Start({TAI_TAIOBS_PATH, "demo", "--listen", "127.0.0.1:0", "--duration", "150",
                          "--incident-after", "25", "--incident-duration", "40", "--profile-window",
                          "5", "--store", dir.path() + "/demo.db"},
                         dir.path() + "/stderr.txt"));
  std::string dashboard;
  for (int i = 0; i < 20 && dashboard.empty(); ++i) {
    auto line = demo.ReadLine(std::chrono::seconds(30));
    ASSERT_TRUE(line.has_value()) << "the demo printed no dashboard URL";
    if (line->starts_with("dashboard: ")) dashboard = line->substr(11);
  }
  ASSERT_FALSE(dashboard.empty());

  // While the incident runs (from +25 s), poll the API: bounded by the run.
  bool burned = false, regression = false, heap = false;
  std::vector<std::string> lines;
  const auto until = std::chrono::steady_clock::now() + seconds(120);
  while (!(burned && regression && heap) && std::chrono::steady_clock::now() < until) {
    burned = burned || LatencySloBurned(GetJson(dashboard + "api/slos"));
    regression = regression || RegressionNamesTheFunction(GetJson(dashboard + "api/alerts"));
    heap = heap || HeapProfileNamesTheReceipts(dashboard);
    if (auto line = demo.ReadLine(std::chrono::seconds(2))) lines.push_back(*line);
  }
  EXPECT_TRUE(burned) << "the pay-latency SLO never had a burn-rate window holding";
  EXPECT_TRUE(regression) << "no firing alert named demo_query_orders";
  EXPECT_TRUE(heap) << "no heap profile's flame graph named demo_render_receipt";

  // The rest of the output, to the end of the run.
  for (;;) {
    auto line = demo.ReadLine(seconds(90));
    if (!line) break;
    lines.push_back(*line);
    if (line->starts_with("stopped:")) break;
  }
  bool fired = false, resolved = false, stopped = false, heap_on = false;
  for (const std::string& l : lines) {
    heap_on |= l.starts_with("profiling: CPU and heap");
    const bool about_it = l.find("demo_query_orders") != std::string::npos;
    fired |= l.starts_with("notification: FIRING") && about_it;
    resolved |= l.starts_with("notification: RESOLVED") && about_it;
    stopped |= l.starts_with("stopped:");
  }
  std::string all;
  for (const std::string& l : lines) all += l + "\n";
  EXPECT_TRUE(fired) << all;
  EXPECT_TRUE(resolved) << all;
  EXPECT_TRUE(stopped) << all;
  EXPECT_TRUE(heap_on) << all;
  EXPECT_EQ(demo.Stop(), 0);
}

}  // namespace
}  // namespace tai
