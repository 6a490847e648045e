// StoreBaselineStore: the continuous profiling service's baselines
// (tai/profile/baseline_store.h) in the embedded store, for one service
// version, as CPU profiles of the service that are pinned
// (Store::PinProfile), so retention never removes them:
//
//   id "baseline@<version>"           the version's own baseline; labels
//                                     baseline=version, version=<version>
//   id "baseline@pinned-<unix ns>"    a baseline pinned by the user; labels
//                                     baseline=pinned, pinned_at=<unix ns>;
//                                     the newest pin is the one in force
//
// They list with the other profiles (`taiobs profiles`, the dashboard).
// A save queues the profile, waits for the store's writer to commit it (at
// most kSaveTimeout) and pins it: call it off the application's hot path
// (the service saves on its own thread, once per version).
//
// Shares ownership of the Store. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "tai/core/resource.h"
#include "tai/profile/baseline_store.h"
#include "tai/store/store.h"

namespace tai {

class StoreBaselineStore : public BaselineStore {
 public:
  static constexpr std::chrono::seconds kSaveTimeout{10};

  StoreBaselineStore(std::shared_ptr<Store> store, Resource resource);

  std::string description() const override;
  Result<Profile> LoadVersionBaseline() const override;
  Result<Profile> LoadPreviousVersionBaseline() const override;
  Result<Profile> LoadPinned() const override;
  Status SaveVersionBaseline(const Profile& profile) override;
  Status SavePinned(const Profile& profile) override;

 private:
  Result<std::vector<StoredProfileInfo>> PinnedBaselines() const;
  Status SaveAndPin(UploadedProfile profile);

  const std::shared_ptr<Store> store_;
  const Resource resource_;
};

}  // namespace tai
