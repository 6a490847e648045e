#include "tai/compat/cloud_monitoring.h"

#include "compat/design_pipeline.h"
#include "tai/alert/alert_engine.h"
#include "tai/core/clock.h"
#include "tai/observability.h"

namespace tai::gcp {
namespace {

constexpr std::string_view kUserDomains[] = {"custom.googleapis.com/", "workload.googleapis.com/",
                                             "external.googleapis.com/"};

}  // namespace

CloudMonitoring::CloudMonitoring(std::string project)
    : CloudMonitoring(project, internal::DesignPipeline::Acquire(project)) {}

CloudMonitoring::CloudMonitoring(std::string project,
                                 Result<std::shared_ptr<internal::DesignPipeline>> pipeline)
    : project_(std::move(project)) {
  if (!pipeline.ok()) {
    status_ = pipeline.status().WithContext("CloudMonitoring");
    return;
  }
  pipeline_ = std::move(*pipeline);
  destination_ = pipeline_->Destinations("Cloud Monitoring");
  Attach(pipeline_->observability());
}

CloudMonitoring::CloudMonitoring(std::string project, Observability& observability)
    : project_(std::move(project)) {
  const std::string& theirs = observability.resource().gcp_project;
  if (project_.empty()) {
    status_ = InvalidArgumentError("CloudMonitoring: the project is empty");
  } else if (!theirs.empty() && theirs != project_) {
    status_ = InvalidArgumentError("CloudMonitoring: project '" + project_ +
                                   "' is not the Observability's project '" + theirs + "'");
  } else {
    Attach(observability);
  }
}

void CloudMonitoring::Attach(Observability& observability) {
  registry_ = &observability.metrics();
  store_ = observability.metric_store();
  alerts_ = observability.alerts();
}

Result<std::unique_ptr<CloudMonitoring>> CloudMonitoring::Create(std::string project) {
  return internal::MadeOrError<CloudMonitoring>(std::move(project));
}

Result<std::unique_ptr<CloudMonitoring>> CloudMonitoring::Create(std::string project,
                                                                 Observability& observability) {
  return internal::MadeOrError<CloudMonitoring>(std::move(project), observability);
}

// The design pipeline, when this was its last user, flushes on its way out.
CloudMonitoring::~CloudMonitoring() = default;

Status CloudMonitoring::CheckType(std::string_view metric_type) const {
  TAI_RETURN_IF_ERROR(status_);
  for (std::string_view domain : kUserDomains) {
    if (metric_type.substr(0, domain.size()) == domain && metric_type.size() > domain.size()) {
      return Status::Ok();
    }
  }
  return InvalidArgumentError("metric type '" + std::string(metric_type) +
                              "' is not a user-defined Cloud Monitoring type; it must start with "
                              "custom.googleapis.com/, workload.googleapis.com/ or "
                              "external.googleapis.com/");
}

Status CloudMonitoring::CreateMetricDescriptor(const MetricDescriptor& descriptor) {
  TAI_RETURN_IF_ERROR(CheckType(descriptor.metric_type));
  return registry_->RegisterDescriptor(descriptor);
}

Status CloudMonitoring::WriteMetricPoint(std::string_view metric_type, const MetricValue& value,
                                         const std::map<std::string, std::string>& labels) {
  TAI_RETURN_IF_ERROR(CheckType(metric_type));
  std::vector<std::pair<std::string, std::string>> pairs(labels.begin(), labels.end());
  LabelSet set = LabelSet::FromPairs(std::move(pairs));
  const int64_t now = WallNanos();
  TAI_RETURN_IF_ERROR(registry_->WritePoint(metric_type, value, set, now));
  store_->Append(std::string(metric_type), {set, now, value});
  return Status::Ok();
}

Result<MetricValue> CloudMonitoring::GetLatestMetricValue(std::string_view metric_type) const {
  TAI_RETURN_IF_ERROR(status_);
  auto latest = store_->Latest(metric_type);
  if (!latest) {
    return NotFoundError("no points for metric type '" + std::string(metric_type) + "'");
  }
  return latest->value;
}

Result<std::vector<StoredPoint>> CloudMonitoring::QueryTimeSeries(std::string_view metric_type,
                                                                  size_t limit) const {
  TAI_RETURN_IF_ERROR(status_);
  if (limit == 0) return InvalidArgumentError("QueryTimeSeries: limit must be at least 1");
  auto points = store_->Query(metric_type, limit);
  if (points.empty()) {
    return NotFoundError("no points for metric type '" + std::string(metric_type) + "'");
  }
  return points;
}

Result<MetricStatistics> CloudMonitoring::GetMetricStatistics(std::string_view metric_type) const {
  TAI_RETURN_IF_ERROR(status_);
  return store_->Statistics(metric_type);
}

Result<bool> CloudMonitoring::CheckThreshold(std::string_view metric_type, double threshold,
                                             ComparisonOperator op) const {
  TAI_ASSIGN_OR_RETURN(auto latest, GetLatestMetricValue(metric_type));
  return Compare(latest.AsDouble(), op, threshold);
}

Status CloudMonitoring::CreateAlertingRule(const AlertingRule& rule) {
  TAI_RETURN_IF_ERROR(status_);
  if (alerts_ == nullptr) {
    return FailedPreconditionError(
        "rule '" + rule.id +
        "': alerting rules are evaluated by the alert engine over the embedded store, which is "
        "off here (TAI_STORE, TAI_ALERTS)");
  }
  return alerts_->CreateAlertingRule(rule);
}

}  // namespace tai::gcp
