#include "tai/alert/alert.h"

#include <gtest/gtest.h>

namespace tai {
namespace {

TEST(AlertTest, StateNamesRoundTrip) {
  for (auto state :
       {AlertState::kInactive, AlertState::kPending, AlertState::kFiring, AlertState::kResolved}) {
    auto parsed = ParseAlertState(AlertStateName(state));
    ASSERT_TRUE(parsed.ok()) << AlertStateName(state);
    EXPECT_EQ(*parsed, state);
  }
  auto bad = ParseAlertState("burning");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'burning'"), std::string::npos);
}

TEST(AlertTest, FingerprintIsTheLabelSetsIdentity) {
  LabelSet a({{"alertname", "HighLatency"}, {"route", "/pay"}});
  LabelSet same({{"route", "/pay"}, {"alertname", "HighLatency"}});
  LabelSet other({{"alertname", "HighLatency"}, {"route", "/refund"}});
  EXPECT_EQ(AlertFingerprint(a), AlertFingerprint(same));
  EXPECT_NE(AlertFingerprint(a), AlertFingerprint(other));
  EXPECT_EQ(AlertFingerprint(a).size(), 16u);
}

TEST(AlertTest, SeverityLabelDefaultsToWarning) {
  Alert alert;
  EXPECT_EQ(AlertSeverityLabel(alert), "warning");
  alert.labels = LabelSet({{"severity", "page"}});
  EXPECT_EQ(AlertSeverityLabel(alert), "page");
}

}  // namespace
}  // namespace tai
