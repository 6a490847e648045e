// Internal: a Profile in speedscope's JSON file format, so a profile can be
// opened in speedscope (the "open in speedscope" export): one "sampled"
// profile per file, frames shared, one stack per distinct sample.
//
// Free function: thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "tai/profile/profile.h"

namespace tai::internal {

// The file's name is `name`; weights are Profile::DefaultValueIndex()'s
// values in the unit speedscope knows for it (nanoseconds, bytes, or none).
std::string SpeedscopeJson(const Profile& profile, std::string_view name);

}  // namespace tai::internal
