// The example service scraped by a real Prometheus server (Debian package
// `prometheus`) on 127.0.0.1, and its /metrics checked by `promtool`.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "export/http/http_client.h"
#include "tests/integration/child_process.h"

namespace tai {
namespace {

using internal::HttpClient;
using testing::ChildProcess;
using testing::FreeLocalPort;
using testing::TempDir;

std::string UrlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Get(const std::string& url,
                std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpClient client;
  auto r = client.Send({.method = "GET", .url = url, .headers = std::move(headers)});
  return r.ok() && r->status == 200 ? r->body : "";
}

struct ServiceRun {
  TempDir dir;  // the service's embedded store: its own, as tests run side by side
  ChildProcess process;
  std::string metrics_url;
  double p50 = 0, p90 = 0, p99 = 0;  // exact, in milliseconds
};

constexpr int kRequests = 20000;

// Reads stdout into *line until a line matches `re` (*m then points into
// *line), skipping the service's log lines; false once `timeout` has passed.
bool ReadLineMatching(ChildProcess* process, const std::regex& re, std::chrono::seconds timeout,
                      std::string* line, std::smatch* m) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    auto next = process->ReadLine(left);
    if (!next) return false;
    *line = std::move(*next);
    if (std::regex_search(*line, *m, re)) return true;
  }
}

// Starts the example service with a fixed workload and waits for its summary.
void StartService(ServiceRun* run) {
  ASSERT_TRUE(run->process.Start({TAI_METRICS_SERVICE_PATH, "--listen", "127.0.0.1:0", "--requests",
                                  std::to_string(kRequests), "--rate", "1e9", "--seed", "7"},
                                 "", {"TAI_STORE_PATH=" + run->dir.path() + "/demo.db"}));
  std::string line;
  std::smatch m;
  ASSERT_TRUE(ReadLineMatching(&run->process, std::regex("^metrics: (.*)$"),
                               std::chrono::seconds(30), &line, &m))
      << "no 'metrics: <url>' line";
  run->metrics_url = m[1].str();
  ASSERT_TRUE(ReadLineMatching(&run->process,
                               std::regex("p50_ms=([0-9.]+) p90_ms=([0-9.]+) p99_ms=([0-9.]+)"),
                               std::chrono::seconds(60), &line, &m))
      << "no summary line with p50_ms, p90_ms, p99_ms";
  run->p50 = std::stod(m[1]);
  run->p90 = std::stod(m[2]);
  run->p99 = std::stod(m[3]);
}

TEST(PrometheusIntegrationTest, PromtoolAcceptsTheExposition) {
  ServiceRun run;
  StartService(&run);
  std::string text = Get(run.metrics_url);
  ASSERT_FALSE(text.empty());
  std::string output;
  int code = testing::RunWithInput({"/usr/bin/promtool", "check", "metrics"}, text, &output);
  EXPECT_EQ(code, 0) << output;
  EXPECT_EQ(output, "");
  // The OpenMetrics form is served on request and ends with # EOF.
  std::string om =
      Get(run.metrics_url, {{"Accept", "application/openmetrics-text; version=1.0.0"}});
  ASSERT_GT(om.size(), 6u);
  EXPECT_EQ(om.substr(om.size() - 6), "# EOF\n");
}

// Polls an instant query until `accept` says yes or the deadline passes.
nlohmann::json QueryUntil(int port, const std::string& promql,
                          const std::function<bool(const nlohmann::json&)>& accept,
                          std::chrono::seconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  nlohmann::json last;
  while (std::chrono::steady_clock::now() < until) {
    std::string body = Get("http://127.0.0.1:" + std::to_string(port) +
                           "/api/v1/query?query=" + UrlEncode(promql));
    if (!body.empty()) {
      last = nlohmann::json::parse(body, nullptr, false);
      if (!last.is_discarded() && last.value("status", "") == "success" &&
          !last["data"]["result"].empty() && accept(last)) {
        return last;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return last;
}

double Scalar(const nlohmann::json& j) {
  return std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
}

TEST(PrometheusIntegrationTest, RealPrometheusScrapesCountersAndQuantiles) {
  ServiceRun run;
  StartService(&run);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(run.metrics_url, m, std::regex(":([0-9]+)/metrics$")));
  const std::string target = "127.0.0.1:" + m[1].str();

  TempDir dir;
  const int prom_port = FreeLocalPort();
  {
    std::ofstream cfg(dir.path() + "/prometheus.yml");
    cfg << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        << "scrape_configs:\n  - job_name: demo\n    static_configs:\n      - targets: ['" << target
        << "']\n";
  }
  ChildProcess prometheus;
  ASSERT_TRUE(
      prometheus.Start({"/usr/bin/prometheus", "--config.file=" + dir.path() + "/prometheus.yml",
                        "--storage.tsdb.path=" + dir.path() + "/data",
                        "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
                       dir.path() + "/prometheus.log"));

  auto total = QueryUntil(
      prom_port, "sum(demo_requests_total)",
      [](const nlohmann::json& j) { return Scalar(j) == kRequests; }, std::chrono::seconds(60));
  ASSERT_FALSE(total.is_null()) << "Prometheus did not answer";
  ASSERT_FALSE(total["data"]["result"].empty()) << total.dump();
  EXPECT_EQ(Scalar(total), kRequests);

  // The bucket width at the exposed scale bounds histogram_quantile's error.
  std::string text = Get(run.metrics_url);
  std::smatch le;
  std::regex le_re("demo_request_latency_seconds_bucket\\{[^}]*le=\"([0-9.e+-]+)\"\\}");
  std::vector<double> bounds;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), le_re);
       it != std::sregex_iterator() && bounds.size() < 2; ++it) {
    bounds.push_back(std::stod((*it)[1]));
  }
  ASSERT_EQ(bounds.size(), 2u);
  const double width = bounds[1] / bounds[0] - 1;  // (upper - lower) / lower of one bucket
  // The three routes span ~13 powers of two; 160 exposed buckets hold that
  // at scale 3 (9% wide buckets) or finer.
  EXPECT_LT(width, 0.1);

  for (auto [q, exact_ms] : {std::pair{0.5, run.p50}, {0.9, run.p90}, {0.99, run.p99}}) {
    const double exact = exact_ms / 1000;
    auto got = QueryUntil(
        prom_port,
        "histogram_quantile(" + std::to_string(q) +
            ", sum by (le) (demo_request_latency_seconds_bucket))",
        [](const nlohmann::json& j) { return std::isfinite(Scalar(j)); }, std::chrono::seconds(30));
    ASSERT_FALSE(got["data"]["result"].empty()) << got.dump();
    EXPECT_NEAR(Scalar(got), exact, exact * width) << "q=" << q;
  }
}

}  // namespace
}  // namespace tai
