#include "tai/store/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "profile/profile_merge.h"
#include "store/metric_reader.h"
#include "store/reader_pool.h"
#include "store/record_reader.h"
#include "store/schema.h"
#include "store/store_writer.h"
#include "tai/core/clock.h"

namespace tai {
namespace {

using internal::Database;

std::string ErrnoText() { return std::strerror(errno); }

// The pid the current holder wrote into the lock file, for the message.
std::string LockHolder(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  return n > 0 ? " by process " + std::string(buf, static_cast<size_t>(n)) : "";
}

// One writer per file: an exclusive, non-blocking lock on "<path>.lock",
// released by the kernel when the process dies however it dies.
Result<int> LockForWriting(const std::string& path) {
  const std::string lock_path = path + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return FailedPreconditionError("store '" + path + "': cannot open lock file '" + lock_path +
                                   "': " + ErrnoText());
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    Status s = FailedPreconditionError(
        "store '" + path + "' is already open for writing" + LockHolder(fd) +
        "; a second writer would corrupt it: open it read-only to query it, or give this "
        "process its own TAI_STORE_PATH");
    ::close(fd);
    return s;
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The pid is only for messages; the lock is what matters.
  }
  return fd;
}

Status PrepareDirectory(const std::string& path) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return FailedPreconditionError("store '" + path + "': cannot create directory '" +
                                   dir.string() + "': " + ec.message());
  }
  return Status::Ok();
}

Status EnableWal(Database& db) {
  auto stmt = db.Prepare("PRAGMA journal_mode = WAL");
  if (!stmt.ok()) return stmt.status();
  if (!stmt->Step() || stmt->Text(0) != "wal") {
    TAI_RETURN_IF_ERROR(stmt->status());
    return FailedPreconditionError("store '" + db.path() +
                                   "': the file system does not support WAL mode");
  }
  return Status::Ok();
}

Status Configure(Database& db, const StoreOptions& options) {
  // Only takes effect on a new file (before the first table): freed pages
  // can then be returned with PRAGMA incremental_vacuum.
  TAI_RETURN_IF_ERROR(db.Exec("PRAGMA auto_vacuum = INCREMENTAL"));
  TAI_RETURN_IF_ERROR(EnableWal(db));
  // In WAL mode a commit survives the process being killed; NORMAL gives up
  // only the last commits on a power loss, for far fewer fsyncs.
  TAI_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = NORMAL"));
  TAI_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  if (options.max_file_bytes > 0) {
    auto page = db.QueryInt("PRAGMA page_size");
    if (!page.ok()) return page.status();
    const uint64_t pages =
        std::max<uint64_t>(options.max_file_bytes / static_cast<uint64_t>(*page), 16);
    TAI_RETURN_IF_ERROR(db.Exec("PRAGMA max_page_count = " + std::to_string(pages)));
  }
  return internal::Migrate(db, internal::StoreMigrations());
}

Status CheckReadable(Database& db) {
  auto version = internal::SchemaVersion(db);
  if (!version.ok()) return version.status();
  const int newest = internal::StoreMigrations().back().version;
  if (*version > newest) {
    return FailedPreconditionError("store '" + db.path() + "' has schema version " +
                                   std::to_string(*version) + ", newer than this build's " +
                                   std::to_string(newest));
  }
  if (*version == 0) {
    return FailedPreconditionError("store '" + db.path() +
                                   "' has no tables yet: no writer has opened it");
  }
  return Status::Ok();
}

}  // namespace

std::string_view StoreSignalName(StoreSignal signal) {
  switch (signal) {
    case StoreSignal::kMetrics:
      return "metrics";
    case StoreSignal::kSpans:
      return "spans";
    case StoreSignal::kLogs:
      return "logs";
    case StoreSignal::kProfiles:
      return "profiles";
    case StoreSignal::kAlerts:
      return "alerts";
  }
  return "unknown";
}

std::string DefaultStorePath(std::string_view service_name) {
  std::string name(service_name.empty() ? "unknown_service" : service_name);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  }
  return "./tai-data/" + name + ".db";
}

Store::Store(StoreOptions options) : options_(std::move(options)) {}

Store::~Store() {
  if (writer_) writer_->Stop(std::chrono::seconds(5));
  writer_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<std::unique_ptr<Store>> Store::Open(StoreOptions options) {
  if (options.path.empty()) return InvalidArgumentError("store options: path is empty");
  if (!options.clock) options.clock = [] { return WallNanos(); };
  std::unique_ptr<Store> store(new Store(std::move(options)));
  const StoreOptions& o = store->options_;
  if (o.read_only) {
    if (!std::filesystem::exists(o.path)) {
      return NotFoundError("no store at '" + o.path + "' to open read-only");
    }
    auto db = Database::Open(o.path, Database::Mode::kReadOnly);
    if (!db.ok()) return db.status();
    TAI_RETURN_IF_ERROR(CheckReadable(**db));
  } else {
    TAI_RETURN_IF_ERROR(PrepareDirectory(o.path));
    auto lock = LockForWriting(o.path);
    if (!lock.ok()) return lock.status();
    store->lock_fd_ = *lock;
    auto db = Database::Open(o.path, Database::Mode::kReadWrite);
    if (!db.ok()) return db.status();
    TAI_RETURN_IF_ERROR(Configure(**db, o));
    auto ingester = internal::Ingester::Create(**db);
    if (!ingester.ok()) return ingester.status();
    auto retention = internal::Retention::Create(**db, o);
    if (!retention.ok()) return retention.status();
    store->writer_ = std::make_unique<internal::StoreWriter>(std::move(*db), std::move(*ingester),
                                                             std::move(*retention), o);
  }
  store->readers_ = std::make_unique<internal::ReaderPool>(o.path, o.query_timeout);
  return store;
}

void Store::AddMetrics(std::shared_ptr<const MetricBatch> batch) {
  if (!writer_ || !batch) return;
  size_t points = 0;
  for (const MetricData& m : batch->metrics) points += m.points.size();
  writer_->Push(StoreSignal::kMetrics, points, internal::MetricItem{std::move(batch)});
}

void Store::AddSpans(const SpanBatch& spans, const Resource& resource) {
  if (!writer_ || !spans || spans->empty()) return;
  writer_->Push(StoreSignal::kSpans, spans->size(),
                internal::SpanItem{{spans->begin(), spans->end()}, resource.service_name});
}

void Store::AddLogs(const LogBatch& batch) {
  if (!writer_ || batch.records.empty()) return;
  writer_->Push(
      StoreSignal::kLogs, batch.records.size(),
      internal::LogItem{{batch.records.begin(), batch.records.end()}, batch.resource.service_name});
}

void Store::AddProfiles(std::span<const UploadedProfile> profiles, const Resource& resource) {
  if (!writer_ || profiles.empty()) return;
  writer_->Push(
      StoreSignal::kProfiles, profiles.size(),
      internal::ProfileItem{
          {profiles.begin(), profiles.end()}, resource.service_name, resource.service_version});
}

void Store::AddAlertEvents(std::vector<AlertEventRecord> events) {
  if (!writer_ || events.empty()) return;
  const size_t n = events.size();
  writer_->Push(StoreSignal::kAlerts, n, internal::AlertHistoryItem{std::move(events), {}});
}

void Store::AddNotificationAttempts(std::vector<NotificationAttempt> attempts) {
  if (!writer_ || attempts.empty()) return;
  const size_t n = attempts.size();
  writer_->Push(StoreSignal::kAlerts, n, internal::AlertHistoryItem{{}, std::move(attempts)});
}

void Store::AddProfileComparisons(std::vector<ProfileComparisonRecord> comparisons) {
  if (!writer_ || comparisons.empty()) return;
  const size_t n = comparisons.size();
  writer_->Push(StoreSignal::kProfiles, n, internal::ComparisonItem{std::move(comparisons)});
}

Status Store::PinProfile(int64_t row_id, bool pinned) {
  if (!writer_) return FailedPreconditionError("store '" + path() + "' is open read-only");
  return writer_->Run(
      [row_id, pinned](Database& db, internal::Retention&) -> Status {
        auto stmt = db.Prepare("UPDATE profiles SET pinned = ?1 WHERE id = ?2");
        if (!stmt.ok()) return stmt.status();
        TAI_RETURN_IF_ERROR(stmt->Bind(1, int64_t{pinned}).Bind(2, row_id).Run());
        if (db.Changes() == 0) {
          return NotFoundError("no profile with row id " + std::to_string(row_id));
        }
        return Status::Ok();
      },
      std::chrono::seconds(10));
}

Status Store::Flush(std::chrono::milliseconds timeout) {
  return writer_ ? writer_->Flush(timeout) : Status::Ok();
}

Status Store::RunMaintenance(std::chrono::milliseconds timeout) {
  if (!writer_) return FailedPreconditionError("store '" + path() + "' is open read-only");
  return writer_->MaintainFully(Now(), timeout);
}

StoreStats Store::stats() const { return writer_ ? writer_->stats() : StoreStats{}; }

Result<std::vector<std::string>> Store::MetricNames() const {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.status();
  return internal::ReadMetricNames(lease->db());
}

Result<std::vector<MetricSummary>> Store::MetricSummaries() const {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.status();
  return internal::ReadMetricSummaries(lease->db());
}

Result<std::vector<LatestPoint>> Store::Latest(std::string_view metric,
                                               const std::vector<LabelMatcher>& matchers) const {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.status();
  return internal::ReadLatest(lease->db(), metric, matchers);
}

Result<MetricRangeResult> Store::QueryRange(const MetricRangeQuery& query) const {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.status();
  return internal::ReadRange(lease->db(), query, options_, Now());
}

Result<WindowStatistics> Store::Statistics(std::string_view metric,
                                           const std::vector<LabelMatcher>& matchers,
                                           int64_t start_nanos, int64_t end_nanos) const {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.status();
  return internal::ReadStatistics(lease->db(), metric, matchers, start_nanos, end_nanos, options_,
                                  Now());
}

Result<std::vector<StoredSpan>> Store::SearchSpans(const TraceQuery& query) const {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.status();
  return internal::ReadSpans(lease->db(), query, options_.max_rows_per_query);
}

Result<std::vector<StoredSpan>> Store::GetTrace(const TraceId& trace_id) const {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.status();
  return internal::ReadTrace(lease->db(), trace_id);
}

Result<std::vector<StoredLog>> Store::SearchLogs(const LogQuery& query) const {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.status();
  return internal::ReadLogs(lease->db(), query, options_.max_rows_per_query);
}

Result<std::vector<AlertEventRecord>> Store::SearchAlertEvents(const AlertEventQuery& query) const {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.status();
  return internal::ReadAlertEvents(lease->db(), query, options_.max_rows_per_query);
}

Result<std::vector<NotificationAttempt>> Store::SearchNotifications(
    const NotificationQuery& query) const {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.status();
  return internal::ReadNotifications(lease->db(), query, options_.max_rows_per_query);
}

Store::QueryCancellation::QueryCancellation(internal::ReaderPool* readers) : readers_(readers) {
  readers_->BeginCancel();
}

Store::QueryCancellation::~QueryCancellation() {
  if (readers_) readers_->EndCancel();
}

Store::QueryCancellation Store::CancelQueries() const { return QueryCancellation(readers_.get()); }

Result<std::vector<ProfileComparisonRecord>> Store::SearchProfileComparisons(
    const ProfileComparisonQuery& query) const {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.status();
  return internal::ReadProfileComparisons(lease->db(), query, options_.max_rows_per_query);
}

Result<std::vector<StoredProfileInfo>> Store::ListProfiles(const ProfileQuery& query) const {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.status();
  return internal::ReadProfiles(lease->db(), query, options_.max_rows_per_query);
}

Result<Profile> Store::GetProfile(int64_t row_id) const {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.status();
  return internal::ReadProfile(lease->db(), row_id);
}

Result<Profile> Store::MergeProfiles(const ProfileQuery& query) const {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.status();
  auto infos = internal::ReadProfiles(lease->db(), query, options_.max_rows_per_query);
  if (!infos.ok()) return infos.status();
  if (infos->empty()) return NotFoundError("no stored profiles match the query to merge");
  std::vector<Profile> profiles;
  for (const StoredProfileInfo& info : *infos) {
    auto p = internal::ReadProfile(lease->db(), info.row_id);
    if (!p.ok()) return p.status();
    profiles.push_back(std::move(*p));
  }
  return internal::MergeProfileList(profiles);
}

}  // namespace tai
