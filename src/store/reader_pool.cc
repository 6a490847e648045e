#include "store/reader_pool.h"

namespace tai::internal {
namespace {

constexpr size_t kMaxIdle = 4;

}  // namespace

ReaderPool::Lease::~Lease() {
  if (!db_) return;
  db_->SetDeadline(std::nullopt);
  (void)db_->Exec("COMMIT");
  pool_->Release(std::move(db_));
}

Result<ReaderPool::Lease> ReaderPool::Acquire() {
  if (cancel_.load(std::memory_order_relaxed) > 0) {
    return UnavailableError("store queries are cancelled: the server that runs them is stopping");
  }
  std::unique_ptr<Database> db;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      db = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!db) {
    auto opened = Database::Open(path_, Database::Mode::kReadOnly);
    if (!opened.ok()) return opened.status();
    db = std::move(*opened);
    db->SetCancel(&cancel_);
  }
  db->SetDeadline(std::chrono::steady_clock::now() + timeout_);
  TAI_RETURN_IF_ERROR(db->Exec("BEGIN"));
  return Lease(this, std::move(db));
}

void ReaderPool::Release(std::unique_ptr<Database> db) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(db));
}

}  // namespace tai::internal
