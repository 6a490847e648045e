#include "tai/store/deploy_record.h"

#include <map>
#include <span>

#include "store/record_json.h"
#include "tai/log/log_record.h"
#include "tai/log/log_sink.h"

namespace tai {
namespace {

constexpr std::string_view kVersionField = "service.version";
constexpr std::string_view kInstanceField = "service.instance.id";
constexpr std::string_view kEnvironmentField = "deployment.environment.name";

}  // namespace

void RecordDeploy(Store& store, const Resource& resource, int64_t time_nanos) {
  LogRecord r;
  r.time_unix_nanos = time_nanos;
  r.level = LogLevel::kInfo;
  r.logger_name = InternLoggerName(kDeployLoggerName);
  const std::string environment(EnvironmentName(resource.environment));
  r.message = resource.service_name + " " +
              (resource.service_version.empty() ? "(no version)" : resource.service_version) +
              " started (instance " + resource.instance_id + ", " + environment + ")";
  r.AddField({kVersionField, resource.service_version});
  r.AddField({kInstanceField, resource.instance_id});
  r.AddField({kEnvironmentField, environment});
  store.AddLogs(LogBatch{resource, std::span<const LogRecord>(&r, 1)});
}

Result<std::vector<DeployRecord>> SearchDeploys(const Store& store, int64_t start_nanos,
                                                int64_t end_nanos, size_t limit) {
  TAI_ASSIGN_OR_RETURN(std::vector<StoredLog> logs,
                       store.SearchLogs({.start_nanos = start_nanos,
                                         .end_nanos = end_nanos,
                                         .logger = std::string(kDeployLoggerName),
                                         .limit = limit}));
  std::vector<DeployRecord> out;
  out.reserve(logs.size());
  for (StoredLog& log : logs) {
    std::map<std::string, std::string> fields = internal::StringMapFromJson(log.fields_json);
    out.push_back({.time_nanos = log.time_nanos,
                   .service = std::move(log.service),
                   .version = fields[std::string(kVersionField)],
                   .instance_id = fields[std::string(kInstanceField)],
                   .message = std::move(log.message)});
  }
  return out;
}

}  // namespace tai
