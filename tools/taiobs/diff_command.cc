// taiobs diff: two pprof files compared as the regression detector does,
// printed as the original design's table (baseline, current, status), with
// an exit code a CI job can gate a release on:
//   0  no regression at or above --fail-on
//   1  a regression at or above --fail-on (default: any regression reported)
//   2  bad usage or input (unreadable file, profiles that cannot be compared)
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "tai/analysis/flame_graph.h"
#include "tai/analysis/regression.h"
#include "tools/taiobs/commands.h"

namespace taiobs {
namespace {

constexpr const char* kDiffUsage =
    "usage: taiobs diff BASE.pb.gz CUR.pb.gz [--threshold PCT] [--fail-on SEVERITY]\n"
    "                   [--normalize rate|share] [--cumulative] [--confidence C]\n"
    "                   [--min-share F] [-n ROWS] [--svg OUT.svg]\n";

struct DiffArgs {
  const char* base = nullptr;
  const char* current = nullptr;
  tai::ComparisonOptions options;
  tai::AlertSeverity fail_on = tai::AlertSeverity::kNone;  // kNone: any regression
  size_t rows = 20;                                        // unchanged functions shown
  const char* svg = nullptr;
};

int UsageError(const std::string& what) {
  std::fprintf(stderr, "taiobs diff: %s\n%s", what.c_str(), kDiffUsage);
  return 2;
}

bool ParseNumber(const char* text, double* out) {
  char* end = nullptr;
  *out = std::strtod(text, &end);
  return end != text && *end == '\0';
}

// Returns "" when the flag was understood, else what was wrong with it.
std::string ParseFlag(std::string_view flag, const char* value, DiffArgs& a) {
  double v = 0;
  if (flag == "--threshold" || flag == "--confidence" || flag == "--min-share" || flag == "-n") {
    if (!ParseNumber(value, &v)) {
      return std::string(flag) + " needs a number, not '" + value + "'";
    }
  }
  if (flag == "--threshold") {
    a.options.threshold_percent = v;
  } else if (flag == "--confidence") {
    a.options.confidence = v;
  } else if (flag == "--min-share") {
    a.options.min_share = v;
  } else if (flag == "-n") {
    if (v < 0) return "-n needs a count >= 0";
    a.rows = static_cast<size_t>(v);
  } else if (flag == "--svg") {
    a.svg = value;
  } else if (flag == "--normalize") {
    std::string_view n = value;
    if (n != "rate" && n != "share")
      return "--normalize is rate or share, not '" + std::string(n) + "'";
    a.options.normalization =
        n == "rate" ? tai::Normalization::kCpuPerSecond : tai::Normalization::kShareOfTotal;
  } else if (flag == "--fail-on") {
    tai::Result<tai::AlertSeverity> s = tai::ParseAlertSeverity(value);
    if (!s.ok()) return "--fail-on: " + s.status().message();
    a.fail_on = *s;
  } else {
    return "unknown option '" + std::string(flag) + "'";
  }
  return "";
}

// Returns "" when the arguments are complete, else what is wrong.
std::string ParseDiffArgs(int argc, char** argv, DiffArgs& a) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--cumulative") {
      a.options.cost = tai::CostKind::kCumulative;
    } else if (arg.size() > 1 && arg[0] == '-') {
      if (i + 1 >= argc) return std::string(arg) + " needs a value";
      std::string error = ParseFlag(arg, argv[++i], a);
      if (!error.empty()) return error;
    } else if (a.base == nullptr) {
      a.base = argv[i];
    } else if (a.current == nullptr) {
      a.current = argv[i];
    } else {
      return "one baseline and one current file, not a third ('" + std::string(arg) + "')";
    }
  }
  if (a.current == nullptr) return "needs a baseline and a current pprof file";
  tai::Status valid = a.options.Validate();
  return valid.ok() ? "" : valid.message();
}

std::string Ms(int64_t micros) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fms", static_cast<double>(micros) / 1000.0);
  return buf;
}

void Row(const std::string& function, const std::string& base, const std::string& cur,
         const std::string& change, const std::string& status) {
  std::printf("%-32s %12s  vs %12s %9s  %s\n", function.c_str(), base.c_str(), cur.c_str(),
              change.c_str(), status.c_str());
}

std::string Percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", p);
  return buf;
}

void PrintHeader(const tai::ProfileComparison& c) {
  const tai::ComparisonOptions& o = c.options;
  std::printf("Compared by %s, %s cost; threshold %.1f%%, confidence %g, %d functions tested\n",
              o.normalization == tai::Normalization::kCpuPerSecond ? "CPU per second of wall time"
                                                                   : "share of total",
              o.cost == tai::CostKind::kSelf ? "self" : "cumulative", o.threshold_percent,
              o.confidence, c.tested_functions);
  std::printf("Baseline total %s (%lld samples), current total %s (%lld samples), change %s\n\n",
              Ms(c.baseline_total_micros).c_str(), static_cast<long long>(c.baseline_samples),
              Ms(c.current_total_micros).c_str(), static_cast<long long>(c.current_samples),
              Percent(c.total_change_percent).c_str());
  Row("Function", "Baseline", "Current", "Change", "Status");
}

void PrintTable(const tai::ProfileComparison& c, size_t rows) {
  PrintHeader(c);
  for (const tai::Regression& r : c.regressions) {
    Row(r.function, Ms(r.baseline_micros), Ms(r.current_micros), Percent(r.increase_percent),
        "REGRESSION " + std::string(tai::AlertSeverityName(r.severity)));
  }
  for (const tai::Improvement& i : c.improvements) {
    bool removed = i.current_micros == 0 && i.reduction_percent == 100.0;
    Row(i.function, Ms(i.baseline_micros), removed ? "(not called)" : Ms(i.current_micros),
        removed ? "-100%" : Percent(-i.reduction_percent), removed ? "removed" : "improvement");
  }
  for (const tai::FunctionPresence& a : c.added) {
    Row(a.function, "(not called)", Ms(a.micros), "new", "added");
  }
  size_t shown = 0, untested = 0;
  for (const tai::UnchangedFunction& u : c.unchanged) {
    if (!u.tested) {
      ++untested;
      continue;
    }
    if (shown++ >= rows) continue;
    Row(u.function, Ms(u.baseline_micros), Ms(u.current_micros), Percent(u.change_percent),
        u.significant ? "(below threshold)" : "(within noise)");
  }
  if (shown > rows) std::printf("... %zu more tested functions without a change\n", shown - rows);
  if (untested > 0) {
    std::printf("not tested (below %.1f%% of the total in both profiles): %zu function(s)\n",
                100.0 * c.options.min_share, untested);
  }
  std::printf("\nregressions: %zu, improvements: %zu (removed: %zu), new: %zu; severity %s\n",
              c.regressions.size(), c.improvements.size(), c.removed.size(), c.added.size(),
              std::string(tai::AlertSeverityName(c.severity())).c_str());
}

bool WriteSvg(const char* path, const tai::Profile& base, const tai::Profile& cur,
              const tai::ComparisonOptions& options) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << tai::DifferentialFlameGraphSvg(base, cur, {.title = "Current vs baseline"},
                                      options.normalization);
  f.close();
  return static_cast<bool>(f);
}

}  // namespace

int ProfileDiff(int argc, char** argv) {
  DiffArgs a;
  std::string error = ParseDiffArgs(argc, argv, a);
  if (!error.empty()) return UsageError(error);
  tai::Profile base, cur;
  if (!LoadProfile(a.base, &base) || !LoadProfile(a.current, &cur)) return 2;
  tai::Result<tai::ProfileComparison> c = tai::CompareProfiles(base, cur, a.options);
  if (!c.ok()) {
    std::fprintf(stderr, "taiobs diff: %s\n", c.status().message().c_str());
    return 2;
  }
  PrintTable(*c, a.rows);
  if (a.svg != nullptr && !WriteSvg(a.svg, base, cur, a.options)) {
    std::fprintf(stderr, "taiobs diff: cannot write %s\n", a.svg);
    return 2;
  }
  bool fail = !c->regressions.empty() &&
              (a.fail_on == tai::AlertSeverity::kNone || c->severity() >= a.fail_on);
  return fail ? 1 : 0;
}

}  // namespace taiobs
