/**
 * The L2 (market-by-price) simulated venue: the order book, matching of own orders against the
 * replayed book with queue models, market impact, and order entry/response latency.
 */
export {
  OrderBook,
  BookChange,
  BOOK_REPAIR_POLICIES,
  BID,
  ASK,
  ACTION_UPDATE,
  ACTION_DELETE,
  ACTION_SNAPSHOT,
  FLAG_SNAPSHOT_BEGIN,
  FLAG_SNAPSHOT_END,
} from './order-book.js';
export type { OrderBookOptions, BookRepairPolicy, BookRepairCounters } from './order-book.js';
export { RiskAverseQueue, ProbQueue, createQueueModel, QUEUE_PROBABILITY_FUNCTIONS } from './queue-model.js';
export type { QueueModel, QueuePosition, QueueModelConfig, QueueProbabilityFunction } from './queue-model.js';
export { ConstantLatency, ExponentialLatency, LognormalLatency, createLatencyModel } from './latency-model.js';
export type { LatencyModel, LatencyConfig } from './latency-model.js';
export { NoImpact, DecayingImpact, createImpactModel } from './impact-model.js';
export type { ImpactModel, ImpactConfig } from './impact-model.js';
export { l2VenueConfig, DEFAULT_L2_VENUE_CONFIG } from './l2-venue-config.js';
export type { L2VenueConfig, L2VenueConfigInput } from './l2-venue-config.js';
export { L2Venue } from './l2-venue.js';
export type { TakerExecution } from './l2-venue.js';
export { L2Order } from './l2-order.js';
export { LatencyLink } from './latency-link.js';
export type { VenueEndpoint } from './latency-link.js';
