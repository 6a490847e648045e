// DirectoryProfileSink: a ProfileSink that writes each profile as a pprof
// file (`<id>.<kind>.pb.gz`, e.g. cpu-000042.cpu.pb.gz) into a directory,
// and keeps the directory under a total size by deleting the oldest files
// (by modification time, then name) after each batch; the newest file is
// always kept, even alone above the bound. Files are written to a temporary
// name and renamed, so a reader never sees a partial file; writing the same
// id again replaces the file (delivery is idempotent by id).
//
//   auto sink = tai::DirectoryProfileSink::Create({.directory = "/var/lib/app/profiles"});
//   service.AddSink(*sink);
//
// Owned through shared_ptr by whoever uses it. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tai/profile/profile_sink.h"

namespace tai {

struct DirectoryProfileSinkOptions {
  std::string directory;
  uint64_t max_total_bytes = 256ull << 20;  // of the .pb.gz files in the directory
};

struct DirectoryProfileSinkStats {
  uint64_t files_written = 0;
  uint64_t bytes_written = 0;
  uint64_t files_deleted = 0;  // by rotation
  uint64_t bytes_deleted = 0;
  uint64_t write_errors = 0;
};

class DirectoryProfileSink : public ProfileSink {
 public:
  // Creates the directory (and its parents) when missing; fails with a
  // message naming the directory when it cannot.
  static Result<std::shared_ptr<DirectoryProfileSink>> Create(DirectoryProfileSinkOptions options);

  std::string name() const override;
  // Writes every profile; stops at the first that cannot be written and
  // returns why (the caller offers the batch again; written ones are replaced).
  Status Export(std::span<const UploadedProfile> batch, const Resource& resource) override;

  // The .pb.gz files in the directory, oldest first (file names only).
  std::vector<std::string> Files() const;
  DirectoryProfileSinkStats stats() const;
  const std::string& directory() const { return options_.directory; }

 private:
  explicit DirectoryProfileSink(DirectoryProfileSinkOptions options);
  void RotateLocked();

  const DirectoryProfileSinkOptions options_;
  mutable std::mutex mu_;
  DirectoryProfileSinkStats stats_;
};

}  // namespace tai
