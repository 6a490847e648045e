#include "tai/trace/span_sink.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

namespace tai {
namespace {

TEST(StdoutSpanSinkTest, WritesOneJsonObjectPerSpan) {
  SpanData s;
  s.context.trace_id = NewTraceId();
  s.context.span_id = NewSpanId();
  s.context.trace_flags = SpanContext::kSampledFlag;
  s.name = "GET \"/a\"";
  s.kind = SpanKind::kClient;
  s.start_unix_nanos = 1'700'000'000'000'000'000;
  s.end_unix_nanos = s.start_unix_nanos + 1'500'000;
  s.attributes = {{"n", 7}, {"ok", true}, {"bad utf8", "\xff"}};
  s.events.push_back({"retry", s.start_unix_nanos, {{"attempt", 2}}, 0});
  s.status = SpanStatusCode::kError;
  s.status_message = "boom";
  SpanData root;
  root.context.trace_id = s.context.trace_id;
  root.context.span_id = NewSpanId();
  root.name = "root";
  Resource r;
  r.service_name = "svc";

  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  StdoutSpanSink sink(f);
  auto batch = std::make_shared<const std::vector<SpanData>>(std::vector<SpanData>{s, root});
  ASSERT_TRUE(sink.Export(batch, r).ok());
  std::rewind(f);
  char line[4096];
  ASSERT_NE(std::fgets(line, sizeof line, f), nullptr);
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["trace_id"], s.context.trace_id.ToHex());
  EXPECT_EQ(j["name"], "GET \"/a\"");
  EXPECT_EQ(j["kind"], "client");
  EXPECT_EQ(j["start"], "2023-11-14T22:13:20.000000000Z");
  EXPECT_DOUBLE_EQ(j["duration_ms"].get<double>(), 1.5);
  EXPECT_EQ(j["status"], "error");
  EXPECT_EQ(j["status_message"], "boom");
  EXPECT_EQ(j["attributes"]["n"], 7);
  EXPECT_EQ(j["attributes"]["ok"], true);
  EXPECT_EQ(j["attributes"]["bad utf8"], "\xEF\xBF\xBD");  // replaced, still valid JSON
  EXPECT_EQ(j["events"][0]["attributes"]["attempt"], 2);
  EXPECT_EQ(j["service"], "svc");
  ASSERT_NE(std::fgets(line, sizeof line, f), nullptr);
  EXPECT_EQ(nlohmann::json::parse(line)["parent_span_id"], "");
  EXPECT_EQ(std::fgets(line, sizeof line, f), nullptr);
  std::fclose(f);
}

TEST(InMemorySpanSinkTest, KeepsTheNewestWithinCapacity) {
  InMemorySpanSink sink(3);
  std::vector<SpanData> spans(5);
  for (int i = 0; i < 5; ++i) spans[i].name = std::to_string(i);
  ASSERT_TRUE(sink.Export(std::make_shared<const std::vector<SpanData>>(spans), {}).ok());
  auto kept = sink.spans();
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0].name, "2");
  EXPECT_EQ(sink.exported(), 5u);
  EXPECT_TRUE(sink.WaitForSpans(5, std::chrono::milliseconds(0)));
  EXPECT_FALSE(sink.WaitForSpans(6, std::chrono::milliseconds(10)));
}

}  // namespace
}  // namespace tai
