#include "tai/trace/trace.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "tai/core/clock.h"
#include "trace/trace_testing.h"

namespace tai {
namespace {

using testing::TracerWithSink;

const SpanData* Find(const std::vector<SpanData>& spans, std::string_view name) {
  for (const SpanData& s : spans) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

TEST(TracerTest, RecordsAttributesEventsLinksKindAndStatus) {
  TracerWithSink t;
  SpanContext linked;
  linked.trace_id = NewTraceId();
  linked.span_id = NewSpanId();
  const int64_t before = WallNanos();
  {
    Span span = t.tracer->StartSpan("GET /users", {.kind = SpanKind::kServer});
    ASSERT_TRUE(span.IsRecording());
    span.SetAttribute("s", "text")
        .SetAttribute("i", 42)
        .SetAttribute("d", 2.5)
        .SetAttribute("b", true)
        .SetAttribute("arr", std::vector<std::string>{"a", "b"})
        .SetAttribute("i", 43);  // replaces
    span.AddEvent("cache miss", {{"key", "u:1"}});
    span.AddLink(linked, {{"reason", "batch"}});
    span.SetStatus(SpanStatusCode::kError, "db down");
  }
  auto spans = t.Flushed();
  ASSERT_EQ(spans.size(), 1u);
  const SpanData& s = spans[0];
  EXPECT_EQ(s.name, "GET /users");
  EXPECT_EQ(s.kind, SpanKind::kServer);
  EXPECT_EQ(s.attributes.size(), 5u);
  EXPECT_EQ(*s.FindAttribute("i"), AttributeValue(43));
  EXPECT_EQ(*s.FindAttribute("arr"), AttributeValue(std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].name, "cache miss");
  EXPECT_GE(s.events[0].time_unix_nanos, before);
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.links[0].context.span_id, linked.span_id);
  EXPECT_EQ(s.status, SpanStatusCode::kError);
  EXPECT_EQ(s.status_message, "db down");
  EXPECT_GE(s.start_unix_nanos, before);
  EXPECT_GE(s.end_unix_nanos, s.start_unix_nanos);
  EXPECT_TRUE(s.local_root());
}

TEST(TracerTest, StatusOkIsFinalAndUnsetIsIgnored) {
  TracerWithSink t;
  {
    Span a = t.tracer->StartSpan("a");
    a.SetStatus(SpanStatusCode::kOk).SetStatus(SpanStatusCode::kError, "late");
    Span b = t.tracer->StartSpan("b");
    b.SetStatus(SpanStatusCode::kError, "bad").SetStatus(SpanStatusCode::kUnset);
  }
  auto spans = t.Flushed();
  EXPECT_EQ(Find(spans, "a")->status, SpanStatusCode::kOk);
  EXPECT_EQ(Find(spans, "a")->status_message, "");
  EXPECT_EQ(Find(spans, "b")->status, SpanStatusCode::kError);
  EXPECT_EQ(Find(spans, "b")->status_message, "bad");
}

TEST(TracerTest, RecordExceptionAddsTheConventionalEvent) {
  TracerWithSink t;
  {
    Span span = t.tracer->StartSpan("op");
    try {
      throw std::out_of_range("index 7");
    } catch (const std::exception& e) {
      span.RecordException(e);
    }
  }
  auto spans = t.Flushed();
  ASSERT_EQ(spans[0].events.size(), 1u);
  const SpanEvent& e = spans[0].events[0];
  EXPECT_EQ(e.name, "exception");
  EXPECT_EQ(e.attributes[0].value, AttributeValue("std::out_of_range"));
  EXPECT_EQ(e.attributes[1].value, AttributeValue("index 7"));
}

TEST(TracerTest, EndingTwiceIsHarmlessAndExportsOnce) {
  TracerWithSink t;
  Span span = t.tracer->StartSpan("once");
  span.End();
  span.End();
  span.SetAttribute("after", 1);  // ignored after the end
  EXPECT_FALSE(span.IsRecording());
  auto spans = t.Flushed();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_TRUE(spans[0].attributes.empty());
}

TEST(TracerTest, DurationComesFromTheMonotonicClock) {
  TracerWithSink t;
  const int64_t start = WallNanos() - 5'000'000'000;
  { Span span = t.tracer->StartSpan("backdated", {.start_unix_nanos = start}); }
  auto spans = t.Flushed();
  EXPECT_EQ(spans[0].start_unix_nanos, start);
  // Ended now, about five seconds after the given start.
  EXPECT_GE(spans[0].duration_nanos(), 5'000'000'000);
  EXPECT_LT(spans[0].duration_nanos(), 65'000'000'000);
}

TEST(TracerTest, TimesComeFromTheSpansOwnClockReadings) {
  TracerWithSink t;
  const int64_t wall_before = WallNanos();
  const int64_t mono_before = MonotonicNanos();
  int64_t mono_end;
  {
    Span span = t.tracer->StartSpan("timed");
    const int64_t mono_start = MonotonicNanos();
    mono_end = mono_start;
    while (mono_end - mono_start < 20'000'000) mono_end = MonotonicNanos();
  }
  const int64_t mono_after = MonotonicNanos();
  const int64_t wall_after = WallNanos();
  auto spans = t.Flushed();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_GE(spans[0].start_unix_nanos, wall_before - 1'000'000);
  EXPECT_LE(spans[0].end_unix_nanos, wall_after + 1'000'000);
  // At least the 20 ms spun inside, at most the time around it.
  EXPECT_GE(spans[0].duration_nanos(), 20'000'000 - 50'000);
  EXPECT_LE(spans[0].duration_nanos(), mono_after - mono_before + 50'000);
}

TEST(TracerTest, ScopesNestAndRestore) {
  TracerWithSink t;
  EXPECT_EQ(ActiveSpan(), nullptr);
  EXPECT_FALSE(CurrentSpanContext().valid());
  Span root = t.tracer->StartSpan("root");
  {
    SpanScope s1(root);
    EXPECT_EQ(ActiveSpan(), &root);
    EXPECT_EQ(CurrentSpanContext(), root.context());
    Span child = t.tracer->StartSpan("child");
    {
      SpanScope s2(child);
      Span grandchild = t.tracer->StartSpan("grandchild");
      EXPECT_EQ(CurrentSpanContext(), child.context());
    }
    EXPECT_EQ(ActiveSpan(), &root);
    Span fresh = t.tracer->StartSpan("fresh", {.root = true});
    EXPECT_NE(fresh.context().trace_id, root.context().trace_id);
  }
  EXPECT_EQ(ActiveSpan(), nullptr);
  root.End();
  auto spans = t.Flushed();
  ASSERT_EQ(spans.size(), 4u);
  const SpanData* r = Find(spans, "root");
  const SpanData* c = Find(spans, "child");
  const SpanData* g = Find(spans, "grandchild");
  EXPECT_EQ(c->context.trace_id, r->context.trace_id);
  EXPECT_EQ(c->parent_span_id, r->context.span_id);
  EXPECT_EQ(g->parent_span_id, c->context.span_id);
  EXPECT_FALSE(Find(spans, "fresh")->parent_span_id.valid());
}

TEST(TracerTest, ContextCarriedToAnotherThread) {
  TracerWithSink t;
  Span root = t.tracer->StartSpan("request");
  const SpanContext carried = root.context();
  std::thread worker([&] {
    EXPECT_FALSE(CurrentSpanContext().valid());  // nothing leaks across threads
    Span work = t.tracer->StartSpan("work", {.parent = &carried});
  });
  worker.join();
  Span explicit_child = t.tracer->StartSpan("explicit", root);
  explicit_child.End();
  root.End();
  auto spans = t.Flushed();
  EXPECT_EQ(Find(spans, "work")->parent_span_id, root.context().span_id);
  EXPECT_EQ(Find(spans, "work")->context.trace_id, root.context().trace_id);
  EXPECT_EQ(Find(spans, "explicit")->parent_span_id, root.context().span_id);
}

TEST(TracerTest, RemoteParentKeepsTraceIdAndTracestate) {
  TracerWithSink t;
  SpanContext remote;
  remote.trace_id = NewTraceId();
  remote.span_id = NewSpanId();
  remote.trace_flags = SpanContext::kSampledFlag;
  remote.trace_state = "vendor=x";
  remote.remote = true;
  { Span s = t.tracer->StartSpan("server", {.kind = SpanKind::kServer, .parent = &remote}); }
  auto spans = t.Flushed();
  EXPECT_EQ(spans[0].context.trace_id, remote.trace_id);
  EXPECT_EQ(spans[0].parent_span_id, remote.span_id);
  EXPECT_TRUE(spans[0].parent_remote);
  EXPECT_TRUE(spans[0].local_root());
  EXPECT_EQ(spans[0].context.trace_state, "vendor=x");
}

TEST(TracerTest, LimitsDropAndCount) {
  TracerWithSink t({.limits = {.max_attributes = 2,
                               .max_events = 1,
                               .max_links = 1,
                               .max_attributes_per_event = 1,
                               .max_value_length = 4}});
  SpanContext link;
  link.trace_id = NewTraceId();
  link.span_id = NewSpanId();
  {
    Span s = t.tracer->StartSpan("limited");
    s.SetAttribute("a", 1).SetAttribute("b", 2).SetAttribute("c", 3).SetAttribute("a", 9);
    s.SetAttribute("b", "abcdefgh");
    s.AddEvent("e1", {{"x", 1}, {"y", 2}}).AddEvent("e2");
    s.AddLink(link).AddLink(link);
  }
  auto spans = t.Flushed();
  const SpanData& s = spans[0];
  EXPECT_EQ(s.attributes.size(), 2u);
  EXPECT_EQ(*s.FindAttribute("a"), AttributeValue(9));  // replacing is not dropping
  EXPECT_EQ(*s.FindAttribute("b"), AttributeValue("abcd"));
  EXPECT_EQ(s.dropped_attributes, 1u);
  EXPECT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.dropped_events, 1u);
  EXPECT_EQ(s.events[0].attributes.size(), 1u);
  EXPECT_EQ(s.events[0].dropped_attributes, 1u);
  EXPECT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.dropped_links, 1u);
  TracerStats stats = t.tracer->stats();
  EXPECT_EQ(stats.attributes_dropped, 2u);
  EXPECT_EQ(stats.events_dropped, 1u);
  EXPECT_EQ(stats.links_dropped, 1u);
  EXPECT_EQ(stats.values_truncated, 1u);
}

TEST(TracerTest, TruncationKeepsUtf8CharactersWhole) {
  TracerWithSink t({.limits = {.max_value_length = 4}});
  {
    Span s = t.tracer->StartSpan("utf8");
    s.SetAttribute("v", "h\xC3\xA9\xC3\xA9");  // "héé" is 5 bytes; byte 4 splits the second é
    s.SetAttribute("list", std::vector<std::string>{"ok", "toolong"});
  }
  auto spans = t.Flushed();
  EXPECT_EQ(*spans[0].FindAttribute("v"), AttributeValue("h\xC3\xA9"));
  EXPECT_EQ(*spans[0].FindAttribute("list"),
            AttributeValue(std::vector<std::string>{"ok", "tool"}));
}

TEST(TracerTest, UnsampledSpansRecordNothingWithoutErrorKeeping) {
  TracerWithSink t({.sampler = AlwaysOffSampler(), .keep_error_traces = false});
  Span s = t.tracer->StartSpan("dropped");
  EXPECT_TRUE(s.context().valid());
  EXPECT_FALSE(s.context().sampled());
  EXPECT_FALSE(s.IsRecording());
  s.SetStatus(SpanStatusCode::kError, "x");
  s.End();
  EXPECT_TRUE(t.Flushed().empty());
}

TEST(TracerTest, ErrorKeepingKeepsEveryErrorTraceAndNothingElseAtRateZero) {
  TracerWithSink t({.sampler = ParentBasedSampler(TraceIdRatioSampler(0.0))});
  const int64_t before = WallNanos();
  std::vector<TraceId> error_traces;
  for (int i = 0; i < 200; ++i) {
    Span root = t.tracer->StartSpan("request");
    SpanScope scope(root);
    Span db = t.tracer->StartSpan("db");
    { Span cache = t.tracer->StartSpan("cache"); }
    if (i % 10 == 3) {
      db.SetStatus(SpanStatusCode::kError, "timeout");
      error_traces.push_back(root.context().trace_id);
    }
  }
  auto spans = t.Flushed();
  // 20 error traces x 3 spans, and no span of the 180 clean traces.
  ASSERT_EQ(spans.size(), 60u);
  const int64_t after = WallNanos();
  for (const SpanData& s : spans) {
    EXPECT_TRUE(s.kept_for_error);
    // Span times are mapped from the monotonic clock and must land inside
    // the test's own window (1 ms slack).
    EXPECT_GE(s.start_unix_nanos, before - 1'000'000);
    EXPECT_LE(s.end_unix_nanos, after + 1'000'000);
    EXPECT_GE(s.end_unix_nanos, s.start_unix_nanos);
    EXPECT_FALSE(s.context.sampled());
    EXPECT_NE(std::find(error_traces.begin(), error_traces.end(), s.context.trace_id),
              error_traces.end());
  }
  EXPECT_EQ(t.tracer->stats().error_traces_kept, 20u);
  EXPECT_EQ(t.tracer->stats().error_spans_kept, 60u);
}

TEST(TracerTest, ErrorKeepingFollowsContextToAnotherThread) {
  TracerWithSink t({.sampler = AlwaysOffSampler()});
  {
    Span root = t.tracer->StartSpan("request");
    const SpanContext carried = root.context();
    std::thread worker([&] {
      Span work = t.tracer->StartSpan("work", {.parent = &carried});
      work.SetStatus(SpanStatusCode::kError, "failed");
    });
    worker.join();
  }
  auto spans = t.Flushed();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_NE(Find(spans, "request"), nullptr);
  EXPECT_EQ(Find(spans, "work")->parent_span_id, Find(spans, "request")->context.span_id);
}

TEST(TracerTest, ErrorBufferIsBoundedAndCounted) {
  TracerWithSink t({.sampler = AlwaysOffSampler(), .error_buffer_spans = 4});
  {
    Span root = t.tracer->StartSpan("root");
    for (int i = 0; i < 10; ++i) Span child = t.tracer->StartSpan("child", root);
    root.SetStatus(SpanStatusCode::kError, "boom");
  }
  auto spans = t.Flushed();
  EXPECT_EQ(spans.size(), 5u);  // 4 held children + the erroring root
  EXPECT_EQ(t.tracer->stats().error_buffer_dropped, 6u);
}

TEST(TracerTest, ReusedRecordsCarryNothingFromTheirLastSpan) {
  TracerWithSink t;
  for (int round = 0; round < 3; ++round) {
    {
      Span s = t.tracer->StartSpan("round" + std::to_string(round));
      if (round == 0) {
        s.SetAttribute("first.only.attribute.with.a.long.key", "x");
        s.SetAttribute("shared", 1);
        s.AddEvent("e");
        s.SetStatus(SpanStatusCode::kError, "bad");
      } else {
        s.SetAttribute("shared", round);
      }
    }
    t.processor->Flush(std::chrono::seconds(10));  // the record goes back to the free list
  }
  auto spans = t.sink->spans();
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].attributes.size(), 2u);
  for (int round = 1; round < 3; ++round) {
    const SpanData& s = spans[static_cast<size_t>(round)];
    ASSERT_EQ(s.attributes.size(), 1u) << round;
    EXPECT_EQ(s.attributes[0].key, "shared");
    EXPECT_EQ(s.attributes[0].value, AttributeValue(round));
    EXPECT_TRUE(s.events.empty());
    EXPECT_EQ(s.status, SpanStatusCode::kUnset);
    EXPECT_TRUE(s.local_root());
  }
}

TEST(TracerTest, GlobalTracerIsANoOpUntilSet) {
  Span s = GlobalTracer().StartSpan("nothing");
  EXPECT_FALSE(s.IsRecording());
  TracerWithSink t;
  SetGlobalTracer(t.tracer.get());
  { Span g = GlobalTracer().StartSpan("global"); }
  SetGlobalTracer(nullptr);
  EXPECT_EQ(t.Flushed().size(), 1u);
}

}  // namespace
}  // namespace tai
