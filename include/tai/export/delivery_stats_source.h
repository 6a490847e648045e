// DeliveryStatsSource: an exporter whose requests go through a delivery
// queue (tai/export/delivery_options.h) and can say what the queue did with them.
// Observability reads every such exporter through this one interface for
// the tai_export_* self-metrics, whatever the backend or the signal.
//
// An interface: implementations are owned with the exporter that
// implements it (usually by a pipeline, through shared_ptr). Both calls
// must be thread-safe: the metric collector's thread makes them while the
// exporter works.
#pragma once

#include <string>

#include "tai/export/delivery_options.h"

namespace tai {

class DeliveryStatsSource {
 public:
  virtual ~DeliveryStatsSource() = default;
  // The exporter's name: the `sink` label of the self-metrics ("otlp").
  virtual std::string name() const = 0;
  // The queue's figures now.
  virtual DeliveryStats delivery_stats() const = 0;
};

}  // namespace tai
