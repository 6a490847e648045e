#include "tai/store/store_baselines.h"

#include <charconv>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

#include "tai/core/clock.h"

namespace tai {
namespace {

constexpr std::string_view kIdPrefix = "baseline@";
// Enough for every pinned baseline a service could have; retention never
// removes them, so they do not pile up unless pinned this many times.
constexpr size_t kMaxPinned = 1000;

std::string LabelOf(const StoredProfileInfo& info, const std::string& key) {
  auto it = info.labels.find(key);
  return it == info.labels.end() ? "" : it->second;
}

}  // namespace

StoreBaselineStore::StoreBaselineStore(std::shared_ptr<Store> store, Resource resource)
    : store_(std::move(store)), resource_(std::move(resource)) {}

std::string StoreBaselineStore::description() const {
  return "the embedded store " + store_->path() + " (" + resource_.service_name + " " +
         resource_.service_version + ")";
}

Result<std::vector<StoredProfileInfo>> StoreBaselineStore::PinnedBaselines() const {
  return store_->ListProfiles(
      {.service = resource_.service_name, .kind = "CPU", .limit = kMaxPinned, .pinned_only = true});
}

Result<Profile> StoreBaselineStore::LoadVersionBaseline() const {
  TAI_ASSIGN_OR_RETURN(auto found, store_->ListProfiles({.service = resource_.service_name,
                                                         .kind = "CPU",
                                                         .profile_id = std::string(kIdPrefix) +
                                                                       resource_.service_version,
                                                         .limit = 1}));
  if (found.empty()) {
    return NotFoundError("no baseline of " + resource_.service_name + " " +
                         resource_.service_version + " in the embedded store");
  }
  return store_->GetProfile(found[0].row_id);
}

// Newest first: the first other version's baseline is the one made last.
Result<Profile> StoreBaselineStore::LoadPreviousVersionBaseline() const {
  TAI_ASSIGN_OR_RETURN(auto pinned, PinnedBaselines());
  for (const StoredProfileInfo& info : pinned) {
    if (LabelOf(info, "baseline") == "version" && info.version != resource_.service_version) {
      return store_->GetProfile(info.row_id);
    }
  }
  return NotFoundError("no baseline of another version of " + resource_.service_name +
                       " in the embedded store");
}

Result<Profile> StoreBaselineStore::LoadPinned() const {
  TAI_ASSIGN_OR_RETURN(auto pinned, PinnedBaselines());
  const StoredProfileInfo* newest = nullptr;
  int64_t newest_at = 0;
  for (const StoredProfileInfo& info : pinned) {
    if (LabelOf(info, "baseline") != "pinned") continue;
    const std::string text = LabelOf(info, "pinned_at");
    int64_t at = 0;
    std::from_chars(text.data(), text.data() + text.size(), at);  // 0 when not a number
    if (newest == nullptr || at > newest_at) {
      newest = &info;
      newest_at = at;
    }
  }
  if (newest == nullptr) {
    return NotFoundError("no pinned baseline of " + resource_.service_name +
                         " in the embedded store");
  }
  return store_->GetProfile(newest->row_id);
}

// A version's baseline is made once: a second save (a race between two
// processes of one version) keeps the first.
Status StoreBaselineStore::SaveVersionBaseline(const Profile& profile) {
  TAI_ASSIGN_OR_RETURN(auto existing, store_->ListProfiles({.service = resource_.service_name,
                                                            .kind = "CPU",
                                                            .profile_id = std::string(kIdPrefix) +
                                                                          resource_.service_version,
                                                            .limit = 1}));
  if (!existing.empty()) return Status::Ok();
  return SaveAndPin({.id = std::string(kIdPrefix) + resource_.service_version,
                     .kind = ProfileKind::kCpu,
                     .profile = profile,
                     .labels = {{"baseline", "version"}, {"version", resource_.service_version}}});
}

Status StoreBaselineStore::SavePinned(const Profile& profile) {
  const std::string at = std::to_string(WallNanos());
  return SaveAndPin({.id = std::string(kIdPrefix) + "pinned-" + at,
                     .kind = ProfileKind::kCpu,
                     .profile = profile,
                     .labels = {{"baseline", "pinned"}, {"pinned_at", at}}});
}

// Saved, committed, then pinned: the row is found by its id and time.
Status StoreBaselineStore::SaveAndPin(UploadedProfile profile) {
  const std::string id = profile.id;
  store_->AddProfiles(std::span<const UploadedProfile>(&profile, 1), resource_);
  TAI_RETURN_IF_ERROR(store_->Flush(kSaveTimeout).WithContext("saving baseline " + id));
  TAI_ASSIGN_OR_RETURN(auto saved,
                       store_->ListProfiles({.service = resource_.service_name,
                                             .kind = "CPU",
                                             .profile_id = id,
                                             .start_nanos = profile.profile.time_nanos,
                                             .end_nanos = profile.profile.time_nanos + 1,
                                             .limit = 1}));
  if (saved.empty()) {
    return UnavailableError("baseline " + id +
                            " is not in the embedded store after its write (dropped: see "
                            "Store::stats())");
  }
  return store_->PinProfile(saved[0].row_id, true);
}

}  // namespace tai
