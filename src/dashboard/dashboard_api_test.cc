// The dashboard API against a real store with generated data, through a
// real HttpServer on 127.0.0.1 and the project's HTTP client: every answer
// is checked against the store's own answer to the same query.
#include "tai/dashboard/dashboard_api.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "export/http/http_client.h"
#include "store/store_testing.h"
#include "tai/alert/alert_engine.h"
#include "tai/analysis/flame_graph.h"
#include "tai/core/clock.h"
#include "tai/log/log_record.h"
#include "tai/store/deploy_record.h"

namespace tai {
namespace {

using internal::HttpClient;
using internal::HttpClientResponse;
using nlohmann::json;
using testing::kBaseTime;
using testing::kMinute;
using testing::kSecond;

constexpr int kPoints = 60;
const TraceId kTrace = TraceId::FromWords(0xabc, 1);
const TraceId kOtherTrace = TraceId::FromWords(0xabc, 2);
constexpr const char* kScript = "<script>alert(1)</script>";

Profile CpuProfile(const std::vector<std::pair<std::string, int64_t>>& functions, int64_t time) {
  Profile p;
  p.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  p.period_type = {"cpu", "nanoseconds"};
  p.period = 10'000'000;
  p.time_nanos = time;
  p.duration_nanos = 10 * kSecond;
  p.functions = {{1, "main", "main", "", 0}};
  p.locations = {{1, 0, 0x1000, {{1, 0}}}};
  for (const auto& [name, n] : functions) {
    const uint64_t id = p.functions.size() + 1;
    p.functions.push_back({id, name, name, "", 0});
    p.locations.push_back({id, 0, 0x1000 * id, {{id, 0}}});
    p.samples.push_back({{id, 1}, {n, n * p.period}, {}});
  }
  return p;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class DashboardApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t_.set_now(kBaseTime + 2 * testing::kHour);
    auto store = t_.Open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    AddMetrics();
    AddSpansAndLogs();
    AddProfiles();
    AddAlertHistory();
    ASSERT_TRUE(store_->Flush(std::chrono::seconds(30)).ok());

    auto engine = AlertEngine::Create(
        {.store = store_.get(), .clock = [this] { return t_.now(); }, .record_to_store = false});
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(*engine);
    ASSERT_TRUE(engine_
                    ->AddRule({.id = "hot",
                               .metric_type = "app/temperature",
                               .threshold = -1,
                               .evaluation_window_secs = 3 * 3600,
                               .labels = {{"severity", "page"}}})
                    .ok());
    ASSERT_TRUE(engine_->EvaluateOnce().ok());

    ASSERT_TRUE(ServeDashboardApi(server_, {.store = store_.get(),
                                            .alerts = engine_.get(),
                                            .service_name = "checkout",
                                            .max_rows = 50,
                                            .clock = [this] { return t_.now(); }})
                    .ok());
    ASSERT_TRUE(server_.Start().ok());
  }

  void AddMetrics() {
    auto gd = testing::Descriptor("app/temperature", MetricType::kGauge);
    for (int i = 0; i < kPoints; ++i) {
      const int64_t t = kBaseTime + i * kMinute;
      std::vector<MetricPoint> g;
      for (const char* host : {"a", "b"}) {
        g.push_back(testing::Point(LabelSet({{"host", host}}), t, double(i) + (host[0] == 'b')));
      }
      store_->AddMetrics(testing::Batch({testing::OneMetric(gd, InstrumentKind::kGauge, g)}, t));
    }
  }

  void AddSpansAndLogs() {
    auto batch = std::make_shared<std::vector<SpanData>>();
    SpanData root = testing::MakeSpan(kTrace, 1, 0, "GET /pay", kBaseTime, 300'000'000, false);
    root.attributes = {{"http.route", "/pay"}};
    root.kind = SpanKind::kServer;
    SpanData child = testing::MakeSpan(kTrace, 2, 1, kScript, kBaseTime + 1000, 100'000'000, true);
    child.attributes = {{"evil", kScript}};
    child.events = {{"retry", kBaseTime + 2000, {{"attempt", int64_t{2}}}, 0}};
    SpanData other =
        testing::MakeSpan(kOtherTrace, 3, 0, "GET /health", kBaseTime + kMinute, 1'000'000, false);
    batch->push_back(root);
    batch->push_back(child);
    batch->push_back(other);
    Resource resource;
    resource.service_name = "checkout";
    store_->AddSpans(batch, resource);

    std::vector<LogRecord> records;
    for (int i = 0; i < 6; ++i) {
      LogRecord r;
      r.time_unix_nanos = kBaseTime + i * kSecond;
      r.level = i % 2 ? LogLevel::kError : LogLevel::kInfo;
      r.logger_name = InternLoggerName("payments");
      r.message = i == 0 ? std::string(kScript) : "payment step " + std::to_string(i);
      if (i < 3) r.trace_id = kTrace;
      records.push_back(std::move(r));
    }
    store_->AddLogs(LogBatch{resource, std::span<const LogRecord>(records)});
  }

  void AddProfiles() {
    std::vector<UploadedProfile> batch;
    for (int i = 0; i < 2; ++i) {
      Profile p = CpuProfile({{"hot", 10 * (i + 1)}, {"cold", 1}}, kBaseTime + i * kMinute);
      batch.push_back({"cpu-" + std::to_string(i), ProfileKind::kCpu, p, {}});
    }
    Resource resource;
    resource.service_name = "checkout";
    store_->AddProfiles(batch, resource);
  }

  void AddAlertHistory() {
    store_->AddAlertEvents(
        {{.time_nanos = kBaseTime, .rule_id = "hot", .fingerprint = "f1", .state = "pending"},
         {.time_nanos = kBaseTime + kMinute,
          .rule_id = "hot",
          .fingerprint = "f1",
          .state = "firing"}});
    store_->AddNotificationAttempts({{.time_nanos = kBaseTime + kMinute,
                                      .notifier = "slack",
                                      .fingerprint = "f1",
                                      .rule_id = "hot",
                                      .state = "firing",
                                      .ok = true,
                                      .http_status = 200}});
  }

  Result<HttpClientResponse> Get(const std::string& path,
                                 std::vector<std::pair<std::string, std::string>> headers = {}) {
    return client_.Send({.method = "GET", .url = server_.url() + path, .headers = headers});
  }

  // GET that must answer `status` with JSON.
  json GetJson(const std::string& path, int status = 200) {
    auto r = Get(path);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return nullptr;
    EXPECT_EQ(r->status, status) << path << ": " << r->body;
    EXPECT_EQ(r->Header("content-type"), "application/json") << path;
    json body = json::parse(r->body, nullptr, false);
    EXPECT_FALSE(body.is_discarded()) << r->body;
    return body;
  }

  int64_t FirstProfileRow() {
    auto list = store_->ListProfiles({});
    EXPECT_TRUE(list.ok());
    return list->back().row_id;  // the oldest
  }

  testing::TestStore t_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<AlertEngine> engine_;
  HttpServer server_;
  HttpClient client_;
};

TEST_F(DashboardApiTest, MetricNamesAndLatestAreTheStores) {
  json names = GetJson("/api/metrics");
  EXPECT_EQ(names["metrics"].get<std::vector<std::string>>(), *store_->MetricNames());

  json latest = GetJson("/api/metrics/latest?metric=app/temperature&match[]=host%3D%22b%22");
  auto want = store_->Latest("app/temperature", {{.key = "host", .value = "b"}});
  ASSERT_TRUE(want.ok());
  ASSERT_EQ(latest["series"].size(), want->size());
  ASSERT_EQ(want->size(), 1u);
  EXPECT_EQ(latest["series"][0]["labels"]["host"], "b");
  EXPECT_EQ(latest["series"][0]["value"].get<double>(), (*want)[0].value);
  EXPECT_EQ(latest["series"][0]["time_unix_nanos"].get<int64_t>(), (*want)[0].time_nanos);
}

TEST_F(DashboardApiTest, RangeMatchesTheStoreWithAnyTimeSpelling) {
  MetricRangeQuery q{.metric = "app/temperature",
                     .start_nanos = kBaseTime,
                     .end_nanos = kBaseTime + testing::kHour,
                     .step_nanos = 5 * kMinute,
                     .function = StepFunction::kMax,
                     .across = SeriesAggregation::kSum};
  auto want = store_->QueryRange(q);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  ASSERT_EQ(want->series.size(), 1u);
  const std::string unix_start = std::to_string(kBaseTime / kSecond);
  // The clock is at base + 2h: "now-2h" is the base time.
  for (const std::string& times :
       {"start=" + unix_start + "&end=now-1h", std::string("start=now-2h&end=now-60m")}) {
    json got = GetJson("/api/metrics/range?metric=app/temperature&" + times +
                       "&step=5m&fn=max&across=sum");
    ASSERT_EQ(got["series"].size(), 1u) << times;
    EXPECT_EQ(got["tier"], "raw");
    EXPECT_EQ(got["step_seconds"].get<double>(), 300.0);
    const auto& points = want->series[0].points;
    ASSERT_EQ(got["series"][0]["values"].size(), points.size()) << times;
    for (size_t i = 0; i < points.size(); ++i) {
      EXPECT_EQ(got["series"][0]["values"][i].get<double>(), points[i].value);
      EXPECT_EQ(got["series"][0]["times"][i].get<double>(),
                static_cast<double>(points[i].time_nanos) / 1e9);
    }
  }
  // RFC 3339 start and end with an offset.
  json rfc =
      GetJson("/api/metrics/range?metric=app/temperature&start=" + FormatRfc3339(kBaseTime) +
              "&end=" + FormatRfc3339(kBaseTime + testing::kHour) + "&step=300&fn=max&across=sum");
  EXPECT_EQ(rfc["series"][0]["values"].size(), want->series[0].points.size());
}

TEST_F(DashboardApiTest, StatsAreTheStores) {
  json got =
      GetJson("/api/metrics/stats?metric=app/temperature&start=now-2h&end=now&match[]=host=a");
  auto want = store_->Statistics("app/temperature", {{.key = "host", .value = "a"}}, kBaseTime,
                                 kBaseTime + 2 * testing::kHour);
  ASSERT_TRUE(want.ok());
  EXPECT_EQ(got["count"].get<uint64_t>(), want->count);
  EXPECT_EQ(got["max"].get<double>(), want->max);
  EXPECT_EQ(got["p99"].get<double>(), want->p99);
  EXPECT_EQ(got["tier"], "raw");
}

TEST_F(DashboardApiTest, BadParametersAre400NamingTheParameter) {
  const std::pair<std::string, std::string> cases[] = {
      {"/api/metrics/latest", "metric"},
      {"/api/metrics/latest?metric=x&match[]=%3D%3D", "match[]"},
      {"/api/metrics/range?metric=x&start=yesterday", "start"},
      {"/api/metrics/range?metric=x&start=2026-13-01T00:00:00Z", "start"},
      {"/api/metrics/range?metric=x&start=now-1h&end=now-2h", "end"},
      {"/api/metrics/range?metric=x&step=0", "step"},
      {"/api/metrics/range?metric=x&start=now-30d&step=1s", "step"},
      {"/api/metrics/range?metric=x&fn=median", "fn"},
      {"/api/metrics/range?metric=x&fn=quantile&q=1.5", "q"},
      {"/api/metrics/range?metric=x&across=all", "across"},
      {"/api/metrics/range?metric=x&stepp=1m", "stepp"},
      {"/api/traces?min_duration=fast", "min_duration"},
      {"/api/traces?min_duration=2s&max_duration=1s", "max_duration"},
      {"/api/traces?error=maybe", "error"},
      {"/api/traces?attr=novalue", "attr"},
      {"/api/traces?limit=0", "limit"},
      {"/api/traces/xyz", "id"},
      {"/api/logs?level=loud", "level"},
      {"/api/logs?trace_id=12", "trace_id"},
      {"/api/profiles?kind=GPU", "kind"},
      {"/api/profiles/abc", "id"},
      {"/api/profiles/1/diff/zero/flamegraph.svg", "baseline"},
      {"/api/profiles/merged/flamegraph.svg", "kind"},
      {"/api/alerts/history?state=burning", "state"},
      {"/api/notifications?start=soon", "start"},
  };
  for (const auto& [path, parameter] : cases) {
    json body = GetJson(path, 400);
    EXPECT_EQ(body["parameter"], parameter) << path << ": " << body.dump();
    EXPECT_NE(body["error"].get<std::string>().find(parameter), std::string::npos) << path;
  }
}

TEST_F(DashboardApiTest, StoreRefusalsPassThroughWithTheirMessage) {
  json missing = GetJson("/api/traces/" + TraceId::FromWords(9, 9).ToHex(), 404);
  EXPECT_FALSE(missing["error"].get<std::string>().empty());
  GetJson("/api/profiles/999999", 404);
  json heap = GetJson("/api/profiles/merged/flamegraph.svg?kind=HEAP", 404);
  EXPECT_EQ(heap["code"], "NOT_FOUND");
  // An FTS5 syntax error is the store's INVALID_ARGUMENT.
  json fts = GetJson("/api/logs?text=%22unbalanced", 400);
  EXPECT_FALSE(fts["error"].get<std::string>().empty());
}

TEST_F(DashboardApiTest, TraceSearchIsTheStoresAndCapsTheLimit) {
  json got = GetJson("/api/traces?service=checkout&min_duration=50ms&limit=1000");
  auto want = store_->SearchSpans({.service = "checkout", .min_duration_nanos = 50'000'000});
  ASSERT_TRUE(want.ok());
  EXPECT_EQ(got["limit"], 50);  // max_rows
  ASSERT_EQ(got["spans"].size(), want->size());
  for (size_t i = 0; i < want->size(); ++i) {
    EXPECT_EQ(got["spans"][i]["span_id"], (*want)[i].span.context.span_id.ToHex());
  }
  json errors = GetJson("/api/traces?error=true");
  ASSERT_EQ(errors["spans"].size(), 1u);
  EXPECT_EQ(errors["spans"][0]["status"], "error");
  json by_attr = GetJson("/api/traces?attr=http.route%3D/pay");
  ASSERT_EQ(by_attr["spans"].size(), 1u);
  EXPECT_EQ(by_attr["spans"][0]["name"], "GET /pay");
}

TEST_F(DashboardApiTest, TraceHasEverySpanAndItsLogs) {
  json got = GetJson("/api/traces/" + kTrace.ToHex());
  auto spans = store_->GetTrace(kTrace);
  ASSERT_TRUE(spans.ok());
  ASSERT_EQ(got["spans"].size(), spans->size());
  ASSERT_EQ(got["spans"].size(), 2u);
  const json& child = got["spans"][1];
  EXPECT_EQ(child["parent_span_id"], got["spans"][0]["span_id"]);
  EXPECT_EQ(child["attributes"]["evil"], kScript);
  ASSERT_EQ(child["events"].size(), 1u);
  EXPECT_EQ(child["events"][0]["name"], "retry");
  EXPECT_EQ(child["status"], "error");
  EXPECT_EQ(child["service"], "checkout");
  EXPECT_EQ(child["start_unix_nanos"].get<int64_t>(), kBaseTime + 1000);
  // The trace's three logs, oldest first; the other logs are not its.
  ASSERT_EQ(got["logs"].size(), 3u);
  EXPECT_EQ(got["logs"][0]["message"], kScript);
  EXPECT_EQ(got["logs"][2]["message"], "payment step 2");
  for (const json& log : got["logs"]) EXPECT_EQ(log["trace_id"], kTrace.ToHex());
}

TEST_F(DashboardApiTest, UntrustedTextComesBackJsonEscaped) {
  // The browser test (next) checks that the page renders it as text.
  auto r = Get("/api/traces/" + kTrace.ToHex());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body.find("<script>"), std::string::npos);
  EXPECT_NE(r->body.find("\\u003cscript\\u003e"), std::string::npos);
  json body = json::parse(r->body);
  EXPECT_EQ(body["spans"][1]["name"], kScript);
  EXPECT_EQ(r->Header("x-content-type-options"), "nosniff");
}

TEST_F(DashboardApiTest, LogSearchIsTheStores) {
  json got = GetJson("/api/logs?level=error&logger=payments&limit=2");
  auto want = store_->SearchLogs({.min_level = LogLevel::kError, .logger = "payments", .limit = 2});
  ASSERT_TRUE(want.ok());
  ASSERT_EQ(got["logs"].size(), want->size());
  ASSERT_EQ(got["logs"].size(), 2u);
  for (size_t i = 0; i < want->size(); ++i) {
    EXPECT_EQ(got["logs"][i]["message"], (*want)[i].message);
    EXPECT_EQ(got["logs"][i]["level"], "ERROR");
  }
  json by_trace = GetJson("/api/logs?trace_id=" + kTrace.ToHex());
  EXPECT_EQ(by_trace["logs"].size(), 3u);
  json by_text = GetJson("/api/logs?text=step&start=" + FormatRfc3339(kBaseTime + 4 * kSecond));
  EXPECT_EQ(by_text["logs"].size(), 2u);
}

TEST_F(DashboardApiTest, ProfilesListSummaryAndFlameGraphs) {
  json list = GetJson("/api/profiles?kind=cpu&service=checkout");
  auto want = store_->ListProfiles({.service = "checkout", .kind = "CPU"});
  ASSERT_TRUE(want.ok());
  ASSERT_EQ(list["profiles"].size(), 2u);
  EXPECT_EQ(list["profiles"][0]["row_id"].get<int64_t>(), (*want)[0].row_id);
  EXPECT_EQ(list["profiles"][0]["profile_id"], "cpu-1");
  const int64_t old_row = (*want)[1].row_id;
  const int64_t new_row = (*want)[0].row_id;
  auto profile = store_->GetProfile(new_row);
  ASSERT_TRUE(profile.ok());

  json summary = GetJson("/api/profiles/" + std::to_string(new_row));
  EXPECT_EQ(summary["hot_functions"][0]["function"], "hot");
  EXPECT_EQ(summary["hot_functions"][0]["value"].get<int64_t>(),
            profile->HotPaths(1)[0].cpu_micros);
  EXPECT_EQ(summary["unit"], "microseconds");

  auto svg = Get("/api/profiles/" + std::to_string(new_row) + "/flamegraph.svg");
  ASSERT_TRUE(svg.ok());
  EXPECT_EQ(svg->status, 200);
  EXPECT_EQ(svg->Header("content-type"), "image/svg+xml");
  EXPECT_EQ(svg->body, FlameGraphSvg(*profile, {.title = "Profile " + std::to_string(new_row)}));

  auto collapsed = Get("/api/profiles/" + std::to_string(new_row) + "/collapsed");
  ASSERT_TRUE(collapsed.ok());
  EXPECT_EQ(collapsed->body, CollapsedStacks(*profile));

  auto diff = Get("/api/profiles/" + std::to_string(new_row) + "/diff/" + std::to_string(old_row) +
                  "/flamegraph.svg");
  ASSERT_TRUE(diff.ok());
  EXPECT_EQ(diff->status, 200) << diff->body;
  EXPECT_NE(diff->body.find("<svg"), std::string::npos);

  auto merged = Get("/api/profiles/merged/flamegraph.svg?kind=CPU&start=" +
                    std::to_string(kBaseTime / kSecond));
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->status, 200) << merged->body;
  auto want_merged = store_->MergeProfiles({.kind = "CPU", .start_nanos = kBaseTime});
  ASSERT_TRUE(want_merged.ok());
  EXPECT_EQ(merged->body, FlameGraphSvg(*want_merged, {.title = "Merged CPU profile"}));

  json tree = GetJson("/api/profiles/" + std::to_string(new_row) + "/flamegraph.json");
  EXPECT_EQ(tree["value"].get<int64_t>(), profile->ToReportUnit(profile->TotalValue()));
  ASSERT_EQ(tree["children"].size(), 1u);
  EXPECT_EQ(tree["children"][0]["name"], "main");
}

// A heap profile (as continuous heap profiling stores it) is listed with its
// kind, and its summary and flame graph show the bytes in use, its default
// sample type, not the first column (allocated objects).
TEST_F(DashboardApiTest, HeapProfilesListWithTheirKindAndShowInUseSpace) {
  Profile heap;
  heap.sample_types = {{"alloc_objects", "count"},
                       {"alloc_space", "bytes"},
                       {"inuse_objects", "count"},
                       {"inuse_space", "bytes"}};
  heap.default_sample_type = "inuse_space";
  heap.period_type = {"space", "bytes"};
  heap.period = 512 * 1024;
  heap.time_nanos = kBaseTime + 2 * kMinute;
  heap.duration_nanos = 10 * kSecond;
  heap.functions = {{1, "main", "main", "", 0},
                    {2, "demo_render_receipt", "demo_render_receipt", "", 0}};
  heap.locations = {{1, 0, 0x1000, {{1, 0}}}, {2, 0, 0x2000, {{2, 0}}}};
  heap.samples.push_back({{2, 1}, {7, 900'000, 3, 393'216}, {}});
  Resource resource;
  resource.service_name = "checkout";
  store_->AddProfiles(std::vector<UploadedProfile>{{"heap-000001", ProfileKind::kHeap, heap, {}}},
                      resource);
  ASSERT_TRUE(store_->Flush(std::chrono::seconds(30)).ok());

  json list = GetJson("/api/profiles?kind=HEAP&service=checkout");
  ASSERT_EQ(list["profiles"].size(), 1u);
  EXPECT_EQ(list["profiles"][0]["kind"], "HEAP");
  EXPECT_EQ(list["profiles"][0]["profile_id"], "heap-000001");
  const std::string row = std::to_string(list["profiles"][0]["row_id"].get<int64_t>());
  json summary = GetJson("/api/profiles/" + row);
  EXPECT_EQ(summary["default_sample_type"], 3);
  EXPECT_EQ(summary["unit"], "bytes");
  EXPECT_EQ(summary["total"].get<int64_t>(), 393'216);
  json tree = GetJson("/api/profiles/" + row + "/flamegraph.json");
  EXPECT_EQ(tree["value"].get<int64_t>(), 393'216);
  ASSERT_EQ(tree["children"].size(), 1u);
  ASSERT_EQ(tree["children"][0]["children"].size(), 1u);
  EXPECT_EQ(tree["children"][0]["children"][0]["name"], "demo_render_receipt");
}

// The page's flame graphs (d3-flame-graph): the merged tree is the store's
// merge; the differential tree is the current profile's with each node's
// change against the baseline (same duration here, so scale 1).
TEST_F(DashboardApiTest, MergedAndDifferentialFlameGraphJson) {
  auto want = store_->ListProfiles({.kind = "CPU"});
  ASSERT_TRUE(want.ok());
  ASSERT_EQ(want->size(), 2u);
  const std::string old_row = std::to_string((*want)[1].row_id);
  const std::string new_row = std::to_string((*want)[0].row_id);

  json merged = GetJson("/api/profiles/merged/flamegraph.json?kind=cpu&start=" +
                        std::to_string(kBaseTime / kSecond));
  auto want_merged = store_->MergeProfiles({.kind = "CPU", .start_nanos = kBaseTime});
  ASSERT_TRUE(want_merged.ok());
  EXPECT_EQ(merged["value"].get<int64_t>(), want_merged->ToReportUnit(want_merged->TotalValue()));
  EXPECT_EQ(GetJson("/api/profiles/merged/flamegraph.json?kind=HEAP", 404)["code"], "NOT_FOUND");
  EXPECT_EQ(GetJson("/api/profiles/merged/flamegraph.json", 400)["parameter"], "kind");

  json diff = GetJson("/api/profiles/" + new_row + "/diff/" + old_row + "/flamegraph.json");
  // hot: 20 samples now, 10 before, of 10 ms each; cold: 1 and 1.
  const int64_t hot_change = 10 * 10'000;
  EXPECT_EQ(diff["name"], "root");
  EXPECT_EQ(diff["delta"].get<int64_t>(), hot_change);
  ASSERT_EQ(diff["children"].size(), 1u);
  const json& main = diff["children"][0];
  EXPECT_EQ(main["name"], "main");
  std::map<std::string, std::pair<int64_t, int64_t>> frames;  // name -> value, delta
  for (const json& c : main["children"]) {
    frames[c["name"]] = {c["value"].get<int64_t>(), c["delta"].get<int64_t>()};
  }
  EXPECT_EQ(frames["hot"], std::make_pair(int64_t{20 * 10'000}, hot_change));
  EXPECT_EQ(frames["cold"], std::make_pair(int64_t{10'000}, int64_t{0}));
  // Against itself nothing changed.
  json same = GetJson("/api/profiles/" + new_row + "/diff/" + new_row + "/flamegraph.json");
  EXPECT_EQ(same["delta"].get<int64_t>(), 0);
  EXPECT_EQ(GetJson("/api/profiles/" + new_row + "/diff/999/flamegraph.json", 404)["code"],
            "NOT_FOUND");
}

// /api/dashboard: the default dashboard for what the store holds, with the
// range query of each panel; or the one the application gave.
TEST_F(DashboardApiTest, DashboardIsTheDefaultOneWithRangeQueries) {
  json dash = GetJson("/api/dashboard");
  auto summaries = store_->MetricSummaries();
  ASSERT_TRUE(summaries.ok());
  json want = json::parse(DashboardConfigToJson(DefaultDashboard("checkout", *summaries)));
  EXPECT_EQ(dash["title"], "checkout");
  EXPECT_EQ(dash["refresh_seconds"].get<double>(), 30);
  ASSERT_EQ(dash["rows"].size(), want["rows"].size());
  ASSERT_FALSE(dash["rows"].empty());
  const json& panel = dash["rows"][0]["panels"][0];
  EXPECT_EQ(panel["query"], want["rows"][0]["panels"][0]["query"]);
  EXPECT_EQ(panel["series"]["numerator"]["metric"], "app/temperature");
  EXPECT_EQ(panel["series"]["numerator"]["fn"], "last");

  auto config = ParseDashboardConfig(R"json({"title": "Pay", "refresh_interval": "10s", "rows": [
      {"title": "R", "panels": [
        {"title": "p99", "query": "percentile(lat, 99)"},
        {"title": "err", "query": "rate(errors) / rate(requests) * 100"},
        {"title": "logs", "query": "timeout", "visualization": "logs"}]}]})json",
                                     "pay.json");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  HttpServer server;
  ASSERT_TRUE(ServeDashboardApi(
                  server, {.store = store_.get(), .dashboard = *config, .serve_assets = false})
                  .ok());
  ASSERT_TRUE(server.Start().ok());
  auto r = client_.Send({.method = "GET", .url = server.url() + "/api/dashboard"});
  ASSERT_TRUE(r.ok());
  json given = json::parse(r->body);
  EXPECT_EQ(given["title"], "Pay");
  EXPECT_EQ(given["refresh_seconds"].get<double>(), 10);
  const json& panels = given["rows"][0]["panels"];
  EXPECT_EQ(panels[0]["series"]["numerator"],
            json({{"metric", "lat"}, {"fn", "quantile"}, {"q", 0.99}, {"across", "sum"}}));
  EXPECT_EQ(panels[1]["series"]["numerator"]["fn"], "rate");
  EXPECT_EQ(panels[1]["series"]["denominator"]["metric"], "requests");
  EXPECT_EQ(panels[1]["series"]["scale"].get<double>(), 100);
  EXPECT_FALSE(panels[2].contains("series"));
}

TEST_F(DashboardApiTest, SpeedscopeFileHoldsEveryStackWithItsWeight) {
  const int64_t row = FirstProfileRow();
  auto r = Get("/api/profiles/" + std::to_string(row) + "/speedscope.json");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200);
  json file = json::parse(r->body);
  EXPECT_EQ(file["$schema"], "https://www.speedscope.app/file-format-schema.json");
  const json& p = file["profiles"][0];
  EXPECT_EQ(p["type"], "sampled");
  EXPECT_EQ(p["unit"], "nanoseconds");
  ASSERT_EQ(p["samples"].size(), p["weights"].size());
  // main;hot 10 samples and main;cold 1 sample, 10 ms each.
  std::map<std::string, int64_t> stacks;
  for (size_t i = 0; i < p["samples"].size(); ++i) {
    std::string stack;
    for (const json& frame : p["samples"][i]) {
      stack += (stack.empty() ? "" : ";") +
               file["shared"]["frames"][frame.get<size_t>()]["name"].get<std::string>();
    }
    stacks[stack] = p["weights"][i].get<int64_t>();
  }
  EXPECT_EQ(stacks,
            (std::map<std::string, int64_t>{{"main;hot", 100'000'000}, {"main;cold", 10'000'000}}));
  EXPECT_EQ(p["endValue"].get<int64_t>(), 110'000'000);
}

TEST_F(DashboardApiTest, AlertsHistoryNotificationsAndRules) {
  json alerts = GetJson("/api/alerts");
  auto want = engine_->Alerts();
  ASSERT_EQ(alerts["alerts"].size(), want.size());
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(alerts["alerts"][0]["rule_id"], "hot");
  EXPECT_EQ(alerts["alerts"][0]["severity"], "page");
  EXPECT_EQ(alerts["alerts"][0]["state"], AlertStateName(want[0].state));

  json history = GetJson("/api/alerts/history?rule=hot&state=firing");
  ASSERT_EQ(history["events"].size(), 1u);
  EXPECT_EQ(history["events"][0]["fingerprint"], "f1");
  json all = GetJson("/api/alerts/history?end=" + std::to_string(kBaseTime / kSecond + 61));
  EXPECT_EQ(all["events"].size(), 2u);

  json notifications = GetJson("/api/notifications?notifier=slack");
  ASSERT_EQ(notifications["notifications"].size(), 1u);
  EXPECT_EQ(notifications["notifications"][0]["http_status"], 200);

  json rules = GetJson("/api/rules");
  ASSERT_EQ(rules["rules"].size(), 1u);
  EXPECT_EQ(rules["rules"][0]["metric_type"], "app/temperature");
  EXPECT_EQ(rules["engine"]["rules"], 1);
}

// The executive tier's data: each SLO's last evaluation as the engine has
// it, with PASS/FAIL, the error budget and each window's coverage.
TEST_F(DashboardApiTest, SlosAreTheEnginesLastEvaluation) {
  json none = GetJson("/api/slos");
  EXPECT_TRUE(none["slos"].empty());
  ASSERT_TRUE(engine_
                  ->AddSlo({.metric = "app/temperature",
                            .threshold = 30,
                            .window = std::chrono::hours(3),
                            .error_budget = 0.5,
                            .id = "cool",
                            .min_events = 1})
                  .ok());
  ASSERT_TRUE(engine_->EvaluateOnce().ok());
  const auto want = engine_->SloStatuses();
  ASSERT_EQ(want.size(), 1u);
  ASSERT_NE(want[0].evaluated_at_nanos, 0) << want[0].error;

  json slos = GetJson("/api/slos");
  ASSERT_EQ(slos["slos"].size(), 1u);
  const json& slo = slos["slos"][0];
  EXPECT_EQ(slo["id"], "cool");
  EXPECT_EQ(slo["kind"], "latency");
  EXPECT_EQ(slo["window_secs"], 3 * 3600);
  EXPECT_DOUBLE_EQ(slo["objective"].get<double>(), 0.5);
  EXPECT_EQ(slo["budget"]["total_events"], want[0].budget.total_events);
  EXPECT_GT(want[0].budget.total_events, 0u);
  EXPECT_DOUBLE_EQ(slo["budget"]["sli"].get<double>(), want[0].budget.sli);
  EXPECT_EQ(slo["passing"], want[0].budget.sli >= want[0].budget.objective);
  EXPECT_DOUBLE_EQ(slo["budget"]["data_coverage"].get<double>(), want[0].budget.data_coverage);
  ASSERT_EQ(slo["burn_rate_windows"].size(), want[0].burn_rates.size());
  EXPECT_DOUBLE_EQ(slo["burn_rate_windows"][0]["long"]["coverage"].get<double>(),
                   want[0].burn_rates[0].long_counts.coverage);
}

TEST_F(DashboardApiTest, PageAndAssetsAreServedWithTypeEtagAndCompression) {
  auto page = Get("/");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->Header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("/assets/app.js"), std::string::npos);
  EXPECT_NE(page->Header("content-security-policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(page->Header("x-frame-options"), "DENY");
  EXPECT_EQ(page->Header("referrer-policy"), "no-referrer");

  auto js = Get("/assets/uPlot.iife.min.js", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(js.ok());
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js->Header("content-encoding"), "gzip");
  EXPECT_EQ(js->body,
            ReadFile(std::string(TAI_SOURCE_DIR) + "/node_modules/uplot/dist/uPlot.iife.min.js"));
  const std::string etag(js->Header("etag"));
  ASSERT_FALSE(etag.empty());
  auto again = Get("/assets/uPlot.iife.min.js", {{"If-None-Match", etag}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());

  for (const char* name :
       {"uPlot.min.css", "d3.min.js", "d3-flamegraph.umd.min.js", "d3-flamegraph.css", "app.js",
        "executive.js", "operations.js", "engineering.js", "style.css"}) {
    auto r = Get(std::string("/assets/") + name);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << name;
  }
  auto missing = Get("/assets/nope.js");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
}

TEST(DashboardApiLimitsTest, AQueryTheStoreRefusesAsTooLargeIs422WithItsMessage) {
  testing::TestStore t;
  t.options().max_rows_scanned = 10;
  t.set_now(kBaseTime + testing::kHour);
  auto store = t.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto gd = testing::Descriptor("app/temperature", MetricType::kGauge);
  for (int i = 0; i < kPoints; ++i) {
    const int64_t time = kBaseTime + i * kMinute;
    (*store)->AddMetrics(testing::Batch(
        {testing::OneMetric(gd, InstrumentKind::kGauge,
                            {testing::Point(LabelSet({{"host", "a"}}), time, double(i))})},
        time));
  }
  ASSERT_TRUE((*store)->Flush(std::chrono::seconds(30)).ok());
  HttpServer server;
  ASSERT_TRUE(
      ServeDashboardApi(server, {.store = store->get(), .clock = [&t] { return t.now(); }}).ok());
  ASSERT_TRUE(server.Start().ok());
  HttpClient client;
  auto r = client.Send(
      {.method = "GET", .url = server.url() + "/api/metrics/range?metric=app/temperature&step=1m"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 422) << r->body;
  json body = json::parse(r->body);
  EXPECT_NE(body["error"].get<std::string>().find("max_rows_scanned"), std::string::npos)
      << body.dump();
  EXPECT_EQ(body["code"], "RESOURCE_EXHAUSTED");
  EXPECT_FALSE(body.contains("parameter"));
}

// The write endpoints, on a second server with an access token (writes need
// one) over the same store, with an engine that records to the store.
class DashboardWriteTest : public DashboardApiTest {
 protected:
  static constexpr const char* kToken = "write-token_0123456789";

  void SetUp() override {
    DashboardApiTest::SetUp();
    auto engine =
        AlertEngine::Create({.store = store_.get(), .clock = [this] { return t_.now(); }});
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    writer_engine_ = std::move(*engine);
    ASSERT_TRUE(writer_engine_
                    ->AddRule({.id = "ack-me",
                               .metric_type = "app/temperature",
                               .threshold = -1,
                               .evaluation_window_secs = 3 * 3600,
                               .labels = {{"severity", "ticket"}}})
                    .ok());
    ASSERT_TRUE(writer_engine_->EvaluateOnce().ok());
    ASSERT_TRUE(ServeDashboardApi(write_server_, {.store = store_.get(),
                                                  .alerts = writer_engine_.get(),
                                                  .access_token = kToken,
                                                  .serve_assets = false,
                                                  .clock = [this] { return t_.now(); }})
                    .ok());
    ASSERT_TRUE(write_server_.Start().ok());
  }

  std::vector<std::pair<std::string, std::string>> Headers() const {
    return {{"Authorization", std::string("Bearer ") + kToken}, {"X-Tai-Request", "dashboard"}};
  }

  // A request to the write server that must answer `status` with JSON.
  json Send(const std::string& method, const std::string& path, const std::string& body,
            int status) {
    auto r = client_.Send(
        {.method = method, .url = write_server_.url() + path, .headers = Headers(), .body = body});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return nullptr;
    EXPECT_EQ(r->status, status) << method << " " << path << ": " << r->body;
    EXPECT_EQ(r->Header("content-type"), "application/json") << path;
    json out = json::parse(r->body, nullptr, false);
    EXPECT_FALSE(out.is_discarded()) << r->body;
    return out;
  }

  std::unique_ptr<AlertEngine> writer_engine_;
  HttpServer write_server_;
};

TEST_F(DashboardWriteTest, AcknowledgingAnAlertMarksItAndRecordsIt) {
  json before = Send("GET", "/api/alerts", "", 200);
  ASSERT_EQ(before["alerts"].size(), 1u);
  EXPECT_EQ(before["alerts"][0]["state"], "firing");
  EXPECT_EQ(before["alerts"][0]["acknowledged"], false);
  EXPECT_TRUE(before["alerts"][0]["acknowledged_at"].is_null());
  const std::string fingerprint = before["alerts"][0]["fingerprint"];

  json ack =
      Send("POST", "/api/alerts/" + fingerprint + "/ack", R"({"comment": "looking <now>"})", 200);
  EXPECT_EQ(ack["fingerprint"], fingerprint);
  EXPECT_EQ(ack["acknowledged"], true);
  EXPECT_TRUE(ack["acknowledged_at"].is_string());
  EXPECT_EQ(ack["acknowledged_at_unix_nanos"], t_.now());
  json after = Send("GET", "/api/alerts", "", 200);
  EXPECT_EQ(after["alerts"][0]["state"], "firing");
  EXPECT_EQ(after["alerts"][0]["acknowledged"], true);
  EXPECT_EQ(after["alerts"][0]["acknowledged_at"], ack["acknowledged_at"]);
  // No body is fine too.
  Send("POST", "/api/alerts/" + fingerprint + "/ack", "", 200);

  ASSERT_TRUE(store_->Flush(std::chrono::seconds(30)).ok());
  json history = Send("GET", "/api/alerts/history?state=acknowledged&rule=ack-me", "", 200);
  ASSERT_EQ(history["events"].size(), 2u);
  EXPECT_EQ(history["events"][1]["annotations"]["comment"], "looking <now>");
  EXPECT_EQ(history["events"][1]["fingerprint"], fingerprint);

  json unknown = Send("POST", "/api/alerts/0123456789abcdef/ack", "", 404);
  EXPECT_NE(unknown["error"].get<std::string>().find("0123456789abcdef"), std::string::npos);
  json bad = Send("POST", "/api/alerts/NOT-HEX/ack", "", 400);
  EXPECT_EQ(bad["parameter"], "fingerprint");
  Send("POST", "/api/alerts/" + fingerprint + "/ack", R"({"comment": 5})", 400);
  json typo = Send("POST", "/api/alerts/" + fingerprint + "/ack", R"({"coment": "x"})", 400);
  EXPECT_NE(typo["error"].get<std::string>().find("'coment'"), std::string::npos);
  Send("POST", "/api/alerts/" + fingerprint + "/ack", "comment=x", 400);
  Send("POST", "/api/alerts/" + fingerprint + "/ack?force=1", "", 400);
}

TEST_F(DashboardWriteTest, PinningABaselineIsWhatProfilesList) {
  const int64_t row = FirstProfileRow();
  const std::string path = "/api/profiles/" + std::to_string(row) + "/baseline";
  json pinned = Send("POST", path, "", 200);
  EXPECT_EQ(pinned, json({{"id", row}, {"pinned", true}}));
  auto pinned_of = [&] {
    const json list = Send("GET", "/api/profiles", "", 200);
    for (const json& p : list["profiles"]) {
      if (p["row_id"] == row) return p["pinned"].get<bool>();
    }
    ADD_FAILURE() << "profile " << row << " is not listed";
    return false;
  };
  EXPECT_TRUE(pinned_of());
  EXPECT_EQ(Send("POST", path, R"({"pinned": false})", 200)["pinned"], false);
  EXPECT_FALSE(pinned_of());
  Send("POST", path, R"({"pinned": "no"})", 400);
  Send("POST", "/api/profiles/999999/baseline", "", 404);
  json bad = Send("POST", "/api/profiles/abc/baseline", "", 400);
  EXPECT_EQ(bad["parameter"], "id");
}

// Alert state changes and deploys, newest first, for the charts.
TEST_F(DashboardWriteTest, AnnotationsAreAlertChangesAndDeploysNewestFirst) {
  Resource resource;
  resource.service_name = "checkout";
  resource.service_version = "2.0.1";
  resource.instance_id = "i-1";
  RecordDeploy(*store_, resource, kBaseTime + 30 * kMinute);
  const std::string fingerprint = AlertFingerprint(writer_engine_->Alerts().at(0).labels);
  ASSERT_TRUE(writer_engine_->Acknowledge(fingerprint, "on it").ok());
  ASSERT_TRUE(store_->Flush(std::chrono::seconds(30)).ok());

  json all = GetJson("/api/annotations");
  const json& list = all["annotations"];
  // The fixture's history (pending then firing of f1: only firing is drawn),
  // ack-me's pending is not drawn, its firing and acknowledgement are (both
  // at now), and the deploy.
  ASSERT_EQ(list.size(), 4u) << list.dump();
  for (size_t i = 1; i < list.size(); ++i) {
    EXPECT_GE(list[i - 1]["time_unix_nanos"].get<int64_t>(), list[i]["time_unix_nanos"]);
  }
  std::map<std::string, json> by_text;
  for (const json& a : list) by_text[a["text"]] = a;
  ASSERT_TRUE(by_text.contains("ack-me acknowledged: on it")) << list.dump();
  EXPECT_EQ(by_text["ack-me acknowledged: on it"]["severity"], "ticket");
  EXPECT_EQ(by_text["ack-me acknowledged: on it"]["kind"], "alert");
  ASSERT_TRUE(by_text.contains("ack-me firing")) << list.dump();
  ASSERT_TRUE(by_text.contains("hot firing")) << list.dump();
  EXPECT_EQ(by_text["hot firing"]["severity"], "warning");
  EXPECT_EQ(by_text["hot firing"]["time_unix_nanos"], kBaseTime + kMinute);
  const json& deploy = list[2];
  EXPECT_EQ(deploy["kind"], "deploy");
  EXPECT_EQ(deploy["version"], "2.0.1");
  EXPECT_EQ(deploy["time_unix_nanos"], kBaseTime + 30 * kMinute);
  EXPECT_NE(deploy["text"].get<std::string>().find("checkout 2.0.1 started"), std::string::npos);
  EXPECT_FALSE(deploy.contains("severity"));

  json newest = GetJson("/api/annotations?limit=1");
  ASSERT_EQ(newest["annotations"].size(), 1u);
  EXPECT_EQ(newest["annotations"][0]["time_unix_nanos"], t_.now());
  json window = GetJson("/api/annotations?start=" + std::to_string(kBaseTime / kSecond + 120) +
                        "&end=" + std::to_string(kBaseTime / kSecond + 3600));
  ASSERT_EQ(window["annotations"].size(), 1u);
  EXPECT_EQ(window["annotations"][0]["kind"], "deploy");
  EXPECT_EQ(GetJson("/api/annotations?kind=deploy", 400)["parameter"], "kind");
}

}  // namespace
}  // namespace tai
