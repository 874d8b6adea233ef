import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { ConfigError, DataError, InvariantError, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, parseDurationUs, parseIsoUs, printable } from '../../engine/core/index.js';
import type { CsvStream, DataKind, DatasetReader, Manifest } from '../../datasets/index.js';
import type { DuckSession } from '../../datasets/duckdb.js';
// DuckDB loads when data is first read, not with the run assembly (see lazy-datasets.ts).
import { loadDatasets } from './lazy-datasets.js';
import type { DataProvenance } from '../../reports/index.js';
import type { BarBatch, BookBatch, ChainBatch, QuoteBatch, ReplayFeeds, TradeBatch } from '../../sim/backtest/index.js';
import { loadOptionChains } from './option-chains.js';
import type { LoadedChains } from './option-chains.js';
import { loadSentiment } from './sentiment.js';
import type { LoadedSentiment } from './sentiment.js';
import type { QualifiedScenario } from './load-scenario.js';
import { registerTempDir } from '../shutdown.js';
import type { TimeframeBars } from '../../engine/kernel/bar-cache.js';
import { loadTimeframes, parseTimeframes } from './timeframes.js';
import { timedBars } from './bar-timing.js';
import type { BarTimestamp, StampedBars } from './bar-timing.js';

/**
 * The data edge of a run: a scenario's `data` section becomes a {@link RunData}, the one thing every
 * way of running a scenario replays (`run`, a sweep trial, a walk-forward fold, a queue worker).
 * Which venue a run uses follows from it: book rows make an L2 run, anything else a bar/L1 run.
 * A RunData streams from the datasets ({@link openRunData}), or from memory once read
 * ({@link inMemory}: a sweep worker reads a `data` section once and replays it for every trial).
 */

export async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const x of items) yield x;
}

/** A dataset directory ready to read, and how to clean up if it was a temporary import. */
export interface OpenedData {
  readonly dir: string;
  readonly manifest: Manifest;
  readonly source: string;
  readonly cleanup: () => Promise<void>;
  /** What the run assumes about this data beyond the file itself (a close-only file read as bars), for the report. */
  readonly assumptions?: readonly string[];
  /**
   * The bars of a CSV file read directly into memory (see openDataPath's `direct`): then `dir` holds
   * no dataset, `manifest` is the one an import of the file would write, and the feeds read from here.
   */
  readonly memory?: MemoryBars;
  /**
   * The bars of a CSV file too long to hold in memory, streamed from the file by each replay and
   * checked as they pass (see openDataPath's `direct`): then `dir` holds no dataset, and `manifest`,
   * the one an import of the file would write, can be read only once a replay has read every row (its
   * contentHash and end come from the checks); tablesOf says what the file holds before that.
   */
  readonly stream?: StreamedBars;
}

/** One symbol's bars streamed from a CSV file (see OpenedData.stream). */
export interface StreamedBars {
  readonly symbol: string;
  readonly csv: CsvStream;
}

/** A table of opened data: its kind, symbol and rows, known before any row is replayed. */
export interface TableFacts {
  readonly kind: DataKind;
  readonly symbol: string;
  readonly rows: number;
}

/** The tables of `data` (a stream's from its scan, before its manifest can be read). */
export function tablesOf(data: OpenedData): readonly TableFacts[] {
  const s = data.stream;
  return s !== undefined ? [{ kind: 'bars', symbol: s.symbol, rows: s.csv.rows }] : data.manifest.files;
}

/** One symbol's bars, checked and held in memory: every bars column, `rows` values each, in file order. */
export interface MemoryBars {
  readonly symbol: string;
  readonly rows: number;
  readonly columns: Readonly<Record<string, Float64Array>>;
}

/**
 * The largest CSV file a run reads straight into memory (see openDataPath): about 8 M bars' worth
 * of columns per 64 MB of file would otherwise stay resident through the replay, so a longer file is
 * streamed from the file (in flat memory) by the replay itself.
 */
const DIRECT_CSV_BYTES = 64 << 20;

/**
 * Opens a dataset directory, or imports a CSV/Parquet file into a temporary dataset. With `direct`
 * (a caller that reads the bars only through openBarFeed, barSpacing and barsInRange), an OHLCV CSV
 * file of bars up to DIRECT_CSV_BYTES is instead read, checked and hashed in memory, exactly as an
 * import would (the same DataErrors, the same manifest figures and contentHash), with no Parquet
 * written and read back; a longer one that DuckDB's CSV reader can type (openCsvStream: the file is
 * plain) is streamed from the file by each replay, its rows checked and hashed as they pass, so the
 * first bar is replayed once the file is scanned and its first rows checked, not once a temporary
 * dataset is written and checked (a bad row far down ends the replay with the import's DataError; the
 * run's outputs are staged and dropped then). `directCsvBytes` moves that bound (tests take a larger
 * file's path with a small one). `session`: a one-thread DuckDB session open past the run's data (the
 * run's outputs'), on which a small file read into memory is read (see readCsvTable's `read.session`).
 */
export async function openDataPath(path: string, field: string, kind: 'bars' | 'quotes' | 'trades' | 'book' | 'options' | 'sentiment', symbols: readonly string[] | undefined, direct = false, directCsvBytes = DIRECT_CSV_BYTES, session?: DuckSession): Promise<OpenedData> {
  const st = await stat(path);
  const { barsFromCloses, barsOfCloses, buildManifest, closeBarsSource, importTable, isCloseOnlyFile, openCsvStream, readCsvTable, readManifest, TableCheck } = await loadDatasets();
  if (st.isDirectory()) {
    let manifest: Manifest;
    try {
      manifest = await readManifest(path);
    } catch (err) {
      throw new ConfigError(`data.${field}`, `${path} is not a Tapedeck dataset (${(err as Error).message})`);
    }
    if (kind === 'bars' && !manifest.kinds.includes('bars') && manifest.kinds.includes('closes')) {
      throw new ConfigError(`data.${field}`, `dataset ${path} has closes but no bars: build bars with \`tapedeck data resample ${path} --interval 30m\` (any interval)`);
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
  if (direct && kind === 'bars' && ext === '.csv' && st.isFile() && st.size > directCsvBytes && !(await isCloseOnlyFile(path, 'csv'))) {
    const csv = await openCsvStream({ input: path, kind, symbol });
    if (csv !== null) {
      let manifest: Manifest | null = null;
      return {
        dir: path,
        source: path,
        cleanup: async () => csv.close(),
        stream: { symbol, csv },
        get manifest(): Manifest {
          const file = csv.file;
          if (file === null) throw new InvariantError(`the manifest of ${path} was read before a replay checked every row`);
          manifest ??= buildManifest([file], { importedFrom: basename(path), format: 'csv', kind, symbol });
          return manifest;
        },
      };
    }
    // Not plain, or declined by DuckDB: the temporary dataset below accepts it or names its first bad cell.
  }
  if (direct && kind === 'bars' && ext === '.csv' && st.isFile() && st.size <= directCsvBytes) {
    if (!(await isCloseOnlyFile(path, 'csv'))) {
      const table = await readCsvTable({ input: path, kind, symbol }, session !== undefined ? { session } : {});
      const manifest = buildManifest([table.file], { importedFrom: basename(path), format: 'csv', kind, symbol });
      return { dir: path, manifest, source: path, cleanup: async () => {}, memory: { symbol, rows: table.file.rows, columns: table.columns } };
    }
    // As the temporary dataset below has them: the closes table, and the bars table read from it.
    const closes = await readCsvTable({ input: path, kind: 'closes', symbol }, session !== undefined ? { session } : {});
    const columns = barsOfCloses(closes.columns['ts']!, closes.columns['close']!);
    const check = new TableCheck('bars', symbol, `bars/${symbol}`);
    check.update(columns, closes.file.rows);
    const manifest = buildManifest([closes.file, check.finish(closeBarsSource(symbol))], { importedFrom: basename(path), format: 'csv', kind: 'closes', symbol });
    const assumptions = [closeOnlyAssumption(symbol, path, closes.mapping['close'] ?? 'close', closes.file.rows)];
    return { dir: path, manifest, source: path, cleanup: async () => {}, assumptions, memory: { symbol, rows: closes.file.rows, columns } };
  }
  const tmp = await mkdtemp(join(tmpdir(), 'tapedeck-import-'));
  // Removed on SIGINT/SIGTERM too (cli/shutdown.ts), not only by cleanup().
  const unregister = registerTempDir(tmp);
  const remove = async (): Promise<void> => {
    await rm(tmp, { recursive: true, force: true });
    unregister();
  };
  const dir = join(tmp, 'dataset');
  try {
    const format = ext === '.parquet' ? 'parquet' : 'csv';
    if (kind === 'bars' && (await isCloseOnlyFile(path, format))) {
      // A close-only series (R's and pandas' one-column layout): each close is one bar, O = H = L = C.
      const imported = await importTable({ input: path, format, kind: 'closes', symbol, out: dir, scratch: true });
      const manifest = await barsFromCloses(dir, symbol);
      const assumptions = [closeOnlyAssumption(symbol, path, imported.mapping['close'] ?? 'close', imported.rows)];
      return { dir, manifest, source: path, cleanup: remove, assumptions };
    }
    // Read once by this run and removed: no file digest, LZ4 rather than zstd (importTable's `scratch`).
    await importTable({ input: path, format, kind, symbol, out: dir, scratch: true });
    const manifest = await readManifest(dir);
    return { dir, manifest, source: path, cleanup: remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** What a run assumes reading close-only file `path` (`rows` closes in `column`) as bars. */
function closeOnlyAssumption(symbol: string, path: string, column: string, rows: number): string {
  return `${symbol}: ${basename(path)} is a close-only series (column '${column}', ${rows} closes): each close is read as one bar at the file's own spacing, with open = high = low = close and volume 0, so an order filled at the next bar's open fills at the next close, and intrabar stops and limits see no range. For bars of another interval, import it with --kind closes and run \`tapedeck data resample\`.`;
}

/** How far apart bars may be from a standard interval and still be snapped to it (daily bars with weekend gaps). */
const SNAP_TOLERANCE = 0.01;

/**
 * How `symbol`'s first bars (up to 2048) are spaced: `median`, the median spacing snapped to a
 * standard interval within 1% (daily bars with weekend gaps have a median of one day); `least` and
 * `most`, the shortest and longest of the normal spacings, those within half and one and a half times
 * the median (a regular series: both the median; month-end bars: 28 and 31 days; weekends, holidays
 * and missing bars are gaps, not normal spacings). Null with fewer than 2 bars.
 */
export interface BarSpacing {
  readonly median: number;
  readonly least: number;
  readonly most: number;
}

export async function barSpacing(data: OpenedData, symbol: string): Promise<BarSpacing | null> {
  let ts: Float64Array | null = null;
  if (data.memory !== undefined) {
    ts = data.memory.columns['ts']!.slice(0, 2048);
  } else if (data.stream !== undefined) {
    ts = data.stream.csv.head['ts']!.slice(0, 2048);
  } else {
    const { openReader } = await loadDatasets();
    const reader = await openReader(data.dir, { kind: 'bars', symbols: [symbol], batchRows: 2048, columns: [] });
    try {
      for await (const b of reader) {
        ts = b.columns.ts!.slice(0, b.length);
        break;
      }
    } finally {
      reader.close();
    }
  }
  if (ts === null || ts.length < 2) return null;
  const d: number[] = [];
  for (let i = 1; i < ts.length; i++) d.push(ts[i]! - ts[i - 1]!);
  d.sort((a, b) => a - b);
  let median = d[d.length >> 1]!;
  if (!(median > 0)) throw new ConfigError('data.interval', `cannot infer the bar interval of ${symbol}: most of its first bars share a timestamp; set data.interval (e.g. "1d")`);
  const least = d.find((x) => x >= median / 2)!;
  let most = median;
  for (const x of d) if (x <= median * 1.5) most = x;
  for (const std of [US_PER_MINUTE, 5 * US_PER_MINUTE, 15 * US_PER_MINUTE, 30 * US_PER_MINUTE, US_PER_HOUR, US_PER_DAY]) {
    if (Math.abs(median - std) <= std * SNAP_TOLERANCE) {
      median = std;
      break;
    }
  }
  return { median, least: Math.min(least, median), most: Math.max(most, median) };
}

/**
 * The bar interval of each of `symbols` (the bar symbols of the run). Without `given` (data.interval)
 * each symbol's own median spacing (see barSpacing), so a dataset of daily and hourly symbols replays
 * each at its own interval, whatever the order the symbols are listed in. With `given`, it must not
 * contradict any symbol whose spacing can be measured: it must lie within 1% of the range of the
 * symbol's normal spacings (a regular series: its spacing; month-end bars: 28d to 31d). Otherwise a
 * ConfigError at data.interval names the given value, the symbol, its spacing and where the bars come
 * from: one interval for symbols of different spacings would make some bars visible before they
 * closed, and a wrong one would move every decision.
 */
export async function barIntervals(data: OpenedData, symbols: readonly string[], given?: string): Promise<Map<string, number>> {
  const givenUs = given !== undefined ? parseDurationUs(given, 'data.interval') : null;
  const out = new Map<string, number>();
  // In name order, so which symbol a message names does not depend on the order they were listed in.
  for (const s of [...symbols].sort()) {
    const spacing = await barSpacing(data, s);
    if (givenUs !== null) {
      if (spacing !== null && (givenUs < spacing.least * (1 - SNAP_TOLERANCE) || givenUs > spacing.most * (1 + SNAP_TOLERANCE))) {
        const has = spacing.least === spacing.most ? `${formatInterval(spacing.median)} apart` : `${formatInterval(spacing.least)} to ${formatInterval(spacing.most)} apart`;
        const fits = spacing.least === spacing.most ? formatInterval(spacing.median) : `${formatInterval(spacing.least)} to ${formatInterval(spacing.most)}`;
        throw new ConfigError('data.interval', `${printable(given!)} contradicts the bars of ${s} in ${data.source} (${has}): give ${fits}, or remove data.interval to use each symbol's own spacing`);
      }
      out.set(s, givenUs);
    } else {
      if (spacing === null) throw new ConfigError('data.interval', `cannot infer the bar interval of ${s} from fewer than 2 bars: set data.interval (e.g. "1d")`);
      out.set(s, spacing.median);
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
 * Opens the bar feed of a dataset: one reader when every symbol has one interval, else one per
 * interval, merged by close time (see mergeBarFeeds). The caller closes the readers.
 */
export async function openBarFeed(bars: OpenedData, barSymbols: readonly string[], runSymbols: readonly string[], intervals: ReadonlyMap<string, number>, range: TimeRange, stamp: BarTimestamp): Promise<{ feed: AsyncIterable<BarBatch>; readers: DatasetReader[] }> {
  const memory = bars.memory;
  if (memory !== undefined) {
    const map = Int32Array.of(runSymbols.indexOf(memory.symbol));
    return { feed: timedBars(memoryBars(memory, range), map, intervals.get(memory.symbol)!, stamp), readers: [] };
  }
  const stream = bars.stream;
  if (stream !== undefined) {
    const map = Int32Array.of(runSymbols.indexOf(stream.symbol));
    return { feed: timedBars(streamBars(stream.csv, range), map, intervals.get(stream.symbol)!, stamp), readers: [] };
  }
  const groups = new Map<number, string[]>();
  for (const s of barSymbols) {
    const us = intervals.get(s)!;
    groups.set(us, [...(groups.get(us) ?? []), s]);
  }
  const { openReader } = await loadDatasets();
  const readers: DatasetReader[] = [];
  const feeds: AsyncIterable<BarBatch>[] = [];
  try {
    for (const [us, symbols] of [...groups.entries()].sort(([a], [b]) => a - b)) {
      const r = await openReader(bars.dir, { kind: 'bars', symbols, ...range });
      readers.push(r);
      feeds.push(barFeed(r, codeMap(r, runSymbols), us, stamp));
    }
  } catch (err) {
    for (const r of readers) r.close();
    throw err;
  }
  return { feed: feeds.length === 1 ? feeds[0]! : mergeBarFeeds(feeds, runSymbols), readers };
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

/**
 * The bars of one reader as a replay feed: each bar's open and close by `stamp` (data.barTimestamp,
 * see cli/compose/bar-timing.ts: a bar never closes after the next bar of its symbol opens), rows in
 * close-time order, symbols mapped to the run's.
 */
export function barFeed(reader: DatasetReader, map: Int32Array, intervalUs: number, stamp: BarTimestamp = 'open'): AsyncGenerator<BarBatch> {
  return timedBars(stampedBars(reader), map, intervalUs, stamp);
}

/** Rows per batch of memoryBars: a dataset reader's default batch. */
const MEMORY_BATCH_ROWS = 65536;

/** The rows of `range` (start <= ts < end) of bars held in memory, `start` to `end`: ts never decreases. */
function rangeOf(memory: MemoryBars, range: TimeRange): { from: number; to: number } {
  const ts = memory.columns['ts']!;
  const first = (t: number | undefined, dflt: number): number => {
    if (t === undefined) return dflt;
    let lo = 0;
    let hi = memory.rows;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const from = first(range.start, 0);
  return { from, to: Math.max(from, first(range.end, memory.rows)) };
}

/** Bars held in memory as a dataset reader gives them: rows of `range`, in batches of MEMORY_BATCH_ROWS (views, never written). */
async function* memoryBars(memory: MemoryBars, range: TimeRange): AsyncGenerator<StampedBars> {
  const { from, to } = rangeOf(memory, range);
  const c = memory.columns;
  const codes = new Int32Array(Math.min(MEMORY_BATCH_ROWS, to - from)); // one symbol: code 0
  for (let at = from; at < to; at += MEMORY_BATCH_ROWS) {
    const end = Math.min(to, at + MEMORY_BATCH_ROWS);
    const cut = (name: string): Float64Array => c[name]!.subarray(at, end);
    yield { length: end - at, symbol: codes.subarray(0, end - at), ts: cut('ts'), open: cut('open'), high: cut('high'), low: cut('low'), close: cut('close'), volume: cut('volume') };
  }
}

/**
 * The rows of `range` of a streamed CSV file as a dataset reader gives them: one pass over the file
 * (every row is checked, those outside the range too, as an import checks them), a batch per DuckDB
 * chunk (2,048 rows; its fresh arrays, never written, as views). `ts` never decreases (checked
 * before a chunk is handed on).
 *
 * A batch per chunk, not the dataset reader's 65,536 rows: DuckDB reads the file on one thread, a
 * chunk per fetch, and only while a fetch is under way (one is, while a batch replays). Collecting 32
 * chunks into a batch had the replay wait for 31 of them after each batch, ~1.2 s of the main thread
 * idle in a 2.5 M-bar run (CPU profile), and copied every row once more; a batch per chunk replays
 * while DuckDB reads the next.
 */
async function* streamBars(csv: CsvStream, range: TimeRange): AsyncGenerator<StampedBars> {
  const start = range.start ?? Number.NEGATIVE_INFINITY;
  const end = range.end ?? Number.POSITIVE_INFINITY;
  let codes = new Int32Array(0); // one symbol: code 0
  for await (const chunk of csv.pass()) {
    const ts = chunk.cols['ts'] as Float64Array;
    let from = 0;
    while (from < chunk.n && ts[from]! < start) from++;
    let to = from;
    while (to < chunk.n && ts[to]! < end) to++;
    if (from === to) continue;
    if (codes.length < to - from) codes = new Int32Array(to - from);
    const cut = (k: (typeof BAR_COLUMNS)[number]): Float64Array => (chunk.cols[k] as Float64Array).subarray(from, to);
    yield { length: to - from, symbol: codes.subarray(0, to - from), ts: cut('ts'), open: cut('open'), high: cut('high'), low: cut('low'), close: cut('close'), volume: cut('volume') };
  }
}

const BAR_COLUMNS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;

async function* stampedBars(reader: DatasetReader): AsyncGenerator<StampedBars> {
  for await (const b of reader) {
    const c = b.columns;
    yield { length: b.length, symbol: b.symbol, ts: c.ts!, open: c.open!, high: c.high!, low: c.low!, close: c.close!, volume: c.volume! };
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


export async function* bookFeed(reader: DatasetReader, map: Int32Array): AsyncGenerator<BookBatch> {
  for await (const b of reader) {
    const symbol = Int32Array.from(b.symbol, (c) => map[c]!);
    const c = b.columns;
    yield { length: b.length, ts: c.ts!, symbol, side: c.side!, price: c.price!, size: c.size!, action: c.action!, flags: c.flags! };
  }
}

/** A run's time range, microseconds (data.start inclusive, data.end exclusive); either may be absent. */
export interface TimeRange {
  readonly start?: number;
  readonly end?: number;
}

/** The feeds of one replay (each read once), and how to release what they hold open. */
export interface RunFeeds extends Omit<ReplayFeeds, 'chains' | 'sentiment'> {
  close(): void;
}

/**
 * A scenario's data, opened and checked: what every way of running a scenario replays. `venue`
 * says which simulated venue the data calls for: `l2` when it has book rows (the order book with
 * latency and queue models), else `bars` (bar and L1 fills).
 */
export interface RunData {
  readonly venue: 'bars' | 'l2';
  /** Replayed underlying symbols (requested, else every symbol of the data, sorted). */
  readonly symbols: readonly string[];
  readonly range: TimeRange;
  /** The shortest bar interval (the run's equity sampling step), null without bars. */
  readonly intervalUs: number | null;
  /** Each bar symbol's interval (given or inferred per symbol; see barIntervals). */
  readonly intervals: ReadonlyMap<string, number>;
  /** Option chains of the underlyings (data.options), in memory; null without. */
  readonly chains: LoadedChains | null;
  /** Sentiment scores of the symbols (data.sentiment), in memory; null without. */
  readonly sentiment: LoadedSentiment | null;
  /** The bars resampled to each of data.timeframes (in memory, see cli/compose/timeframes.ts); empty without. */
  readonly timeframes: readonly TimeframeBars[];
  /** Which kinds the replay has. */
  readonly has: { readonly bars: boolean; readonly quotes: boolean; readonly trades: boolean; readonly book: boolean };
  /** Where the data came from, for report.json (barInterval filled in). */
  readonly provenance: DataProvenance;
  /** What the run assumes about its data (a close-only file read as bars), for the report's assumptions. */
  readonly assumptions: readonly string[];
  /** Rows per kind and symbol by the manifests (a bound when data.start/end cut the tape), for progress and sampling. */
  rows(kind: 'bars' | 'quotes' | 'trades' | 'book', symbol: string): number;
  /** Bars of `symbol` in the run's range, counted up to `atLeast`. */
  barsInRange(symbol: string, atLeast: number): Promise<number>;
  /** Opens the feeds for one replay. */
  openFeeds(): Promise<RunFeeds>;
  /** Releases the data (temporary imports are removed). */
  close(): Promise<void>;
}

type FeedKind = 'bars' | 'quotes' | 'trades' | 'book';

/** Parses data.start/data.end into a range, checking end > start. */
function timeRange(scenario: QualifiedScenario): TimeRange {
  const start = scenario.data.start !== undefined ? parseIsoUs(scenario.data.start, 'data.start') : undefined;
  const end = scenario.data.end !== undefined ? parseIsoUs(scenario.data.end, 'data.end') : undefined;
  if (start !== undefined && end !== undefined && end <= start) throw new ConfigError('data.end', `must be after data.start (${scenario.data.start}), was ${scenario.data.end}`);
  return { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
}

/**
 * Opens a scenario's data: bars, quotes, trades or book rows, and option chains (importing a
 * CSV/Parquet file into a temporary dataset first); checks the requested symbols and the date
 * range; works out each bar symbol's interval. The caller closes the result (when this throws,
 * what was opened is cleaned up here). `options.session`: a one-thread DuckDB session that stays open
 * past the run's data, for the read of a small CSV file of bars (see openDataPath).
 */
export async function openRunData(scenario: QualifiedScenario, options: { session?: DuckSession } = {}): Promise<RunData> {
  const opened: OpenedData[] = [];
  const cleanup = async (): Promise<void> => {
    for (const d of opened) await d.cleanup();
  };
  try {
    const requested = scenario.data.symbols;
    const sources: Partial<Record<FeedKind, OpenedData>> = {};
    for (const kind of ['bars', 'quotes', 'trades', 'book'] as const) {
      const path = scenario.data[kind];
      if (path === undefined) continue;
      // Bars of a CSV file are read straight into memory unless data.timeframes resamples them from a dataset.
      const direct = kind === 'bars' && scenario.data.timeframes === undefined;
      const d = await openDataPath(path, kind, kind, requested, direct, DIRECT_CSV_BYTES, direct ? options.session : undefined);
      opened.push(d);
      sources[kind] = d;
    }
    const venue = sources.book !== undefined ? 'l2' : 'bars';
    // An L2 run replays the symbols with book rows; trades may add prints for some of them.
    const symbolKinds: readonly FeedKind[] = venue === 'l2' ? ['book'] : ['bars', 'quotes', 'trades'];
    const available = new Set<string>();
    for (const kind of symbolKinds) {
      const d = sources[kind];
      if (d) for (const f of tablesOf(d)) if (f.kind === kind) available.add(f.symbol);
    }
    const symbols = requested ? [...requested] : [...available].sort();
    for (const [i, s] of symbols.entries()) {
      if (!available.has(s)) {
        throw new ConfigError(`data.symbols[${i}]`, venue === 'l2' ? `symbol '${s}' has no book in the data (available: ${[...available].sort().join(', ')})` : `symbol '${s}' is not in the data (available: ${[...available].sort().join(', ')})`);
      }
    }
    const range = timeRange(scenario);
    const symbolsOf = (kind: FeedKind): string[] => {
      const d = sources[kind];
      return d ? symbols.filter((s) => tablesOf(d).some((f) => f.kind === kind && f.symbol === s)) : [];
    };
    const intervals = sources.bars ? await barIntervals(sources.bars, symbolsOf('bars'), scenario.data.interval) : new Map<string, number>();
    const intervalUs = intervals.size > 0 ? Math.min(...intervals.values()) : null;
    const timeframes =
      scenario.data.timeframes !== undefined && sources.bars !== undefined
        ? await loadTimeframes(sources.bars, parseTimeframes(scenario.data.timeframes, scenario.file), symbolsOf('bars'), intervals, range, formatInterval, scenario.data.barTimestamp ?? 'open')
        : [];
    let chains: LoadedChains | null = null;
    if (scenario.data.options !== undefined) {
      const od = await openDataPath(scenario.data.options, 'options', 'options', requested);
      opened.push(od);
      const underlyings = symbols.filter((s) => od.manifest.files.some((f) => f.kind === 'options' && f.symbol === s));
      if (underlyings.length === 0) throw new ConfigError('data.options', `no option chains for ${symbols.join(', ')} in ${od.source}`);
      chains = await loadOptionChains(od.dir, underlyings, range, scenario.options?.multiplier ?? 100);
    }
    let sentiment: LoadedSentiment | null = null;
    if (scenario.data.sentiment !== undefined) {
      const sd = await openDataPath(scenario.data.sentiment, 'sentiment', 'sentiment', requested);
      opened.push(sd);
      const has = sd.manifest.files.filter((f) => f.kind === 'sentiment').map((f) => f.symbol);
      sentiment = await loadSentiment(sd.dir, sd.source, symbols, has, range);
    }
    const primary = (sources.book ?? sources.bars ?? sources.quotes ?? sources.trades)!;
    // Read from the manifests when first asked for (the report, once the replay is done): a streamed
    // file's manifest exists only once a replay has checked every row.
    let provenance: DataProvenance | null = null;
    const provenanceOf = (): DataProvenance => ({
      source: primary.source,
      kinds: [...new Set(opened.flatMap((d) => d.manifest.kinds))],
      symbols,
      start: primary.manifest.start,
      end: primary.manifest.end,
      rows: primary.manifest.rows,
      contentHash: primary.manifest.contentHash,
      barInterval: describeIntervals(intervals),
    });
    const rows = (kind: FeedKind, symbol: string): number => {
      const d = sources[kind];
      return d === undefined ? 0 : (tablesOf(d).find((f) => f.kind === kind && f.symbol === symbol)?.rows ?? 0);
    };
    return {
      venue,
      symbols,
      range,
      intervalUs,
      intervals,
      chains,
      sentiment,
      timeframes,
      has: { bars: sources.bars !== undefined, quotes: sources.quotes !== undefined, trades: sources.trades !== undefined, book: sources.book !== undefined },
      get provenance(): DataProvenance {
        provenance ??= provenanceOf();
        return provenance;
      },
      assumptions: opened.flatMap((d) => d.assumptions ?? []),
      rows,
      async barsInRange(symbol: string, atLeast: number): Promise<number> {
        const bars = sources.bars;
        if (!bars) return 0;
        const total = rows('bars', symbol);
        if (range.start === undefined && range.end === undefined) return total;
        if (total < atLeast) return total;
        if (bars.memory !== undefined) {
          const { from, to } = rangeOf(bars.memory, range);
          return to - from;
        }
        if (bars.stream !== undefined) {
          // Through the checks: a bad row before the bars counted fails here, as an import would first.
          let n = 0;
          for await (const b of streamBars(bars.stream.csv, range)) {
            n += b.length;
            if (n >= atLeast) break;
          }
          return n;
        }
        const { openReader } = await loadDatasets();
        const reader = await openReader(bars.dir, { kind: 'bars', symbols: [symbol], columns: [], ...range });
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
      },
      async openFeeds(): Promise<RunFeeds> {
        const { openReader } = await loadDatasets();
        const readers: DatasetReader[] = [];
        const close = (): void => {
          for (const r of readers) r.close();
        };
        try {
          const feeds: { bars?: AsyncIterable<BarBatch>; quotes?: AsyncIterable<QuoteBatch>; trades?: AsyncIterable<TradeBatch>; book?: AsyncIterable<BookBatch> } = {};
          if (sources.bars) {
            const b = await openBarFeed(sources.bars, symbolsOf('bars'), symbols, intervals, range, scenario.data.barTimestamp ?? 'open');
            readers.push(...b.readers);
            feeds.bars = b.feed;
          }
          if (sources.quotes) {
            const r = await openReader(sources.quotes.dir, { kind: 'quotes', symbols: symbolsOf('quotes'), ...range });
            readers.push(r);
            feeds.quotes = quoteFeed(r, codeMap(r, symbols));
          }
          if (sources.trades) {
            const r = await openReader(sources.trades.dir, { kind: 'trades', symbols: symbolsOf('trades'), ...range });
            readers.push(r);
            feeds.trades = tradeFeed(r, codeMap(r, symbols));
          }
          if (sources.book) {
            const r = await openReader(sources.book.dir, { kind: 'book', symbols: [...symbols], ...range });
            readers.push(r);
            feeds.book = bookFeed(r, codeMap(r, symbols));
          }
          return { ...feeds, close };
        } catch (err) {
          close();
          throw err;
        }
      },
      close: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function collect<T>(feed: AsyncIterable<T> | undefined): Promise<T[] | null> {
  if (feed === undefined) return null;
  const out: T[] = [];
  for await (const b of feed) out.push(b);
  return out;
}

/** The batches of every feed of a RunData, read into memory (null: the data has no such feed). */
export interface RunBatches {
  readonly bars: readonly BarBatch[] | null;
  readonly quotes: readonly QuoteBatch[] | null;
  readonly trades: readonly TradeBatch[] | null;
  readonly book: readonly BookBatch[] | null;
}

/** What a RunData is besides its feeds: the facts a replay reads before and beside them. */
export type RunDataFacts = Omit<RunData, 'openFeeds' | 'close' | 'barsInRange'>;

/**
 * Reads every feed of `data` into memory once and returns a RunData that replays it from there (as
 * many times as asked), then closes `data`. The batches are shared between replays: the replay
 * never writes into a batch it is given.
 */
export async function inMemory(data: RunData): Promise<RunData> {
  let batches: RunBatches;
  try {
    const feeds = await data.openFeeds();
    try {
      batches = { bars: await collect(feeds.bars), quotes: await collect(feeds.quotes), trades: await collect(feeds.trades), book: await collect(feeds.book) };
    } finally {
      feeds.close();
    }
  } finally {
    await data.close();
  }
  const { openFeeds: _o, close: _c, barsInRange: _b, ...facts } = data;
  return replayFromMemory(facts, batches);
}

/** Returns a RunData replaying `batches` (see {@link inMemory}); `facts` say what the data is. */
export function replayFromMemory(facts: RunDataFacts, batches: RunBatches): RunData {
  const barCounts = new Map<number, number>();
  for (const b of batches.bars ?? []) for (let i = 0; i < b.length; i++) barCounts.set(b.symbol[i]!, (barCounts.get(b.symbol[i]!) ?? 0) + 1);
  return {
    ...facts,
    async barsInRange(symbol: string): Promise<number> {
      return barCounts.get(facts.symbols.indexOf(symbol)) ?? 0;
    },
    async openFeeds(): Promise<RunFeeds> {
      return {
        ...(batches.bars ? { bars: fromArray(batches.bars) } : {}),
        ...(batches.quotes ? { quotes: fromArray(batches.quotes) } : {}),
        ...(batches.trades ? { trades: fromArray(batches.trades) } : {}),
        ...(batches.book ? { book: fromArray(batches.book) } : {}),
        close: () => {},
      };
    },
    close: async () => {},
  };
}

/** Throws the DataError of a replay that saw no event in the run's range. */
export function noDataError(scenario: QualifiedScenario, symbols: readonly string[], what = 'data'): DataError {
  return new DataError(`no ${what} in the selected range${scenario.data.start || scenario.data.end ? ` (${scenario.data.start ?? '…'} to ${scenario.data.end ?? '…'})` : ''} for ${symbols.join(', ')}`);
}
