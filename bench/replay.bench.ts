import { US_PER_DAY } from '../engine/core/index.js';
import { createStrategy } from '../engine/strategies/index.js';
import { generateMarket } from '../datasets/synthetic/index.js';
import type { BookColumns, TradeColumns } from '../datasets/synthetic/index.js';
import { runBacktest } from '../sim/backtest/index.js';
import type { BarBatch, TradeBatch } from '../sim/backtest/index.js';
import { runL2Replay } from '../sim/backtest/l2-replay.js';
import type { BookBatch } from '../sim/backtest/l2-replay.js';
import { venueConfig } from '../sim/venue/index.js';
import { l2VenueConfig } from '../sim/venue/l2/index.js';
import { measure } from './harness.js';
import { makeTape } from './tapes.js';
import { timedBars } from '../cli/compose/bar-timing.js';
import type { StampedBars } from '../cli/compose/bar-timing.js';
import type { ThroughputResult } from './harness.js';

/**
 * The replay loop itself, in process, on both venues: a bar run (sma_cross over 500k daily bars of a
 * random walk, fills at the next open) and an L2 run (the l2-demo strategies, microstructure quoting
 * passively and liquidity_flow taking, over a generated book with prints, 250 us feed latency and
 * exponential entry latency, so every order travels the latency link and its timers). The tapes are
 * generated once into typed-array batches before timing; the figure is events replayed per CPU second.
 * The bar run is also measured through the bar feed's close times (cli/compose/bar-timing.ts: each
 * bar's close from a timestamps-only lookahead, as `tapedeck run` replays a dataset), and that feed alone.
 */
/** Rows per batch of the L2 tape. */
const BATCH = 65_536;

async function* feed<T>(batches: readonly T[]): AsyncGenerator<T> {
  for (const b of batches) yield b;
}

function l2Tape(): { book: BookBatch[]; trades: TradeBatch[]; events: number } {
  const m = generateMarket({ seed: 7, symbols: ['AAA'], days: 1, kinds: ['book', 'trades'], intraday: { days: 1, bookEventsPerDay: 200_000, tradesPerDay: 50_000, bookLevels: 10, snapshotSeconds: 60 } });
  const b = m.tables.find((t) => t.kind === 'book')!.columns as unknown as BookColumns;
  const t = m.tables.find((x) => x.kind === 'trades')!.columns as unknown as TradeColumns;
  const book: BookBatch[] = [];
  for (let i = 0; i < b.ts.length; i += BATCH) {
    const j = Math.min(b.ts.length, i + BATCH);
    book.push({ length: j - i, ts: b.ts.subarray(i, j), symbol: new Int32Array(j - i), side: b.side.subarray(i, j), price: b.price.subarray(i, j), size: b.size.subarray(i, j), action: b.action.subarray(i, j), flags: b.flags.subarray(i, j) });
  }
  const trades: TradeBatch[] = [];
  for (let i = 0; i < t.ts.length; i += BATCH) {
    const j = Math.min(t.ts.length, i + BATCH);
    trades.push({ length: j - i, ts: t.ts.subarray(i, j), symbol: new Int32Array(j - i), price: t.price.subarray(i, j), size: t.size.subarray(i, j), side: t.side.subarray(i, j) });
  }
  return { book, trades, events: b.ts.length + t.ts.length };
}

export default async function run(): Promise<ThroughputResult[]> {
  const opts = { runs: 5, warmup: 1, cpuTime: true };
  const bars = 500_000;
  const tape = makeTape(bars);
  const barConfig = {
    symbols: ['AAA'],
    initialCash: 100_000,
    barIntervalUs: US_PER_DAY,
    equityEveryUs: 60_000_000,
    lookback: 64,
    venue: venueConfig({ barIntervalUs: US_PER_DAY, fees: { kind: 'fraction', rate: 0.002 } }),
    createStrategies: () => [createStrategy('sma_cross', 'sma', ['AAA'], { fast: 10, slow: 20, sizing: { kind: 'units', units: 100 } })],
    createRisk: null,
  };
  let barHash = '';
  const barRun = await measure('replay: bar run, sma_cross(10,20), 500k daily bars', 'bars/s', bars, async () => {
    barHash = (await runBacktest(barConfig, { bars: feed(tape) })).runHash;
  }, opts);

  // The tape as a dataset reader gives it (open stamps only): the feed works out each close.
  const stamped: StampedBars[] = tape.map((b) => ({ length: b.length, symbol: b.symbol, ts: b.barTs, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }));
  const code = Int32Array.from([0]);
  let timedHash = '';
  const timedRun = await measure('replay: bar run as above, closes from the bar feed lookahead', 'bars/s', bars, async () => {
    timedHash = (await runBacktest(barConfig, { bars: timedBars(feed(stamped), code, US_PER_DAY) })).runHash;
  }, opts);
  const feedOnly = await measure('bar feed: close times by timestamps-only lookahead, 500k daily bars', 'bars/s', bars, async () => {
    let n = 0;
    for await (const b of timedBars(feed(stamped), code, US_PER_DAY)) n += b.length;
    if (n !== bars) throw new Error(`bar feed gave ${n} bars of ${bars}`);
  }, opts);

  const l2 = l2Tape();
  const l2Config = {
    symbols: ['AAA'],
    initialCash: 1_000_000,
    equityEveryUs: 60_000_000,
    venue: l2VenueConfig({ queue: { kind: 'prob', function: 'power', n: 3 } }),
    latency: { feed: { kind: 'constant', us: 250 }, entry: { kind: 'exponential', baseUs: 100, meanJitterUs: 200 }, response: { kind: 'constant', us: 0 } } as const,
    seed: 1,
    createStrategies: () => [
      createStrategy('liquidity_flow', 'flow', ['AAA'], { levels: 5, imbalanceThreshold: 0.3, minLiquidityScore: 0.5, evaluateEveryUs: 300_000_000, size: 500 }),
      createStrategy('microstructure', 'micro', ['AAA'], { tickWindow: 50, imbalanceThreshold: 0.2, spreadPercentile: 40, maxQuoteRate: 50, size: 100, orderType: 'limit' }),
    ],
  };
  let l2Hash = '';
  let l2Fills = 0;
  const l2Run = await measure('replay: L2 run, liquidity_flow + microstructure, book deltas + prints, latency', 'events/s', l2.events, async () => {
    const r = await runL2Replay(l2Config, { book: feed(l2.book), trades: feed(l2.trades) });
    l2Hash = r.runHash;
    l2Fills = r.fills.length;
  }, opts);
  // The same run under an account that never binds (margin, leverage 1000, no margin calls): the
  // account's checks cost without its refusals, comparable with the replay before accounts existed.
  const looseAccount = { type: 'margin', insufficientFunds: 'reject', initialMargin: 0.001, maintenanceMargin: 0.0005, borrowRate: 0, marginCall: 'none' } as const;
  let looseHash = '';
  let looseFills = 0;
  const looseRun = await measure('replay: L2 run as above, an account that never binds (margin, leverage 1000)', 'events/s', l2.events, async () => {
    const r = await runL2Replay({ ...l2Config, account: looseAccount }, { book: feed(l2.book), trades: feed(l2.trades) });
    looseHash = r.runHash;
    looseFills = r.fills.length;
  }, opts);
  return [
    { ...barRun, note: `runHash ${barHash.slice(0, 12)}` },
    { ...timedRun, note: `runHash ${timedHash.slice(0, 12)}${timedHash === barHash ? ' (same replay)' : ' (DIFFERS from the precomputed closes)'}` },
    feedOnly,
    { ...l2Run, note: `${l2.events} events, ${l2Fills} fills; runHash ${l2Hash.slice(0, 12)}` },
    { ...looseRun, note: `${looseFills} fills; runHash ${looseHash.slice(0, 12)}` },
  ];
}
