// taiobs top | collapse | flamegraph: reading pprof files (ours or any
// other profiler's).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>

#include "tai/flame_graph.h"
#include "tai/pprof.h"
#include "tools/taiobs/commands.h"

namespace taiobs {
namespace {

bool Load(const char* path, tai::Profile* out) {
  tai::Result<tai::Profile> p = tai::ReadPprofFile(path);
  if (!p.ok()) {
    std::fprintf(stderr, "taiobs: %s\n", p.status().ToString().c_str());
    return false;
  }
  *out = std::move(p).value();
  return true;
}

}  // namespace

int ProfileTop(int argc, char** argv) {
  const char* path = nullptr;
  size_t n = 20;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-n" && i + 1 < argc) {
      n = static_cast<size_t>(std::strtoul(argv[++i], nullptr, 10));
    } else if (!a.empty() && a[0] != '-' && path == nullptr) {
      path = argv[i];
    } else {
      path = nullptr;
      break;
    }
  }
  if (path == nullptr) {
    std::fprintf(stderr, "usage: taiobs top [-n N] FILE.pb.gz\n");
    return 2;
  }
  tai::Profile p;
  if (!Load(path, &p)) return 1;
  int vi = p.DefaultValueIndex();
  if (vi < 0) {
    std::printf("no samples\n");
    return 0;
  }
  const std::string& unit = p.sample_types[vi].unit;
  std::string shown = unit == "nanoseconds" ? "us" : unit;
  double total = static_cast<double>(p.ToReportUnit(p.TotalValue()));
  auto self = p.HotPaths(n);
  auto cum = p.HotPathsCumulative(static_cast<size_t>(-1));
  std::printf("%s, total %.0f %s\n", p.sample_types[vi].type.c_str(), total, shown.c_str());
  std::printf("%14s %7s %14s %7s  function\n", ("self " + shown).c_str(), "self%",
              ("cum " + shown).c_str(), "cum%");
  for (const tai::HotPath& h : self) {
    int64_t c = 0;
    for (const tai::HotPath& x : cum) {
      if (x.function == h.function) c = x.cpu_micros;
    }
    std::printf("%14lld %6.2f%% %14lld %6.2f%%  %s\n", static_cast<long long>(h.cpu_micros),
                total > 0 ? 100.0 * static_cast<double>(h.cpu_micros) / total : 0.0,
                static_cast<long long>(c), total > 0 ? 100.0 * static_cast<double>(c) / total : 0.0,
                h.function.c_str());
  }
  return 0;
}

int ProfileCollapse(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: taiobs collapse FILE.pb.gz\n");
    return 2;
  }
  tai::Profile p;
  if (!Load(argv[1], &p)) return 1;
  std::string out = tai::CollapsedStacks(p);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int ProfileFlameGraph(int argc, char** argv) {
  const char* in = nullptr;
  const char* out = nullptr;
  tai::FlameGraphOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-o" && i + 1 < argc) {
      out = argv[++i];
    } else if (a == "--title" && i + 1 < argc) {
      options.title = argv[++i];
    } else if (!a.empty() && a[0] != '-' && in == nullptr) {
      in = argv[i];
    } else {
      in = nullptr;
      break;
    }
  }
  if (in == nullptr || out == nullptr) {
    std::fprintf(stderr, "usage: taiobs flamegraph FILE.pb.gz -o OUT.svg [--title TEXT]\n");
    return 2;
  }
  tai::Profile p;
  if (!Load(in, &p)) return 1;
  std::string svg = tai::FlameGraphSvg(p, options);
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << svg;
  f.close();
  if (!f) {
    std::fprintf(stderr, "taiobs: cannot write %s\n", out);
    return 1;
  }
  return 0;
}

}  // namespace taiobs
