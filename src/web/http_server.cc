#include "tai/web/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <regex>
#include <thread>

#include "core/text.h"
#include "tai/core/parse.h"

namespace tai {
namespace {

// "/api/traces/:id" -> "^/api/traces/([^/]+)$", names {"id"}.
std::string RouteToRegex(const std::string& route, std::vector<std::string>* names) {
  std::string re = "^";
  size_t i = 0;
  while (i < route.size()) {
    if (route[i] == ':' && (i == 0 || route[i - 1] == '/')) {
      size_t end = route.find('/', i);
      if (end == std::string::npos) end = route.size();
      names->push_back(route.substr(i + 1, end - i - 1));
      re += "([^/]+)";
      i = end;
    } else if (route[i] == '*' && i + 1 == route.size()) {
      re += ".*";
      ++i;
    } else {
      if (std::string_view("\\^$.|?+()[]{}").find(route[i]) != std::string_view::npos) re += '\\';
      re += route[i++];
    }
  }
  return re + "$";
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view name) const {
  std::string key = internal::AsciiLower(name);
  for (const auto& [k, v] : headers) {
    if (k == key) return v;
  }
  return {};
}

void HttpResponse::SetHeader(std::string name, std::string value) {
  for (auto& [k, v] : headers) {
    if (internal::EqualsIgnoreCase(k, name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

struct HttpServer::Impl {
  HttpServerOptions options;
  httplib::Server server;
  std::vector<HttpMiddleware> middleware;
  std::thread thread;
  std::atomic<int> port{0};
  std::string host;
  bool fallback_routes = false;

  void Dispatch(const std::string& route, const std::vector<std::string>& names,
                const HttpHandler& handler, const httplib::Request& in, httplib::Response& out) {
    HttpRequest req;
    req.method = in.method;
    req.path = in.path;
    req.route = route;
    size_t q = in.target.find('?');
    if (q != std::string::npos) req.query = in.target.substr(q + 1);
    for (const auto& [k, v] : in.params) req.query_params.emplace(k, v);
    for (size_t i = 0; i < names.size() && i + 1 < in.matches.size(); ++i) {
      req.path_params[names[i]] = in.matches[static_cast<int>(i + 1)].str();
    }
    for (const auto& [k, v] : in.headers) req.headers.emplace_back(internal::AsciiLower(k), v);
    req.body = in.body;
    req.remote_address = in.remote_addr;
    req.remote_port = in.remote_port;
    req.local_address = in.local_addr;
    req.local_port = in.local_port;

    HttpResponse resp;
    // Innermost first: middleware registered first runs outermost.
    HttpHandler chain = handler;
    for (auto it = middleware.rbegin(); it != middleware.rend(); ++it) {
      chain = [mw = *it, next = chain](const HttpRequest& r, HttpResponse& w) { mw(r, w, next); };
    }
    try {
      chain(req, resp);
    } catch (const std::exception& e) {
      resp = HttpResponse();
      resp.status = 500;
      resp.body = std::string("internal error: ") + e.what() + "\n";
    }
    out.status = resp.status;
    for (const auto& [k, v] : resp.headers) out.set_header(k, v);
    out.set_content(resp.body, resp.content_type);
  }
};

HttpServer::HttpServer(HttpServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  const size_t threads = std::max<size_t>(1, impl_->options.worker_threads);
  impl_->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl_->server.set_read_timeout(impl_->options.read_timeout);
  impl_->server.set_write_timeout(impl_->options.write_timeout);
  impl_->server.set_payload_max_length(impl_->options.max_body_bytes);
  // Stop() waits for idle keep-alive connections to time out (this httplib
  // does not cut them on shutdown), so keep that wait short.
  impl_->server.set_keep_alive_timeout(1);
  // httplib's default SO_REUSEPORT would let a second process share our
  // port silently; SO_REUSEADDR only allows a quick restart.
  impl_->server.set_socket_options([](auto sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Handle(std::string method, std::string route, HttpHandler handler) {
  auto names = std::make_shared<std::vector<std::string>>();
  std::string re = RouteToRegex(route, names.get());
  Impl* impl = impl_.get();
  auto fn = [impl, route, names, handler = std::move(handler)](const httplib::Request& in,
                                                               httplib::Response& out) {
    impl->Dispatch(route, *names, handler, in, out);
  };
  if (method == "GET") {
    impl_->server.Get(re, fn);
  } else if (method == "POST") {
    impl_->server.Post(re, fn);
  } else if (method == "PUT") {
    impl_->server.Put(re, fn);
  } else if (method == "DELETE") {
    impl_->server.Delete(re, fn);
  } else if (method == "PATCH") {
    impl_->server.Patch(re, fn);
  } else if (method == "OPTIONS") {
    impl_->server.Options(re, fn);
  }
}

void HttpServer::Use(HttpMiddleware middleware) {
  impl_->middleware.push_back(std::move(middleware));
}

Status HttpServer::Bind() {
  if (impl_->port > 0) return Status::Ok();
  std::string host;
  int port;
  TAI_RETURN_IF_ERROR(
      ParseHostPort(impl_->options.address, &host, &port).WithContext("HTTP server"));
  int bound = port == 0 ? impl_->server.bind_to_any_port(host)
                        : (impl_->server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return UnavailableError("HTTP server cannot listen on " + impl_->options.address +
                            " (address in use, or host not local)");
  }
  impl_->host = host;
  impl_->port = bound;
  return Status::Ok();
}

Status HttpServer::Start() {
  if (running()) return FailedPreconditionError("HTTP server already started on " + url());
  if (!impl_->fallback_routes) {
    // Registered last, so they match only what no route does: a request for
    // an unknown path still goes through the middleware (an access check
    // answers it before the 404 could tell which paths exist).
    impl_->fallback_routes = true;
    for (const char* method : {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
      Handle(method, "*", [](const HttpRequest& req, HttpResponse& res) {
        res.status = 404;
        res.body = "no route for " + req.method + " " + req.path + "\n";
      });
    }
  }
  TAI_RETURN_IF_ERROR(Bind());
  impl_->thread = std::thread([impl = impl_.get()] { impl->server.listen_after_bind(); });
  // stop() is a no-op until the accept loop runs: wait for it (bounded) so
  // a Stop() right after Start() cannot be lost.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!impl_->server.is_running() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!impl_->server.is_running()) {
    Stop();
    return UnavailableError("HTTP server on " + impl_->options.address + " did not start");
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (impl_->thread.joinable()) {
    impl_->server.stop();
    impl_->thread.join();
  }
}

bool HttpServer::running() const { return impl_->thread.joinable(); }
int HttpServer::port() const { return impl_->port.load(); }

std::string HttpServer::url() const {
  bool v6 = impl_->host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + impl_->host + "]" : impl_->host) + ":" + std::to_string(port());
}

}  // namespace tai
