// MonitoredResource: what Cloud Monitoring and Cloud Logging file a
// service's data under: a resource type and its labels, chosen from where
// the process runs. On Kubernetes (KUBERNETES_SERVICE_HOST is set) it is
// k8s_container; on a VM whose metadata server answered, gce_instance;
// anywhere else generic_task, whose labels come from the Resource.
//
// A value type; detection is a pure function of what it is given (the
// caller reads the metadata server), so it is thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "tai/core/resource.h"
#include "tai/gcp/credentials.h"

namespace tai::gcp {

struct MonitoredResource {
  std::string type;                           // "k8s_container", "gce_instance", "generic_task"
  std::map<std::string, std::string> labels;  // every label the type requires

  // {"type":..., "labels":{...}}, as both APIs take it.
  std::string ToJson() const;
};

// `metadata`: what ReadMetadata returned, when it answered. `getenv` reads
// KUBERNETES_SERVICE_HOST, POD_NAMESPACE, POD_NAME, CONTAINER_NAME and
// HOSTNAME; the namespace also comes from the service account's namespace
// file when mounted.
MonitoredResource DetectMonitoredResource(const Resource& resource, const std::string& project_id,
                                          const std::optional<MetadataInfo>& metadata,
                                          const EnvLookup& getenv);

// generic_task: project_id, location ("global" unless known), namespace and
// job (the service), task_id (the instance).
MonitoredResource GenericTaskResource(const Resource& resource, const std::string& project_id,
                                      const std::string& location);

}  // namespace tai::gcp
