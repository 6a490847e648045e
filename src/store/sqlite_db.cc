#include "store/sqlite_db.h"

#include <utility>

namespace tai::internal {

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  const char* message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string text = std::string(what) + ": SQLite error " + std::to_string(rc) + " (" +
                     (message ? message : "unknown") + ")";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError(std::move(text));
    case SQLITE_FULL:
      return ResourceExhaustedError(std::move(text));
    case SQLITE_INTERRUPT:
      return DeadlineExceededError(std::move(text) +
                                   ": the query ran past StoreOptions::query_timeout, or "
                                   "queries were cancelled because their server is stopping");
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      return FailedPreconditionError(std::move(text));
    default:
      return InternalError(std::move(text));
  }
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      db_(other.db_),
      status_(std::move(other.status_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_) sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = other.db_;
    status_ = std::move(other.status_);
  }
  return *this;
}

Statement& Statement::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, std::string_view text) {
  // An empty view may have no data pointer, which SQLite would store as NULL.
  sqlite3_bind_text(stmt_, i, text.data() ? text.data() : "", static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindBlob(int i, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, i, bytes.data() ? bytes.data() : "", static_cast<int>(bytes.size()),
                    SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}
Statement& Statement::BindOptional(int i, std::optional<double> v) {
  return v ? Bind(i, *v) : BindNull(i);
}

bool Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE && status_.ok()) {
    status_ = SqliteError(db_, rc, std::string("running '") + sqlite3_sql(stmt_) + "'");
  }
  return false;
}

Status Statement::Run() {
  while (Step()) {
  }
  Status s = status_;
  Reset();
  return s;
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  status_ = Status::Ok();
}

std::string Statement::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}

std::string_view Statement::Blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  return p ? std::string_view(static_cast<const char*>(p),
                              static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string_view();
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, Mode mode) {
  sqlite3* db = nullptr;
  const int flags =
      mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  // NOMUTEX: each connection belongs to one thread at a time.
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteError(db, rc, "opening store '" + path + "'");
    sqlite3_close(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  // Readers wait briefly for a checkpoint or the schema lock instead of
  // failing at once; the writer's lock is held by a file lock, not this.
  sqlite3_busy_timeout(db, 2000);
  return std::unique_ptr<Database>(new Database(db, path));
}

Database::~Database() {
  cached_.clear();  // finalized before the connection closes
  sqlite3_close_v2(db_);
}

int Database::PastDeadline(void* self) {
  const auto* db = static_cast<Database*>(self);
  if (db->cancel_ != nullptr && db->cancel_->load(std::memory_order_relaxed) > 0) return 1;
  return std::chrono::steady_clock::now() > db->deadline_ ? 1 : 0;
}

void Database::SetDeadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
  if (!deadline) {
    sqlite3_progress_handler(db_, 0, nullptr, nullptr);
    return;
  }
  deadline_ = *deadline;
  // Checked every few thousand virtual-machine steps: a clock read each
  // time costs nothing next to them.
  sqlite3_progress_handler(db_, 4000, &Database::PastDeadline, this);
}

Status Database::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  sqlite3_free(error);
  return SqliteError(db_, rc, "running '" + text.substr(0, 80) + "'");
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return SqliteError(db_, rc, "preparing '" + std::string(sql.substr(0, 80)) + "'");
  }
  return Statement(stmt, db_);
}

Result<Statement*> Database::Cached(const std::string& sql) {
  auto it = cached_.find(sql);
  if (it == cached_.end()) {
    TAI_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
    it = cached_.emplace(sql, std::move(stmt)).first;
  }
  it->second.Reset();
  return &it->second;
}

Result<int64_t> Database::QueryInt(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  if (!stmt->Step()) {
    if (!stmt->status().ok()) return stmt->status();
    return NotFoundError("'" + std::string(sql) + "' returned no row");
  }
  return stmt->Int(0);
}

}  // namespace tai::internal
