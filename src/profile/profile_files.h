// Internal: files of pprof profiles written so that a reader (or a crash)
// never sees half a file, under names made safe from any id or label.
#pragma once

#include <string>
#include <string_view>

#include "tai/core/status.h"
#include "tai/profile/profile.h"

namespace tai::internal {

// Writes EncodePprof(profile) to a temporary file in the same directory,
// then renames it over `path` (atomic on POSIX file systems).
Status WritePprofFileAtomically(const Profile& profile, const std::string& path);
// `s` with every character other than [A-Za-z0-9._-] replaced by '_', and
// "_" for an empty string, so that it is one path component.
std::string SafeFileName(std::string_view s);

}  // namespace tai::internal
