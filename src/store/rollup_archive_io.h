// Internal: writing rollup archive files (tai/store/rollup_archive.h has
// the format and the reader). The retention job calls these for each
// expired day before it deletes the day's cells.
//
// Free functions; thread-safe for distinct paths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tai/core/status.h"
#include "tai/store/rollup_archive.h"

namespace tai::internal {

// "<directory>/<stem of store_path>-daily-YYYY-MM-DD.jsonl.gz" for the UTC
// day that starts at `day_start_nanos`.
std::string RollupArchivePath(const std::string& directory, const std::string& store_path,
                              int64_t day_start_nanos);

// Creates `directory` if needed and writes `rows` to `path` atomically and
// synced: after a crash the file is whole or absent, never half, so the
// day's cells may be deleted once this returns OK. Rewriting a day
// (a crash between the write and the delete) gives the same file.
Status WriteRollupArchive(const std::string& directory, const std::string& path,
                          const std::vector<ArchivedRollup>& rows);

// One line of the format, without its newline.
std::string RollupArchiveLine(const ArchivedRollup& row);
// A line back (without its newline); the error names the field at fault.
Result<ArchivedRollup> ParseRollupArchiveLine(std::string_view line);

}  // namespace tai::internal
