// QueuedNetworkSink: what every network exporter (OTLP, Google Cloud) has
// in common, so that an exporter writes only its encoder. It owns the
// exporter's delivery queue (ordered, bounded, spilling to disk: see
// tai/export/delivery_options.h), flushes it and shuts it down, reports its
// figures as a DeliveryStatsSource, and words the error for what the queue
// had to drop.
//
// An exporter derives from it and from its signal's sink interface
// (SpanSink, MetricSink, LogSink), turns each batch into requests and
// Enqueue()s them; its Flush forwards to FlushQueue. The queue owns
// whatever sends its requests (an HTTP client, a Google API client), so
// the sender never outlives what it uses: the base is destroyed, and the
// sender stopped, after the exporter's own members.
//
// Owned with the exporter that derives from it. Thread-safe: the queue is,
// and this class adds no state of its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tai/core/status.h"
#include "tai/export/delivery_options.h"
#include "tai/export/delivery_stats_source.h"

namespace tai {

namespace internal {
class DeliveryQueue;
}

class QueuedNetworkSink : public DeliveryStatsSource {
 public:
  // Shuts the queue down with no deadline: what was not sent goes to the
  // spill directory, or is dropped and counted without one.
  ~QueuedNetworkSink() override;
  QueuedNetworkSink(const QueuedNetworkSink&) = delete;
  QueuedNetworkSink& operator=(const QueuedNetworkSink&) = delete;

  DeliveryStats delivery_stats() const override;

  // Waits until every request queued so far is delivered or rejected;
  // DEADLINE_EXCEEDED, saying what is left, when `timeout` passes first.
  Status FlushQueue(std::chrono::milliseconds timeout);
  // Flushes within `deadline`, then stops the sender; what is left goes to
  // the spill directory, or is dropped and counted. Idempotent; requests
  // enqueued afterwards go straight to the spill directory.
  void ShutdownQueue(std::chrono::milliseconds deadline);

 protected:
  explicit QueuedNetworkSink(std::unique_ptr<internal::DeliveryQueue> queue);

  // Queues one encoded request; false when it fit neither in memory nor on
  // disk (the queue counts it and keeps the reason as last_error).
  bool Enqueue(std::string url, std::string body);
  // Requests the queue has dropped since it was made.
  uint64_t dropped_requests() const;
  // OK when `count` is 0; else RESOURCE_EXHAUSTED with what was lost and
  // the queue's last error: "<backend>: <count> <items> dropped: <error>".
  Status DroppedError(std::string_view backend, uint64_t count, std::string_view items) const;

 private:
  const std::unique_ptr<internal::DeliveryQueue> queue_;
};

}  // namespace tai
