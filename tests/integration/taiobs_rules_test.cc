// `taiobs rules check` as CI runs it: "ok: N rules, M slos" and exit 0 for a good
// file, every error naming the file, rule and field and exit 1 for a bad
// one, exit 2 for bad usage.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/integration/child_process.h"

namespace tai {
namespace {

using testing::RunWithInput;
using testing::TempDir;

class TaiobsRulesTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  int Run(std::vector<std::string> args, std::string* out) {
    out->clear();
    args.insert(args.begin(), TAI_TAIOBS_PATH);
    return RunWithInput(args, "", out);
  }
  TempDir dir_;
};

TEST_F(TaiobsRulesTest, AGoodFileIsOk) {
  const std::string path = Write("rules.yaml",
                                 "rules:\n"
                                 "  - id: errors\n    metric: app/errors\n    threshold: 5\n"
                                 "  - id: slow\n    metric: http/duration\n    aggregation: p99\n"
                                 "    threshold: 500\n    window: 5m\n    for: 2m\n");
  std::string out;
  EXPECT_EQ(Run({"rules", "check", path}, &out), 0) << out;
  EXPECT_EQ(out, "ok: 2 rules, 0 slos\n");
  const std::string json = Write("rules.json", R"({"rules": [{"id": "e", "metric": "m"}]})");
  EXPECT_EQ(Run({"rules", "check", json}, &out), 0) << out;
  EXPECT_EQ(out, "ok: 1 rule, 0 slos\n");
  const std::string slos = Write("slos.yaml",
                                 "slos:\n"
                                 "  - id: checkout-errors\n    kind: bad_ratio\n"
                                 "    bad_metric: app/errors\n    total_metric: app/requests\n"
                                 "    objective: 99.9%\n    window: 30d\n");
  EXPECT_EQ(Run({"rules", "check", slos}, &out), 0) << out;
  EXPECT_EQ(out, "ok: 0 rules, 1 slo\n");
}

TEST_F(TaiobsRulesTest, ABadFileListsEveryError) {
  const std::string path = Write("rules.yaml",
                                 "rules:\n"
                                 "  - id: ok\n    metric: m\n"
                                 "  - id: slow-pay\n    metric: m\n    window: 5 minutes\n"
                                 "  - id: x\n    metric: m\n    colour: red\n");
  std::string out;
  EXPECT_EQ(Run({"rules", "check", path}, &out), 1);
  EXPECT_NE(out.find(path + ": rule 'slow-pay' (#2): field 'window': bad duration '5 minutes'"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(path + ": rule 'x' (#3): field 'colour': unknown field"), std::string::npos)
      << out;
  EXPECT_EQ(Run({"rules", "check", dir_.path() + "/missing.yaml"}, &out), 1);
  EXPECT_NE(out.find("missing.yaml"), std::string::npos) << out;
}

// The exported Prometheus rule file is accepted by promtool; the Cloud
// Monitoring export is one alertPolicies body per rule and burn-rate alert.
TEST_F(TaiobsRulesTest, ExportsWhatPromtoolAndCloudMonitoringTake) {
  const std::string path = Write("rules.yaml",
                                 "rules:\n"
                                 "  - id: slow\n    metric: http/duration\n    aggregation: p99\n"
                                 "    threshold: 0.5\n    window: 5m\n    for: 2m\n"
                                 "slos:\n"
                                 "  - id: checkout-errors\n    kind: bad_ratio\n"
                                 "    bad_metric: app/errors\n    total_metric: app/requests\n"
                                 "    objective: 99.9%\n    window: 30d\n");
  const std::string prom = dir_.path() + "/rules.prom.yaml";
  std::string out;
  ASSERT_EQ(Run({"rules", "export", "--format", "prometheus", path, "-o", prom}, &out), 0) << out;
  ASSERT_EQ(RunWithInput({"/usr/bin/promtool", "check", "rules", prom}, "", &out), 0) << out;
  EXPECT_NE(out.find("SUCCESS"), std::string::npos) << out;

  ASSERT_EQ(Run({"rules", "export", "--format", "cloud-monitoring", path}, &out), 0) << out;
  auto policies = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(policies.is_array()) << out;
  EXPECT_EQ(policies.size(), 4u);  // the rule and the SLO's three burn-rate alerts
  for (const auto& p : policies) EXPECT_TRUE(p.contains("displayName")) << p.dump();

  EXPECT_EQ(Run({"rules", "export", "--format", "grafana", path}, &out), 2);
  EXPECT_NE(out.find("usage: taiobs rules check FILE"), std::string::npos) << out;
}

TEST_F(TaiobsRulesTest, BadUsageExitsTwo) {
  std::string out;
  EXPECT_EQ(Run({"rules"}, &out), 2);
  EXPECT_NE(out.find("usage: taiobs rules check FILE"), std::string::npos) << out;
  EXPECT_EQ(Run({"rules", "lint", "x.yaml"}, &out), 2);
}

}  // namespace
}  // namespace tai
