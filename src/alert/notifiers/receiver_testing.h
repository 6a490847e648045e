// Test support: a loopback stand-in for a notification receiver (Slack,
// PagerDuty, a webhook, Alertmanager) on 127.0.0.1. It records every request
// body, answers from a script of (status, Retry-After, body) and then with
// `ok_status`, and lets a test wait for the n-th request with a deadline.
//
// Thread-safe: the server's threads record, the test reads.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tai/web/http_server.h"

namespace tai::testing {

struct ScriptedAnswer {
  int status = 200;
  std::string retry_after;  // the Retry-After header, when not empty
  std::string body;
};

class ScriptedReceiver {
 public:
  // Serves POST `path` (a route of HttpServer: a trailing "*" matches the rest).
  explicit ScriptedReceiver(const std::string& path, int ok_status = 200) : ok_status_(ok_status) {
    server_.Handle("POST", path, [this](const HttpRequest& request, HttpResponse& response) {
      std::lock_guard lock(mu_);
      bodies_.push_back(request.body);
      paths_.push_back(request.path);
      ScriptedAnswer answer{.status = ok_status_};
      if (!script_.empty()) {
        answer = script_.front();
        script_.pop_front();
      }
      response.status = answer.status;
      response.body = answer.body;
      if (!answer.retry_after.empty()) response.SetHeader("Retry-After", answer.retry_after);
      arrived_.notify_all();
    });
    EXPECT_TRUE(server_.Start().ok());
  }

  std::string url() const { return server_.url(); }

  void Script(std::vector<ScriptedAnswer> answers) {
    std::lock_guard lock(mu_);
    script_.insert(script_.end(), answers.begin(), answers.end());
  }

  // True once `n` requests have arrived, false after `deadline`.
  bool WaitForRequests(size_t n, std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return arrived_.wait_for(lock, deadline, [&] { return bodies_.size() >= n; });
  }

  size_t count() {
    std::lock_guard lock(mu_);
    return bodies_.size();
  }
  std::string body(size_t i) {
    std::lock_guard lock(mu_);
    return i < bodies_.size() ? bodies_[i] : "";
  }
  nlohmann::json json(size_t i) { return nlohmann::json::parse(body(i), nullptr, false); }
  std::string path(size_t i) {
    std::lock_guard lock(mu_);
    return i < paths_.size() ? paths_[i] : "";
  }

 private:
  const int ok_status_;
  std::mutex mu_;
  std::condition_variable arrived_;
  std::deque<ScriptedAnswer> script_;
  std::vector<std::string> bodies_;
  std::vector<std::string> paths_;
  HttpServer server_;  // last: stopped before the fields its handler uses go
};

}  // namespace tai::testing
