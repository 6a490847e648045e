// Internal: the ordered outbox between an exporter and its backend (see
// tai/export/delivery_options.h for what users see). Exporters encode a batch into
// a request and Push it, which never waits on the network; one sender
// thread delivers requests strictly in the order they were pushed,
// retrying the oldest until the backend takes or rejects it. Requests that
// do not fit in memory move, oldest first, to a DiskSpool; sequence numbers
// keep memory and disk in one order.
//
// Memory holds at most DeliveryOptions::memory_bytes of queued requests,
// plus the one being sent.
//
// Thread-safe. Shutdown (or the destructor) stops the sender; whatever was
// not delivered by then is written to the spool, or counted as dropped when
// there is none.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "export/delivery/disk_spool.h"
#include "tai/core/status.h"
#include "tai/export/delivery_options.h"

namespace tai::internal {

// What one attempt at sending a request came to.
struct DeliveryAttempt {
  enum Outcome { kDelivered, kRetry, kRejected };
  Outcome outcome = kDelivered;
  std::chrono::milliseconds retry_after{0};  // the server's wish, when it said
  std::string error;                         // for kRetry and kRejected
};

// Makes one attempt; called on the sender thread only.
using DeliverFunction =
    std::function<DeliveryAttempt(const std::string& url, const std::string& body)>;

class DeliveryQueue {
 public:
  // `name` appears in errors ("cloud-trace"). A spool that cannot be opened
  // leaves the queue memory-only, with the reason in stats().last_error.
  DeliveryQueue(std::string name, DeliveryOptions options, DeliverFunction deliver);
  ~DeliveryQueue();
  DeliveryQueue(const DeliveryQueue&) = delete;
  DeliveryQueue& operator=(const DeliveryQueue&) = delete;

  // Queues a request; false when it was dropped (counted).
  bool Push(std::string url, std::string body);
  // Waits until every request pushed so far is delivered or rejected;
  // DEADLINE_EXCEEDED with what is left when `timeout` passes first.
  Status Flush(std::chrono::milliseconds timeout);
  // Flushes within `deadline`, then stops the sender and moves what is left
  // to the spool. Idempotent.
  void Shutdown(std::chrono::milliseconds deadline);
  DeliveryStats stats() const;

 private:
  struct Request {
    uint64_t sequence = 0;
    std::string url;
    std::string body;
    bool on_disk = false;  // read back from the spool; its file goes once delivered
    size_t size() const { return url.size() + body.size(); }
  };

  void SenderLoop();
  // The oldest request, from memory or disk; nullopt when there is none.
  std::optional<Request> TakeOldestLocked();
  void MakeRoomLocked(size_t incoming);
  void FinishLocked(const Request& r, const DeliveryAttempt& a);
  // Writes `r` to the spool; false when it had to be dropped (counted).
  bool PersistLocked(Request r);
  // Counts `r` as dropped and keeps `why` as the last loss. last_error is the
  // caller's: a drop for lack of memory is a consequence of the outage it
  // already names.
  void CountDropLocked(const Request& r, const std::string& why);
  std::chrono::milliseconds NextBackoff();
  bool EmptyLocked() const;

  const std::string name_;
  const DeliveryOptions options_;
  const DeliverFunction deliver_;
  std::unique_ptr<DiskSpool> spool_;

  mutable std::mutex mu_;
  std::condition_variable wake_;     // the sender: work arrived or stop
  std::condition_variable drained_;  // Flush: a request finished
  std::deque<Request> memory_;
  bool in_flight_ = false;
  bool shutting_down_ = false;  // Shutdown was called
  bool stopping_ = false;       // the sender is told to stop
  bool stopped_ = false;        // the sender is gone
  uint64_t next_sequence_ = 1;
  std::chrono::milliseconds backoff_{0};
  DeliveryStats stats_;
  std::thread sender_;
};

}  // namespace tai::internal
