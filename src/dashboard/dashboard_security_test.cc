// The dashboard's access token and security headers, through a real
// HttpServer on 127.0.0.1 and the project's HTTP client.
#include "dashboard/dashboard_security.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "export/http/http_client.h"
#include "store/store_testing.h"
#include "tai/dashboard/dashboard_api.h"

namespace tai {
namespace {

using internal::HttpClient;
using internal::HttpClientResponse;

constexpr const char* kToken = "s3cret-token_0123456789";

TEST(DashboardBindingTest, NonLoopbackNeedsAToken) {
  EXPECT_TRUE(CheckDashboardBinding("127.0.0.1:9464", "").ok());
  EXPECT_TRUE(CheckDashboardBinding("localhost:0", "").ok());
  EXPECT_TRUE(CheckDashboardBinding("[::1]:9464", "").ok());
  Status st = CheckDashboardBinding("0.0.0.0:9464", "");
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("TAI_DASHBOARD_TOKEN"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("0.0.0.0:9464"), std::string::npos);
  EXPECT_FALSE(CheckDashboardBinding("10.1.2.3:80", "").ok());
  EXPECT_TRUE(CheckDashboardBinding("0.0.0.0:9464", kToken).ok());
  // A token too short or unsafe in a cookie is refused wherever it binds.
  EXPECT_EQ(CheckDashboardBinding("0.0.0.0:9464", "short").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckDashboardBinding("127.0.0.1:1", "0123456789abcdef;x").code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(CheckDashboardBinding("no-port", kToken).ok());
}

TEST(DashboardBindingTest, ConstantTimeEqualsIsEquality) {
  EXPECT_TRUE(internal::ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(internal::ConstantTimeEquals("", ""));
  EXPECT_FALSE(internal::ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(internal::ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(internal::ConstantTimeEquals("ab", "abc"));
  EXPECT_FALSE(internal::ConstantTimeEquals(std::string("a\0b", 3), "a"));
}

class DashboardTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = t_.Open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    ASSERT_TRUE(ServeDashboardApi(server_, {.store = store_.get(), .access_token = kToken}).ok());
    // Routes registered by others on the same server are covered too.
    server_.Handle("GET", "/metrics",
                   [](const HttpRequest&, HttpResponse& res) { res.body = "up 1\n"; });
    ASSERT_TRUE(server_.Start().ok());
  }

  HttpClientResponse Get(const std::string& path,
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
    auto r = client_.Send({.method = "GET", .url = server_.url() + path, .headers = headers});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpClientResponse{};
  }

  HttpClientResponse Post(const std::string& path,
                          std::vector<std::pair<std::string, std::string>> headers = {},
                          std::string body = "") {
    auto r = client_.Send(
        {.method = "POST", .url = server_.url() + path, .headers = headers, .body = body});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpClientResponse{};
  }

  static void ExpectSecurityHeaders(const HttpClientResponse& r) {
    EXPECT_EQ(r.Header("content-security-policy").substr(0, 20), "default-src 'self'; ");
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.Header("x-frame-options"), "DENY");
    EXPECT_EQ(r.Header("referrer-policy"), "no-referrer");
  }

  static void ExpectUnauthorized(const HttpClientResponse& r) {
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/json");
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << r.body;
    EXPECT_NE(body["error"].get<std::string>().find("token"), std::string::npos);
    EXPECT_EQ(r.body.find(kToken), std::string::npos);
    ExpectSecurityHeaders(r);
  }

  testing::TestStore t_;
  std::unique_ptr<Store> store_;
  HttpServer server_;
  HttpClient client_;
};

TEST_F(DashboardTokenTest, EveryRouteNeedsTheToken) {
  for (const char* path : {"/api/metrics", "/api/traces", "/", "/assets/app.js", "/metrics",
                           "/api/profiles/1/flamegraph.svg", "/no/such/route"}) {
    SCOPED_TRACE(path);
    ExpectUnauthorized(Get(path));
    ExpectUnauthorized(Get(path, {{"Authorization", "Bearer wrong-token-0123456789"}}));
    ExpectUnauthorized(Get(path, {{"Authorization", std::string("Bearer ") + kToken + "x"}}));
    ExpectUnauthorized(Get(path, {{"Authorization", std::string("Basic ") + kToken}}));
    ExpectUnauthorized(Get(path, {{"Cookie", "tai_token=nope"}}));
  }
  ExpectUnauthorized(Get("/api/metrics?token=wrong"));
}

TEST_F(DashboardTokenTest, BearerHeaderIsAccepted) {
  auto r = Get("/api/metrics", {{"Authorization", std::string("Bearer ") + kToken}});
  EXPECT_EQ(r.status, 200) << r.body;
  ExpectSecurityHeaders(r);
  EXPECT_TRUE(r.Header("set-cookie").empty());
  auto metrics = Get("/metrics", {{"Authorization", std::string("Bearer ") + kToken}});
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.body, "up 1\n");
  auto missing = Get("/no/such/route", {{"Authorization", std::string("Bearer ") + kToken}});
  EXPECT_EQ(missing.status, 404);
  ExpectSecurityHeaders(missing);
}

TEST_F(DashboardTokenTest, QueryTokenSetsACookieThatThenSuffices) {
  auto first = Get(std::string("/?token=") + kToken);
  EXPECT_EQ(first.status, 200);
  const std::string cookie(first.Header("set-cookie"));
  EXPECT_EQ(cookie, std::string("tai_token=") + kToken + "; Path=/; HttpOnly; SameSite=Strict");
  ExpectSecurityHeaders(first);
  // What the browser sends back.
  auto next = Get("/api/metrics", {{"Cookie", std::string("theme=dark; tai_token=") + kToken}});
  EXPECT_EQ(next.status, 200) << next.body;
  EXPECT_TRUE(next.Header("set-cookie").empty());
}

// A 403 with a JSON error whose message holds `says`.
void ExpectForbidden(const HttpClientResponse& r, std::string_view says) {
  EXPECT_EQ(r.status, 403) << r.body;
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(body["code"], "PERMISSION_DENIED");
  EXPECT_NE(body["error"].get<std::string>().find(says), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find(kToken), std::string::npos);
}

const std::pair<std::string, std::string> kWriteHeader{"X-Tai-Request", "dashboard"};

TEST_F(DashboardTokenTest, AWriteNeedsTheTokenInAHeaderOrCookieAndTheCustomHeader) {
  const std::pair<std::string, std::string> bearer{"Authorization",
                                                   std::string("Bearer ") + kToken};
  const std::string pin = "/api/profiles/999/baseline";
  ExpectUnauthorized(Post(pin, {kWriteHeader}));
  ExpectUnauthorized(Post(pin, {kWriteHeader, {"Authorization", "Bearer wrong-token-0123456789"}}));
  // The token in the URL lets a page load; it does not authorise a write.
  ExpectForbidden(Post(pin + "?token=" + kToken, {kWriteHeader}), "not from the URL");
  // A cross-site form can carry the cookie but not a custom header.
  ExpectForbidden(Post(pin, {bearer}), "X-Tai-Request: dashboard");
  ExpectForbidden(Post(pin, {{"Cookie", std::string("tai_token=") + kToken}}),
                  "X-Tai-Request: dashboard");
  ExpectForbidden(Post(pin, {bearer, {"X-Tai-Request", "yes"}}), "X-Tai-Request: dashboard");
  // Past the checks, the write runs: no profile 999 in an empty store.
  auto ok_bearer = Post(pin, {bearer, kWriteHeader});
  EXPECT_EQ(ok_bearer.status, 404) << ok_bearer.body;
  ExpectSecurityHeaders(ok_bearer);
  auto ok_cookie = Post(pin, {{"Cookie", std::string("tai_token=") + kToken}, kWriteHeader});
  EXPECT_EQ(ok_cookie.status, 404) << ok_cookie.body;
}

TEST_F(DashboardTokenTest, AWriteFromAnotherOriginIsRefused) {
  const std::pair<std::string, std::string> bearer{"Authorization",
                                                   std::string("Bearer ") + kToken};
  const std::string pin = "/api/profiles/999/baseline";
  ExpectForbidden(Post(pin, {bearer, kWriteHeader, {"Origin", "http://evil.example"}}),
                  "origin 'http://evil.example'");
  ExpectForbidden(Post(pin, {bearer, kWriteHeader, {"Origin", "null"}}), "own origin");
  const std::string own = "http://127.0.0.1:" + std::to_string(server_.port());
  ExpectForbidden(Post(pin, {bearer, kWriteHeader, {"Origin", own + ".evil.example"}}),
                  "own origin");
  auto same = Post(pin, {bearer, kWriteHeader, {"Origin", own}});
  EXPECT_EQ(same.status, 404) << same.body;
}

TEST_F(DashboardTokenTest, MethodsARouteDoesNotTakeAre405AndBodiesAreCapped) {
  const std::pair<std::string, std::string> bearer{"Authorization",
                                                   std::string("Bearer ") + kToken};
  auto get_write = Get("/api/profiles/1/baseline", {bearer});
  EXPECT_EQ(get_write.status, 405) << get_write.body;
  EXPECT_EQ(get_write.Header("allow"), "POST");
  EXPECT_EQ(Get("/api/alerts/0123456789abcdef/ack", {bearer}).status, 405);
  for (const char* read : {"/api/metrics", "/api/alerts", "/api/profiles/1/flamegraph.svg"}) {
    SCOPED_TRACE(read);
    auto post_read = Post(read, {bearer, kWriteHeader});
    EXPECT_EQ(post_read.status, 405) << post_read.body;
    EXPECT_EQ(post_read.Header("allow"), "GET");
    EXPECT_EQ(post_read.Header("content-type"), "application/json");
  }
  // Still 401 first without the token: a 405 would tell which routes exist.
  ExpectUnauthorized(Post("/api/metrics"));
  auto big = Post("/api/profiles/1/baseline", {bearer, kWriteHeader},
                  "{\"pinned\": true, \"x\": \"" + std::string(5000, 'a') + "\"}");
  EXPECT_EQ(big.status, 413) << big.body;
  // Without an engine there is nothing to acknowledge: a conflict, not a 500.
  auto ack = Post("/api/alerts/0123456789abcdef/ack", {bearer, kWriteHeader});
  EXPECT_EQ(ack.status, 409) << ack.body;
}

TEST(DashboardWriteSecurityTest, WithoutATokenEveryWriteIs403) {
  testing::TestStore t;
  auto store = t.Open();
  ASSERT_TRUE(store.ok());
  HttpServer server;
  ASSERT_TRUE(ServeDashboardApi(server, {.store = store->get()}).ok());
  ASSERT_TRUE(server.Start().ok());
  HttpClient client;
  for (const char* path : {"/api/profiles/1/baseline", "/api/alerts/0123456789abcdef/ack"}) {
    SCOPED_TRACE(path);
    auto r = client.Send({.method = "POST",
                          .url = server.url() + path,
                          .headers = {kWriteHeader, {"Origin", server.url()}},
                          .body = "{}"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ExpectForbidden(*r, "writes need an access token: set TAI_DASHBOARD_TOKEN");
    EXPECT_EQ(r->Header("x-frame-options"), "DENY");
  }
}

TEST(DashboardApiOptionsTest, RefusesNoStoreAndABadToken) {
  HttpServer server;
  EXPECT_EQ(ServeDashboardApi(server, {}).code(), StatusCode::kInvalidArgument);
  testing::TestStore t;
  auto store = t.Open();
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(ServeDashboardApi(server, {.store = store->get(), .access_token = "short"}).code(),
            StatusCode::kInvalidArgument);
}

TEST(DashboardSecurityTest, HeadersWithoutATokenToo) {
  testing::TestStore t;
  auto store = t.Open();
  ASSERT_TRUE(store.ok());
  HttpServer server;
  ASSERT_TRUE(ServeDashboardApi(server, {.store = store->get()}).ok());
  ASSERT_TRUE(server.Start().ok());
  HttpClient client;
  auto r = client.Send({.method = "GET", .url = server.url() + "/api/metrics"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r->Header("x-frame-options"), "DENY");
  EXPECT_EQ(r->Header("referrer-policy"), "no-referrer");
  EXPECT_EQ(r->Header("cache-control"), "no-store");
}

}  // namespace
}  // namespace tai
