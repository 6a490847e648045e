// ServeLogLevels: an HTTP endpoint on the embedded server to read and change
// log levels while the service runs, without a restart:
//
//   GET /api/log/levels              -> "info,payments=debug"
//   PUT /api/log/levels  body "warn,payments=trace"
//                                    -> 200 and the new levels, or 400 and why
//
// The spec is LogPipeline::SetLevels'. tai::Observability serves it next to
// /metrics (127.0.0.1 by default: reachable only from the machine; with the
// dashboard's access token set, only with the token).
//
// A client may not grow the process through it: a spec is at most
// kMaxLogLevelSpecBytes (413 past it) and kMaxLogLevelItems items, a logger
// name at most kMaxLoggerNameBytes of [A-Za-z0-9._:/-], and the endpoint
// makes at most kMaxLoggersSetOverHttp distinct loggers (400 past them).
//
// Register before HttpServer::Start; the pipeline must outlive the server.
// Thread-safe.
#pragma once

#include "tai/log/log_pipeline.h"
#include "tai/web/http_server.h"

namespace tai {

inline constexpr size_t kMaxLogLevelSpecBytes = 4096;
inline constexpr size_t kMaxLogLevelItems = 64;
inline constexpr size_t kMaxLoggerNameBytes = 128;
inline constexpr size_t kMaxLoggersSetOverHttp = 256;

void ServeLogLevels(HttpServer& server, LogPipeline& logs);

}  // namespace tai
