#include "tai/web/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/gzip.h"
#include "core/text.h"
#include "tai/core/parse.h"
#include "web/http_request_parser.h"

namespace tai {
namespace {

using Clock = std::chrono::steady_clock;

// Bytes read from a socket per call, and per connection per poll round (so
// one fast sender cannot starve the others).
constexpr size_t kReadChunk = 16 << 10;
constexpr size_t kReadsPerRound = 4;
// After an error answer the rest of the request is read and dropped for a
// moment, so that closing does not reset the connection before the client
// has read the answer.
constexpr size_t kMaxDrainBytes = 256 << 10;
constexpr auto kDrainTime = std::chrono::milliseconds(500);

// A route pattern matches a path: ":name" takes one non-empty segment, a
// trailing "*" takes any rest. No regex: a long path costs linear time.
bool MatchRoute(std::string_view route, std::string_view path, std::vector<std::string>* values) {
  size_t r = 0;
  size_t p = 0;
  while (r < route.size()) {
    if (route[r] == '*' && r + 1 == route.size()) return true;
    if (route[r] == ':' && (r == 0 || route[r - 1] == '/')) {
      size_t end = path.find('/', p);
      if (end == std::string_view::npos) end = path.size();
      if (end == p) return false;
      values->emplace_back(path.substr(p, end - p));
      p = end;
      r = route.find('/', r);
      if (r == std::string_view::npos) r = route.size();
      continue;
    }
    if (p >= path.size() || path[p] != route[r]) return false;
    ++p;
    ++r;
  }
  return p == path.size();
}

// Names of ":name" segments, in order.
std::vector<std::string> RouteParamNames(std::string_view route) {
  std::vector<std::string> names;
  for (size_t i = 0; i < route.size(); ++i) {
    if (route[i] == ':' && (i == 0 || route[i - 1] == '/')) {
      size_t end = route.find('/', i);
      if (end == std::string_view::npos) end = route.size();
      names.emplace_back(route.substr(i + 1, end - i - 1));
      i = end;
    }
  }
  return names;
}

std::string DecodeQueryComponent(std::string_view text) {
  std::string plus_free(text);
  std::replace(plus_free.begin(), plus_free.end(), '+', ' ');
  return PercentDecode(plus_free);
}

const char* Reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Status";
  }
}

// True when an Accept-Encoding value lists gzip without q=0.
bool AcceptsGzip(std::string_view accept) {
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view item = internal::TrimSpaces(accept.substr(0, comma));
    size_t semi = item.find(';');
    std::string_view coding = internal::TrimSpaces(item.substr(0, semi));
    std::string_view params = semi == std::string_view::npos ? "" : item.substr(semi + 1);
    params = internal::TrimSpaces(params);
    bool refused =
        params.starts_with("q=0") && params.find_first_of("123456789") == std::string_view::npos;
    if ((internal::EqualsIgnoreCase(coding, "gzip") || coding == "*") && !refused) return true;
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return false;
}

// Text-like bodies are worth compressing; images and archives are not.
bool Compressible(std::string_view content_type) {
  return content_type.starts_with("text/") || content_type.find("json") != std::string_view::npos ||
         content_type.find("javascript") != std::string_view::npos ||
         content_type.find("xml") != std::string_view::npos ||
         content_type.find("openmetrics") != std::string_view::npos;
}

// A header from a handler goes out only if it cannot end the head early
// (a CR or LF in it would let request data forge headers).
bool SafeHeader(std::string_view name, std::string_view value) {
  return ValidateHttpHeader(name, value).ok();
}

// An answer as it goes out: the head, then the body, written as they are
// (a large body is not copied next to its head).
struct WireResponse {
  std::string head;
  std::string body;
  bool close = false;  // "Connection: close" is in the head
};

WireResponse SerializeResponse(HttpResponse&& resp, bool head_only, bool keep_alive,
                               int minor_version) {
  std::string out;
  out.reserve(256);
  int status = resp.status >= 100 && resp.status <= 999 ? resp.status : 500;
  out += "HTTP/1.1 ";
  internal::AppendInt(out, status);
  out += ' ';
  out += Reason(status);
  out += "\r\n";
  for (const auto& [name, value] : resp.headers) {
    if (internal::EqualsIgnoreCase(name, "content-length") ||
        internal::EqualsIgnoreCase(name, "transfer-encoding") ||
        internal::EqualsIgnoreCase(name, "connection") || !SafeHeader(name, value)) {
      continue;
    }
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (SafeHeader("content-type", resp.content_type) && !resp.content_type.empty()) {
    out += "Content-Type: ";
    out += resp.content_type;
    out += "\r\n";
  }
  bool no_body = status == 204 || status == 304 || status < 200;
  if (!no_body) {
    out += "Content-Length: ";
    internal::AppendUint(out, resp.body.size());
    out += "\r\n";
  }
  if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (minor_version == 0) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  WireResponse wire{std::move(out), {}, !keep_alive};
  if (!head_only && !no_body) wire.body = std::move(resp.body);
  return wire;
}

std::string NumericHost(const sockaddr_storage& addr, socklen_t len, int* port) {
  char host[NI_MAXHOST] = "";
  char serv[NI_MAXSERV] = "";
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof(host), serv,
                  sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    *port = 0;
    return "";
  }
  *port = std::atoi(serv);
  return host;
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
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> names;
    HttpHandler handler;
  };

  enum class Phase { kReading, kHandling, kWriting, kDraining };

  struct Connection {
    explicit Connection(internal::HttpParserLimits limits) : parser(limits) {}
    int fd = -1;
    std::string peer;
    int peer_port = 0;
    std::string local;
    int local_port = 0;
    Phase phase = Phase::kReading;
    internal::HttpRequestParser parser;
    std::string pending;  // bytes read past the request being handled
    WireResponse out;
    size_t out_offset = 0;  // into head and body as one
    bool close_after_write = false;
    bool linger = false;  // drain what the client still sends before closing
    bool sent_continue = false;
    Clock::time_point idle_since;      // kReading before a request starts
    Clock::time_point request_start;   // kReading once it has
    Clock::time_point write_deadline;  // kWriting and kDraining
    Clock::time_point last_activity;
    size_t accounted = 0;  // this connection's share of buffered_bytes
    size_t drained = 0;
  };

  struct Job {
    uint64_t connection = 0;
    internal::ParsedRequest request;
    std::string peer;
    int peer_port = 0;
    std::string local;
    int local_port = 0;
  };

  // A fixed set of threads over a bounded queue of complete requests.
  struct Pool {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Job> jobs;
    bool stop = false;
    std::vector<std::thread> threads;
  };

  struct Done {
    uint64_t connection;
    WireResponse response;
    bool keep_alive;
  };

  HttpServerOptions options;
  internal::HttpParserLimits limits;
  std::vector<Route> routes;
  std::vector<HttpMiddleware> middleware;
  HttpHandler not_found;

  std::atomic<int> port{0};
  std::string host;
  int listen_fd = -1;
  int wake_fd = -1;
  std::thread io_thread;
  std::atomic<bool> stopping{false};

  Pool main_pool;
  Pool reserved_pool;

  std::mutex done_mu;
  std::vector<Done> done;

  // Owned by the event thread.
  std::unordered_map<uint64_t, Connection> connections;
  uint64_t next_id = 1;
  size_t buffered_bytes = 0;

  struct Counters {
    std::atomic<uint64_t> accepted{0}, open{0}, evicted{0}, refused{0}, requests{0}, malformed{0},
        too_large{0}, busy{0}, timed_out_requests{0}, timed_out_idle{0}, timed_out_writes{0};
  } counters;

  void Wake() const {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(wake_fd, &one, sizeof(one));
  }

  // ---- worker side ----

  void RunPool(Pool* pool) {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(pool->mu);
        pool->cv.wait(lock, [pool] { return pool->stop || !pool->jobs.empty(); });
        if (pool->stop) return;
        job = std::move(pool->jobs.front());
        pool->jobs.pop_front();
      }
      WireResponse response = Handle(job);
      const bool keep_alive = !response.close;
      {
        std::lock_guard<std::mutex> lock(done_mu);
        done.push_back(Done{job.connection, std::move(response), keep_alive});
      }
      Wake();
    }
  }

  WireResponse Handle(Job& job) {
    internal::ParsedRequest& in = job.request;
    HttpRequest req;
    bool head = in.method == "HEAD";
    req.method = std::move(in.method);
    std::string_view target = in.target;
    size_t q = target.find('?');
    req.path = PercentDecode(target.substr(0, q));
    if (q != std::string_view::npos) {
      req.query = std::string(target.substr(q + 1));
      std::string_view rest = req.query;
      while (!rest.empty()) {
        size_t amp = rest.find('&');
        std::string_view item = rest.substr(0, amp);
        if (!item.empty()) {
          size_t eq = item.find('=');
          req.query_params.emplace(
              DecodeQueryComponent(item.substr(0, eq)),
              eq == std::string_view::npos ? "" : DecodeQueryComponent(item.substr(eq + 1)));
        }
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
      }
    }
    req.headers = std::move(in.headers);
    req.body = std::move(in.body);
    if (std::optional<HttpResponse> refused = DecodeBody(req)) {
      return SerializeResponse(std::move(*refused), head, false, in.minor_version);
    }
    req.remote_address = std::move(job.peer);
    req.remote_port = job.peer_port;
    req.local_address = std::move(job.local);
    req.local_port = job.local_port;

    const HttpHandler* handler = &not_found;
    const std::string match_method = head ? "GET" : req.method;
    for (const Route& route : routes) {
      std::vector<std::string> values;
      if (route.method != match_method || !MatchRoute(route.pattern, req.path, &values)) continue;
      req.route = route.pattern;
      for (size_t i = 0; i < route.names.size() && i < values.size(); ++i) {
        req.path_params[route.names[i]] = std::move(values[i]);
      }
      handler = &route.handler;
      break;
    }

    HttpResponse resp;
    // Innermost first: middleware registered first runs outermost.
    HttpHandler chain = *handler;
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
    if (!head && resp.status == 200 && !resp.body.empty() && Compressible(resp.content_type) &&
        AcceptsGzip(req.Header("accept-encoding")) &&
        std::none_of(resp.headers.begin(), resp.headers.end(), [](const auto& h) {
          return internal::EqualsIgnoreCase(h.first, "content-encoding");
        })) {
      resp.body = internal::GzipCompress(resp.body);
      resp.SetHeader("Content-Encoding", "gzip");
      resp.SetHeader("Vary", "Accept-Encoding");
    }
    return SerializeResponse(std::move(resp), head, in.keep_alive, in.minor_version);
  }

  // Inflates a gzip request body in place, bounded by max_body_bytes (a
  // small body must not expand past the limit the raw one had). Returns the
  // answer to send instead when it cannot.
  std::optional<HttpResponse> DecodeBody(HttpRequest& req) {
    auto it = std::find_if(req.headers.begin(), req.headers.end(),
                           [](const auto& h) { return h.first == "content-encoding"; });
    // No body has no coding to undo, whatever the header says (clients send
    // their usual headers on a GET too).
    if (it == req.headers.end() || internal::EqualsIgnoreCase(it->second, "identity") ||
        req.body.empty()) {
      return std::nullopt;
    }
    HttpResponse refused;
    refused.SetHeader("X-Content-Type-Options", "nosniff");
    if (!internal::EqualsIgnoreCase(it->second, "gzip") &&
        !internal::EqualsIgnoreCase(it->second, "x-gzip")) {
      refused.status = 415;
      refused.body = "only gzip request bodies are accepted\n";
      return refused;
    }
    Result<std::string> inflated = internal::GzipDecompress(req.body, options.max_body_bytes);
    if (!inflated.ok()) {
      const bool too_large = inflated.status().code() == StatusCode::kResourceExhausted;
      (too_large ? counters.too_large : counters.malformed).fetch_add(1, std::memory_order_relaxed);
      refused.status = too_large ? 413 : 400;
      refused.body = "request body: " + inflated.status().message() + "\n";
      return refused;
    }
    // The header stays, saying how it came; the body is inflated.
    req.body = std::move(*inflated);
    return std::nullopt;
  }

  // ---- event thread ----

  void Account(Connection& c) {
    size_t now = c.parser.buffered_bytes() + c.pending.size();
    buffered_bytes = buffered_bytes - c.accounted + now;
    c.accounted = now;
  }

  void Close(uint64_t id) {
    auto it = connections.find(id);
    if (it == connections.end()) return;
    buffered_bytes -= it->second.accounted;
    close(it->second.fd);
    connections.erase(it);
    counters.open.fetch_sub(1, std::memory_order_relaxed);
  }

  // Answers from the server itself (limits, timeouts, busy): the connection
  // closes after them.
  void Refuse(Connection& c, int status, std::string_view message) {
    if (status == 413 || status == 414 || status == 431) {
      counters.too_large.fetch_add(1, std::memory_order_relaxed);
    } else if (status == 503) {
      counters.busy.fetch_add(1, std::memory_order_relaxed);
    } else if (status == 408) {
      counters.timed_out_requests.fetch_add(1, std::memory_order_relaxed);
    } else {
      counters.malformed.fetch_add(1, std::memory_order_relaxed);
    }
    HttpResponse resp;
    resp.status = status;
    resp.body = std::string(message) + "\n";
    resp.SetHeader("X-Content-Type-Options", "nosniff");
    StartWrite(c, SerializeResponse(std::move(resp), false, false, 1), /*keep_alive=*/false);
    c.linger = true;
  }

  void StartWrite(Connection& c, WireResponse response, bool keep_alive) {
    c.phase = Phase::kWriting;
    c.out = std::move(response);
    c.out_offset = 0;
    c.close_after_write = !keep_alive || stopping.load();
    c.write_deadline = Clock::now() + options.write_timeout;
  }

  Pool& PoolFor(const internal::ParsedRequest& r) {
    if (options.reserved_paths.empty()) return main_pool;
    std::string_view path = r.target;
    path = path.substr(0, path.find('?'));
    for (const std::string& p : options.reserved_paths) {
      if (path == p) return reserved_pool;
    }
    return main_pool;
  }

  void Dispatch(uint64_t id, Connection& c) {
    Pool& pool = PoolFor(c.parser.request());
    {
      std::lock_guard<std::mutex> lock(pool.mu);
      if (pool.jobs.size() < options.max_queued_requests) {
        pool.jobs.push_back(
            Job{id, std::move(c.parser.request()), c.peer, c.peer_port, c.local, c.local_port});
        c.phase = Phase::kHandling;
      }
    }
    if (c.phase != Phase::kHandling) {
      Refuse(c, 503, "server busy: too many requests waiting");
      return;
    }
    counters.requests.fetch_add(1, std::memory_order_relaxed);
    pool.cv.notify_one();
  }

  // Feeds what the connection holds to its parser and acts on the result.
  void Advance(uint64_t id, Connection& c) {
    size_t used = c.parser.Feed(c.pending);
    c.pending.erase(0, used);
    switch (c.parser.state()) {
      case internal::HttpRequestParser::State::kComplete:
        Account(c);
        Dispatch(id, c);
        return;
      case internal::HttpRequestParser::State::kError:
        Account(c);
        Refuse(c, c.parser.error_status(), c.parser.error_message());
        return;
      default:
        break;
    }
    if (c.parser.started() && c.request_start == Clock::time_point()) {
      c.request_start = Clock::now();
    }
    if (c.parser.awaiting_body() && c.parser.request().expect_continue && !c.sent_continue) {
      c.sent_continue = true;
      constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      ssize_t n = send(c.fd, kContinue.data(), kContinue.size(), MSG_NOSIGNAL);
      // A part of it would corrupt the stream: give up on the connection.
      if (n != static_cast<ssize_t>(kContinue.size())) c.close_after_write = true;
    }
    Account(c);
    if (buffered_bytes > options.max_buffered_bytes) {
      Refuse(c, 503, "server busy: too many request bytes buffered");
    }
  }

  // Returns false when the connection is to be closed.
  bool OnReadable(uint64_t id, Connection& c) {
    char buf[kReadChunk];
    for (size_t round = 0; round < kReadsPerRound && c.phase == Phase::kReading; ++round) {
      ssize_t n = recv(c.fd, buf, sizeof(buf), 0);
      if (n == 0) return false;
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      c.last_activity = Clock::now();
      c.pending.append(buf, static_cast<size_t>(n));
      Advance(id, c);
      if (c.close_after_write && c.phase == Phase::kReading) return false;
    }
    return true;
  }

  bool OnDrainable(Connection& c) {
    char buf[kReadChunk];
    ssize_t n = recv(c.fd, buf, sizeof(buf), 0);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    c.drained += static_cast<size_t>(n);
    return c.drained < kMaxDrainBytes;
  }

  // Returns false when the connection is to be closed.
  bool OnWritable(uint64_t id, Connection& c) {
    const size_t total = c.out.head.size() + c.out.body.size();
    while (c.out_offset < total) {
      iovec parts[2];
      int count = 0;
      if (c.out_offset < c.out.head.size()) {
        parts[count++] = {c.out.head.data() + c.out_offset, c.out.head.size() - c.out_offset};
      }
      const size_t body_offset =
          c.out_offset > c.out.head.size() ? c.out_offset - c.out.head.size() : 0;
      if (body_offset < c.out.body.size()) {
        parts[count++] = {c.out.body.data() + body_offset, c.out.body.size() - body_offset};
      }
      msghdr message{};
      message.msg_iov = parts;
      message.msg_iovlen = static_cast<size_t>(count);
      ssize_t n = sendmsg(c.fd, &message, MSG_NOSIGNAL);
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      c.out_offset += static_cast<size_t>(n);
      c.last_activity = Clock::now();
    }
    c.out = WireResponse();
    if (c.close_after_write) {
      // The client may still be sending the refused request: closing with
      // unread bytes would reset the connection and lose the answer.
      if (!c.linger) return false;
      shutdown(c.fd, SHUT_WR);
      c.phase = Phase::kDraining;
      c.write_deadline = Clock::now() + kDrainTime;
      return true;
    }
    c.parser.Reset();
    c.phase = Phase::kReading;
    c.sent_continue = false;
    c.idle_since = Clock::now();
    c.request_start = Clock::time_point();
    Advance(id, c);  // a pipelined request may be complete already
    return true;
  }

  // Makes room for a new connection from `peer`: closes the connection idle
  // the longest (all of them, or that peer's) when a limit is reached.
  bool MakeRoom(const std::string& peer) {
    size_t from_peer = 0;
    for (const auto& [id, c] : connections) from_peer += c.peer == peer;
    bool over_total = connections.size() >= options.max_connections;
    bool over_peer = from_peer >= options.max_connections_per_peer;
    if (!over_total && !over_peer) return true;
    uint64_t victim = 0;
    Clock::time_point oldest = Clock::time_point::max();
    for (const auto& [id, c] : connections) {
      if (c.phase != Phase::kReading && c.phase != Phase::kDraining) continue;
      if (over_peer && !over_total && c.peer != peer) continue;
      if (c.last_activity < oldest) {
        oldest = c.last_activity;
        victim = id;
      }
    }
    if (victim == 0) return false;
    Close(victim);
    counters.evicted.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  void AcceptAll() {
    for (int i = 0; i < 64; ++i) {
      sockaddr_storage addr{};
      socklen_t len = sizeof(addr);
      int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      int peer_port = 0;
      std::string peer = NumericHost(addr, len, &peer_port);
      if (!MakeRoom(peer)) {
        counters.refused.fetch_add(1, std::memory_order_relaxed);
        constexpr std::string_view kBusy =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        [[maybe_unused]] ssize_t n = send(fd, kBusy.data(), kBusy.size(), MSG_NOSIGNAL);
        close(fd);
        continue;
      }
      int yes = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
      uint64_t id = next_id++;
      Connection& c = connections.emplace(id, Connection(limits)).first->second;
      c.fd = fd;
      c.peer = std::move(peer);
      c.peer_port = peer_port;
      sockaddr_storage local{};
      socklen_t local_len = sizeof(local);
      if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) == 0) {
        c.local = NumericHost(local, local_len, &c.local_port);
      }
      c.idle_since = c.last_activity = Clock::now();
      counters.accepted.fetch_add(1, std::memory_order_relaxed);
      counters.open.fetch_add(1, std::memory_order_relaxed);
    }
  }

  void CollectDone() {
    std::vector<Done> ready;
    {
      std::lock_guard<std::mutex> lock(done_mu);
      ready.swap(done);
    }
    for (Done& d : ready) {
      auto it = connections.find(d.connection);
      if (it == connections.end()) continue;
      StartWrite(it->second, std::move(d.response), d.keep_alive);
    }
  }

  Clock::time_point Deadline(const Connection& c) const {
    switch (c.phase) {
      case Phase::kReading:
        return c.parser.started() ? c.request_start + options.request_timeout
                                  : c.idle_since + options.idle_timeout;
      case Phase::kWriting:
      case Phase::kDraining:
        return c.write_deadline;
      case Phase::kHandling:
        break;
    }
    return Clock::time_point::max();
  }

  // Returns false when the connection is to be closed.
  bool OnDeadline(Connection& c) {
    switch (c.phase) {
      case Phase::kReading:
        if (!c.parser.started()) {
          counters.timed_out_idle.fetch_add(1, std::memory_order_relaxed);
          return false;
        }
        Refuse(c, 408,
               "request not received within " + std::to_string(options.request_timeout.count()) +
                   " ms");
        // A client too slow to send may be too slow to read: bounded too.
        c.write_deadline = Clock::now() + std::min(options.write_timeout, kDrainTime * 2);
        return true;
      case Phase::kWriting:
        counters.timed_out_writes.fetch_add(1, std::memory_order_relaxed);
        return false;
      case Phase::kDraining:
      case Phase::kHandling:
        return false;
    }
    return false;
  }

  void Loop() {
    std::vector<pollfd> fds;
    std::vector<uint64_t> ids;
    Clock::time_point shutdown_deadline = Clock::time_point::max();
    for (;;) {
      if (stopping.load() && shutdown_deadline == Clock::time_point::max()) {
        shutdown_deadline = Clock::now() + options.shutdown_timeout;
        std::vector<uint64_t> idle;
        for (const auto& [id, c] : connections) {
          if (c.phase == Phase::kReading || c.phase == Phase::kDraining) idle.push_back(id);
        }
        for (uint64_t id : idle) Close(id);
      }
      if (stopping.load() && (connections.empty() || Clock::now() >= shutdown_deadline)) break;

      fds.clear();
      ids.clear();
      fds.push_back({wake_fd, POLLIN, 0});
      ids.push_back(0);
      const bool listening = !stopping.load();
      if (listening) {
        fds.push_back({listen_fd, POLLIN, 0});
        ids.push_back(0);
      }
      Clock::time_point next = shutdown_deadline;
      for (auto& [id, c] : connections) {
        next = std::min(next, Deadline(c));
        short events = c.phase == Phase::kReading || c.phase == Phase::kDraining ? POLLIN
                       : c.phase == Phase::kWriting                              ? POLLOUT
                                                                                 : 0;
        if (events == 0) continue;
        fds.push_back({c.fd, events, 0});
        ids.push_back(id);
      }
      int timeout_ms = -1;
      if (next != Clock::time_point::max()) {
        auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - Clock::now());
        timeout_ms = static_cast<int>(std::clamp<int64_t>(wait.count(), 0, 60'000));
      }
      int ready = poll(fds.data(), fds.size(), timeout_ms);
      if (ready < 0 && errno != EINTR) break;

      if (fds[0].revents & POLLIN) {
        uint64_t count;
        [[maybe_unused]] ssize_t n = read(wake_fd, &count, sizeof(count));
      }
      CollectDone();
      const size_t first_connection = listening ? 2 : 1;
      for (size_t i = first_connection; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        auto it = connections.find(ids[i]);
        if (it == connections.end()) continue;
        Connection& c = it->second;
        bool keep = true;
        if (fds[i].revents & POLLOUT) {
          if (c.phase == Phase::kWriting) keep = OnWritable(ids[i], c);
        } else if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
          if (c.phase == Phase::kReading) {
            keep = OnReadable(ids[i], c);
          } else if (c.phase == Phase::kDraining) {
            keep = OnDrainable(c);
          }
        }
        if (fds[i].revents & POLLERR) keep = false;
        if (!keep) Close(ids[i]);
      }
      const Clock::time_point now = Clock::now();
      std::vector<uint64_t> expired;
      for (auto& [id, c] : connections) {
        if (Deadline(c) <= now && !OnDeadline(c)) expired.push_back(id);
      }
      for (uint64_t id : expired) Close(id);
      if (listening && (fds[1].revents & POLLIN)) AcceptAll();
    }
    std::vector<uint64_t> all;
    for (const auto& [id, c] : connections) all.push_back(id);
    for (uint64_t id : all) Close(id);
  }

  void StartPool(Pool* pool, size_t threads) {
    pool->stop = false;
    for (size_t i = 0; i < threads; ++i)
      pool->threads.emplace_back([this, pool] { RunPool(pool); });
  }

  void StopPool(Pool* pool) {
    {
      std::lock_guard<std::mutex> lock(pool->mu);
      pool->stop = true;
      pool->jobs.clear();
    }
    pool->cv.notify_all();
    for (std::thread& t : pool->threads) t.join();
    pool->threads.clear();
  }
};

HttpServer::HttpServer(HttpServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  HttpServerOptions& o = impl_->options;
  o.worker_threads = std::max<size_t>(1, o.worker_threads);
  o.max_connections = std::max<size_t>(1, o.max_connections);
  o.max_connections_per_peer = std::max<size_t>(1, o.max_connections_per_peer);
  impl_->limits = internal::HttpParserLimits{.max_request_line_bytes = o.max_request_line_bytes,
                                             .max_header_bytes = o.max_header_bytes,
                                             .max_header_count = o.max_header_count,
                                             .max_body_bytes = o.max_body_bytes};
  impl_->not_found = [](const HttpRequest& req, HttpResponse& res) {
    res.status = 404;
    res.body = "no route for " + req.method + " " + req.path + "\n";
  };
}

HttpServer::~HttpServer() {
  Stop();
  if (impl_->listen_fd >= 0) close(impl_->listen_fd);
}

void HttpServer::Handle(std::string method, std::string route, HttpHandler handler) {
  std::vector<std::string> names = RouteParamNames(route);
  impl_->routes.push_back(
      Impl::Route{std::move(method), std::move(route), std::move(names), std::move(handler)});
}

void HttpServer::Use(HttpMiddleware middleware) {
  impl_->middleware.push_back(std::move(middleware));
}

Status HttpServer::Bind() {
  if (impl_->listen_fd >= 0) return Status::Ok();
  std::string host;
  int port;
  TAI_RETURN_IF_ERROR(
      ParseHostPort(impl_->options.address, &host, &port).WithContext("HTTP server"));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  int fd = -1;
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found) == 0) {
    for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
      fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      // SO_REUSEADDR allows a quick restart; SO_REUSEPORT is left off so a
      // second process cannot share the port silently.
      int yes = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
      if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 128) != 0) {
        close(fd);
        fd = -1;
      }
    }
    freeaddrinfo(found);
  }
  if (fd < 0) {
    return UnavailableError("HTTP server cannot listen on " + impl_->options.address +
                            " (address in use, or host not local)");
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int bound = 0;
  NumericHost(addr, len, &bound);
  impl_->listen_fd = fd;
  impl_->host = host;
  impl_->port = bound;
  return Status::Ok();
}

Status HttpServer::Start() {
  if (running()) return FailedPreconditionError("HTTP server already started on " + url());
  TAI_RETURN_IF_ERROR(Bind());
  impl_->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (impl_->wake_fd < 0) return UnavailableError("HTTP server: eventfd failed");
  impl_->stopping = false;
  impl_->StartPool(&impl_->main_pool, impl_->options.worker_threads);
  if (!impl_->options.reserved_paths.empty()) impl_->StartPool(&impl_->reserved_pool, 1);
  impl_->io_thread = std::thread([impl = impl_.get()] { impl->Loop(); });
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_->io_thread.joinable()) return;
  impl_->stopping = true;
  impl_->Wake();
  impl_->io_thread.join();
  // Handlers still running finish; their answers have nowhere to go.
  impl_->StopPool(&impl_->main_pool);
  impl_->StopPool(&impl_->reserved_pool);
  impl_->done.clear();
  close(impl_->wake_fd);
  impl_->wake_fd = -1;
  close(impl_->listen_fd);
  impl_->listen_fd = -1;
}

bool HttpServer::running() const { return impl_->io_thread.joinable(); }
int HttpServer::port() const { return impl_->port.load(); }

HttpServerStats HttpServer::stats() const {
  const auto& c = impl_->counters;
  auto get = [](const std::atomic<uint64_t>& v) { return v.load(std::memory_order_relaxed); };
  return HttpServerStats{.connections_accepted = get(c.accepted),
                         .connections_open = get(c.open),
                         .connections_evicted = get(c.evicted),
                         .connections_refused = get(c.refused),
                         .requests = get(c.requests),
                         .rejected_malformed = get(c.malformed),
                         .rejected_too_large = get(c.too_large),
                         .rejected_busy = get(c.busy),
                         .timed_out_requests = get(c.timed_out_requests),
                         .timed_out_idle = get(c.timed_out_idle),
                         .timed_out_writes = get(c.timed_out_writes)};
}

std::string HttpServer::url() const {
  bool v6 = impl_->host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + impl_->host + "]" : impl_->host) + ":" + std::to_string(port());
}

}  // namespace tai
