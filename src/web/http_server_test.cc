#include "tai/web/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

namespace tai {
namespace {

TEST(HttpServerTest, RoutesParamsAndMiddlewareOrder) {
  HttpServer server;
  std::vector<std::string> order;
  std::mutex mu;
  server.Use([&](const HttpRequest& r, HttpResponse& w, const HttpHandler& next) {
    {
      std::lock_guard<std::mutex> l(mu);
      order.push_back("outer");
    }
    next(r, w);
    w.SetHeader("X-Outer", "1");
  });
  server.Use([&](const HttpRequest& r, HttpResponse& w, const HttpHandler& next) {
    {
      std::lock_guard<std::mutex> l(mu);
      order.push_back("inner");
    }
    next(r, w);
  });
  server.Handle("GET", "/api/traces/:id", [](const HttpRequest& r, HttpResponse& w) {
    w.body = r.route + " " + r.path_params.at("id") + " " + r.query_params.at("limit") + " " +
             std::string(r.Header("X-Test"));
  });
  server.Handle("POST", "/echo", [](const HttpRequest& r, HttpResponse& w) {
    w.status = 201;
    w.content_type = "application/json";
    w.body = r.body;
  });
  server.Handle("GET", "/boom", [](const HttpRequest&, HttpResponse&) {
    throw std::runtime_error("handler failed");
  });
  ASSERT_TRUE(server.Start().ok());
  EXPECT_GT(server.port(), 0);
  EXPECT_EQ(server.url(), "http://127.0.0.1:" + std::to_string(server.port()));

  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/api/traces/abc?limit=5", {{"X-Test", "yes"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "/api/traces/:id abc 5 yes");
  EXPECT_EQ(res->get_header_value("X-Outer"), "1");
  {
    // The handler ran on a worker: the answer on the socket orders it before
    // this read, which TSan cannot see; the mutex says it.
    std::lock_guard<std::mutex> l(mu);
    EXPECT_EQ(order, (std::vector<std::string>{"outer", "inner"}));
  }

  auto posted = client.Post("/echo", "{\"a\":1}", "application/json");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 201);
  EXPECT_EQ(posted->body, "{\"a\":1}");

  auto missing = client.Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  // Unrouted requests go through the middleware too (an access check).
  EXPECT_EQ(missing->get_header_value("X-Outer"), "1");
  EXPECT_EQ(missing->body, "no route for GET /nope\n");
  auto missing_post = client.Post("/nope", "x", "text/plain");
  ASSERT_TRUE(missing_post);
  EXPECT_EQ(missing_post->status, 404);
  EXPECT_EQ(missing_post->get_header_value("X-Outer"), "1");

  auto boom = client.Get("/boom");
  ASSERT_TRUE(boom);
  EXPECT_EQ(boom->status, 500);
  EXPECT_EQ(boom->body, "internal error: handler failed\n");
  server.Stop();
  EXPECT_FALSE(server.running());
}

TEST(HttpServerTest, BindErrorNamesTheAddress) {
  HttpServer first;
  ASSERT_TRUE(first.Start().ok());
  HttpServer second({.address = "127.0.0.1:" + std::to_string(first.port())});
  Status s = second.Start();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "HTTP server cannot listen on 127.0.0.1:" + std::to_string(first.port()) +
                             " (address in use, or host not local)");
  HttpServer bad({.address = "no-port"});
  EXPECT_EQ(bad.Start().message(), "HTTP server: address 'no-port' has no :port");
}

}  // namespace
}  // namespace tai
