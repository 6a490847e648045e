// The rollup archive: daily cells past their month go to one gzip JSON-lines
// file per day, exactly as the store held them, and leave the store only
// once their file is written; a file that cannot be written keeps them and
// is said once.
#include "tai/store/rollup_archive.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/gzip.h"
#include "store/histogram_codec.h"
#include "store/record_json.h"
#include "store/rollup_archive_io.h"
#include "store/sqlite_db.h"
#include "store/store_testing.h"

namespace tai {
namespace {

using testing::kBaseTime;
using testing::kDay;
using testing::kMinute;

constexpr int kDays = 3;
constexpr int64_t kEvery = 10 * kMinute;

// What the store's daily tier held for one series and day, read before it
// expires.
struct StoredCell {
  int64_t count = 0;
  double sum = 0, min = 0, max = 0, last = 0, increase = 0;
  std::optional<HistogramData> hist;
};
using CellKey = std::tuple<std::string, std::string, int64_t>;  // metric, labels json, day

class RollupArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = t_.dir() + "/archive";
    t_.options().retention.archive_directory = archive_;
    t_.options().on_error = [this](const std::string& m) { reports_.push_back(m); };
  }

  void Open() {
    auto store = t_.Open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  // kDays days of a gauge, a counter (reset once) and a histogram in two
  // series each, a point every 10 minutes.
  void WriteDays() {
    HistogramData cumulative[2];
    double total[2] = {0, 0};
    for (int64_t t = kBaseTime; t < kBaseTime + kDays * kDay; t += kEvery) {
      std::vector<MetricPoint> gauges, counters, hists;
      for (int s = 0; s < 2; ++s) {
        LabelSet labels({{"route", s == 0 ? "/pay" : "/refund"}});
        gauges.push_back(testing::Point(labels, t, static_cast<double>((t / kEvery + s) % 37)));
        total[s] = t == kBaseTime + kDay + 12 * 6 * kEvery ? 1 : total[s] + 3 + s;
        counters.push_back(testing::Point(labels, t, total[s]));
        for (int k = 0; k < 5; ++k) {
          cumulative[s].Record(1 + static_cast<double>(rng_() % 50000) / 100);
        }
        hists.push_back(testing::Point(labels, t, testing::Distribution(cumulative[s])));
      }
      store_->AddMetrics(
          testing::Batch({testing::OneMetric(gauge_, InstrumentKind::kGauge, gauges),
                          testing::OneMetric(counter_, InstrumentKind::kCounter, counters),
                          testing::OneMetric(latency_, InstrumentKind::kHistogram, hists)},
                         t));
    }
    ASSERT_TRUE(store_->Flush(std::chrono::seconds(30)).ok());
  }

  std::map<CellKey, StoredCell> DailyCells() {
    std::map<CellKey, StoredCell> out;
    auto db = internal::Database::Open(t_.path(), internal::Database::Mode::kReadOnly);
    EXPECT_TRUE(db.ok());
    auto stmt = (*db)->Prepare(
        "SELECT s.metric, s.labels, r.t, r.count, r.sum, r.min, r.max, r.last, r.increase, "
        "r.hist FROM rollups r JOIN series s ON s.id = r.series_id WHERE r.tier = 2");
    EXPECT_TRUE(stmt.ok());
    auto nan_if_null = [&](int col) {
      return stmt->IsNull(col) ? std::numeric_limits<double>::quiet_NaN() : stmt->Double(col);
    };
    while (stmt->Step()) {
      StoredCell c{stmt->Int(3),   stmt->Double(4), nan_if_null(5), nan_if_null(6),
                   nan_if_null(7), stmt->Double(8), std::nullopt};
      if (!stmt->IsNull(9)) c.hist = *internal::DecodeHistogram(stmt->Blob(9));
      out[{stmt->Text(0), stmt->Text(1), stmt->Int(2)}] = std::move(c);
    }
    return out;
  }

  std::string DayFile(int day) {
    return internal::RollupArchivePath(archive_, t_.path(), kBaseTime + day * kDay);
  }

  // Expires the first `days` days: the clock moves to a month past them.
  void ExpireDays(int days) { t_.set_now(kBaseTime + (days + 31) * kDay); }

  static bool SameNumber(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

  testing::TestStore t_;
  std::string archive_;
  std::vector<std::string> reports_;
  std::unique_ptr<Store> store_;
  std::shared_ptr<const MetricDescriptor> gauge_ =
      testing::Descriptor("arc/queue_depth", MetricType::kGauge);
  std::shared_ptr<const MetricDescriptor> counter_ =
      testing::Descriptor("arc/requests", MetricType::kCumulative);
  std::shared_ptr<const MetricDescriptor> latency_ = std::make_shared<const MetricDescriptor>(
      MetricDescriptor{.metric_type = "arc/latency",
                       .value_type = MetricType::kDistribution,
                       .unit = MetricUnit("ms")});
  std::mt19937_64 rng_{5};
};

TEST_F(RollupArchiveTest, ExpiredDaysGoToFilesThatHoldExactlyWhatTheStoreHeld) {
  Open();
  WriteDays();
  t_.set_now(kBaseTime + (kDays + 1) * kDay);
  ASSERT_TRUE(store_->RunMaintenance(std::chrono::seconds(60)).ok());
  const std::map<CellKey, StoredCell> before = DailyCells();
  ASSERT_EQ(before.size(), 3u * 2 * kDays);  // 3 metrics x 2 series x days

  // The first two days pass their month; the third does not yet.
  ExpireDays(2);
  ASSERT_TRUE(store_->RunMaintenance(std::chrono::seconds(60)).ok());
  const std::map<CellKey, StoredCell> after = DailyCells();
  ASSERT_EQ(after.size(), 3u * 2);
  for (const auto& [key, cell] : after) EXPECT_EQ(std::get<2>(key), kBaseTime + 2 * kDay);
  EXPECT_FALSE(std::filesystem::exists(DayFile(2)));

  size_t archived = 0;
  for (int day = 0; day < 2; ++day) {
    auto rows = ReadRollupArchive(DayFile(day));
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_EQ(rows->size(), 6u);
    for (const ArchivedRollup& r : *rows) {
      SCOPED_TRACE(r.metric + " " + r.labels.ToString());
      EXPECT_EQ(r.start_unix_nanos, kBaseTime + day * kDay);
      EXPECT_EQ(r.end_unix_nanos, kBaseTime + (day + 1) * kDay);
      auto it = before.find({r.metric, internal::LabelsToJson(r.labels), r.start_unix_nanos});
      ASSERT_NE(it, before.end());
      const StoredCell& c = it->second;
      EXPECT_EQ(static_cast<int64_t>(r.count), c.count);
      EXPECT_EQ(r.sum, c.sum);
      EXPECT_TRUE(SameNumber(r.min, c.min)) << r.min << " " << c.min;
      EXPECT_TRUE(SameNumber(r.max, c.max));
      EXPECT_TRUE(SameNumber(r.last, c.last));
      EXPECT_EQ(r.increase, c.increase);
      ASSERT_EQ(r.histogram.has_value(), c.hist.has_value());
      if (r.histogram) {
        EXPECT_EQ(r.histogram->count(), c.hist->count());
        EXPECT_EQ(r.histogram->scale(), c.hist->scale());
        EXPECT_EQ(r.histogram->positive().counts, c.hist->positive().counts);
        EXPECT_EQ(r.histogram->positive().offset, c.hist->positive().offset);
        EXPECT_EQ(r.histogram->zero_count(), c.hist->zero_count());
        for (double q : {0.5, 0.9, 0.99}) {
          EXPECT_EQ(r.histogram->Percentile(q), c.hist->Percentile(q)) << q;
        }
      }
      if (r.metric == "arc/latency") {
        EXPECT_EQ(r.kind, MetricType::kDistribution);
        EXPECT_EQ(r.unit, "ms");
        if (day == 1) {
          EXPECT_EQ(r.count, 5u * 144);  // observations of a whole day
        }
      } else if (r.metric == "arc/requests") {
        EXPECT_EQ(r.kind, MetricType::kCumulative);
        EXPECT_FALSE(r.histogram.has_value());
      } else {
        EXPECT_EQ(r.kind, MetricType::kGauge);
        EXPECT_EQ(r.count, 144u);
      }
      ++archived;
    }
  }
  EXPECT_EQ(archived + after.size(), before.size());
  EXPECT_TRUE(reports_.empty());
  EXPECT_EQ(store_->stats().maintenance_error, "");
}

TEST_F(RollupArchiveTest, AnArchiveThatCannotBeWrittenKeepsTheDaysAndIsSaidOnce) {
  // A regular file where the directory should be made.
  std::ofstream(t_.dir() + "/blocked") << "x";
  archive_ = t_.dir() + "/blocked/archive";
  t_.options().retention.archive_directory = archive_;
  Open();
  WriteDays();
  ExpireDays(1);
  for (int pass = 0; pass < 2; ++pass) {
    Status s = store_->RunMaintenance(std::chrono::seconds(60));
    EXPECT_EQ(s.code(), StatusCode::kUnavailable);
    EXPECT_NE(s.message().find(archive_), std::string::npos) << s.ToString();
  }
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_NE(reports_[0].find("housekeeping"), std::string::npos) << reports_[0];
  EXPECT_NE(reports_[0].find(archive_), std::string::npos) << reports_[0];
  EXPECT_NE(store_->stats().maintenance_error.find(archive_), std::string::npos);
  // Nothing left the store.
  EXPECT_EQ(DailyCells().size(), 3u * 2 * kDays);

  std::filesystem::remove(t_.dir() + "/blocked");
  ASSERT_TRUE(store_->RunMaintenance(std::chrono::seconds(60)).ok());
  EXPECT_EQ(store_->stats().maintenance_error, "");
  auto rows = ReadRollupArchive(DayFile(0));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->size(), 6u);
  EXPECT_EQ(DailyCells().size(), 3u * 2 * (kDays - 1));
  EXPECT_EQ(reports_.size(), 1u);
}

TEST_F(RollupArchiveTest, WithoutADirectoryExpiredDaysAreDeleted) {
  t_.options().retention.archive_directory = "";
  Open();
  WriteDays();
  ExpireDays(1);
  ASSERT_TRUE(store_->RunMaintenance(std::chrono::seconds(60)).ok());
  EXPECT_EQ(DailyCells().size(), 3u * 2 * (kDays - 1));
  EXPECT_FALSE(std::filesystem::exists(archive_));
}

// A damaged or hand-edited file is refused naming the file, the line and
// the field, never read past its limits.
TEST(RollupArchiveReader, BadLinesAreNamed) {
  testing::TempDir dir;
  ArchivedRollup good{.metric = "m", .labels = LabelSet({{"k", "v"}}), .count = 2, .sum = 3};
  good.histogram.emplace();
  good.histogram->Record(1.5);
  good.histogram->Record(2.5);
  const std::string line = internal::RollupArchiveLine(good);
  struct Case {
    std::string text;
    std::string says;
  };
  const Case cases[] = {
      {line + "\nnot json\n", "line 2: not a JSON object"},
      {R"({"metric":1})", "\"metric\" must be a string"},
      {R"({"metric":"m","kind":"SUMMARY","unit":""})", "is not GAUGE, CUMULATIVE or DISTRIBUTION"},
      {R"({"metric":"m","kind":"GAUGE","unit":"","labels":{"k":3}})",
       "label \"k\" must be a string"},
      {R"({"metric":"m","kind":"GAUGE","unit":"","labels":{},"start_unix_nanos":0,)"
       R"("end_unix_nanos":1,"count":-1})",
       "\"count\" must be a count"},
      {R"({"metric":"m","kind":"GAUGE","unit":"","labels":{},"start_unix_nanos":0,)"
       R"("end_unix_nanos":1,"count":1,"sum":1,"min":1,"max":1,"last":1,"increase":0,)"
       R"("histogram":{"layout":"exponential","scale":99}})",
       "histogram scale 99 is not in"},
      {R"({"metric":"m","kind":"GAUGE","unit":"","labels":{},"start_unix_nanos":0,)"
       R"("end_unix_nanos":1,"count":1,"sum":1,"min":1,"max":1,"last":1,"increase":0,)"
       R"("histogram":{"layout":"explicit","bounds":[1,2],"counts":[1]}})",
       "one more count than bounds"},
  };
  for (const Case& c : cases) {
    const std::string path = dir.path() + "/bad.jsonl.gz";
    std::ofstream(path) << internal::GzipCompress(c.text);
    auto rows = ReadRollupArchive(path);
    ASSERT_FALSE(rows.ok()) << c.text;
    EXPECT_NE(rows.status().message().find(c.says), std::string::npos) << rows.status().ToString();
    EXPECT_NE(rows.status().message().find(path), std::string::npos);
  }
  std::ofstream(dir.path() + "/plain.jsonl.gz") << line;
  EXPECT_FALSE(ReadRollupArchive(dir.path() + "/plain.jsonl.gz").ok());  // not gzip
  EXPECT_EQ(ReadRollupArchive(dir.path() + "/missing.gz").status().code(), StatusCode::kNotFound);

  // The good line reads back as written.
  const std::string path = dir.path() + "/good.jsonl.gz";
  std::ofstream(path) << internal::GzipCompress(line + "\n");
  auto rows = ReadRollupArchive(path);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].labels, good.labels);
  EXPECT_EQ((*rows)[0].histogram->Percentile(1.0), 2.5);
  EXPECT_TRUE(std::isnan((*rows)[0].min));
}

}  // namespace
}  // namespace tai
