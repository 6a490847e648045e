// DeliveryOptions and DeliveryStats: how an exporter holds its requests
// while the backend is slow or unreachable, and what it did with them.
//
// Every request an exporter makes (a batch of spans, log entries or metric
// points, already encoded) goes through an ordered queue with one sender
// thread. The queue keeps up to `memory_bytes` in memory; beyond that the
// oldest requests move to files in `spill_directory` (up to `spill_bytes`),
// and the sender replays them in order when the backend answers again.
// Only a request that fits neither is dropped, and it is counted. What is
// still queued at shutdown is written to the spill directory and sent by
// the next process that opens it, so a restart during an outage loses
// nothing either. Requests on disk hold no credentials: the token is added
// when a request is sent.
//
// Value types.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace tai {

struct DeliveryOptions {
  size_t memory_bytes = 8 << 20;
  // Empty: memory only. One exporter per directory: a second process that
  // finds the directory locked runs memory-only and says so in spill_error
  // (Observability logs it once and reports it on /healthz).
  std::string spill_directory;
  uint64_t spill_bytes = 256ull << 20;
  // Waits between attempts while the backend fails: exponential from
  // initial_backoff to max_backoff with jitter, never shorter than the
  // server's Retry-After. A request is retried until it is delivered or
  // rejected (a 4xx other than 401, 403, 408 and 429); an outage holds the
  // queue rather than dropping.
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
};

struct DeliveryStats {
  uint64_t queued = 0;     // requests given to the queue
  uint64_t delivered = 0;  // answered 2xx
  uint64_t rejected = 0;   // answered with an error that retrying cannot fix
  uint64_t dropped = 0;    // did not fit in memory nor on disk
  uint64_t dropped_bytes = 0;
  uint64_t attempts_failed = 0;  // retryable failures (each attempt)
  uint64_t spilled = 0;          // requests written to the spill directory
  uint64_t replayed = 0;         // requests read back from it
  size_t memory_requests = 0;
  size_t memory_bytes = 0;  // now
  size_t peak_memory_bytes = 0;
  size_t disk_requests = 0;
  uint64_t disk_bytes = 0;
  bool backend_down = false;  // the last attempt failed with a retryable error
  std::string last_error;     // the latest failure or rejection, "" when none
  // Why the latest request was lost (dropped or rejected). Unlike last_error,
  // later retryable failures do not overwrite it. "" when none was lost.
  std::string last_loss_error;
  // Why the queue runs memory-only though a spill directory was asked for
  // (it cannot be made, another process holds it); "" otherwise.
  std::string spill_error;
};

}  // namespace tai
