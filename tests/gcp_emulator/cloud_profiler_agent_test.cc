// The Cloud Profiler agent and the createOffline sink against the emulator,
// which holds every request to Google's profiler.proto and the API's rules.
// The agent profiles this test binary while a real workload runs in it.
#include "tai/gcp/cloud_profiler_agent.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <thread>

#include "profile/workload_testing.h"
#include "tai/analysis/continuous_profiling.h"
#include "tai/gcp/cloud_profiler_sink.h"
#include "tai/observability.h"
#include "tai/profile/heap_profiler.h"
#include "tests/gcp_emulator/cloud_profiler_emulator.h"

// Blocks kept alive while the agent runs, for the HEAP profile to find.
extern "C" __attribute__((noinline)) void* tai_profiler_test_keep(size_t n) {
  void* p = malloc(n);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

namespace tai::gcp {
namespace {

using std::chrono::milliseconds;
using testing::ProfilerEmulator;
using Event = ProfilerEmulator::Event;

// CPU burnt in tai_burn_alpha on its own thread until destroyed.
class Workload {
 public:
  Workload()
      : thread_([this] {
          while (!stop_.load()) tai_burn_alpha(200'000);
        }) {}
  ~Workload() {
    stop_.store(true);
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

CloudProfilerAgentOptions Options(const ProfilerEmulator& emulator) {
  CloudProfilerAgentOptions o;
  o.api = {.project_id = "my-project", .endpoints = emulator.Endpoints()};
  o.target = "checkout";
  o.version = "1.2.3";
  o.zone = "us-central1-a";
  o.instance = "host-7";
  o.labels = {{"team", "payments"}};
  return o;
}

bool AnyStackHas(const Profile& p, const std::string& function) {
  return std::any_of(p.samples.begin(), p.samples.end(), [&](const ProfileSample& s) {
    auto names = p.StackNames(s);
    return std::find(names.begin(), names.end(), function) != names.end();
  });
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Polls (the agent has no stats notification) until `done` or the deadline.
template <typename Done>
bool WaitForStats(const CloudProfilerAgent& agent, Done done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done(agent.stats())) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

std::vector<std::string> Methods(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(e.method);
  return out;
}

// The must-show: the server asks for CPU (2 s), then HEAP, then says back
// off for 3 s; the agent's requests, timing and uploads are checked.
TEST(CloudProfilerAgentTest, FollowsTheServerCpuThenHeapThenBackoff) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "finishing a profile takes seconds under TSan, and more beside other tests: "
                  "the schedule is checked in the Release and ASan builds (the profilers' "
                  "threads are checked under TSan by their unit tests)";
#endif
  const bool heap = HeapProfiler::HooksLinked();
  // Sanitizer builds own malloc, so the heap hooks are not linked there:
  // the second profile is THREADS instead of HEAP.
  const std::string second = heap ? "HEAP" : "THREADS";
  ProfilerEmulator emulator;
  emulator.Script({ProfilerEmulator::Ask("CPU", "2s", milliseconds(200)),
                   ProfilerEmulator::Ask(second, "10s", milliseconds(200)),
                   ProfilerEmulator::Abort("3s", milliseconds(300))});
  Workload workload;
  auto agent = CloudProfilerAgent::Create(Options(emulator));
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  ASSERT_TRUE((*agent)->Start().ok());
  std::vector<void*> kept;
  if (heap) {
    for (int i = 0; i < 64; ++i) kept.push_back(tai_profiler_test_keep(1 << 20));
  }

  // create, patch, create, patch, create (back-off 3 s), then a create the
  // emulator holds (an empty script), so the agent's figures stay still
  // while the test reads them.
  ASSERT_TRUE(emulator.WaitForEvents(5, std::chrono::seconds(15)))
      << "events: " << emulator.events().size() << "; " << (*agent)->stats().last_error;
  ASSERT_TRUE(emulator.WaitForCreates(4, std::chrono::seconds(10)));
  const auto events = emulator.events();
  EXPECT_TRUE(emulator.problems().empty()) << emulator.problems().front();
  ASSERT_EQ(Methods(events),
            (std::vector<std::string>{"create", "patch", "create", "patch", "create"}));
  const Event &cpu_create = events[0], &cpu_patch = events[1], &second_create = events[2],
              &second_patch = events[3], &backoff = events[4];
  const auto after_arrived = emulator.create_arrivals().at(3);

  // Requests: the deployment the API documents, every type offered.
  const auto& deployment = cpu_create.body["deployment"];
  EXPECT_EQ(deployment["projectId"], "my-project");
  EXPECT_EQ(deployment["target"], "checkout");
  EXPECT_EQ(deployment["labels"]["version"], "1.2.3");
  EXPECT_EQ(deployment["labels"]["zone"], "us-central1-a");
  EXPECT_EQ(deployment["labels"]["language"], "cpp");
  EXPECT_EQ(deployment["labels"]["team"], "payments");
  std::vector<std::string> offered = cpu_create.body["profileType"];
  std::vector<std::string> expected_types = {"CPU", "WALL", "THREADS"};
  if (heap) expected_types.insert(expected_types.begin() + 2, "HEAP");
  EXPECT_EQ(offered, expected_types);

  // Each patch is for the profile just handed out, after the asked duration.
  EXPECT_EQ(cpu_patch.profile_name, cpu_create.profile_name);
  EXPECT_EQ(second_patch.profile_name, second_create.profile_name);
  EXPECT_EQ(cpu_patch.status, 200);
  EXPECT_EQ(second_patch.status, 200);
  EXPECT_GE(Seconds(cpu_patch.arrived - cpu_create.answered), 2.0);
  EXPECT_LT(Seconds(cpu_patch.arrived - cpu_create.answered), 4.0);
  EXPECT_EQ(cpu_patch.body["labels"]["instance"], "host-7");

  // The CPU profile: its duration is the asked 2 s, its samples CPU time of
  // the workload.
  const Profile& cpu = cpu_patch.decoded;
  EXPECT_GE(static_cast<double>(cpu.duration_nanos) / 1e9, 1.5);
  EXPECT_LE(static_cast<double>(cpu.duration_nanos) / 1e9, 2.5);
  RecordProperty("cpu_duration_ms", static_cast<int>(cpu.duration_nanos / 1'000'000));
  RecordProperty("backoff_wait_ms",
                 static_cast<int>(Seconds(after_arrived - backoff.answered) * 1000));
  ASSERT_EQ(cpu.sample_types.size(), 2u);
  EXPECT_EQ(cpu.sample_types[1], (ValueType{"cpu", "nanoseconds"}));
  EXPECT_GT(cpu.TotalValue(), 1'000'000'000 / 2);  // the workload's half second at least
  EXPECT_TRUE(AnyStackHas(cpu, "tai_burn_alpha"));

  const Profile& p2 = second_patch.decoded;
  if (heap) {
    std::vector<std::string> types;
    for (const ValueType& t : p2.sample_types) types.push_back(t.type);
    EXPECT_EQ(types, (std::vector<std::string>{"alloc_objects", "alloc_space", "inuse_objects",
                                               "inuse_space"}));
    EXPECT_TRUE(AnyStackHas(p2, "tai_profiler_test_keep"));
  } else {
    EXPECT_EQ(p2.sample_types, (std::vector<ValueType>{{"threads", "count"}}));
    EXPECT_TRUE(AnyStackHas(p2, "tai_burn_alpha"));  // the workload thread's stack
  }

  // The back-off: the next create comes 3 s after the 409, not sooner.
  EXPECT_EQ(backoff.status, 409);
  EXPECT_GE(Seconds(after_arrived - backoff.answered), 3.0);
  EXPECT_LT(Seconds(after_arrived - backoff.answered), 5.0);

  const CloudProfilerAgentStats stats = (*agent)->stats();
  EXPECT_EQ(stats.creates, 2u);
  EXPECT_EQ(stats.uploaded, 2u);
  EXPECT_EQ(stats.server_backoffs, 1u);
  EXPECT_EQ(stats.last_backoff, milliseconds(3000));
  EXPECT_EQ(stats.collected[static_cast<int>(ProfileKind::kCpu)], 1u);
  (*agent)->Stop();
  for (void* p : kept) free(p);
}

TEST(CloudProfilerAgentTest, StopCutsAnOutstandingLongPollShort) {
  ProfilerEmulator emulator;  // no script: every create is held
  auto options = Options(emulator);
  options.profile_types = {ProfileKind::kThreads};
  auto agent = CloudProfilerAgent::Create(options);
  ASSERT_TRUE(agent.ok());
  ASSERT_TRUE((*agent)->Start().ok());
  // The create has arrived; it is not answered until the emulator goes.
  ASSERT_TRUE(emulator.WaitForCreates(1, std::chrono::seconds(5)));
  const auto start = std::chrono::steady_clock::now();
  (*agent)->Stop();
  const double took = Seconds(std::chrono::steady_clock::now() - start);
  RecordProperty("stop_ms", static_cast<int>(took * 1000));
  // libcurl looks at the cancel flag about once a second while idle.
  EXPECT_LT(took, 2.5) << "Stop() took " << took << " s";
  EXPECT_TRUE(emulator.events().empty());  // the held create was never answered to us
  EXPECT_EQ((*agent)->stats().create_errors, 0u);
}

TEST(CloudProfilerAgentTest, RetriesOn503And429HonouringRetryAfter) {
  ProfilerEmulator emulator;
  emulator.Script({ProfilerEmulator::Fail(503, "1"), ProfilerEmulator::Fail(429, "1"),
                   ProfilerEmulator::Ask("THREADS", "10s", milliseconds(0))});
  emulator.FailPatches(1, 503, "1");
  auto options = Options(emulator);
  options.profile_types = {ProfileKind::kThreads};
  options.initial_backoff = std::chrono::minutes(10);  // only Retry-After can be this quick
  options.max_backoff = std::chrono::minutes(10);
  auto agent = CloudProfilerAgent::Create(options);
  ASSERT_TRUE(agent.ok());
  ASSERT_TRUE((*agent)->Start().ok());
  // create 503, create 429, create THREADS, patch 503, patch 200.
  ASSERT_TRUE(emulator.WaitForEvents(5, std::chrono::seconds(10))) << (*agent)->stats().last_error;
  const auto events = emulator.events();
  EXPECT_TRUE(emulator.problems().empty()) << emulator.problems().front();
  ASSERT_EQ(Methods(events),
            (std::vector<std::string>{"create", "create", "create", "patch", "patch"}));
  EXPECT_EQ(events[0].status, 503);
  EXPECT_EQ(events[1].status, 429);
  EXPECT_GE(Seconds(events[1].arrived - events[0].answered), 1.0);
  EXPECT_GE(Seconds(events[2].arrived - events[1].answered), 1.0);
  EXPECT_EQ(events[3].status, 503);
  EXPECT_GE(Seconds(events[4].arrived - events[3].answered), 1.0);
  EXPECT_EQ(events[4].status, 200);
  EXPECT_EQ(events[4].decoded.sample_types, (std::vector<ValueType>{{"threads", "count"}}));
  // The emulator records before it answers: wait for the agent to hear it.
  EXPECT_TRUE(WaitForStats(
      **agent, [](const CloudProfilerAgentStats& s) { return s.uploaded == 1; },
      std::chrono::seconds(5)));
  (*agent)->Stop();
  const auto stats = (*agent)->stats();
  EXPECT_EQ(stats.create_errors, 2u);
  EXPECT_EQ(stats.server_backoffs, 2u);  // Retry-After is the server's word too
  EXPECT_EQ(stats.uploaded, 1u);
  EXPECT_EQ(stats.upload_errors, 0u);
}

TEST(CloudProfilerAgentTest, BacksOffWithJitterWhenTheServerNamesNoDelay) {
  ProfilerEmulator emulator;
  emulator.Script({ProfilerEmulator::NotAProfile(), ProfilerEmulator::Fail(500, ""),
                   ProfilerEmulator::Ask("THREADS", "10s", milliseconds(0))});
  auto options = Options(emulator);
  options.profile_types = {ProfileKind::kThreads};
  options.initial_backoff = milliseconds(400);
  options.max_backoff = milliseconds(600);
  auto agent = CloudProfilerAgent::Create(options);
  ASSERT_TRUE(agent.ok());
  ASSERT_TRUE((*agent)->Start().ok());
  ASSERT_TRUE(emulator.WaitForEvents(4, std::chrono::seconds(10)));
  const auto events = emulator.events();
  EXPECT_EQ(Methods(events), (std::vector<std::string>{"create", "create", "create", "patch"}));
  // Between half and all of the envelope: 400 ms, then 400 * 1.3 = 520 ms.
  const double first = Seconds(events[1].arrived - events[0].answered);
  const double second = Seconds(events[2].arrived - events[1].answered);
  EXPECT_GE(first, 0.2);
  EXPECT_LT(first, 0.4 + 1.0);
  EXPECT_GE(second, 0.26);
  EXPECT_LT(second, 0.52 + 1.0);
  (*agent)->Stop();
  const auto stats = (*agent)->stats();
  EXPECT_EQ(stats.create_errors, 2u);
  EXPECT_EQ(stats.server_backoffs, 0u);
}

TEST(CloudProfilerAgentTest, SkipsCpuWhileAnotherCpuProfileRuns) {
  ProfilerEmulator emulator;
  emulator.Script({ProfilerEmulator::Ask("CPU", "1s", milliseconds(0)),
                   ProfilerEmulator::Ask("THREADS", "10s", milliseconds(0))});
  CpuProfiler other;
  ASSERT_TRUE(other.Start().ok());
  auto options = Options(emulator);
  options.profile_types = {ProfileKind::kCpu, ProfileKind::kThreads};
  auto agent = CloudProfilerAgent::Create(options);
  ASSERT_TRUE(agent.ok());
  ASSERT_TRUE((*agent)->Start().ok());
  // create CPU (skipped: no patch), create THREADS, patch THREADS, then a
  // held create.
  ASSERT_TRUE(emulator.WaitForCreates(3, std::chrono::seconds(10)));
  (*agent)->Stop();
  ASSERT_TRUE(other.Stop().ok());
  const auto events = emulator.events();
  ASSERT_EQ(Methods(events), (std::vector<std::string>{"create", "create", "patch"}));
  EXPECT_EQ(events[2].profile_type, "THREADS");
  const auto stats = (*agent)->stats();
  EXPECT_EQ(stats.skipped_busy, 1u);
  EXPECT_EQ(stats.uploaded, 1u);
  EXPECT_NE(stats.last_error.find("another CPU profile"), std::string::npos) << stats.last_error;
}

// The agent and the continuous profiling service on at once share one
// sampling session: the server asks for two 2 s CPU profiles while the
// service profiles 1 s windows; the agent uploads both (none skipped) and
// the service finishes every window it starts, each with the workload's
// samples.
TEST(CloudProfilerAgentTest, SharesTheCpuSamplesWithTheContinuousProfilingService) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "finishing a profile takes seconds under TSan: windows would merge";
#endif
  ProfilerEmulator emulator;
  emulator.Script({ProfilerEmulator::Ask("CPU", "2s", milliseconds(0)),
                   ProfilerEmulator::Ask("CPU", "2s", milliseconds(500))});
  Workload workload;
  auto options = Options(emulator);
  options.profile_types = {ProfileKind::kCpu};
  auto agent = CloudProfilerAgent::Create(options);
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  ContinuousProfilingOptions o;
  o.collect_interval = std::chrono::seconds(1);
  o.upload_interval = std::chrono::seconds(60);
  ContinuousProfilingService service(std::make_shared<ProfileRecorder>(100), o);
  // The agent first: the service joins the session the agent started.
  ASSERT_TRUE((*agent)->Start().ok());
  ASSERT_TRUE(WaitForStats(
      **agent, [](const CloudProfilerAgentStats& s) { return s.creates >= 1; },
      std::chrono::seconds(10)));
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(emulator.WaitForCreates(3, std::chrono::seconds(20))) << (*agent)->stats().last_error;
  ASSERT_TRUE(service.WaitFor([](const ProfilingStatistics& s) { return s.profiles_finished >= 4; },
                              std::chrono::seconds(20)));
  (*agent)->Stop();
  ASSERT_TRUE(service.Stop().ok());

  EXPECT_TRUE(emulator.problems().empty()) << emulator.problems().front();
  const auto events = emulator.events();
  // (The third create is held: an event once answered.)
  ASSERT_EQ(Methods(events), (std::vector<std::string>{"create", "patch", "create", "patch"}));
  for (const Event& patch : {events[1], events[3]}) {
    EXPECT_EQ(patch.status, 200);
    EXPECT_GE(static_cast<double>(patch.decoded.duration_nanos) / 1e9, 1.5);
    EXPECT_LE(static_cast<double>(patch.decoded.duration_nanos) / 1e9, 2.5);
    EXPECT_GT(patch.decoded.TotalValue(), 1'000'000'000 / 2);
    EXPECT_TRUE(AnyStackHas(patch.decoded, "tai_burn_alpha"));
  }
  const CloudProfilerAgentStats agent_stats = (*agent)->stats();
  EXPECT_EQ(agent_stats.skipped_busy, 0u) << agent_stats.last_error;
  EXPECT_EQ(agent_stats.uploaded, 2u);

  const ProfilingStatistics s = service.GetStatistics();
  EXPECT_EQ(s.profile_errors, 0u) << "no window skipped";
  EXPECT_EQ(s.profiles_started, s.profiles_finished);
  char last[32];  // the window cut short by Stop
  std::snprintf(last, sizeof last, "cpu-%06llu",
                static_cast<unsigned long long>(s.profiles_finished));
  int full_windows = 0;
  for (const ProfilingEvent& e : service.Events()) {
    const auto* f = std::get_if<ProfileFinished>(&e);
    if (f == nullptr || f->profile_id == last) continue;
    ++full_windows;
    EXPECT_GT(f->cpu_micros, 500'000) << DescribeEvent(e);  // the workload's half second
  }
  EXPECT_GE(full_windows, 3);
}

TEST(CloudProfilerAgentTest, BadOptionsAreNamed) {
  ProfilerEmulator emulator;
  auto error = [&](auto change) {
    CloudProfilerAgentOptions o = Options(emulator);
    change(o);
    auto agent = CloudProfilerAgent::Create(o);
    return agent.ok() ? std::string("ok") : agent.status().message();
  };
  EXPECT_EQ(error([](auto&) {}), "ok");
  EXPECT_NE(error([](auto& o) { o.api.project_id = ""; }).find("project id is empty"),
            std::string::npos);
  EXPECT_NE(error([](auto& o) { o.target = "Checkout Service"; }).find("target"),
            std::string::npos);
  EXPECT_NE(error([](auto& o) { o.labels["Team"] = "x"; }).find("label name 'Team'"),
            std::string::npos);
  EXPECT_NE(error([](auto& o) { o.version = std::string(600, 'v'); }).find("512"),
            std::string::npos);
  EXPECT_NE(error([](auto& o) {
              o.profile_types = {ProfileKind::kCpu, ProfileKind::kCpu};
            }).find("CPU is listed twice"),
            std::string::npos);
  EXPECT_NE(error([](auto& o) { o.initial_backoff = milliseconds(0); }).find("initial_backoff"),
            std::string::npos);
  EXPECT_NE(error([](auto& o) {
              o.api.endpoints.profiler = "http://profiler.example.com";
            }).find("https"),
            std::string::npos);
  if (!HeapProfiler::HooksLinked()) {
    EXPECT_NE(error([](auto& o) { o.profile_types = {ProfileKind::kHeap}; }).find("heap hooks"),
              std::string::npos);
  }
}

TEST(CloudProfilerAgentTest, ObservabilityRunsItFromConfigAndStopsItAtShutdown) {
  ProfilerEmulator emulator;  // every create is held
  Config c;
  c.resource.service_name = "checkout";
  c.resource.service_version = "3.1";
  c.resource.gcp_project = "my-project";
  c.metrics.prometheus_enabled = false;
  c.logs.format = LogFormat::kOff;
  c.store.enabled = false;  // this test is about the agent; no file in the build tree
  c.gcp.enabled = true;
  c.gcp.authenticate = false;
  c.gcp.profiler = true;
  c.gcp.zone = "us-east1-b";
  // The other APIs answer 404 here, which is not retried: shutdown stays quick.
  c.gcp.endpoints.monitoring = c.gcp.endpoints.trace = c.gcp.endpoints.profiler = emulator.url();
  auto obs = Observability::Start(c);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  ASSERT_TRUE(emulator.WaitForCreates(1, std::chrono::seconds(5)));
  const auto start = std::chrono::steady_clock::now();
  (*obs)->Shutdown();
  EXPECT_LT(Seconds(std::chrono::steady_clock::now() - start), 2.5);
  EXPECT_TRUE(emulator.problems().empty()) << emulator.problems().front();
  const nlohmann::json deployment = emulator.create_bodies().at(0)["deployment"];
  EXPECT_EQ(deployment["projectId"], "my-project");
  EXPECT_EQ(deployment["target"], "checkout");
  EXPECT_EQ(deployment["labels"]["version"], "3.1");
  EXPECT_EQ(deployment["labels"]["zone"], "us-east1-b");
}

UploadedProfile SavedProfile(std::string id, ProfileKind kind) {
  UploadedProfile u{.id = std::move(id), .kind = kind};
  Profile& p = u.profile;
  p.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  p.functions = {{.id = 1, .name = "main"}, {.id = 2, .name = "Serve"}};
  p.locations = {{.id = 1, .address = 0x1000, .lines = {{.function_id = 1}}},
                 {.id = 2, .address = 0x2000, .lines = {{.function_id = 2}}}};
  p.samples = {{.location_ids = {2, 1}, .values = {3, 30'000'000}}};
  p.duration_nanos = 1'500'000'000;
  p.period_type = {"cpu", "nanoseconds"};
  p.period = 10'000'000;
  u.labels = {{"window", "w1"}};
  return u;
}

TEST(CloudProfilerSinkTest, CreateOfflinePassesTheEmulatorsChecksOncePerProfile) {
  ProfilerEmulator emulator;
  auto sink = CloudProfilerSink::Create(
      {.api = {.project_id = "my-project", .endpoints = emulator.Endpoints()},
       .zone = "europe-west1-b"});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  Resource resource;
  resource.service_name = "checkout";
  resource.service_version = "2.0";
  std::vector<UploadedProfile> batch = {SavedProfile("cpu-000001", ProfileKind::kCpu),
                                        SavedProfile("wall-000002", ProfileKind::kWall)};
  ASSERT_TRUE((*sink)->Export(batch, resource).ok());
  ASSERT_TRUE((*sink)->Export(batch, resource).ok());  // offered again: not stored twice
  EXPECT_TRUE(emulator.problems().empty()) << emulator.problems().front();
  const auto events = emulator.events();
  ASSERT_EQ(Methods(events), (std::vector<std::string>{"offline", "offline"}));
  EXPECT_EQ(events[0].profile_type, "CPU");
  EXPECT_EQ(events[1].profile_type, "WALL");
  EXPECT_EQ(events[0].body["duration"], "1.500s");
  EXPECT_EQ(events[0].body["deployment"]["target"], "checkout");
  EXPECT_EQ(events[0].body["deployment"]["labels"]["version"], "2.0");
  EXPECT_EQ(events[0].body["deployment"]["labels"]["zone"], "europe-west1-b");
  EXPECT_EQ(events[0].body["labels"]["window"], "w1");
  EXPECT_EQ(events[0].decoded, batch[0].profile);

  UploadedProfile bad = SavedProfile("cpu-000003", ProfileKind::kCpu);
  bad.labels["Bad Name"] = "x";
  Status s = (*sink)->Upload(bad, resource);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("cpu-000003"), std::string::npos) << s.message();
  resource.service_name = "Not A Target";
  s = (*sink)->Upload(SavedProfile("cpu-000004", ProfileKind::kCpu), resource);
  EXPECT_NE(s.message().find("target"), std::string::npos) << s.message();
  EXPECT_EQ(emulator.events().size(), 2u);  // neither was sent
}

// The continuous profiling service with Cloud Profiler as its sink: every
// window it finishes reaches the API through createOffline, once.
TEST(CloudProfilerSinkTest, TheContinuousProfilingServiceUploadsThroughIt) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "finishing a profile takes seconds under TSan, and more beside other tests: "
                  "the schedule is checked in the Release and ASan builds (the profilers' "
                  "threads are checked under TSan by their unit tests)";
#endif
  ProfilerEmulator emulator;
  auto sink = CloudProfilerSink::Create(
      {.api = {.project_id = "my-project", .endpoints = emulator.Endpoints()}});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  Workload workload;
  ContinuousProfilingOptions options{.collect_interval = std::chrono::seconds(1),
                                     .upload_interval = std::chrono::seconds(2)};
  options.resource.service_name = "checkout";
  options.resource.service_version = "3.1";
  ContinuousProfilingService service(std::make_shared<ProfileRecorder>(100), options);
  service.AddSink(*sink);
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(service.WaitFor([](const ProfilingStatistics& s) { return s.profiles_uploaded >= 2; },
                              std::chrono::seconds(20)));
  const Status stopped = service.Stop(std::chrono::seconds(10));
  ASSERT_TRUE(stopped.ok()) << stopped.ToString();

  const ProfilingStatistics stats = service.GetStatistics();
  EXPECT_TRUE(emulator.problems().empty()) << emulator.problems().front();
  const auto events = emulator.events();
  EXPECT_EQ(events.size(), stats.profiles_uploaded);  // each one once
  EXPECT_EQ(stats.profiles_uploaded, stats.profiles_finished);
  EXPECT_EQ(stats.upload_failures, 0u);
  for (const Event& e : events) {
    EXPECT_EQ(e.method, "offline");
    EXPECT_EQ(e.status, 200);
    EXPECT_EQ(e.profile_type, "CPU");
    EXPECT_EQ(e.body["deployment"]["target"], "checkout");
    EXPECT_EQ(e.body["deployment"]["labels"]["version"], "3.1");
    EXPECT_EQ(e.decoded.sample_types.back(), (ValueType{"cpu", "nanoseconds"}));
  }
}

}  // namespace
}  // namespace tai::gcp
