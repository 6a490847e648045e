#include "tai/trace/propagation.h"

#include <gtest/gtest.h>

namespace tai {
namespace {

constexpr std::string_view kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kSpan = "00f067aa0ba902b7";

struct TraceparentCase {
  std::string header;
  bool valid;
  bool sampled = false;
};

class TraceparentTest : public ::testing::TestWithParam<TraceparentCase> {};

TEST_P(TraceparentTest, ParsesAsTheW3CSpecificationSays) {
  const TraceparentCase& c = GetParam();
  std::optional<SpanContext> parsed = ParseTraceparent(c.header);
  ASSERT_EQ(parsed.has_value(), c.valid) << c.header;
  if (!c.valid) return;
  EXPECT_EQ(parsed->trace_id.ToHex(), kTrace);
  EXPECT_EQ(parsed->span_id.ToHex(), kSpan);
  EXPECT_EQ(parsed->sampled(), c.sampled);
  EXPECT_TRUE(parsed->remote);
}

const std::string kId = std::string(kTrace) + "-" + std::string(kSpan);

INSTANTIATE_TEST_SUITE_P(
    Headers, TraceparentTest,
    ::testing::Values(
        TraceparentCase{"00-" + kId + "-01", true, true},
        TraceparentCase{"00-" + kId + "-00", true, false},
        TraceparentCase{"00-" + kId + "-09", true, true},     // unknown flag bits ignored
        TraceparentCase{" 00-" + kId + "-01\t", true, true},  // optional whitespace
        // A future version may add fields after a dash; a version-00 reader
        // takes the fields it knows.
        TraceparentCase{"01-" + kId + "-01-future", true, true},
        TraceparentCase{"cc-" + kId + "-00", true, false},
        TraceparentCase{"00-" + kId + "-01-extra", false},  // version 00 has four fields
        TraceparentCase{"01-" + kId + "-01x", false},       // after the flags only '-'
        TraceparentCase{"ff-" + kId + "-01", false},        // version ff is invalid
        TraceparentCase{"0g-" + kId + "-01", false},
        TraceparentCase{"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false},
        TraceparentCase{"00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01", false},
        TraceparentCase{"00-" + kId + "-0A", false},  // upper-case flags
        TraceparentCase{"00-00000000000000000000000000000000-00f067aa0ba902b7-01", false},
        TraceparentCase{"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false},
        TraceparentCase{"00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", false},
        TraceparentCase{"00-4bf92f3577b34da6a3ce929d0e0e47366-0f067aa0ba902b7-01", false},
        TraceparentCase{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-701", false},
        TraceparentCase{"00_" + kId + "-01", false}, TraceparentCase{"00-" + kId + "-1", false},
        TraceparentCase{"", false}, TraceparentCase{"00", false},
        TraceparentCase{std::string(55, '-'), false}));

TEST(TracestateTest, ValidListsAreNormalised) {
  EXPECT_EQ(ParseTracestate("congo=t61rcWkgMzE"), "congo=t61rcWkgMzE");
  EXPECT_EQ(ParseTracestate("rojo=00f067aa0ba902b7, congo=t61rcWkgMzE"),
            "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  EXPECT_EQ(ParseTracestate("a=1,,  ,b=2"), "a=1,b=2");  // empty members are allowed
  EXPECT_EQ(ParseTracestate("tenant1@vendor=x"), "tenant1@vendor=x");
  EXPECT_EQ(ParseTracestate("0tenant@v=x"), "0tenant@v=x");
  EXPECT_EQ(ParseTracestate("k=with space"), "k=with space");
  std::string max;
  for (int i = 0; i < 32; ++i) max += (i ? ",k" : "k") + std::to_string(i) + "=v";
  EXPECT_EQ(ParseTracestate(max), max);
}

TEST(TracestateTest, MalformedListsAreRejected) {
  for (std::string_view bad :
       {"Congo=x",  // upper-case key
        "1abc=x",   // simple key must start with a letter
        "k=",       // empty value
        "k",        // no '='
        "k=a,k=b",  // duplicate key
        "k=a\tb", "k=a=b", "k=\x01", "@v=x", "t@=x", "t@VENDOR=x", "t@vendorname_too_long=x"}) {
    EXPECT_FALSE(ParseTracestate(bad).has_value()) << bad;
  }
  std::string too_many;
  for (int i = 0; i < 33; ++i) too_many += (i ? ",k" : "k") + std::to_string(i) + "=v";
  EXPECT_FALSE(ParseTracestate(too_many).has_value());
  EXPECT_FALSE(ParseTracestate("k=" + std::string(257, 'v')).has_value());
  EXPECT_TRUE(ParseTracestate("k=" + std::string(256, 'v')).has_value());
}

struct CloudCase {
  std::string header;
  bool valid;
  uint64_t span = 0;
  bool sampled = false;
};

class CloudTraceContextTest : public ::testing::TestWithParam<CloudCase> {};

TEST_P(CloudTraceContextTest, Parses) {
  const CloudCase& c = GetParam();
  std::optional<SpanContext> parsed = ParseCloudTraceContext(c.header);
  ASSERT_EQ(parsed.has_value(), c.valid) << c.header;
  if (!c.valid) return;
  EXPECT_EQ(parsed->trace_id.ToHex(), "105445aa7843bc8bf206b12000100000");
  EXPECT_EQ(parsed->span_id.word(), c.span);
  EXPECT_EQ(parsed->sampled(), c.sampled);
}

INSTANTIATE_TEST_SUITE_P(
    Headers, CloudTraceContextTest,
    ::testing::Values(CloudCase{"105445aa7843bc8bf206b12000100000/1;o=1", true, 1, true},
                      CloudCase{"105445aa7843bc8bf206b12000100000/123456789;o=0", true, 123456789,
                                false},
                      CloudCase{"105445AA7843BC8BF206B12000100000/18446744073709551615", true,
                                18446744073709551615ULL, false},
                      CloudCase{"105445aa7843bc8bf206b12000100000/18446744073709551616;o=1",
                                false},  // past 64 bits
                      CloudCase{"105445aa7843bc8bf206b12000100000/0;o=1", false},
                      CloudCase{"105445aa7843bc8bf206b12000100000/-1;o=1", false},
                      CloudCase{"105445aa7843bc8bf206b12000100000/12a;o=1", false},
                      CloudCase{"105445aa7843bc8bf206b12000100000/;o=1", false},
                      CloudCase{"105445aa7843bc8bf206b12000100000/1;o=2", false},
                      CloudCase{"105445aa7843bc8bf206b12000100000/1;o=1;x", false},
                      CloudCase{"105445aa7843bc8bf206b1200010000/1;o=1", false},
                      CloudCase{"00000000000000000000000000000000/1;o=1", false},
                      CloudCase{"105445aa7843bc8bf206b1200010000z/1", false}, CloudCase{"", false},
                      CloudCase{"/", false}));

TEST(CloudTraceContextTest, FormatsSpanIdInDecimal) {
  SpanContext c;
  c.trace_id = *TraceId::FromHex(kTrace);
  c.span_id = SpanId::FromWord(1234567890123ULL);
  c.trace_flags = SpanContext::kSampledFlag;
  EXPECT_EQ(FormatCloudTraceContext(c), std::string(kTrace) + "/1234567890123;o=1");
  EXPECT_EQ(ParseCloudTraceContext(FormatCloudTraceContext(c))->span_id, c.span_id);
}

TEST(BaggageTest, ParsesDecodesAndRoundTrips) {
  auto b = Baggage::FromHeader("userId=alice, serverNode = DF%2028 ,isProduction=false;ttl=60");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->Get("userId"), "alice");
  EXPECT_EQ(b->Get("serverNode"), "DF 28");
  EXPECT_EQ(b->entries()[2].metadata, "ttl=60");
  EXPECT_EQ(b->ToHeader(), "userId=alice,serverNode=DF%2028,isProduction=false;ttl=60");
  EXPECT_EQ(Baggage::FromHeader(b->ToHeader()), b);

  Baggage made;
  EXPECT_TRUE(made.Set("note", "a,b;c=d %"));
  EXPECT_EQ(Baggage::FromHeader(made.ToHeader())->Get("note"), "a,b;c=d %");
  EXPECT_FALSE(made.Set("bad key", "v"));
  EXPECT_FALSE(made.Set("", "v"));
}

TEST(BaggageTest, MalformedHeadersAndLimits) {
  for (std::string_view bad :
       {"novalue", "=v", "k=v,,", "k=%zz", "k=%4", "k=a b", "k=\"q\"", "bad key=v"}) {
    EXPECT_FALSE(Baggage::FromHeader(bad).has_value()) << bad;
  }
  std::string many;
  for (int i = 0; i < 181; ++i) many += (i ? ",k" : "k") + std::to_string(i) + "=v";
  EXPECT_FALSE(Baggage::FromHeader(many).has_value());
  EXPECT_FALSE(Baggage::FromHeader("k=" + std::string(8200, 'v')).has_value());
  Baggage big;
  EXPECT_FALSE(big.Set("k", std::string(8200, 'v')));
  EXPECT_TRUE(big.empty());
}

TEST(PropagatorTest, InjectExtractRoundTripThroughHeaders) {
  SpanContext c;
  c.trace_id = NewTraceId();
  c.span_id = NewSpanId();
  c.trace_flags = SpanContext::kSampledFlag;
  c.trace_state = "vendor=abc";
  PropagationContext out{c, {}};
  out.baggage.Set("tenant", "acme");
  std::vector<std::pair<std::string, std::string>> headers;
  HeaderListCarrier carrier(&headers);
  DefaultPropagator()->Inject(out, carrier);
  ASSERT_EQ(headers.size(), 4u);
  EXPECT_EQ(carrier.Get("TRACEPARENT"), FormatTraceparent(c));  // any case
  EXPECT_EQ(carrier.Get("tracestate"), "vendor=abc");
  EXPECT_EQ(carrier.Get("baggage"), "tenant=acme");
  EXPECT_EQ(carrier.Get("x-cloud-trace-context"), FormatCloudTraceContext(c));

  PropagationContext in;
  DefaultPropagator()->Extract(carrier, in);
  EXPECT_EQ(in.span_context.trace_id, c.trace_id);
  EXPECT_EQ(in.span_context.span_id, c.span_id);
  EXPECT_TRUE(in.span_context.sampled());
  EXPECT_TRUE(in.span_context.remote);
  EXPECT_EQ(in.span_context.trace_state, "vendor=abc");
  EXPECT_EQ(in.baggage.Get("tenant"), "acme");
}

TEST(PropagatorTest, MalformedHeadersAreIgnoredAndCounted) {
  const uint64_t tp = MalformedHeaderCount(PropagationHeader::kTraceparent);
  const uint64_t ts = MalformedHeaderCount(PropagationHeader::kTracestate);
  const uint64_t ct = MalformedHeaderCount(PropagationHeader::kCloudTraceContext);
  std::vector<std::pair<std::string, std::string>> headers = {
      {"traceparent", "00-zz-00f067aa0ba902b7-01"},
      {"tracestate", "a=1"},
      {"x-cloud-trace-context", "nonsense"}};
  HeaderListCarrier carrier(&headers);
  PropagationContext in;
  DefaultPropagator()->Extract(carrier, in);
  EXPECT_FALSE(in.span_context.valid());  // a new trace starts
  EXPECT_EQ(MalformedHeaderCount(PropagationHeader::kTraceparent), tp + 1);
  EXPECT_EQ(MalformedHeaderCount(PropagationHeader::kCloudTraceContext), ct + 1);
  // tracestate is not even read when traceparent is invalid.
  EXPECT_EQ(MalformedHeaderCount(PropagationHeader::kTracestate), ts);

  headers = {{"traceparent", "00-" + kId + "-01"}, {"tracestate", "BAD=1"}};
  PropagationContext kept;
  W3CTraceContextPropagator().Extract(carrier, kept);
  EXPECT_TRUE(kept.span_context.valid());  // a bad tracestate drops only itself
  EXPECT_TRUE(kept.span_context.trace_state.empty());
  EXPECT_EQ(MalformedHeaderCount(PropagationHeader::kTracestate), ts + 1);
}

TEST(PropagatorTest, W3CWinsOverCloudTraceContextWhenBothArePresent) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"x-cloud-trace-context", "105445aa7843bc8bf206b12000100000/1;o=1"},
      {"traceparent", "00-" + kId + "-01"}};
  HeaderListCarrier carrier(&headers);
  PropagationContext in;
  DefaultPropagator()->Extract(carrier, in);
  EXPECT_EQ(in.span_context.trace_id.ToHex(), kTrace);

  headers = {{"x-cloud-trace-context", "105445aa7843bc8bf206b12000100000/1;o=1"}};
  PropagationContext only_cloud;
  DefaultPropagator()->Extract(carrier, only_cloud);
  EXPECT_EQ(only_cloud.span_context.trace_id.ToHex(), "105445aa7843bc8bf206b12000100000");
}

// An application's own format plugs in through the interface.
class SingleHeaderPropagator : public Propagator {
 public:
  void Inject(const PropagationContext& c, TextMapCarrier& carrier) const override {
    carrier.Set("x-my-trace", c.span_context.trace_id.ToHex());
  }
  void Extract(const TextMapCarrier& carrier, PropagationContext& c) const override {
    if (auto id = TraceId::FromHex(carrier.Get("x-my-trace"))) {
      c.span_context.trace_id = *id;
      c.span_context.span_id = SpanId::FromWord(1);
      c.span_context.remote = true;
    }
  }
  std::vector<std::string> Fields() const override { return {"x-my-trace"}; }
};

TEST(PropagatorTest, CustomPropagatorsCompose) {
  CompositePropagator composite({std::make_shared<const SingleHeaderPropagator>(),
                                 std::make_shared<const W3CTraceContextPropagator>()});
  EXPECT_EQ(composite.Fields(),
            (std::vector<std::string>{"x-my-trace", "traceparent", "tracestate"}));
  SpanContext c;
  c.trace_id = NewTraceId();
  c.span_id = NewSpanId();
  std::vector<std::pair<std::string, std::string>> headers;
  HeaderListCarrier carrier(&headers);
  composite.Inject({c, {}}, carrier);
  EXPECT_EQ(headers.size(), 2u);
  PropagationContext in;
  composite.Extract(carrier, in);
  EXPECT_EQ(in.span_context.trace_id, c.trace_id);
}

}  // namespace
}  // namespace tai
