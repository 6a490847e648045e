// Internal: Base64 (RFC 4648), standard and URL-safe without padding (JWT).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tai::internal {

std::string Base64Encode(std::string_view data);
// URL-safe alphabet, no '=' padding: the JWT encoding.
std::string Base64UrlEncode(std::string_view data);
// Accepts either alphabet, with or without padding; null on bad input.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace tai::internal
