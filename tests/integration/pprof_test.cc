// Our pprof files read by the real `go tool pprof` (Debian golang-go): its
// -top shows the hot functions HotPaths finds, -raw shows our mappings with
// their build ids, and its re-encoding (-proto) reads back with our decoder.
#include "tai/profile/pprof.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "profile/workload_testing.h"
#include "tai/profile/cpu_profiler.h"
#include "tests/integration/child_process.h"

namespace tai {
namespace {

using testing::RunWithInput;
using testing::TempDir;

constexpr const char* kGo = "/usr/bin/go";

// A bounded busy loop: 60% in alpha, 40% in beta, 1.5 s of CPU at 1000 Hz.
Profile ProfileWorkload() {
  CpuProfiler profiler;
  EXPECT_TRUE(profiler.Start({.hz = 1000}).ok());
  int64_t start = profile_testing::ThreadCpuNanos();
  while (profile_testing::ThreadCpuNanos() - start < 1'500'000'000) {
    tai_burn_alpha(75'000);
    tai_burn_beta(50'000);
  }
  Result<Profile> p = profiler.Stop();
  EXPECT_TRUE(p.ok());
  return p.ok() ? *p : Profile{};
}

int Go(const std::vector<std::string>& args, std::string* out) {
  std::vector<std::string> argv = {kGo, "tool", "pprof"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunWithInput(argv, "", out);
}

class PprofIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kGo, X_OK) != 0) GTEST_SKIP() << "golang-go is not installed (./scripts/setup)";
    // go wants a writable cache and home; keep both in the temp dir.
    setenv("HOME", dir_.path().c_str(), 1);
    setenv("GOCACHE", (dir_.path() + "/gocache").c_str(), 1);
    setenv("PPROF_TMPDIR", dir_.path().c_str(), 1);
  }
  TempDir dir_;
};

TEST_F(PprofIntegrationTest, GoToolPprofShowsTheSameHotFunctions) {
  Profile profile = ProfileWorkload();
  std::vector<HotPath> hot = profile.HotPaths(2);
  ASSERT_EQ(hot.size(), 2u);
#if !defined(__SANITIZE_THREAD__)  // TSan displaces sampled pcs (it defers signals)
  ASSERT_EQ(hot[0].function, "tai_burn_alpha");
  ASSERT_EQ(hot[1].function, "tai_burn_beta");
#endif
  std::string path = dir_.path() + "/cpu.pb.gz";
  ASSERT_TRUE(WritePprofFile(profile, path).ok());

  std::string out;
  ASSERT_EQ(Go({"-top", "-nodecount=10", "-symbolize=none", path}, &out), 0) << out;
  // Rows: flat flat% sum% cum cum% name, e.g. "   900ms 60.00% 60.00%   900ms 60.00%
  // tai_burn_alpha".
  std::regex row(
      R"(^\s*([0-9.]+)(ms|s)\s+([0-9.]+)%\s+[0-9.]+%\s+[0-9.]+(?:ms|s)\s+[0-9.]+%\s+(\S.*)$)");
  std::vector<std::pair<std::string, double>> rows;  // function, flat ms
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, row)) {
      double v = std::stod(m[1]) * (m[2] == "s" ? 1000.0 : 1.0);
      rows.emplace_back(m[4], v);
    }
  }
  ASSERT_GE(rows.size(), 2u) << out;
  EXPECT_EQ(rows[0].first, hot[0].function) << out;
  EXPECT_EQ(rows[1].first, hot[1].function) << out;
  // Same amounts as HotPaths (pprof prints 3 significant digits).
  EXPECT_NEAR(rows[0].second, hot[0].cpu_micros / 1000.0, hot[0].cpu_micros / 1000.0 * 0.01 + 1);
  EXPECT_NEAR(rows[1].second, hot[1].cpu_micros / 1000.0, hot[1].cpu_micros / 1000.0 * 0.01 + 1);
  EXPECT_NE(out.find("Type: cpu"), std::string::npos) << out;
}

TEST_F(PprofIntegrationTest, RawOutputListsMappingsWithBuildIds) {
  Profile profile = ProfileWorkload();
  std::string path = dir_.path() + "/cpu.pb.gz";
  ASSERT_TRUE(WritePprofFile(profile, path).ok());
  std::string out;
  ASSERT_EQ(Go({"-raw", "-symbolize=none", path}, &out), 0) << out;
  std::string exe;
  for (const ProfileMapping& m : profile.mappings) {
    if (m.filename.find("pprof_integration_test") != std::string::npos) exe = m.build_id;
  }
  ASSERT_FALSE(exe.empty());
  EXPECT_NE(out.find(exe), std::string::npos) << out;
  EXPECT_NE(out.find("tai_burn_alpha"), std::string::npos);
}

TEST_F(PprofIntegrationTest, OurDecoderReadsGoToolPprofsReEncoding) {
  Profile profile = ProfileWorkload();
  std::string in = dir_.path() + "/cpu.pb.gz", out_path = dir_.path() + "/again.pb.gz";
  ASSERT_TRUE(WritePprofFile(profile, in).ok());
  std::string out;
  ASSERT_EQ(Go({"-proto", "-symbolize=none", "-output", out_path, in}, &out), 0) << out;
  Result<Profile> back = ReadPprofFile(out_path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->sample_types, profile.sample_types);
  EXPECT_EQ(back->period, profile.period);
  EXPECT_EQ(back->TotalValue(), profile.TotalValue());
  EXPECT_EQ(back->HotPaths(5), profile.HotPaths(5));
  EXPECT_EQ(back->HotPathsCumulative(5), profile.HotPathsCumulative(5));
}

// The CLI on the same files: taiobs top / collapse / flamegraph.
TEST_F(PprofIntegrationTest, TaiobsReadsTheProfile) {
  Profile profile = ProfileWorkload();
  std::string path = dir_.path() + "/cpu.pb.gz", svg = dir_.path() + "/cpu.svg";
  ASSERT_TRUE(WritePprofFile(profile, path).ok());
  std::string out;
  ASSERT_EQ(RunWithInput({TAI_TAIOBS_PATH, "top", "-n", "3", path}, "", &out), 0) << out;
  size_t alpha = out.find("tai_burn_alpha"), beta = out.find("tai_burn_beta");
  ASSERT_NE(alpha, std::string::npos) << out;
  ASSERT_NE(beta, std::string::npos) << out;
  EXPECT_LT(alpha, beta) << out;
  ASSERT_EQ(RunWithInput({TAI_TAIOBS_PATH, "collapse", path}, "", &out), 0) << out;
  EXPECT_NE(out.find(";tai_burn_alpha "), std::string::npos) << out;
  ASSERT_EQ(RunWithInput({TAI_TAIOBS_PATH, "flamegraph", path, "-o", svg}, "", &out), 0) << out;
  std::ifstream f(svg);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_NE(ss.str().find("data-name=\"tai_burn_alpha\""), std::string::npos);
  EXPECT_EQ(RunWithInput({TAI_TAIOBS_PATH, "top", dir_.path() + "/missing.pb.gz"}, "", &out), 1);
  // Output that cannot be written is a failure, not a silent success.
  EXPECT_EQ(RunWithInput(
                {"/bin/sh", "-c", std::string(TAI_TAIOBS_PATH) + " top '" + path + "' > /dev/full"},
                "", &out),
            1);
  EXPECT_NE(out.find("taiobs: cannot write the output: No space left on device"), std::string::npos)
      << out;
}

// `taiobs profile` on a program that knows nothing of the library: the
// preloaded shim profiles it from load to exit, CPU and heap.
TEST_F(PprofIntegrationTest, TaiobsProfileRunsAnUnmodifiedProgram) {
#if defined(TAI_SANITIZER_BUILD)
  GTEST_SKIP() << "the preload shim is not built with sanitizers";
#endif
  std::string path = dir_.path() + "/run.pb.gz", heap = dir_.path() + "/run.heap.pb.gz";
  std::string out;
  int code = RunWithInput({TAI_TAIOBS_PATH, "profile", "--hz", "1000", "--heap", "-o", path, "--",
                           TAI_BURN_PROGRAM_PATH, "3"},
                          "", &out);
  EXPECT_EQ(code, 3) << out;  // the program's own exit status
  Result<Profile> cpu = ReadPprofFile(path);
  ASSERT_TRUE(cpu.ok()) << cpu.status().ToString() << "\n" << out;
  std::vector<HotPath> hot = cpu->HotPaths(2);
  ASSERT_EQ(hot.size(), 2u) << out;
  EXPECT_EQ(hot[0].function, "burn_hot");
  EXPECT_EQ(hot[1].function, "burn_cold");
  double share = static_cast<double>(hot[0].cpu_micros) /
                 static_cast<double>(hot[0].cpu_micros + hot[1].cpu_micros);
  // The program's true split is 3:1; what a sampled profile can show of it is
  // off by the binomial error of its sample count. The kernel's tick (often
  // 250 Hz) caps the rate below the 1000 Hz asked for, so the tolerance comes
  // from the samples taken: 4.5 standard errors, not a guess.
  int64_t samples = 0;
  for (const ProfileSample& s : cpu->samples) {
    std::vector<std::string> names = cpu->StackNames(s);
    if (!names.empty() && (names.back() == "burn_hot" || names.back() == "burn_cold")) {
      samples += s.values[0];
    }
  }
  ASSERT_GE(samples, 200) << out;
  // Plus 0.05 for what is not sampling error: the true split drifts from 3:1
  // with the host's load (0.787 seen with 2,908 samples).
  EXPECT_NEAR(share, 0.75, 0.05 + 4.5 * std::sqrt(0.75 * 0.25 / static_cast<double>(samples)))
      << samples << " samples\n"
      << out;
  EXPECT_NE(out.find("burn_hot"), std::string::npos) << out;  // the summary it prints

  Result<Profile> h = ReadPprofFile(heap);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  double site = 0;
  for (const ProfileSample& s : h->samples) {
    std::vector<std::string> names = h->StackNames(s);
    if (!names.empty() && names.back() == "alloc_site") site += static_cast<double>(s.values[1]);
  }
  EXPECT_NEAR(site / (16384.0 * 65536), 1.0, 0.10);
}

// Issue 20 #8: "did it exit normally?" was said of programs that had; now
// it says what happened.
TEST_F(PprofIntegrationTest, TaiobsProfileSaysWhyThereIsNoProfile) {
#if defined(TAI_SANITIZER_BUILD)
  GTEST_SKIP() << "the preload shim is not built with sanitizers";
#endif
  std::string path = dir_.path() + "/none.pb.gz";
  std::string out;
  int code = RunWithInput(
      {TAI_TAIOBS_PATH, "profile", "-o", path, "--", "/bin/sh", "-c", "kill -9 $$"}, "", &out);
  EXPECT_EQ(code, 137) << out;
  EXPECT_NE(out.find("/bin/sh was killed by signal 9 (Killed) and wrote no profile"),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace tai
