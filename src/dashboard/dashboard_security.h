// Internal: the dashboard's request security on the embedded HTTP server:
// the access-token check and the security headers, as HttpServer
// middleware so that they cover every route of the server.
//
// Free functions; the middleware is thread-safe (it only reads its token).
#pragma once

#include <string>
#include <string_view>

#include "tai/core/status.h"
#include "tai/web/http_server.h"

namespace tai::internal {

// The cookie that carries the token after "?token=".
inline constexpr std::string_view kTokenCookie = "tai_token";

// OK for an empty token (none configured) or one of at least 16 characters
// of [A-Za-z0-9._~+/=-] (safe in a header, a cookie and a URL).
Status ValidateAccessToken(std::string_view token);

// Compares in time that depends only on the lengths, not on where the
// first difference is.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Adds Content-Security-Policy, X-Content-Type-Options, X-Frame-Options and
// Referrer-Policy to the response.
void SetSecurityHeaders(HttpResponse& response);

// The header a write must carry. A page's own script can set it; a form,
// a link or an image on another site cannot (and a cross-site script would
// need a CORS preflight this server never grants): the CSRF guard.
inline constexpr std::string_view kWriteRequestHeader = "X-Tai-Request";
inline constexpr std::string_view kWriteRequestValue = "dashboard";

// OK when `request` may write: the server has an access token (`token` not
// empty), the request carries it as a Bearer header or the tai_token cookie
// (a token in the URL does not authorise a write), it sends
// "X-Tai-Request: dashboard", and its Origin header, when present, names
// this server (its host and port are the Host header's). Otherwise
// PERMISSION_DENIED saying what is missing; the message never holds the
// token.
Status CheckWriteRequest(const HttpRequest& request, std::string_view token);

// Every request must carry `token` (when not empty) as a Bearer header, a
// tai_token cookie or a "token" query parameter (which sets the cookie);
// else 401 with a JSON error. Every response gets the security headers.
void UseDashboardSecurity(HttpServer& server, std::string token);

}  // namespace tai::internal
