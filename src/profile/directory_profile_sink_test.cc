#include "tai/profile/directory_profile_sink.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "analysis/synthetic_profile_testing.h"
#include "core/temp_dir_testing.h"
#include "tai/profile/pprof.h"

namespace tai {
namespace {

namespace fs = std::filesystem;

class DirectoryProfileSinkTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(root_.empty()); }
  // Distinct profiles of about the same size.
  UploadedProfile Make(int i) {
    return UploadedProfile{"cpu-" + std::to_string(100 + i),
                           ProfileKind::kCpu,
                           analysis_testing::SampleProfile(analysis_testing::ServiceWorkload(),
                                                           static_cast<uint64_t>(i)),
                           {}};
  }
  testing::TempDir dir_;
  const std::string& root_ = dir_.path();
};

TEST_F(DirectoryProfileSinkTest, WritesReadablePprofFilesNamedByIdAndKind) {
  auto sink = DirectoryProfileSink::Create({.directory = root_ + "/a/b"});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  std::vector<UploadedProfile> batch = {Make(1), Make(2)};
  batch[1].id = "heap/../x y";
  batch[1].kind = ProfileKind::kHeap;
  ASSERT_TRUE((*sink)->Export(batch, Resource{}).ok());
  std::vector<std::string> files = (*sink)->Files();
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"cpu-101.cpu.pb.gz", "heap_.._x_y.heap.pb.gz"}));
  Result<Profile> back = ReadPprofFile(root_ + "/a/b/cpu-101.cpu.pb.gz");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->samples.size(), batch[0].profile.samples.size());
  // The same id again replaces its file: delivery is idempotent.
  ASSERT_TRUE((*sink)->Export(std::span(batch).first(1), Resource{}).ok());
  EXPECT_EQ((*sink)->Files().size(), 2u);
  EXPECT_EQ((*sink)->stats().files_written, 3u);
  for (const auto& e : fs::directory_iterator(root_ + "/a/b")) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos);  // no leftovers
  }
}

TEST_F(DirectoryProfileSinkTest, RotatesOldestFirstToStayUnderTheBound) {
  auto probe = DirectoryProfileSink::Create({.directory = root_ + "/probe"});
  ASSERT_TRUE(probe.ok());
  ASSERT_TRUE((*probe)->Export(std::vector<UploadedProfile>{Make(0)}, Resource{}).ok());
  const uint64_t size = (*probe)->stats().bytes_written;
  ASSERT_GT(size, 100u);
  // Room for three files and a half.
  auto sink =
      DirectoryProfileSink::Create({.directory = root_ + "/r", .max_total_bytes = size * 7 / 2});
  ASSERT_TRUE(sink.ok());
  for (int i = 1; i <= 6; ++i) {
    ASSERT_TRUE((*sink)->Export(std::vector<UploadedProfile>{Make(i)}, Resource{}).ok());
  }
  EXPECT_EQ((*sink)->Files(), (std::vector<std::string>{"cpu-104.cpu.pb.gz", "cpu-105.cpu.pb.gz",
                                                        "cpu-106.cpu.pb.gz"}));
  DirectoryProfileSinkStats s = (*sink)->stats();
  EXPECT_EQ(s.files_written, 6u);
  EXPECT_EQ(s.files_deleted, 3u);
  EXPECT_GT(s.bytes_deleted, 2 * size);
  // A bound smaller than one file keeps the newest file.
  auto tiny = DirectoryProfileSink::Create({.directory = root_ + "/t", .max_total_bytes = 1});
  ASSERT_TRUE((*tiny)->Export(std::vector<UploadedProfile>{Make(1), Make(2)}, Resource{}).ok());
  EXPECT_EQ((*tiny)->Files().size(), 1u);
}

TEST_F(DirectoryProfileSinkTest, BadDirectoryIsAClearError) {
  std::ofstream(root_ + "/file") << "x";
  auto sink = DirectoryProfileSink::Create({.directory = root_ + "/file/sub"});
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.status().message().find(root_ + "/file/sub"), std::string::npos);
  EXPECT_EQ(DirectoryProfileSink::Create({}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tai
