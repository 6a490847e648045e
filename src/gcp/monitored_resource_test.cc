#include "tai/gcp/monitored_resource.h"

#include <gtest/gtest.h>

#include <map>

namespace tai::gcp {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

Resource Service() {
  Resource r;
  r.service_name = "shop";
  r.instance_id = "i-42";
  return r;
}

TEST(MonitoredResourceTest, KubernetesGivesK8sContainer) {
  MetadataInfo gke{.project_id = "p",
                   .zone = "europe-west1-b",
                   .instance_id = "123",
                   .cluster_name = "prod-cluster",
                   .cluster_location = "europe-west1"};
  auto env = FakeEnv({{"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                      {"POD_NAMESPACE", "payments"},
                      {"HOSTNAME", "shop-7d9f-abc"},
                      {"CONTAINER_NAME", "server"}});
  MonitoredResource r = DetectMonitoredResource(Service(), "p", gke, env);
  EXPECT_EQ(r.type, "k8s_container");
  EXPECT_EQ(r.labels, (std::map<std::string, std::string>{{"project_id", "p"},
                                                          {"location", "europe-west1"},
                                                          {"cluster_name", "prod-cluster"},
                                                          {"namespace_name", "payments"},
                                                          {"pod_name", "shop-7d9f-abc"},
                                                          {"container_name", "server"}}));
}

TEST(MonitoredResourceTest, AVmWithMetadataGivesGceInstance) {
  MetadataInfo vm{.project_id = "p", .zone = "us-central1-a", .instance_id = "987"};
  MonitoredResource r = DetectMonitoredResource(Service(), "p", vm, FakeEnv({}));
  EXPECT_EQ(r.type, "gce_instance");
  EXPECT_EQ(r.labels, (std::map<std::string, std::string>{
                          {"project_id", "p"}, {"instance_id", "987"}, {"zone", "us-central1-a"}}));
  EXPECT_EQ(r.ToJson(), R"({"type":"gce_instance","labels":{"instance_id":"987","project_id":"p",)"
                        R"("zone":"us-central1-a"}})");
}

TEST(MonitoredResourceTest, ElsewhereGenericTask) {
  MonitoredResource r = DetectMonitoredResource(Service(), "p", std::nullopt, FakeEnv({}));
  EXPECT_EQ(r.type, "generic_task");
  EXPECT_EQ(r.labels, (std::map<std::string, std::string>{{"project_id", "p"},
                                                          {"location", "global"},
                                                          {"namespace", "shop"},
                                                          {"job", "shop"},
                                                          {"task_id", "i-42"}}));
  // Kubernetes without a metadata server (not GKE) still names the pod.
  MonitoredResource k8s =
      DetectMonitoredResource(Service(), "p", std::nullopt,
                              FakeEnv({{"KUBERNETES_SERVICE_HOST", "x"}, {"POD_NAME", "pod-1"}}));
  EXPECT_EQ(k8s.type, "k8s_container");
  EXPECT_EQ(k8s.labels.at("pod_name"), "pod-1");
  EXPECT_EQ(k8s.labels.at("container_name"), "shop");
  EXPECT_EQ(k8s.labels.at("location"), "global");
}

}  // namespace
}  // namespace tai::gcp
