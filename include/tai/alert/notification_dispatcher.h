// NotificationDispatcher: takes alerts from the alert engine and delivers
// them to the notifiers it owns, each from its own thread, so a receiver
// that is slow or down delays nothing but itself. Enqueue never blocks: each
// notifier has a bounded queue whose overflow is dropped and counted. A
// worker sends what is queued in batches, waits out the notifier's
// min_send_interval (Slack), retries retryable failures with exponential
// backoff and jitter (at least the receiver's Retry-After) up to
// max_attempts, then gives up and counts it. Every attempt is reported
// through on_attempt, so the store can keep it.
//
// Owned by the alert engine or the application. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tai/alert/alert.h"
#include "tai/alert/notifier.h"
#include "tai/core/status.h"
#include "tai/store/alert_records.h"

namespace tai {

struct NotificationDispatcherOptions {
  size_t max_queue = 1000;  // alerts waiting per notifier; more are dropped and counted
  size_t max_batch = 64;    // alerts per Send
  int max_attempts = 5;     // Sends of one batch, the first included
  std::chrono::milliseconds initial_backoff{1'000};  // before the first retry
  std::chrono::milliseconds max_backoff{60'000};     // cap of the doubling backoff
  // Only changes are sent: a firing alert once until it resolves (repeats
  // are counted as suppressed; one the receiver refused is sent again), and
  // its resolution. Off: every firing Enqueue is sent; the engine decides
  // the repeat interval.
  bool notify_only_new_firing = false;
  // Called for every Send of every alert, from the notifier's thread, with no
  // lock held: must be thread-safe and quick (the store queues it).
  std::function<void(const NotificationAttempt&)> on_attempt;

  // Tests: the clock the rate limit and backoff are measured on (default
  // MonotonicNanos), the wall clock of NotificationAttempt::time_nanos
  // (default WallNanos), and a sleep that replaces the worker's waits
  // (default: a wait that Shutdown cuts short). Called from worker threads.
  std::function<int64_t()> monotonic_nanos;
  std::function<int64_t()> wall_nanos;
  std::function<void(std::chrono::milliseconds)> sleep_for;
};

struct NotifierStats {
  std::string name;
  std::string description;  // Notifier::Describe(): no secrets
  uint64_t enqueued = 0;    // alerts accepted into the queue
  uint64_t sent = 0;        // alerts the receiver accepted
  uint64_t failed = 0;      // alerts given up on: a permanent error or max_attempts
  uint64_t dropped = 0;     // alerts never sent: full queue, Shutdown's deadline
  uint64_t suppressed = 0;  // repeats of a firing alert (notify_only_new_firing)
  uint64_t requests = 0;    // Send calls
  uint64_t retried = 0;     // Send calls that were retries
  size_t queued = 0;        // alerts waiting now
  std::string last_error;   // of the last failed Send; no secrets
};

struct NotificationDispatcherStats {
  std::vector<NotifierStats> notifiers;
  uint64_t unknown_channels = 0;  // channel names no notifier has (not ours: ignored)
  uint64_t not_notifiable = 0;    // alerts Enqueued in a state other than firing or resolved
};

class NotificationDispatcher {
 public:
  // Fails when a notifier is null, two share a name, or an option is out of range.
  static Result<std::unique_ptr<NotificationDispatcher>> Create(
      std::vector<std::unique_ptr<Notifier>> notifiers, NotificationDispatcherOptions options = {});
  // Shutdown(0) unless Shutdown ran: what is still queued is dropped.
  ~NotificationDispatcher();
  NotificationDispatcher(const NotificationDispatcher&) = delete;
  NotificationDispatcher& operator=(const NotificationDispatcher&) = delete;

  // Queues a firing or resolved alert for the notifiers named in `channels`
  // (all when empty; names that are not ours, such as a Cloud Monitoring
  // channel, are counted and ignored). Returns how many queues took it.
  // Never blocks; after Shutdown, drops and counts.
  size_t Enqueue(const Alert& alert, const std::vector<std::string>& channels);

  // Waits until every queue is empty and no Send is running, or `deadline`
  // passes; true when idle.
  bool Flush(std::chrono::milliseconds deadline);

  // Stops taking alerts, delivers what is queued within `deadline`, then
  // cancels Sends in progress, drops what is left (counted) and joins the
  // workers. Idempotent.
  void Shutdown(std::chrono::milliseconds deadline);

  NotificationDispatcherStats stats() const;
  std::vector<std::string> notifier_names() const;

 private:
  struct Worker;
  NotificationDispatcher(std::vector<std::unique_ptr<Notifier>> notifiers,
                         NotificationDispatcherOptions options);

  const NotificationDispatcherOptions options_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<uint64_t> unknown_channels_{0};
  std::atomic<uint64_t> not_notifiable_{0};
  std::atomic<bool> shut_down_{false};
};

}  // namespace tai
