// Internal: writing a whole buffer to a file descriptor (the stream sinks).
#pragma once

#include <string_view>

#include "tai/core/status.h"

namespace tai::internal {

// Writes all of `data`, retrying short writes and EINTR.
Status WriteAll(int fd, std::string_view data);

}  // namespace tai::internal
