export { SimulatedVenue } from './simulated-venue.js';
export type { OrderEventSink, VenueRequestRejection } from './simulated-venue.js';
export { venueConfig, DEFAULT_VENUE_CONFIG, MARKET_FILLS, INTRABAR_PATHS, LIMIT_FILLS } from './venue-config.js';
export type { VenueConfig, VenueConfigInput, MarketFill, IntrabarPath, LimitFill } from './venue-config.js';
export { createFeeModel, commissionForFill } from './fee-model.js';
export type { FeeConfig, FeeModel } from './fee-model.js';
export { createSlippageModel } from './slippage-model.js';
export type { SlippageConfig, SlippageModel } from './slippage-model.js';
export { BarPath } from './intrabar-path.js';
