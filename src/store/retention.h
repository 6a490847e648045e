// Internal: the store's background housekeeping. Rolls raw points up into
// hourly cells and hourly cells into daily ones (count, sum, min, max,
// last, increase, merged histogram), deletes what is past its retention
// (by age, and spans and logs by total size, oldest first; profiles by age
// and count, never a pinned one), archives expired daily cells when an
// archive directory is set, and returns freed pages to the file system
// with incremental vacuum.
//
// Each Step does a bounded amount of work in short transactions, so the
// writer it runs on is never held for long. Only complete buckets are
// rolled up, and raw points are deleted only once rolled up.
//
// Used by the writer thread only; not synchronised.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "store/sqlite_db.h"
#include "tai/store/metric_query.h"
#include "tai/store/store_options.h"

namespace tai::internal {

class Retention {
 public:
  static Result<std::unique_ptr<Retention>> Create(Database& db, const StoreOptions& options);

  // One bounded pass at time `now`; *more is true when work is left.
  Status Step(int64_t now, bool* more);
  // Running totals of the encoded span and log bytes, kept by the writer.
  void AddSpanBytes(uint64_t n) { span_bytes_ += n; }
  void AddLogBytes(uint64_t n) { log_bytes_ += n; }
  // Re-reads the totals (after a rolled-back transaction).
  Status Reload();

 private:
  Retention(Database& db, const StoreOptions& options) : db_(db), options_(options) {}
  Status RollUp(int64_t now, bool* more);
  Status RollUpTier(StoreTier from, StoreTier to, int64_t end, bool* more);
  Status DeleteExpired(int64_t now, bool* more);
  Status DeleteBySize(const std::string& table, const std::string& time_column, uint64_t max_bytes,
                      uint64_t* total, bool* more);
  Status DeleteProfiles(int64_t now, bool* more);
  // Daily cells that start before `cutoff`: archived a day at a time, then
  // deleted (or deleted when no archive directory is set).
  Status ExpireDailyCells(int64_t cutoff, bool* more);
  Status ArchiveDay(int64_t day, size_t* rows);
  // Runs `sql` (a DELETE with ?1 = cutoff and ?2 = row limit); *more when
  // it hit the limit.
  Status DeleteRows(const char* sql, int64_t cutoff, bool* more);
  // The same for a DELETE ... RETURNING bytes, taking them off *total.
  Status DeleteCounted(const char* sql, int64_t cutoff, size_t max_rows, uint64_t* total,
                       bool* more);

  Database& db_;
  const StoreOptions& options_;
  uint64_t span_bytes_ = 0;
  uint64_t log_bytes_ = 0;
};

}  // namespace tai::internal
