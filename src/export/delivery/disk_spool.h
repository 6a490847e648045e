// Internal: the on-disk part of a DeliveryQueue. Each spilled request is one
// file, <sequence>.req, written to a temporary name and renamed, so a crash
// leaves either the whole request or nothing; a checksum catches the rest.
// Files sort by sequence, which is the order they are sent in. The
// directory is locked (flock) for the life of the spool, so two processes
// never send the same files.
//
// Not thread-safe: the DeliveryQueue serialises calls.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tai/core/status.h"

namespace tai::internal {

struct SpooledRequest {
  uint64_t sequence = 0;
  std::string url;
  std::string body;
};

// The file format, exposed for the fuzz target: Decode refuses (naming why)
// a file that is not one Encode wrote, whatever its bytes.
std::string EncodeSpooledRequest(const SpooledRequest& request);
Result<SpooledRequest> DecodeSpooledRequest(std::string_view data, uint64_t sequence);

class DiskSpool {
 public:
  // Creates `directory` (and its parents, mode 0700) when missing, locks it
  // and indexes the requests a previous process left there. Fails when the
  // directory cannot be made or another process holds it.
  static Result<std::unique_ptr<DiskSpool>> Open(const std::string& directory,
                                                 uint64_t budget_bytes);
  ~DiskSpool();
  DiskSpool(const DiskSpool&) = delete;
  DiskSpool& operator=(const DiskSpool&) = delete;

  // Fails with RESOURCE_EXHAUSTED when the request does not fit the budget.
  Status Write(const SpooledRequest& request);
  // The request with the lowest sequence. A file that cannot be read or
  // fails its checksum is removed and reported as an error naming it.
  std::optional<uint64_t> OldestSequence() const;
  Result<SpooledRequest> Read(uint64_t sequence);
  void Remove(uint64_t sequence);

  size_t requests() const { return files_.size(); }
  uint64_t bytes() const { return bytes_; }
  // The highest sequence on disk when opened, so new requests sort after.
  uint64_t max_sequence_at_open() const { return max_sequence_at_open_; }
  const std::string& directory() const { return directory_; }

 private:
  DiskSpool(std::string directory, uint64_t budget_bytes, int lock_fd);
  Status Index();
  std::string PathOf(uint64_t sequence) const;

  const std::string directory_;
  const uint64_t budget_bytes_;
  const int lock_fd_;
  std::map<uint64_t, uint64_t> files_;  // sequence -> file size
  uint64_t bytes_ = 0;
  uint64_t max_sequence_at_open_ = 0;
};

}  // namespace tai::internal
