// An example of continuous profiling with regression detection, in the
// original design's terms: a baseline profile of "version 1", then the
// service profiling "version 2" (where one function got twice as slow) in
// two-second windows, alerting and writing pprof files to a directory. The
// service handles a request every millisecond, so a slower function shows
// as more CPU per second (the default normalisation).
//
//   profiling_service [--seconds N] [--dir DIR]
//   taiobs diff DIR/cpu-000001.cpu.pb.gz DIR/cpu-000002.cpu.pb.gz
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "tai/analysis/continuous_profiling.h"
#include "tai/compat/cloud_profiler.h"
#include "tai/profile/directory_profile_sink.h"

// The request path of the example service.
extern "C" __attribute__((noinline)) uint64_t database_query(uint64_t n) {
  uint64_t x = n | 1;
  for (uint64_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    asm volatile("" : "+r"(x));
  }
  return x;
}
extern "C" __attribute__((noinline)) uint64_t serialize(uint64_t n) {
  return database_query(n) + 1;
}

namespace {

// A request every millisecond: a fixed amount of database_query (twice as
// much when `slow`) and of serialize.
void Serve(std::atomic<bool>* stop, std::atomic<bool>* slow) {
  auto next = std::chrono::steady_clock::now();
  while (!stop->load()) {
    database_query(slow->load() ? 300'000 : 150'000);
    serialize(40'000);
    next += std::chrono::milliseconds(1);
    std::this_thread::sleep_until(next);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 6;
  std::string dir = "profiles";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
  }
  std::atomic<bool> stop{false}, slow{false};
  std::thread server(Serve, &stop, &slow);
  // Every return below, the early ones on errors included, stops and joins
  // it: destroying a joinable std::thread calls std::terminate.
  struct Joiner {
    std::atomic<bool>* stop;
    std::thread* thread;
    ~Joiner() {
      stop->store(true);
      if (thread->joinable()) thread->join();
    }
  } joiner{&stop, &server};

  // 250 Hz: the kernel's tick here, and enough samples in 2 s windows.
  auto profiler = std::make_shared<tai::gcp::CloudProfiler>("my-project", 250);
  // Its profiles also go to Cloud Profiler of my-project, or to the embedded
  // store without Google Cloud (docs/gcp.md); a misconfiguration shows here.
  if (!profiler->status().ok()) {
    std::fprintf(stderr, "%s\n", profiler->status().ToString().c_str());
    return 2;
  }
  std::printf("profiles go to %s\n", profiler->destination().c_str());
  // Version 1's profile becomes the baseline.
  if (!profiler->StartCpuProfile("baseline-v1").ok()) return 1;
  std::this_thread::sleep_for(std::chrono::seconds(3));
  if (!profiler->FinishCpuProfile().ok()) return 1;
  profiler->SetBaselineProfile(*profiler->GetCompletedProfile("baseline-v1"));

  slow = true;  // "version 2"
  tai::ContinuousProfilingOptions options;
  options.collect_interval = std::chrono::seconds(2);
  options.upload_interval = std::chrono::seconds(4);
  options.resource.service_name = "example";
  options.resource.service_version = "2";
  options.on_alert = [](const tai::RegressionAlert& alert) {
    std::printf("ALERT %s %s: %zu regression(s)\n", alert.alert_id.c_str(),
                std::string(tai::AlertSeverityName(alert.severity)).c_str(),
                alert.regressions.size());
  };
  tai::ContinuousProfilingService service(profiler, options);
  auto sink = tai::DirectoryProfileSink::Create({.directory = dir});
  if (!sink.ok()) {
    std::fprintf(stderr, "%s\n", sink.status().ToString().c_str());
    return 2;
  }
  service.AddSink(*sink);
  if (tai::Status s = service.Start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  (void)service.Stop();
  stop = true;
  server.join();
  for (const tai::ProfilingEvent& e : service.Events()) {
    std::printf("%s\n", tai::DescribeEvent(e).c_str());
  }
  tai::ProfilingStatistics st = service.GetStatistics();
  std::printf("profiles finished %llu, uploaded %llu, alerts %llu, overhead %.2f%%\n",
              static_cast<unsigned long long>(st.profiles_finished),
              static_cast<unsigned long long>(st.profiles_uploaded),
              static_cast<unsigned long long>(st.total_alerts), 100 * st.max_overhead);
  return 0;
}
