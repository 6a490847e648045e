// The continuous profiling service's baselines in the embedded store: a
// version's own, the previous version's, the pinned one; all pinned rows
// that retention keeps.
#include "tai/store/store_baselines.h"

#include <gtest/gtest.h>

#include <memory>

#include "store/store_testing.h"

namespace tai {
namespace {

using testing::kBaseTime;
using testing::TestStore;

Profile OneFunction(const std::string& name, int64_t time_nanos) {
  Profile p;
  p.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  p.period_type = {"cpu", "nanoseconds"};
  p.period = 10'000'000;
  p.time_nanos = time_nanos;
  p.duration_nanos = 3'000'000'000;
  p.functions = {{1, name, name, "", 0}};
  p.locations = {{1, 0, 0x1000, {{1, 0}}}};
  p.samples = {{{1}, {100, 100 * p.period}, {}}};
  return p;
}

Resource Checkout(std::string version) {
  Resource r;
  r.service_name = "checkout";
  r.service_version = std::move(version);
  return r;
}

TEST(StoreBaselineStoreTest, VersionsPreviousVersionsAndPins) {
  TestStore t;
  auto opened = t.Open();
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::shared_ptr<Store> store = std::move(*opened);

  StoreBaselineStore v1(store, Checkout("1.0"));
  StoreBaselineStore v2(store, Checkout("2.0"));
  StoreBaselineStore v3(store, Checkout("3.0"));
  EXPECT_EQ(v1.LoadVersionBaseline().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(v1.LoadPreviousVersionBaseline().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(v1.LoadPinned().status().code(), StatusCode::kNotFound);

  const Profile first = OneFunction("from_v1", kBaseTime - 7'200'000'000'000);
  const Profile second = OneFunction("from_v2", kBaseTime - 3'600'000'000'000);
  ASSERT_TRUE(v1.SaveVersionBaseline(first).ok());
  ASSERT_TRUE(v2.SaveVersionBaseline(second).ok());
  EXPECT_EQ(*v1.LoadVersionBaseline(), first);
  EXPECT_EQ(*v2.LoadVersionBaseline(), second);
  EXPECT_EQ(*v3.LoadPreviousVersionBaseline(), second) << "the newest other version's";
  EXPECT_EQ(*v2.LoadPreviousVersionBaseline(), first) << "never its own";
  // Made once: a second save of a version keeps the first.
  ASSERT_TRUE(v1.SaveVersionBaseline(OneFunction("again", kBaseTime)).ok());
  EXPECT_EQ(*v1.LoadVersionBaseline(), first);

  const Profile pin_a = OneFunction("pin_a", kBaseTime);
  const Profile pin_b = OneFunction("pin_b", kBaseTime - 86'400'000'000'000);  // older profile
  ASSERT_TRUE(v1.SavePinned(pin_a).ok());
  ASSERT_TRUE(v3.SavePinned(pin_b).ok());
  EXPECT_EQ(*v2.LoadPinned(), pin_b) << "the newest pin, whatever its profile's time";
  EXPECT_EQ(*v3.LoadPreviousVersionBaseline(), second) << "pins are not version baselines";

  auto pinned = store->ListProfiles({.service = "checkout", .pinned_only = true});
  ASSERT_TRUE(pinned.ok());
  EXPECT_EQ(pinned->size(), 4u);  // two versions, two pins
  for (const StoredProfileInfo& info : *pinned) EXPECT_TRUE(info.pinned) << info.profile_id;
  auto version = store->ListProfiles({.profile_id = "baseline@2.0"});
  ASSERT_TRUE(version.ok());
  ASSERT_EQ(version->size(), 1u);
  EXPECT_EQ((*version)[0].version, "2.0");
  EXPECT_EQ((*version)[0].kind, "CPU");

  StoreBaselineStore other(store, Resource{.service_name = "other", .service_version = "1.0"});
  EXPECT_EQ(other.LoadPreviousVersionBaseline().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(other.LoadPinned().status().code(), StatusCode::kNotFound);
  EXPECT_NE(v2.description().find(t.path()), std::string::npos) << v2.description();
}

}  // namespace
}  // namespace tai
