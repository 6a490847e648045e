#include "tai/web/http_metrics.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "metrics/metrics_testing.h"
#include "tai/web/curl_tracing.h"
#include "trace/trace_testing.h"

namespace tai {
namespace {

using testing::FindMetric;
using testing::FindPoint;

size_t IgnoreBody(char*, size_t size, size_t n, void*) { return size * n; }

LabelSet ServerLabels(std::string_view method, std::string_view route, std::string_view status) {
  return LabelSet({{"http_request_method", method},
                   {"http_route", route},
                   {"http_response_status_code", status}});
}

class HttpMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_metrics_ = HttpServerMetrics::Create(registry_).value();
    client_metrics_ = HttpClientMetrics::Create(registry_).value();
    server_.Use(HttpMetricsMiddleware(server_metrics_));
    server_.Handle("GET", "/users/:id",
                   [](const HttpRequest&, HttpResponse& w) { w.body = "hello"; });
    server_.Handle("POST", "/orders", [](const HttpRequest& r, HttpResponse& w) {
      w.status = r.body == "bad" ? 503 : 201;
    });
    server_.Handle("GET", "/throw",
                   [](const HttpRequest&, HttpResponse&) { throw std::runtime_error("bug"); });
    ASSERT_TRUE(server_.Start().ok());
    curl_ = curl_easy_init();
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, IgnoreBody);
  }
  void TearDown() override { curl_easy_cleanup(curl_); }

  long Send(const std::string& method, const std::string& path, const std::string& body = "") {
    const std::string url = server_.url() + path;
    curl_easy_reset(curl_);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, IgnoreBody);
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    if (method == "POST") {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    TracedCurlRequest traced(*t_.tracer, curl_, method, url, {.metrics = client_metrics_});
    traced.Finish(curl_easy_perform(curl_));
    long code = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
    return code;
  }

  MetricRegistry registry_;
  std::shared_ptr<HttpServerMetrics> server_metrics_;
  std::shared_ptr<HttpClientMetrics> client_metrics_;
  testing::TracerWithSink t_;
  HttpServer server_;
  CURL* curl_ = nullptr;
};

TEST_F(HttpMetricsTest, TheServerRecordsTheGoldenSignalsByRoute) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Send("GET", "/users/" + std::to_string(i)), 200);
  EXPECT_EQ(Send("POST", "/orders", "{\"sku\": 7}"), 201);
  EXPECT_EQ(Send("POST", "/orders", "bad"), 503);
  EXPECT_EQ(Send("GET", "/throw"), 500);
  EXPECT_EQ(Send("GET", "/nowhere"), 404);
  auto batch = registry_.Collect();

  // One series per route, not per user id.
  const MetricPoint* users =
      FindPoint(*batch, "http.server.request.duration", ServerLabels("GET", "/users/:id", "200"));
  ASSERT_NE(users, nullptr);
  EXPECT_EQ(users->value.distribution().count, 3u);
  EXPECT_GT(users->value.distribution().mean, 0);
  EXPECT_LT(users->value.distribution().mean, 10);  // seconds
  const MetricPoint* response =
      FindPoint(*batch, "http.server.response.body.size", ServerLabels("GET", "/users/:id", "200"));
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(response->value.distribution().mean, 5);  // "hello"
  const MetricPoint* request =
      FindPoint(*batch, "http.server.request.body.size", ServerLabels("POST", "/orders", "201"));
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->value.distribution().mean, 10);

  const MetricData* errors = FindMetric(*batch, "http.server.request.errors");
  ASSERT_NE(errors, nullptr);
  std::map<std::string, int64_t> by_route;
  for (const MetricPoint& p : errors->points) by_route[p.labels.ToString()] += p.value.int64();
  EXPECT_EQ(by_route.size(), 2u);  // the 503 and the exception, nothing else
  const MetricPoint* thrown =
      FindPoint(*batch, "http.server.request.errors", ServerLabels("GET", "/throw", "500"));
  ASSERT_NE(thrown, nullptr);
  EXPECT_EQ(thrown->value.int64(), 1);
  EXPECT_NE(FindPoint(*batch, "http.server.requests", ServerLabels("GET", "unmatched", "404")),
            nullptr);

  // Nothing left in progress.
  const MetricData* active = FindMetric(*batch, "http.server.active_requests");
  ASSERT_NE(active, nullptr);
  for (const MetricPoint& p : active->points) EXPECT_EQ(p.value.int64(), 0) << p.labels.ToString();
}

TEST_F(HttpMetricsTest, TheCurlClientRecordsItsSide) {
  EXPECT_EQ(Send("POST", "/orders", "bad"), 503);
  EXPECT_EQ(Send("GET", "/users/1"), 200);
  auto batch = registry_.Collect();
  const std::string port = std::to_string(server_.port());
  const LabelSet ok({{"http_request_method", "GET"},
                     {"server_address", "127.0.0.1"},
                     {"server_port", port},
                     {"http_response_status_code", "200"}});
  const MetricPoint* duration = FindPoint(*batch, "http.client.request.duration", ok);
  ASSERT_NE(duration, nullptr);
  EXPECT_EQ(duration->value.distribution().count, 1u);
  EXPECT_GT(duration->value.distribution().mean, 0);
  const MetricPoint* received = FindPoint(*batch, "http.client.response.body.size", ok);
  ASSERT_NE(received, nullptr);
  EXPECT_EQ(received->value.distribution().mean, 5);
  const MetricPoint* failed = FindPoint(*batch, "http.client.request.errors",
                                        LabelSet({{"http_request_method", "POST"},
                                                  {"server_address", "127.0.0.1"},
                                                  {"server_port", port},
                                                  {"http_response_status_code", "503"}}));
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->value.int64(), 1);
}

// Made-up methods share one series, as the conventions say.
TEST(HttpServerMetricsTest, UnknownMethodsAreOther) {
  MetricRegistry registry;
  auto metrics = HttpServerMetrics::Create(registry).value();
  metrics->Begin("BREW", "/pot", 0).End(418, 0);
  metrics->Begin("FETCH", "/pot", 0).End(418, 0);
  { auto never_ended = metrics->Begin("GET", "/pot", 0); }  // an escaping exception
  auto batch = registry.Collect();
  const MetricPoint* other =
      FindPoint(*batch, "http.server.requests", ServerLabels("_OTHER", "/pot", "418"));
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->value.int64(), 2);
  EXPECT_NE(FindPoint(*batch, "http.server.request.errors", ServerLabels("GET", "/pot", "500")),
            nullptr);
}

}  // namespace
}  // namespace tai
