// Internal: reads a whole file that must be a regular file of bounded size,
// and writes one so that readers see the old file or the new, never half.
// Used for inputs a user or another tool hands us (profiles, key files):
// opening a FIFO for reading waits for a writer, a device never ends, and a
// huge file would be read into memory; all of these are errors that say so.
// Free functions; thread-safe for distinct paths.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tai/core/status.h"

namespace tai::internal {

// The file's bytes. NOT_FOUND when it cannot be opened; INVALID_ARGUMENT for
// a directory, a FIFO, socket or device, or an empty file;
// RESOURCE_EXHAUSTED when it is larger than `max_bytes`, naming
// `limit_name` (e.g. "PprofLimits::max_file_bytes").
Result<std::string> ReadRegularFile(const std::string& path, size_t max_bytes,
                                    std::string_view limit_name);

// Writes `data` to `path` + ".tmp" (mode 0600) and renames it over `path`.
// With `sync`, the data reaches the disk before the rename, so a crash
// leaves the complete file or none: for data whose only other copy is
// deleted next. UNAVAILABLE names the file and the system's reason.
Status WriteFileAtomically(const std::string& path, std::string_view data, bool sync);

}  // namespace tai::internal
