// Trace, log and profile queries checked against brute-force answers over
// generated records.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "store/store_testing.h"
#include "tai/profile/profile_work.h"

namespace tai {
namespace {

using testing::kBaseTime;
using testing::kSecond;

struct GeneratedSpan {
  std::string service;
  SpanData span;
};

class RecordQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = t_.Open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  std::vector<GeneratedSpan> AddSpans() {
    std::mt19937_64 rng(1);
    std::vector<GeneratedSpan> all;
    const char* names[] = {"GET /users", "GET /orders", "db.query", "cache.get"};
    for (int trace = 0; trace < 200; ++trace) {
      const std::string service = trace % 3 == 0 ? "billing" : "checkout";
      auto batch = std::make_shared<std::vector<SpanData>>();
      const TraceId id = TraceId::FromWords(1, static_cast<uint64_t>(trace) + 1);
      for (uint64_t k = 1; k <= 5; ++k) {
        const int64_t start = kBaseTime + trace * kSecond + static_cast<int64_t>(k) * 1000;
        SpanData s = testing::MakeSpan(
            id, k + 100 * static_cast<uint64_t>(trace),
            k == 1 ? 0 : 1 + 100 * static_cast<uint64_t>(trace), names[rng() % 4], start,
            static_cast<int64_t>(rng() % 1000) * 1'000'000, rng() % 10 == 0);
        s.attributes = {{"http.route", trace % 2 ? "/a" : "/b"}, {"n", static_cast<int64_t>(k)}};
        s.events = {{"retry", start + 5, {{"attempt", int64_t{2}}}, 0}};
        s.links = {{{TraceId::FromWords(9, 9), SpanId::FromWord(9), 1, "k=v", true}, {}, 0}};
        s.kind = SpanKind::kServer;
        batch->push_back(s);
        all.push_back({service, s});
      }
      Resource r;
      r.service_name = service;
      store_->AddSpans(batch, r);
    }
    EXPECT_TRUE(store_->Flush(std::chrono::seconds(30)).ok());
    return all;
  }

  testing::TestStore t_;
  std::unique_ptr<Store> store_;
};

std::vector<const GeneratedSpan*> Expected(const std::vector<GeneratedSpan>& all,
                                           const std::function<bool(const GeneratedSpan&)>& keep,
                                           size_t limit) {
  std::vector<const GeneratedSpan*> out;
  for (const GeneratedSpan& g : all) {
    if (keep(g)) out.push_back(&g);
  }
  std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) {
    return a->span.start_unix_nanos > b->span.start_unix_nanos;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

TEST_F(RecordQueryTest, SpanSearchMatchesBruteForce) {
  const auto all = AddSpans();
  TraceQuery q{.service = "checkout",
               .start_nanos = kBaseTime + 20 * kSecond,
               .end_nanos = kBaseTime + 150 * kSecond,
               .min_duration_nanos = 200'000'000,
               .max_duration_nanos = 900'000'000,
               .limit = 1000};
  auto keep = [&](const GeneratedSpan& g) {
    const SpanData& s = g.span;
    return g.service == q.service && s.start_unix_nanos >= q.start_nanos &&
           s.start_unix_nanos < q.end_nanos && s.duration_nanos() >= q.min_duration_nanos &&
           s.duration_nanos() <= q.max_duration_nanos &&
           (!q.errors_only || s.status == SpanStatusCode::kError) &&
           (q.name.empty() || s.name == q.name) &&
           (q.attribute_key.empty() ||
            s.FindAttribute(q.attribute_key)->ToString() == q.attribute_value);
  };
  for (int variant = 0; variant < 4; ++variant) {
    if (variant == 1) q.errors_only = true;
    if (variant == 2) q.name = "db.query";
    if (variant == 3) {
      q.attribute_key = "http.route";
      q.attribute_value = "/a";
      q.limit = 3;
    }
    auto got = store_->SearchSpans(q);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    auto want = Expected(all, keep, q.limit);
    ASSERT_EQ(got->size(), want.size()) << "variant " << variant;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ((*got)[i].span.context.span_id, want[i]->span.context.span_id);
    }
  }
}

TEST(StoreQueryLimits, AQueryPastItsTimeLimitIsStopped) {
  testing::TestStore t;
  t.options().query_timeout = std::chrono::milliseconds(0);
  auto store = t.Open();
  ASSERT_TRUE(store.ok());
  auto spans = std::make_shared<std::vector<SpanData>>();
  for (uint64_t i = 1; i <= 2000; ++i) {
    spans->push_back(testing::MakeSpan(TraceId::FromWords(1, i), i, 0, "op", kBaseTime, 1, false));
  }
  (*store)->AddSpans(spans, Resource());
  ASSERT_TRUE((*store)->Flush(std::chrono::seconds(10)).ok());
  // No span has the attribute: the search reads every row.
  auto r = (*store)->SearchSpans({.attribute_key = "missing", .attribute_value = "x"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(r.status().message().find("query_timeout"), std::string::npos);
}

TEST_F(RecordQueryTest, ATraceByIdComesBackWhole) {
  const auto all = AddSpans();
  const TraceId id = TraceId::FromWords(1, 8);
  auto trace = store_->GetTrace(id);
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  std::vector<const SpanData*> want;
  for (const GeneratedSpan& g : all) {
    if (g.span.context.trace_id == id) want.push_back(&g.span);
  }
  ASSERT_EQ(trace->size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const SpanData& got = (*trace)[i].span;
    const SpanData& w = *want[i];
    EXPECT_EQ((*trace)[i].service, "checkout");
    EXPECT_EQ(got.context.span_id, w.context.span_id);
    EXPECT_EQ(got.parent_span_id, w.parent_span_id);
    EXPECT_EQ(got.name, w.name);
    EXPECT_EQ(got.kind, w.kind);
    EXPECT_EQ(got.start_unix_nanos, w.start_unix_nanos);
    EXPECT_EQ(got.end_unix_nanos, w.end_unix_nanos);
    EXPECT_EQ(got.status, w.status);
    EXPECT_EQ(got.attributes, w.attributes);
    ASSERT_EQ(got.events.size(), 1u);
    EXPECT_EQ(got.events[0].name, "retry");
    EXPECT_EQ(got.events[0].attributes, w.events[0].attributes);
    ASSERT_EQ(got.links.size(), 1u);
    EXPECT_EQ(got.links[0].context.trace_id, w.links[0].context.trace_id);
    EXPECT_EQ(got.links[0].context.trace_state, "k=v");
  }
  EXPECT_EQ(store_->GetTrace(TraceId::FromWords(5, 5)).status().code(), StatusCode::kNotFound);
}

TEST_F(RecordQueryTest, LogSearchByTextLevelLoggerAndTraceMatchesBruteForce) {
  const char* words[] = {"payment", "timeout", "retry", "user", "cache", "miss", "ok"};
  const char* loggers[] = {"db", "http", "payments"};
  const LogLevel levels[] = {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError};
  std::mt19937_64 rng(3);
  std::vector<LogRecord> records;
  for (int i = 0; i < 3000; ++i) {
    LogRecord r;
    r.time_unix_nanos = kBaseTime + int64_t{i} * 1'000'000;
    r.level = levels[rng() % 4];
    r.logger_name = InternLoggerName(loggers[rng() % 3]);
    std::string m;
    for (int w = 0; w < 4; ++w) m += std::string(w ? " " : "") + words[rng() % 7];
    r.message = m;
    if (i % 7 == 0) r.trace_id = TraceId::FromWords(3, static_cast<uint64_t>(i % 5) + 1);
    r.AddField({"i", i});
    records.push_back(std::move(r));
  }
  Resource resource;
  resource.service_name = "svc";
  for (size_t at = 0; at < records.size(); at += 500) {
    store_->AddLogs(LogBatch{resource, std::span<const LogRecord>(records).subspan(at, 500)});
  }
  ASSERT_TRUE(store_->Flush(std::chrono::seconds(30)).ok());

  auto has_word = [](const std::string& m, const std::string& word) {
    std::istringstream in(m);
    std::string w;
    while (in >> w) {
      if (w == word) return true;
    }
    return false;
  };
  LogQuery q{.start_nanos = kBaseTime + 100'000'000,
             .end_nanos = kBaseTime + 2'500'000'000,
             .min_level = LogLevel::kWarn,
             .logger = "payments",
             .text = "timeout",
             .limit = 10'000};
  for (int variant = 0; variant < 3; ++variant) {
    if (variant == 1) q.trace_id = TraceId::FromWords(3, 2), q.text = "", q.logger = "";
    if (variant == 2) q.text = "timeout NOT retry", q.trace_id = TraceId(), q.limit = 5;
    std::vector<const LogRecord*> want;
    for (const LogRecord& r : records) {
      const bool text_ok = q.text.empty() || (variant == 2 ? has_word(r.message, "timeout") &&
                                                                 !has_word(r.message, "retry")
                                                           : has_word(r.message, q.text));
      if (r.time_unix_nanos >= q.start_nanos && r.time_unix_nanos < q.end_nanos &&
          r.level >= q.min_level && (q.logger.empty() || r.logger_name == q.logger) && text_ok &&
          (!q.trace_id.valid() || r.trace_id == q.trace_id)) {
        want.push_back(&r);
      }
    }
    std::reverse(want.begin(), want.end());
    if (want.size() > q.limit) want.resize(q.limit);
    auto got = store_->SearchLogs(q);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->size(), want.size()) << "variant " << variant;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ((*got)[i].time_nanos, want[i]->time_unix_nanos);
      EXPECT_EQ((*got)[i].message, want[i]->message);
      EXPECT_EQ((*got)[i].trace_id, want[i]->trace_id);
    }
    if (!got->empty()) {
      EXPECT_NE((*got)[0].fields_json.find("\"i\":"), std::string::npos);
    }
  }
  LogQuery bad{.text = "\"unclosed"};
  auto err = store_->SearchLogs(bad);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.status().message().find("is not a valid search"), std::string::npos);
}

// main -> <name> with `samples` samples, per function.
Profile CpuProfile(const std::vector<std::pair<std::string, int64_t>>& functions) {
  Profile p;
  p.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  p.period_type = {"cpu", "nanoseconds"};
  p.period = 10'000'000;
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

TEST_F(RecordQueryTest, ProfilesAreListedReadMergedAndPinned) {
  std::vector<UploadedProfile> batch;
  for (int i = 0; i < 3; ++i) {
    Profile p = CpuProfile({{"hot", 10 * (i + 1)}, {"cold", 1}});
    p.time_nanos = kBaseTime + i * testing::kMinute;
    SetProfileWork(p, 100.0 * (i + 1));  // requests served in the window
    batch.push_back({"cpu-" + std::to_string(i), ProfileKind::kCpu, p, {{"zone", "z1"}}});
  }
  Resource r;
  r.service_name = "svc";
  r.service_version = "1.2.3";
  store_->AddProfiles(batch, r);
  store_->AddProfiles(batch, r);  // offered again: stored once
  ASSERT_TRUE(store_->Flush(std::chrono::seconds(10)).ok());

  auto list = store_->ListProfiles({.service = "svc", .kind = "CPU"});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].profile_id, "cpu-2");  // newest first
  EXPECT_EQ((*list)[0].version, "1.2.3");
  EXPECT_EQ((*list)[0].labels.at("zone"), "z1");
  auto by_id = store_->ListProfiles({.profile_id = "cpu-1"});
  ASSERT_TRUE(by_id.ok());
  ASSERT_EQ(by_id->size(), 1u);
  EXPECT_EQ((*by_id)[0].time_nanos, batch[1].profile.time_nanos);
  auto one = store_->GetProfile((*list)[2].row_id);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, batch[0].profile);

  // The same id at another start time is another profile (a restarted
  // service numbers its windows from 1 again): kept beside the first.
  std::vector<UploadedProfile> restarted = {batch[0]};
  restarted[0].profile.time_nanos = kBaseTime + 10 * testing::kMinute;
  store_->AddProfiles(restarted, r);
  ASSERT_TRUE(store_->Flush(std::chrono::seconds(10)).ok());
  auto reused = store_->ListProfiles({.profile_id = "cpu-0"});
  ASSERT_TRUE(reused.ok());
  ASSERT_EQ(reused->size(), 2u);
  EXPECT_EQ((*reused)[0].time_nanos, restarted[0].profile.time_nanos);  // newest first
  EXPECT_EQ((*reused)[1].time_nanos, batch[0].profile.time_nanos);
  list = store_->ListProfiles(
      {.service = "svc", .kind = "CPU", .end_nanos = kBaseTime + 5 * testing::kMinute});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);

  auto merged =
      store_->MergeProfiles({.kind = "CPU", .end_nanos = kBaseTime + 5 * testing::kMinute});
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->TotalValue(), batch[0].profile.TotalValue() + batch[1].profile.TotalValue() +
                                      batch[2].profile.TotalValue());
  EXPECT_EQ(ProfileWork(*merged), 600.0);  // the windows' work together
  auto hot = merged->HotPaths(1);
  ASSERT_EQ(hot.size(), 1u);
  EXPECT_EQ(hot[0].function, "hot");
  EXPECT_EQ(store_->MergeProfiles({.kind = "HEAP"}).status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(store_->PinProfile((*list)[2].row_id, true).ok());
  EXPECT_TRUE(store_->ListProfiles({})->back().pinned);
  EXPECT_EQ(store_->PinProfile(999, true).code(), StatusCode::kNotFound);
}

// The comparison history: filtered by service, kind, time and outcome,
// newest first, and gone with the profiles' retention.
TEST(ProfileComparisonHistory, SearchAndRetention) {
  testing::TestStore t;
  auto store = t.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<ProfileComparisonRecord> records;
  for (int i = 0; i < 6; ++i) {
    records.push_back({.time_nanos = kBaseTime + i * kSecond,
                       .service = i % 2 == 0 ? "checkout" : "search",
                       .kind = i == 5 ? "HEAP" : "CPU",
                       .profile_id = "p" + std::to_string(i),
                       .baseline_time_nanos = kBaseTime - kSecond,
                       .severity = i == 2 ? "MEDIUM" : "NONE",
                       .regressions = i == 2 ? 2u : 0u,
                       .total_change_percent = i * 1.5,
                       .details_json = "{\"i\":" + std::to_string(i) + "}"});
  }
  (*store)->AddProfileComparisons(records);
  ASSERT_TRUE((*store)->Flush(std::chrono::seconds(10)).ok());

  auto checkout = (*store)->SearchProfileComparisons({.service = "checkout"});
  ASSERT_TRUE(checkout.ok()) << checkout.status().ToString();
  ASSERT_EQ(checkout->size(), 3u);
  EXPECT_EQ((*checkout)[0].profile_id, "p4");
  EXPECT_EQ((*checkout)[2].profile_id, "p0");
  EXPECT_EQ((*checkout)[1].details_json, "{\"i\":2}");
  EXPECT_EQ((*checkout)[1].total_change_percent, 3.0);
  auto heap = (*store)->SearchProfileComparisons({.kind = "HEAP"});
  ASSERT_EQ(heap->size(), 1u);
  EXPECT_EQ((*heap)[0].service, "search");
  auto window = (*store)->SearchProfileComparisons(
      {.start_nanos = kBaseTime + kSecond, .end_nanos = kBaseTime + 3 * kSecond, .limit = 1});
  ASSERT_EQ(window->size(), 1u);
  EXPECT_EQ((*window)[0].profile_id, "p2");
  auto regressed = (*store)->SearchProfileComparisons({.regressions_only = true});
  ASSERT_EQ(regressed->size(), 1u);
  EXPECT_EQ((*regressed)[0].severity, "MEDIUM");
  EXPECT_EQ((*regressed)[0].regressions, 2u);

  t.set_now(kBaseTime + 3 * kSecond +
            std::chrono::nanoseconds(RetentionOptions{}.profiles).count());
  ASSERT_TRUE((*store)->RunMaintenance(std::chrono::seconds(30)).ok());
  auto left = (*store)->SearchProfileComparisons({});
  ASSERT_EQ(left->size(), 3u);  // p3, p4, p5: not yet a month old
  EXPECT_EQ(left->back().profile_id, "p3");
}

}  // namespace
}  // namespace tai
