#include "export/delivery/disk_spool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/temp_dir_testing.h"

namespace tai::internal {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class DiskSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(root_.path().empty()); }
  testing::TempDir root_;
  const std::string dir_ = root_.path() + "/spool";
};

TEST_F(DiskSpoolTest, RequestsComeBackInSequenceOrderAfterReopening) {
  {
    auto spool = DiskSpool::Open(dir_, 1 << 20);
    ASSERT_TRUE(spool.ok()) << spool.status().ToString();
    ASSERT_TRUE((*spool)->Write({7, "http://a/7", "seven"}).ok());
    ASSERT_TRUE((*spool)->Write({3, "http://a/3", std::string("\0three\n", 7)}).ok());
    ASSERT_TRUE((*spool)->Write({12, "http://a/12", ""}).ok());
    EXPECT_EQ((*spool)->requests(), 3u);
  }
  auto spool = DiskSpool::Open(dir_, 1 << 20);
  ASSERT_TRUE(spool.ok());
  EXPECT_EQ((*spool)->max_sequence_at_open(), 12u);
  std::vector<uint64_t> order;
  while (auto oldest = (*spool)->OldestSequence()) {
    auto r = (*spool)->Read(*oldest);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->url, "http://a/" + std::to_string(*oldest));
    if (*oldest == 3) {
      EXPECT_EQ(r->body, std::string("\0three\n", 7));
    }
    order.push_back(*oldest);
    (*spool)->Remove(*oldest);
  }
  EXPECT_EQ(order, (std::vector<uint64_t>{3, 7, 12}));
  EXPECT_EQ((*spool)->bytes(), 0u);
  EXPECT_TRUE(fs::is_empty(dir_) || fs::exists(dir_ + "/.lock"));
}

TEST_F(DiskSpoolTest, TheBudgetBoundsWhatIsWritten) {
  auto spool = DiskSpool::Open(dir_, 200);
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->Write({1, "u", std::string(100, 'x')}).ok());
  Status full = (*spool)->Write({2, "u", std::string(100, 'y')});
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(full.message(), HasSubstr("is full"));
  EXPECT_EQ((*spool)->requests(), 1u);
  EXPECT_LE((*spool)->bytes(), 200u);
}

TEST_F(DiskSpoolTest, ACorruptFileIsReportedByNameAndRemoved) {
  auto spool = DiskSpool::Open(dir_, 1 << 20);
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->Write({5, "http://x", "payload"}).ok());
  const std::string path = dir_ + "/00000000000000000005.req";
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-10, std::ios::end);
    f.put('#');
  }
  auto r = (*spool)->Read(5);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr(path));
  EXPECT_THAT(r.status().message(), HasSubstr("checksum"));
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ((*spool)->requests(), 0u);
}

TEST_F(DiskSpoolTest, OneProcessAtATimeAndCutWritesAreCleanedUp) {
  auto first = DiskSpool::Open(dir_, 1 << 20);
  ASSERT_TRUE(first.ok());
  auto second = DiskSpool::Open(dir_, 1 << 20);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr("in use by another process"));
  std::ofstream(dir_ + "/00000000000000000009.req.tmp") << "half a write";
  std::ofstream(dir_ + "/notes.txt") << "not ours";
  first->reset();
  auto reopened = DiskSpool::Open(dir_, 1 << 20);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->requests(), 0u);
  EXPECT_FALSE(fs::exists(dir_ + "/00000000000000000009.req.tmp"));
  EXPECT_TRUE(fs::exists(dir_ + "/notes.txt"));
}

TEST_F(DiskSpoolTest, ADirectoryThatCannotBeMadeIsNamed) {
  std::ofstream(root_.path() + "/file") << "x";
  auto spool = DiskSpool::Open(root_.path() + "/file/spool", 1 << 20);
  ASSERT_FALSE(spool.ok());
  EXPECT_THAT(spool.status().message(),
              HasSubstr("cannot create spill directory " + root_.path() + "/file/spool"));
}

TEST_F(DiskSpoolTest, OddEntriesNamedLikeRequestsAreSkippedNotFatal) {
  fs::create_directories(dir_ + "/00000000000000000005.req");  // a directory
  { std::ofstream(dir_ + "/00000000000000000009.req") << "not a spooled request"; }
  auto spool = DiskSpool::Open(dir_, 1 << 20);
  ASSERT_TRUE(spool.ok()) << spool.status().ToString();
  EXPECT_EQ((*spool)->requests(), 1u);  // the file; the directory is left alone
  auto bad = (*spool)->Read(9);
  EXPECT_THAT(bad.status().message(), HasSubstr("discarded"));
  EXPECT_EQ((*spool)->requests(), 0u);
  ASSERT_TRUE((*spool)->Write({10, "u", "b"}).ok());
  EXPECT_EQ((*spool)->Read(10)->body, "b");
}

TEST_F(DiskSpoolTest, AFileSwappedForALargerOneIsNotReadIntoMemory) {
  auto spool = DiskSpool::Open(dir_, 1 << 10);
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->Write({1, "u", "b"}).ok());
  { std::ofstream(dir_ + "/00000000000000000001.req") << std::string(1 << 20, 'x'); }
  auto r = (*spool)->Read(1);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("the spill budget"));
  EXPECT_EQ((*spool)->requests(), 0u);
}

}  // namespace
}  // namespace tai::internal
