/**
 * Benchmark helpers shared by every bench/*.bench.ts file. A bench file exports
 * `export default async function run(): Promise<ThroughputResult[]>`; bench/run.ts collects and prints
 * the results. Timing uses process.hrtime.bigint(), allowed here and never in engine/ or sim/.
 */

/** One throughput figure: `median` items per second over `samples` timed runs. */
export interface ThroughputResult {
  name: string;
  /** 'events/s', 'rows/s', 'bars/s', 'ops/s', ... */
  unit: string;
  median: number;
  samples: number;
  note?: string;
  /** Median items per CPU-second of this process (user + system): what one core delivers while the
   * benchmark has it, which stays meaningful when other processes load the machine. Only for
   * single-threaded work; absent when not measured. */
  cpuMedian?: number;
}

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** Timed runs; the result is their median. Default 7. */
  runs?: number;
  /** Untimed runs first, so the JIT has compiled the hot path. Default 2. */
  warmup?: number;
  /** Shown next to the figure. */
  note?: string;
  /** Also report the CPU-time rate (`cpuMedian`). Default false: only meaningful for single-threaded
   * work; with DuckDB or worker threads the process CPU time sums over threads. */
  cpuTime?: boolean;
  /** Called before every run (timed or not), outside the timing, e.g. to rebuild sources. */
  setup?: () => void | Promise<void>;
}

/** Returns the median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Returns the wall-clock seconds `fn` takes (awaiting it if it returns a Promise). */
export async function timeSeconds(fn: () => unknown): Promise<number> {
  return (await timeWallAndCpu(fn)).wall;
}

/** Returns the wall-clock and process CPU seconds (user + system) `fn` takes. */
export async function timeWallAndCpu(fn: () => unknown): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = fn();
  if (r instanceof Promise) await r;
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

/**
 * Runs `fn` `warmup + runs` times and returns the median throughput of the timed runs:
 * `itemsPerRun / seconds` in `unit`.
 */
export async function measure(
  name: string,
  unit: string,
  itemsPerRun: number,
  fn: () => unknown,
  options: MeasureOptions = {},
): Promise<ThroughputResult> {
  const runs = options.runs ?? 7;
  const warmup = options.warmup ?? 2;
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let r = 0; r < warmup + runs; r++) {
    if (options.setup) await options.setup();
    const t = await timeWallAndCpu(fn);
    if (r >= warmup) {
      rates.push(itemsPerRun / t.wall);
      cpuRates.push(itemsPerRun / t.cpu);
    }
  }
  const result: ThroughputResult = { name, unit, median: median(rates), samples: runs };
  if (options.cpuTime === true) result.cpuMedian = median(cpuRates);
  if (options.note !== undefined) result.note = options.note;
  return result;
}

/** Returns `value` with SI suffixes, e.g. 12 345 678 -> "12.35 M"; NaN (not measured) is "-". */
export function formatRate(value: number): string {
  if (Number.isNaN(value)) return '-';
  if (!Number.isFinite(value)) return String(value);
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} G`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(2)} k`;
  return value.toFixed(2);
}

/**
 * Returns the rows as a Markdown table `name | median | cpu median | unit | samples` (`note` when
 * any); `cpu median` is the rate per CPU-second ({@link ThroughputResult.cpuMedian}), '-' if absent.
 */
export function formatTable(results: readonly ThroughputResult[]): string {
  const withNotes = results.some((r) => r.note !== undefined);
  const header = ['name', 'median', 'cpu median', 'unit', 'samples', ...(withNotes ? ['note'] : [])];
  const rows = results.map((r) => [
    r.name,
    formatRate(r.median),
    r.cpuMedian === undefined ? '-' : formatRate(r.cpuMedian),
    r.unit,
    String(r.samples),
    ...(withNotes ? [r.note ?? ''] : []),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
