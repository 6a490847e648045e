// The demo's two peers on 127.0.0.1: a load generator that drives the
// payment service through libcurl with traced, measured client requests
// (so each trace starts at the client and crosses into the service), and a
// webhook receiver that takes the alert engine's notifications (the
// Alertmanager webhook payload), prints them and keeps them for
// GET /received.
//
// Owned by the demo command. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tai/core/status.h"
#include "tai/observability.h"
#include "tai/web/http_server.h"

namespace taiobs {

class LoadGenerator {
 public:
  // `rate` requests a second over `threads` threads: 80% POST /pay, the
  // rest GET /orders/:id.
  LoadGenerator(tai::Observability& obs, std::string service_url, double rate, int threads = 8);
  ~LoadGenerator();  // stops and joins
  void Stop();
  uint64_t sent() const { return sent_.load(); }
  uint64_t failed() const { return failed_.load(); }  // 5xx or no answer

 private:
  void Run(int index, double per_thread_rate);

  tai::Observability& obs_;
  const std::string url_;
  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> failed_{0};
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

class WebhookReceiver {
 public:
  struct Notification {
    std::string status;  // "firing" or "resolved"
    std::string alertname;
    std::string severity;
    std::string summary;
  };
  static tai::Result<std::unique_ptr<WebhookReceiver>> Start();
  // Where the alert engine should post: ".../alerts".
  std::string url() const { return server_.url() + "/alerts"; }
  std::vector<Notification> received() const;

 private:
  WebhookReceiver() = default;
  void Take(const std::string& body);

  tai::HttpServer server_;
  mutable std::mutex mu_;
  std::vector<Notification> received_;
};

}  // namespace taiobs
