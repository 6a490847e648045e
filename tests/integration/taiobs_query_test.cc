// `taiobs query` and `taiobs serve` over a store the library wrote: table and
// JSON outputs, filters, errors and exit codes, --help on every command, and
// the dashboard served read-only while another Store instance writes.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "export/http/http_client.h"
#include "store/store_testing.h"
#include "tai/core/clock.h"
#include "tai/log/log_record.h"
#include "tai/log/log_sink.h"
#include "tests/integration/child_process.h"

namespace tai {
namespace {

using nlohmann::json;
using testing::kMinute;
using testing::RunWithInput;
using testing::TempDir;

const TraceId kPayTrace = TraceId::FromWords(7, 1);
const TraceId kInvoiceTrace = TraceId::FromWords(7, 2);

std::string Seconds(int64_t nanos) { return std::to_string(nanos / 1'000'000'000); }

class TaiobsQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Recent data (the writer's retention keeps it; "the last hour" finds it),
    // on a whole minute so that the steps below hold one point each.
    base_ = WallNanos() / kMinute * kMinute - 30 * kMinute;
    auto store = Store::Open({.path = db_});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    writer_ = std::move(*store);
    WriteMetrics();
    WriteSpans();
    WriteLogs();
    ASSERT_TRUE(writer_->Flush(std::chrono::seconds(30)).ok());
  }

  void WriteMetrics() {
    auto cpu = testing::Descriptor("host/cpu", MetricType::kGauge);
    auto latency = std::make_shared<const MetricDescriptor>(
        MetricDescriptor{.metric_type = "http/latency",
                         .value_type = MetricType::kDistribution,
                         .unit = MetricUnit::kMilliseconds});
    HistogramData h;
    for (int i = 0; i < 5; ++i) {
      const int64_t t = base_ + i * kMinute;
      h.Record(10 + i);
      writer_->AddMetrics(testing::Batch(
          {testing::OneMetric(cpu, InstrumentKind::kGauge,
                              {testing::Point(LabelSet({{"host", "a"}}), t, 10.0 + i),
                               testing::Point(LabelSet({{"host", "b"}}), t, 20.0 + i)}),
           testing::OneMetric(latency, InstrumentKind::kHistogram,
                              {testing::Point({}, t, testing::Distribution(h))})},
          t));
    }
  }

  void WriteSpans() {
    const int64_t ms = 1'000'000;
    auto pay = std::make_shared<std::vector<SpanData>>();
    pay->push_back(testing::MakeSpan(kPayTrace, 1, 0, "POST /pay", base_, 120 * ms, false));
    pay->push_back(testing::MakeSpan(kPayTrace, 2, 1, "db.query", base_ + ms, 100 * ms, true));
    pay->push_back(testing::MakeSpan(kPayTrace, 3, 2, "db.lock", base_ + 2 * ms, 5 * ms, false));
    pay->push_back(testing::MakeSpan(kPayTrace, 4, 1, "cache.get", base_ + 110 * ms, ms, false));
    Resource payments;
    payments.service_name = "payments";
    writer_->AddSpans(pay, payments);
    auto invoice = std::make_shared<std::vector<SpanData>>();
    invoice->push_back(
        testing::MakeSpan(kInvoiceTrace, 9, 0, "GET /invoice", base_ + kMinute, 3 * ms, false));
    Resource billing;
    billing.service_name = "billing";
    writer_->AddSpans(invoice, billing);
  }

  void WriteLogs() {
    struct Line {
      LogLevel level;
      const char* message;
      TraceId trace;
    };
    const Line lines[] = {{LogLevel::kInfo, "payment accepted", kPayTrace},
                          {LogLevel::kWarn, "slow query on orders", TraceId()},
                          {LogLevel::kError, "payment failed: card declined", kPayTrace},
                          {LogLevel::kDebug, "cache hit", TraceId()}};
    std::vector<LogRecord> records;
    int64_t t = base_;
    for (const Line& line : lines) {
      LogRecord r;
      r.time_unix_nanos = t += kMinute;
      r.level = line.level;
      r.logger_name = InternLoggerName("payments");
      r.message = line.message;
      r.trace_id = line.trace;
      records.push_back(std::move(r));
    }
    Resource resource;
    resource.service_name = "payments";
    writer_->AddLogs(LogBatch{resource, std::span<const LogRecord>(records)});
  }

  int Run(std::vector<std::string> args, std::string* out) {
    out->clear();
    args.insert(args.begin(), TAI_TAIOBS_PATH);
    return RunWithInput(args, "", out);
  }
  // `taiobs query WHAT --store DB` over the written range, plus `args`.
  int Query(const std::string& what, std::vector<std::string> args, std::string* out) {
    std::vector<std::string> all = {"query",   what,
                                    "--store", db_,
                                    "--since", Seconds(base_ - kMinute / 2),
                                    "--until", Seconds(base_ + 10 * kMinute)};
    all.insert(all.end(), args.begin(), args.end());
    return Run(all, out);
  }
  json QueryJson(const std::string& what, std::vector<std::string> args) {
    args.push_back("--format");
    args.push_back("json");
    std::string out;
    EXPECT_EQ(Query(what, args, &out), 0) << out;
    json parsed = json::parse(out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << out;
    return parsed;
  }

  TempDir dir_;
  const std::string db_ = dir_.path() + "/shop.db";
  int64_t base_ = 0;
  std::unique_ptr<Store> writer_;
};

TEST_F(TaiobsQueryTest, MetricsWithoutANameListsThem) {
  std::string out;
  ASSERT_EQ(Query("metrics", {}, &out), 0) << out;
  EXPECT_EQ(out,
            "METRIC        KIND          UNIT\n"
            "host/cpu      gauge         1\n"
            "http/latency  distribution  ms\n");
  const json j = QueryJson("metrics", {});
  EXPECT_EQ(j["metrics"][1],
            json({{"name", "http/latency"}, {"kind", "distribution"}, {"unit", "ms"}}));
}

TEST_F(TaiobsQueryTest, MetricRangeFiltersByMatcherAndStep) {
  const json j =
      QueryJson("metrics", {"--metric", "host/cpu", "--match", "host=\"a\"", "--step", "1m"});
  EXPECT_EQ(j["metric"], "host/cpu");
  EXPECT_EQ(j["fn"], "last");
  EXPECT_EQ(j["step_seconds"], 60.0);
  ASSERT_EQ(j["series"].size(), 1u) << j.dump();
  EXPECT_EQ(j["series"][0]["labels"], json({{"host", "a"}}));
  std::vector<double> values;
  for (const json& v : j["series"][0]["values"]) {
    if (!v.is_null()) values.push_back(v.get<double>());
  }
  EXPECT_EQ(values, (std::vector<double>{10, 11, 12, 13, 14}));

  std::string out;
  ASSERT_EQ(Query("metrics",
                  {"--metric", "host/cpu", "--match", "host!=\"a\"", "--step", "1m", "--fn", "max"},
                  &out),
            0)
      << out;
  EXPECT_EQ(out.rfind("TIME                      VALUE  SERIES\n", 0), 0u) << out;
  EXPECT_NE(out.find("  24     {host=\"b\"}\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("host=\"a\""), std::string::npos) << out;
  EXPECT_EQ(Query("metrics", {"--metric", "host/cpu", "--fn", "median"}, &out), 2);
  EXPECT_NE(out.find("--fn 'median'"), std::string::npos) << out;
}

TEST_F(TaiobsQueryTest, TracesFilterByServiceErrorsDurationAndName) {
  EXPECT_EQ(QueryJson("traces", {"--service", "payments"})["spans"].size(), 4u);
  const json errors = QueryJson("traces", {"--errors"});
  ASSERT_EQ(errors["spans"].size(), 1u);
  EXPECT_EQ(errors["spans"][0]["name"], "db.query");
  EXPECT_EQ(QueryJson("traces", {"--min-duration", "50ms"})["spans"].size(), 2u);
  const json invoice = QueryJson("traces", {"--name", "GET /invoice"});
  ASSERT_EQ(invoice["spans"].size(), 1u);
  EXPECT_EQ(invoice["spans"][0]["trace_id"], kInvoiceTrace.ToHex());

  std::string out;
  ASSERT_EQ(Query("traces", {"--errors"}, &out), 0) << out;
  EXPECT_NE(out.find("100.0ms   ERROR   payments  db.query  " + kPayTrace.ToHex() + "\n"),
            std::string::npos)
      << out;
}

TEST_F(TaiobsQueryTest, OneTraceIsAnIndentedTree) {
  std::string out;
  ASSERT_EQ(Run({"query", "traces", "--store", db_, "--trace", kPayTrace.ToHex()}, &out), 0) << out;
  EXPECT_EQ(out,
            "OFFSET    DURATION  STATUS  SERVICE   SPAN\n"
            "+0.000ms  120.0ms   OK      payments  POST /pay\n"
            "+1.000ms  100.0ms   ERROR   payments    db.query\n"
            "+2.000ms  5.000ms   OK      payments      db.lock\n"
            "+110.0ms  1.000ms   OK      payments    cache.get\n");
  ASSERT_EQ(
      Run({"query", "traces", "--store", db_, "--trace", kPayTrace.ToHex(), "--format", "json"},
          &out),
      0);
  const json j = json::parse(out);
  EXPECT_EQ(j["spans"].size(), 4u);
  ASSERT_EQ(j["logs"].size(), 2u);
  EXPECT_EQ(j["logs"][0]["message"], "payment accepted");
  EXPECT_EQ(Run({"query", "traces", "--store", db_, "--trace", "xyz"}, &out), 2);
  EXPECT_NE(out.find("'xyz' is not a trace id"), std::string::npos) << out;
}

TEST_F(TaiobsQueryTest, LogsFilterByLevelTextTraceAndLimit) {
  auto messages = [&](std::vector<std::string> args) {
    std::vector<std::string> out;
    const json logs = QueryJson("logs", args)["logs"];
    for (const json& l : logs) out.push_back(l["message"]);
    return out;
  };
  EXPECT_EQ(messages({"--level", "warn"}),
            (std::vector<std::string>{"payment failed: card declined", "slow query on orders"}));
  EXPECT_EQ(messages({"--text", "payment"}).size(), 2u);
  EXPECT_EQ(messages({"--trace", kPayTrace.ToHex()}).size(), 2u);
  EXPECT_EQ(messages({"--limit", "1"}), (std::vector<std::string>{"cache hit"}));

  std::string out;
  ASSERT_EQ(Query("logs", {"--level", "error"}, &out), 0) << out;
  const std::string time = FormatRfc3339(base_ + 3 * kMinute).substr(0, 23) + "Z";
  EXPECT_EQ(out,
            "TIME                      LEVEL  SERVICE   TRACE                             "
            "MESSAGE\n" +
                time + "  ERROR  payments  " + kPayTrace.ToHex() +
                "  payment failed: card declined\n");
}

// --since defaults to the last hour and takes a duration ago.
TEST_F(TaiobsQueryTest, DefaultRangeIsTheLastHour) {
  std::string out;
  ASSERT_EQ(Run({"query", "logs", "--store", db_, "--format", "json"}, &out), 0) << out;
  EXPECT_EQ(json::parse(out)["logs"].size(), 4u);
  ASSERT_EQ(Run({"query", "logs", "--store", db_, "--since", "5m"}, &out), 0) << out;
  EXPECT_EQ(out,
            "TIME  LEVEL  SERVICE  TRACE  MESSAGE\ntaiobs query: no logs match in the range\n");
  ASSERT_EQ(Run({"query", "logs", "--store", db_, "--since", "now-2h", "--until",
                 FormatRfc3339(base_ + 150 * 1'000'000'000LL), "--format", "json"},
                &out),
            0)
      << out;
  EXPECT_EQ(json::parse(out)["logs"].size(), 2u);
}

TEST_F(TaiobsQueryTest, ErrorsNameWhatWasWrong) {
  std::string out;
  EXPECT_EQ(Run({"query", "logs", "--store", dir_.path() + "/none.db"}, &out), 1);
  EXPECT_NE(out.find("no store at '" + dir_.path() + "/none.db'"), std::string::npos) << out;
  EXPECT_EQ(Query("logs", {"--bogus"}, &out), 2);
  EXPECT_NE(out.find("unknown flag '--bogus'"), std::string::npos) << out;
  EXPECT_NE(out.find("see 'taiobs query --help'"), std::string::npos) << out;
  EXPECT_EQ(Run({"query", "logs", "--store", db_, "--since", "yesterday"}, &out), 2);
  EXPECT_NE(out.find("--since 'yesterday' is not a time"), std::string::npos) << out;
  EXPECT_EQ(Run({"query", "logs"}, &out), 2);
  EXPECT_NE(out.find("--store PATH is required"), std::string::npos) << out;
  EXPECT_EQ(Run({"query", "spans", "--store", db_}, &out), 2);
  EXPECT_NE(out.find("'spans' is not metrics, traces or logs"), std::string::npos) << out;
  EXPECT_EQ(Query("logs", {"--format", "yaml"}, &out), 2);
  EXPECT_NE(out.find("--format 'yaml'"), std::string::npos) << out;
  EXPECT_EQ(Query("logs", {"--limit"}, &out), 2);
  EXPECT_NE(out.find("flag '--limit' needs a value"), std::string::npos) << out;
  EXPECT_EQ(Run({"serve", "--store", db_, "--listen", "127.0.0.1:0", "--port", "1"}, &out), 2);
  EXPECT_NE(out.find("unknown flag '--port'"), std::string::npos) << out;
  // The older commands name the flag too, before their usage.
  for (std::vector<std::string> args :
       {std::vector<std::string>{"top", "--bogus", "cpu.pb.gz"},
        {"flamegraph", "cpu.pb.gz", "-o", "x.svg", "--bogus"},
        {"collapse", "--bogus"},
        {"rules", "export", "--format", "prometheus", "--bogus", "r.yaml"},
        {"dashboard", "export", "--format", "grafana", "--bogus", "d.json"}}) {
    EXPECT_EQ(Run(args, &out), 2) << args[0];
    EXPECT_NE(out.find("unknown flag '--bogus'"), std::string::npos) << out;
  }
}

TEST_F(TaiobsQueryTest, EveryCommandAnswersHelp) {
  std::string out;
  ASSERT_EQ(Run({"help"}, &out), 0);
  const char* commands[] = {"demo",     "serve",      "query", "help",    "version", "top",
                            "collapse", "flamegraph", "diff",  "profile", "rules",   "dashboard"};
  for (const char* command : commands) {
    EXPECT_NE(out.find(std::string("\n  ") + command + " "), std::string::npos) << command;
    for (const char* flag : {"--help", "-h"}) {
      std::string usage;
      EXPECT_EQ(Run({command, flag}, &usage), 0) << command << " " << flag << ": " << usage;
      EXPECT_EQ(usage.rfind(std::string("usage: taiobs ") + command, 0), 0u) << usage;
    }
  }
  // After "--" the arguments are the profiled program's.
  EXPECT_NE(Run({"profile", "--", "/bin/false", "--help"}, &out), 0);
}

TEST_F(TaiobsQueryTest, ServeAnswersWhileAnotherInstanceWrites) {
  testing::ChildProcess serve;
  const std::string log = dir_.path() + "/serve.err";
  ASSERT_TRUE(
      serve.Start({TAI_TAIOBS_PATH, "serve", "--store", db_, "--listen", "127.0.0.1:0"}, log));
  auto line = serve.ReadLine(std::chrono::seconds(30));
  ASSERT_TRUE(line && line->starts_with("dashboard: http://127.0.0.1:")) << line.value_or("EOF");
  const std::string url = line->substr(11);
  internal::HttpClient client;
  auto body = [&](const std::string& path) {
    auto r = client.Send({.method = "GET", .url = url + path});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r.ok() ? r->status : 0, 200) << (r.ok() ? r->body : "");
    return r.ok() ? r->body : std::string();
  };
  auto get = [&](const std::string& path) {
    json j = json::parse(body(path), nullptr, false);
    return j.is_discarded() ? json::object() : j;
  };
  EXPECT_EQ(get("api/info")["service"], "shop");
  EXPECT_EQ(get("api/metrics")["metrics"], json({"host/cpu", "http/latency"}));

  // The writer keeps writing; the server sees each committed batch.
  auto depth = testing::Descriptor("queue/depth", MetricType::kGauge);
  const int64_t now = WallNanos();
  writer_->AddMetrics(testing::Batch(
      {testing::OneMetric(depth, InstrumentKind::kGauge, {testing::Point({}, now, 3.0)})}, now));
  ASSERT_TRUE(writer_->Flush(std::chrono::seconds(30)).ok());
  EXPECT_EQ(get("api/metrics")["metrics"], json({"host/cpu", "http/latency", "queue/depth"}));
  EXPECT_NE(body("").find("<html"), std::string::npos);  // the page and its assets
  EXPECT_EQ(serve.Stop(), 0);
}

TEST_F(TaiobsQueryTest, ServeOffLoopbackNeedsAToken) {
  std::string out;
  EXPECT_EQ(Run({"serve", "--store", db_, "--listen", "0.0.0.0:0"}, &out), 1);
  EXPECT_NE(out.find("TAI_DASHBOARD_TOKEN"), std::string::npos) << out;
  EXPECT_EQ(Run({"serve", "--store", dir_.path() + "/none.db"}, &out), 1);
  EXPECT_NE(out.find("no store at"), std::string::npos) << out;
}

}  // namespace
}  // namespace tai
