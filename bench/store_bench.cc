// The embedded store: ingest through the store's writer against plain
// batched SQLite inserts of the same rows into the same tables (the
// physical reference, measured in the same run), and the reads the
// dashboard and CLI make: p99 over a day at one-minute steps from rollups,
// one trace by id among 1,000,000 spans, a text search over 1,000,000 logs.
//
//   build/bench/store_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>
#include <string>
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

// Two days of one histogram metric with 20 series at one-minute collections;
// the first day is read back from its hourly rollups.
class RollupFixture {
 public:
  RollupFixture() {
    store_ = OpenStore(dir_.path() + "/rollups.db", kBase + 2 * kDay + kHour);
    auto d = std::make_shared<const tai::MetricDescriptor>(tai::MetricDescriptor{
        .metric_type = "bench/latency", .value_type = tai::MetricType::kDistribution});
    std::vector<tai::HistogramData> cumulative(20);
    std::mt19937_64 rng(1);
    std::lognormal_distribution<double> latency(3, 1);
    for (int64_t t = kBase; t < kBase + 2 * kDay; t += kMinute) {
      auto batch = std::make_shared<tai::MetricBatch>();
      tai::MetricData m{d, tai::InstrumentKind::kHistogram, tai::Temporality::kCumulative, {}};
      for (size_t s = 0; s < cumulative.size(); ++s) {
        for (int k = 0; k < 20; ++k) cumulative[s].Record(latency(rng));
        m.points.push_back({tai::LabelSet({{"pod", std::to_string(s)}}), kBase, t,
                            tai::DistributionValue::FromHistogram(
                                std::make_shared<tai::HistogramData>(cumulative[s]))});
      }
      batch->metrics.push_back(std::move(m));
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
