import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { ConfigError, DataError, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, parseDurationUs, parseIsoUs, printable } from '../../engine/core/index.js';
import { RiskEngine, describeRiskConfig } from '../../engine/risk/index.js';
import { createStrategy, strategyWarmup } from '../../engine/strategies/index.js';
import type { Strategy } from '../../engine/strategies/index.js';
import { importTable, openReader, readManifest } from '../../datasets/index.js';
import type { DatasetReader, Manifest } from '../../datasets/index.js';
import { buildRunReport } from '../../reports/index.js';
import type { DataProvenance, RunReport } from '../../reports/index.js';
import { runBacktest } from '../../sim/backtest/index.js';
import type { BacktestResult, BarBatch, QuoteBatch, TradeBatch } from '../../sim/backtest/index.js';
import { venueConfig } from '../../sim/venue/index.js';
import { composeStrategies, ensembleRouting, riskWithConstraints, strategyFactory } from './ensemble-compose.js';
import type { QualifiedScenario } from './load-scenario.js';
import { PriceSampler } from './price-sampler.js';
import { runL2Scenario } from './run-l2-scenario.js';
import { loadOptionChains } from './option-chains.js';
import type { LoadedChains } from './option-chains.js';
import type { AlgorithmConfig } from '../../engine/execution/index.js';
import { registerTempDir } from '../shutdown.js';

/**
 * Returns each composed strategy's execution algorithm (an instance `<id>@SYM` has its strategy's),
 * or undefined when no strategy has one.
 */
export function strategyAlgorithms(scenario: QualifiedScenario, ids: readonly string[]): (AlgorithmConfig | null)[] | undefined {
  const byId = new Map(scenario.strategies.map((s) => [s.id, s.execution ?? null]));
  const out = ids.map((id) => byId.get(id) ?? byId.get(id.split('@')[0]!) ?? null);
  return out.some((a) => a !== null) ? out : undefined;
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const x of items) yield x;
}

/** A dataset directory ready to read, and how to clean up if it was a temporary import. */
export interface OpenedData {
  readonly dir: string;
  readonly manifest: Manifest;
  readonly source: string;
  readonly cleanup: () => Promise<void>;
}

/** Opens a dataset directory, or imports a CSV/Parquet file into a temporary dataset. */
export async function openDataPath(path: string, field: string, kind: 'bars' | 'quotes' | 'trades' | 'book' | 'options', symbols: readonly string[] | undefined): Promise<OpenedData> {
  const st = await stat(path);
  if (st.isDirectory()) {
    let manifest: Manifest;
    try {
      manifest = await readManifest(path);
    } catch (err) {
      throw new ConfigError(`data.${field}`, `${path} is not a Tapedeck dataset (${(err as Error).message})`);
    }
    if (!manifest.kinds.includes(kind)) {
      throw new ConfigError(`data.${field}`, `dataset ${path} has no ${kind} (it has ${manifest.kinds.join(', ') || 'nothing'})`);
    }
    return { dir: path, manifest, source: path, cleanup: async () => {} };
  }
  const ext = extname(path).toLowerCase();
  if (ext !== '.csv' && ext !== '.parquet') {
    throw new ConfigError(`data.${field}`, `expected a dataset directory, a .csv or a .parquet file, was ${path}`);
  }
  const symbol = symbols?.[0] ?? basename(path, extname(path)).toUpperCase().replace(/[^A-Z0-9._-]/g, '_');
  const tmp = await mkdtemp(join(tmpdir(), 'tapedeck-import-'));
  // Removed on SIGINT/SIGTERM too (cli/shutdown.ts), not only by cleanup().
  const unregister = registerTempDir(tmp);
  const remove = async (): Promise<void> => {
    await rm(tmp, { recursive: true, force: true });
    unregister();
  };
  const dir = join(tmp, 'dataset');
  try {
    await importTable({ input: path, kind, symbol, out: dir });
    const manifest = await readManifest(dir);
    return { dir, manifest, source: path, cleanup: remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** How far apart bars may be from a standard interval and still be snapped to it (daily bars with weekend gaps). */
const SNAP_TOLERANCE = 0.01;

/**
 * Median spacing of `symbol`'s first bars (up to 2048), snapped to a standard interval within 1%;
 * null with fewer than 2 bars.
 */
export async function barSpacingUs(data: OpenedData, symbol: string): Promise<number | null> {
  const reader = await openReader(data.dir, { kind: 'bars', symbols: [symbol], batchRows: 2048, columns: [] });
  let ts: Float64Array | null = null;
  try {
    for await (const b of reader) {
      ts = b.columns.ts!.slice(0, b.length);
      break;
    }
  } finally {
    reader.close();
  }
  if (ts === null || ts.length < 2) return null;
  const d: number[] = [];
  for (let i = 1; i < ts.length; i++) d.push(ts[i]! - ts[i - 1]!);
  d.sort((a, b) => a - b);
  const median = d[d.length >> 1]!;
  if (!(median > 0)) throw new ConfigError('data.interval', `cannot infer the bar interval of ${symbol}: most of its first bars share a timestamp; set data.interval (e.g. "1d")`);
  // Daily bars with weekend gaps have a median of one day; snap near-standard spacings.
  for (const std of [US_PER_MINUTE, 5 * US_PER_MINUTE, 15 * US_PER_MINUTE, 30 * US_PER_MINUTE, US_PER_HOUR, US_PER_DAY]) {
    if (Math.abs(median - std) <= std * SNAP_TOLERANCE) return std;
  }
  return median;
}

/**
 * The bar interval of each of `symbols` (the bar symbols of the run). Without `given` (data.interval)
 * each symbol's own spacing (see barSpacingUs), so a dataset of daily and hourly symbols replays each
 * at its own interval, whatever the order the symbols are listed in. With `given`, every symbol
 * whose spacing can be measured must match it (within 1%): one interval for symbols of different
 * spacings would make some bars visible before they closed, or after the next one opened. Throws a
 * ConfigError at data.interval naming the symbol and its spacing.
 */
export async function barIntervals(data: OpenedData, symbols: readonly string[], given?: string): Promise<Map<string, number>> {
  const givenUs = given !== undefined ? parseDurationUs(given, 'data.interval') : null;
  const out = new Map<string, number>();
  // In name order, so which symbol a message names does not depend on the order they were listed in.
  for (const s of [...symbols].sort()) {
    const spacing = await barSpacingUs(data, s);
    if (givenUs !== null) {
      if (spacing !== null && Math.abs(spacing - givenUs) > spacing * SNAP_TOLERANCE) {
        throw new ConfigError('data.interval', `${printable(given!)} does not match the bars of ${s} (${formatInterval(spacing)} apart): remove data.interval to use each symbol's own spacing, or replay symbols of one interval`);
      }
      out.set(s, givenUs);
    } else {
      if (spacing === null) throw new ConfigError('data.interval', `cannot infer the bar interval of ${s} from fewer than 2 bars: set data.interval (e.g. "1d")`);
      out.set(s, spacing);
    }
  }
  return out;
}

/** Formats per-symbol intervals for the report: `1d` when all agree, else `AAA 1d, BBB 1h` (by symbol). */
export function describeIntervals(intervals: ReadonlyMap<string, number>): string | null {
  const distinct = new Set(intervals.values());
  if (distinct.size === 0) return null;
  if (distinct.size === 1) return formatInterval([...distinct][0]!);
  return [...intervals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([s, us]) => `${s} ${formatInterval(us)}`)
    .join(', ');
}

export function formatInterval(us: number): string {
  if (us % US_PER_DAY === 0) return `${us / US_PER_DAY}d`;
  if (us % US_PER_HOUR === 0) return `${us / US_PER_HOUR}h`;
  if (us % US_PER_MINUTE === 0) return `${us / US_PER_MINUTE}m`;
  return `${us}us`;
}

export function codeMap(reader: DatasetReader, runSymbols: readonly string[]): Int32Array {
  const index = new Map(runSymbols.map((s, i) => [s, i]));
  return Int32Array.from(reader.symbols, (s) => index.get(s) ?? -1);
}

/**
 * Opens the bar feed of a scenario's data: one reader when every symbol has one interval, else one
 * per interval, merged by close time (see mergeBarFeeds). The caller closes the readers.
 */
export async function openBarFeed(data: ScenarioData, prices?: PriceSampler): Promise<{ feed: AsyncIterable<BarBatch>; readers: DatasetReader[] }> {
  const bars = data.bars!;
  const groups = new Map<number, string[]>();
  for (const s of data.symbolsOf(bars, 'bars')) {
    const us = data.intervals.get(s)!;
    groups.set(us, [...(groups.get(us) ?? []), s]);
  }
  const readers: DatasetReader[] = [];
  const feeds: AsyncIterable<BarBatch>[] = [];
  try {
    for (const [us, symbols] of [...groups.entries()].sort(([a], [b]) => a - b)) {
      const r = await openReader(bars.dir, { kind: 'bars', symbols, ...data.range });
      readers.push(r);
      feeds.push(barFeed(r, codeMap(r, data.symbols), us, prices));
    }
  } catch (err) {
    for (const r of readers) r.close();
    throw err;
  }
  return { feed: feeds.length === 1 ? feeds[0]! : mergeBarFeeds(feeds, data.symbols), readers };
}

/**
 * Merges bar feeds (each in close-time order) into one in (close time, symbol name) order, the
 * order one reader gives bars of one interval: the replay of symbols of different intervals is
 * then the same whatever order they were listed in. `names` are the run's symbols (the rows' indexes).
 */
export async function* mergeBarFeeds(feeds: readonly AsyncIterable<BarBatch>[], names: readonly string[], batchRows = 4096): AsyncGenerator<BarBatch> {
  const cursors = feeds.map((f) => ({ it: f[Symbol.asyncIterator](), batch: null as BarBatch | null, row: 0 }));
  const advance = async (c: (typeof cursors)[number]): Promise<void> => {
    c.row++;
    while (c.batch === null || c.row >= c.batch.length) {
      const next = await c.it.next();
      if (next.done) {
        c.batch = null;
        return;
      }
      c.batch = next.value;
      c.row = 0;
    }
  };
  for (const c of cursors) {
    c.row = -1;
    await advance(c);
  }
  const fresh = () => ({ ts: new Float64Array(batchRows), barTs: new Float64Array(batchRows), symbol: new Int32Array(batchRows), open: new Float64Array(batchRows), high: new Float64Array(batchRows), low: new Float64Array(batchRows), close: new Float64Array(batchRows), volume: new Float64Array(batchRows) });
  let out = fresh();
  let n = 0;
  for (;;) {
    let best: (typeof cursors)[number] | null = null;
    for (const c of cursors) {
      if (c.batch === null) continue;
      if (best === null) {
        best = c;
        continue;
      }
      const t = c.batch.ts[c.row]!;
      const bt = best.batch!.ts[best.row]!;
      if (t < bt || (t === bt && names[c.batch.symbol[c.row]!]! < names[best.batch!.symbol[best.row]!]!)) best = c;
    }
    if (best === null) break;
    const b = best.batch!;
    const r = best.row;
    out.ts[n] = b.ts[r]!;
    out.barTs[n] = b.barTs[r]!;
    out.symbol[n] = b.symbol[r]!;
    out.open[n] = b.open[r]!;
    out.high[n] = b.high[r]!;
    out.low[n] = b.low[r]!;
    out.close[n] = b.close[r]!;
    out.volume[n] = b.volume[r]!;
    n++;
    if (n === batchRows) {
      yield { length: n, ...out };
      out = fresh();
      n = 0;
    }
    await advance(best);
  }
  if (n > 0) yield { length: n, ts: out.ts.subarray(0, n), barTs: out.barTs.subarray(0, n), symbol: out.symbol.subarray(0, n), open: out.open.subarray(0, n), high: out.high.subarray(0, n), low: out.low.subarray(0, n), close: out.close.subarray(0, n), volume: out.volume.subarray(0, n) };
}

export async function* barFeed(reader: DatasetReader, map: Int32Array, intervalUs: number, prices?: PriceSampler): AsyncGenerator<BarBatch> {
  for await (const b of reader) {
    const n = b.length;
    const barTs = b.columns.ts!;
    const ts = new Float64Array(n);
    const symbol = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      ts[i] = barTs[i]! + intervalUs;
      symbol[i] = map[b.symbol[i]!]!;
    }
    if (prices) {
      const close = b.columns.close!;
      for (let i = 0; i < n; i++) prices.observe(symbol[i]!, barTs[i]!, close[i]!);
    }
    yield { length: n, ts, barTs, symbol, open: b.columns.open!, high: b.columns.high!, low: b.columns.low!, close: b.columns.close!, volume: b.columns.volume! };
  }
}

export async function* quoteFeed(reader: DatasetReader, map: Int32Array): AsyncGenerator<QuoteBatch> {
  for await (const b of reader) {
    const symbol = Int32Array.from(b.symbol, (c) => map[c]!);
    yield { length: b.length, ts: b.columns.ts!, symbol, bid: b.columns.bid!, bidSize: b.columns.bidSize!, ask: b.columns.ask!, askSize: b.columns.askSize! };
  }
}

export async function* tradeFeed(reader: DatasetReader, map: Int32Array): AsyncGenerator<TradeBatch> {
  for await (const b of reader) {
    const symbol = Int32Array.from(b.symbol, (c) => map[c]!);
    yield { length: b.length, ts: b.columns.ts!, symbol, price: b.columns.price!, size: b.columns.size!, side: b.columns.side! };
  }
}

export interface ScenarioRun {
  readonly result: BacktestResult;
  readonly report: RunReport;
  /**
   * What the user should know about a run that finished (the CLI prints each as `warning: ...` on
   * stderr, exit 0): e.g. `no trades: ...` when no order filled. A run that cannot do what was asked
   * (data shorter than a strategy's warm-up) is an error instead, before it starts.
   */
  readonly warnings: readonly string[];
}

/**
 * The warnings of a finished run (see ScenarioRun.warnings). No fill at all is a legitimate outcome
 * on data long enough for the strategies (they saw no signal, or risk denied every order), but rarely
 * what the user expected, so it is said.
 */
export function runWarnings(result: BacktestResult, symbols: readonly string[]): string[] {
  const warnings: string[] = [];
  if (result.fills.length === 0) {
    const seen = result.barCount > 0 ? `${result.barCount} bars` : `${result.quoteCount + result.tradeCount} quotes and trades`;
    const orders = result.orderCount > 0 ? ` (${result.orderCount} order${result.orderCount === 1 ? '' : 's'} submitted)` : '';
    warnings.push(`no trades: no order filled in ${seen} of ${symbols.join(', ')}${orders}`);
  }
  return warnings;
}

/** Bars of `symbol` in the run's range, counted up to `atLeast` (the manifest's count without a range). */
async function barsInRange(data: ScenarioData, symbol: string, atLeast: number): Promise<number> {
  const bars = data.bars!;
  const total = bars.manifest.rows.bars?.[symbol] ?? 0;
  if (data.range.start === undefined && data.range.end === undefined) return total;
  if (total < atLeast) return total;
  const reader = await openReader(bars.dir, { kind: 'bars', symbols: [symbol], columns: [], ...data.range });
  let n = 0;
  try {
    for await (const b of reader) {
      n += b.length;
      if (n >= atLeast) break;
    }
  } finally {
    reader.close();
  }
  return n;
}

/**
 * Refuses, before the replay, a run in which a strategy cannot act: a symbol it trades has fewer bars
 * (in data.start..data.end) than the strategy's warm-up (StrategyDefinition.warmup). Such a run would
 * end with no trade and no hint why. Throws a ConfigError naming the scenario's strategy, the
 * parameter, the bars needed and the bars there are.
 */
export async function checkWarmup(scenario: QualifiedScenario, data: ScenarioData, specs: readonly { id: string; type: string; symbols: readonly string[]; params: Readonly<Record<string, unknown>> }[]): Promise<void> {
  if (data.bars === null) return;
  const range = data.range.start !== undefined || data.range.end !== undefined ? ` between ${scenario.data.start ?? 'the start'} and ${scenario.data.end ?? 'the end'}` : '';
  for (const spec of specs) {
    const warmup = strategyWarmup(spec.type, spec.params);
    if (warmup === null) continue;
    // Per-instrument instances are `<id>@<SYMBOL>`: name the scenario's strategy they came from.
    const index = scenario.strategies.findIndex((s) => s.id === spec.id || spec.id.startsWith(`${s.id}@`));
    for (const symbol of spec.symbols) {
      if (!data.intervals.has(symbol)) continue;
      const n = await barsInRange(data, symbol, warmup.bars);
      if (n < warmup.bars) {
        throw new ConfigError('', `strategies[${index}] (${spec.id}): needs ${warmup.bars} bars to warm up (${warmup.because}), data has ${n} bar${n === 1 ? '' : 's'} of ${symbol}${range}`);
      }
    }
  }
}

/** Watches a replay as it goes (for a progress bar); it sees counts only, never the data. */
export interface ReplayObserver {
  /** Called once before the replay with the events the tape holds by its manifests' row counts (a bound when data.start/end cut it). */
  start?(totalEvents: number): void;
  /** Called for each batch of bars, quotes or trades as the replay reads it. */
  batch?(events: number): void;
}

/** Returns `feed`, calling `observe` with each batch's row count as it passes. */
async function* observed<T extends { readonly length: number }>(feed: AsyncIterable<T>, observe: (events: number) => void): AsyncGenerator<T> {
  for await (const b of feed) {
    observe(b.length);
    yield b;
  }
}

/** A scenario's data, opened and checked: what every way of running a scenario starts from. */
export interface ScenarioData {
  readonly bars: OpenedData | null;
  readonly quotes: OpenedData | null;
  readonly trades: OpenedData | null;
  /** Replayed symbols (requested, else every symbol of the data, sorted). */
  readonly symbols: string[];
  readonly range: { readonly start?: number; readonly end?: number };
  /** The shortest bar interval (the run's equity sampling step), null without bars. */
  readonly intervalUs: number | null;
  /** Each bar symbol's interval (given or inferred per symbol; see barIntervals). */
  readonly intervals: ReadonlyMap<string, number>;
  /** Everything opened, for cleanup (a caller may add more). */
  readonly opened: OpenedData[];
  /** The replayed symbols `d` holds data of `kind` for. */
  symbolsOf(d: OpenedData, kind: 'bars' | 'quotes' | 'trades'): string[];
}

/**
 * Opens a scenario's bars, quotes and trades (importing a CSV/Parquet file into a temporary
 * dataset), checks the requested symbols and the date range, and works out the bar interval. The
 * caller must clean up `opened` (also when this throws: what was opened is cleaned up here then).
 */
export async function openScenarioData(scenario: QualifiedScenario): Promise<ScenarioData> {
  const opened: OpenedData[] = [];
  try {
    const requested = scenario.data.symbols;
    const bars = scenario.data.bars ? await openDataPath(scenario.data.bars, 'bars', 'bars', requested) : null;
    if (bars) opened.push(bars);
    const quotes = scenario.data.quotes ? await openDataPath(scenario.data.quotes, 'quotes', 'quotes', requested) : null;
    if (quotes) opened.push(quotes);
    const trades = scenario.data.trades ? await openDataPath(scenario.data.trades, 'trades', 'trades', requested) : null;
    if (trades) opened.push(trades);
    const available = new Set<string>();
    for (const [d, kind] of [[bars, 'bars'], [quotes, 'quotes'], [trades, 'trades']] as const) {
      if (!d) continue;
      for (const f of d.manifest.files) if (f.kind === kind) available.add(f.symbol);
    }
    const symbols = requested ? [...requested] : [...available].sort();
    for (const [i, s] of symbols.entries()) {
      if (!available.has(s)) throw new ConfigError(`data.symbols[${i}]`, `symbol '${s}' is not in the data (available: ${[...available].sort().join(', ')})`);
    }
    const start = scenario.data.start !== undefined ? parseIsoUs(scenario.data.start, 'data.start') : undefined;
    const end = scenario.data.end !== undefined ? parseIsoUs(scenario.data.end, 'data.end') : undefined;
    if (start !== undefined && end !== undefined && end <= start) throw new ConfigError('data.end', `must be after data.start (${scenario.data.start}), was ${scenario.data.end}`);
    const range = { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
    const symbolsOf = (d: OpenedData, kind: 'bars' | 'quotes' | 'trades'): string[] => symbols.filter((s) => d.manifest.files.some((f) => f.kind === kind && f.symbol === s));
    const intervals = bars ? await barIntervals(bars, symbolsOf(bars, 'bars'), scenario.data.interval) : new Map<string, number>();
    const intervalUs = intervals.size > 0 ? Math.min(...intervals.values()) : null;
    return { bars, quotes, trades, symbols, range, intervalUs, intervals, opened, symbolsOf };
  } catch (err) {
    for (const d of opened) await d.cleanup();
    throw err;
  }
}

/**
 * Runs a qualified scenario end to end: opens the data (importing a CSV/Parquet file into a
 * temporary dataset first), builds strategies, risk and venue, replays, and builds report.json.
 */
export async function runScenario(scenario: QualifiedScenario, observer?: ReplayObserver): Promise<ScenarioRun> {
  if (scenario.data.book !== undefined) return runL2Scenario(scenario);
  const scenarioData = await openScenarioData(scenario);
  const { bars, quotes, trades, symbols, range, intervalUs, opened } = scenarioData;
  const requested = scenario.data.symbols;
  try {
    // With option chains, every contract is a symbol of the run after the underlyings.
    let runSymbols: readonly string[] = symbols;
    let chains: LoadedChains | null = null;
    const optionsSection = scenario.options ?? { rate: 0.04, dividendYield: 0, multiplier: 100 };
    if (scenario.data.options !== undefined) {
      const od = await openDataPath(scenario.data.options, 'options', 'options', requested);
      opened.push(od);
      const underlyings = symbols.filter((s) => od.manifest.files.some((f) => f.kind === 'options' && f.symbol === s));
      if (underlyings.length === 0) throw new ConfigError('data.options', `no option chains for ${symbols.join(', ')} in ${od.source}`);
      chains = await loadOptionChains(od.dir, underlyings, range, optionsSection.multiplier);
      runSymbols = [...symbols, ...chains.contracts];
    }

    const venue = venueConfig({ ...scenario.venue, barIntervalUs: intervalUs }, 'venue');

    const strategySpecs = scenario.strategies.map(({ execution: _e, ...s }) => ({ ...s, symbols: s.symbols ?? runSymbols }));
    strategySpecs.forEach((s, i) => {
      s.symbols.forEach((sym, j) => {
        if (!runSymbols.includes(sym)) throw new ConfigError(`strategies[${i}].symbols[${j}]`, `symbol '${sym}' is not replayed (symbols: ${runSymbols.join(', ')})`);
      });
    });
    // Per-instrument overrides and bundles may split a strategy into per-symbol instances; an ensemble routes them.
    const composed = await composeStrategies(scenario, strategySpecs, runSymbols);
    await checkWarmup(scenario, scenarioData, composed.specs);
    const createStrategies: () => Strategy[] = strategyFactory(composed.specs);
    const algorithms = strategyAlgorithms(scenario, composed.specs.map((s) => s.id));
    const routing = ensembleRouting(scenario, composed.specs.map((s) => s.id));
    const riskConfig = riskWithConstraints(scenario.risk, scenario);
    const hasLimits = Object.keys(riskConfig).some((k) => k !== 'reducingAlwaysAllowed');
    const createRisk = hasLimits ? () => new RiskEngine(riskConfig) : null;

    const feeds: { bars?: AsyncIterable<BarBatch>; quotes?: AsyncIterable<QuoteBatch>; trades?: AsyncIterable<TradeBatch> } = {};
    const readers: DatasetReader[] = [];
    let prices: PriceSampler | null = null;
    if (bars) {
      prices = new PriceSampler(symbols, symbols.map((s) => bars.manifest.rows.bars?.[s] ?? 0));
      const opened = await openBarFeed(scenarioData, prices);
      readers.push(...opened.readers);
      feeds.bars = opened.feed;
    }
    if (quotes) {
      const r = await openReader(quotes.dir, { kind: 'quotes', symbols: scenarioData.symbolsOf(quotes, 'quotes'), ...range });
      readers.push(r);
      feeds.quotes = quoteFeed(r, codeMap(r, symbols));
    }
    if (trades) {
      const r = await openReader(trades.dir, { kind: 'trades', symbols: scenarioData.symbolsOf(trades, 'trades'), ...range });
      readers.push(r);
      feeds.trades = tradeFeed(r, codeMap(r, symbols));
    }
    if (observer) {
      let total = 0;
      for (const [d, kind] of [[bars, 'bars'], [quotes, 'quotes'], [trades, 'trades']] as const) {
        if (d && feeds[kind]) for (const sym of symbols) total += d.manifest.rows[kind]?.[sym] ?? 0;
      }
      observer.start?.(total);
      const batch = observer.batch;
      if (batch) {
        if (feeds.bars) feeds.bars = observed(feeds.bars, batch);
        if (feeds.quotes) feeds.quotes = observed(feeds.quotes, batch);
        if (feeds.trades) feeds.trades = observed(feeds.trades, batch);
      }
    }
    let result: BacktestResult;
    try {
      result = await runBacktest(
        {
          symbols: runSymbols,
          initialCash: scenario.initialCash,
          barIntervalUs: intervalUs,
          equityEveryUs: parseDurationUs(scenario.engine.equityEvery, 'engine.equityEvery'),
          lookback: scenario.engine.lookback,
          venue,
          createStrategies,
          createRisk,
          ...(routing !== undefined ? { routing } : {}),
          ...(algorithms !== undefined ? { algorithms } : {}),
          ...(chains !== null
            ? {
                multipliers: runSymbols.map((_, i) => (i < symbols.length ? 1 : optionsSection.multiplier)),
                options: { instruments: runSymbols.map((_, i) => (i < symbols.length ? null : chains!.instruments[i - symbols.length]!)), pricing: { rate: optionsSection.rate, dividendYield: optionsSection.dividendYield } },
              }
            : {}),
        },
        chains !== null ? { ...feeds, chains: fromArray(chains.batches(symbols.length)) } : feeds,
      );
    } finally {
      for (const r of readers) r.close();
    }
    if (result.barCount + result.quoteCount + result.tradeCount === 0) {
      throw new DataError(`no data in the selected range${scenario.data.start || scenario.data.end ? ` (${scenario.data.start ?? '…'} to ${scenario.data.end ?? '…'})` : ''} for ${symbols.join(', ')}`);
    }
    const primary = bars ?? quotes ?? trades!;
    const data: DataProvenance = {
      source: primary.source,
      kinds: [...new Set(opened.flatMap((d) => d.manifest.kinds))],
      symbols,
      start: primary.manifest.start,
      end: primary.manifest.end,
      rows: primary.manifest.rows,
      contentHash: primary.manifest.contentHash,
      barInterval: describeIntervals(scenarioData.intervals),
    };
    const asRun = {
      ...scenario,
      file: undefined,
      data: { ...scenario.data, symbols, ...(chains !== null ? { contracts: chains.contracts.length } : {}), ...(new Set(scenarioData.intervals.values()).size === 1 ? { interval: formatInterval(intervalUs!) } : {}) },
      venue,
      strategies: composed.specs,
    };
    delete (asRun as { file?: string }).file;
    const assumptions = [...result.assumptions, ...(hasLimits ? describeRiskConfig(riskConfig) : ['No pre-trade risk limits.']), ...composed.assumptions];
    const report = buildRunReport({ ...result, assumptions, ...(prices ? { prices: prices.result() } : {}) }, asRun, scenario.seed, data);
    return { result, report, warnings: runWarnings(result, symbols) };
  } finally {
    for (const d of opened) await d.cleanup();
  }
}
