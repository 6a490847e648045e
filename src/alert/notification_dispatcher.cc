#include "tai/alert/notification_dispatcher.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "core/thread_name.h"
#include "tai/core/clock.h"
#include "tai/core/ids.h"

namespace tai {
namespace {

using std::chrono::milliseconds;

bool Notifiable(AlertState state) {
  return state == AlertState::kFiring || state == AlertState::kResolved;
}

// Half the backoff plus a uniform share of the other half: clients spread
// out, and no retry follows its failure at once.
milliseconds Jittered(milliseconds backoff) {
  const int64_t half = backoff.count() / 2;
  return milliseconds(half + static_cast<int64_t>(RandomU64() % static_cast<uint64_t>(half + 1)));
}

}  // namespace

// One notifier, its queue and the thread that sends it. The mutex guards
// every field below it; Send runs without it.
struct NotificationDispatcher::Worker {
  struct Queued {
    Alert alert;
    std::string fingerprint;
  };

  Worker(std::unique_ptr<Notifier> n, const NotificationDispatcherOptions& o)
      : notifier(std::move(n)), options(o) {
    stats.name = notifier->name();
    stats.description = notifier->Describe();
  }

  const std::unique_ptr<Notifier> notifier;
  const NotificationDispatcherOptions& options;

  std::mutex mu;
  std::condition_variable wake;  // work arrived, or stop
  std::condition_variable idle;  // the queue emptied and no Send runs
  std::deque<Queued> queue;
  bool busy = false;  // a batch is out of the queue and not yet finished
  bool stop = false;
  bool sent_before = false;
  int64_t last_send_nanos = 0;  // monotonic, when the last Send began
  // notify_only_new_firing: the alerts whose firing was queued.
  std::unordered_set<std::string> firing;
  NotifierStats stats;
  std::thread thread;

  int64_t Now() const {
    return options.monotonic_nanos ? options.monotonic_nanos() : MonotonicNanos();
  }

  // Called with `mu` held; false when the alert was not queued.
  bool Push(const Alert& alert, const std::string& fingerprint);
  void Run();
  std::vector<Queued> TakeBatch();
  void Deliver(std::unique_lock<std::mutex>& lock, const std::vector<Queued>& batch);
  // `wall_nanos`: when the Send began.
  void Report(const std::vector<Queued>& batch, int attempt, int64_t wall_nanos,
              const NotifyOutcome& outcome) const;
  // Waits `d`, cut short by stop; false when stopping.
  bool WaitFor(std::unique_lock<std::mutex>& lock, milliseconds d);
  // Waits until the notifier's min_send_interval has passed since the last Send.
  bool WaitForInterval(std::unique_lock<std::mutex>& lock);
};

bool NotificationDispatcher::Worker::Push(const Alert& alert, const std::string& fingerprint) {
  const bool resolved = alert.state == AlertState::kResolved;
  if (options.notify_only_new_firing && !resolved && firing.contains(fingerprint)) {
    ++stats.suppressed;
    return false;
  }
  if (queue.size() >= options.max_queue) {
    // A full queue gives way to a resolution: the oldest firing alert goes,
    // so a receiver is never left with an incident nobody closes.
    auto oldest_firing = std::find_if(queue.begin(), queue.end(), [](const Queued& q) {
      return q.alert.state != AlertState::kResolved;
    });
    if (!resolved || oldest_firing == queue.end()) {
      ++stats.dropped;
      return false;
    }
    firing.erase(oldest_firing->fingerprint);
    queue.erase(oldest_firing);
    ++stats.dropped;
  }
  if (options.notify_only_new_firing) {
    if (resolved) {
      firing.erase(fingerprint);
    } else {
      firing.insert(fingerprint);
    }
  }
  queue.push_back({alert, fingerprint});
  ++stats.enqueued;
  wake.notify_one();
  return true;
}

void NotificationDispatcher::Worker::Run() {
  std::unique_lock lock(mu);
  for (;;) {
    wake.wait(lock, [&] { return stop || !queue.empty(); });
    if (stop) break;  // Shutdown counts what is left
    busy = true;
    // Wait out the rate limit first: what arrives meanwhile joins the batch.
    if (!WaitForInterval(lock)) {
      busy = false;
      break;
    }
    std::vector<Queued> batch = TakeBatch();
    Deliver(lock, batch);
    busy = false;
    if (queue.empty()) idle.notify_all();
  }
  idle.notify_all();
}

std::vector<NotificationDispatcher::Worker::Queued> NotificationDispatcher::Worker::TakeBatch() {
  // One state per alert a batch: its firing and its resolution go in order,
  // in two Sends.
  std::vector<Queued> batch;
  std::unordered_set<std::string> in_batch;
  const size_t limit = notifier->max_batch() == 0
                           ? options.max_batch
                           : std::min(options.max_batch, notifier->max_batch());
  while (!queue.empty() && batch.size() < limit &&
         in_batch.insert(queue.front().fingerprint).second) {
    batch.push_back(std::move(queue.front()));
    queue.pop_front();
  }
  return batch;
}

void NotificationDispatcher::Worker::Deliver(std::unique_lock<std::mutex>& lock,
                                             const std::vector<Queued>& batch) {
  std::vector<Alert> alerts;
  alerts.reserve(batch.size());
  for (const Queued& q : batch) alerts.push_back(q.alert);
  milliseconds backoff = options.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1 && !WaitForInterval(lock)) {
      stats.dropped += batch.size();
      return;
    }
    ++stats.requests;
    if (attempt > 1) ++stats.retried;
    last_send_nanos = Now();
    sent_before = true;
    const int64_t wall = options.wall_nanos ? options.wall_nanos() : WallNanos();
    lock.unlock();
    NotifyOutcome outcome = notifier->Send(alerts);
    Report(batch, attempt, wall, outcome);
    lock.lock();
    if (outcome.status.ok()) {
      stats.sent += batch.size();
      return;
    }
    stats.last_error = outcome.status.message();
    if (stop) {  // cancelled by Shutdown
      stats.dropped += batch.size();
      return;
    }
    if (!outcome.retryable || attempt >= options.max_attempts) {
      stats.failed += batch.size();
      // Undelivered news stays news: the next firing of these alerts is sent.
      for (const Queued& q : batch) {
        if (q.alert.state != AlertState::kResolved) firing.erase(q.fingerprint);
      }
      return;
    }
    if (!WaitFor(lock, std::max(Jittered(backoff), outcome.retry_after))) {
      stats.dropped += batch.size();
      return;
    }
    backoff = std::min(options.max_backoff, backoff * 2);
  }
}

void NotificationDispatcher::Worker::Report(const std::vector<Queued>& batch, int attempt,
                                            int64_t wall_nanos,
                                            const NotifyOutcome& outcome) const {
  if (!options.on_attempt) return;
  for (const Queued& q : batch) {
    options.on_attempt({.time_nanos = wall_nanos,
                        .notifier = notifier->name(),
                        .fingerprint = q.fingerprint,
                        .rule_id = q.alert.rule_id,
                        .state = std::string(AlertStateName(q.alert.state)),
                        .attempt = attempt,
                        .ok = outcome.status.ok(),
                        .http_status = outcome.http_status,
                        .error = outcome.status.message()});
  }
}

bool NotificationDispatcher::Worker::WaitFor(std::unique_lock<std::mutex>& lock, milliseconds d) {
  if (stop) return false;
  if (d.count() <= 0) return true;
  if (options.sleep_for) {
    lock.unlock();
    options.sleep_for(d);
    lock.lock();
  } else {
    wake.wait_for(lock, d, [&] { return stop; });
  }
  return !stop;
}

bool NotificationDispatcher::Worker::WaitForInterval(std::unique_lock<std::mutex>& lock) {
  const int64_t interval =
      std::chrono::duration_cast<std::chrono::nanoseconds>(notifier->min_send_interval()).count();
  if (interval <= 0 || !sent_before) return !stop;
  for (;;) {
    const int64_t left = last_send_nanos + interval - Now();
    if (left <= 0) return !stop;
    if (!WaitFor(lock, milliseconds((left + 999'999) / 1'000'000))) return false;
  }
}

// ---- the dispatcher ----------------------------------------------------------

Result<std::unique_ptr<NotificationDispatcher>> NotificationDispatcher::Create(
    std::vector<std::unique_ptr<Notifier>> notifiers, NotificationDispatcherOptions options) {
  if (options.max_queue == 0)
    return InvalidArgumentError("notification dispatcher: max_queue is 0");
  if (options.max_batch == 0)
    return InvalidArgumentError("notification dispatcher: max_batch is 0");
  if (options.max_attempts < 1) {
    return InvalidArgumentError("notification dispatcher: max_attempts " +
                                std::to_string(options.max_attempts) + " is less than 1");
  }
  if (options.initial_backoff.count() < 0 || options.max_backoff < options.initial_backoff) {
    return InvalidArgumentError(
        "notification dispatcher: backoffs must satisfy 0 <= initial_backoff <= max_backoff");
  }
  std::unordered_set<std::string> names;
  for (const auto& notifier : notifiers) {
    if (notifier == nullptr)
      return InvalidArgumentError("notification dispatcher: a notifier is null");
    if (!names.insert(notifier->name()).second) {
      return InvalidArgumentError("notification dispatcher: two notifiers are named '" +
                                  notifier->name() + "'");
    }
  }
  return std::unique_ptr<NotificationDispatcher>(
      new NotificationDispatcher(std::move(notifiers), std::move(options)));
}

NotificationDispatcher::NotificationDispatcher(std::vector<std::unique_ptr<Notifier>> notifiers,
                                               NotificationDispatcherOptions options)
    : options_(std::move(options)) {
  for (auto& notifier : notifiers) {
    workers_.push_back(std::make_unique<Worker>(std::move(notifier), options_));
  }
  for (auto& worker : workers_) worker->thread = std::thread([w = worker.get()] {
      internal::NameThisThread("tai-notify");
      w->Run();
    });
}

NotificationDispatcher::~NotificationDispatcher() { Shutdown(milliseconds(0)); }

size_t NotificationDispatcher::Enqueue(const Alert& alert,
                                       const std::vector<std::string>& channels) {
  if (!Notifiable(alert.state)) {
    not_notifiable_.fetch_add(1, std::memory_order_relaxed);
    return 0;
  }
  std::vector<Worker*> targets;
  if (channels.empty()) {
    for (auto& worker : workers_) targets.push_back(worker.get());
  } else {
    for (const std::string& channel : channels) {
      auto it = std::find_if(workers_.begin(), workers_.end(),
                             [&](const auto& w) { return w->notifier->name() == channel; });
      if (it == workers_.end()) {
        unknown_channels_.fetch_add(1, std::memory_order_relaxed);
      } else if (std::find(targets.begin(), targets.end(), it->get()) == targets.end()) {
        targets.push_back(it->get());
      }
    }
  }
  const std::string fingerprint = AlertFingerprint(alert.labels);
  const bool closed = shut_down_.load();
  size_t queued = 0;
  for (Worker* worker : targets) {
    std::lock_guard lock(worker->mu);
    if (closed || worker->stop) {
      ++worker->stats.dropped;
    } else if (worker->Push(alert, fingerprint)) {
      ++queued;
    }
  }
  return queued;
}

bool NotificationDispatcher::Flush(milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  bool all_idle = true;
  for (auto& worker : workers_) {
    std::unique_lock lock(worker->mu);
    all_idle &= worker->idle.wait_until(
        lock, until, [&] { return worker->stop || (worker->queue.empty() && !worker->busy); });
    all_idle &= worker->queue.empty() && !worker->busy;
  }
  return all_idle;
}

void NotificationDispatcher::Shutdown(milliseconds deadline) {
  if (shut_down_.exchange(true)) return;
  Flush(deadline);
  for (auto& worker : workers_) {
    {
      std::lock_guard lock(worker->mu);
      worker->stop = true;
      worker->wake.notify_all();
    }
    worker->notifier->Cancel();
  }
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
    std::lock_guard lock(worker->mu);
    worker->stats.dropped += worker->queue.size();
    worker->queue.clear();
  }
}

NotificationDispatcherStats NotificationDispatcher::stats() const {
  NotificationDispatcherStats out;
  for (const auto& worker : workers_) {
    std::lock_guard lock(worker->mu);
    out.notifiers.push_back(worker->stats);
    out.notifiers.back().queued = worker->queue.size();
  }
  out.unknown_channels = unknown_channels_.load(std::memory_order_relaxed);
  out.not_notifiable = not_notifiable_.load(std::memory_order_relaxed);
  return out;
}

std::vector<std::string> NotificationDispatcher::notifier_names() const {
  std::vector<std::string> names;
  for (const auto& worker : workers_) names.push_back(worker->notifier->name());
  return names;
}

}  // namespace tai
