#include "tai/export/queued_network_sink.h"

#include <utility>

#include "export/delivery/delivery_queue.h"

namespace tai {

QueuedNetworkSink::QueuedNetworkSink(std::unique_ptr<internal::DeliveryQueue> queue)
    : queue_(std::move(queue)) {}

QueuedNetworkSink::~QueuedNetworkSink() = default;

DeliveryStats QueuedNetworkSink::delivery_stats() const { return queue_->stats(); }

Status QueuedNetworkSink::FlushQueue(std::chrono::milliseconds timeout) {
  return queue_->Flush(timeout);
}

void QueuedNetworkSink::ShutdownQueue(std::chrono::milliseconds deadline) {
  queue_->Shutdown(deadline);
}

bool QueuedNetworkSink::Enqueue(std::string url, std::string body) {
  return queue_->Push(std::move(url), std::move(body));
}

uint64_t QueuedNetworkSink::dropped_requests() const { return queue_->stats().dropped; }

Status QueuedNetworkSink::DroppedError(std::string_view backend, uint64_t count,
                                       std::string_view items) const {
  if (count == 0) return Status::Ok();
  return ResourceExhaustedError(std::string(backend) + ": " + std::to_string(count) + " " +
                                std::string(items) + " dropped: " + queue_->stats().last_error);
}

}  // namespace tai
