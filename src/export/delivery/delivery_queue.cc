#include "export/delivery/delivery_queue.h"

#include <algorithm>
#include <utility>

#include "core/thread_name.h"
#include "tai/core/ids.h"

namespace tai::internal {

DeliveryQueue::DeliveryQueue(std::string name, DeliveryOptions options, DeliverFunction deliver)
    : name_(std::move(name)), options_(std::move(options)), deliver_(std::move(deliver)) {
  if (!options_.spill_directory.empty()) {
    auto spool = DiskSpool::Open(options_.spill_directory, options_.spill_bytes);
    if (spool.ok()) {
      spool_ = std::move(*spool);
      next_sequence_ = spool_->max_sequence_at_open() + 1;
    } else {
      stats_.last_error =
          name_ + ": running without a spill directory: " + spool.status().message();
      stats_.spill_error = stats_.last_error;
    }
  }
  sender_ = std::thread([this] {
    internal::NameThisThread("tai-delivery");
    SenderLoop();
  });
}

DeliveryQueue::~DeliveryQueue() { Shutdown(std::chrono::milliseconds(0)); }

bool DeliveryQueue::Push(std::string url, std::string body) {
  std::lock_guard<std::mutex> lock(mu_);
  Request r{next_sequence_++, std::move(url), std::move(body), false};
  ++stats_.queued;
  if (stopping_) return PersistLocked(std::move(r));
  MakeRoomLocked(r.size());
  const bool fits = stats_.memory_bytes + r.size() <= options_.memory_bytes;
  if (fits) {
    stats_.memory_bytes += r.size();
    stats_.peak_memory_bytes = std::max(stats_.peak_memory_bytes, stats_.memory_bytes);
    memory_.push_back(std::move(r));
  } else if (memory_.empty() && spool_) {
    // Too big for memory on its own, and nothing older waits there.
    if (!PersistLocked(std::move(r))) return false;
  } else {
    CountDropLocked(r, "the memory budget (" + std::to_string(options_.memory_bytes) +
                           " bytes) is full" + (spool_ ? "" : " and there is no spill directory"));
    return false;
  }
  wake_.notify_one();
  return true;
}

void DeliveryQueue::MakeRoomLocked(size_t incoming) {
  while (spool_ && !memory_.empty() && stats_.memory_bytes + incoming > options_.memory_bytes) {
    Request& oldest = memory_.front();
    Status s = spool_->Write({oldest.sequence, oldest.url, oldest.body});
    if (!s.ok()) {
      stats_.last_error = name_ + ": " + s.message();
      return;
    }
    ++stats_.spilled;
    stats_.memory_bytes -= oldest.size();
    memory_.pop_front();
  }
}

bool DeliveryQueue::PersistLocked(Request r) {
  if (r.on_disk) return true;
  Status s =
      spool_ ? spool_->Write({r.sequence, r.url, r.body}) : UnavailableError("no spill directory");
  if (s.ok()) {
    ++stats_.spilled;
    wake_.notify_one();
    return true;
  }
  CountDropLocked(r, s.message());
  stats_.last_error = stats_.last_loss_error;
  return false;
}

void DeliveryQueue::CountDropLocked(const Request& r, const std::string& why) {
  ++stats_.dropped;
  stats_.dropped_bytes += r.size();
  stats_.last_loss_error = name_ + ": dropped a request: " + why;
}

std::optional<DeliveryQueue::Request> DeliveryQueue::TakeOldestLocked() {
  std::optional<uint64_t> on_disk = spool_ ? spool_->OldestSequence() : std::nullopt;
  if (!memory_.empty() && (!on_disk || memory_.front().sequence < *on_disk)) {
    Request r = std::move(memory_.front());
    memory_.pop_front();
    stats_.memory_bytes -= r.size();
    return r;
  }
  if (!on_disk) return std::nullopt;
  Result<SpooledRequest> read = spool_->Read(*on_disk);
  if (!read.ok()) {
    ++stats_.dropped;
    stats_.last_error = name_ + ": " + read.status().message();
    stats_.last_loss_error = stats_.last_error;
    return std::nullopt;
  }
  ++stats_.replayed;
  return Request{read->sequence, std::move(read->url), std::move(read->body), true};
}

bool DeliveryQueue::EmptyLocked() const {
  return memory_.empty() && (!spool_ || spool_->requests() == 0);
}

std::chrono::milliseconds DeliveryQueue::NextBackoff() {
  backoff_ = backoff_.count() == 0 ? options_.initial_backoff
                                   : std::min(options_.max_backoff, backoff_ * 2);
  // Half fixed, half random: spreads clients out without ever retrying at
  // once.
  const int64_t half = std::max<int64_t>(1, backoff_.count() / 2);
  return std::chrono::milliseconds(half + static_cast<int64_t>(RandomU64() % (half + 1)));
}

void DeliveryQueue::FinishLocked(const Request& r, const DeliveryAttempt& a) {
  if (r.on_disk) spool_->Remove(r.sequence);
  if (a.outcome == DeliveryAttempt::kDelivered) {
    ++stats_.delivered;
  } else {
    ++stats_.rejected;
    stats_.last_error = name_ + ": rejected: " + a.error;
    stats_.last_loss_error = stats_.last_error;
  }
  stats_.backend_down = false;
  backoff_ = std::chrono::milliseconds(0);
}

void DeliveryQueue::SenderLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  std::optional<Request> held;
  while (true) {
    if (!held) {
      wake_.wait(lock, [&] { return stopping_ || !EmptyLocked(); });
      if (stopping_) break;
      held = TakeOldestLocked();
      if (!held) continue;
      in_flight_ = true;
    }
    lock.unlock();
    DeliveryAttempt a = deliver_(held->url, held->body);
    lock.lock();
    if (a.outcome != DeliveryAttempt::kRetry) {
      FinishLocked(*held, a);
      held.reset();
      in_flight_ = false;
      drained_.notify_all();
      continue;
    }
    ++stats_.attempts_failed;
    stats_.backend_down = true;
    stats_.last_error = name_ + ": " + a.error;
    const auto wait = std::max(NextBackoff(), a.retry_after);
    if (wake_.wait_for(lock, wait, [&] { return stopping_; })) break;
  }
  // Stopping: the request in hand goes back to the spool (or is counted).
  if (held) PersistLocked(std::move(*held));
  in_flight_ = false;
  drained_.notify_all();
}

Status DeliveryQueue::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  const bool done =
      drained_.wait_for(lock, timeout, [&] { return (EmptyLocked() && !in_flight_) || stopped_; });
  if (done && EmptyLocked() && !in_flight_) return Status::Ok();
  return DeadlineExceededError(
      name_ + ": " + std::to_string(memory_.size()) + " requests in memory and " +
      std::to_string(spool_ ? spool_->requests() : 0) + " on disk not yet delivered" +
      (stats_.last_error.empty() ? "" : " (" + stats_.last_error + ")"));
}

void DeliveryQueue::Shutdown(std::chrono::milliseconds deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutting_down_) return;
    shutting_down_ = true;
  }
  (void)Flush(deadline);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (sender_.joinable()) sender_.join();
  std::lock_guard<std::mutex> lock(mu_);
  while (!memory_.empty()) {
    Request r = std::move(memory_.front());
    memory_.pop_front();
    stats_.memory_bytes -= r.size();
    PersistLocked(std::move(r));
  }
  stopped_ = true;
  drained_.notify_all();
}

DeliveryStats DeliveryQueue::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  DeliveryStats s = stats_;
  s.memory_requests = memory_.size();
  s.disk_requests = spool_ ? spool_->requests() : 0;
  s.disk_bytes = spool_ ? spool_->bytes() : 0;
  return s;
}

}  // namespace tai::internal
