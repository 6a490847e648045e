#include "tai/core/ids.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>
#include <vector>

namespace tai {
namespace {

TEST(IdsTest, HexRoundTrip) {
  TraceId t = NewTraceId();
  ASSERT_TRUE(t.valid());
  auto back = TraceId::FromHex(t.ToHex());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, t);
  SpanId s = NewSpanId();
  EXPECT_EQ(s.ToHex().size(), 16u);
  EXPECT_EQ(*SpanId::FromHex(s.ToHex()), s);
}

TEST(IdsTest, RejectsMalformedHex) {
  EXPECT_FALSE(TraceId::FromHex("abc").has_value());
  EXPECT_FALSE(TraceId::FromHex(std::string(32, 'g')).has_value());
  EXPECT_FALSE(TraceId::FromHex("4BF92F3577B34DA6A3CE929D0E0E4736").has_value());  // upper case
  EXPECT_TRUE(TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736").has_value());
  EXPECT_FALSE(TraceId::FromHex(std::string(32, '0'))->valid());
}

TEST(IdsTest, WordsAreBigEndian) {
  TraceId t = TraceId::FromWords(0x0102030405060708ULL, 0x090a0b0c0d0e0f10ULL);
  EXPECT_EQ(t.ToHex(), "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(t.high(), 0x0102030405060708ULL);
  EXPECT_EQ(SpanId::FromWord(255).ToHex(), "00000000000000ff");
}

TEST(IdsTest, NoCollisionsAcrossThreads) {
  constexpr int kThreads = 4, kPerThread = 20000;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < kPerThread; ++k) got[i].push_back(NewSpanId().word());
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint64_t> all;
  for (auto& v : got) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(IdsTest, BitsAreBalanced) {
  // Each bit of a good generator is set about half the time.
  constexpr int kN = 100000;
  int ones[64] = {};
  for (int i = 0; i < kN; ++i) {
    uint64_t v = RandomU64();
    for (int b = 0; b < 64; ++b) ones[b] += (v >> b) & 1;
  }
  for (int b = 0; b < 64; ++b) {
    EXPECT_NEAR(ones[b], kN / 2, 5 * 158) << "bit " << b;  // 5 sigma
  }
}

TEST(IdsTest, ForkedChildDoesNotRepeatParentIds) {
  (void)NewSpanId();  // make sure this thread's generator exists before fork
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    uint64_t v = NewSpanId().word();
    ssize_t n = write(fds[1], &v, sizeof v);
    _exit(n == sizeof v ? 0 : 1);
  }
  uint64_t parent = NewSpanId().word();
  uint64_t child = 0;
  ASSERT_EQ(read(fds[0], &child, sizeof child), static_cast<ssize_t>(sizeof child));
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_NE(parent, child);
  close(fds[0]);
  close(fds[1]);
}

}  // namespace
}  // namespace tai
