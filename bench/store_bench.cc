// The embedded store: ingest of points, spans and logs through the store's
// writer against plain batched SQLite inserts of the same rows into the
// same tables (the physical reference, measured in the same run), and the
// reads the dashboard and CLI make: p99 over a day at one-minute steps from
// rollups, the operations page's range queries one after another and all
// at once, one trace by id among 1,000,000 spans, a text search over
// 1,000,000 logs. The application thread's side is store_app_bench.
//
//   build/bench/store_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/temp_dir_testing.h"
#include "store/record_json.h"
#include "store/schema.h"
#include "store/sqlite_db.h"
#include "tai/store/store.h"

namespace {

using tai::internal::Database;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kBase = int64_t{1'700'000'000} / 86'400 * 86'400 * kSecond;

constexpr int kSeriesPerBatch = 1000;
constexpr int kBatches = 100;  // 100,000 points per iteration
constexpr int kSpansPerBatch = 1000;
constexpr int kSpanBatches = 50;  // 50,000 spans per iteration

// A file with the store's schema and its WAL settings, written directly.
std::unique_ptr<Database> PlainDatabase(const std::string& path) {
  auto db = std::move(*Database::Open(path, Database::Mode::kReadWrite));
  (void)db->Exec("PRAGMA journal_mode = WAL");
  (void)db->Exec("PRAGMA synchronous = NORMAL");
  (void)tai::internal::Migrate(*db, tai::internal::StoreMigrations());
  return db;
}

double BytesPer(const std::string& path, int64_t records) {
  return static_cast<double>(std::filesystem::file_size(path)) / static_cast<double>(records);
}

// The store's clock is set a day after the data, as if it had just been
// written: with the wall clock, retention would delete it all as it lands.
std::unique_ptr<tai::Store> OpenStore(const std::string& path, int64_t now = kBase + kDay) {
  tai::StoreOptions options;
  options.path = path;
  options.clock = [now] { return now; };
  auto store = tai::Store::Open(options);
  if (!store.ok()) {
    fprintf(stderr, "%s\n", store.status().ToString().c_str());
    abort();
  }
  return std::move(*store);
}

// Counter batches as the collector makes them: cumulative totals of
// kSeriesPerBatch series, one batch per collection.
std::vector<std::shared_ptr<const tai::MetricBatch>> CounterBatches(int64_t first_time) {
  auto d = std::make_shared<const tai::MetricDescriptor>(tai::MetricDescriptor{
      .metric_type = "bench/requests", .value_type = tai::MetricType::kCumulative});
  std::vector<tai::LabelSet> labels;
  for (int s = 0; s < kSeriesPerBatch; ++s) {
    labels.emplace_back(tai::LabelsView{{"route", "/r" + std::to_string(s)}, {"code", "200"}});
  }
  std::vector<std::shared_ptr<const tai::MetricBatch>> out;
  for (int b = 0; b < kBatches; ++b) {
    auto batch = std::make_shared<tai::MetricBatch>();
    tai::MetricData m{d, tai::InstrumentKind::kCounter, tai::Temporality::kCumulative, {}};
    for (int s = 0; s < kSeriesPerBatch; ++s) {
      m.points.push_back({labels[static_cast<size_t>(s)], kBase, first_time + b * 10 * kSecond,
                          int64_t{b} * (s + 1)});
    }
    batch->metrics.push_back(std::move(m));
    out.push_back(std::move(batch));
  }
  return out;
}

void BM_StoreIngest_MetricPoints(benchmark::State& state) {
  tai::testing::TempDir dir;
  auto store = OpenStore(dir.path() + "/points.db");
  int64_t t = kBase;
  for (auto _ : state) {
    state.PauseTiming();
    auto batches = CounterBatches(t);
    t += kBatches * 10 * kSecond;
    state.ResumeTiming();
    for (auto& b : batches) store->AddMetrics(b);
    if (!store->Flush(std::chrono::seconds(120)).ok()) state.SkipWithError("flush");
  }
  state.SetItemsProcessed(state.iterations() * kBatches * kSeriesPerBatch);
  if (store->stats().dropped_of(tai::StoreSignal::kMetrics)) state.SkipWithError("dropped");
  store.reset();  // checkpoints the WAL into the file
  state.counters["bytes_per_point"] =
      BytesPer(dir.path() + "/points.db", state.iterations() * kBatches * kSeriesPerBatch);
}
BENCHMARK(BM_StoreIngest_MetricPoints)->Unit(benchmark::kMillisecond)->UseRealTime();

// The reference: the same rows into the same tables with one prepared
// statement and one transaction per collection, nothing else.
void BM_PlainSqlite_MetricPoints(benchmark::State& state) {
  tai::testing::TempDir dir;
  auto db = PlainDatabase(dir.path() + "/plain.db");
  for (int s = 0; s < kSeriesPerBatch; ++s) {
    (void)db->Exec("INSERT INTO series(metric, labels, kind) VALUES ('m', '" + std::to_string(s) +
                   "', 1)");
  }
  auto insert = std::move(*db->Prepare(
      "INSERT OR REPLACE INTO points(series_id, t, value, increase) VALUES (?1, ?2, ?3, ?4)"));
  int64_t t = kBase;
  for (auto _ : state) {
    for (int b = 0; b < kBatches; ++b, t += 10 * kSecond) {
      (void)db->Exec("BEGIN IMMEDIATE");
      for (int s = 0; s < kSeriesPerBatch; ++s) {
        (void)insert.Bind(1, int64_t{s} + 1)
            .Bind(2, t)
            .Bind(3, static_cast<double>(b * (s + 1)))
            .Bind(4, static_cast<double>(s + 1))
            .Run();
      }
      (void)db->Exec("COMMIT");
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatches * kSeriesPerBatch);
}
BENCHMARK(BM_PlainSqlite_MetricPoints)->Unit(benchmark::kMillisecond)->UseRealTime();

tai::SpanBatch SpanBatch(uint64_t first_trace, int64_t start) {
  auto spans = std::make_shared<std::vector<tai::SpanData>>();
  for (int i = 0; i < kSpansPerBatch; ++i) {
    tai::SpanData s;
    s.context.trace_id = tai::TraceId::FromWords(7, first_trace + static_cast<uint64_t>(i / 10));
    s.context.span_id = tai::SpanId::FromWord(static_cast<uint64_t>(i) + 1);
    if (i % 10) s.parent_span_id = tai::SpanId::FromWord(static_cast<uint64_t>(i - i % 10) + 1);
    s.name = i % 10 ? "db.query" : "GET /users/:id";
    s.kind = tai::SpanKind::kServer;
    s.start_unix_nanos = start + i * 1000;
    s.end_unix_nanos = s.start_unix_nanos + 250'000 + i;
    s.attributes = {{"http.route", "/users/:id"}, {"http.status_code", int64_t{200}}};
    spans->push_back(std::move(s));
  }
  return spans;
}

void BM_StoreIngest_Spans(benchmark::State& state) {
  tai::testing::TempDir dir;
  auto store = OpenStore(dir.path() + "/spans.db");
  tai::Resource resource;
  resource.service_name = "bench";
  uint64_t trace = 1;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<tai::SpanBatch> batches;
    for (int b = 0; b < kSpanBatches; ++b, trace += kSpansPerBatch / 10) {
      batches.push_back(SpanBatch(trace, kBase + static_cast<int64_t>(trace) * kSecond));
    }
    state.ResumeTiming();
    for (auto& b : batches) store->AddSpans(b, resource);
    if (!store->Flush(std::chrono::seconds(120)).ok()) state.SkipWithError("flush");
  }
  state.SetItemsProcessed(state.iterations() * kSpanBatches * kSpansPerBatch);
  if (store->stats().dropped_of(tai::StoreSignal::kSpans)) state.SkipWithError("dropped");
  store.reset();
  state.counters["bytes_per_span"] =
      BytesPer(dir.path() + "/spans.db", state.iterations() * kSpanBatches * kSpansPerBatch);
}

std::vector<tai::LogRecord> LogRecords(int64_t first, size_t n) {
  const char* words[] = {"request", "served",  "cache", "miss",  "user", "payment",
                         "ok",      "timeout", "retry", "queue", "disk", "slow"};
  std::mt19937_64 rng(static_cast<uint64_t>(first));
  std::vector<tai::LogRecord> records(n);
  for (size_t i = 0; i < n; ++i) {
    tai::LogRecord& r = records[i];
    r.time_unix_nanos = kBase + (first + static_cast<int64_t>(i)) * 1'000'000;
    r.logger_name = "http";
    for (int w = 0; w < 8; ++w) r.message += std::string(w ? " " : "") + words[rng() % 12];
    r.message += " id" + std::to_string(first + static_cast<int64_t>(i));
    r.AddField({"status", int64_t{200}});
  }
  return records;
}

void BM_StoreIngest_LogRecords(benchmark::State& state) {
  tai::testing::TempDir dir;
  auto store = OpenStore(dir.path() + "/logs.db");
  tai::Resource resource;
  int64_t first = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<std::vector<tai::LogRecord>> batches;
    for (int b = 0; b < 10; ++b, first += 5000) batches.push_back(LogRecords(first, 5000));
    state.ResumeTiming();
    for (auto& b : batches) store->AddLogs(tai::LogBatch{resource, b});
    if (!store->Flush(std::chrono::seconds(120)).ok()) state.SkipWithError("flush");
  }
  state.SetItemsProcessed(first);
  store.reset();
  state.counters["bytes_per_record"] = BytesPer(dir.path() + "/logs.db", first);
}
BENCHMARK(BM_StoreIngest_LogRecords)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same log records, their fields' JSON made outside the timing, into the
// same table: its indexes and the FTS5 index the schema's trigger fills.
void BM_PlainSqlite_LogRecords(benchmark::State& state) {
  tai::testing::TempDir dir;
  auto db = PlainDatabase(dir.path() + "/plain.db");
  auto insert = std::move(*db->Prepare(
      "INSERT INTO logs(t, level, logger, service, message, fields, trace_id, span_id, file, "
      "line, thread, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
  int64_t first = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<std::vector<tai::LogRecord>> batches;
    for (int b = 0; b < 10; ++b, first += 5000) batches.push_back(LogRecords(first, 5000));
    std::vector<std::string> fields;
    for (auto& b : batches) {
      for (auto& r : b) fields.push_back(tai::internal::LogFieldsToJson(r));
    }
    state.ResumeTiming();
    size_t k = 0;
    for (auto& b : batches) {
      (void)db->Exec("BEGIN IMMEDIATE");
      for (const tai::LogRecord& r : b) {
        const std::string& f = fields[k++];
        (void)insert.Bind(1, r.time_unix_nanos)
            .Bind(2, static_cast<int64_t>(r.level))
            .Bind(3, r.logger_name)
            .Bind(4, "")
            .Bind(5, r.message)
            .Bind(6, f)
            .Bind(9, std::string_view(r.file))
            .Bind(10, static_cast<int64_t>(r.line))
            .Bind(11, static_cast<int64_t>(r.thread_id))
            .Bind(12, static_cast<int64_t>(48 + r.message.size() + f.size() + r.logger_name.size()))
            .Run();
      }
      (void)db->Exec("COMMIT");
    }
  }
  state.SetItemsProcessed(first);
  db.reset();
  state.counters["bytes_per_record"] = BytesPer(dir.path() + "/plain.db", first);
}
BENCHMARK(BM_PlainSqlite_LogRecords)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_StoreIngest_Spans)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same span rows, their JSON made outside the timing, into the same
// indexed table.
void BM_PlainSqlite_Spans(benchmark::State& state) {
  tai::testing::TempDir dir;
  auto db = PlainDatabase(dir.path() + "/plain.db");
  auto insert = std::move(*db->Prepare(
      "INSERT INTO spans(trace_id, span_id, parent_span_id, service, name, kind, start, "
      "duration, error, status, status_message, attributes, events, links, bytes) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"));
  uint64_t trace = 1;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<tai::SpanBatch> batches;
    for (int b = 0; b < kSpanBatches; ++b, trace += kSpansPerBatch / 10) {
      batches.push_back(SpanBatch(trace, kBase + static_cast<int64_t>(trace) * kSecond));
    }
    std::vector<std::string> attributes;
    for (auto& b : batches) {
      for (auto& s : *b) attributes.push_back(tai::internal::AttributesToJson(s.attributes));
    }
    state.ResumeTiming();
    size_t k = 0;
    for (auto& b : batches) {
      (void)db->Exec("BEGIN IMMEDIATE");
      for (const tai::SpanData& s : *b) {
        auto blob = [](const auto& id) {
          return std::string_view(reinterpret_cast<const char*>(id.bytes().data()),
                                  id.bytes().size());
        };
        insert.BindBlob(1, blob(s.context.trace_id))
            .BindBlob(2, blob(s.context.span_id))
            .Bind(4, "bench")
            .Bind(5, s.name)
            .Bind(6, int64_t{1})
            .Bind(7, s.start_unix_nanos)
            .Bind(8, s.duration_nanos())
            .Bind(9, int64_t{0})
            .Bind(10, int64_t{0})
            .Bind(11, "")
            .Bind(12, attributes[k++])
            .Bind(13, "[]")
            .Bind(14, "[]")
            .Bind(15, int64_t{100});
        if (s.parent_span_id.valid()) insert.BindBlob(3, blob(s.parent_span_id));
        (void)insert.Run();
      }
      (void)db->Exec("COMMIT");
    }
  }
  state.SetItemsProcessed(state.iterations() * kSpanBatches * kSpansPerBatch);
}
BENCHMARK(BM_PlainSqlite_Spans)->Unit(benchmark::kMillisecond)->UseRealTime();

// Cumulative latency histograms of `series` pods, 20 observations per pod
// per one-minute collection: a service's request-duration histogram.
class LatencySeries {
 public:
  explicit LatencySeries(size_t series) : cumulative_(series) {}
  tai::MetricData Collect(int64_t t) {
    tai::MetricData m{
        descriptor_, tai::InstrumentKind::kHistogram, tai::Temporality::kCumulative, {}};
    for (size_t s = 0; s < cumulative_.size(); ++s) {
      for (int k = 0; k < 20; ++k) cumulative_[s].Record(latency_(rng_));
      m.points.push_back({tai::LabelSet({{"pod", std::to_string(s)}}), kBase, t,
                          tai::DistributionValue::FromHistogram(
                              std::make_shared<tai::HistogramData>(cumulative_[s]))});
    }
    return m;
  }

 private:
  std::shared_ptr<const tai::MetricDescriptor> descriptor_ =
      std::make_shared<const tai::MetricDescriptor>(tai::MetricDescriptor{
          .metric_type = "bench/latency", .value_type = tai::MetricType::kDistribution});
  std::vector<tai::HistogramData> cumulative_;
  std::mt19937_64 rng_{1};
  std::lognormal_distribution<double> latency_{3, 1};
};

// Two days of one histogram metric with 20 series at one-minute collections;
// the first day is read back from its hourly rollups.
class RollupFixture {
 public:
  RollupFixture() {
    store_ = OpenStore(dir_.path() + "/rollups.db", kBase + 2 * kDay + kHour);
    LatencySeries latency(20);
    for (int64_t t = kBase; t < kBase + 2 * kDay; t += kMinute) {
      auto batch = std::make_shared<tai::MetricBatch>();
      batch->metrics.push_back(latency.Collect(t));
      store_->AddMetrics(std::move(batch));
    }
    (void)store_->Flush(std::chrono::seconds(300));
    (void)store_->RunMaintenance(std::chrono::seconds(300));
  }
  tai::Store& store() { return *store_; }

 private:
  tai::testing::TempDir dir_;
  std::unique_ptr<tai::Store> store_;
};

void BM_Query_P99Over24hAt1MinFromRollups(benchmark::State& state) {
  static RollupFixture fixture;
  for (auto _ : state) {
    auto r = fixture.store().QueryRange({.metric = "bench/latency",
                                         .start_nanos = kBase,
                                         .end_nanos = kBase + kDay,
                                         .step_nanos = kMinute,
                                         .function = tai::StepFunction::kQuantile,
                                         .quantile = 0.99,
                                         .across = tai::SeriesAggregation::kSum});
    if (!r.ok() || r->tier != tai::StoreTier::kHourly || r->series.size() != 1) {
      state.SkipWithError("query did not read one hourly series");
      break;
    }
    benchmark::DoNotOptimize(r->series[0].points.size());
  }
}
BENCHMARK(BM_Query_P99Over24hAt1MinFromRollups)->Unit(benchmark::kMillisecond);

// The operations page (web/dashboard/operations.js) at range=1d: a day of
// one-minute steps for each chart, all of its /api/metrics/range queries
// sent at once. The store holds 26 hours of one-minute collections of a
// service: 20 latency histograms, request and error counters per route,
// CPU time, queue depths and RSS. Maintenance has rolled up the older hours
// and deleted the raw points past a day, so the page reads the last day's
// raw points as it does on a running service.
constexpr int64_t kPageNow = kBase + 26 * kHour;

// Cumulative counter or gauge series `metric`{route="/rN"}, one point each.
tai::MetricData SimpleSeries(const std::string& metric, tai::InstrumentKind kind, size_t series,
                             int64_t t, const std::function<double(size_t)>& value) {
  const bool counter = kind == tai::InstrumentKind::kCounter;
  auto d = std::make_shared<const tai::MetricDescriptor>(tai::MetricDescriptor{
      .metric_type = metric,
      .value_type = counter ? tai::MetricType::kCumulative : tai::MetricType::kGauge});
  tai::MetricData m{d, kind, tai::Temporality::kCumulative, {}};
  for (size_t s = 0; s < series; ++s) {
    tai::LabelSet labels({{"route", "/r" + std::to_string(s)}});
    if (counter) {
      m.points.push_back({labels, kBase, t, static_cast<int64_t>(value(s))});
    } else {
      m.points.push_back({labels, kBase, t, value(s)});
    }
  }
  return m;
}

class OperationsFixture {
 public:
  OperationsFixture() {
    store_ = OpenStore(dir_.path() + "/operations.db", kPageNow);
    LatencySeries latency(20);
    std::mt19937_64 rng(2);
    std::uniform_real_distribution<double> noise(0, 1);
    for (int64_t t = kBase, minute = 1; t < kPageNow; t += kMinute, ++minute) {
      using K = tai::InstrumentKind;
      auto batch = std::make_shared<tai::MetricBatch>();
      batch->metrics.push_back(latency.Collect(t));
      batch->metrics.push_back(SimpleSeries("bench/requests", K::kCounter, 10, t, [&](size_t s) {
        return static_cast<double>(minute * 600 * static_cast<int64_t>(s + 1));
      }));
      batch->metrics.push_back(SimpleSeries("bench/errors", K::kCounter, 10, t, [&](size_t s) {
        return static_cast<double>(minute * static_cast<int64_t>(s + 1));
      }));
      batch->metrics.push_back(SimpleSeries("process.cpu.time", K::kCounter, 1, t, [&](size_t) {
        return static_cast<double>(minute * 45);
      }));
      batch->metrics.push_back(SimpleSeries("bench/queue_depth", K::kGauge, 10, t,
                                            [&](size_t) { return 100 * noise(rng); }));
      batch->metrics.push_back(SimpleSeries("process.memory.rss", K::kGauge, 1, t,
                                            [&](size_t) { return 2e8 + 1e7 * noise(rng); }));
      store_->AddMetrics(std::move(batch));
    }
    (void)store_->Flush(std::chrono::seconds(300));
    (void)store_->RunMaintenance(std::chrono::seconds(300));
  }
  tai::Store& store() { return *store_; }

 private:
  tai::testing::TempDir dir_;
  std::unique_ptr<tai::Store> store_;
};

// The page's queries as api_json.cc's RangeParamsJson makes them from the
// default dashboard's panels: p50/p95/p99 of the latency histograms merged
// across pods, rates summed across routes, gauges per series.
std::vector<tai::MetricRangeQuery> OperationsPageQueries() {
  using F = tai::StepFunction;
  using A = tai::SeriesAggregation;
  auto query = [](std::string metric, F f, A across, double q = 0.99) {
    return tai::MetricRangeQuery{.metric = std::move(metric),
                                 .start_nanos = kPageNow - kDay,
                                 .end_nanos = kPageNow,
                                 .step_nanos = kMinute,
                                 .function = f,
                                 .quantile = q,
                                 .across = across};
  };
  return {query("bench/latency", F::kQuantile, A::kSum, 0.5),
          query("bench/latency", F::kQuantile, A::kSum, 0.95),
          query("bench/latency", F::kQuantile, A::kSum, 0.99),
          query("bench/requests", F::kRate, A::kSum),
          query("bench/errors", F::kRate, A::kSum),
          query("process.cpu.time", F::kRate, A::kSum),
          query("bench/queue_depth", F::kLast, A::kNone),
          query("process.memory.rss", F::kLast, A::kNone)};
}

// CPU time of every thread of the process: the page's work wherever it ran.
double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Page faults that found no page (fresh or returned heap memory).
double MinorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_minflt);
}

// A checksum of the answers (every time and value bit pattern), printed once
// on stderr: equal before and after a change to the read path means the
// same answers.
uint64_t AnswerChecksum(const std::vector<tai::MetricRangeResult>& results) {
  uint64_t h = 1469598103934665603u;  // FNV-1a
  auto mix = [&](uint64_t v) {
    for (int b = 0; b < 8; ++b, v >>= 8) h = (h ^ (v & 0xff)) * 1099511628211u;
  };
  for (const auto& r : results) {
    for (const auto& s : r.series) {
      for (const auto& p : s.points) {
        mix(static_cast<uint64_t>(p.time_nanos));
        uint64_t bits = 0;
        std::memcpy(&bits, &p.value, sizeof bits);
        mix(bits);
      }
    }
  }
  return h;
}

bool SameAnswer(const tai::MetricRangeResult& a, const tai::MetricRangeResult& b) {
  if (a.tier != b.tier || a.series.size() != b.series.size()) return false;
  for (size_t i = 0; i < a.series.size(); ++i) {
    const auto &x = a.series[i].points, &y = b.series[i].points;
    if (x.size() != y.size()) return false;
    for (size_t k = 0; k < x.size(); ++k) {
      if (x[k].time_nanos != y[k].time_nanos || x[k].value != y[k].value) return false;
    }
  }
  return true;
}

// Arg 0: the queries one after another on one thread; 1: all at once, one
// thread each, the threads kept from page to page (the HTTP server's
// workers run the browser's parallel requests). Wall time per page;
// slowest_query_ms is when the page's last chart can draw, cpu_ms the CPU
// of all threads per page.
void BM_OperationsPage_1d(benchmark::State& state) {
  static OperationsFixture fixture;
  const auto queries = OperationsPageQueries();
  const size_t n = queries.size();
  // The answers read one at a time: every run, either way, must match them.
  static const std::vector<tai::MetricRangeResult> expected = [&] {
    std::vector<tai::MetricRangeResult> out;
    for (const auto& q : queries) {
      auto r = fixture.store().QueryRange(q);
      if (!r.ok()) {
        fprintf(stderr, "%s: %s\n", q.metric.c_str(), r.status().ToString().c_str());
        abort();
      }
      out.push_back(std::move(*r));
    }
    fprintf(stderr, "operations page answers: checksum %016llx\n",
            static_cast<unsigned long long>(AnswerChecksum(out)));
    return out;
  }();
  const bool together = state.range(0) != 0;
  std::vector<double> seconds(n);
  std::vector<char> right(n);
  auto run = [&](size_t i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = fixture.store().QueryRange(queries[i]);
    seconds[i] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    right[i] = r.ok() && SameAnswer(*r, expected[i]);
  };
  // Each page: the workers wait at `start`, run their query, meet at `done`.
  std::barrier start(static_cast<ptrdiff_t>(n + 1)), done(static_cast<ptrdiff_t>(n + 1));
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  for (size_t i = 0; together && i < n; ++i) {
    workers.emplace_back([&, i] {
      for (;;) {
        start.arrive_and_wait();
        if (stop.load()) return;
        run(i);
        done.arrive_and_wait();
      }
    });
  }
  double slowest = 0, total = 0;
  const double cpu_start = ProcessCpuSeconds(), faults_start = MinorFaults();
  for (auto _ : state) {
    if (together) {
      start.arrive_and_wait();
      done.arrive_and_wait();
    } else {
      for (size_t i = 0; i < n; ++i) run(i);
    }
    if (std::count(right.begin(), right.end(), 1) != static_cast<ptrdiff_t>(n)) {
      state.SkipWithError("a query failed or answered differently");
      break;
    }
    slowest += *std::max_element(seconds.begin(), seconds.end());
    for (double s : seconds) total += s;
  }
  const auto runs = static_cast<double>(std::max<int64_t>(state.iterations(), 1));
  state.counters["cpu_ms"] = 1e3 * (ProcessCpuSeconds() - cpu_start) / runs;
  state.counters["page_faults"] = (MinorFaults() - faults_start) / runs;
  state.counters["slowest_query_ms"] = 1e3 * slowest / runs;
  state.counters["mean_query_ms"] = 1e3 * total / runs / static_cast<double>(n);
  if (together) {
    stop = true;
    start.arrive_and_wait();
    for (std::thread& t : workers) t.join();
  }
}
BENCHMARK(BM_OperationsPage_1d)
    ->ArgName("together")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// 1,000,000 spans (100,000 traces of 10) and 1,000,000 log records.
class MillionFixture {
 public:
  MillionFixture() {
    store_ = OpenStore(dir_.path() + "/million.db");
    tai::Resource resource;
    resource.service_name = "bench";
    for (uint64_t trace = 1; trace <= 100'000; trace += kSpansPerBatch / 10) {
      store_->AddSpans(SpanBatch(trace, kBase + static_cast<int64_t>(trace) * kSecond), resource);
      if (trace % 10'000 == 1) (void)store_->Flush(std::chrono::seconds(300));
    }
    for (int b = 0; b < 100; ++b) {
      auto records = LogRecords(b * 10'000, 10'000);
      store_->AddLogs(tai::LogBatch{resource, records});
      if (b % 10 == 9) (void)store_->Flush(std::chrono::seconds(300));
    }
    (void)store_->Flush(std::chrono::seconds(300));
  }
  tai::Store& store() { return *store_; }

 private:
  tai::testing::TempDir dir_;
  std::unique_ptr<tai::Store> store_;
};

MillionFixture& Million() {
  static MillionFixture fixture;
  return fixture;
}

void BM_Query_TraceById_1MSpans(benchmark::State& state) {
  tai::Store& store = Million().store();
  std::mt19937_64 rng(3);
  for (auto _ : state) {
    auto trace = store.GetTrace(tai::TraceId::FromWords(7, 1 + rng() % 100'000));
    if (!trace.ok() || trace->size() != 10) {
      state.SkipWithError("trace not found whole");
      break;
    }
  }
}
BENCHMARK(BM_Query_TraceById_1MSpans)->Unit(benchmark::kMillisecond);

// A rare term (one record) and a common one (the newest 100 of ~500,000).
void BM_Query_LogTextSearch_1MRecords(benchmark::State& state) {
  tai::Store& store = Million().store();
  std::mt19937_64 rng(4);
  for (auto _ : state) {
    const std::string text =
        state.range(0) ? "timeout AND slow" : "id" + std::to_string(rng() % 1'000'000);
    auto logs = store.SearchLogs({.text = text, .limit = 100});
    if (!logs.ok() || logs->empty()) {
      state.SkipWithError("search found nothing");
      break;
    }
  }
}
BENCHMARK(BM_Query_LogTextSearch_1MRecords)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
