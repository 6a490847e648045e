#include "tai/metrics/metric_sink.h"

namespace tai {

Status InMemoryMetricSink::Export(std::shared_ptr<const MetricBatch> batch) {
  std::lock_guard<std::mutex> lock(mu_);
  batches_.push_back(std::move(batch));
  while (batches_.size() > keep_) batches_.pop_front();
  ++exported_;
  return Status::Ok();
}

std::vector<std::shared_ptr<const MetricBatch>> InMemoryMetricSink::batches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {batches_.begin(), batches_.end()};
}

std::shared_ptr<const MetricBatch> InMemoryMetricSink::last() const {
  std::lock_guard<std::mutex> lock(mu_);
  return batches_.empty() ? nullptr : batches_.back();
}

size_t InMemoryMetricSink::exported() const {
  std::lock_guard<std::mutex> lock(mu_);
  return exported_;
}

}  // namespace tai
