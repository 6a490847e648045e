// Internal: several profiles of one kind merged into one (a "last hour"
// view): functions, mappings and locations are matched by what they are
// (name and file; object and address), not by their per-profile ids, and
// samples with the same stack and labels add their values. The work
// counts (tai/profile/profile_work.h) add up too, when every profile has one.
//
// Free function; thread-safe.
#pragma once

#include <vector>

#include "tai/core/status.h"
#include "tai/profile/profile.h"

namespace tai::internal {

// INVALID_ARGUMENT when the profiles' sample types differ.
Result<Profile> MergeProfileList(const std::vector<Profile>& profiles);

}  // namespace tai::internal
