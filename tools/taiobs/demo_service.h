// The demo's payment service: a small HTTP service in the spirit of the
// original design's payment example, instrumented through the public API
// only. POST /pay validates the card, takes the account lock, queries the
// (simulated) orders database, calls the cache, serializes a receipt and
// keeps its rendered document in a bounded cache (what the heap profile
// shows); GET /orders/:id reads one order. Each step is a child span, the work is
// real CPU in functions the profiler can name, and errors are logged inside
// the request's span so the logs carry its trace id.
//
// The incident (the original design's "missing index"): while it is on,
// demo_query_orders scans every order instead of using the index, so /pay
// gets slow and times out more often. POST /admin/incident and
// /admin/resolve switch it.
//
// Owned by the demo command. Thread-safe: handlers run on the server's
// workers.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "tai/core/status.h"
#include "tai/observability.h"
#include "tai/web/http_server.h"

namespace taiobs {

class DemoService {
 public:
  // Serves on `address` ("127.0.0.1:0": a free port).
  static tai::Result<std::unique_ptr<DemoService>> Start(tai::Observability& obs,
                                                         const std::string& address);
  ~DemoService();

  std::string url() const { return server_.url(); }
  void SetIncident(bool on);
  bool incident() const { return incident_.load(); }

 private:
  DemoService(tai::Observability& obs, const std::string& address);
  void Pay(const tai::HttpRequest& request, tai::HttpResponse& response);
  void GetOrder(const tai::HttpRequest& request, tai::HttpResponse& response);
  void KeepReceipt(std::string receipt);
  tai::Observability& obs_;
  tai::Logger& log_;
  tai::HttpServer server_;
  std::atomic<bool> incident_{false};
  std::mutex account_lock_;           // "take the lock": held while the order is written
  std::mutex receipts_mu_;            // guards receipts_
  std::deque<std::string> receipts_;  // the newest kKeptReceipts rendered receipts
};

}  // namespace taiobs
