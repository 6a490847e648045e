// Internal: the dashboard API's query strings, whose keys may repeat. Their
// times and durations are read by tai/core/parse.h (ParseTime), which the
// command line shares.
//
// Free functions over their arguments only: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tai::internal {

// Every key=value pair of a raw query string in order, percent-decoded and
// '+' read as a space; a key may repeat ("match[]=a&match[]=b").
std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view query);

}  // namespace tai::internal
