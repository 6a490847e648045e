// Internal: read connections for queries, kept open between queries (a
// fresh SQLite connection re-reads the schema). A query takes one for its
// duration and reads inside one transaction, so it sees a single committed
// state even while the writer commits; in WAL mode it never blocks the
// writer.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite_db.h"

namespace tai::internal {

class ReaderPool {
 public:
  // Each query may run for `timeout` before it is stopped.
  ReaderPool(std::string path, std::chrono::milliseconds timeout)
      : path_(std::move(path)), timeout_(timeout) {}

  // A connection inside a read transaction, returned to the pool when the
  // lease ends.
  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<Database> db) : pool_(pool), db_(std::move(db)) {}
    ~Lease();
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    Database& db() { return *db_; }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Database> db_;
  };

  Result<Lease> Acquire();

  // While the count is above zero, running queries stop at their next
  // progress check (DEADLINE_EXCEEDED) and Acquire fails (UNAVAILABLE).
  void BeginCancel() { cancel_.fetch_add(1, std::memory_order_relaxed); }
  void EndCancel() { cancel_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  void Release(std::unique_ptr<Database> db);

  const std::string path_;
  const std::chrono::milliseconds timeout_;
  std::atomic<int> cancel_{0};
  std::mutex mu_;  // guards idle_
  std::vector<std::unique_ptr<Database>> idle_;
};

}  // namespace tai::internal
