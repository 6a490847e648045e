// Internal: serves the dashboard page ("/") and its static assets
// ("/assets/<name>") from the files embedded at build time, with their
// Content-Type and an ETag (a matching If-None-Match gets 304). The server
// compresses them with gzip (or brotli) when the client accepts it.
//
// Thread-safe: the assets are immutable.
#pragma once

#include <string_view>

#include "tai/web/http_server.h"

namespace tai::internal {

// "text/html; charset=utf-8" for "index.html", ... by the file extension.
std::string_view AssetContentType(std::string_view name);

void ServeDashboardAssets(HttpServer& server);

}  // namespace tai::internal
