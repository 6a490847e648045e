// Internal: the store's one writer thread and the bounded queue in front
// of it. Producers (the pipeline's sink threads) push records and return
// at once; a signal whose queue is full drops the new records and counts
// them. The writer takes everything queued, commits it in one transaction,
// and between commits runs retention and rollups in small steps.
//
// Thread-safe. Stop (or the destructor) commits what is queued, within the
// deadline, then joins the thread.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "store/ingest.h"
#include "store/retention.h"
#include "store/sqlite_db.h"
#include "tai/store/store_options.h"
#include "tai/store/store_stats.h"

namespace tai::internal {

struct MetricItem {
  std::shared_ptr<const MetricBatch> batch;
};
// A copy, not the processor's batch: the processor reuses a batch's
// buffers once no sink holds it, and it can only tell by the reference
// count, whose relaxed read does not order this thread's reads before
// that reuse.
struct SpanItem {
  std::vector<SpanData> spans;
  std::string service;
};
struct LogItem {
  std::vector<LogRecord> records;
  std::string service;
};
struct ProfileItem {
  std::vector<UploadedProfile> profiles;
  std::string service;
  std::string version;
};
struct AlertHistoryItem {
  std::vector<AlertEventRecord> events;
  std::vector<NotificationAttempt> attempts;
};
struct ComparisonItem {
  std::vector<ProfileComparisonRecord> comparisons;
};
// Work that must run on the writer's connection (pinning, maintenance now).
struct CommandItem {
  std::function<Status(Database&, Retention&)> run;
};
using WriteBody = std::variant<MetricItem, SpanItem, LogItem, ProfileItem, AlertHistoryItem,
                               ComparisonItem, CommandItem>;

class StoreWriter {
 public:
  StoreWriter(std::unique_ptr<Database> db, std::unique_ptr<Ingester> ingester,
              std::unique_ptr<Retention> retention, const StoreOptions& options);
  ~StoreWriter();

  // False (and counted) when the signal's queue has no room for `records`.
  bool Push(StoreSignal signal, size_t records, WriteBody body);
  // Waits until what was pushed before the call has been committed or dropped.
  Status Flush(std::chrono::milliseconds timeout);
  // Runs `command` on the writer thread in its own transaction and returns
  // its status.
  Status Run(std::function<Status(Database&, Retention&)> command,
             std::chrono::milliseconds timeout);
  // Housekeeping at `now` until no work is left (bounded); a failure is
  // reported as the background passes' are.
  Status MaintainFully(int64_t now, std::chrono::milliseconds timeout);
  StoreStats stats() const;
  void Stop(std::chrono::milliseconds timeout);

 private:
  struct Item {
    StoreSignal signal;
    size_t records;
    uint64_t seq;
    WriteBody body;
  };
  void Loop();
  void CommitAll(std::vector<Item>& items);
  Status Apply(Item& item);
  void MaybeMaintain();
  void ReportFailure(const Status& s, const std::vector<Item>& items);
  // Says a failed housekeeping pass once per episode (and its recovery is
  // silent); the error stays in stats().maintenance_error until a pass
  // succeeds.
  void NoteMaintenance(const Status& s);
  void Report(const std::string& message);

  std::unique_ptr<Database> db_;
  std::unique_ptr<Ingester> ingester_;
  std::unique_ptr<Retention> retention_;
  const StoreOptions& options_;
  std::array<size_t, kStoreSignalCount> capacity_;

  mutable std::mutex mu_;  // guards the fields below
  std::condition_variable wake_;
  std::condition_variable committed_;
  std::deque<Item> queue_;
  std::array<size_t, kStoreSignalCount> queued_{};
  uint64_t next_seq_ = 1;
  uint64_t done_seq_ = 0;
  std::vector<std::pair<uint64_t, Status>> command_results_;
  StoreStats stats_;
  bool stopping_ = false;

  // Writer thread only.
  bool failing_ = false;
  bool maintenance_failing_ = false;
  int64_t last_maintenance_ = 0;
  std::thread thread_;
};

}  // namespace tai::internal
