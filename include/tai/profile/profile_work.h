// The work a profile covers (e.g. the requests served in its window),
// carried with it as the pprof comment "tai.work=N": a baseline kept in a
// store or a file keeps it, merging profiles sums it, and a comparison per
// unit of work (Normalization::kPerWork) finds it without being told.
//
// Free functions on a Profile the caller owns; thread-safe for distinct
// profiles.
#pragma once

#include <optional>

#include "tai/profile/profile.h"

namespace tai {

// Replaces an earlier count.
void SetProfileWork(Profile& profile, double work);
// nullopt without a count, or with one that is not a finite number > 0.
std::optional<double> ProfileWork(const Profile& profile);

}  // namespace tai
