// HttpServer: the library's embedded HTTP server (Prometheus /metrics, the
// dashboard and its API). Listens on 127.0.0.1 by default.
//
// One event thread owns every socket (poll), so a slow or idle client costs
// a file descriptor and a bounded buffer, never a thread; complete requests
// go to a fixed pool of worker threads that run the handlers. Everything a
// client controls is bounded (HttpServerOptions): connections in total and
// per peer, request line, header bytes and count, body bytes in either
// transfer encoding, bytes buffered across all connections, the time to send
// a request and to read its answer, and how long Stop() waits.
//
// Like the library it replaces, it inflates gzip request bodies (bounded by
// max_body_bytes; other codings get 415) and gzips text-like answers for
// clients that accept it.
//
// Owned by tai::Observability or by the application. Thread-safe: handlers
// run on the worker threads, concurrently; register handlers and middleware
// before Start(). Stop() (or the destructor) returns once running handlers
// have finished and their answers are written or shutdown_timeout passed.
// A handler is not interrupted, so a long one must bound itself: the
// dashboard's handlers query the store, whose queries time out
// (StoreOptions::query_timeout) and which Observability cancels
// (Store::CancelQueries) while it stops this server.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tai/core/status.h"

namespace tai {

struct HttpRequest {
  std::string method;
  std::string path;   // without the query string
  std::string route;  // the pattern that matched, e.g. "/api/traces/:id"
  std::string query;  // raw query string, without '?'
  std::map<std::string, std::string> query_params;
  std::map<std::string, std::string> path_params;            // ":id" -> value
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_address;
  int remote_port = 0;
  std::string local_address;
  int local_port = 0;

  // The first header with this name (any case), or "".
  std::string_view Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  void SetHeader(std::string name, std::string value);
};

using HttpHandler = std::function<void(const HttpRequest&, HttpResponse&)>;
// Wraps every handler: call next(request, response) to run it.
using HttpMiddleware =
    std::function<void(const HttpRequest&, HttpResponse&, const HttpHandler& next)>;

// Limits on what clients control. The defaults fit a loopback /metrics and
// dashboard; raise them for bigger uploads. Past a limit the server answers
// with the status named and closes the connection.
struct HttpServerOptions {
  std::string address = "127.0.0.1:0";  // port 0 picks a free port
  // Threads that run handlers (at least 1). No socket I/O happens on them.
  size_t worker_threads = 4;
  // Exact paths (e.g. "/metrics") served by one more worker of their own,
  // so they stay answerable while slow handlers hold the others. Empty: none.
  std::vector<std::string> reserved_paths;
  // Complete requests waiting for a worker; 503 past it.
  size_t max_queued_requests = 64;
  // Open connections. At the limit a new connection closes the one idle the
  // longest (waiting for or still sending a request); 503 if none is idle.
  size_t max_connections = 256;
  // The same, per client address.
  size_t max_connections_per_peer = 64;
  size_t max_request_line_bytes = 8 << 10;  // 414 past it
  size_t max_header_bytes = 16 << 10;       // all header lines together; 431 past it
  size_t max_header_count = 64;             // 431 past it
  // Body bytes, after chunked decoding; 413 past it.
  size_t max_body_bytes = 8 << 20;
  // Request bytes buffered across all connections; a read past it gets 503.
  size_t max_buffered_bytes = 64 << 20;
  // A connection with no request started (new, or kept alive) is closed
  // after this long without a byte.
  std::chrono::milliseconds idle_timeout{10'000};
  // From a request's first byte to its last: 408 past it (slow senders).
  std::chrono::milliseconds request_timeout{10'000};
  // To write an answer once it is ready: the connection is cut past it.
  std::chrono::milliseconds write_timeout{10'000};
  // How long Stop() lets answers in progress finish before it cuts them.
  std::chrono::milliseconds shutdown_timeout{2'000};
};

// Counts since Start(), for self-metrics. Every refusal is in one of them.
struct HttpServerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_open = 0;
  uint64_t connections_evicted = 0;  // idle ones closed to admit a new one
  uint64_t connections_refused = 0;  // at the limit with none idle (503)
  uint64_t requests = 0;             // handed to a handler
  uint64_t rejected_malformed = 0;   // 400, 501, 505
  uint64_t rejected_too_large = 0;   // 413, 414, 431
  uint64_t rejected_busy = 0;        // 503: queue or buffer budget full
  uint64_t timed_out_requests = 0;   // 408
  uint64_t timed_out_idle = 0;
  uint64_t timed_out_writes = 0;
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // `route` is a path; a segment ":name" matches one path segment and is
  // passed in path_params; a trailing "*" matches any rest of the path.
  void Handle(std::string method, std::string route, HttpHandler handler);
  // Middleware wraps every request, including those for a path no route
  // serves (they get 404 from the innermost handler).
  void Use(HttpMiddleware middleware);

  // Binds the address without serving yet, so that port() and url() are
  // known while handlers are still being registered (a port of 0 picks one).
  // Fails with a message naming the address when it cannot bind (in use,
  // bad host). Start() binds first if this was not called.
  Status Bind();
  // Binds (unless Bind() did) and starts serving.
  Status Start();
  void Stop();

  bool running() const;
  HttpServerStats stats() const;
  int port() const;
  // "http://127.0.0.1:9464"
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tai
