import { InvariantError } from '../../engine/core/index.js';
import type { AlgorithmConfig } from '../../engine/execution/index.js';
import type { BookBatch, TradeBatch } from '../../engine/model/index.js';
import type { AccountConfig } from '../../engine/portfolio/account.js';
import type { Strategy } from '../../engine/strategies/context.js';
import type { L2VenueConfig } from '../venue/l2/index.js';
import type { L2BookView, L2LatencyConfig, L2RunSummary } from './l2-side.js';
import type { EquitySink } from './run-recorder.js';
import { replay } from './replay.js';
import type { RunRisk } from './replay.js';
import type { RunResult } from './run-result.js';

export { ZERO_LATENCY, l2LatencyConfig } from './l2-side.js';
export type { L2BookView, L2LatencyConfig, L2RunSummary } from './l2-side.js';
export type { BookBatch } from '../../engine/model/index.js';

export interface L2ReplayConfig {
  readonly symbols: readonly string[];
  readonly initialCash: number;
  /** Equity sampling interval, microseconds. */
  readonly equityEveryUs: number;
  /** Stream the equity curve to this sink (see ReplayConfig.equitySink). */
  readonly equitySink?: EquitySink;
  /** Bars kept per symbol for the strategies; default 1024. */
  readonly lookback?: number;
  readonly venue: L2VenueConfig;
  readonly latency?: L2LatencyConfig;
  /** Seed of the latency streams (`latency.feed.book`, `latency.feed.trades`, `latency.entry`, `latency.response`). */
  readonly seed: number;
  /** Run key of the latency streams; default 'run'. */
  readonly runKey?: string;
  /** Builds fresh strategies for a run; they may keep `books` to read depth. */
  readonly createStrategies: (books: L2BookView) => Strategy[];
  readonly createRisk?: (() => RunRisk) | null;
  /** Per strategy: the execution algorithm its market targets go through, or null to trade directly. */
  readonly algorithms?: readonly (AlgorithmConfig | null)[];
  /**
   * Start of trading, microseconds (the scenario's `engine.tradeFrom`): before it strategies see
   * every event (their indicators warm up) but their orders, targets and signals are dropped and
   * counted (see TradeGate; `warmup` of the result). Absent: trading from the first event, the run
   * unchanged to the bit.
   */
  readonly tradeFromUs?: number;
  /** The account's rules (engine/portfolio/account.ts); absent: the default cash account. */
  readonly account?: AccountConfig;
}

export interface L2Feeds {
  readonly book: AsyncIterable<BookBatch>;
  readonly trades?: AsyncIterable<TradeBatch>;
}

/** The result of an L2 replay: a RunResult whose `l2` figures are always there. */
export type L2ReplayResult = RunResult & { readonly l2: L2RunSummary };

/**
 * Replays L2 book rows (and optionally trade prints) through an L2Venue behind a LatencyLink and the
 * trading engine, and returns the run's result: the one replay loop ({@link replay}) with the L2 venue
 * side (see L2Side for the order of events and the latencies). Equity is sampled every `equityEveryUs`.
 */
export async function runL2Replay(config: L2ReplayConfig, feeds: L2Feeds): Promise<L2ReplayResult> {
  const result = await replay(
    {
      symbols: config.symbols,
      initialCash: config.initialCash,
      barIntervalUs: null,
      equityEveryUs: config.equityEveryUs,
      lookback: config.lookback ?? 1024,
      venue: { kind: 'l2', config: config.venue, seed: config.seed, ...(config.latency !== undefined ? { latency: config.latency } : {}), ...(config.runKey !== undefined ? { runKey: config.runKey } : {}) },
      createStrategies: (books) => config.createStrategies(books!),
      createRisk: config.createRisk ?? null,
      ...(config.algorithms !== undefined ? { algorithms: config.algorithms } : {}),
      ...(config.tradeFromUs !== undefined ? { tradeFromUs: config.tradeFromUs } : {}),
      ...(config.account !== undefined ? { account: config.account } : {}),
      ...(config.equitySink !== undefined ? { equitySink: config.equitySink } : {}),
    },
    { book: feeds.book, ...(feeds.trades !== undefined ? { trades: feeds.trades } : {}) },
  );
  if (result.l2 === undefined) throw new InvariantError('an L2 replay returned no l2 figures');
  return result as L2ReplayResult;
}
