// The dashboard's HTTP side: a JSON API under /api/ over the store's query
// API (metrics, traces, logs, profiles, alert history, annotations) and the
// alert engine, the dashboard page and its static assets (embedded in the
// binary at build time), and the security every request goes through. Two
// endpoints write: POST /api/alerts/<fingerprint>/ack
// (AlertEngine::Acknowledge) and POST /api/profiles/<id>/baseline
// (Store::PinProfile); everything else only reads.
//
//   tai::HttpServer server({.address = "127.0.0.1:9464"});
//   TAI_RETURN_IF_ERROR(tai::CheckDashboardBinding("127.0.0.1:9464", token));
//   TAI_RETURN_IF_ERROR(tai::ServeDashboardApi(server, {.store = store.get(),
//                                                       .alerts = engine.get(),
//                                                       .access_token = token}));
//   TAI_RETURN_IF_ERROR(server.Start());
//
// Security (docs/dashboard.md, "Security"): when an access token is set,
// every request to any route of the server (API, pages, /metrics) must carry
// it, as "Authorization: Bearer <token>", a "tai_token" cookie, or once as
// "?token=" (which sets the cookie); the comparison takes constant time. Every
// response carries Content-Security-Policy, X-Content-Type-Options,
// X-Frame-Options and Referrer-Policy headers. A write needs more: a
// configured token (without one every write is 403), sent as a Bearer header
// or the cookie, the header "X-Tai-Request: dashboard" and, when the request
// has an Origin, this server's own; GET on a write route and POST on a read
// route are 405.
//
// Register before HttpServer::Start. The store and the engine are not owned
// and must outlive the server. Thread-safe: handlers run concurrently on the
// server's workers; the two writes go through the thread-safe
// Store::PinProfile and AlertEngine::Acknowledge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "tai/core/status.h"
#include "tai/dashboard/dashboard_config.h"
#include "tai/web/http_server.h"

namespace tai {

class Store;
class AlertEngine;

// Where the access token comes from when the application does not set it.
inline constexpr std::string_view kDashboardTokenVariable = "TAI_DASHBOARD_TOKEN";

struct DashboardApiOptions {
  // Required. Written only by POST /api/profiles/<id>/baseline (a read-only
  // store answers it 409).
  Store* store = nullptr;
  // Null: /api/alerts and /api/rules answer empty lists, and an
  // acknowledgement is 409.
  AlertEngine* alerts = nullptr;
  std::string service_name;  // shown by the page; /api/info
  // Empty: no token is asked for (only allowed on a loopback address, see
  // CheckDashboardBinding) and every write is refused (403). At least 16
  // characters of [A-Za-z0-9._~+/=-].
  std::string access_token;
  // Rows a list endpoint returns at most, whatever `limit` asks.
  size_t max_rows = 1000;
  // The default `limit` of list endpoints.
  size_t default_rows = 100;
  // Points a range query may return per series ((end - start) / step).
  size_t max_points_per_series = 11'000;
  // The dashboard /api/dashboard answers with and the page draws. Unset:
  // the default one for service_name, built from what the store holds
  // (DefaultDashboard) at each request.
  std::optional<DashboardConfig> dashboard;
  // Also serve the page ("/") and its assets ("/assets/<name>").
  bool serve_assets = true;
  // Unix nanoseconds: what "now" means in time parameters. Default: the
  // wall clock; tests inject their own.
  std::function<int64_t()> clock;
};

// Registers the API, the security middleware and (serve_assets) the page.
// INVALID_ARGUMENT when the store is missing or the token is malformed.
Status ServeDashboardApi(HttpServer& server, DashboardApiOptions options);

// OK for a loopback address ("127.0.0.1:9464", "localhost:0", "[::1]:80"),
// or for any address with an access token; otherwise FAILED_PRECONDITION
// saying to set TAI_DASHBOARD_TOKEN. Call before binding.
Status CheckDashboardBinding(std::string_view address, std::string_view access_token);

}  // namespace tai
