// HttpServerMetrics and HttpClientMetrics: the golden signals of HTTP
// traffic, recorded without hand work, under the OpenTelemetry HTTP metric
// names (labels use _ where the conventions use ., as label keys must):
//
//   http.server.request.duration    histogram, s   method, route, status code
//   http.server.active_requests     up-down        method
//   http.server.request.body.size   histogram, By  method, route, status code
//   http.server.response.body.size  histogram, By  method, route, status code
//   http.server.requests            counter        method, route, status code
//   http.server.request.errors      counter        method, route, status code (5xx, exceptions)
//   http.client.request.duration    histogram, s   method, server address/port, status code
//   http.client.request.body.size / http.client.response.body.size, http.client.requests,
//   http.client.request.errors (4xx/5xx and transport errors, status code 0)
//
// The two counters are not in the conventions: they give traffic and the
// error share without reading histogram counts, and name what the default
// dashboard's Traffic and Errors rows look for.
//
// On the embedded HttpServer: server.Use(tai::HttpMetricsMiddleware(metrics)).
// Any other server: time each request with Begin/End, the adapter interface:
//
//   auto timer = metrics->Begin("GET", "/users/:id", request_body_bytes);
//   ... handle ...
//   timer.End(status, response_body_bytes);  // or the destructor: 500, 0 bytes
//
// With cpp-httplib, wrap each handler (docs/metrics.md shows the one line).
// Create once per registry; the metrics object must outlive the servers that
// use it. Thread-safe; a RequestTimer belongs to one request.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tai/core/status.h"
#include "tai/metrics/metric_registry.h"
#include "tai/web/http_server.h"

namespace tai {

class HttpServerMetrics {
 public:
  static Result<std::shared_ptr<HttpServerMetrics>> Create(MetricRegistry& registry);

  // One request, from Begin to End. Movable, not copyable.
  class RequestTimer {
   public:
    RequestTimer(RequestTimer&& other) noexcept;
    RequestTimer& operator=(RequestTimer&&) = delete;
    RequestTimer(const RequestTimer&) = delete;
    RequestTimer& operator=(const RequestTimer&) = delete;
    // A request never ended (an exception escaped the handler) counts as 500.
    ~RequestTimer();
    // Records the request; later calls do nothing.
    void End(int status_code, size_t response_body_bytes);

   private:
    friend class HttpServerMetrics;
    RequestTimer(const HttpServerMetrics* metrics, std::string_view method, std::string_view route,
                 size_t request_body_bytes);
    const HttpServerMetrics* metrics_;
    std::string method_;
    std::string route_;
    size_t request_bytes_;
    int64_t start_nanos_;
  };

  // `route` is the matched pattern ("/users/:id"), never the raw path: one
  // series per route, not per user id.
  RequestTimer Begin(std::string_view method, std::string_view route,
                     size_t request_body_bytes) const;

  // Requests recorded so far, every route and status together: the work the
  // service has done, by which continuous profiling divides its CPU.
  uint64_t requests_recorded() const { return recorded_.load(std::memory_order_relaxed); }

 private:
  HttpServerMetrics() = default;
  void Record(const RequestTimer& t, int status_code, size_t response_bytes) const;

  Histogram duration_;
  UpDownCounter active_;
  Histogram request_size_;
  Histogram response_size_;
  Counter requests_;
  Counter errors_;
  mutable std::atomic<uint64_t> recorded_{0};
};

// Records the requests an HttpServer handles: all of them, or those whose
// route `record_route` accepts (to leave out, say, a health check or
// /metrics, which are not the service's traffic). Install it outside the TracingMiddleware (Use it
// first) so the duration covers the span's work.
HttpMiddleware HttpMetricsMiddleware(
    std::shared_ptr<const HttpServerMetrics> metrics,
    std::function<bool(std::string_view route)> record_route = nullptr);

class HttpClientMetrics {
 public:
  static Result<std::shared_ptr<HttpClientMetrics>> Create(MetricRegistry& registry);

  // One finished request. `status_code` 0: no response (a transport error).
  struct Outcome {
    std::string_view method;
    std::string_view server_address;
    int server_port = 0;
    int status_code = 0;
    double duration_seconds = 0;
    size_t request_body_bytes = 0;
    size_t response_body_bytes = 0;
  };
  void Record(const Outcome& outcome) const;

 private:
  HttpClientMetrics() = default;
  Histogram duration_;
  Histogram request_size_;
  Histogram response_size_;
  Counter requests_;
  Counter errors_;
};

}  // namespace tai
