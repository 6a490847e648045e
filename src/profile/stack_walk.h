// Internal: frame-pointer stack walking from a signal context,
// async-signal-safe. The code is built with -fno-omit-frame-pointer, so each
// frame holds [saved frame pointer, return address] at the frame pointer.
// Every step is checked: frame pointers must be aligned and grow towards the
// stack's base by a bounded amount, and each page read is first proven
// readable by a system call that only reads memory (rt_sigprocmask with an
// invalid `how`: EFAULT when unreadable, EINVAL otherwise). A frame without
// a frame pointer (libc built without them) may make the walk stop early or
// skip its caller; it never makes it fault.
#pragma once

#include <cstdint>

namespace tai::internal {

// Writes the interrupted pc, then the return addresses of the callers, each
// minus one (so that it falls inside the call instruction), up to `max`.
// Returns the count; *truncated is set when the stack went deeper.
// *sp_word receives the word at the stack pointer (0 when unreadable): when
// the sample hit a function that has not set up a frame (a leaf GCC built
// without one, or the first instruction of any function) it is the return
// address into the caller the frame chain skips; see LeafCallerFix.
int WalkStackFromContext(const void* ucontext, uint64_t* out, int max, bool* truncated,
                         uint64_t* sp_word);

// Off the signal path: whether the function starting at `function_start`
// has no frame of its own at `pc`, so that the caller's return address is
// at the stack pointer rather than behind the frame pointer. Reads the
// function's first instructions (endbr64; push %rbp; mov %rsp,%rbp).
bool FrameNotSetUp(uint64_t function_start, uint64_t pc);
// Whether `return_address` follows a call instruction (direct or indirect).
bool FollowsCall(uint64_t return_address);

// The same from the caller of this function (for tests and on-demand dumps).
int WalkStackHere(uint64_t* out, int max, bool* truncated);

// True when [address, address + size) can be read. Async-signal-safe.
bool IsReadable(uint64_t address, uint64_t size);

}  // namespace tai::internal
