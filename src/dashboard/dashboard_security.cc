#include "dashboard/dashboard_security.h"

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "dashboard/query_params.h"
#include "tai/core/parse.h"
#include "tai/dashboard/dashboard_api.h"

namespace tai {
namespace internal {
namespace {

constexpr size_t kMinTokenLength = 16;

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

// The value of cookie `name` in a Cookie header ("a=1; tai_token=x"), or "".
std::string_view CookieValue(std::string_view header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view item = header.substr(pos, end - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.size() > name.size() && item.starts_with(name) && item[name.size()] == '=') {
      return item.substr(name.size() + 1);
    }
    pos = end + 1;
  }
  return {};
}

std::string QueryToken(const HttpRequest& request) {
  for (auto& [key, value] : ParseQueryString(request.query)) {
    if (key == "token") return value;
  }
  return {};
}

void Unauthorized(HttpResponse& response) {
  response.status = 401;
  response.content_type = "application/json";
  response.body = nlohmann::json{{"error",
                                  "this dashboard needs its access token: send 'Authorization: "
                                  "Bearer <token>' or open it once with ?token=<token>"}}
                      .dump();
  response.SetHeader("WWW-Authenticate", "Bearer realm=\"tai-dashboard\"");
}

// The token of the Authorization header or, failing that, of the cookie.
bool CarriesToken(const HttpRequest& request, std::string_view token) {
  std::string_view auth = request.Header("authorization");
  if (auth.starts_with("Bearer ")) return ConstantTimeEquals(auth.substr(7), token);
  std::string_view cookie = CookieValue(request.Header("cookie"), kTokenCookie);
  return !cookie.empty() && ConstantTimeEquals(cookie, token);
}

// "http://127.0.0.1:9464" names the server that "Host: 127.0.0.1:9464" asks.
bool OriginIsHost(std::string_view origin, std::string_view host) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (origin.starts_with(scheme)) {
      origin.remove_prefix(scheme.size());
      return !host.empty() && EqualsIgnoreCase(origin, host);
    }
  }
  return false;  // "null" (a sandboxed frame, a file) or another scheme
}

Status PermissionDenied(std::string message) {
  return Status(StatusCode::kPermissionDenied, std::move(message));
}

}  // namespace

Status CheckWriteRequest(const HttpRequest& request, std::string_view token) {
  if (token.empty()) {
    return PermissionDenied("writes need an access token: set " +
                            std::string(kDashboardTokenVariable) +
                            " (16+ characters) and send it as 'Authorization: Bearer <token>'");
  }
  if (!CarriesToken(request, token)) {
    return PermissionDenied(
        "a write takes the access token from the 'Authorization: Bearer' header or the "
        "tai_token cookie, not from the URL");
  }
  if (request.Header(kWriteRequestHeader) != kWriteRequestValue) {
    return PermissionDenied("writes need the header '" + std::string(kWriteRequestHeader) + ": " +
                            std::string(kWriteRequestValue) +
                            "' (what the dashboard's page sends; another site's form cannot)");
  }
  std::string_view origin = request.Header("origin");
  if (!origin.empty() && !OriginIsHost(origin, request.Header("host"))) {
    return PermissionDenied("a write from origin '" + std::string(Utf8Prefix(origin, 200)) +
                            "' is refused: only the dashboard's own origin may write");
  }
  return Status::Ok();
}

Status ValidateAccessToken(std::string_view token) {
  if (token.empty()) return Status::Ok();
  if (token.size() < kMinTokenLength) {
    return InvalidArgumentError("dashboard access token is " + std::to_string(token.size()) +
                                " characters long; use at least 16 (TAI_DASHBOARD_TOKEN)");
  }
  for (char c : token) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    std::string_view("._~+/=-").find(c) != std::string_view::npos;
    if (!ok) {
      return InvalidArgumentError(
          "dashboard access token may hold only A-Z a-z 0-9 . _ ~ + / = - (TAI_DASHBOARD_TOKEN)");
    }
  }
  return Status::Ok();
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

void SetSecurityHeaders(HttpResponse& response) {
  // 'unsafe-inline' styles only: uPlot and d3-flame-graph set style
  // attributes; no inline script runs, so injected markup cannot execute.
  response.SetHeader("Content-Security-Policy",
                     "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                     "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                     "frame-ancestors 'none'; form-action 'self'");
  response.SetHeader("X-Content-Type-Options", "nosniff");
  response.SetHeader("X-Frame-Options", "DENY");
  response.SetHeader("Referrer-Policy", "no-referrer");
}

void UseDashboardSecurity(HttpServer& server, std::string token) {
  server.Use([token = std::move(token)](const HttpRequest& request, HttpResponse& response,
                                        const HttpHandler& next) {
    if (!token.empty()) {
      std::string_view auth = request.Header("authorization");
      bool ok = false;
      bool from_query = false;
      if (auth.starts_with("Bearer ")) {
        ok = ConstantTimeEquals(auth.substr(7), token);
      } else if (std::string_view cookie = CookieValue(request.Header("cookie"), kTokenCookie);
                 !cookie.empty()) {
        ok = ConstantTimeEquals(cookie, token);
      }
      if (!ok) {
        std::string query_token = QueryToken(request);
        ok = !query_token.empty() && ConstantTimeEquals(query_token, token);
        from_query = ok;
      }
      if (!ok) {
        Unauthorized(response);
        SetSecurityHeaders(response);
        return;
      }
      next(request, response);
      if (from_query) {
        // The token was in the URL once; from now on the browser sends the
        // cookie, which scripts cannot read and other sites cannot send.
        response.SetHeader("Set-Cookie", std::string(kTokenCookie) + "=" + token +
                                             "; Path=/; HttpOnly; SameSite=Strict");
      }
    } else {
      next(request, response);
    }
    SetSecurityHeaders(response);
  });
}

}  // namespace internal

Status CheckDashboardBinding(std::string_view address, std::string_view access_token) {
  std::string host;
  int port = 0;
  TAI_RETURN_IF_ERROR(ParseHostPort(address, &host, &port).WithContext("dashboard address"));
  TAI_RETURN_IF_ERROR(internal::ValidateAccessToken(access_token));
  if (internal::IsLoopbackHost(host) || !access_token.empty()) return Status::Ok();
  return FailedPreconditionError("the dashboard would listen on " + std::string(address) +
                                 ", reachable from other machines, without an access token: set " +
                                 std::string(kDashboardTokenVariable) +
                                 " (16+ characters) or listen on 127.0.0.1");
}

}  // namespace tai
