#include "tai/compat/cloud_monitoring.h"

#include "tai/alert/alert_engine.h"
#include "tai/core/clock.h"
#include "tai/observability.h"

namespace tai::gcp {
namespace {

constexpr std::string_view kUserDomains[] = {"custom.googleapis.com/", "workload.googleapis.com/",
                                             "external.googleapis.com/"};

}  // namespace

CloudMonitoring::CloudMonitoring(std::string project)
    : project_(std::move(project)),
      owned_registry_(std::make_unique<MetricRegistry>()),
      registry_(owned_registry_.get()),
      store_(std::make_shared<InMemoryMetricStore>()),
      owned_collector_(std::make_unique<MetricCollector>(*registry_, std::chrono::seconds(10))) {
  owned_collector_->AddSink(store_);
  (void)owned_collector_->Start();
}

CloudMonitoring::CloudMonitoring(std::string project, Observability& observability)
    : project_(std::move(project)),
      registry_(&observability.metrics()),
      store_(observability.metric_store()),
      alerts_(observability.alerts()) {}

CloudMonitoring::~CloudMonitoring() {
  if (owned_collector_) owned_collector_->Stop(std::chrono::seconds(1));
}

Status CloudMonitoring::CheckType(std::string_view metric_type) const {
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
  auto latest = store_->Latest(metric_type);
  if (!latest) {
    return NotFoundError("no points for metric type '" + std::string(metric_type) + "'");
  }
  return latest->value;
}

Result<std::vector<StoredPoint>> CloudMonitoring::QueryTimeSeries(std::string_view metric_type,
                                                                  size_t limit) const {
  if (limit == 0) return InvalidArgumentError("QueryTimeSeries: limit must be at least 1");
  auto points = store_->Query(metric_type, limit);
  if (points.empty()) {
    return NotFoundError("no points for metric type '" + std::string(metric_type) + "'");
  }
  return points;
}

Result<MetricStatistics> CloudMonitoring::GetMetricStatistics(std::string_view metric_type) const {
  return store_->Statistics(metric_type);
}

Result<bool> CloudMonitoring::CheckThreshold(std::string_view metric_type, double threshold,
                                             ComparisonOperator op) const {
  TAI_ASSIGN_OR_RETURN(auto latest, GetLatestMetricValue(metric_type));
  return Compare(latest.AsDouble(), op, threshold);
}

Status CloudMonitoring::CreateAlertingRule(const AlertingRule& rule) {
  if (alerts_ == nullptr) {
    return FailedPreconditionError(
        "rule '" + rule.id +
        "': alerting rules are evaluated by an Observability's alert engine over its store; "
        "make this CloudMonitoring from an Observability with the store on");
  }
  return alerts_->CreateAlertingRule(rule);
}

}  // namespace tai::gcp
