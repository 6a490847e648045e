// The original design's objects built exactly as its code builds them,
// with Google Cloud configured the way a service configures it (the
// environment): CloudMonitoring's points, CloudTrace's traces and
// CloudProfiler's profiles reach Cloud Monitoring, Cloud Trace and Cloud
// Profiler (emulated, every request checked against Google's .proto files)
// of the project the code names, and the embedded store too.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "compat/design_env_testing.h"
#include "profile/workload_testing.h"
#include "tai/compat/cloud_monitoring.h"
#include "tai/compat/cloud_profiler.h"
#include "tai/compat/cloud_trace.h"
#include "tai/store/store.h"
#include "tests/gcp_emulator/cloud_profiler_emulator.h"
#include "tests/gcp_emulator/monitoring_emulator.h"
#include "tests/gcp_emulator/trace_emulator.h"

namespace tai {
namespace {

using namespace std::chrono_literals;
using gcp::CloudMonitoring;
using gcp::CloudProfiler;
using gcp::CloudTrace;

class DesignObjectsGcpTest : public ::testing::Test {
 protected:
  // The emulators' endpoints, no credentials (an emulator), no metadata
  // server, no spill directory; plus `extra`.
  std::map<std::string, std::string> GcpEnv(std::map<std::string, std::string> extra) {
    std::map<std::string, std::string> env = {{"TAI_GCP_AUTH", "false"},
                                              {"TAI_GCP_DETECT_RESOURCE", "false"},
                                              {"TAI_GCP_SPILL_DIR", "none"},
                                              {"TAI_GCP_MONITORING_ENDPOINT", monitoring_.url()},
                                              {"TAI_GCP_TRACE_ENDPOINT", trace_.url()},
                                              {"TAI_GCP_PROFILER_ENDPOINT", profiler_.url()}};
    env.merge(extra);
    return env;
  }

  std::vector<std::string> SpanNames() {
    std::vector<std::string> names;
    for (const nlohmann::json& span : trace_.spans()) names.push_back(span["name"]);
    return names;
  }

  void ExpectNoProblems() {
    for (auto* api : {static_cast<testing::ApiEmulator*>(&trace_),
                      static_cast<testing::ApiEmulator*>(&monitoring_),
                      static_cast<testing::ApiEmulator*>(&profiler_)}) {
      EXPECT_TRUE(api->problems().empty()) << api->problems().front();
    }
  }

  testing::TraceEmulator trace_;
  testing::MonitoringEmulator monitoring_;
  testing::ProfilerEmulator profiler_;
};

// TAI_GCP_EXPORT=true and no GOOGLE_CLOUD_PROJECT: the code's project decides.
TEST_F(DesignObjectsGcpTest, EveryObjectReachesItsApiInTheProjectItNames) {
  testing::ScopedDesignEnv env(GcpEnv({{"TAI_GCP_EXPORT", "true"}}));
  std::string trace_id;
  {
    CloudMonitoring monitoring("design-project");
    ASSERT_TRUE(monitoring.status().ok()) << monitoring.status().ToString();
    EXPECT_EQ(
        monitoring.destination(),
        "Cloud Monitoring of project design-project and the embedded store " + env.store_path());
    ASSERT_TRUE(monitoring
                    .WriteMetricPoint("custom.googleapis.com/app/cpu_usage", MetricValue(42.5),
                                      {{"host", "web-1"}})
                    .ok());

    CloudTrace tracer("design-project", 1.0);
    ASSERT_TRUE(tracer.status().ok()) << tracer.status().ToString();
    EXPECT_EQ(tracer.destination(),
              "Cloud Trace of project design-project and the embedded store " + env.store_path());
    trace_id = tracer.StartTrace("http-request").value();
    ASSERT_TRUE(tracer.SetSpanAttribute(trace_id, "", "http.method", "POST").ok());
    ASSERT_TRUE(tracer.FinishTrace(trace_id).ok());
    auto [count, traces] = tracer.BatchExport().value();
    ASSERT_EQ(count, 1u);
    ASSERT_TRUE(tracer.UploadTraces(traces).ok());

    auto profiler = std::make_shared<CloudProfiler>("design-project", 100);
    ASSERT_TRUE(profiler->status().ok()) << profiler->status().ToString();
    ASSERT_TRUE(profiler->StartCpuProfile("profile-1").ok());
    const int64_t start = profile_testing::ThreadCpuNanos();
    while (profile_testing::ThreadCpuNanos() - start < 100'000'000) tai_burn_alpha(20'000);
    ASSERT_TRUE(profiler->FinishCpuProfile().ok());
    ASSERT_TRUE(profiler->FlushUploads(30s));
    const gcp::ProfileUploadStats uploads = profiler->upload_stats();
    EXPECT_EQ(uploads.delivered, 1u) << uploads.last_error;
    EXPECT_EQ(uploads.failed + uploads.dropped, 0u);
  }  // the last object gone, the pipeline flushes and stops

  EXPECT_EQ(monitoring_.projects(), std::set<std::string>{"design-project"});
  bool cpu_usage = false;
  for (const nlohmann::json& ts : monitoring_.series()) {
    if (ts["metric"]["type"] != "custom.googleapis.com/app/cpu_usage") continue;
    cpu_usage = true;
    EXPECT_DOUBLE_EQ(ts["points"][0]["value"]["doubleValue"].get<double>(), 42.5);
  }
  EXPECT_TRUE(cpu_usage);

  // Uploaded once: UploadTraces took it, nothing sends it again at the end.
  const std::string prefix = "projects/design-project/traces/" + trace_id + "/spans/";
  ASSERT_EQ(SpanNames().size(), 1u);
  EXPECT_TRUE(SpanNames()[0].starts_with(prefix)) << SpanNames()[0];

  std::vector<testing::ProfilerEmulator::Event> offline;
  for (auto& e : profiler_.events()) {
    if (e.method == "offline") offline.push_back(e);
  }
  ASSERT_EQ(offline.size(), 1u);
  EXPECT_EQ(offline[0].status, 200);
  EXPECT_EQ(offline[0].body["deployment"]["projectId"], "design-project");
  EXPECT_EQ(offline[0].body["profileType"], "CPU");
  ExpectNoProblems();

  // And the store has all three.
  auto store = Store::Open({.path = env.store_path(), .read_only = true});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Latest("custom.googleapis.com/app/cpu_usage")->size(), 1u);
  EXPECT_TRUE((*store)->GetTrace(*TraceId::FromHex(trace_id)).ok());
  EXPECT_EQ((*store)->ListProfiles({.profile_id = "profile-1"})->size(), 1u);
}

// GOOGLE_CLOUD_PROJECT and credentials are enough (TAI_GCP_EXPORT unset);
// code naming another project gets an error and sends nothing anywhere.
TEST_F(DesignObjectsGcpTest, ConfiguredProjectAndCredentialsTurnExportOn) {
  testing::ScopedDesignEnv env(
      GcpEnv({{"GOOGLE_CLOUD_PROJECT", "design-project"},
              {"GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/key.json"}}));
  {
    auto wrong = CloudTrace::Create("my-project", 1.0);
    EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
    CloudTrace tracer("design-project", 0.01);  // the design's production rate
    ASSERT_TRUE(tracer.status().ok()) << tracer.status().ToString();
    // Errors are kept whatever the rate; nobody calls BatchExport.
    std::string id = tracer.StartTrace("request").value();
    std::string db = tracer.CreateSpan(id, "database", std::nullopt).value();
    ASSERT_TRUE(tracer.FinishSpan(id, db, SpanStatus::kError).ok());
    ASSERT_TRUE(tracer.FinishTrace(id).ok());
  }
  ASSERT_EQ(SpanNames().size(), 2u);
  for (const std::string& name : SpanNames()) {
    EXPECT_TRUE(name.starts_with("projects/design-project/")) << name;
  }
  ExpectNoProblems();
}

}  // namespace
}  // namespace tai
