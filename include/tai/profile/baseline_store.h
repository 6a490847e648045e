// BaselineStore: where a continuous profiling service keeps the profiles
// later windows of one service version are compared with, so that
// baselines survive restarts and deployments. One object serves one
// service version (the one it was made for); three kinds of baseline:
//
//   the version's own    made by the service from its first stable windows
//                        (ContinuousProfilingOptions::baseline_windows)
//   the previous version's
//                        the newest own baseline of another version of the
//                        same service: what a new version compares with
//                        until its own is made
//   pinned               set by the user for the service (every version);
//                        it overrides both
//
// Two implementations: DirectoryBaselineStore (below: pprof files in a
// directory) and StoreBaselineStore (tai/store/store_baselines.h: the
// embedded store, where Observability and the original design's
// gcp::CloudProfiler keep them).
//
// Implementations are thread-safe; shared (shared_ptr) by whoever uses them.
#pragma once

#include <string>
#include <string_view>

#include "tai/core/resource.h"
#include "tai/core/status.h"
#include "tai/profile/profile.h"

namespace tai {

class BaselineStore {
 public:
  virtual ~BaselineStore() = default;
  // Where the baselines are, in words, for the log ("the embedded store
  // ./tai-data/checkout.db (checkout 2.0)").
  virtual std::string description() const = 0;

  // kNotFound when there is none; other errors when it cannot be read.
  virtual Result<Profile> LoadVersionBaseline() const = 0;
  virtual Result<Profile> LoadPreviousVersionBaseline() const = 0;
  virtual Result<Profile> LoadPinned() const = 0;

  // The version's own baseline: kept once made (a second save of the same
  // version may keep the first).
  virtual Status SaveVersionBaseline(const Profile& profile) = 0;
  // Replaces the service's pinned baseline.
  virtual Status SavePinned(const Profile& profile) = 0;
};

// A directory of pprof files, keyed by service name and version:
//
//   <service>@<version>.baseline.pb.gz   a version's own baseline
//   <service>.pinned.pb.gz               the pinned baseline
//
// The previous version's is the most recently written baseline file of
// another version. Writes are atomic (temporary file and rename); the
// directory is made when missing. Thread-safe as far as the file system is
// (two writers of one file: the last rename wins).
class DirectoryBaselineStore : public BaselineStore {
 public:
  DirectoryBaselineStore(std::string directory, const Resource& resource);
  const std::string& directory() const { return directory_; }

  std::string description() const override;
  Result<Profile> LoadVersionBaseline() const override;
  Result<Profile> LoadPreviousVersionBaseline() const override;
  Result<Profile> LoadPinned() const override;
  Status SaveVersionBaseline(const Profile& profile) override;
  Status SavePinned(const Profile& profile) override;

 private:
  std::string Path(std::string_view name) const;
  Result<Profile> Read(const std::string& name, std::string_view what) const;

  const std::string directory_;
  const std::string service_;
  const std::string version_;
};

}  // namespace tai
