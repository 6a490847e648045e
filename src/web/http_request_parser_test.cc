#include "web/http_request_parser.h"

#include <gtest/gtest.h>

namespace tai::internal {
namespace {

using State = HttpRequestParser::State;

HttpParserLimits SmallLimits() {
  return HttpParserLimits{.max_request_line_bytes = 64,
                          .max_header_bytes = 128,
                          .max_header_count = 4,
                          .max_body_bytes = 32};
}

// Feeds the whole text at once; returns the bytes used.
size_t FeedAll(HttpRequestParser& p, std::string_view text) { return p.Feed(text); }

TEST(HttpRequestParserTest, ByteByByteEqualsAllAtOnce) {
  const std::string text =
      "POST /v1/x?a=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nX-A:  b \r\n\r\nhello";
  HttpRequestParser whole(SmallLimits());
  EXPECT_EQ(FeedAll(whole, text), text.size());
  ASSERT_EQ(whole.state(), State::kComplete);
  HttpRequestParser bytes(SmallLimits());
  for (char c : text) EXPECT_EQ(bytes.Feed(std::string_view(&c, 1)), 1u);
  ASSERT_EQ(bytes.state(), State::kComplete);
  for (HttpRequestParser* p : {&whole, &bytes}) {
    EXPECT_EQ(p->request().method, "POST");
    EXPECT_EQ(p->request().target, "/v1/x?a=1");
    EXPECT_EQ(p->request().body, "hello");
    ASSERT_EQ(p->request().headers.size(), 3u);
    EXPECT_EQ(p->request().headers[2], (std::pair<std::string, std::string>{"x-a", "b"}));
    EXPECT_TRUE(p->request().keep_alive);
  }
}

TEST(HttpRequestParserTest, StopsAtTheEndOfARequestForPipelining) {
  const std::string text = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.0\r\n\r\n";
  HttpRequestParser p(SmallLimits());
  size_t used = p.Feed(text);
  EXPECT_EQ(used, text.find("GET /b"));
  EXPECT_EQ(p.request().target, "/a");
  p.Reset();
  EXPECT_EQ(p.Feed(std::string_view(text).substr(used)), text.size() - used);
  EXPECT_EQ(p.request().target, "/b");
  EXPECT_FALSE(p.request().keep_alive);  // HTTP/1.0 without keep-alive
}

TEST(HttpRequestParserTest, DecodesChunkedBodiesWithExtensionsAndTrailers) {
  HttpRequestParser p(SmallLimits());
  std::string text =
      "PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
  EXPECT_EQ(p.Feed(text), text.size());
  ASSERT_EQ(p.state(), State::kComplete) << p.error_message();
  EXPECT_EQ(p.request().body, "hello world");
}

struct Refusal {
  const char* name;
  std::string text;
  int status;
  const char* message;
};

TEST(HttpRequestParserTest, RefusesWhatIsPastALimitOrMalformed) {
  const std::vector<Refusal> cases = {
      {"long request line", "GET /" + std::string(100, 'a') + " HTTP/1.1\r\n", 414,
       "request line longer than 64 bytes"},
      {"header bytes", "GET / HTTP/1.1\r\nX: " + std::string(200, 'v') + "\r\n\r\n", 431,
       "request headers longer than 128 bytes"},
      {"header count", "GET / HTTP/1.1\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n", 431,
       "more than 4 headers"},
      {"declared body", "POST / HTTP/1.1\r\nContent-Length: 33\r\n\r\n", 413,
       "body larger than 32 bytes"},
      {"huge declared body", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
       413, "body larger than 32 bytes"},
      {"chunked body",
       "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n" + std::string(32, 'x') +
           "\r\n1\r\n",
       413, "body larger than 32 bytes"},
      {"huge chunk", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
       413, "body larger than 32 bytes"},
      {"conflicting lengths", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
       400, "conflicting Content-Length headers"},
      {"conflicting list", "POST / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n", 400,
       "conflicting Content-Length headers"},
      {"signed length", "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n", 400,
       "malformed Content-Length"},
      {"length and chunked",
       "POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
       "both Transfer-Encoding and Content-Length"},
      {"gzip coding", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
       "only the chunked transfer coding is accepted"},
      {"bad chunk size", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", 400,
       "malformed chunk size"},
      {"folded header", "GET / HTTP/1.1\r\nA: 1\r\n continued\r\n\r\n", 400, "folded header line"},
      {"space before colon", "GET / HTTP/1.1\r\nA : 1\r\n\r\n", 400, "malformed header name"},
      {"control in value", std::string("GET / HTTP/1.1\r\nA: 1\x01\r\n\r\n"), 400,
       "control character in header value"},
      {"http/2", "GET / HTTP/2.0\r\n\r\n", 505, "only HTTP/1.x is served"},
      {"no version", "GET /\r\n", 400, "malformed request line"},
      {"absolute target", "GET http://x/ HTTP/1.1\r\n", 400, "request target must be a path"},
      {"empty lines", "\r\n\r\n\r\n\r\n\r\n\r\n", 400, "empty lines instead of a request"},
  };
  for (const Refusal& c : cases) {
    HttpRequestParser p(SmallLimits());
    p.Feed(c.text);
    EXPECT_EQ(p.state(), State::kError) << c.name;
    EXPECT_EQ(p.error_status(), c.status) << c.name;
    EXPECT_EQ(p.error_message(), c.message) << c.name;
  }
}

TEST(HttpRequestParserTest, KeepsLessThanItsLimitsWhateverArrives) {
  HttpRequestParser p(SmallLimits());
  std::string flood(1 << 20, 'a');
  p.Feed(flood);
  EXPECT_EQ(p.state(), State::kError);
  EXPECT_LE(p.buffered_bytes(), 64u + 2);
}

TEST(HttpRequestParserTest, SameRepeatedLengthAndExpectContinue) {
  HttpRequestParser p(SmallLimits());
  p.Feed(
      "PUT / HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 2\r\nExpect: 100-continue\r\n\r\n");
  ASSERT_EQ(p.state(), State::kBody);
  EXPECT_TRUE(p.awaiting_body());
  EXPECT_TRUE(p.request().expect_continue);
  p.Feed("ok");
  EXPECT_EQ(p.state(), State::kComplete);
  EXPECT_EQ(p.request().body, "ok");
}

}  // namespace
}  // namespace tai::internal
