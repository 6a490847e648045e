#include "tai/gcp/monitored_resource.h"

#include <unistd.h>

#include <fstream>

#include "core/text.h"

namespace tai::gcp {
namespace {

std::string Env(const EnvLookup& getenv, const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

std::string FirstOf(std::initializer_list<std::string> values) {
  for (const std::string& v : values) {
    if (!v.empty()) return v;
  }
  return "";
}

std::string KubernetesNamespace(const EnvLookup& getenv) {
  std::string ns = Env(getenv, "POD_NAMESPACE");
  if (ns.empty()) {
    std::ifstream in("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
    std::getline(in, ns);
  }
  return ns.empty() ? "default" : ns;
}

// A task id for a Resource made without one: the host and the process.
std::string HostAndPid() {
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  return std::string(host) + "-" + std::to_string(::getpid());
}

}  // namespace

std::string MonitoredResource::ToJson() const {
  std::string out = "{\"type\":";
  internal::AppendJsonString(out, type);
  out += ",\"labels\":{";
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out += ',';
    first = false;
    internal::AppendJsonString(out, key);
    out += ':';
    internal::AppendJsonString(out, value);
  }
  out += "}}";
  return out;
}

MonitoredResource GenericTaskResource(const Resource& resource, const std::string& project_id,
                                      const std::string& location) {
  return {"generic_task",
          {{"project_id", project_id},
           {"location", location.empty() ? "global" : location},
           {"namespace", resource.service_name},
           {"job", resource.service_name},
           {"task_id", resource.instance_id.empty() ? HostAndPid() : resource.instance_id}}};
}

MonitoredResource DetectMonitoredResource(const Resource& resource, const std::string& project_id,
                                          const std::optional<MetadataInfo>& metadata,
                                          const EnvLookup& getenv) {
  const std::string zone = metadata ? metadata->zone : "";
  if (!Env(getenv, "KUBERNETES_SERVICE_HOST").empty()) {
    return {"k8s_container",
            {{"project_id", project_id},
             {"location", FirstOf({metadata ? metadata->cluster_location : "", zone, "global"})},
             {"cluster_name", FirstOf({metadata ? metadata->cluster_name : "", "unknown"})},
             {"namespace_name", KubernetesNamespace(getenv)},
             {"pod_name",
              FirstOf({Env(getenv, "POD_NAME"), Env(getenv, "HOSTNAME"), resource.instance_id})},
             {"container_name", FirstOf({Env(getenv, "CONTAINER_NAME"), resource.service_name})}}};
  }
  if (metadata && !metadata->instance_id.empty() && !zone.empty()) {
    return {"gce_instance",
            {{"project_id", project_id}, {"instance_id", metadata->instance_id}, {"zone", zone}}};
  }
  return GenericTaskResource(resource, project_id, zone);
}

}  // namespace tai::gcp
