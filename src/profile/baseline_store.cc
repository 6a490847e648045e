#include "tai/profile/baseline_store.h"

#include <filesystem>
#include <system_error>

#include "profile/profile_files.h"
#include "tai/profile/pprof.h"

namespace tai {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kLatestSuffix = ".latest.pb.gz";

Status EnsureDirectory(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return UnavailableError("cannot create baseline directory '" + dir + "': " + ec.message());
  return Status::Ok();
}

}  // namespace

ProfileBaselineStore::ProfileBaselineStore(std::string directory)
    : directory_(std::move(directory)) {}

Status ProfileBaselineStore::SaveLatest(std::string_view service, std::string_view version,
                                        const Profile& profile) {
  TAI_RETURN_IF_ERROR(EnsureDirectory(directory_));
  std::string name = internal::SafeFileName(service) + "@" + internal::SafeFileName(version) +
                     std::string(kLatestSuffix);
  return internal::WritePprofFileAtomically(profile, directory_ + "/" + name);
}

Result<Profile> ProfileBaselineStore::LoadPreviousVersion(std::string_view service,
                                                          std::string_view version) const {
  const std::string prefix = internal::SafeFileName(service) + "@";
  const std::string own = prefix + internal::SafeFileName(version) + std::string(kLatestSuffix);
  std::error_code ec;
  std::string best;
  fs::file_time_type best_time;
  for (const fs::directory_entry& e : fs::directory_iterator(directory_, ec)) {
    std::string name = e.path().filename().string();
    if (!name.starts_with(prefix) || !name.ends_with(kLatestSuffix) || name == own) continue;
    fs::file_time_type t = e.last_write_time(ec);
    if (ec) continue;
    if (best.empty() || t > best_time || (t == best_time && name > best)) {
      best = name;
      best_time = t;
    }
  }
  if (best.empty()) {
    return NotFoundError("no profile of another version of '" + std::string(service) + "' in '" +
                         directory_ + "'");
  }
  return ReadPprofFile(directory_ + "/" + best);
}

Status ProfileBaselineStore::SavePinned(std::string_view service, const Profile& profile) {
  TAI_RETURN_IF_ERROR(EnsureDirectory(directory_));
  return internal::WritePprofFileAtomically(
      profile, directory_ + "/" + internal::SafeFileName(service) + ".pinned.pb.gz");
}

Result<Profile> ProfileBaselineStore::LoadPinned(std::string_view service) const {
  std::string path = directory_ + "/" + internal::SafeFileName(service) + ".pinned.pb.gz";
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return NotFoundError("no pinned baseline for '" + std::string(service) + "'");
  }
  return ReadPprofFile(path);
}

Status ProfileBaselineStore::ClearPinned(std::string_view service) {
  std::error_code ec;
  fs::remove(directory_ + "/" + internal::SafeFileName(service) + ".pinned.pb.gz", ec);
  if (ec) return UnavailableError("cannot remove pinned baseline: " + ec.message());
  return Status::Ok();
}

}  // namespace tai
