// The original design's standalone objects, built as its code builds them,
// without Google Cloud: their data lands in the embedded store, where the
// dashboard and the query API read it; the project argument is checked;
// nothing goes nowhere silently.
#include "compat/design_pipeline.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "compat/design_env_testing.h"
#include "profile/workload_testing.h"
#include "tai/compat/cloud_monitoring.h"
#include "tai/compat/cloud_profiler.h"
#include "tai/compat/cloud_trace.h"
#include "tai/store/store.h"

namespace tai::gcp {
namespace {

using namespace std::chrono_literals;

class DesignPipelineTest : public ::testing::Test {
 protected:
  // The store the objects wrote, opened once they (and so the pipeline) are gone.
  std::unique_ptr<Store> OpenStore() {
    auto store = Store::Open({.path = env_.store_path(), .read_only = true});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  testing::ScopedDesignEnv env_;
};

TEST_F(DesignPipelineTest, MonitoringPointsLandInTheStore) {
  {
    CloudMonitoring monitoring("my-project");
    ASSERT_TRUE(monitoring.status().ok()) << monitoring.status().ToString();
    EXPECT_EQ(monitoring.destination(), "the embedded store " + env_.store_path());
    ASSERT_TRUE(monitoring
                    .WriteMetricPoint("custom.googleapis.com/app/cpu_usage", MetricValue(42.5),
                                      {{"host", "web-1"}})
                    .ok());
    EXPECT_DOUBLE_EQ(
        monitoring.GetLatestMetricValue("custom.googleapis.com/app/cpu_usage")->AsDouble(), 42.5);
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto latest = store->Latest("custom.googleapis.com/app/cpu_usage");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_DOUBLE_EQ((*latest)[0].value, 42.5);
}

// The design's first tracing example never calls batch_export: the traces
// still arrive, uploaded by the CloudTrace itself.
TEST_F(DesignPipelineTest, TracesNeverBatchExportedStillLandInTheStore) {
  std::string trace_id;
  {
    CloudTrace tracer("my-project", 1.0);
    ASSERT_TRUE(tracer.status().ok()) << tracer.status().ToString();
    trace_id = tracer.StartTrace("http-request").value();
    ASSERT_TRUE(tracer.SetSpanAttribute(trace_id, "", "http.method", "POST").ok());
    ASSERT_TRUE(tracer.FinishTrace(trace_id).ok());
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto spans = store->GetTrace(*TraceId::FromHex(trace_id));
  ASSERT_TRUE(spans.ok()) << spans.status().ToString();
  ASSERT_EQ(spans->size(), 1u);
  EXPECT_EQ((*spans)[0].span.name, "http-request");
  EXPECT_EQ((*spans)[0].service, "design-test");
}

TEST_F(DesignPipelineTest, BatchExportedAndUploadedTracesLandInTheStore) {
  std::string trace_id;
  {
    CloudTrace tracer("my-project", 1.0);
    trace_id = tracer.StartTrace("request").value();
    auto db = tracer.CreateSpan(trace_id, "database", std::nullopt).value();
    ASSERT_TRUE(tracer.FinishSpan(trace_id, db, SpanStatus::kOk).ok());
    ASSERT_TRUE(tracer.FinishTrace(trace_id).ok());
    auto [count, traces] = tracer.BatchExport().value();
    ASSERT_EQ(count, 1u);
    ASSERT_TRUE(tracer.UploadTraces(traces).ok());
    const CloudTraceStats stats = tracer.stats();
    EXPECT_EQ(stats.batch_exported, 1u);
    EXPECT_EQ(stats.queued_for_upload, 1u);
    EXPECT_EQ(stats.uploaded_automatically, 0u);
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto spans = store->GetTrace(*TraceId::FromHex(trace_id));
  ASSERT_TRUE(spans.ok()) << spans.status().ToString();
  EXPECT_EQ(spans->size(), 2u);  // once each: uploaded, not uploaded again at the end
}

// A trace that BatchExport did not take within a batch interval goes out
// with the next batch; one that has not waited that long stays for it.
TEST_F(DesignPipelineTest, ATraceLeftWaitingABatchIntervalIsUploadedByTheCloudTrace) {
  auto sink = std::make_shared<InMemorySpanSink>();
  auto processor = std::make_shared<BatchSpanProcessor>(Resource{});
  processor->AddSink(sink);
  // Every finished trace is a batch of its own.
  CloudTrace tracer("my-project", 1.0, processor, {.batch_traces = 1, .batch_interval = 50ms});
  ASSERT_TRUE(tracer.FinishTrace(tracer.StartTrace("first").value()).ok());
  const auto first_done = std::chrono::steady_clock::now();
  // Later batches, until one comes a batch interval after the first's.
  for (int i = 0; i < 200 && tracer.stats().uploaded_automatically == 0; ++i) {
    std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(tracer.FinishTrace(tracer.StartTrace("later").value()).ok());
  }
  ASSERT_GE(tracer.stats().uploaded_automatically, 1u);
  EXPECT_GE(std::chrono::steady_clock::now() - first_done, 50ms);
  ASSERT_TRUE(processor->Flush(5s));
  ASSERT_GE(sink->exported(), 1u);
  EXPECT_EQ(sink->spans()[0].name, "first");
}

TEST_F(DesignPipelineTest, TracesPastTheWaitingLimitAreCounted) {
  CloudTrace tracer("my-project", 1.0, CloudTraceOptions{.max_waiting_traces = 5});
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(tracer.FinishTrace(tracer.StartTrace("t").value()).ok());
  }
  EXPECT_EQ(tracer.BatchExport()->first, 5u);
  EXPECT_EQ(tracer.stats().dropped_waiting_full, 7u);
}

TEST_F(DesignPipelineTest, FinishedProfilesLandInTheStore) {
  {
    auto profiler = std::make_shared<CloudProfiler>("my-project", 250);
    ASSERT_TRUE(profiler->status().ok()) << profiler->status().ToString();
    ASSERT_TRUE(profiler->StartCpuProfile("profile-1").ok());
    const int64_t start = profile_testing::ThreadCpuNanos();
    while (profile_testing::ThreadCpuNanos() - start < 100'000'000) tai_burn_alpha(20'000);
    ASSERT_TRUE(profiler->FinishCpuProfile().ok());
    ASSERT_TRUE(profiler->FlushUploads(10s));
    const ProfileUploadStats stats = profiler->upload_stats();
    EXPECT_EQ(stats.finished, 1u);
    EXPECT_EQ(stats.delivered, 1u) << stats.last_error;
    EXPECT_EQ(stats.failed + stats.dropped, 0u);
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto kept = store->ListProfiles({.profile_id = "profile-1"});
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  ASSERT_EQ(kept->size(), 1u);
  EXPECT_EQ((*kept)[0].kind, "CPU");
  EXPECT_EQ((*kept)[0].service, "design-test");
}

// The design's "baseline from the previous deployment": a profile a
// previous process (here, a previous pipeline) finished is read back from
// the store.
TEST_F(DesignPipelineTest, CompletedProfilesOfAnEarlierRunComeFromTheStore) {
  {
    CloudProfiler before("my-project", 250);
    ASSERT_TRUE(before.StartCpuProfile("baseline-v1").ok());
    const int64_t start = profile_testing::ThreadCpuNanos();
    while (profile_testing::ThreadCpuNanos() - start < 50'000'000) tai_burn_beta(20'000);
    ASSERT_TRUE(before.FinishCpuProfile().ok());
  }
  CloudProfiler profiler("my-project", 250);
  Result<Profile> baseline = profiler.GetCompletedProfile("baseline-v1");
  ASSERT_TRUE(baseline.ok()) << baseline.status().ToString();
  EXPECT_FALSE(baseline->samples.empty());
  EXPECT_EQ(baseline->HotPaths(1)[0].function, "tai_burn_beta");
  EXPECT_EQ(profiler.GetCompletedProfile("baseline-v2").status().message(),
            "no completed profile 'baseline-v2' in memory or in the embedded store");
}

// All the process's standalone objects share one pipeline, hence one project.
TEST_F(DesignPipelineTest, OneProcessSendsToOneProject) {
  CloudMonitoring monitoring("my-project");
  ASSERT_TRUE(monitoring.status().ok());
  auto other = CloudTrace::Create("other-project", 1.0);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(other.status().message(),
            "CloudTrace: project 'other-project': the design objects of this process already "
            "send to project 'my-project'; one process sends to one project");
  EXPECT_TRUE(CloudProfiler::Create("my-project", 100).ok());
}

class DesignProjectMismatchTest : public ::testing::Test {
 protected:
  testing::ScopedDesignEnv env_{{{"GOOGLE_CLOUD_PROJECT", "configured-project"}}};
};

// The constructors keep the error and every call returns it.
TEST_F(DesignProjectMismatchTest, IsAnErrorAtConstruction) {
  const std::string why =
      "project 'my-project' is not GOOGLE_CLOUD_PROJECT 'configured-project': the data would go "
      "to one of them; make them the same";
  CloudMonitoring monitoring("my-project");
  EXPECT_EQ(monitoring.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(monitoring.status().message(), "CloudMonitoring: " + why);
  EXPECT_EQ(monitoring.WriteMetricPoint("custom.googleapis.com/x", MetricValue(1.0)),
            monitoring.status());
  EXPECT_EQ(monitoring.GetLatestMetricValue("custom.googleapis.com/x").status(),
            monitoring.status());
  EXPECT_EQ(monitoring.registry(), nullptr);

  CloudTrace tracer("my-project", 0.01);
  EXPECT_EQ(tracer.status().message(), "CloudTrace: " + why);
  EXPECT_EQ(tracer.StartTrace("request").status(), tracer.status());
  EXPECT_EQ(tracer.BatchExport().status(), tracer.status());
  EXPECT_EQ(tracer.UploadTraces({}), tracer.status());

  CloudProfiler profiler("my-project", 100);
  EXPECT_EQ(profiler.status().message(), "CloudProfiler: " + why);
  EXPECT_EQ(profiler.StartCpuProfile("profile-1"), profiler.status());
  EXPECT_EQ(profiler.GenerateFlameGraphData().status(), profiler.status());

  EXPECT_EQ(CloudMonitoring::Create("my-project").status(), monitoring.status());
  EXPECT_EQ(CloudTrace::Create("my-project", 0.01).status(), tracer.status());
  EXPECT_EQ(CloudProfiler::Create("my-project", 100).status(), profiler.status());
  // The configured project itself is fine.
  EXPECT_TRUE(CloudMonitoring::Create("configured-project").ok());
}

TEST_F(DesignProjectMismatchTest, AnObservabilityOfAnotherProjectIsRefused) {
  Config config;
  config.resource.gcp_project = "configured-project";
  config.metrics.prometheus_enabled = false;
  config.logs.format = LogFormat::kOff;
  config.store.enabled = false;
  auto obs = Observability::Start(config);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  auto monitoring = CloudMonitoring::Create("my-project", **obs);
  EXPECT_EQ(monitoring.status().message(),
            "CloudMonitoring: project 'my-project' is not the Observability's project "
            "'configured-project'");
  auto processor = std::make_shared<BatchSpanProcessor>(Resource{.gcp_project = "elsewhere"});
  EXPECT_EQ(CloudTrace::Create("my-project", 1.0, processor).status().message(),
            "CloudTrace: project 'my-project' is not the upload processor's project 'elsewhere'");
}

TEST(DesignNowhereTest, NoGoogleCloudAndNoStoreIsAnError) {
  testing::ScopedDesignEnv env(std::map<std::string, std::string>{{"TAI_STORE", "off"}});
  CloudMonitoring monitoring("my-project");
  EXPECT_EQ(monitoring.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(monitoring.status().message(),
            "CloudMonitoring: project 'my-project': nowhere to send the data: Google Cloud export "
            "is off (set TAI_GCP_EXPORT=true, or GOOGLE_CLOUD_PROJECT and "
            "GOOGLE_APPLICATION_CREDENTIALS) and the embedded store is off (TAI_STORE)");
}

}  // namespace
}  // namespace tai::gcp
