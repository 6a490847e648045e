// HttpServer: the library's embedded HTTP server (Prometheus /metrics, the
// dashboard and its API). Listens on 127.0.0.1 by default.
//
// Owned by tai::Observability or by the application. Thread-safe: handlers
// run on the server's worker threads, concurrently; register handlers and
// middleware before Start(). Stop() (or the destructor) waits for running
// handlers to finish.
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

struct HttpServerOptions {
  std::string address = "127.0.0.1:0";  // port 0 picks a free port
  size_t worker_threads = 4;
  std::chrono::milliseconds read_timeout{5'000};
  std::chrono::milliseconds write_timeout{5'000};
  size_t max_body_bytes = 8 << 20;
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
  int port() const;
  // "http://127.0.0.1:9464"
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tai
