#include "tai/profile/profile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tai/profile/profile_sink.h"

namespace tai {

void PrintTo(const HotPath& h, std::ostream* os) { *os << h.function << "=" << h.cpu_micros; }

namespace {

using ::testing::ElementsAre;

// main -> process -> database (40 ms self), main -> process (10 ms self),
// main -> render (50 ms self), and a recursive f -> f -> f (5 ms).
Profile MakeProfile() {
  Profile p;
  p.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  p.period_type = {"cpu", "nanoseconds"};
  p.period = 10'000'000;
  const char* names[] = {"main", "process", "database", "render", "f"};
  for (uint64_t i = 0; i < 5; ++i) {
    p.functions.push_back(ProfileFunction{i + 1, names[i], names[i], "", 0});
    p.locations.push_back(ProfileLocation{i + 1, 0, 0x1000 + i, {ProfileLine{i + 1, 0}}});
  }
  p.samples.push_back(ProfileSample{{3, 2, 1}, {4, 40'000'000}, {}});
  p.samples.push_back(ProfileSample{{2, 1}, {1, 10'000'000}, {}});
  p.samples.push_back(ProfileSample{{4, 1}, {5, 50'000'000}, {}});
  p.samples.push_back(ProfileSample{{5, 5, 5, 1}, {1, 5'000'000}, {}});
  return p;
}

TEST(ProfileTest, HotPathsBySelfTimeInMicroseconds) {
  Profile p = MakeProfile();
  EXPECT_THAT(p.HotPaths(3), ElementsAre(HotPath{"render", 50'000}, HotPath{"database", 40'000},
                                         HotPath{"process", 10'000}));
  EXPECT_EQ(p.HotPaths(10).size(), 4u);
  EXPECT_EQ(p.TotalValue(), 105'000'000);
}

TEST(ProfileTest, HotPathsCumulativeCountsRecursionOnce) {
  Profile p = MakeProfile();
  EXPECT_THAT(p.HotPathsCumulative(4),
              ElementsAre(HotPath{"main", 105'000}, HotPath{"process", 50'000},
                          HotPath{"render", 50'000}, HotPath{"database", 40'000}));
  auto all = p.HotPathsCumulative(10);
  EXPECT_EQ(all.back(), (HotPath{"f", 5'000}));
}

TEST(ProfileTest, DefaultSampleTypeSelectsTheValue) {
  Profile p = MakeProfile();
  p.default_sample_type = "samples";
  EXPECT_EQ(p.DefaultValueIndex(), 0);
  EXPECT_EQ(p.HotPaths(1)[0], (HotPath{"render", 5}));  // counts stay counts
  p.default_sample_type = "nonexistent";
  EXPECT_EQ(p.DefaultValueIndex(), 1);
  EXPECT_EQ(Profile{}.DefaultValueIndex(), -1);
  EXPECT_TRUE(Profile{}.HotPaths(5).empty());
}

TEST(ProfileTest, InlinedFramesExpandOutermostFirst) {
  Profile p = MakeProfile();
  // Location 6: "database" inlined into "process".
  p.locations.push_back(ProfileLocation{6, 0, 0x2000, {ProfileLine{3, 0}, ProfileLine{2, 0}}});
  p.samples = {ProfileSample{{6, 1}, {1, 1000}, {}}};
  EXPECT_THAT(p.StackNames(p.samples[0]), ElementsAre("main", "process", "database"));
  EXPECT_EQ(p.HotPaths(1)[0].function, "database");
}

TEST(ProfileTest, UnsymbolizedLocationsShowTheirAddress) {
  Profile p;
  p.sample_types = {{"cpu", "nanoseconds"}};
  p.locations.push_back(ProfileLocation{1, 0, 0xabc, {}});
  p.samples = {ProfileSample{{1}, {2000}, {}}};
  EXPECT_EQ(p.HotPaths(1)[0], (HotPath{"0xabc", 2}));
}

TEST(ProfileKindTest, NamesRoundTripAndUnknownNamesAreErrors) {
  for (ProfileKind kind :
       {ProfileKind::kCpu, ProfileKind::kWall, ProfileKind::kHeap, ProfileKind::kThreads}) {
    Result<ProfileKind> parsed = ParseProfileKind(ProfileKindName(kind));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_EQ(*ParseProfileKind("heap"), ProfileKind::kHeap);
  Result<ProfileKind> bad = ParseProfileKind("CONTENTION");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), testing::HasSubstr("CONTENTION"));
}

}  // namespace
}  // namespace tai
