#include "tai/web/http_tracing.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "tai/web/curl_tracing.h"
#include "trace/trace_testing.h"

namespace tai {
namespace {

using testing::TracerWithSink;

size_t IgnoreBody(char*, size_t size, size_t n, void*) { return size * n; }

class HttpTracingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Use(TracingMiddleware(*t_.tracer));
    server_.Handle("GET", "/users/:id", [this](const HttpRequest&, HttpResponse& w) {
      // The handler sees the server span as the current context.
      seen_trace_ = CurrentSpanContext().trace_id.ToHex();
      w.body = "ok";
    });
    server_.Handle("GET", "/fail", [](const HttpRequest&, HttpResponse& w) { w.status = 503; });
    server_.Handle("GET", "/throw", [](const HttpRequest&, HttpResponse&) {
      throw std::runtime_error("handler bug");
    });
    ASSERT_TRUE(server_.Start().ok());
    curl_ = curl_easy_init();
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, IgnoreBody);
    curl_easy_setopt(curl_, CURLOPT_USERAGENT, "tai-test/1.0");
  }
  void TearDown() override { curl_easy_cleanup(curl_); }

  long Get(const std::string& path, const curl_slist* headers = nullptr) {
    const std::string url = server_.url() + path;
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    TracedCurlRequest traced(*t_.tracer, curl_, "GET", url, headers);
    CURLcode rc = curl_easy_perform(curl_);
    traced.Finish(rc);
    long code = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
    return code;
  }

  const SpanData* Find(const std::vector<SpanData>& spans, SpanKind kind) {
    for (const SpanData& s : spans) {
      if (s.kind == kind) return &s;
    }
    return nullptr;
  }

  TracerWithSink t_;
  HttpServer server_;
  CURL* curl_ = nullptr;
  std::string seen_trace_;
};

TEST_F(HttpTracingTest, ClientAndServerSpansJoinOneTrace) {
  ASSERT_EQ(Get("/users/7?verbose=1"), 200);
  auto spans = t_.Flushed();
  ASSERT_EQ(spans.size(), 2u);
  const SpanData* client = Find(spans, SpanKind::kClient);
  const SpanData* server = Find(spans, SpanKind::kServer);
  ASSERT_TRUE(client && server);
  EXPECT_EQ(server->context.trace_id, client->context.trace_id);
  EXPECT_EQ(server->parent_span_id, client->context.span_id);
  EXPECT_TRUE(server->parent_remote);
  EXPECT_EQ(seen_trace_, server->context.trace_id.ToHex());

  EXPECT_EQ(server->name, "GET /users/:id");
  EXPECT_EQ(*server->FindAttribute("http.request.method"), AttributeValue("GET"));
  EXPECT_EQ(*server->FindAttribute("url.path"), AttributeValue("/users/7"));
  EXPECT_EQ(*server->FindAttribute("url.query"), AttributeValue("verbose=1"));
  EXPECT_EQ(*server->FindAttribute("http.route"), AttributeValue("/users/:id"));
  EXPECT_EQ(*server->FindAttribute("http.response.status_code"), AttributeValue(200));
  EXPECT_EQ(*server->FindAttribute("client.address"), AttributeValue("127.0.0.1"));
  EXPECT_EQ(*server->FindAttribute("server.port"), AttributeValue(server_.port()));
  EXPECT_EQ(*server->FindAttribute("user_agent.original"), AttributeValue("tai-test/1.0"));
  EXPECT_EQ(server->status, SpanStatusCode::kUnset);

  EXPECT_EQ(client->name, "GET");
  EXPECT_EQ(*client->FindAttribute("server.address"), AttributeValue("127.0.0.1"));
  EXPECT_EQ(*client->FindAttribute("server.port"), AttributeValue(server_.port()));
  EXPECT_EQ(*client->FindAttribute("http.response.status_code"), AttributeValue(200));
}

TEST_F(HttpTracingTest, ServerContinuesAnIncomingTraceparent) {
  curl_slist* headers = curl_slist_append(
      nullptr, "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  // Without a client span in the way: a plain request with the header.
  const std::string url = server_.url() + "/users/1";
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  ASSERT_EQ(curl_easy_perform(curl_), CURLE_OK);
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  auto spans = t_.Flushed();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].context.trace_id.ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(spans[0].parent_span_id.ToHex(), "00f067aa0ba902b7");
}

TEST_F(HttpTracingTest, ServerErrorsAndExceptionsSetErrorStatus) {
  EXPECT_EQ(Get("/fail"), 503);
  EXPECT_EQ(Get("/throw"), 500);
  auto spans = t_.Flushed();
  ASSERT_EQ(spans.size(), 4u);
  int server_errors = 0;
  for (const SpanData& s : spans) {
    EXPECT_EQ(s.status, SpanStatusCode::kError) << s.name;
    if (s.kind == SpanKind::kServer && s.name == "GET /throw") {
      ASSERT_EQ(s.events.size(), 1u);
      EXPECT_EQ(s.events[0].name, "exception");
      EXPECT_EQ(s.status_message, "handler bug");
      ++server_errors;
    }
    if (s.kind == SpanKind::kServer && s.name == "GET /fail") {
      EXPECT_EQ(*s.FindAttribute("error.type"), AttributeValue("503"));
      ++server_errors;
    }
  }
  EXPECT_EQ(server_errors, 2);
}

TEST_F(HttpTracingTest, ClientTransportErrorsSetErrorStatus) {
  HttpServer closed;
  ASSERT_TRUE(closed.Start().ok());
  const std::string url = closed.url() + "/";
  closed.Stop();
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  {
    TracedCurlRequest traced(*t_.tracer, curl_, "POST", url);
    traced.Finish(curl_easy_perform(curl_));
  }
  auto spans = t_.Flushed();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].status, SpanStatusCode::kError);
  EXPECT_NE(spans[0].FindAttribute("error.type"), nullptr);
}

}  // namespace
}  // namespace tai
