// ProfileBaselineStore: where the continuous profiling service keeps the
// profiles later ones are compared with, so that baselines survive a
// restart: a directory of pprof files, keyed by service name and version.
//
//   <service>@<version>.latest.pb.gz   the last profile of that version
//   <service>.pinned.pb.gz             a baseline pinned by the user
//
// The automatic baseline of a version is the latest profile of the most
// recently saved *other* version of the same service (the previous
// deployment). Until the local store lands this is its file-based stand-in.
// Writes are atomic (temporary file and rename).
//
// A value holding only the directory; thread-safe as far as the file
// system is (two writers of the same key: the last rename wins).
#pragma once

#include <string>
#include <string_view>

#include "tai/core/status.h"
#include "tai/profile/profile.h"

namespace tai {

class ProfileBaselineStore {
 public:
  explicit ProfileBaselineStore(std::string directory);
  const std::string& directory() const { return directory_; }

  // Creates the directory when missing.
  Status SaveLatest(std::string_view service, std::string_view version, const Profile& profile);
  // kNotFound when no other version of the service has a profile.
  Result<Profile> LoadPreviousVersion(std::string_view service, std::string_view version) const;

  Status SavePinned(std::string_view service, const Profile& profile);
  // kNotFound when none is pinned.
  Result<Profile> LoadPinned(std::string_view service) const;
  Status ClearPinned(std::string_view service);

 private:
  std::string directory_;
};

}  // namespace tai
