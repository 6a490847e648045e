// SyncAlertPolicies: makes a project's Cloud Monitoring alert policies match
// a set of policy bodies we manage (the alert policies of our alerting rules
// and SLOs, rendered by tai/alert/rule_export.h; tai/cloud_alert_policies.h
// does both steps). It lists the project's policies (alertPolicies.list,
// every page), recognises ours by userLabels, creates the missing ones,
// patches the changed ones, and leaves every other policy alone.
//
// Ours carry these userLabels (Google label text: lower case, [a-z0-9_-]):
//   tai_managed = "true"
//   tai_scope   = the options' scope (when not empty): whose set it is, so
//                 that two services in one project never touch each other's
//   tai_rule_id = the policy's key (a rule id); keys that are not label text
//                 as they are ("Api.Errors") get a hash suffix so they stay
//                 distinct
//   tai_spec    = a hash of the body we sent
// A policy is patched when the hash of the body we want differs from its
// tai_spec: a rule changed, or this library renders it differently. Edits
// made in the console to a policy whose rule did not change are kept, and
// so is `enabled` (never in the update mask).
//
// Idempotent: a second sync with the same bodies changes nothing. Two
// policies with the same key (two replicas that created at once, or a create
// retried after a lost answer) are cut back to one: the one with the
// smallest name stays, so every replica keeps the same one.
//
// A free function; calls the API from the caller's thread and returns when
// done. Thread-safe (shares nothing between calls).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "tai/core/status.h"
#include "tai/gcp/api_options.h"

namespace tai::gcp {

// One policy we want to exist.
struct ManagedAlertPolicy {
  // Stable across runs and unique in the set: the rule id.
  std::string key;
  // What errors call it: "rule 'high-error-rate'".
  std::string what;
  // The AlertPolicy as proto3 JSON (an alertPolicies.create body).
  std::string body;
  // Not OK when the body could not be made: the sync reports it under
  // `what` and leaves the existing policy of this key as it is.
  Status error;
};

struct AlertPolicySyncOptions {
  // The project, endpoints.monitoring, the token source, the per-attempt
  // timeout and the retries of each call (max_attempts, backoff): 408, 429,
  // 5xx and transport errors are retried; other answers are not.
  GcpApiOptions api;
  // Written to tai_scope and required of a policy for it to be ours.
  // Default "": policies without tai_scope.
  std::string scope;
  // Delete our policies whose key is not in the set (a rule removed).
  // Default false: a removed rule leaves its policy for a person to delete.
  bool delete_orphans = false;
  // Set to stop between calls and cut retries short (shutdown).
  const std::atomic<bool>* cancel = nullptr;
  // Waits between retries; returns false to give up. Null sleeps.
  std::function<bool(std::chrono::milliseconds)> sleep_for;
};

struct AlertPolicySyncReport {
  int created = 0;
  int updated = 0;
  int unchanged = 0;
  int deleted = 0;  // duplicates, and orphans with delete_orphans
  // One per policy that could not be made, created, patched or deleted,
  // naming it and saying what the API answered:
  //   rule 'high-error-rate': creating its alert policy: HTTP 400
  //   INVALID_ARGUMENT: Field alert_policy.conditions[0] ...
  std::vector<Status> errors;

  // OK when there is no error, else the first error's code with every
  // message, one per line.
  Status status() const;
  // Whether running again later may succeed: some error is UNAVAILABLE (an
  // outage, retries used up) rather than a refusal.
  bool retryable() const;
};

// Syncs `policies` as described above. An error (listing failed: nothing
// was changed) names the project; per-policy failures are in the report.
Result<AlertPolicySyncReport> SyncAlertPolicies(const std::vector<ManagedAlertPolicy>& policies,
                                                const AlertPolicySyncOptions& options);

// The tai_rule_id value of `key`: `key` when it is label text already,
// else its label text (cut to 46 characters) + "-" + 16 hex digits of its
// hash.
std::string AlertPolicyKeyLabel(std::string_view key);

}  // namespace tai::gcp
