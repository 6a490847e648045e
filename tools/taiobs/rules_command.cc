// `taiobs rules check FILE`: validates a rule file (YAML, or JSON by its
// extension) as the alert engine would load it, for CI and before a
// deploy. Prints "ok: N rules, M slos" (exit 0) or every error, one a line
// (exit 1).
//
// `taiobs rules export --format prometheus|cloud-monitoring FILE [-o OUT]`:
// the same rules and SLO burn-rate alerts as a Prometheus rule file, or as
// a JSON array of Cloud Monitoring alertPolicies.create bodies.
//
// `taiobs rules export --format cloud-monitoring FILE --apply [--project P]
// [--scope NAME] [--prune]`: creates and updates those policies in the
// project instead (tai/cloud_alert_policies.h), with the credentials and
// endpoints a service reads from the environment (Config::FromEnv:
// GOOGLE_APPLICATION_CREDENTIALS or the metadata server, TAI_GCP_AUTH,
// TAI_GCP_MONITORING_ENDPOINT). The project defaults to GOOGLE_CLOUD_PROJECT
// and the scope to the service name (TAI_SERVICE_NAME), so that the
// policies are the same ones the service syncs with TAI_GCP_ALERT_POLICIES.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "tai/alert/rule_export.h"
#include "tai/alert/rule_file.h"
#include "tai/cloud_alert_policies.h"
#include "tai/config.h"
#include "tai/gcp/token_source.h"
#include "tools/taiobs/commands.h"
#include "tools/taiobs/flags.h"

namespace taiobs {
namespace {

constexpr const char* kUsage =
    "usage: taiobs rules check FILE\n"
    "       taiobs rules export --format prometheus|cloud-monitoring FILE [-o OUT]\n"
    "       taiobs rules export --format cloud-monitoring FILE --apply [--project P]\n"
    "                           [--scope NAME] [--prune]\n";

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

struct ApplyFlags {
  bool apply = false;
  bool prune = false;
  const char* project = nullptr;
  const char* scope = nullptr;
};

// Syncs the file's policies into the project; prints what changed and
// every error (exit 1).
int Apply(const char* in, const tai::RuleFile& file, const ApplyFlags& flags) {
  auto config = tai::Config::FromEnv();
  if (!config.ok()) {
    std::fprintf(stderr, "taiobs: %s\n", config.status().message().c_str());
    return 1;
  }
  tai::gcp::AlertPolicySyncOptions sync{
      .scope = flags.scope != nullptr ? flags.scope : config->resource.service_name,
      .delete_orphans = flags.prune};
  sync.api.project_id = flags.project != nullptr ? flags.project : config->resource.gcp_project;
  sync.api.endpoints = config->gcp.endpoints;
  if (sync.api.project_id.empty()) {
    std::fprintf(stderr, "taiobs: no project: pass --project or set GOOGLE_CLOUD_PROJECT\n");
    return 1;
  }
  if (config->gcp.authenticate) {
    auto credentials = tai::gcp::DefaultCredentials(
        sync.api.endpoints, [](const char* name) { return std::getenv(name); });
    if (!credentials.ok()) {
      std::fprintf(stderr, "taiobs: %s\n", credentials.status().message().c_str());
      return 1;
    }
    sync.api.tokens = std::make_shared<tai::gcp::AccessTokenSource>(std::move(*credentials));
  }
  auto report = tai::SyncCloudAlertPolicies(file.rules, file.slos, sync);
  if (!report.ok()) {
    std::fprintf(stderr, "%s: %s\n", in, report.status().message().c_str());
    return 1;
  }
  std::printf("project %s: %d created, %d updated, %d unchanged, %d deleted\n",
              sync.api.project_id.c_str(), report->created, report->updated, report->unchanged,
              report->deleted);
  for (const tai::Status& e : report->errors) {
    std::fprintf(stderr, "%s: %s\n", in, e.message().c_str());
  }
  return report->errors.empty() ? 0 : 1;
}

int ExportCommand(int argc, char** argv) {
  std::string_view format;
  const char* in = nullptr;
  const char* out = nullptr;
  ApplyFlags flags;
  for (int i = 2; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--format" && i + 1 < argc) {
      format = argv[++i];
    } else if (a == "-o" && i + 1 < argc) {
      out = argv[++i];
    } else if (a == "--apply") {
      flags.apply = true;
    } else if (a == "--prune") {
      flags.prune = true;
    } else if (a == "--project" && i + 1 < argc) {
      flags.project = argv[++i];
    } else if (a == "--scope" && i + 1 < argc) {
      flags.scope = argv[++i];
    } else if (!a.empty() && a[0] != '-' && in == nullptr) {
      in = argv[i];
    } else {
      SayUnexpected("rules export", a);
      return Usage();
    }
  }
  if (in == nullptr || (format != "prometheus" && format != "cloud-monitoring")) return Usage();
  const bool apply_flags = flags.prune || flags.project != nullptr || flags.scope != nullptr;
  if ((flags.apply && (format != "cloud-monitoring" || out != nullptr)) ||
      (apply_flags && !flags.apply)) {
    return Usage();
  }
  auto file = tai::LoadRuleFile(in);
  if (!file.ok()) {
    std::fprintf(stderr, "%s\n", file.status().message().c_str());
    return 1;
  }
  if (flags.apply) return Apply(in, *file, flags);
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
