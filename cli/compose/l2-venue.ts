import { l2LatencyConfig } from '../../sim/backtest/l2-replay.js';
import type { L2LatencyConfig } from '../../sim/backtest/l2-replay.js';
import { l2VenueConfig } from '../../sim/venue/l2/index.js';
import type { L2VenueConfig, L2VenueConfigInput, LatencyConfig } from '../../sim/venue/l2/index.js';

/** Returns the L2 venue and latency configuration of a scenario's `venue` section (`latency` split off). */
export function qualifyL2Venue(venue: Readonly<Record<string, unknown>>): { venue: L2VenueConfig; latency: L2LatencyConfig } {
  const { latency, ...rest } = venue as { latency?: Partial<Record<keyof L2LatencyConfig, LatencyConfig>> } & Record<string, unknown>;
  return { venue: l2VenueConfig(rest as L2VenueConfigInput, 'venue'), latency: l2LatencyConfig(latency ?? {}, 'venue.latency') };
}
