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
int WalkStackFromContext(const void* ucontext, uint64_t* out, int max, bool* truncated);

// The same from the caller of this function (for tests and on-demand dumps).
int WalkStackHere(uint64_t* out, int max, bool* truncated);

// True when [address, address + size) can be read. Async-signal-safe.
bool IsReadable(uint64_t address, uint64_t size);

}  // namespace tai::internal
