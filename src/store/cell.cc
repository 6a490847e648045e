#include "store/cell.h"

#include <cmath>
#include <limits>

namespace tai::internal {
namespace {

double Min(double a, double b) { return std::isnan(a) ? b : std::isnan(b) ? a : std::min(a, b); }
double Max(double a, double b) { return std::isnan(a) ? b : std::isnan(b) ? a : std::max(a, b); }

// A histogram cell that has observations but NaN extremes does not know them
// (the delta of two cumulative snapshots); NaN elsewhere means no value.
bool ExtremesUnknown(SeriesKind kind, const Cell& c) {
  return kind == SeriesKind::kHistogram && c.count > 0 && (std::isnan(c.min) || std::isnan(c.max));
}

}  // namespace

Cell CellFromPoint(SeriesKind kind, int64_t time, std::optional<double> value,
                   std::optional<double> increase, std::optional<HistogramData> hist) {
  Cell c;
  c.filled = true;
  c.start = c.end = c.last_time = time;
  if (kind == SeriesKind::kHistogram && hist) {
    c.count = hist->count();
    c.sum = hist->sum();
    c.min = hist->min();
    c.max = hist->max();
    c.last = hist->count() ? hist->mean() : std::numeric_limits<double>::quiet_NaN();
    c.hist = std::move(hist);
    return c;
  }
  c.count = 1;
  c.sum = value.value_or(0);
  c.min = c.max = c.last = value.value_or(std::numeric_limits<double>::quiet_NaN());
  c.increase = increase.value_or(0);
  return c;
}

void MergeCell(SeriesKind kind, Cell& into, const Cell& other) {
  if (!into.filled) {
    into = other;
    if (kind == SeriesKind::kGauge && !into.hist) {
      into.hist.emplace();
      if (other.count == 1) into.hist->Record(other.last);
    }
    return;
  }
  // Unknown extremes stay unknown: readers then take them from the merged
  // buckets rather than report the extremes of the cells that knew theirs.
  const bool unknown = ExtremesUnknown(kind, into) || ExtremesUnknown(kind, other);
  into.start = std::min(into.start, other.start);
  into.end = std::max(into.end, other.end);
  into.count += other.count;
  into.sum += other.sum;
  into.min = unknown ? std::numeric_limits<double>::quiet_NaN() : Min(into.min, other.min);
  into.max = unknown ? std::numeric_limits<double>::quiet_NaN() : Max(into.max, other.max);
  if (other.last_time >= into.last_time) {
    into.last = other.last;
    into.last_time = other.last_time;
  }
  into.increase += other.increase;
  if (kind == SeriesKind::kHistogram && other.hist) {
    if (!into.hist) into.hist.emplace();
    (void)into.hist->Merge(*other.hist);
  } else if (kind == SeriesKind::kGauge) {
    if (!into.hist) into.hist.emplace();
    if (other.hist) {
      (void)into.hist->Merge(*other.hist);
    } else if (other.count == 1) {
      into.hist->Record(other.last);
    }
  }
}

}  // namespace tai::internal
