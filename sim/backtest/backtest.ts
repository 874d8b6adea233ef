import type { Strategy } from '../../engine/strategies/context.js';
import type { VenueConfig } from '../venue/index.js';
import { replay } from './replay.js';
import type { ReplayConfig, ReplayFeeds } from './replay.js';
import type { BacktestResult } from './run-result.js';

export type { RunRisk, ReplayConfig, ReplayFeeds, ReplayVenue } from './replay.js';
export type { BacktestRouting } from './compose-router.js';
export type { BacktestResult, OrderRecord, RunResult } from './run-result.js';

/** A replay of bars, quotes, trades and option chains against the bar/L1 venue (see {@link runBacktest}). */
export interface BacktestConfig extends Omit<ReplayConfig, 'venue' | 'createStrategies'> {
  readonly venue: VenueConfig;
  /** Builds fresh strategies for a run (reruns must not share indicator state). */
  readonly createStrategies: () => Strategy[];
}

/** Time-ordered feeds of column batches; each may be absent. */
export type BacktestFeeds = Omit<ReplayFeeds, 'book'>;

/**
 * Replays bars, quotes, trades and option chains through the {@link SimulatedVenue} and the trading
 * engine and returns the run's result: the one replay loop ({@link replay}) with the bar/L1 venue.
 *
 * Per event, in the kernel's total order (visible time, source priority, seq): the venue sees the
 * data first (fills of working orders at that bar's open, stops and limits along the intrabar
 * path, quotes crossing resting limits), then the engine marks the portfolio and calls the
 * strategies, whose new orders can first fill on the next event. Equity is sampled once per bar
 * timestamp (after every symbol's bar of that time) or every `equityEveryUs` on tick-only runs.
 */
export function runBacktest(config: BacktestConfig, feeds: BacktestFeeds): Promise<BacktestResult> {
  const { venue, createStrategies, ...rest } = config;
  return replay({ ...rest, venue: { kind: 'l1', config: venue }, createStrategies: () => createStrategies() }, feeds);
}
