#include "tai/export/queued_network_sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "export/delivery/delivery_metrics.h"
#include "export/delivery/delivery_queue.h"
#include "tai/export/prometheus_text.h"
#include "tai/metrics/metric_registry.h"

namespace tai {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The smallest exporter: one request per item, sent to a backend the test
// switches on and off. What every real exporter adds is its encoder.
class ItemSink : public QueuedNetworkSink {
 public:
  static std::shared_ptr<ItemSink> Make(DeliveryOptions options) {
    auto backend = std::make_shared<Backend>();
    return std::shared_ptr<ItemSink>(new ItemSink(std::move(options), backend));
  }
  std::string name() const override { return "items"; }

  // Queues each item; what the queue could not take is the error.
  Status Send(const std::vector<std::string>& items) {
    uint64_t dropped = 0;
    for (const std::string& item : items) dropped += Enqueue("http://backend/items", item) ? 0 : 1;
    return DroppedError("Items", dropped, "items");
  }
  void SetBackendUp(bool up) { backend_->up = up; }
  std::vector<std::string> received() const {
    std::lock_guard<std::mutex> lock(backend_->mu);
    return backend_->received;
  }

 private:
  // Shared with the queue's sender, which may outlive nothing it uses.
  struct Backend {
    std::atomic<bool> up{true};
    mutable std::mutex mu;
    std::vector<std::string> received;
  };
  ItemSink(DeliveryOptions options, std::shared_ptr<Backend> backend)
      : QueuedNetworkSink(std::make_unique<internal::DeliveryQueue>(
            "items", std::move(options),
            [backend](const std::string&, const std::string& body) {
              if (!backend->up) {
                return internal::DeliveryAttempt{internal::DeliveryAttempt::kRetry, milliseconds(0),
                                                 "backend down"};
              }
              std::lock_guard<std::mutex> lock(backend->mu);
              backend->received.push_back(body);
              return internal::DeliveryAttempt{};
            })),
        backend_(std::move(backend)) {}

  const std::shared_ptr<Backend> backend_;
};

DeliveryOptions FastRetries(size_t memory_bytes = 1 << 20) {
  return {.memory_bytes = memory_bytes,
          .initial_backoff = milliseconds(1),
          .max_backoff = milliseconds(5)};
}

TEST(QueuedNetworkSinkTest, FlushWaitsUntilEveryRequestIsDeliveredInOrder) {
  auto sink = ItemSink::Make(FastRetries());
  sink->SetBackendUp(false);
  ASSERT_TRUE(sink->Send({"a", "b", "c"}).ok());
  sink->SetBackendUp(true);
  ASSERT_TRUE(sink->FlushQueue(milliseconds(10'000)).ok());
  EXPECT_THAT(sink->received(), ElementsAre("a", "b", "c"));
}

TEST(QueuedNetworkSinkTest, FlushSaysWhatIsLeftWhenTheBackendStaysDown) {
  auto sink = ItemSink::Make(FastRetries());
  sink->SetBackendUp(false);
  ASSERT_TRUE(sink->Send({"a"}).ok());
  while (sink->delivery_stats().attempts_failed == 0) std::this_thread::yield();
  const Status flushed = sink->FlushQueue(milliseconds(50));
  EXPECT_EQ(flushed.code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(flushed.message(), HasSubstr("not yet delivered"));
  EXPECT_THAT(flushed.message(), HasSubstr("backend down"));
}

TEST(QueuedNetworkSinkTest, ADropIsCountedAndReportedWithTheLastError) {
  // Memory for one item, a backend that stays down for the test's length:
  // the first item waits (in flight), the next fills memory, the rest drop.
  DeliveryOptions options = FastRetries(/*memory_bytes=*/30);
  options.initial_backoff = options.max_backoff = std::chrono::hours(1);
  auto sink = ItemSink::Make(options);
  sink->SetBackendUp(false);
  ASSERT_TRUE(sink->Send({"first"}).ok());
  while (sink->delivery_stats().attempts_failed == 0) std::this_thread::yield();
  const Status sent = sink->Send({"second", "third", "fourth"});
  const DeliveryStats stats = sink->delivery_stats();
  ASSERT_GE(stats.dropped, 1u);
  EXPECT_EQ(sent, ResourceExhaustedError("Items: " + std::to_string(stats.dropped) +
                                         " items dropped: items: backend down"));
  EXPECT_EQ(stats.last_error, "items: backend down");
  EXPECT_TRUE(stats.backend_down);
}

TEST(QueuedNetworkSinkTest, AfterShutdownWithoutASpillDirectoryEverythingDrops) {
  auto sink = ItemSink::Make(FastRetries());
  ASSERT_TRUE(sink->Send({"a"}).ok());
  sink->ShutdownQueue(milliseconds(10'000));
  sink->ShutdownQueue(milliseconds(10'000));  // idempotent
  EXPECT_THAT(sink->received(), ElementsAre("a"));
  EXPECT_EQ(sink->Send({"b", "c"}),
            ResourceExhaustedError(
                "Items: 2 items dropped: items: dropped a request: no spill directory"));
  EXPECT_EQ(sink->delivery_stats().dropped, 2u);
}

TEST(QueuedNetworkSinkTest, StatsAreReadThroughTheInterface) {
  auto sink = ItemSink::Make(FastRetries());
  ASSERT_TRUE(sink->Send({"a", "b"}).ok());
  ASSERT_TRUE(sink->FlushQueue(milliseconds(10'000)).ok());
  const DeliveryStatsSource& source = *sink;
  EXPECT_EQ(source.name(), "items");
  const DeliveryStats stats = source.delivery_stats();
  EXPECT_EQ(stats.queued, 2u);
  EXPECT_EQ(stats.delivered, 2u);
  EXPECT_EQ(stats.dropped + stats.rejected, 0u);
}

TEST(QueuedNetworkSinkTest, SelfMetricsReadEverySourceByItsName) {
  auto sink = ItemSink::Make(FastRetries());
  ASSERT_TRUE(sink->Send({"a", "b", "c"}).ok());
  ASSERT_TRUE(sink->FlushQueue(milliseconds(10'000)).ok());
  MetricRegistry registry;
  const std::vector<uint64_t> ids = internal::RegisterDeliveryMetrics(registry, {sink});
  EXPECT_EQ(ids.size(), 4u);
  std::string text;
  WritePrometheusText(*registry.Collect(), {}, &text);
  EXPECT_THAT(text, HasSubstr("tai_export_requests_total{outcome=\"delivered\",sink=\"items\"} 3"));
  for (uint64_t id : ids) registry.RemoveCallback(id);
}

}  // namespace
}  // namespace tai
