// Opening the store: WAL mode, one writer per file, read-only openers,
// schema versions and migrations.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/histogram_codec.h"
#include "store/schema.h"
#include "store/sqlite_db.h"
#include "store/store_testing.h"

namespace tai {
namespace {

using testing::kBaseTime;
using testing::TestStore;

std::shared_ptr<const MetricBatch> GaugeBatch(int64_t time, double value) {
  return testing::Batch(
      {testing::OneMetric(testing::Descriptor("app/gauge", MetricType::kGauge),
                          InstrumentKind::kGauge,
                          {testing::Point(LabelSet({{"host", "a"}}), time, value)})},
      time);
}

TEST(StoreOpen, CreatesTheFileInWalModeWithTheNewestSchema) {
  TestStore t;
  t.options().path = t.dir() + "/nested/dir/svc.db";
  auto store = t.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto db = internal::Database::Open(t.options().path, internal::Database::Mode::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto mode = (*db)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok() && mode->Step());
  EXPECT_EQ(mode->Text(0), "wal");
  EXPECT_EQ(*internal::SchemaVersion(**db), internal::StoreMigrations().back().version);
}

TEST(StoreOpen, ASecondWriterGetsAClearErrorAndAReaderSeesCommittedData) {
  TestStore t;
  auto writer = t.Open();
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  auto second = t.Open();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("already open for writing"), std::string::npos);
  EXPECT_NE(second.status().message().find(t.path()), std::string::npos);
  EXPECT_NE(second.status().message().find("by process " + std::to_string(::getpid())),
            std::string::npos);

  (*writer)->AddMetrics(GaugeBatch(kBaseTime, 42));
  ASSERT_TRUE((*writer)->Flush(std::chrono::seconds(10)).ok());
  auto reader = t.OpenReadOnly();
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto latest = (*reader)->Latest("app/gauge");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ((*latest)[0].value, 42);
  EXPECT_FALSE((*reader)->PinProfile(1, true).ok());

  // The lock goes with the writer: a new one may open.
  writer->reset();
  EXPECT_TRUE(t.Open().ok());
}

TEST(StoreOpen, ReadOnlyOpenOfAMissingFileIsNotFound) {
  TestStore t;
  auto r = t.OpenReadOnly();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find(t.path()), std::string::npos);
}

TEST(StoreOpen, TheDefaultPathIsPerServiceUnderTaiData) {
  EXPECT_EQ(DefaultStorePath("checkout"), "./tai-data/checkout.db");
  EXPECT_EQ(DefaultStorePath("a/b c"), "./tai-data/a_b_c.db");
  EXPECT_EQ(DefaultStorePath(""), "./tai-data/unknown_service.db");
}

TEST(StoreOpen, EmptyPathIsRefused) {
  auto r = Store::Open({});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("path is empty"), std::string::npos);
}

TEST(StoreOpen, ADirectoryThatCannotBeMadeIsNamed) {
  TestStore t;
  t.options().path = "/proc/no-such-dir/x.db";
  auto r = t.Open();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/proc/no-such-dir"), std::string::npos);
}

// An older file: a synthetic version 1 with a row, migrated by a list that
// adds version 2; the row survives and the new table is there.
TEST(StoreMigrations, AnOlderFileIsMigratedInPlaceKeepingItsData) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/old.db";
  const internal::Migration v1[] = {{1, "CREATE TABLE things(id INTEGER PRIMARY KEY, name TEXT)"}};
  const internal::Migration v2[] = {
      v1[0],
      {2,
       "ALTER TABLE things ADD COLUMN size INTEGER NOT NULL DEFAULT 7;"
       "CREATE TABLE extra(x)"}};
  {
    auto db = internal::Database::Open(path, internal::Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(internal::Migrate(**db, v1).ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO things(name) VALUES ('kept')").ok());
  }
  auto db = internal::Database::Open(path, internal::Database::Mode::kReadWrite);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(internal::Migrate(**db, v2).ok());
  EXPECT_EQ(*internal::SchemaVersion(**db), 2);
  EXPECT_EQ(*(*db)->QueryInt("SELECT size FROM things WHERE name = 'kept'"), 7);
  EXPECT_EQ(*(*db)->QueryInt("SELECT count(*) FROM extra"), 0);
  // Migrating again is a no-op.
  EXPECT_TRUE(internal::Migrate(**db, v2).ok());
}

TEST(StoreMigrations, AFailedStepLeavesTheOldVersion) {
  testing::TempDir dir;
  auto db = internal::Database::Open(dir.path() + "/f.db", internal::Database::Mode::kReadWrite);
  ASSERT_TRUE(db.ok());
  const internal::Migration steps[] = {{1, "CREATE TABLE a(x)"},
                                       {2, "CREATE TABLE b(x); THIS IS NOT SQL"}};
  Status s = internal::Migrate(**db, steps);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("schema version 2"), std::string::npos);
  EXPECT_EQ(*internal::SchemaVersion(**db), 1);
  EXPECT_FALSE((*db)->Exec("SELECT * FROM b").ok());
}

TEST(StoreMigrations, AFileFromANewerVersionIsRefused) {
  TestStore t;
  {
    auto db = internal::Database::Open(t.path(), internal::Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = 999").ok());
  }
  auto store = t.Open();
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("newer than this build"), std::string::npos);
}

TEST(HistogramCodec, RoundTripsExponentialAndExplicitHistograms) {
  HistogramData h;
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(3, 1.5);
  for (int i = 0; i < 5000; ++i) h.Record(i % 10 == 0 ? -dist(rng) : dist(rng));
  h.Record(0);
  auto back = internal::DecodeHistogram(internal::EncodeHistogram(h));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->count(), h.count());
  EXPECT_EQ(back->scale(), h.scale());
  EXPECT_DOUBLE_EQ(back->sum(), h.sum());
  EXPECT_DOUBLE_EQ(back->min(), h.min());
  for (double q : {0.01, 0.5, 0.9, 0.99, 0.999}) EXPECT_EQ(back->Percentile(q), h.Percentile(q));

  auto e = HistogramData::WithExplicitBounds({1, 5, 10});
  ASSERT_TRUE(e.ok());
  for (double v : {0.5, 3.0, 7.0, 50.0}) e->Record(v);
  auto eb = internal::DecodeHistogram(internal::EncodeHistogram(*e));
  ASSERT_TRUE(eb.ok());
  EXPECT_EQ(eb->bucket_counts(), e->bucket_counts());
  EXPECT_EQ(eb->bounds(), e->bounds());

  EXPECT_FALSE(internal::DecodeHistogram("\x01\x00").ok());
  EXPECT_FALSE(internal::DecodeHistogram("").ok());
}

TEST(StoreQueue, AFullQueueDropsAndCountsWithoutWaiting) {
  TestStore t;
  t.options().max_queued_points = 3;
  auto store = t.Open();
  ASSERT_TRUE(store.ok());
  std::vector<MetricPoint> points;
  for (int i = 0; i < 4; ++i) {
    points.push_back(testing::Point(LabelSet({{"i", std::to_string(i)}}), kBaseTime, i));
  }
  (*store)->AddMetrics(
      testing::Batch({testing::OneMetric(testing::Descriptor("g", MetricType::kGauge),
                                         InstrumentKind::kGauge, points)},
                     kBaseTime));
  ASSERT_TRUE((*store)->Flush(std::chrono::seconds(10)).ok());
  StoreStats s = (*store)->stats();
  EXPECT_EQ(s.dropped_of(StoreSignal::kMetrics), 4u);
  EXPECT_EQ(s.written_of(StoreSignal::kMetrics), 0u);
  (*store)->AddMetrics(GaugeBatch(kBaseTime, 1));
  ASSERT_TRUE((*store)->Flush(std::chrono::seconds(10)).ok());
  EXPECT_EQ((*store)->stats().written_of(StoreSignal::kMetrics), 1u);
}

// testdata/store_v1.db was written by the store at schema version 1 (commit
// d0dc702): an hour of a gauge, a counter and a histogram at 1-minute
// steps with its hourly rollups, a trace of two spans, two log records and a
// CPU profile. Whatever the newest version is, that file must open, migrate
// and answer every query as it did.
TEST(StoreOpen, AFileFromTheFirstVersionOpensMigratesAndAnswers) {
  TestStore t;
  std::filesystem::copy_file(std::string(TAI_STORE_TESTDATA) + "/store_v1.db", t.path());
  t.set_now(kBaseTime + 2 * testing::kHour);
  {
    auto db = internal::Database::Open(t.path(), internal::Database::Mode::kReadOnly);
    ASSERT_TRUE(db.ok());
    ASSERT_EQ(*internal::SchemaVersion(**db), 1);
  }
  auto store = t.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  {
    auto db = internal::Database::Open(t.path(), internal::Database::Mode::kReadOnly);
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(*internal::SchemaVersion(**db), internal::StoreMigrations().back().version);
    auto check = (*db)->Prepare("PRAGMA integrity_check");
    ASSERT_TRUE(check.ok() && check->Step());
    EXPECT_EQ(check->Text(0), "ok");
  }

  auto temperature = (*store)->Latest("app/temperature");
  ASSERT_TRUE(temperature.ok()) << temperature.status().ToString();
  ASSERT_EQ(temperature->size(), 1u);
  EXPECT_EQ((*temperature)[0].value, 79);  // 20 + 59
  EXPECT_EQ((*temperature)[0].labels, LabelSet({{"host", "a"}}));
  auto requests = (*store)->Latest("app/requests");
  ASSERT_TRUE(requests.ok());
  EXPECT_EQ((*requests)[0].value, 600);
  // Ten observations a minute, k * minute for k = 1..10: 600 of them, from
  // 1 to 600. The points after the first are deltas of cumulative
  // snapshots, whose extremes are unknown: min and max come from the merged
  // buckets, within the histogram's bound.
  auto latency = (*store)->Statistics("app/latency", {}, kBaseTime - testing::kMinute,
                                      kBaseTime + testing::kHour);
  ASSERT_TRUE(latency.ok()) << latency.status().ToString();
  EXPECT_EQ(latency->count, 600u);
  const double bound = latency->relative_error * (1 + 1e-9);  // the bound itself is inclusive
  EXPECT_NEAR(latency->min, 1, 1 * bound);
  EXPECT_NEAR(latency->max, 600, 600 * bound);

  auto trace = (*store)->GetTrace(TraceId::FromWords(0x1234, 0x5678));
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  ASSERT_EQ(trace->size(), 2u);
  EXPECT_EQ((*trace)[0].span.name, "GET /pay");
  EXPECT_EQ((*trace)[0].service, "payments");
  EXPECT_EQ((*trace)[1].span.status, SpanStatusCode::kError);
  auto logs = (*store)->SearchLogs({.text = "timeout"});
  ASSERT_TRUE(logs.ok()) << logs.status().ToString();
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].trace_id, TraceId::FromWords(0x1234, 0x5678));
  auto profiles = (*store)->ListProfiles({.profile_id = "cpu-v1"});
  ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
  ASSERT_EQ(profiles->size(), 1u);
  EXPECT_EQ((*profiles)[0].version, "1.0.0");
  auto profile = (*store)->GetProfile((*profiles)[0].row_id);
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->TotalValue(), 30 * 10'000'000);  // 30 samples of 10 ms

  // The migrated file takes new data beside the old.
  (*store)->AddMetrics(GaugeBatch(kBaseTime + testing::kHour + testing::kMinute, 5));
  ASSERT_TRUE((*store)->Flush(std::chrono::seconds(10)).ok());
  auto gauge = (*store)->Latest("app/gauge");
  ASSERT_TRUE(gauge.ok());
  EXPECT_EQ((*gauge)[0].value, 5);
}

}  // namespace
}  // namespace tai
