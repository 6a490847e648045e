#include "tai/log/log_sink.h"

namespace tai {

Status InMemoryLogSink::Export(const LogBatch& batch) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const LogRecord& r : batch.records) {
    records_.push_back(r);
    if (records_.size() > keep_) records_.pop_front();
  }
  exported_ += batch.records.size();
  ++batches_;
  return Status::Ok();
}

std::vector<LogRecord> InMemoryLogSink::records() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {records_.begin(), records_.end()};
}

size_t InMemoryLogSink::exported() const {
  std::lock_guard<std::mutex> lock(mu_);
  return exported_;
}

size_t InMemoryLogSink::batches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return batches_;
}

void InMemoryLogSink::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  records_.clear();
}

}  // namespace tai
