#include "tai/profile/baseline_store.h"

#include <filesystem>
#include <system_error>

#include "profile/profile_files.h"
#include "tai/profile/pprof.h"

namespace tai {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kBaselineSuffix = ".baseline.pb.gz";

Status EnsureDirectory(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return UnavailableError("cannot create baseline directory '" + dir + "': " + ec.message());
  return Status::Ok();
}

}  // namespace

DirectoryBaselineStore::DirectoryBaselineStore(std::string directory, const Resource& resource)
    : directory_(std::move(directory)),
      service_(internal::SafeFileName(resource.service_name)),
      version_(internal::SafeFileName(resource.service_version)) {}

std::string DirectoryBaselineStore::description() const {
  return "the directory " + directory_ + " (" + service_ + " " + version_ + ")";
}

std::string DirectoryBaselineStore::Path(std::string_view name) const {
  return directory_ + "/" + std::string(name);
}

Result<Profile> DirectoryBaselineStore::Read(const std::string& name, std::string_view what) const {
  std::error_code ec;
  if (!fs::exists(Path(name), ec)) {
    return NotFoundError("no " + std::string(what) + " in '" + directory_ + "'");
  }
  return ReadPprofFile(Path(name));
}

Result<Profile> DirectoryBaselineStore::LoadVersionBaseline() const {
  return Read(service_ + "@" + version_ + std::string(kBaselineSuffix),
              "baseline of " + service_ + " " + version_);
}

Result<Profile> DirectoryBaselineStore::LoadPreviousVersionBaseline() const {
  const std::string prefix = service_ + "@";
  const std::string own = prefix + version_ + std::string(kBaselineSuffix);
  std::error_code ec;
  std::string best;
  fs::file_time_type best_time;
  for (const fs::directory_entry& e : fs::directory_iterator(directory_, ec)) {
    std::string name = e.path().filename().string();
    if (!name.starts_with(prefix) || !name.ends_with(kBaselineSuffix) || name == own) continue;
    fs::file_time_type t = e.last_write_time(ec);
    if (ec) continue;
    if (best.empty() || t > best_time || (t == best_time && name > best)) {
      best = name;
      best_time = t;
    }
  }
  if (best.empty()) {
    return NotFoundError("no baseline of another version of '" + service_ + "' in '" + directory_ +
                         "'");
  }
  return ReadPprofFile(Path(best));
}

Result<Profile> DirectoryBaselineStore::LoadPinned() const {
  return Read(service_ + ".pinned.pb.gz", "pinned baseline of " + service_);
}

Status DirectoryBaselineStore::SaveVersionBaseline(const Profile& profile) {
  TAI_RETURN_IF_ERROR(EnsureDirectory(directory_));
  return internal::WritePprofFileAtomically(
      profile, Path(service_ + "@" + version_ + std::string(kBaselineSuffix)));
}

Status DirectoryBaselineStore::SavePinned(const Profile& profile) {
  TAI_RETURN_IF_ERROR(EnsureDirectory(directory_));
  return internal::WritePprofFileAtomically(profile, Path(service_ + ".pinned.pb.gz"));
}

}  // namespace tai
