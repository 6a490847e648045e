// `taiobs demo`: the main job. Starts Observability with the embedded store
// and the dashboard, the payment service (demo_service.h) with every pillar
// on it, a load generator and a webhook receiver (demo_traffic.h), SLOs and
// alert rules, continuous CPU profiling with a baseline from the first
// windows and heap profiling when the build links the allocation hooks, and
// a scripted incident; prints where to look and runs until
// Ctrl-C or --duration.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

#include "tai/core/parse.h"
#include "tai/metrics/process_metrics.h"
#include "tai/observability.h"
#include "tai/profile/profile_recorder.h"
#include "tools/taiobs/commands.h"
#include "tools/taiobs/demo_service.h"
#include "tools/taiobs/demo_setup.h"
#include "tools/taiobs/demo_traffic.h"

namespace taiobs {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kUsage =
    "usage: taiobs demo [--listen ADDR] [--duration T] [--incident-after T] "
    "[--incident-duration T] [--rate RPS] [--profile-window T] [--store PATH]\n"
    "  --listen ADDR          dashboard and /metrics (default 127.0.0.1:9464; port 0: a free one)\n"
    "  --duration T           stop after T (default: run until Ctrl-C)\n"
    "  --incident-after T     start the incident after T (default 3m; 0: never)\n"
    "  --incident-duration T  end it after T (default 2m; 0: only POST /admin/resolve)\n"
    "  --rate RPS             requests a second from the load generator (default 20)\n"
    "  --profile-window T     continuous profiling window (default 20s)\n"
    "  --store PATH           the store file (default ./tai-data/payments-demo.db)\n"
    "T is a duration: 90, 90s, 2m.\n";

struct DemoOptions {
  std::string listen = "127.0.0.1:9464";
  bool listen_given = false;
  milliseconds duration{0};
  milliseconds incident_after = std::chrono::minutes(3);
  milliseconds incident_duration = std::chrono::minutes(2);
  double rate = 20;
  milliseconds profile_window = seconds(20);
  std::string store;
};

volatile std::sig_atomic_t g_interrupted = 0;
void OnSignal(int) { g_interrupted = 1; }

bool ParseOptions(int argc, char** argv, DemoOptions* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::printf("%s", kUsage);
      std::exit(0);
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "taiobs demo: '%s' needs a value\n%s", argv[i], kUsage);
      return false;
    }
    const std::string_view value = argv[++i];
    tai::Status bad;
    auto duration = [&](milliseconds* out) {
      auto d = tai::ParseDuration(value);
      if (d.ok()) *out = *d;
      bad = d.status();
    };
    if (flag == "--listen") {
      std::string host;
      int port;
      bad = tai::ParseHostPort(value, &host, &port);
      o->listen = value;
      o->listen_given = true;
    } else if (flag == "--duration") {
      duration(&o->duration);
    } else if (flag == "--incident-after") {
      duration(&o->incident_after);
    } else if (flag == "--incident-duration") {
      duration(&o->incident_duration);
    } else if (flag == "--profile-window") {
      duration(&o->profile_window);
      if (bad.ok() && o->profile_window < seconds(1)) {
        bad = tai::InvalidArgumentError("must be at least 1s");
      }
    } else if (flag == "--rate") {
      char* end = nullptr;
      o->rate = std::strtod(std::string(value).c_str(), &end);
      if (end == nullptr || *end != '\0' || !(o->rate > 0 && o->rate <= 1000)) {
        bad = tai::InvalidArgumentError("must be a number of requests a second in (0, 1000]");
      }
    } else if (flag == "--store") {
      o->store = value;
    } else {
      std::fprintf(stderr, "taiobs demo: unknown flag '%s'\n%s", argv[i - 1], kUsage);
      return false;
    }
    if (!bad.ok()) {
      std::fprintf(stderr, "taiobs demo: %s '%s': %s\n", argv[i - 1], argv[i],
                   bad.message().c_str());
      return false;
    }
  }
  return true;
}

void PrintWhereToLook(const tai::Observability& obs, const DemoService& service,
                      const WebhookReceiver& receiver, const DemoOptions& o) {
  std::printf("dashboard: %s\n", obs.dashboard_url().c_str());
  std::printf("metrics:   %s\n", obs.metrics_url().c_str());
  std::printf("service:   %s  (POST /pay, GET /orders/:id; POST /admin/incident, /admin/resolve)\n",
              service.url().c_str());
  std::printf("receiver:  %s  (notifications are printed below)\n", receiver.url().c_str());
  std::printf("store:     %s\n", obs.store()->path().c_str());
  if (o.incident_after.count() > 0) {
    std::printf(
        "incident:  in %llds the orders index goes missing (demo_query_orders scans every "
        "row)%s\n",
        static_cast<long long>(o.incident_after.count() / 1000),
        o.incident_duration.count() > 0
            ? (", for " + std::to_string(o.incident_duration.count() / 1000) + "s").c_str()
            : "");
  }
  std::printf(
      "look at:   the executive tier (SLOs burn), operations (p99 and errors of /pay, the "
      "regression),\n           engineering (slow /pay traces, their db.query span and logs, the "
      "differential flame graph)\n");
  std::fflush(stdout);
}

// What the library cost the demo: the CPU of its tai-* threads (collector,
// exporters, store, profiler, alert engine) against the whole process's.
// The HTTP server's workers run the service's handlers and count as its.
void PrintLibraryCost() {
  const tai::ProcessSnapshot s = tai::ProcessSnapshot::Read();
  const double library = s.LiveLibraryCpuSeconds();
  const double process = s.user_cpu_seconds + s.system_cpu_seconds;
  std::printf("library:   %.1f s CPU of the process's %.1f s (%.1f%%; tai_library_cpu_time)\n",
              library, process, process > 0 ? 100 * library / process : 0.0);
}

// Whether the demo profiles the heap, and why not when it does not.
void PrintHeapProfiling(bool on) {
  if (on) {
    std::printf("profiling: CPU and heap (in-use space; kind HEAP on the dashboard)\n");
  } else {
    std::printf(
        "profiling: CPU only; heap profiling is off: this taiobs does not link tai::heap_hooks "
        "(sanitizer builds cannot)\n");
  }
  std::fflush(stdout);
}

// Pins the first full profiling windows' profile as the baseline, so that
// the service compares against the healthy start from then on.
void PinBaselineWhenReady(tai::ContinuousProfilingService& profiling,
                          tai::ProfileRecorder& recorder, bool* pinned) {
  if (*pinned || profiling.GetStatistics().profiles_finished < 2) return;
  auto profile = recorder.LastCompletedProfile();
  if (profile.ok() && profiling.PinBaseline(*profile).ok()) {
    *pinned = true;
    std::printf("profiling: baseline pinned from the healthy start\n");
    std::fflush(stdout);
  }
}

int RunDemo(const DemoOptions& o) {
  auto receiver = WebhookReceiver::Start();
  if (!receiver.ok()) {
    std::fprintf(stderr, "taiobs demo: %s\n", receiver.status().ToString().c_str());
    return 1;
  }
  DemoOptions opts = o;
  auto obs = tai::Observability::Start(DemoConfig(opts.listen, opts.store, (*receiver)->url()));
  if (!obs.ok() && !opts.listen_given) {
    std::fprintf(stderr, "taiobs demo: %s; trying a free port\n", obs.status().message().c_str());
    opts.listen = "127.0.0.1:0";
    obs = tai::Observability::Start(DemoConfig(opts.listen, opts.store, (*receiver)->url()));
  }
  if (!obs.ok()) {
    std::fprintf(stderr, "taiobs demo: %s\n", obs.status().ToString().c_str());
    return 1;
  }
  if ((*obs)->alerts() == nullptr || (*obs)->store() == nullptr) {
    std::fprintf(stderr, "taiobs demo: %s\n",
                 ((*obs)->store() == nullptr ? (*obs)->store_status() : (*obs)->alerts_status())
                     .ToString()
                     .c_str());
    return 1;
  }
  if (tai::Status s = AddDemoAlerting(*(*obs)->alerts()); !s.ok()) {
    std::fprintf(stderr, "taiobs demo: %s\n", s.ToString().c_str());
    return 1;
  }
  auto service = DemoService::Start(**obs, "127.0.0.1:0");
  if (!service.ok()) {
    std::fprintf(stderr, "taiobs demo: %s\n", service.status().ToString().c_str());
    return 1;
  }
  auto profiling = StartDemoProfiling(**obs, opts.profile_window);
  if (!profiling.ok()) {
    std::fprintf(stderr, "taiobs demo: continuous profiling: %s\n",
                 profiling.status().ToString().c_str());
    return 1;
  }
  PrintWhereToLook(**obs, **service, **receiver, opts);
  PrintHeapProfiling(profiling->heap);

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  const auto start = std::chrono::steady_clock::now();
  bool pinned = false, incident_started = false, incident_ended = false;
  {
    LoadGenerator load(**obs, (*service)->url(), opts.rate);
    while (!g_interrupted) {
      const auto elapsed =
          std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
      if (opts.duration.count() > 0 && elapsed >= opts.duration) break;
      PinBaselineWhenReady(*profiling->service, *profiling->recorder, &pinned);
      if (!incident_started && opts.incident_after.count() > 0 && elapsed >= opts.incident_after) {
        incident_started = true;
        (*service)->SetIncident(true);
        std::printf("incident:  started at +%llds: demo_query_orders scans every order\n",
                    static_cast<long long>(elapsed.count() / 1000));
        std::fflush(stdout);
      }
      if (incident_started && !incident_ended && opts.incident_duration.count() > 0 &&
          elapsed >= opts.incident_after + opts.incident_duration) {
        incident_ended = true;
        (*service)->SetIncident(false);
        std::printf("incident:  resolved at +%llds: the index is back\n",
                    static_cast<long long>(elapsed.count() / 1000));
        std::fflush(stdout);
      }
      std::this_thread::sleep_for(milliseconds(200));
    }
    std::printf("stopping: %llu requests sent, %llu failed\n",
                static_cast<unsigned long long>(load.sent()),
                static_cast<unsigned long long>(load.failed()));
    PrintLibraryCost();
  }
  (void)profiling->service->Stop();
  service->reset();
  (*obs)->Shutdown();
  std::printf("stopped: the store keeps the history for the next run\n");
  return 0;
}

}  // namespace

int DemoCommand(int argc, char** argv) {
  DemoOptions options;
  if (!ParseOptions(argc, argv, &options)) return 2;
  return RunDemo(options);
}

}  // namespace taiobs
