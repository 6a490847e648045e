// Retention and rollups over simulated weeks (an injected clock): what each
// tier holds, that rollup percentiles stay within the histogram's bound of
// the exact percentile of the raw values, and that the file stops growing.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "store/sqlite_db.h"
#include "store/store_testing.h"

namespace tai {
namespace {

using testing::kBaseTime;
using testing::kDay;
using testing::kHour;
using testing::kMinute;

constexpr int kSeries = 2;

class SimulatedWeeks : public ::testing::Test {
 protected:
  void SetUp() override {
    t_.options().retention.max_profiles_per_kind = 10;
    t_.options().maintenance_step_rows = 5000;
    auto store = t_.Open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  // Writes one minute-resolution hour of every signal ending at the clock,
  // then advances the clock by the hour.
  void WriteHour() {
    const int64_t hour_start = t_.now();
    for (int m = 0; m < 60; ++m) {
      const int64_t t = hour_start + m * kMinute;
      std::vector<MetricPoint> gauges, hists;
      for (int s = 0; s < kSeries; ++s) {
        LabelSet labels({{"series", std::to_string(s)}});
        const double v = static_cast<double>((t / kMinute + s * 7) % 1000);
        gauges.push_back(testing::Point(labels, t, v));
        raw_gauge_[t].push_back(v);
        for (int k = 0; k < 10; ++k) {
          const double x = 1 + static_cast<double>(rng_() % 100000) / 100;
          cumulative_[s].Record(x);
          raw_latency_[t].push_back(x);
        }
        hists.push_back(testing::Point(labels, t, testing::Distribution(cumulative_[s])));
      }
      store_->AddMetrics(
          testing::Batch({testing::OneMetric(gauge_, InstrumentKind::kGauge, gauges),
                          testing::OneMetric(latency_, InstrumentKind::kHistogram, hists)},
                         t));
    }
    auto spans = std::make_shared<std::vector<SpanData>>();
    spans->push_back(testing::MakeSpan(TraceId::FromWords(1, static_cast<uint64_t>(hour_start)), 1,
                                       0, "op", hour_start, 1000, false));
    store_->AddSpans(spans, resource_);
    LogRecord log;
    log.time_unix_nanos = hour_start;
    log.message = "hourly record " + std::to_string(hour_start / kHour);
    store_->AddLogs(LogBatch{resource_, std::span<const LogRecord>(&log, 1)});
    if ((hour_start / kHour) % 6 == 0) {
      Profile p;
      p.sample_types = {{"samples", "count"}};
      p.time_nanos = hour_start;
      UploadedProfile up{"cpu-" + std::to_string(hour_start / kHour), ProfileKind::kCpu, p, {}};
      store_->AddProfiles(std::span<const UploadedProfile>(&up, 1), resource_);
    }
    t_.set_now(hour_start + kHour);
    ASSERT_TRUE(store_->Flush(std::chrono::seconds(30)).ok());
  }

  void WriteDays(int days) {
    for (int h = 0; h < days * 24; ++h) {
      WriteHour();
      // Maintenance in the background's small steps, every few hours.
      if (h % 6 == 5) {
        ASSERT_TRUE(store_->RunMaintenance(std::chrono::seconds(60)).ok());
      }
    }
  }

  int64_t Count(const std::string& sql) {
    auto db = internal::Database::Open(t_.path(), internal::Database::Mode::kReadOnly);
    EXPECT_TRUE(db.ok());
    auto n = (*db)->QueryInt(sql);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.value_or(-1);
  }

  std::vector<double> RawIn(const std::map<int64_t, std::vector<double>>& raw, int64_t from,
                            int64_t to) {
    std::vector<double> out;
    for (auto it = raw.lower_bound(from); it != raw.end() && it->first < to; ++it) {
      out.insert(out.end(), it->second.begin(), it->second.end());
    }
    return out;
  }

  testing::TestStore t_;
  std::unique_ptr<Store> store_;
  std::shared_ptr<const MetricDescriptor> gauge_ =
      testing::Descriptor("sim/gauge", MetricType::kGauge);
  std::shared_ptr<const MetricDescriptor> latency_ =
      testing::Descriptor("sim/latency", MetricType::kDistribution);
  HistogramData cumulative_[kSeries];
  std::map<int64_t, std::vector<double>> raw_gauge_, raw_latency_;
  std::mt19937_64 rng_{11};
  Resource resource_;
};

TEST_F(SimulatedWeeks, EachTierHoldsWhatThePolicySays) {
  WriteDays(8);
  ASSERT_TRUE(store_->RunMaintenance(std::chrono::seconds(60)).ok());
  const int64_t now = t_.now();
  ASSERT_EQ(now, kBaseTime + 8 * kDay);
  const int64_t per_hour = 2 * kSeries;  // two metrics

  // Raw: the last day only.
  EXPECT_EQ(Count("SELECT count(*) FROM points"), 24 * 60 * 2 * kSeries);
  EXPECT_GE(Count("SELECT min(t) FROM points"), now - kDay);
  // Hourly: a week, up to the last complete hour (the current one is open).
  EXPECT_EQ(Count("SELECT count(*) FROM rollups WHERE tier = 1"), (7 * 24 - 1) * per_hour);
  EXPECT_GE(Count("SELECT min(t) FROM rollups WHERE tier = 1"), now - 7 * kDay);
  // Daily: every complete day (a month is kept).
  EXPECT_EQ(Count("SELECT count(*) FROM rollups WHERE tier = 2"), 7 * per_hour);
  // Spans and logs: a week.
  EXPECT_EQ(Count("SELECT count(*) FROM spans"), 7 * 24);
  EXPECT_EQ(Count("SELECT count(*) FROM logs"), 7 * 24);
  EXPECT_EQ(Count("SELECT count(*) FROM logs_fts WHERE logs_fts MATCH 'hourly'"), 7 * 24);
  // Profiles: the newest 10.
  EXPECT_EQ(Count("SELECT count(*) FROM profiles"), 10);

  // A daily gauge cell: exact count, sum, min, max, last of its day.
  const int64_t day = kBaseTime + 2 * kDay;
  auto db = internal::Database::Open(t_.path(), internal::Database::Mode::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto cell = (*db)->Prepare(
      "SELECT r.count, r.sum, r.min, r.max, r.last FROM rollups r JOIN series s ON s.id = "
      "r.series_id WHERE r.tier = 2 AND r.t = ?1 AND s.metric = 'sim/gauge' AND s.labels = "
      "'{\"series\":\"0\"}'");
  ASSERT_TRUE(cell.ok());
  cell->Bind(1, day);
  ASSERT_TRUE(cell->Step());
  double sum = 0, mn = 1e300, mx = -1e300, last = 0;
  for (int64_t t = day; t < day + kDay; t += kMinute) {
    const double v = raw_gauge_[t][0];
    sum += v, mn = std::min(mn, v), mx = std::max(mx, v), last = v;
  }
  EXPECT_EQ(cell->Int(0), 1440);
  EXPECT_DOUBLE_EQ(cell->Double(1), sum);
  EXPECT_EQ(cell->Double(2), mn);
  EXPECT_EQ(cell->Double(3), mx);
  EXPECT_EQ(cell->Double(4), last);
}

TEST_F(SimulatedWeeks, RollupPercentilesAreWithinTheHistogramBound) {
  WriteDays(9);
  ASSERT_TRUE(store_->RunMaintenance(std::chrono::seconds(60)).ok());
  const int64_t now = t_.now();
  // An hour from the hourly tier, a day from the daily tier.
  const std::pair<int64_t, int64_t> windows[] = {{now - 3 * kDay, now - 3 * kDay + kHour},
                                                 {kBaseTime + kDay, kBaseTime + 2 * kDay}};
  const StoreTier tiers[] = {StoreTier::kHourly, StoreTier::kDaily};
  for (int w = 0; w < 2; ++w) {
    const auto [from, to] = windows[w];
    auto s = store_->Statistics("sim/latency", {}, from, to);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->tier, tiers[w]);
    const std::vector<double> raw = RawIn(raw_latency_, from, to);
    EXPECT_EQ(s->count, raw.size());
    ASSERT_GT(s->relative_error, 0);
    const std::pair<double, double> checks[] = {{0.5, s->p50}, {0.99, s->p99}, {0.999, s->p999}};
    for (const auto& [q, got] : checks) {
      const double exact = testing::ExactPercentile(raw, q);
      EXPECT_LE(std::fabs(got - exact), s->relative_error * exact * 1.0001) << w << " q" << q;
    }
  }
  // A range query over three days at one-hour steps reads hourly cells and
  // its p99 per step matches the raw values of that hour.
  auto r = store_->QueryRange({.metric = "sim/latency",
                               .start_nanos = now - 3 * kDay,
                               .end_nanos = now - 2 * kDay,
                               .step_nanos = kHour,
                               .function = StepFunction::kQuantile,
                               .quantile = 0.99,
                               .across = SeriesAggregation::kSum});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->tier, StoreTier::kHourly);
  ASSERT_EQ(r->series.size(), 1u);
  ASSERT_EQ(r->series[0].points.size(), 24u);
  for (const SeriesPoint& p : r->series[0].points) {
    const double exact =
        testing::ExactPercentile(RawIn(raw_latency_, p.time_nanos - kHour, p.time_nanos), 0.99);
    const double bound =
        std::max(cumulative_[0].RelativeErrorBound(), cumulative_[1].RelativeErrorBound());
    EXPECT_LE(std::fabs(p.value - exact), bound * exact * 1.0001);
  }
}

TEST_F(SimulatedWeeks, TheFileStopsGrowingOnceRetentionCatchesUp) {
  WriteDays(8);
  ASSERT_TRUE(store_->RunMaintenance(std::chrono::seconds(60)).ok());
  const auto size_after_8 = std::filesystem::file_size(t_.path());
  WriteDays(8);
  ASSERT_TRUE(store_->RunMaintenance(std::chrono::seconds(60)).ok());
  const auto size_after_16 = std::filesystem::file_size(t_.path());
  // The daily tier keeps growing (a month), the rest is steady.
  EXPECT_LT(size_after_16, size_after_8 * 13 / 10) << size_after_8 << " -> " << size_after_16;
  EXPECT_LT(Count("PRAGMA freelist_count"), 2000);
}

TEST(Retention, SpansAndLogsAreCappedBySizeOldestFirst) {
  testing::TestStore t;
  t.options().retention.max_log_bytes = 20'000;
  auto store = t.Open();
  ASSERT_TRUE(store.ok());
  Resource resource;
  std::vector<LogRecord> records(1000);
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].time_unix_nanos = kBaseTime + static_cast<int64_t>(i);
    records[i].message = "record number " + std::to_string(i);
  }
  (*store)->AddLogs(LogBatch{resource, records});
  ASSERT_TRUE((*store)->Flush(std::chrono::seconds(10)).ok());
  ASSERT_TRUE((*store)->RunMaintenance(std::chrono::seconds(30)).ok());
  auto kept = (*store)->SearchLogs({.limit = 10'000});
  ASSERT_TRUE(kept.ok());
  ASSERT_FALSE(kept->empty());
  EXPECT_LT(kept->size(), 1000u);
  // The newest are the ones kept.
  EXPECT_EQ(kept->front().message, "record number 999");
  EXPECT_EQ(kept->back().time_nanos, kBaseTime + static_cast<int64_t>(1000 - kept->size()));
  auto db = internal::Database::Open(t.path(), internal::Database::Mode::kReadOnly);
  EXPECT_LE(*(*db)->QueryInt("SELECT sum(bytes) FROM logs"), 20'000);
}

TEST(Retention, PinnedProfilesOutliveTheirAge) {
  testing::TestStore t;
  auto store = t.Open();
  ASSERT_TRUE(store.ok());
  Resource resource;
  std::vector<UploadedProfile> profiles(2);
  for (int i = 0; i < 2; ++i) {
    profiles[i].id = "p" + std::to_string(i);
    profiles[i].profile.sample_types = {{"samples", "count"}};
    profiles[i].profile.time_nanos = kBaseTime + i;
  }
  (*store)->AddProfiles(profiles, resource);
  ASSERT_TRUE((*store)->Flush(std::chrono::seconds(10)).ok());
  auto list = (*store)->ListProfiles({});
  ASSERT_EQ(list->size(), 2u);
  ASSERT_TRUE((*store)->PinProfile(list->back().row_id, true).ok());
  t.set_now(kBaseTime + 40 * kDay);
  ASSERT_TRUE((*store)->RunMaintenance(std::chrono::seconds(30)).ok());
  auto left = (*store)->ListProfiles({});
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().profile_id, "p0");
  EXPECT_TRUE(left->front().pinned);
}

}  // namespace
}  // namespace tai
