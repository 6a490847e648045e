#include "tai/analysis/flame_graph.h"

#include <gtest/gtest.h>

#include <regex>

namespace tai {
namespace {

Profile MakeProfile() {
  Profile p;
  p.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  const char* names[] = {"main", "process", "database", "std::vector<int>::push_back", "a;b"};
  for (uint64_t i = 0; i < 5; ++i) {
    p.functions.push_back(ProfileFunction{i + 1, names[i], names[i], "", 0});
    p.locations.push_back(ProfileLocation{i + 1, 1, 0x1000 + i, {ProfileLine{i + 1, 0}}});
  }
  p.mappings.push_back(ProfileMapping{1, 0x1000, 0x2000, 0, "/usr/bin/app", "", true});
  p.samples.push_back(ProfileSample{{3, 2, 1}, {5, 50'000'000}, {}});
  p.samples.push_back(ProfileSample{{3, 2, 1}, {1, 10'000'000}, {}});  // same stack: merged
  p.samples.push_back(ProfileSample{{4, 1}, {2, 20'000'000}, {}});
  p.samples.push_back(ProfileSample{{5, 1}, {1, 10'000'000}, {}});
  p.samples.push_back(ProfileSample{{2, 1}, {0, 400}, {}});  // under a microsecond: left out
  return p;
}

TEST(FlameGraphTest, CollapsedStacksRootFirstInMicroseconds) {
  EXPECT_EQ(CollapsedStacks(MakeProfile()),
            "main;a:b 10000\n"
            "main;process;database 60000\n"
            "main;std::vector<int>::push_back 20000\n");
  EXPECT_EQ(CollapsedStacks(Profile{}), "");
}

TEST(FlameGraphTest, SvgHasOneFramePerNodeSizedByValue) {
  std::string svg = FlameGraphSvg(MakeProfile(), {.title = "cpu <test>"});
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("cpu &lt;test&gt;"), std::string::npos);
  EXPECT_NE(svg.find("<script"), std::string::npos);
  // all, main, process, database, push_back, a;b = 6 frames.
  std::regex frame(
      "<g class=\"f\" data-name=\"([^\"]*)\" data-x=\"([0-9.]+)\" data-w=\"([0-9.]+)\"");
  std::map<std::string, std::pair<double, double>> frames;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), frame); it != std::sregex_iterator();
       ++it) {
    frames[(*it)[1]] = {std::stod((*it)[2]), std::stod((*it)[3])};
  }
  ASSERT_EQ(frames.size(), 6u) << svg;
  const double total = 90'000'400;
  EXPECT_NEAR(frames["main"].second, 1.0, 1e-9);
  EXPECT_NEAR(frames["database"].second, 60'000'000 / total, 1e-6);
  EXPECT_NEAR(frames["std::vector&lt;int&gt;::push_back"].second, 20'000'000 / total, 1e-6);
  // Widest child leftmost: process starts where main does.
  EXPECT_NEAR(frames["process"].first, 0.0, 1e-9);
  // (process also has 400 ns of its own)
  EXPECT_NEAR(frames["std::vector&lt;int&gt;::push_back"].first, 60'000'400 / total, 1e-6);
  // Frames are coloured by module and carry their module in the tooltip.
  EXPECT_NE(svg.find("/usr/bin/app)</title>"), std::string::npos);
  size_t open = 0, close = 0;
  for (size_t p = 0; (p = svg.find("<g ", p)) != std::string::npos; ++p) ++open;
  for (size_t p = 0; (p = svg.find("</g>", p)) != std::string::npos; ++p) ++close;
  EXPECT_EQ(open, close);
}

TEST(FlameGraphTest, NarrowFramesAreLeftOut) {
  Profile p = MakeProfile();
  std::string svg = FlameGraphSvg(p, {.width = 200, .min_frame_px = 30});
  EXPECT_EQ(svg.find("data-name=\"a:b\""), std::string::npos);
  EXPECT_EQ(svg.find("data-name=\"a;b\""), std::string::npos);
  EXPECT_NE(svg.find("data-name=\"database\""), std::string::npos);
}

// database got 50% slower, push_back 50% faster, a;b is gone: the current
// profile sizes the frames, the change colours them.
TEST(DifferentialFlameGraphTest, ColoursByChangeAgainstTheBaseline) {
  Profile base = MakeProfile();
  base.duration_nanos = 1'000'000'000;
  Profile cur = base;
  cur.samples = {ProfileSample{{3, 2, 1}, {9, 90'000'000}, {}},
                 ProfileSample{{4, 1}, {1, 10'000'000}, {}}};
  std::string svg = DifferentialFlameGraphSvg(base, cur, {.title = "diff"});
  std::regex frame(
      "<g class=\"f\" data-name=\"([^\"]*)\"[^>]*><title>([^<]*)</title><rect "
      "[^>]*fill=\"([^\"]*)\"");
  std::map<std::string, std::pair<std::string, std::string>> frames;  // name -> title, fill
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), frame); it != std::sregex_iterator();
       ++it) {
    frames[(*it)[1]] = {(*it)[2], (*it)[3]};
  }
  ASSERT_EQ(frames.count("a:b") + frames.count("a;b"), 0u) << svg;  // not in the current profile
  ASSERT_EQ(frames.count("database"), 1u) << svg;
  EXPECT_EQ(frames["database"].second, "rgb(250,60,60)");  // +50%: full red
  EXPECT_NE(frames["database"].first.find("90000 us, baseline 60000 us, +50.0%"), std::string::npos)
      << frames["database"].first;
  const std::string push_back = "std::vector&lt;int&gt;::push_back";
  EXPECT_EQ(frames[push_back].second, "rgb(60,60,250)");  // -50%: full blue
  // main: 100 ms now, 90 ms then (+11%): a pale red.
  EXPECT_EQ(frames["main"].second.rfind("rgb(250,", 0), 0u);
  EXPECT_NE(frames["main"].second, "rgb(250,60,60)");

  // Twice as long a current profile at the same rates: nothing changed.
  Profile longer = base;
  longer.duration_nanos *= 2;
  for (ProfileSample& s : longer.samples) {
    for (int64_t& v : s.values) v *= 2;
  }
  std::string same = DifferentialFlameGraphSvg(base, longer);
  EXPECT_EQ(same.find("rgb(250,"), std::string::npos);
  EXPECT_EQ(same.find(",250)"), std::string::npos);
  EXPECT_NE(same.find("+0.0%"), std::string::npos);
}

// A profile from an untrusted source with one 50,000-frame stack: the graph
// draws the first max_depth frames and one truncation frame holding the
// rest, instead of recursing 50,000 deep.
TEST(FlameGraphTest, ADeepStackIsTruncatedVisibly) {
  Profile p;
  p.sample_types = {{"samples", "count"}};
  constexpr uint64_t kFrames = 50'000;
  for (uint64_t i = 1; i <= kFrames; ++i) {
    p.functions.push_back(ProfileFunction{i, "f" + std::to_string(i), "", "", 0});
    p.locations.push_back(ProfileLocation{i, 0, i, {ProfileLine{i, 0}}});
  }
  ProfileSample deep{{}, {7}, {}};
  for (uint64_t i = kFrames; i >= 1; --i) deep.location_ids.push_back(i);  // leaf first
  p.samples.push_back(deep);

  std::string svg = FlameGraphSvg(p, {.max_depth = 100});
  std::regex frame("<g class=\"f\" data-name=\"([^\"]*)\"[^>]*data-d=\"([0-9]+)\"");
  int frames = 0, deepest = 0;
  std::string last;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), frame); it != std::sregex_iterator();
       ++it) {
    ++frames;
    if (std::stoi((*it)[2]) > deepest) {
      deepest = std::stoi((*it)[2]);
      last = (*it)[1];
    }
  }
  EXPECT_EQ(frames, 102);  // all, f1..f100, the truncation frame
  EXPECT_EQ(deepest, 101);
  EXPECT_EQ(last, "[truncated: deeper than 100 frames]");
  EXPECT_NE(FlameGraphSvg(p).find("[truncated: deeper than 1024 frames]"), std::string::npos);
  EXPECT_NE(DifferentialFlameGraphSvg(p, p, {.max_depth = 10}).find("[truncated"),
            std::string::npos);
}

}  // namespace
}  // namespace tai
