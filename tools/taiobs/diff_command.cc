// taiobs diff: two pprof files (or several runs a side) compared as the
// regression detector does, printed as the original design's table
// (baseline, current, status) with the smallest change each function's test
// could have detected, and with an exit code a CI job can gate a release on:
//   0  no regression at or above --fail-on
//   1  a regression at or above --fail-on (default: any regression reported)
//   2  bad usage or input (unreadable file, profiles that cannot be compared)
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "tai/analysis/flame_graph.h"
#include "tai/analysis/regression.h"
#include "tai/core/parse.h"
#include "tools/taiobs/commands.h"

namespace taiobs {
namespace {

constexpr const char* kDiffUsage =
    "usage: taiobs diff BASE.pb.gz CUR.pb.gz [options]\n"
    "       taiobs diff --base B1.pb.gz B2.pb.gz ... --current C1.pb.gz C2.pb.gz ... [options]\n"
    "options: [--threshold PCT] [--fail-on SEVERITY] [--normalize run|rate|share|work]\n"
    "         [--base-work N,N,...] [--current-work N,N,...] [--cumulative]\n"
    "         [--confidence C] [--min-share F] [-n ROWS] [--svg OUT.svg]\n";

// A CI gate makes one comparison per build, not one a minute as the
// continuous service does: 0.99 fails an unchanged build at most once in a
// hundred and keeps the power to see a +25% change in a few runs.
constexpr double kDiffConfidence = 0.99;

// A fixed job's runs: CPU per run (a slower run lasts longer, so per
// second of wall time would dilute every slowdown).
tai::ComparisonOptions DefaultOptions() {
  tai::ComparisonOptions o;
  o.normalization = tai::Normalization::kPerRun;
  o.confidence = kDiffConfidence;
  return o;
}

struct DiffArgs {
  std::vector<const char*> base;
  std::vector<const char*> current;
  std::vector<const char*> positional;
  tai::ComparisonOptions options = DefaultOptions();
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

// "1200,1180.5": work counts, one per profile of a side.
std::string ParseCounts(std::string_view flag, std::string_view text, std::vector<double>* out) {
  out->clear();
  for (const std::string& item : tai::ParseList(text)) {
    double v = 0;
    if (!ParseNumber(item.c_str(), &v)) {
      return std::string(flag) + " needs numbers separated by commas, not '" + item + "'";
    }
    out->push_back(v);
  }
  if (out->empty()) return std::string(flag) + " needs numbers separated by commas";
  return "";
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
    tai::Result<tai::Normalization> n = tai::ParseNormalization(value);
    if (!n.ok()) return "--normalize is run, rate, share or work, not '" + std::string(value) + "'";
    a.options.normalization = *n;
  } else if (flag == "--base-work") {
    return ParseCounts(flag, value, &a.options.baseline_work);
  } else if (flag == "--current-work") {
    return ParseCounts(flag, value, &a.options.current_work);
  } else if (flag == "--fail-on") {
    tai::Result<tai::AlertSeverity> s = tai::ParseAlertSeverity(value);
    if (!s.ok()) return "--fail-on: " + s.status().message();
    a.fail_on = *s;
  } else {
    return "unknown option '" + std::string(flag) + "'";
  }
  return "";
}

// Files go to the list the last --base or --current opened, or are
// positional (the two-file form).
std::string SortFiles(DiffArgs& a) {
  if (!a.positional.empty() && (!a.base.empty() || !a.current.empty())) {
    return "give the profiles as BASE CUR or with --base and --current, not both ('" +
           std::string(a.positional[0]) + "')";
  }
  if (a.positional.size() > 2) {
    return "one baseline and one current file, not a third ('" + std::string(a.positional[2]) +
           "'); use --base and --current for several runs a side";
  }
  if (a.positional.size() == 2) {
    a.base = {a.positional[0]};
    a.current = {a.positional[1]};
  }
  if (a.base.empty() || a.current.empty()) {
    return "needs a baseline and a current pprof file (or --base FILES... --current FILES...)";
  }
  return "";
}

// Returns "" when the arguments are complete, else what is wrong.
std::string ParseDiffArgs(int argc, char** argv, DiffArgs& a) {
  std::vector<const char*>* files = &a.positional;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--base" || arg == "--current") {
      files = arg == "--base" ? &a.base : &a.current;
    } else if (arg == "--cumulative") {
      a.options.cost = tai::CostKind::kCumulative;
      files = &a.positional;
    } else if (arg.size() > 1 && arg[0] == '-') {
      if (i + 1 >= argc) return std::string(arg) + " needs a value";
      std::string error = ParseFlag(arg, argv[++i], a);
      if (!error.empty()) return error;
      files = &a.positional;
    } else {
      files->push_back(argv[i]);
    }
  }
  std::string error = SortFiles(a);
  if (!error.empty()) return error;
  if (a.svg != nullptr && (a.base.size() > 1 || a.current.size() > 1)) {
    return "--svg draws one baseline and one current profile, not several runs a side";
  }
  tai::Status valid = a.options.Validate();
  return valid.ok() ? "" : valid.message();
}

std::string Ms(int64_t micros) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fms", static_cast<double>(micros) / 1000.0);
  return buf;
}

void Row(const std::string& function, const std::string& base, const std::string& cur,
         const std::string& change, const std::string& detectable, const std::string& status) {
  std::printf("%-32s %12s  vs %12s %9s %10s  %s\n", function.c_str(), base.c_str(), cur.c_str(),
              change.c_str(), detectable.c_str(), status.c_str());
}

std::string Percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", p);
  return buf;
}

// The smallest change the function's test could have reported.
std::string Detectable(double percent, char sign) {
  if (!(percent > 0)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%c%.1f%%", sign, percent);
  return buf;
}

std::string Totals(const char* side, int profiles, int64_t micros, int64_t samples) {
  char buf[160];
  if (profiles > 1) {
    std::snprintf(buf, sizeof buf, "%s total %s (%lld samples in %d profiles)", side,
                  Ms(micros).c_str(), static_cast<long long>(samples), profiles);
  } else {
    std::snprintf(buf, sizeof buf, "%s total %s (%lld samples)", side, Ms(micros).c_str(),
                  static_cast<long long>(samples));
  }
  return buf;
}

void PrintHeader(const tai::ProfileComparison& c) {
  const tai::ComparisonOptions& o = c.options;
  std::string unit(tai::NormalizationUnit(c.normalization));
  if (c.normalization != o.normalization) unit += " (no work counts given)";
  std::printf("Compared by %s, %s cost; threshold %.1f%%, confidence %g, %d functions tested\n",
              unit.c_str(), o.cost == tai::CostKind::kSelf ? "self" : "cumulative",
              o.threshold_percent, o.confidence, c.tested_functions);
  std::printf(
      "%s, %s, change %s\n\n",
      Totals("Baseline", c.baseline_profiles, c.baseline_total_micros, c.baseline_samples).c_str(),
      Totals("current", c.current_profiles, c.current_total_micros, c.current_samples).c_str(),
      Percent(c.total_change_percent).c_str());
  Row("Function", "Baseline", "Current", "Change", "Detectable", "Status");
}

void PrintTable(const tai::ProfileComparison& c, size_t rows) {
  PrintHeader(c);
  for (const tai::Regression& r : c.regressions) {
    Row(r.function, Ms(r.baseline_micros), Ms(r.current_micros), Percent(r.increase_percent),
        Detectable(r.detectable_percent, '+'),
        "REGRESSION " + std::string(tai::AlertSeverityName(r.severity)));
  }
  for (const tai::Improvement& i : c.improvements) {
    bool removed = i.current_micros == 0 && i.reduction_percent == 100.0;
    Row(i.function, Ms(i.baseline_micros), removed ? "(not called)" : Ms(i.current_micros),
        removed ? "-100%" : Percent(-i.reduction_percent), Detectable(i.detectable_percent, '-'),
        removed ? "removed" : "improvement");
  }
  for (const tai::FunctionPresence& a : c.added) {
    Row(a.function, "(not called)", Ms(a.micros), "new", "-", "added");
  }
  size_t shown = 0, untested = 0;
  for (const tai::UnchangedFunction& u : c.unchanged) {
    if (!u.tested) {
      ++untested;
      continue;
    }
    if (shown++ >= rows) continue;
    Row(u.function, Ms(u.baseline_micros), Ms(u.current_micros), Percent(u.change_percent),
        Detectable(u.detectable_percent, '+'),
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

bool LoadProfiles(const std::vector<const char*>& paths, std::vector<tai::Profile>* out) {
  out->resize(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    if (!LoadProfile(paths[i], &(*out)[i])) return false;
  }
  return true;
}

}  // namespace

int ProfileDiff(int argc, char** argv) {
  DiffArgs a;
  std::string error = ParseDiffArgs(argc, argv, a);
  if (!error.empty()) return UsageError(error);
  std::vector<tai::Profile> base, cur;
  if (!LoadProfiles(a.base, &base) || !LoadProfiles(a.current, &cur)) return 2;
  tai::Result<tai::ProfileComparison> c = tai::CompareProfileRuns(base, cur, a.options);
  if (!c.ok()) {
    std::fprintf(stderr, "taiobs diff: %s\n", c.status().message().c_str());
    return 2;
  }
  PrintTable(*c, a.rows);
  if (a.svg != nullptr && !WriteSvg(a.svg, base[0], cur[0], a.options)) {
    std::fprintf(stderr, "taiobs diff: cannot write %s\n", a.svg);
    return 2;
  }
  bool fail = !c->regressions.empty() &&
              (a.fail_on == tai::AlertSeverity::kNone || c->severity() >= a.fail_on);
  return fail ? 1 : 0;
}

}  // namespace taiobs
