#include "export/delivery/delivery_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/temp_dir_testing.h"

namespace tai::internal {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A backend the test switches off and on. Bodies starting with "bad" are
// refused for good.
class FakeBackend {
 public:
  DeliverFunction Function() {
    return [this](const std::string& url, const std::string& body) {
      std::lock_guard<std::mutex> lock(mu_);
      attempts_.push_back(Clock::now());
      if (!up_) return DeliveryAttempt{DeliveryAttempt::kRetry, retry_after_, "backend down"};
      if (body.starts_with("bad")) {
        return DeliveryAttempt{DeliveryAttempt::kRejected, milliseconds(0), "bad request"};
      }
      received_.push_back(url + " " + body);
      return DeliveryAttempt{};
    };
  }
  void SetUp(bool up, milliseconds retry_after = milliseconds(0)) {
    std::lock_guard<std::mutex> lock(mu_);
    up_ = up;
    retry_after_ = retry_after;
  }
  std::vector<std::string> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  std::vector<Clock::time_point> attempts() {
    std::lock_guard<std::mutex> lock(mu_);
    return attempts_;
  }

 private:
  std::mutex mu_;
  bool up_ = true;
  milliseconds retry_after_{0};
  std::vector<std::string> received_;
  std::vector<Clock::time_point> attempts_;
};

class DeliveryQueueTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(root_.empty()); }

  DeliveryOptions Options(size_t memory_bytes, bool spill) {
    DeliveryOptions o;
    o.memory_bytes = memory_bytes;
    if (spill) o.spill_directory = root_ + "/spool";
    o.spill_bytes = 1 << 20;
    o.initial_backoff = milliseconds(5);
    o.max_backoff = milliseconds(20);
    return o;
  }
  static std::vector<std::string> Expected(int from, int to) {
    std::vector<std::string> out;
    for (int i = from; i < to; ++i) out.push_back("u " + std::to_string(i));
    return out;
  }

  testing::TempDir dir_;
  const std::string& root_ = dir_.path();
  FakeBackend backend_;
};

TEST_F(DeliveryQueueTest, DeliversInOrder) {
  DeliveryQueue queue("test", Options(1 << 20, false), backend_.Function());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(queue.Push("u", std::to_string(i)));
  ASSERT_TRUE(queue.Flush(milliseconds(10'000)).ok());
  EXPECT_THAT(backend_.received(), ElementsAreArray(Expected(0, 100)));
  DeliveryStats s = queue.stats();
  EXPECT_EQ(s.queued, 100u);
  EXPECT_EQ(s.delivered, 100u);
  EXPECT_EQ(s.dropped, 0u);
}

// The outage holds everything, memory stays within its budget by moving
// the oldest requests to disk, and recovery sends all of them in order.
TEST_F(DeliveryQueueTest, AnOutageSpillsToDiskAndReplaysInOrder) {
  backend_.SetUp(false);
  DeliveryQueue queue("test", Options(1000, true), backend_.Function());
  const std::string padding(90, '.');
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(queue.Push("u", std::to_string(i) + padding));
  EXPECT_EQ(queue.Flush(milliseconds(50)).code(), StatusCode::kDeadlineExceeded);
  for (int i = 0; i < 200 && backend_.attempts().empty(); ++i) (void)queue.Flush(milliseconds(50));
  DeliveryStats during = queue.stats();
  EXPECT_LE(during.peak_memory_bytes, 1000u);
  EXPECT_GT(during.disk_requests, 150u);
  EXPECT_TRUE(during.backend_down);
  EXPECT_THAT(during.last_error, HasSubstr("backend down"));

  backend_.SetUp(true);
  ASSERT_TRUE(queue.Flush(milliseconds(20'000)).ok());
  std::vector<std::string> want;
  for (int i = 0; i < 200; ++i) want.push_back("u " + std::to_string(i) + padding);
  EXPECT_THAT(backend_.received(), ElementsAreArray(want));
  DeliveryStats after = queue.stats();
  EXPECT_EQ(after.delivered, 200u);
  EXPECT_EQ(after.dropped, 0u);
  EXPECT_EQ(after.disk_requests, 0u);
  EXPECT_EQ(after.replayed, after.spilled);
  EXPECT_FALSE(after.backend_down);
}

TEST_F(DeliveryQueueTest, WithoutASpillDirectoryWhatDoesNotFitIsDroppedAndCounted) {
  backend_.SetUp(false);
  DeliveryQueue queue("test", Options(100, false), backend_.Function());
  int accepted = 0;
  for (int i = 0; i < 50; ++i) accepted += queue.Push("u", std::string(9, 'x')) ? 1 : 0;
  DeliveryStats s = queue.stats();
  EXPECT_EQ(s.dropped, static_cast<uint64_t>(50 - accepted));
  EXPECT_GT(s.dropped, 0u);
  EXPECT_EQ(s.dropped_bytes, s.dropped * 10);
  EXPECT_LE(s.peak_memory_bytes, 100u);
  EXPECT_EQ(s.last_loss_error,
            "test: dropped a request: the memory budget (100 bytes) is full and there is no "
            "spill directory");
}

TEST_F(DeliveryQueueTest, ARequestTooBigForMemoryGoesToDiskOrIsDropped) {
  backend_.SetUp(false);
  DeliveryOptions options = Options(100, true);
  options.spill_bytes = 600;
  DeliveryQueue queue("test", options, backend_.Function());
  EXPECT_TRUE(queue.Push("u", std::string(300, 'a')));   // to disk: memory is empty
  EXPECT_FALSE(queue.Push("u", std::string(400, 'b')));  // the disk is full
  DeliveryStats s = queue.stats();
  EXPECT_EQ(s.disk_requests, 1u);
  EXPECT_EQ(s.dropped, 1u);
  // The sender's retries of the first request may have named the outage in
  // last_error since; the loss keeps its own reason.
  EXPECT_THAT(s.last_loss_error, HasSubstr("is full"));
}

TEST_F(DeliveryQueueTest, RejectedRequestsAreCountedAndNotRetried) {
  DeliveryQueue queue("test", Options(1 << 20, false), backend_.Function());
  ASSERT_TRUE(queue.Push("u", "0"));
  ASSERT_TRUE(queue.Push("u", "bad field"));
  ASSERT_TRUE(queue.Push("u", "1"));
  ASSERT_TRUE(queue.Flush(milliseconds(10'000)).ok());
  EXPECT_THAT(backend_.received(), ElementsAreArray(Expected(0, 2)));
  DeliveryStats s = queue.stats();
  EXPECT_EQ(s.rejected, 1u);
  EXPECT_EQ(backend_.attempts().size(), 3u);
  EXPECT_THAT(s.last_error, HasSubstr("rejected: bad request"));
  EXPECT_EQ(s.last_loss_error, s.last_error);
}

TEST_F(DeliveryQueueTest, TheServersRetryAfterIsTheShortestWait) {
  backend_.SetUp(false, milliseconds(300));
  DeliveryQueue queue("test", Options(1 << 20, false), backend_.Function());
  ASSERT_TRUE(queue.Push("u", "0"));
  // Bounded: the backend comes back after its second refusal.
  for (int i = 0; i < 200 && backend_.attempts().size() < 2; ++i) {
    (void)queue.Flush(milliseconds(50));
  }
  backend_.SetUp(true);
  ASSERT_TRUE(queue.Flush(milliseconds(10'000)).ok());
  const auto attempts = backend_.attempts();
  ASSERT_GE(attempts.size(), 3u);
  for (size_t i = 1; i < attempts.size(); ++i) {
    EXPECT_GE(attempts[i] - attempts[i - 1], milliseconds(300));
  }
}

// A restart in the middle of an outage: the first queue leaves its
// requests on disk, the next one sends them before its own.
TEST_F(DeliveryQueueTest, ShutdownDuringAnOutageKeepsRequestsForTheNextProcess) {
  backend_.SetUp(false);
  DeliveryOptions options = Options(1 << 20, true);
  options.max_backoff = milliseconds(60'000);
  {
    DeliveryQueue first("test", options, backend_.Function());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(first.Push("u", std::to_string(i)));
    const auto start = Clock::now();
    first.Shutdown(milliseconds(100));
    EXPECT_LT(Clock::now() - start, milliseconds(5'000));  // not held by the backoff
    EXPECT_EQ(first.stats().disk_requests, 10u);
    EXPECT_EQ(first.stats().dropped, 0u);
  }
  backend_.SetUp(true);
  DeliveryQueue second("test", options, backend_.Function());
  for (int i = 10; i < 15; ++i) ASSERT_TRUE(second.Push("u", std::to_string(i)));
  ASSERT_TRUE(second.Flush(milliseconds(10'000)).ok());
  EXPECT_THAT(backend_.received(), ElementsAreArray(Expected(0, 15)));
  EXPECT_EQ(second.stats().replayed, 10u);
}

TEST_F(DeliveryQueueTest, ALockedSpillDirectoryLeavesTheQueueMemoryOnly) {
  DeliveryQueue first("first", Options(1 << 20, true), backend_.Function());
  DeliveryQueue second("second", Options(1 << 20, true), backend_.Function());
  EXPECT_THAT(second.stats().last_error, HasSubstr("in use by another process"));
  // Said apart from last_error, which later failures overwrite (issue 20 #9).
  EXPECT_THAT(second.stats().spill_error, HasSubstr("in use by another process"));
  ASSERT_TRUE(second.Push("u", "0"));
  ASSERT_TRUE(second.Flush(milliseconds(10'000)).ok());
  EXPECT_THAT(backend_.received(), ElementsAreArray(Expected(0, 1)));
}

}  // namespace
}  // namespace tai::internal
