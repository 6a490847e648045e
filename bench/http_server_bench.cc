// The embedded HTTP server against cpp-httplib, the server it replaced, in
// one process with the same clients (libcurl and cpp-httplib's, one
// kept-alive connection per client thread) and the same handler: a 4 KiB text answer, about what
// /metrics serves for a small service.
//
//  - Throughput: requests per second with 1 and 4 client threads.
//  - /metrics beside slow clients: 16 connections that each sent half a
//    request and wait; then one client asks for /metrics (1 s timeout).
//    cpp-httplib gives each connection a pool thread until it has read a
//    whole request, so 16 such clients hold its pool; the embedded server
//    reads them on its event thread and has a worker for /metrics.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "export/http/http_client.h"
#include "tai/web/http_server.h"

namespace {

const std::string& Body() {
  static const std::string body = [] {
    std::string b;
    for (int i = 0; b.size() < 4096; ++i) {
      b += "http_requests_total{route=\"/r" + std::to_string(i) + "\"} " + std::to_string(i) + "\n";
    }
    return b;
  }();
  return body;
}

// A running server of either kind on 127.0.0.1, answering GET /metrics.
class Server {
 public:
  virtual ~Server() = default;
  virtual int port() const = 0;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/metrics"; }
};

class EmbeddedServer : public Server {
 public:
  EmbeddedServer() : server_(tai::HttpServerOptions{.reserved_paths = {"/metrics"}}) {
    server_.Handle("GET", "/metrics",
                   [](const tai::HttpRequest&, tai::HttpResponse& w) { w.body = Body(); });
    if (!server_.Start().ok()) std::abort();
  }
  int port() const override { return server_.port(); }

 private:
  tai::HttpServer server_;
};

class HttplibServer : public Server {
 public:
  HttplibServer() {
    // Without it its answer waits on the client's delayed ACK (~30 req/s).
    server_.set_tcp_nodelay(true);
    server_.Get("/metrics", [](const httplib::Request&, httplib::Response& w) {
      w.set_content(Body(), "text/plain; charset=utf-8");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // Bounded: listen_after_bind sets it at once.
    for (int i = 0; i < 10'000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~HttplibServer() override {
    server_.stop();
    thread_.join();
  }
  int port() const override { return port_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// The two clients: libcurl (the library's own HttpClient) and
// cpp-httplib's, each keeping its connection alive. True for a full answer.
struct CurlClient {
  explicit CurlClient(const Server& s) : url(s.url()) {}
  bool Get() {
    auto r = http.Send({.method = "GET", .url = url});
    return r.ok() && r->status == 200 && r->body.size() == Body().size();
  }
  std::string url;
  tai::internal::HttpClient http;
};
struct HttplibClient {
  explicit HttplibClient(const Server& s) : http("127.0.0.1", s.port()) {
    http.set_keep_alive(true);
    http.set_tcp_nodelay(true);
  }
  bool Get() {
    auto r = http.Get("/metrics");
    return r && r->status == 200 && r->body.size() == Body().size();
  }
  httplib::Client http;
};

template <typename S, typename C>
void BM_Throughput(benchmark::State& state) {
  S server;
  const int clients = static_cast<int>(state.range(0));
  constexpr int kRequestsPerClient = 200;
  std::vector<std::unique_ptr<C>> http(clients);
  for (auto& c : http) c = std::make_unique<C>(server);
  int64_t failed = 0;
  for (auto _ : state) {
    std::vector<std::thread> threads;
    std::vector<int64_t> failures(clients, 0);
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        for (int i = 0; i < kRequestsPerClient; ++i) failures[c] += http[c]->Get() ? 0 : 1;
      });
    }
    for (auto& t : threads) t.join();
    for (int64_t f : failures) failed += f;
  }
  state.SetItemsProcessed(state.iterations() * clients * kRequestsPerClient);
  state.counters["failed"] = static_cast<double>(failed);
}
BENCHMARK_TEMPLATE(BM_Throughput, EmbeddedServer, CurlClient)->Arg(1)->Arg(4)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Throughput, HttplibServer, CurlClient)->Arg(1)->Arg(4)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Throughput, EmbeddedServer, HttplibClient)->Arg(1)->Arg(4)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Throughput, HttplibServer, HttplibClient)->Arg(1)->Arg(4)->UseRealTime();

// A connection that sent the start of a request and stops there.
int HalfRequest(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    constexpr std::string_view kStart = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    (void)!::write(fd, kStart.data(), kStart.size());
  }
  return fd;
}

template <typename S>
void BM_MetricsBesideSlowClients(benchmark::State& state) {
  S server;
  tai::internal::HttpClient http;
  int64_t answered = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<int> slow;
    for (int i = 0; i < 16; ++i) slow.push_back(HalfRequest(server.port()));
    // Lets the servers take the connections before the timed request.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    state.ResumeTiming();
    auto r = http.Send(
        {.method = "GET", .url = server.url(), .timeout = std::chrono::milliseconds(1000)});
    if (r.ok() && r->status == 200) ++answered;
    state.PauseTiming();
    for (int fd : slow) ::close(fd);
    state.ResumeTiming();
  }
  state.counters["answered_pct"] =
      100.0 * static_cast<double>(answered) / static_cast<double>(state.iterations());
}
BENCHMARK_TEMPLATE(BM_MetricsBesideSlowClients, EmbeddedServer)
    ->Iterations(10)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_MetricsBesideSlowClients, HttplibServer)
    ->Iterations(10)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
