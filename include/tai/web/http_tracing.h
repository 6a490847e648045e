// TracingMiddleware: a server span for every request the embedded
// HttpServer handles, named "METHOD route" ("GET /api/users/:id"), with the
// OpenTelemetry HTTP semantic-convention attributes (http.request.method,
// url.path, url.query, http.route, http.response.status_code,
// user_agent.original, server.address, server.port, client.address,
// client.port), error status on 5xx or an escaping exception, and the
// context extracted from the request's headers. The span is active while
// the handler runs, so CurrentSpanContext() and ActiveSpan() give the
// handler (and logs) its trace id.
//
// The tracer must outlive the server. The middleware is thread-safe.
#pragma once

#include <memory>

#include "tai/trace/propagation.h"
#include "tai/trace/trace.h"
#include "tai/web/http_server.h"

namespace tai {

HttpMiddleware TracingMiddleware(
    Tracer& tracer, std::shared_ptr<const Propagator> propagator = DefaultPropagator());

}  // namespace tai
