// taiobs: the command-line tool of tai-observability.
//
//   taiobs demo [--listen ADDR] [--duration T] [--incident-after T] ...
//   taiobs serve --store PATH [--listen ADDR] [--token TOKEN]
//   taiobs query metrics|traces|logs --store PATH [--since T] [--until T]
//                [--format table|json] [filters...]
//   taiobs version | --version
//   taiobs help [COMMAND]          (and COMMAND --help, COMMAND -h)
//   taiobs top | collapse | flamegraph FILE.pb.gz ...
//   taiobs diff BASE.pb.gz CUR.pb.gz [--threshold PCT] [--fail-on SEVERITY] ...
//   taiobs diff --base B1.pb.gz B2.pb.gz ... --current C1.pb.gz C2.pb.gz ... [options]
//   taiobs profile [--hz N] [--heap] [-o FILE.pb.gz] -- CMD ARGS...
//   taiobs rules check FILE
//   taiobs rules export --format prometheus|cloud-monitoring FILE [-o OUT]
//   taiobs rules export --format cloud-monitoring FILE --apply [--project P] [--scope S] [--prune]
//   taiobs dashboard check FILE
//   taiobs dashboard export --format cloud-monitoring|grafana FILE [--store DB] [-o OUT]
//
// Each command is a function in this folder registered in kCommands. Every
// command answers --help and -h with its usage (exit 0); bad usage exits 2
// naming what was wrong, a failure exits 1. docs/cli.md has examples.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "tools/taiobs/commands.h"

namespace taiobs {
namespace {

int Version(int, char**) {
  std::printf("taiobs %s\n", kVersion);
  return 0;
}

int Help(int argc, char** argv);

const Command kCommands[] = {
    {"demo",
     "demo [--listen ADDR] [--duration T] [--incident-after T] [--incident-duration T] "
     "[--rate RPS] [--profile-window T] [--store PATH]",
     "Run the demo payment service with every pillar, the dashboard and a scripted incident",
     DemoCommand},
    {"serve",
     "serve --store PATH [--listen ADDR] [--token TOKEN]\n"
     "  --store PATH    a service's store file, opened read-only (the service keeps writing it)\n"
     "  --listen ADDR   default 127.0.0.1:9464; port 0 picks a free one\n"
     "  --token TOKEN   access token (default: $TAI_DASHBOARD_TOKEN); required off loopback",
     "Serve the dashboard and its API over an existing store, read-only, until Ctrl-C",
     ServeCommand},
    {"query",
     "query metrics --store PATH [--metric NAME [--match 'k=\"v\"']... [--fn FN] [--q Q] "
     "[--step T]] [COMMON]\n"
     "       taiobs query traces --store PATH [--service S] [--name N] [--min-duration T] "
     "[--errors] [--limit N] [COMMON]\n"
     "       taiobs query traces --store PATH --trace ID [--format table|json]\n"
     "       taiobs query logs --store PATH [--level L] [--logger L] [--text QUERY] [--trace ID] "
     "[--limit N] [COMMON]\n"
     "COMMON: [--since T] [--until T] [--format table|json]\n"
     "  --since, --until  RFC 3339, Unix seconds, now-1h, or a duration ago (1h); "
     "default the last hour\n"
     "  metrics           without --metric: the stored metrics, with kind and unit\n"
     "  --fn FN           last (default), avg, min, max, sum, count, increase, rate, quantile "
     "(--q, default 0.99), count_at_or_below\n"
     "  --trace ID        traces: one trace's spans as a tree; logs: the trace's logs\n"
     "  --text QUERY      full text: words, \"phrases\", prefix*, AND/OR/NOT",
     "Query the metrics, traces or logs of a store (read-only), as a table or as JSON",
     QueryCommand},
    {"help", "help [COMMAND]", "Show the commands, or one command's usage", Help},
    {"version", "version", "Print the version", Version},
    {"top", "top [-n N] FILE.pb.gz", "Hot functions of a pprof file, self and cumulative",
     ProfileTop},
    {"collapse", "collapse FILE.pb.gz", "Collapsed stacks of a pprof file (flame graph input)",
     ProfileCollapse},
    {"flamegraph", "flamegraph FILE.pb.gz -o OUT.svg [--title TEXT]",
     "Interactive SVG flame graph of a pprof file", ProfileFlameGraph},
    {"diff",
     "diff BASE.pb.gz CUR.pb.gz | --base B1.pb.gz ... --current C1.pb.gz ... [--threshold PCT] "
     "[--fail-on SEVERITY] [--normalize run|rate|share|work] [--base-work N,...] "
     "[--current-work N,...] [--cumulative] [--confidence C] [--min-share F] [-n ROWS] "
     "[--svg OUT.svg]",
     "Compare two pprof files, or several runs a side (CPU per run by default): regressions, "
     "improvements, removed and new functions, and the smallest change each test could see; "
     "exit 1 on a regression (for CI)",
     ProfileDiff},
    {"profile", "profile [--hz N] [--heap] [-o FILE.pb.gz] -- CMD ARGS...",
     "Run a program under the CPU (and heap) profiler, write pprof files", ProfileRun},
    {"rules",
     "rules check FILE | rules export --format prometheus|cloud-monitoring FILE [-o OUT] "
     "[--apply [--project P] [--scope S] [--prune]]",
     "Validate an alert rule file (YAML or JSON; exit 1 naming every error), or export its rules "
     "and SLO burn-rate alerts as a Prometheus rule file or Cloud Monitoring alert policies "
     "(--apply: create and update them in the project)",
     RulesCommand},
    {"dashboard",
     "dashboard check FILE | dashboard export --format cloud-monitoring|grafana FILE [--store DB] "
     "[-o OUT]",
     "Validate a dashboard file (exit 1 naming every error), or export it for Cloud Monitoring "
     "or Grafana",
     DashboardCommand},
};

// "COMMAND --help" anywhere before a "--" (after which the arguments belong
// to the program `profile` runs).
bool AsksForHelp(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--") return false;
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

int Help(int argc, char** argv) {
  if (argc >= 2) {
    for (const Command& c : kCommands) {
      if (argv[1] == std::string_view(c.name)) {
        std::printf("usage: taiobs %s\n\n%s\n", c.usage, c.summary);
        return 0;
      }
    }
    std::fprintf(stderr, "taiobs: no command '%s'; see 'taiobs help'\n", argv[1]);
    return 2;
  }
  std::printf("usage: taiobs COMMAND [ARGS...]\n\ncommands:\n");
  for (const Command& c : kCommands) std::printf("  %-12s %s\n", c.name, c.summary);
  std::printf("\n'taiobs help COMMAND' shows a command's usage.\n");
  return 0;
}

// A command's exit code, or 1 when what it printed could not be written
// (a full disk, a closed pipe): output that did not arrive is a failure.
int FinishOutput(int code) {
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return code;
  std::fprintf(stderr, "taiobs: cannot write the output: %s\n", std::strerror(errno));
  return code == 0 ? 1 : code;
}

}  // namespace
}  // namespace taiobs

int main(int argc, char** argv) {
  using namespace taiobs;
  if (argc < 2) return Help(1, argv);
  std::string_view cmd = argv[1];
  if (cmd == "--version" || cmd == "-V") return Version(argc - 1, argv + 1);
  if (cmd == "--help" || cmd == "-h") return Help(1, argv);
  for (const Command& c : kCommands) {
    if (cmd != c.name) continue;
    // demo prints its flags with what each means itself.
    if (c.run != DemoCommand && AsksForHelp(argc - 1, argv + 1)) return FinishOutput(Help(2, argv));
    return FinishOutput(c.run(argc - 1, argv + 1));
  }
  std::fprintf(stderr, "taiobs: unknown command '%s'; see 'taiobs help'\n", argv[1]);
  return 2;
}
