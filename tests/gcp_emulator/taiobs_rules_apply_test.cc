// `taiobs rules export --format cloud-monitoring FILE --apply` against the
// emulator, with the environment a service reads (TAI_GCP_AUTH=false and
// TAI_GCP_MONITORING_ENDPOINT for the emulator): the policies are created
// under the service's scope, a second run changes nothing, a refused rule
// is named with exit 1, and --apply with another format is bad usage.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/gcp_emulator/monitoring_emulator.h"
#include "tests/integration/child_process.h"

namespace tai {
namespace {

using nlohmann::json;

class TaiobsRulesApplyTest : public ::testing::Test {
 protected:
  TaiobsRulesApplyTest() {
    monitoring_.AddNotificationChannel("projects/cli/notificationChannels/1");
  }

  std::string Write(const std::string& text) {
    const std::string path = dir_.path() + "/rules.yaml";
    std::ofstream(path) << text;
    return path;
  }
  int Run(std::vector<std::string> args, std::string* out) {
    std::vector<std::string> argv = {"/usr/bin/env",
                                     "TAI_GCP_AUTH=false",
                                     "TAI_GCP_MONITORING_ENDPOINT=" + monitoring_.url(),
                                     "GOOGLE_CLOUD_PROJECT=cli",
                                     "TAI_SERVICE_NAME=checkout",
                                     TAI_TAIOBS_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    out->clear();
    return testing::RunWithInput(argv, "", out);
  }

  testing::MonitoringEmulator monitoring_;
  testing::TempDir dir_;
};

constexpr const char* kRules =
    "rules:\n"
    "  - id: errors\n    metric: app/errors\n    op: \">\"\n    threshold: 5\n"
    "    notification_channels: [projects/cli/notificationChannels/1]\n"
    "  - id: slow\n    metric: http/duration\n    aggregation: p99\n"
    "    op: \">\"\n    threshold: 500\n    window: 5m\n";

TEST_F(TaiobsRulesApplyTest, CreatesThenFindsNothingToChange) {
  const std::string path = Write(kRules);
  std::string out;
  const std::vector<std::string> apply = {"rules", "export", "--format", "cloud-monitoring",
                                          path,    "--apply"};
  ASSERT_EQ(Run(apply, &out), 0) << out;
  EXPECT_EQ(out, "project cli: 2 created, 0 updated, 0 unchanged, 0 deleted\n");
  const auto policies = monitoring_.alert_policies();
  ASSERT_EQ(policies.size(), 2u);
  for (const auto& [name, p] : policies) {
    EXPECT_TRUE(name.starts_with("projects/cli/alertPolicies/")) << name;
    EXPECT_EQ(p["userLabels"]["tai_scope"], "checkout");
  }
  EXPECT_TRUE(monitoring_.problems().empty()) << monitoring_.problems().front();

  ASSERT_EQ(Run(apply, &out), 0) << out;
  EXPECT_EQ(out, "project cli: 0 created, 0 updated, 2 unchanged, 0 deleted\n");
  // Another scope is another set: made again beside the first.
  std::vector<std::string> other = apply;
  other.insert(other.end(), {"--scope", "billing", "--project", "cli"});
  ASSERT_EQ(Run(other, &out), 0) << out;
  EXPECT_EQ(monitoring_.alert_policies().size(), 4u);
}

TEST_F(TaiobsRulesApplyTest, ARefusedRuleIsNamedAndFailsTheRun) {
  const std::string path = Write(
      "rules:\n"
      "  - id: paging\n    metric: app/errors\n    threshold: 5\n"
      "    notification_channels: [projects/cli/notificationChannels/9]\n");
  std::string out;
  EXPECT_EQ(Run({"rules", "export", "--format", "cloud-monitoring", path, "--apply"}, &out), 1);
  EXPECT_NE(out.find("rule 'paging': creating its alert policy: HTTP 400"), std::string::npos)
      << out;
  EXPECT_NE(out.find("notificationChannels/9 does not exist"), std::string::npos) << out;
}

TEST_F(TaiobsRulesApplyTest, ApplyFlagsNeedTheCloudMonitoringFormat) {
  const std::string path = Write(kRules);
  std::string out;
  EXPECT_EQ(Run({"rules", "export", "--format", "prometheus", path, "--apply"}, &out), 2);
  EXPECT_EQ(Run({"rules", "export", "--format", "cloud-monitoring", path, "--prune"}, &out), 2);
  EXPECT_TRUE(monitoring_.alert_policies().empty());
}

}  // namespace
}  // namespace tai
