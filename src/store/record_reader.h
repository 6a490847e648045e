// Internal: the trace, log and profile side of the query API, over a read
// connection. Every search is newest first and capped at a row limit.
//
// Free functions; the caller owns the connection.
#pragma once

#include <vector>

#include "store/sqlite_db.h"
#include "tai/profile/profile.h"
#include "tai/store/alert_records.h"
#include "tai/store/log_query.h"
#include "tai/store/profile_query.h"
#include "tai/store/trace_query.h"

namespace tai::internal {

Result<std::vector<StoredSpan>> ReadSpans(Database& db, const TraceQuery& query, size_t max_rows);
Result<std::vector<StoredSpan>> ReadTrace(Database& db, const TraceId& trace_id);
Result<std::vector<StoredLog>> ReadLogs(Database& db, const LogQuery& query, size_t max_rows);
Result<std::vector<StoredProfileInfo>> ReadProfiles(Database& db, const ProfileQuery& query,
                                                    size_t max_rows);
Result<Profile> ReadProfile(Database& db, int64_t row_id);
Result<std::vector<ProfileComparisonRecord>> ReadProfileComparisons(
    Database& db, const ProfileComparisonQuery& query, size_t max_rows);
Result<std::vector<AlertEventRecord>> ReadAlertEvents(Database& db, const AlertEventQuery& query,
                                                      size_t max_rows);
Result<std::vector<NotificationAttempt>> ReadNotifications(Database& db,
                                                           const NotificationQuery& query,
                                                           size_t max_rows);

}  // namespace tai::internal
