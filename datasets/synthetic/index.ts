import { readdir, stat } from 'node:fs/promises';
import { formatIsoUs, InvalidArgumentError, randomStream, printable } from '../../engine/core/index.js';
import type { Manifest } from '../manifest.js';
import type { DataKind } from '../schema.js';
import { writeDataset, type TableInput } from '../writer.js';
import { generateBook } from './book.js';
import { qualifySyntheticOptions, type SyntheticMarketConfig, type SyntheticMarketOptions } from './config.js';
import { generateOptionChains, generateOptionFlow } from './options.js';
import { barLayout, simulateMarket, type MarketPaths } from './price-paths.js';
import { generateSentiment } from './sentiment.js';
import { generateQuotes, generateTrades } from './trades-quotes.js';

export * from './config.js';
export { replayBook, type BookReplaySummary } from './book-replay.js';
export { REGIMES, REGIME_TRANSITIONS, simulateMarket, type MarketPaths, type SymbolPath, type IntradaySession, type BarColumns } from './price-paths.js';
export { symbolProfile, type SymbolProfile } from './profiles.js';
export { choleskyFactor, oneFactorCorrelation } from './correlation.js';
export { flowSmileSlope, generateOptionFlow, smileVolatility, strikeStep } from './options.js';
export { SESSION_OPEN_US, SESSION_CLOSE_US, STEP_US, STEPS_PER_SESSION, tradingDays, monthlyExpiriesAfter } from './calendar.js';
export type { BookColumns, OptionColumns, QuoteColumns, TradeColumns } from './columns.js';
export { generateSentiment, type SentimentColumns, type SentimentOptions } from './sentiment.js';

/** Generated tables, ready for the dataset writer, with the configuration that produced them. */
export interface SyntheticMarket {
  readonly config: SyntheticMarketConfig;
  readonly paths: MarketPaths;
  readonly tables: readonly TableInput[];
}

/**
 * Returns the synthetic tables of `options` in memory, in (kind, symbol) order. Each kind draws from
 * its own named streams (seed, 'synthetic', '<kind>/<symbol>'), and the price paths do not depend on
 * the requested kinds, so adding or removing a kind never changes another kind's data.
 */
export function generateMarket(options: SyntheticMarketOptions, onTable?: (table: SyntheticTableProgress) => void): SyntheticMarket {
  const config = qualifySyntheticOptions(options);
  const paths = simulateMarket(config);
  const { seed, intraday } = config;
  const stream = (component: string) => randomStream(seed, 'synthetic', component);
  const wants = (k: DataKind): boolean => config.kinds.includes(k);
  const intradayPaths = paths.symbols.filter((p) => intraday.symbols.includes(p.profile.symbol));
  const total =
    (wants('bars') ? paths.symbols.length : 0) + (['trades', 'quotes', 'book'] as const).filter(wants).length * intradayPaths.length + (wants('options') ? 1 : 0) + (wants('sentiment') ? paths.symbols.length : 0);
  // Reports each table as it is generated (a progress hook; it sees nothing of the data).
  const tables: TableInput[] = [];
  const push = (t: TableInput): void => {
    tables.push(t);
    onTable?.({ kind: t.kind, symbol: t.symbol, done: tables.length, total });
  };
  if (wants('bars')) {
    for (const p of paths.symbols) push({ kind: 'bars', symbol: p.profile.symbol, columns: { ...p.bars } });
  }
  if (wants('trades')) {
    for (const p of intradayPaths) {
      const s = p.profile.symbol;
      push({ kind: 'trades', symbol: s, columns: { ...generateTrades(p.intraday, intraday.tradesPerDay, stream(`trades/${s}`)) } });
    }
  }
  if (wants('quotes')) {
    for (const p of intradayPaths) {
      const s = p.profile.symbol;
      push({ kind: 'quotes', symbol: s, columns: { ...generateQuotes(p.intraday, intraday.quotesPerDay, stream(`quotes/${s}`)) } });
    }
  }
  if (wants('book')) {
    for (const p of intradayPaths) {
      const s = p.profile.symbol;
      const book = generateBook(
        p.intraday,
        { eventsPerDay: intraday.bookEventsPerDay, levels: intraday.bookLevels, snapshotSeconds: intraday.snapshotSeconds },
        stream(`book/${s}`),
      );
      push({ kind: 'book', symbol: s, columns: { ...book } });
    }
  }
  if (wants('options')) {
    const s = config.options.underlying;
    const p = paths.symbols.find((x) => x.profile.symbol === s)!;
    const flow = generateOptionFlow(p.dailyClose, stream(`options-flow/${s}`));
    push({ kind: 'options', symbol: s, columns: { ...generateOptionChains(paths.days, p, config.options, flow, stream(`options/${s}`)) } });
  }
  if (wants('sentiment')) {
    const { barUs } = barLayout(config.interval);
    for (const p of paths.symbols) {
      const s = p.profile.symbol;
      push({ kind: 'sentiment', symbol: s, columns: { ...generateSentiment(p.bars, barUs, config.sentiment, stream(`sentiment/${s}`)) } });
    }
  }
  return { config, paths, tables };
}

/** Returns the provenance recorded in the manifest: the generator and every qualified parameter (no wall-clock time). */
export function syntheticProvenance(config: SyntheticMarketConfig): Record<string, unknown> {
  return {
    generator: 'tapedeck-synthetic',
    generatorVersion: 1,
    seed: config.seed,
    symbols: config.symbols,
    start: formatIsoUs(config.start),
    days: config.days,
    interval: config.interval,
    kinds: config.kinds,
    correlation: config.correlation,
    intraday: config.intraday,
    options: config.options,
    ...(config.kinds.includes('sentiment') ? { sentiment: config.sentiment } : {}),
  };
}

/** One table generated or written, for progress reports: its kind and symbol, and how many of how many. */
export interface SyntheticTableProgress {
  readonly kind: DataKind;
  readonly symbol: string;
  readonly done: number;
  readonly total: number;
}

/** Options of {@link generateDataset}: the market plus where to write it. */
export interface GenerateDatasetOptions extends SyntheticMarketOptions {
  /** Output directory; must not exist or be empty unless `force`. */
  readonly out: string;
  /** Replace an existing dataset at `out` (atomically: the old one stays until the new one is complete). */
  readonly force?: boolean;
  /** Called after each table is generated (phase 'generate') and after each is written (phase 'write'). */
  readonly onProgress?: (phase: 'generate' | 'write', table: SyntheticTableProgress) => void;
}

export interface GeneratedDataset {
  readonly config: SyntheticMarketConfig;
  readonly manifest: Manifest;
}

async function entries(dir: string): Promise<string[] | null> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new InvalidArgumentError(`invalid 'out': not a directory, was ${printable(dir)}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return readdir(dir);
}

/**
 * Generates the synthetic dataset of `options` and writes it (Parquet + manifest.json) to
 * `options.out` through the dataset writer; returns the manifest. Refuses an existing non-empty
 * directory unless `force`, in which case the old dataset is replaced only once the new one is
 * complete. Nothing is left at `out` when generation or writing fails.
 */
export async function generateDataset(options: GenerateDatasetOptions): Promise<GeneratedDataset> {
  const { out, force = false, onProgress, ...marketOptions } = options;
  if (typeof out !== 'string' || out.length === 0) throw new InvalidArgumentError(`invalid 'out': empty`);
  const present = await entries(out);
  if (present !== null && present.length > 0 && !force) {
    throw new InvalidArgumentError(`invalid 'out': directory exists and is not empty (force to replace it), was ${printable(out)}`);
  }
  const market = generateMarket(marketOptions, onProgress && ((t) => onProgress('generate', t)));
  const total = market.tables.length;
  // An empty directory is ours to fill; the writer treats an existing path as 'replace'.
  const manifest = await writeDataset(out, market.tables, syntheticProvenance(market.config), {
    replace: present !== null,
    ...(onProgress ? { onTable: (t: TableInput, i: number) => onProgress('write', { kind: t.kind, symbol: t.symbol, done: i + 1, total }) } : {}),
  });
  return { config: market.config, manifest };
}
