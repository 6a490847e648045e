// ServeLogLevels: an HTTP endpoint on the embedded server to read and change
// log levels while the service runs, without a restart:
//
//   GET /api/log/levels              -> "info,payments=debug"
//   PUT /api/log/levels  body "warn,payments=trace"
//                                    -> 200 and the new levels, or 400 and why
//
// The spec is LogPipeline::SetLevels'. tai::Observability serves it next to
// /metrics (127.0.0.1 by default: reachable only from the machine).
//
// Register before HttpServer::Start; the pipeline must outlive the server.
// Thread-safe.
#pragma once

#include "tai/log/log_pipeline.h"
#include "tai/web/http_server.h"

namespace tai {

void ServeLogLevels(HttpServer& server, LogPipeline& logs);

}  // namespace tai
