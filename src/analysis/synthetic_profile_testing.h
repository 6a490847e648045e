// Test and benchmark support: CPU profiles drawn from a known workload model
// with a seeded generator, so that statistical claims about the comparison
// can be checked over many runs deterministically. A workload is a list of
// functions and the CPU each burns per second of wall time; a profile of it
// at `hz` over `seconds` has, per function, a Poisson number of samples
// with mean cpu_share * hz * seconds (each sample is one timer period of CPU).
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tai/profile/profile.h"

namespace tai::analysis_testing {

struct WorkloadFunction {
  std::string name;
  double cpu_share;  // CPU seconds per wall second (of one core)
};

// A service's request path: one hot function (`hot_share` of a core) and
// `others` more whose costs fall off as 1/rank and add up to `rest_share`.
inline std::vector<WorkloadFunction> ServiceWorkload(int others = 29, double hot_share = 0.40,
                                                     double rest_share = 0.60) {
  std::vector<WorkloadFunction> w{{"database_query", hot_share}};
  double harmonic = 0;
  for (int i = 1; i <= others; ++i) harmonic += 1.0 / i;
  for (int i = 1; i <= others; ++i) {
    w.push_back({"func_" + std::to_string(i), rest_share / (harmonic * i)});
  }
  return w;
}

// The same workload with one function's cost multiplied by `factor`.
inline std::vector<WorkloadFunction> Slowed(std::vector<WorkloadFunction> w,
                                            const std::string& name, double factor) {
  for (WorkloadFunction& f : w) {
    if (f.name == name) f.cpu_share *= factor;
  }
  return w;
}

// Stacks are main;handle_request;<function>. Functions drawing no sample
// are absent from the profile, as in a real one.
inline Profile SampleProfile(const std::vector<WorkloadFunction>& workload, uint64_t seed,
                             int hz = 100, double seconds = 60) {
  Profile p;
  p.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  p.period_type = {"cpu", "nanoseconds"};
  p.period = 1'000'000'000 / hz;
  p.time_nanos = 1'700'000'000'000'000'000 + static_cast<int64_t>(seed);
  p.duration_nanos = static_cast<int64_t>(seconds * 1e9);
  p.functions = {{1, "main", "main", "", 0}, {2, "handle_request", "handle_request", "", 0}};
  p.locations = {{1, 0, 0x1000, {{1, 0}}}, {2, 0, 0x2000, {{2, 0}}}};
  std::mt19937_64 rng(seed);
  for (const WorkloadFunction& f : workload) {
    std::poisson_distribution<int64_t> draw(f.cpu_share * hz * seconds);
    int64_t n = draw(rng);
    if (n == 0) continue;
    uint64_t id = p.functions.size() + 1;
    p.functions.push_back({id, f.name, f.name, "", 0});
    p.locations.push_back({id, 0, 0x1000 * id, {{id, 0}}});
    p.samples.push_back({{id, 2, 1}, {n, n * p.period}, {}});
  }
  return p;
}

// One run of a fixed, CPU-bound, single-threaded job: `job` gives the CPU
// seconds each function burns per run (WorkloadFunction::cpu_share read as
// seconds per run), and the run lasts as long as their sum, so a slower
// function makes a longer run. `jitter` (a standard deviation in log
// units) varies each function's cost from run to run, as caches, clock
// speed and neighbours do on a real machine.
inline Profile JobRunProfile(const std::vector<WorkloadFunction>& job, uint64_t seed, int hz = 100,
                             double jitter = 0) {
  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
  std::normal_distribution<double> noise(0.0, jitter);
  std::vector<WorkloadFunction> run = job;
  double seconds = 0;
  for (WorkloadFunction& f : run) {
    if (jitter > 0) f.cpu_share *= std::exp(noise(rng));
    seconds += f.cpu_share;
  }
  for (WorkloadFunction& f : run) f.cpu_share /= seconds;  // share of the one busy core
  return SampleProfile(run, seed, hz, seconds);
}

// A profile with exact figures: main;handle_request;<name> with `samples`
// samples of one period each, over `seconds`.
inline Profile ExactProfile(const std::vector<std::pair<std::string, int64_t>>& functions,
                            double seconds = 60, int hz = 100) {
  Profile p = SampleProfile({}, 1, hz, seconds);
  for (const auto& [name, n] : functions) {
    uint64_t id = p.functions.size() + 1;
    p.functions.push_back({id, name, name, "", 0});
    p.locations.push_back({id, 0, 0x1000 * id, {{id, 0}}});
    p.samples.push_back({{id, 2, 1}, {n, n * p.period}, {}});
  }
  return p;
}

}  // namespace tai::analysis_testing
