// Internal: the store's schema as a list of migrations, and the code that
// brings a file up to the newest version. The version lives in
// PRAGMA user_version; migration i takes a file from version i-1 to i
// inside one transaction, so a crash mid-migration leaves the old version.
//
// Free functions; the caller owns the connection (the writer's).
#pragma once

#include <span>
#include <string_view>

#include "store/sqlite_db.h"

namespace tai::internal {

struct Migration {
  int version;           // the version the file has after this step
  std::string_view sql;  // statements separated by ';'
};

// The store's migrations, oldest first.
std::span<const Migration> StoreMigrations();

// Applies the steps of `migrations` the file lacks. A file newer than the
// last step is refused: this build cannot know what the newer one changed.
Status Migrate(Database& db, std::span<const Migration> migrations);

// The version a file is at (0 for a new file).
Result<int> SchemaVersion(Database& db);

}  // namespace tai::internal
