// Internal: a ProfileComparison as JSON, the form the store keeps in its
// comparison history (ProfileComparisonRecord::details_json): regressions,
// improvements (each with the smallest change it could have detected),
// added and removed functions, the totals and the normalisation used.
//
// A free function; thread-safe.
#pragma once

#include <string>

#include "tai/analysis/regression.h"

namespace tai::internal {

std::string ProfileComparisonJson(const ProfileComparison& comparison);

}  // namespace tai::internal
