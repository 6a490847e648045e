#include "store/reader_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/store_testing.h"

namespace tai {
namespace {

using namespace std::chrono_literals;
using testing::TestStore;

// A query that never ends by itself: only the progress check can stop it.
constexpr const char* kEndlessQuery =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";

Status RunEndlessQuery(internal::ReaderPool& pool) {
  auto lease = pool.Acquire();
  if (!lease.ok()) return lease.status();
  return lease->db().QueryInt(kEndlessQuery).status();
}

TEST(ReaderPoolTest, CancellingStopsARunningQueryLongBeforeItsTimeout) {
  TestStore t;
  ASSERT_TRUE(t.Open().ok());  // creates the file and its schema
  internal::ReaderPool pool(t.path(), std::chrono::hours(1));
  Status result;
  std::thread query([&] { result = RunEndlessQuery(pool); });
  // Whether the query has started or not when the cancel comes, it cannot
  // finish without it: the count stays raised until it returns.
  pool.BeginCancel();
  query.join();
  pool.EndCancel();
  EXPECT_TRUE(result.code() == StatusCode::kDeadlineExceeded ||
              result.code() == StatusCode::kUnavailable)
      << result.ToString();
  EXPECT_NE(result.message().find("cancel"), std::string::npos) << result.ToString();
  // The connection went back to the pool and serves queries again.
  auto lease = pool.Acquire();
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  auto one = lease->db().QueryInt("SELECT 1");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(*one, 1);
}

TEST(ReaderPoolTest, TheTimeoutStillStopsAQueryWithoutACancel) {
  TestStore t;
  ASSERT_TRUE(t.Open().ok());
  internal::ReaderPool pool(t.path(), 50ms);
  Status result = RunEndlessQuery(pool);
  EXPECT_EQ(result.code(), StatusCode::kDeadlineExceeded) << result.ToString();
  EXPECT_NE(result.message().find("query_timeout"), std::string::npos);
}

TEST(StoreCancelTest, QueriesFailAtOnceWhileCancelledAndWorkAfter) {
  TestStore t;
  auto store = t.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  {
    auto cancel = (*store)->CancelQueries();
    auto names = (*store)->MetricNames();
    ASSERT_FALSE(names.ok());
    EXPECT_EQ(names.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(names.status().message().find("stopping"), std::string::npos);
  }
  EXPECT_TRUE((*store)->MetricNames().ok());
}

}  // namespace
}  // namespace tai
