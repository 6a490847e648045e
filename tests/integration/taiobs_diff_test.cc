// `taiobs diff` as a CI job runs it: the table (checked against a golden
// file), several runs a side, the unit used, the differential SVG, and the
// exit codes 0 (no regression at or above --fail-on), 1 (one is) and 2 (bad
// usage or input, with a message naming what was wrong).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "analysis/synthetic_profile_testing.h"
#include "tai/analysis/regression.h"
#include "tai/profile/pprof.h"
#include "tests/integration/child_process.h"

namespace tai {
namespace {

using analysis_testing::ExactProfile;
using analysis_testing::JobRunProfile;
using analysis_testing::Slowed;
using analysis_testing::WorkloadFunction;
using testing::RunWithInput;
using testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class TaiobsDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One minute at 100 Hz: database_query +25% (HIGH), parse_body -22%,
    // validate +5% (noise), cache_lookup gone, new_feature new, tiny untested.
    Profile base = ExactProfile({{"database_query", 2400},
                                 {"serialize", 1200},
                                 {"parse_body", 900},
                                 {"validate", 600},
                                 {"log_write", 600},
                                 {"cache_lookup", 300},
                                 {"tiny", 10}});
    Profile cur = ExactProfile({{"database_query", 3000},
                                {"serialize", 1200},
                                {"parse_body", 700},
                                {"validate", 630},
                                {"log_write", 600},
                                {"new_feature", 300},
                                {"tiny", 20}});
    ASSERT_TRUE(WritePprofFile(base, base_).ok());
    ASSERT_TRUE(WritePprofFile(cur, cur_).ok());
  }

  int Diff(std::vector<std::string> args, std::string* out) {
    args.insert(args.begin(), {TAI_TAIOBS_PATH, "diff"});
    return RunWithInput(args, "", out);
  }

  TempDir dir_;
  std::string base_ = dir_.path() + "/base.pb.gz";
  std::string cur_ = dir_.path() + "/cur.pb.gz";
};

TEST_F(TaiobsDiffTest, PrintsTheGoldenTableAndFailsOnTheRegression) {
  std::string out;
  EXPECT_EQ(Diff({base_, cur_}, &out), 1);
  EXPECT_EQ(out, ReadFile(std::string(TAI_GOLDEN_DIR) + "/taiobs_diff.txt")) << out;
}

TEST_F(TaiobsDiffTest, FailOnChoosesTheSeverityThatFails) {
  std::string out;
  EXPECT_EQ(Diff({base_, cur_, "--fail-on", "high"}, &out), 1);
  EXPECT_EQ(Diff({base_, cur_, "--fail-on", "CRITICAL"}, &out), 0);
  EXPECT_EQ(Diff({base_, cur_, "--threshold", "30"}, &out), 0) << out;  // +25% is below 30
  EXPECT_NE(out.find("regressions: 0,"), std::string::npos) << out;
  EXPECT_EQ(Diff({base_, base_}, &out), 0);
  EXPECT_EQ(Diff({cur_, base_}, &out), 1);  // backwards: new_feature removed, cache_lookup new...
}

TEST_F(TaiobsDiffTest, WritesTheDifferentialFlameGraph) {
  std::string out, svg = dir_.path() + "/diff.svg";
  EXPECT_EQ(Diff({base_, cur_, "--svg", svg, "--fail-on", "critical"}, &out), 0) << out;
  std::string text = ReadFile(svg);
  EXPECT_EQ(text.rfind("<?xml", 0), 0u);
  EXPECT_NE(text.find("data-name=\"database_query\""), std::string::npos);
  EXPECT_NE(text.find("+25.0%"), std::string::npos);
}

TEST_F(TaiobsDiffTest, BadUsageAndInputExitTwoNamingTheProblem) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {{base_}, "needs a baseline and a current pprof file"},
      {{base_, cur_, "--threshold", "ten"}, "--threshold needs a number, not 'ten'"},
      {{base_, cur_, "--fail-on", "severe"}, "unknown severity 'severe'"},
      {{base_, cur_, "--normalize", "fast"}, "--normalize is run, rate, share or work, not 'fast'"},
      {{base_, cur_, base_}, "one baseline and one current file, not a third"},
      {{base_, "--current", cur_}, "give the profiles as BASE CUR or with --base and --current"},
      {{"--base", base_, base_}, "needs a baseline and a current pprof file"},
      {{"--base", base_, base_, "--current", cur_, "--svg", "x.svg"},
       "--svg draws one baseline and one current profile"},
      {{base_, cur_, "--base-work", "12,x"}, "--base-work needs numbers separated by commas"},
      {{base_, cur_, "--normalize", "work", "--base-work", "10", "--current-work", "-1"},
       "current_work must hold finite counts > 0"},
      {{base_, cur_, "--normalize", "work", "--base-work", "10"},
       "current_work 0 for 1 profile(s)"},
      {{base_, cur_, "--confidence", "2"}, "confidence must be in (0, 1)"},
      {{base_, cur_, "--bogus", "1"}, "unknown option '--bogus'"},
      {{base_, dir_.path() + "/missing.pb.gz"}, "cannot open '" + dir_.path() + "/missing.pb.gz'"},
  };
  for (const Case& c : cases) {
    std::string out;
    EXPECT_EQ(Diff(c.args, &out), 2) << out;
    EXPECT_NE(out.find(c.message), std::string::npos) << out;
  }
  Profile heap = ExactProfile({{"database_query", 10}});
  heap.sample_types = {{"inuse_space", "bytes"}};
  for (ProfileSample& s : heap.samples) s.values = {s.values[0] * 4096};
  std::string heap_path = dir_.path() + "/heap.pb.gz";
  ASSERT_TRUE(WritePprofFile(heap, heap_path).ok());
  std::string mixed;
  EXPECT_EQ(Diff({base_, heap_path}, &mixed), 2);
  EXPECT_NE(mixed.find("baseline cpu/nanoseconds, current inuse_space/bytes"), std::string::npos)
      << mixed;
  std::string garbage = dir_.path() + "/garbage.pb.gz";
  std::ofstream(garbage) << "not a profile";
  std::string out;
  EXPECT_EQ(Diff({base_, garbage}, &out), 2);
  EXPECT_NE(out.find(garbage), std::string::npos) << out;
}

// A fixed 4 s job at 100 Hz, `hot` half of it, made 25% slower: five runs
// a side, given with --base and --current, catch it per run.
TEST_F(TaiobsDiffTest, SeveralRunsASideAreComparedPerRun) {
  const std::vector<WorkloadFunction> job = {
      {"hot", 2.0}, {"parse", 0.8}, {"encode", 0.6}, {"io", 0.4}, {"misc", 0.2}};
  std::vector<std::string> args = {"--base"};
  for (int i = 0; i < 5; ++i) {
    std::string b = dir_.path() + "/b" + std::to_string(i) + ".pb.gz";
    ASSERT_TRUE(WritePprofFile(JobRunProfile(job, 10 + i, 100, 0.03), b).ok());
    args.push_back(b);
  }
  std::vector<std::string> unchanged = args, slower = args;
  unchanged.push_back("--current");
  slower.push_back("--current");
  for (int i = 0; i < 5; ++i) {
    std::string c = dir_.path() + "/c" + std::to_string(i) + ".pb.gz";
    std::string s = dir_.path() + "/s" + std::to_string(i) + ".pb.gz";
    ASSERT_TRUE(WritePprofFile(JobRunProfile(job, 20 + i, 100, 0.03), c).ok());
    ASSERT_TRUE(WritePprofFile(JobRunProfile(Slowed(job, "hot", 1.25), 30 + i, 100, 0.03), s).ok());
    unchanged.push_back(c);
    slower.push_back(s);
  }
  std::string out;
  EXPECT_EQ(Diff(slower, &out), 1) << out;
  EXPECT_NE(out.find("Compared by CPU per run, self cost; threshold 10.0%, confidence 0.99"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("samples in 5 profiles)"), std::string::npos) << out;
  size_t hot = out.find("\nhot ");
  ASSERT_NE(hot, std::string::npos) << out;
  EXPECT_NE(out.substr(hot, out.find('\n', hot + 1) - hot).find("REGRESSION"), std::string::npos)
      << out;
  EXPECT_NE(out.find("regressions: 1,"), std::string::npos) << out;
  EXPECT_EQ(Diff(unchanged, &out), 0) << out;
  EXPECT_NE(out.find("regressions: 0,"), std::string::npos) << out;
  // Per second of wall time the same runs read a diluted change.
  slower.insert(slower.end(), {"--normalize", "rate"});
  EXPECT_NE(Diff(slower, &out), 2) << out;
  EXPECT_NE(out.find("Compared by CPU per second of wall time"), std::string::npos) << out;
}

// --normalize work with each profile's request count: twice the traffic
// (twice the CPU, twice the requests) is no regression.
TEST_F(TaiobsDiffTest, PerWorkUsesTheGivenCounts) {
  std::string twice = dir_.path() + "/twice.pb.gz";
  ASSERT_TRUE(WritePprofFile(ExactProfile({{"database_query", 4800},
                                           {"serialize", 2400},
                                           {"parse_body", 1800},
                                           {"validate", 1200},
                                           {"log_write", 1200},
                                           {"cache_lookup", 600},
                                           {"tiny", 20}}),
                             twice)
                  .ok());
  std::string out;
  EXPECT_EQ(
      Diff({base_, twice, "--normalize", "work", "--base-work", "6000", "--current-work", "12000"},
           &out),
      0)
      << out;
  EXPECT_NE(out.find("Compared by CPU per unit of work"), std::string::npos) << out;
  EXPECT_EQ(Diff({base_, twice, "--normalize", "work"}, &out), 0) << out;
  EXPECT_NE(out.find("Compared by share of total (no work counts given)"), std::string::npos)
      << out;
  EXPECT_EQ(Diff({base_, twice, "--normalize", "rate"}, &out), 1) << out;
  // Profiles that carry their work (the continuous service's windows) need no counts.
  std::string base_work = dir_.path() + "/base_work.pb.gz";
  std::string twice_work = dir_.path() + "/twice_work.pb.gz";
  Profile b = *ReadPprofFile(base_), t = *ReadPprofFile(twice);
  SetProfileWork(b, 6000);
  SetProfileWork(t, 12000);
  ASSERT_TRUE(WritePprofFile(b, base_work).ok());
  ASSERT_TRUE(WritePprofFile(t, twice_work).ok());
  EXPECT_EQ(Diff({base_work, twice_work, "--normalize", "work"}, &out), 0) << out;
  EXPECT_NE(out.find("Compared by CPU per unit of work"), std::string::npos) << out;
}

}  // namespace
}  // namespace tai
