// Internal: a thin RAII layer over the SQLite C API for the store: a
// connection (Database) and prepared statements (Statement) whose errors
// come back as Status naming the statement and SQLite's message.
//
// Not synchronised: each connection is used by one thread at a time (the
// writer thread owns one, each query opens its own read connection).
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tai/core/status.h"

namespace tai::internal {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, double v);
  Statement& Bind(int i, std::string_view text);
  Statement& BindBlob(int i, std::string_view bytes);
  Statement& BindNull(int i);
  Statement& BindOptional(int i, std::optional<double> v);

  // True while a row is available; false at the end. An error is kept and
  // returned by status() (and Run).
  bool Step();
  // Steps to completion (an INSERT/UPDATE/DELETE) and resets for reuse.
  Status Run();
  void Reset();
  Status status() const { return status_; }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const;
  std::string_view Blob(int col) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
  Status status_;
};

class Database {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens (creating for kReadWrite) the file at `path`.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, Mode mode);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  // A statement prepared once per connection and kept, handed out reset and
  // unbound: for the statements a query runs once per series, where
  // preparing costs more than running. One use at a time per `sql`; the
  // caller resets it when done, so that it holds no read snapshot.
  Result<Statement*> Cached(const std::string& sql);
  // The first column of the first row as an integer (PRAGMAs, counts).
  Result<int64_t> QueryInt(std::string_view sql);
  // Statements running past `deadline` stop with DEADLINE_EXCEEDED; nullopt
  // lifts the limit.
  void SetDeadline(std::optional<std::chrono::steady_clock::time_point> deadline);
  // While `*cancel` is above zero, statements stop as if past their deadline
  // (a reader pool's shared cancellation count). Checked with the deadline,
  // so it needs one set. Null: never.
  void SetCancel(const std::atomic<int>* cancel) { cancel_ = cancel; }
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  const std::string& path() const { return path_; }
  sqlite3* raw() { return db_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  static int PastDeadline(void* self);
  sqlite3* db_;
  std::string path_;
  std::chrono::steady_clock::time_point deadline_;
  const std::atomic<int>* cancel_ = nullptr;
  std::unordered_map<std::string, Statement> cached_;
};

// "SQLite error 13 (database or disk is full)" and the like, as a Status
// whose code says whether retrying could help.
Status SqliteError(sqlite3* db, int rc, std::string_view what);

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT, rolling back when it fails.
template <typename Body>
Status InTransaction(Database& db, Body&& body) {
  TAI_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Status s = body();
  if (s.ok()) s = db.Exec("COMMIT");
  if (!s.ok()) (void)db.Exec("ROLLBACK");
  return s;
}

}  // namespace tai::internal
