#include "tai/web/http_tracing.h"

#include <exception>
#include <string>

namespace tai {

HttpMiddleware TracingMiddleware(Tracer& tracer, std::shared_ptr<const Propagator> propagator) {
  return [&tracer, propagator = std::move(propagator)](
             const HttpRequest& request, HttpResponse& response, const HttpHandler& next) {
    auto headers = request.headers;  // the carrier needs a mutable list; extraction only reads
    HeaderListCarrier carrier(&headers);
    PropagationContext extracted;
    propagator->Extract(carrier, extracted);

    SpanOptions options;
    options.kind = SpanKind::kServer;
    options.parent = &extracted.span_context;
    options.root = !extracted.span_context.valid();
    const std::string route = request.route.empty() ? request.path : request.route;
    Span span = tracer.StartSpan(request.method + " " + route, options);
    if (span.IsRecording()) {
      span.SetAttribute("http.request.method", request.method);
      span.SetAttribute("url.path", request.path);
      if (!request.query.empty()) span.SetAttribute("url.query", request.query);
      span.SetAttribute("http.route", route);
      if (auto ua = request.Header("user-agent"); !ua.empty()) {
        span.SetAttribute("user_agent.original", ua);
      }
      span.SetAttribute("server.address", request.local_address);
      span.SetAttribute("server.port", request.local_port);
      span.SetAttribute("client.address", request.remote_address);
      span.SetAttribute("client.port", request.remote_port);
    }
    SpanScope scope(span);
    try {
      next(request, response);
    } catch (const std::exception& e) {
      span.RecordException(e);
      span.SetAttribute("http.response.status_code", 500);
      span.SetAttribute("error.type", "exception");
      span.SetStatus(SpanStatusCode::kError, e.what());
      throw;
    }
    span.SetAttribute("http.response.status_code", response.status);
    if (response.status >= 500) {
      span.SetAttribute("error.type", std::to_string(response.status));
      span.SetStatus(SpanStatusCode::kError, "HTTP " + std::to_string(response.status));
    }
  };
}

}  // namespace tai
