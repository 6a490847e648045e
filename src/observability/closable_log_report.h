// Internal: hands a background thread's error messages (the store writer's
// on_error) to one of the library's loggers until Close(), and to stderr
// after it. The store's writer can outlive the log pipeline's Stop (sinks
// share the store), so the logger is used only while it is open, under a
// lock that Close() also takes.
//
// Shared by Observability and the callback it gives out. Thread-safe.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "tai/log/log.h"

namespace tai::internal {

class ClosableLogReport {
 public:
  explicit ClosableLogReport(Logger* logger) : logger_(logger) {}

  void Report(const std::string& message) {
    std::lock_guard<std::mutex> lock(mu_);
    if (logger_ != nullptr) {
      TAI_LOG_ERROR(*logger_, "{}", message);
    } else {
      std::fprintf(stderr, "%s\n", message.c_str());
    }
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    logger_ = nullptr;
  }

 private:
  std::mutex mu_;
  Logger* logger_;  // null once closed
};

}  // namespace tai::internal
