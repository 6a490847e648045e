#include "store/store_writer.h"

#include <algorithm>
#include <cstdio>

#include "core/thread_name.h"

namespace tai::internal {
namespace {

size_t Index(StoreSignal s) { return static_cast<size_t>(s); }

}  // namespace

StoreWriter::StoreWriter(std::unique_ptr<Database> db, std::unique_ptr<Ingester> ingester,
                         std::unique_ptr<Retention> retention, const StoreOptions& options)
    : db_(std::move(db)),
      ingester_(std::move(ingester)),
      retention_(std::move(retention)),
      options_(options),
      capacity_{options.max_queued_points, options.max_queued_spans, options.max_queued_logs,
                options.max_queued_profiles, options.max_queued_alert_records},
      last_maintenance_(options.clock()) {
  thread_ = std::thread([this] {
    NameThisThread("tai-store");
    Loop();
  });
}

StoreWriter::~StoreWriter() { Stop(std::chrono::seconds(5)); }

bool StoreWriter::Push(StoreSignal signal, size_t records, WriteBody body) {
  const size_t i = Index(signal);
  {
    std::lock_guard<std::mutex> lock(mu_);
    const bool is_command = std::holds_alternative<CommandItem>(body);
    if (stopping_ || (!is_command && queued_[i] + records > capacity_[i])) {
      stats_.dropped[i] += records;
      return false;
    }
    queued_[i] += records;
    queue_.push_back({signal, records, next_seq_++, std::move(body)});
  }
  wake_.notify_one();
  return true;
}

Status StoreWriter::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = next_seq_ - 1;
  if (!committed_.wait_for(lock, timeout, [&] { return done_seq_ >= target; })) {
    return DeadlineExceededError("store '" + db_->path() + "': flush did not finish within " +
                                 std::to_string(timeout.count()) + " ms");
  }
  return Status::Ok();
}

Status StoreWriter::Run(std::function<Status(Database&, Retention&)> command,
                        std::chrono::milliseconds timeout) {
  uint64_t seq = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return FailedPreconditionError("store '" + db_->path() + "' is closing");
    seq = next_seq_++;
    queue_.push_back({StoreSignal::kMetrics, 0, seq, CommandItem{std::move(command)}});
  }
  wake_.notify_one();
  std::unique_lock<std::mutex> lock(mu_);
  if (!committed_.wait_for(lock, timeout, [&] { return done_seq_ >= seq; })) {
    return DeadlineExceededError("store '" + db_->path() + "': command did not finish within " +
                                 std::to_string(timeout.count()) + " ms");
  }
  auto it = std::find_if(command_results_.begin(), command_results_.end(),
                         [&](const auto& r) { return r.first == seq; });
  if (it == command_results_.end()) return InternalError("store command result lost");
  Status s = it->second;
  command_results_.erase(it);
  return s;
}

StoreStats StoreWriter::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void StoreWriter::Stop(std::chrono::milliseconds timeout) {
  if (!thread_.joinable()) return;
  (void)Flush(timeout);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void StoreWriter::Loop() {
  const auto wait = std::min(options_.commit_interval, options_.maintenance_interval);
  for (;;) {
    std::vector<Item> items;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, wait, [&] { return stopping_ || !queue_.empty(); });
      // Whatever is still queued when stopping is dropped and counted below.
      if (stopping_) {
        for (const Item& item : queue_) stats_.dropped[Index(item.signal)] += item.records;
        queue_.clear();
        return;
      }
      items.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
      queue_.clear();
    }
    if (!items.empty()) CommitAll(items);
    MaybeMaintain();
  }
}

Status StoreWriter::Apply(Item& item) {
  uint64_t bytes = 0;
  if (auto* m = std::get_if<MetricItem>(&item.body)) return ingester_->AddMetrics(*m->batch);
  if (auto* s = std::get_if<SpanItem>(&item.body)) {
    TAI_RETURN_IF_ERROR(ingester_->AddSpans(s->spans, s->service, &bytes));
    retention_->AddSpanBytes(bytes);
    return Status::Ok();
  }
  if (auto* l = std::get_if<LogItem>(&item.body)) {
    TAI_RETURN_IF_ERROR(ingester_->AddLogs(l->records, l->service, &bytes));
    retention_->AddLogBytes(bytes);
    return Status::Ok();
  }
  if (auto* p = std::get_if<ProfileItem>(&item.body)) {
    return ingester_->AddProfiles(p->profiles, p->service, p->version);
  }
  if (auto* c = std::get_if<ComparisonItem>(&item.body)) {
    return ingester_->AddProfileComparisons(c->comparisons);
  }
  if (auto* a = std::get_if<AlertHistoryItem>(&item.body)) {
    TAI_RETURN_IF_ERROR(ingester_->AddAlertEvents(a->events));
    return ingester_->AddNotificationAttempts(a->attempts);
  }
  return Status::Ok();
}

// Records go in one transaction; each command in its own, so that its
// status is its own.
void StoreWriter::CommitAll(std::vector<Item>& items) {
  const uint64_t last_seq = items.back().seq;
  std::vector<Item> records, commands;
  for (Item& item : items) {
    (std::holds_alternative<CommandItem>(item.body) ? commands : records)
        .push_back(std::move(item));
  }
  std::array<size_t, kStoreSignalCount> taken{};
  for (const Item& item : records) taken[Index(item.signal)] += item.records;
  Status s = Status::Ok();
  if (!records.empty()) {
    s = InTransaction(*db_, [&] {
      for (Item& item : records) TAI_RETURN_IF_ERROR(Apply(item));
      return Status::Ok();
    });
    if (!s.ok()) {
      ingester_->ForgetSeries();
      // A failed re-read leaves the totals a batch high until the next one.
      (void)retention_->Reload();
      ReportFailure(s, records);
    } else {
      failing_ = false;
    }
  }
  std::vector<std::pair<uint64_t, Status>> results;
  for (Item& item : commands) {
    auto& command = std::get<CommandItem>(item.body);
    results.emplace_back(item.seq, command.run(*db_, *retention_));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < kStoreSignalCount; ++i) {
      queued_[i] -= taken[i];
      (s.ok() ? stats_.written : stats_.dropped)[i] += taken[i];
    }
    if (!records.empty()) {
      ++(s.ok() ? stats_.commits : stats_.failed_commits);
      stats_.last_error = s.ok() ? "" : s.ToString();
      if (!s.ok()) {
        stats_.last_failure = stats_.last_error;
        stats_.last_failure_unix_nanos = options_.clock();
      }
    }
    for (auto& r : results) command_results_.push_back(std::move(r));
    done_seq_ = std::max(done_seq_, last_seq);
  }
  committed_.notify_all();
}

void StoreWriter::ReportFailure(const Status& s, const std::vector<Item>& items) {
  if (failing_) return;
  failing_ = true;
  size_t dropped = 0;
  for (const Item& item : items) dropped += item.records;
  const std::string message = "tai store '" + db_->path() + "': " + s.ToString() + "; dropped " +
                              std::to_string(dropped) +
                              " records and will keep dropping until a write succeeds";
  Report(message);
}

void StoreWriter::Report(const std::string& message) {
  if (options_.on_error) {
    options_.on_error(message);
  } else {
    std::fprintf(stderr, "%s\n", message.c_str());
  }
}

void StoreWriter::NoteMaintenance(const Status& s) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.maintenance_error = s.ok() ? "" : s.ToString();
  }
  if (s.ok() || maintenance_failing_) {
    maintenance_failing_ = !s.ok();
    return;
  }
  maintenance_failing_ = true;
  Report("tai store '" + db_->path() + "': housekeeping (rollups, retention, archive) failed: " +
         s.ToString() + "; what it would have rolled up, archived or deleted stays in the file " +
         "and it is retried every maintenance interval");
}

Status StoreWriter::MaintainFully(int64_t now, std::chrono::milliseconds timeout) {
  return Run(
      [this, now](Database&, Retention& retention) -> Status {
        Status s = DeadlineExceededError("store maintenance still had work after 10000 steps");
        // Each step is bounded; a few hundred cover a month of backlog.
        for (int i = 0; i < 10'000; ++i) {
          bool more = false;
          Status step = retention.Step(now, &more);
          if (!step.ok() || !more) {
            s = step;
            break;
          }
        }
        NoteMaintenance(s);
        return s;
      },
      timeout);
}

// One bounded step per maintenance interval of the store's clock.
void StoreWriter::MaybeMaintain() {
  const int64_t now = options_.clock();
  if (now - last_maintenance_ <
      std::chrono::duration_cast<std::chrono::nanoseconds>(options_.maintenance_interval).count()) {
    return;
  }
  last_maintenance_ = now;
  bool more = false;
  NoteMaintenance(retention_->Step(now, &more));
}

}  // namespace tai::internal
