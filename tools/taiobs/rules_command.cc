// `taiobs rules check FILE`: validates a rule file (YAML, or JSON by its
// extension) as the alert engine would load it, for CI and before a
// deploy. Prints "ok: N rules, M slos" (exit 0) or every error, one a line
// (exit 1).
//
// `taiobs rules export --format prometheus|cloud-monitoring FILE [-o OUT]`:
// the same rules and SLO burn-rate alerts as a Prometheus rule file, or as
// a JSON array of Cloud Monitoring alertPolicies.create bodies.
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

#include "tai/alert/rule_export.h"
#include "tai/alert/rule_file.h"
#include "tools/taiobs/commands.h"
#include "tools/taiobs/flags.h"

namespace taiobs {
namespace {

constexpr const char* kUsage =
    "usage: taiobs rules check FILE\n"
    "       taiobs rules export --format prometheus|cloud-monitoring FILE [-o OUT]\n";

int Usage() {
  std::fprintf(stderr, "%s", kUsage);
  return 2;
}

int Check(const char* path) {
  auto file = tai::LoadRuleFile(path);
  if (!file.ok()) {
    std::fprintf(stderr, "%s\n", file.status().message().c_str());
    return 1;
  }
  const size_t n = file->rules.size();
  const size_t m = file->slos.size();
  std::printf("ok: %zu rule%s, %zu slo%s\n", n, n == 1 ? "" : "s", m, m == 1 ? "" : "s");
  return 0;
}

tai::Result<std::string> Export(std::string_view format, const tai::RuleFile& file) {
  if (format == "prometheus") return tai::ExportPrometheusRules(file.rules, file.slos);
  TAI_ASSIGN_OR_RETURN(auto policies, tai::ExportCloudMonitoringPolicies(file.rules, file.slos));
  std::string out = "[";
  for (size_t i = 0; i < policies.size(); ++i) out += (i ? ",\n" : "\n") + policies[i];
  return out + "\n]\n";
}

int ExportCommand(int argc, char** argv) {
  std::string_view format;
  const char* in = nullptr;
  const char* out = nullptr;
  for (int i = 2; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--format" && i + 1 < argc) {
      format = argv[++i];
    } else if (a == "-o" && i + 1 < argc) {
      out = argv[++i];
    } else if (!a.empty() && a[0] != '-' && in == nullptr) {
      in = argv[i];
    } else {
      SayUnexpected("rules export", a);
      return Usage();
    }
  }
  if (in == nullptr || (format != "prometheus" && format != "cloud-monitoring")) return Usage();
  auto file = tai::LoadRuleFile(in);
  if (!file.ok()) {
    std::fprintf(stderr, "%s\n", file.status().message().c_str());
    return 1;
  }
  auto text = Export(format, *file);
  if (!text.ok()) {
    std::fprintf(stderr, "%s: %s\n", in, text.status().message().c_str());
    return 1;
  }
  if (out == nullptr) {
    std::fwrite(text->data(), 1, text->size(), stdout);
    return 0;
  }
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << *text;
  f.close();
  if (!f) {
    std::fprintf(stderr, "taiobs: cannot write %s\n", out);
    return 1;
  }
  return 0;
}

}  // namespace

int RulesCommand(int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[1]) == "check") return Check(argv[2]);
  if (argc >= 2 && std::string_view(argv[1]) == "export") return ExportCommand(argc, argv);
  return Usage();
}

}  // namespace taiobs
