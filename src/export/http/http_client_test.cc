#include "export/http/http_client.h"

#include <gtest/gtest.h>

#include <atomic>

#include "tai/web/http_server.h"

namespace tai::internal {
namespace {

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Handle("POST", "/echo", [](const HttpRequest& r, HttpResponse& w) {
      w.body = std::string(r.Header("content-encoding")) + "|" + r.body;
    });
    server_.Handle("POST", "/flaky", [this](const HttpRequest&, HttpResponse& w) {
      if (calls_.fetch_add(1) < 2) {
        w.status = 503;
        w.body = "try later";
        w.SetHeader("Retry-After", "0");
        return;
      }
      w.body = "ok";
    });
    server_.Handle("POST", "/bad", [this](const HttpRequest&, HttpResponse& w) {
      calls_.fetch_add(1);
      w.status = 400;
      w.body = "{\"error\":\"field x is wrong\"}";
    });
    ASSERT_TRUE(server_.Start().ok());
  }
  std::string Url(const std::string& path) { return server_.url() + path; }

  HttpServer server_;
  std::atomic<int> calls_{0};
};

TEST_F(HttpClientTest, SendsGzipBodiesTheServerCanRead) {
  HttpClient client;
  auto r = client.Send({.url = Url("/echo"), .body = "hello", .gzip_body = true});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  // The embedded server inflates gzip request bodies before the handler sees them.
  EXPECT_EQ(r->body, "gzip|hello");
}

TEST_F(HttpClientTest, RetriesRetryableStatusesThenSucceeds) {
  HttpClient client;
  std::vector<std::chrono::milliseconds> waits;
  auto r = SendWithRetry(client, {.url = Url("/flaky")},
                         {.initial_backoff = std::chrono::milliseconds(1)},
                         [&](std::chrono::milliseconds d) {
                           waits.push_back(d);
                           return true;
                         });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(calls_.load(), 3);
  EXPECT_EQ(waits.size(), 2u);
}

TEST_F(HttpClientTest, NonRetryableErrorsComeBackAtOnce) {
  HttpClient client;
  auto r = SendWithRetry(client, {.url = Url("/bad")}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(calls_.load(), 1);
}

TEST_F(HttpClientTest, GivesUpAfterMaxAttempts) {
  HttpClient client;
  auto r = SendWithRetry(client, {.url = Url("/flaky")}, {.max_attempts = 2},
                         [](std::chrono::milliseconds) { return true; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("answered 503 after 2 attempts: try later"),
            std::string::npos);
}

TEST_F(HttpClientTest, ConnectionRefusedIsUnavailable) {
  HttpServer closed;
  ASSERT_TRUE(closed.Start().ok());
  std::string url = closed.url() + "/x";
  closed.Stop();
  HttpClient client;
  auto r = client.Send({.url = url, .timeout = std::chrono::milliseconds(2000)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find(url), std::string::npos);
}

TEST(HttpClientResponseTest, RetryAfterForms) {
  HttpClientResponse r;
  EXPECT_FALSE(r.RetryAfter().has_value());
  r.headers = {{"retry-after", "7"}};
  EXPECT_EQ(*r.RetryAfter(), std::chrono::seconds(7));
  r.headers = {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}};  // in the past
  EXPECT_EQ(*r.RetryAfter(), std::chrono::seconds(0));
  EXPECT_TRUE(IsRetryableStatus(429));
  EXPECT_FALSE(IsRetryableStatus(404));
}

}  // namespace
}  // namespace tai::internal
