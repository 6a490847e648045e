#include "tai/web/http_metrics.h"

#include <array>
#include <span>
#include <utility>

#include "tai/core/clock.h"

namespace tai {
namespace {

constexpr std::string_view kMethod = "http_request_method";
constexpr std::string_view kRoute = "http_route";
constexpr std::string_view kStatus = "http_response_status_code";
constexpr std::string_view kServerAddress = "server_address";
constexpr std::string_view kServerPort = "server_port";

// A route no handler matched (a 404): routes start with '/', so this
// cannot be one.
constexpr std::string_view kUnmatchedRoute = "unmatched";

// Methods outside the standard set become _OTHER, as the conventions say: a
// client sending made-up methods must not grow the series without bound.
std::string_view KnownMethod(std::string_view method) {
  static constexpr std::array<std::string_view, 9> kKnown = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  for (std::string_view m : kKnown) {
    if (m == method) return m;
  }
  return "_OTHER";
}

std::vector<LabelDescriptor> Keys(std::initializer_list<std::string_view> keys) {
  std::vector<LabelDescriptor> out;
  for (std::string_view k : keys) out.push_back({std::string(k), "", "string"});
  return out;
}

template <typename Instrument, typename Create>
Status Make(Instrument* out, Create create) {
  TAI_ASSIGN_OR_RETURN(*out, create());
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<HttpServerMetrics>> HttpServerMetrics::Create(MetricRegistry& registry) {
  std::shared_ptr<HttpServerMetrics> m(new HttpServerMetrics());
  const auto keys = Keys({kMethod, kRoute, kStatus});
  TAI_RETURN_IF_ERROR(Make(&m->duration_, [&] {
    return registry.CreateHistogram({.metric_type = "http.server.request.duration",
                                     .unit = MetricUnit::kSeconds,
                                     .description = "Duration of HTTP server requests",
                                     .labels = keys});
  }));
  TAI_RETURN_IF_ERROR(Make(&m->active_, [&] {
    return registry.CreateUpDownCounter({.metric_type = "http.server.active_requests",
                                         .unit = MetricUnit("{request}"),
                                         .description = "HTTP server requests in progress",
                                         .labels = Keys({kMethod})});
  }));
  TAI_RETURN_IF_ERROR(Make(&m->request_size_, [&] {
    return registry.CreateHistogram({.metric_type = "http.server.request.body.size",
                                     .unit = MetricUnit::kBytes,
                                     .description = "Size of HTTP server request bodies",
                                     .labels = keys});
  }));
  TAI_RETURN_IF_ERROR(Make(&m->response_size_, [&] {
    return registry.CreateHistogram({.metric_type = "http.server.response.body.size",
                                     .unit = MetricUnit::kBytes,
                                     .description = "Size of HTTP server response bodies",
                                     .labels = keys});
  }));
  TAI_RETURN_IF_ERROR(Make(&m->requests_, [&] {
    return registry.CreateCounter({.metric_type = "http.server.requests",
                                   .unit = MetricUnit("{request}"),
                                   .description = "HTTP server requests handled",
                                   .labels = keys});
  }));
  TAI_RETURN_IF_ERROR(Make(&m->errors_, [&] {
    return registry.CreateCounter(
        {.metric_type = "http.server.request.errors",
         .unit = MetricUnit("{request}"),
         .description = "HTTP server requests answered 5xx or ended by an exception",
         .labels = keys});
  }));
  return m;
}

HttpServerMetrics::RequestTimer HttpServerMetrics::Begin(std::string_view method,
                                                         std::string_view route,
                                                         size_t request_body_bytes) const {
  return RequestTimer(this, method, route, request_body_bytes);
}

HttpServerMetrics::RequestTimer::RequestTimer(const HttpServerMetrics* metrics,
                                              std::string_view method, std::string_view route,
                                              size_t request_body_bytes)
    : metrics_(metrics),
      method_(KnownMethod(method)),
      route_(route.empty() ? kUnmatchedRoute : route),
      request_bytes_(request_body_bytes),
      start_nanos_(MonotonicNanos()) {
  metrics_->active_.Add(1, {{kMethod, method_}});
}

HttpServerMetrics::RequestTimer::RequestTimer(RequestTimer&& other) noexcept
    : metrics_(std::exchange(other.metrics_, nullptr)),
      method_(std::move(other.method_)),
      route_(std::move(other.route_)),
      request_bytes_(other.request_bytes_),
      start_nanos_(other.start_nanos_) {}

HttpServerMetrics::RequestTimer::~RequestTimer() { End(500, 0); }

void HttpServerMetrics::RequestTimer::End(int status_code, size_t response_body_bytes) {
  if (metrics_ == nullptr) return;
  std::exchange(metrics_, nullptr)->Record(*this, status_code, response_body_bytes);
}

void HttpServerMetrics::Record(const RequestTimer& t, int status_code,
                               size_t response_bytes) const {
  const double seconds = static_cast<double>(MonotonicNanos() - t.start_nanos_) / 1e9;
  const std::string status = std::to_string(status_code);
  const std::array<Label, 3> list = {{{kMethod, t.method_}, {kRoute, t.route_}, {kStatus, status}}};
  const LabelsView labels{std::span<const Label>(list)};
  duration_.Record(seconds, labels);
  request_size_.Record(static_cast<double>(t.request_bytes_), labels);
  response_size_.Record(static_cast<double>(response_bytes), labels);
  requests_.Add(1, labels);
  if (status_code >= 500) errors_.Add(1, labels);
  active_.Add(-1, {{kMethod, t.method_}});
  recorded_.fetch_add(1, std::memory_order_relaxed);
}

HttpMiddleware HttpMetricsMiddleware(std::shared_ptr<const HttpServerMetrics> metrics,
                                     std::function<bool(std::string_view route)> record_route) {
  return [metrics = std::move(metrics), record_route = std::move(record_route)](
             const HttpRequest& request, HttpResponse& response, const HttpHandler& next) {
    // "*" is the server's fallback route: the request matched no handler.
    const std::string_view route = request.route == "*" ? kUnmatchedRoute : request.route;
    if (record_route && !record_route(route)) return next(request, response);
    auto timer = metrics->Begin(request.method, route, request.body.size());
    next(request, response);  // an exception leaves the timer to record a 500
    timer.End(response.status, response.body.size());
  };
}

Result<std::shared_ptr<HttpClientMetrics>> HttpClientMetrics::Create(MetricRegistry& registry) {
  std::shared_ptr<HttpClientMetrics> m(new HttpClientMetrics());
  const auto keys = Keys({kMethod, kServerAddress, kServerPort, kStatus});
  TAI_RETURN_IF_ERROR(Make(&m->duration_, [&] {
    return registry.CreateHistogram({.metric_type = "http.client.request.duration",
                                     .unit = MetricUnit::kSeconds,
                                     .description = "Duration of HTTP client requests",
                                     .labels = keys});
  }));
  TAI_RETURN_IF_ERROR(Make(&m->request_size_, [&] {
    return registry.CreateHistogram({.metric_type = "http.client.request.body.size",
                                     .unit = MetricUnit::kBytes,
                                     .description = "Size of HTTP client request bodies",
                                     .labels = keys});
  }));
  TAI_RETURN_IF_ERROR(Make(&m->response_size_, [&] {
    return registry.CreateHistogram({.metric_type = "http.client.response.body.size",
                                     .unit = MetricUnit::kBytes,
                                     .description = "Size of HTTP client response bodies",
                                     .labels = keys});
  }));
  TAI_RETURN_IF_ERROR(Make(&m->requests_, [&] {
    return registry.CreateCounter({.metric_type = "http.client.requests",
                                   .unit = MetricUnit("{request}"),
                                   .description = "HTTP client requests made",
                                   .labels = keys});
  }));
  TAI_RETURN_IF_ERROR(Make(&m->errors_, [&] {
    return registry.CreateCounter(
        {.metric_type = "http.client.request.errors",
         .unit = MetricUnit("{request}"),
         .description = "HTTP client requests answered 4xx/5xx or failed without an answer",
         .labels = keys});
  }));
  return m;
}

void HttpClientMetrics::Record(const Outcome& o) const {
  const std::string port = std::to_string(o.server_port);
  const std::string status = std::to_string(o.status_code);
  const std::array<Label, 4> list = {{{kMethod, KnownMethod(o.method)},
                                      {kServerAddress, o.server_address},
                                      {kServerPort, port},
                                      {kStatus, status}}};
  const LabelsView labels{std::span<const Label>(list)};
  duration_.Record(o.duration_seconds, labels);
  request_size_.Record(static_cast<double>(o.request_body_bytes), labels);
  response_size_.Record(static_cast<double>(o.response_body_bytes), labels);
  requests_.Add(1, labels);
  if (o.status_code == 0 || o.status_code >= 400) errors_.Add(1, labels);
}

}  // namespace tai
