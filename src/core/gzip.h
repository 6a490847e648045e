// Internal: gzip (RFC 1952) compression for request bodies and pprof files.
#pragma once

#include <string>
#include <string_view>

#include "tai/core/status.h"

namespace tai::internal {

std::string GzipCompress(std::string_view data, int level = 6);
// Fails on corrupt input, or when the output would exceed `max_output` bytes
// (a guard against decompression bombs).
Result<std::string> GzipDecompress(std::string_view data, size_t max_output = 512u << 20);

}  // namespace tai::internal
