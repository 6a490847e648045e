#include "profile/stack_walk.h"

#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>

namespace tai::internal {
namespace {

constexpr uint64_t kPage = 4096;
// The largest step between two frames that is taken for a real frame.
constexpr uint64_t kMaxFrameBytes = 4u << 20;

// A few pages already proven readable during this walk.
struct PageMemo {
  uint64_t pages[8] = {};
  int n = 0;
  bool Readable(uint64_t address) {
    uint64_t page = address & ~(kPage - 1);
    for (int i = 0; i < n; ++i) {
      if (pages[i] == page) return true;
    }
    if (!IsReadable(page, 8)) return false;
    pages[n % 8] = page;
    if (n < 8) ++n;
    return true;
  }
};

__attribute__((no_sanitize("address", "thread", "undefined"))) int Walk(uint64_t pc, uint64_t fp,
                                                                        uint64_t sp, uint64_t* out,
                                                                        int max, bool* truncated) {
  int n = 0;
  *truncated = false;
  if (max <= 0) return 0;
  out[n++] = pc;
  PageMemo memo;
  uint64_t low = sp;
  while (true) {
    if (fp < low || (fp & 7) != 0 || fp - low > kMaxFrameBytes) break;
    if (!memo.Readable(fp) || !memo.Readable(fp + 15)) break;
    const auto* frame = reinterpret_cast<const uint64_t*>(fp);
    uint64_t next = frame[0];
    uint64_t ret = frame[1];
    if (ret < kPage) break;
    if (n == max) {
      *truncated = true;
      break;
    }
    out[n++] = ret - 1;
    if (next <= fp) break;
    low = fp + 16;
    fp = next;
  }
  return n;
}

}  // namespace

bool IsReadable(uint64_t address, uint64_t size) {
  // The kernel copies the new mask from user memory before it validates
  // `how`, so an invalid `how` (-1) makes the call a pure read probe.
  if (address < kPage) return false;  // a null page probe would pass a null mask
  uint64_t end = address + size - 1;
  for (uint64_t page = address & ~(kPage - 1); page <= end; page += kPage) {
    int saved = errno;
    long r = syscall(SYS_rt_sigprocmask, -1, reinterpret_cast<void*>(page), nullptr, 8);
    bool fault = r == -1 && errno == EFAULT;
    errno = saved;
    if (fault) return false;
  }
  return true;
}

__attribute__((no_sanitize("address", "thread", "undefined"))) uint64_t ReadWord(uint64_t address) {
  if ((address & 7) != 0 || !IsReadable(address, 8)) return 0;
  return *reinterpret_cast<const uint64_t*>(address);
}

int WalkStackFromContext(const void* ucontext, uint64_t* out, int max, bool* truncated,
                         uint64_t* sp_word) {
#if defined(__x86_64__)
  const auto* uc = static_cast<const ucontext_t*>(ucontext);
  const greg_t* g = uc->uc_mcontext.gregs;
  *sp_word = ReadWord(static_cast<uint64_t>(g[REG_RSP]));
  return Walk(static_cast<uint64_t>(g[REG_RIP]), static_cast<uint64_t>(g[REG_RBP]),
              static_cast<uint64_t>(g[REG_RSP]), out, max, truncated);
#elif defined(__aarch64__)
  // The caller of a frameless leaf is in the link register.
  const auto* uc = static_cast<const ucontext_t*>(ucontext);
  *sp_word = uc->uc_mcontext.regs[30];
  return Walk(uc->uc_mcontext.pc, uc->uc_mcontext.regs[29], uc->uc_mcontext.sp, out, max,
              truncated);
#else
#error "the CPU profiler walks frame pointers on x86-64 and AArch64 only"
#endif
}

__attribute__((noinline)) int WalkStackHere(uint64_t* out, int max, bool* truncated) {
  auto fp = reinterpret_cast<uint64_t>(__builtin_frame_address(0));
  uint64_t pc = reinterpret_cast<uint64_t>(__builtin_return_address(0)) - 1;
  const auto* frame = reinterpret_cast<const uint64_t*>(fp);
  // Start from our caller's frame: pc is its return point into the caller.
  return Walk(pc, frame[0], fp + 16, out, max, truncated);
}

namespace {
bool CopyCode(uint64_t address, uint8_t* out, size_t n) {
  if (address < kPage || !IsReadable(address, n)) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(address);
  for (size_t i = 0; i < n; ++i) out[i] = p[i];
  return true;
}
}  // namespace

bool FrameNotSetUp(uint64_t function_start, uint64_t pc) {
#if defined(__x86_64__)
  uint8_t code[8];
  if (!CopyCode(function_start, code, sizeof code)) return false;
  uint64_t off = 0;
  if (code[0] == 0xf3 && code[1] == 0x0f && code[2] == 0x1e && code[3] == 0xfa) off = 4;  // endbr64
  bool framed =
      code[off] == 0x55 && code[off + 1] == 0x48 && code[off + 2] == 0x89 && code[off + 3] == 0xe5;
  if (!framed) return true;           // a function that never sets up a frame
  return pc <= function_start + off;  // at its entry, before push %rbp
#else
  (void)function_start;
  (void)pc;
  return false;
#endif
}

namespace {
// Length of an `ff /r` instruction from its ModRM (and SIB) byte.
int IndirectLength(uint8_t modrm, uint8_t sib) {
  int mod = modrm >> 6, rm = modrm & 7;
  if (mod == 3) return 2;
  int len = 2 + (rm == 4 ? 1 : 0);
  if (mod == 0) {
    if (rm == 5) return 6;                          // disp32(%rip)
    if (rm == 4 && (sib & 7) == 5) return len + 4;  // SIB without base: disp32
    return len;
  }
  return len + (mod == 1 ? 1 : 4);
}
}  // namespace

bool FollowsCall(uint64_t ret) {
#if defined(__x86_64__)
  uint8_t b[8];
  if (ret < kPage + 8 || !CopyCode(ret - 8, b, sizeof b)) return false;
  // b[7] is the byte just before the return address.
  if (b[3] == 0xe8) return true;  // call rel32
  // call *r/m64: ff /2, 2 to 7 bytes (a REX prefix before it changes nothing).
  for (int len = 2; len <= 7; ++len) {
    int i = 8 - len;
    if (b[i] != 0xff || ((b[i + 1] >> 3) & 7) != 2) continue;
    if (IndirectLength(b[i + 1], len >= 3 ? b[i + 2] : 0) == len) return true;
  }
  return false;
#else
  (void)ret;
  return true;
#endif
}

}  // namespace tai::internal
