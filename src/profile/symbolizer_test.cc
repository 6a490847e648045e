#include "profile/symbolizer.h"

#include <gtest/gtest.h>

#include "profile/stack_walk.h"

namespace tai_symbolizer_test {
// Externally visible and mangled, so the symbol table has it under its C++ name.
__attribute__((noinline)) int Target(int x) {
  asm volatile("" ::: "memory");
  return x * 3 + 1;
}
const int kTargetLine = __LINE__ - 5;  // the line "int Target(int x) {" is on
__attribute__((noinline)) int WalkInto(uint64_t* out, int max, bool* truncated) {
  int n = tai::internal::WalkStackHere(out, max, truncated);
  asm volatile("" ::: "memory");
  return n;
}
__attribute__((noinline)) int Outer(uint64_t* out, int max, bool* truncated) {
  int n = WalkInto(out, max, truncated);
  asm volatile("" ::: "memory");
  return n;
}
}  // namespace tai_symbolizer_test

namespace tai::internal {
namespace {

TEST(SymbolizerTest, DemanglesCppNamesAndKeepsOthers) {
  EXPECT_EQ(Demangle("_ZN2db5Query3RunEi"), "db::Query::Run(int)");
  EXPECT_EQ(Demangle("main"), "main");
  EXPECT_EQ(Demangle("_Znot a name"), "_Znot a name");
  // GCC's clones count as the function they were cloned from.
  EXPECT_EQ(Demangle("tai_burn_alpha.constprop.0.isra.0"), "tai_burn_alpha");
  EXPECT_EQ(Demangle("_ZN2db5Query3RunEi.isra.0"), "db::Query::Run(int)");
  EXPECT_EQ(Demangle("compute.cold"), "compute");
}

TEST(SymbolizerTest, ParsesExecutableFileMappings) {
  std::string maps =
      "55d0c0000000-55d0c0001000 r--p 00000000 08:01 123 /usr/bin/app\n"
      "55d0c0001000-55d0c0005000 r-xp 00001000 08:01 123 /usr/bin/app\n"
      "7f0000000000-7f0000021000 rw-p 00000000 00:00 0 \n"
      "7f1000000000-7f1000100000 r-xp 00028000 08:01 456 /lib/x86_64-linux-gnu/libc.so.6\n"
      "7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]\n";
  std::vector<Module> m = Symbolizer::ParseMaps(maps);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].path, "/usr/bin/app");
  EXPECT_EQ(m[0].start, 0x55d0c0001000u);
  EXPECT_EQ(m[0].limit, 0x55d0c0005000u);
  EXPECT_EQ(m[0].file_offset, 0x1000u);
  EXPECT_EQ(m[1].path, "/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(m[2].path, "[vdso]");
}

TEST(SymbolizerTest, ResolvesOurFunctionsAndLibc) {
  Symbolizer s;
  auto target = reinterpret_cast<uint64_t>(&tai_symbolizer_test::Target);
  const Symbolized& a = s.Resolve(target + 2);
  EXPECT_EQ(a.name, "tai_symbolizer_test::Target(int)");
  EXPECT_EQ(a.system_name, "_ZN19tai_symbolizer_test6TargetEi");
  ASSERT_GE(a.module, 0);
  const Module& exe = s.modules()[a.module];
  EXPECT_NE(exe.path.find("tai_profile_tests"), std::string::npos) << exe.path;
  EXPECT_FALSE(exe.build_id.empty());
  EXPECT_EQ(exe.build_id.size() % 2, 0u);
  // This file is compiled with -g: file and line come from its DWARF.
  EXPECT_NE(a.file.find("symbolizer_test.cc"), std::string::npos) << a.file;
  EXPECT_GE(a.line, tai_symbolizer_test::kTargetLine);
  EXPECT_LE(a.line, tai_symbolizer_test::kTargetLine + 3);

  // A libc function, through its own ELF file.
  auto memchr_addr = reinterpret_cast<uint64_t>(&::getpid);
  const Symbolized& b = s.Resolve(memchr_addr);
  ASSERT_GE(b.module, 0);
  EXPECT_NE(s.modules()[b.module].path.find("libc"), std::string::npos);
  EXPECT_NE(b.name.find("getpid"), std::string::npos) << b.name;
}

TEST(SymbolizerTest, FramePointerWalkFindsTheCallers) {
  uint64_t frames[32];
  bool truncated = true;
  int n = tai_symbolizer_test::Outer(frames, 32, &truncated);
  ASSERT_GE(n, 3);
  EXPECT_FALSE(truncated);
  Symbolizer s;
  EXPECT_EQ(s.Resolve(frames[0]).name, "tai_symbolizer_test::WalkInto(unsigned long*, int, bool*)");
  EXPECT_EQ(s.Resolve(frames[1]).name, "tai_symbolizer_test::Outer(unsigned long*, int, bool*)");
  // And a depth limit cuts the walk and says so.
  int cut = tai_symbolizer_test::Outer(frames, 2, &truncated);
  EXPECT_EQ(cut, 2);
  EXPECT_TRUE(truncated);
}

TEST(SymbolizerTest, ReadabilityProbe) {
  int local = 0;
  EXPECT_TRUE(IsReadable(reinterpret_cast<uint64_t>(&local), sizeof local));
  EXPECT_FALSE(IsReadable(8, 8));
  EXPECT_FALSE(IsReadable(0x10000, 8));  // below the lowest mappable address
  EXPECT_FALSE(IsReadable(0xffff800000000000ull, 8));
}

}  // namespace
}  // namespace tai::internal

namespace tai::internal {
namespace {

TEST(StackWalkTest, RecognisesCallInstructionsBeforeAReturnAddress) {
  // Each row: 8 bytes ending in a call, then the byte the call returns to.
  const uint8_t rows[][9] = {
      {0x90, 0x90, 0x90, 0xe8, 1, 2, 3, 4, 0xc3},              // call rel32
      {0x90, 0x90, 0xff, 0x15, 1, 2, 3, 4, 0xc3},              // call *rel32(%rip)
      {0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0xff, 0xd0, 0xc3},  // call *%rax
      {0x90, 0x90, 0x90, 0x90, 0x90, 0xff, 0x14, 0xc4, 0xc3},  // call *(%rsp,%rax,8)
      {0x90, 0x90, 0x90, 0x90, 0xff, 0x54, 0xc4, 0x10, 0xc3},  // call *0x10(%rsp,%rax,8)
      {0x90, 0x90, 0x90, 0x90, 0x90, 0xff, 0x50, 0x08, 0xc3},  // call *0x8(%rax)
  };
  for (const auto& row : rows) {
    EXPECT_TRUE(FollowsCall(reinterpret_cast<uint64_t>(&row[8]))) << int(row[6]);
  }
  const uint8_t not_call[9] = {0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0xc3};
  EXPECT_FALSE(FollowsCall(reinterpret_cast<uint64_t>(&not_call[8])));
  EXPECT_FALSE(FollowsCall(16));
}

}  // namespace
}  // namespace tai::internal
