import { z } from 'zod';
import { checkInteger, InvalidArgumentError } from '../engine/core/index.js';
import { deferredSchema } from '../engine/core/deferred-schema.js';
import type { PlotSeriesResult } from '../engine/kernel/index.js';

/**
 * The report's `indicators` section: the series strategies plotted (`ctx.plot`, see
 * StrategyContext.plot), per strategy id, per series key, each downsampled to at most
 * MAX_INDICATOR_POINTS points for the charts.
 */

/** Most points per series the report keeps (the result keeps every one). */
export const MAX_INDICATOR_POINTS = 2000;

/** One plotted series as report.json holds it. */
export interface IndicatorSeriesReport {
  /** The name the strategy gave it (the legend's label). */
  readonly name: string;
  /** The symbol whose price pane it belongs to. */
  readonly symbol: string;
  /** Drawn over the symbol's price (true) or in a pane of its own below it (false). */
  readonly overlay: boolean;
  readonly color?: string;
  /** Points the strategy plotted (one per timestamp), before any downsampling. */
  readonly points: number;
  /** Times, microseconds since the epoch, increasing (the time axis of `prices` and `equity`). */
  readonly ts: readonly number[];
  /** Values, same length as `ts`; null is a gap (NaN plotted). */
  readonly values: readonly (number | null)[];
}

/** Per strategy id, per series key (the name, or `name SYMBOL` when the strategy plots one name on several symbols). */
export type IndicatorsReport = Readonly<Record<string, Readonly<Record<string, IndicatorSeriesReport>>>>;

/**
 * report.json's `indicators`, built on first use (see deferredSchema): a run loads this module for
 * indicatorsSection and validates no report, and building the schema cost its start ~6.5 ms.
 */
export const IndicatorsSectionSchema = deferredSchema(() =>
  z
    .record(
      z.string(),
      z.record(
        z.string(),
        z.strictObject({
          name: z.string(),
          symbol: z.string(),
          overlay: z.boolean(),
          color: z.string().optional(),
          points: z.number().int(),
          ts: z.array(z.number().int()),
          values: z.array(z.number().nullable()),
        }),
      ),
    )
    .describe(
      "What the strategies plotted (ctx.plot), per strategy id, per series (keyed by its name, or 'name SYMBOL' when one name is plotted on several symbols): the symbol's price pane it belongs to, overlay (over the price) or its own pane, and at most 2000 points (min/max per bucket; null a gap). Absent when no strategy plotted.",
    ),
);

/**
 * Writes into `found` the indices of y[start..end)'s minimum and maximum (their first, NaN skipped; -1 when none) and
 * of its first NaN (-1 when none). A function of its own, so that V8 compiles this loop alone after a few buckets
 * (it is called once per bucket): with it inside minMaxIndices' bucket loop, V8 compiled minMaxIndices on stack
 * replacement, a larger graph, while a report's two 62k-point series ran interpreted.
 */
function bucketExtremes(y: ArrayLike<number>, start: number, end: number, found: Int32Array): void {
  let lo = -1;
  let hi = -1;
  let gap = -1;
  for (let i = start; i < end; i++) {
    const v = y[i]!;
    if (v !== v) {
      if (gap < 0) gap = i;
    } else {
      if (lo < 0 || v < y[lo]!) lo = i;
      if (hi < 0 || v > y[hi]!) hi = i;
    }
  }
  found[0] = lo;
  found[1] = hi;
  found[2] = gap;
}

/**
 * Returns the indices of at most `max` points of `y` that keep its shape for a line chart: for
 * `floor(max / 5)` buckets of equal count, each bucket's first and last point, its lowest and highest
 * finite value, and its first NaN (so a gap stays a gap). Series of at most `max` points come back whole.
 * Indices are strictly increasing; the choice depends on the data only.
 */
export function minMaxIndices(y: ArrayLike<number>, max: number = MAX_INDICATOR_POINTS): number[] {
  checkInteger(max, 'max');
  if (max < 5) throw new InvalidArgumentError(`invalid 'max': below 5, was ${max}`);
  const n = y.length;
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.floor(max / 5);
  const out: number[] = [];
  const picked = [0, 0, 0, 0, 0];
  const found = new Int32Array(3);
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    bucketExtremes(y, start, end, found);
    const lo = found[0]!;
    const hi = found[1]!;
    const gap = found[2]!;
    // The bucket's picks in order, each once: an insertion sort of at most five, in place (no array per bucket).
    let k = 0;
    picked[k++] = start;
    if (lo >= 0) picked[k++] = lo;
    if (hi >= 0) picked[k++] = hi;
    if (gap >= 0) picked[k++] = gap;
    picked[k++] = end - 1;
    for (let a = 1; a < k; a++) {
      const v = picked[a]!;
      let z = a - 1;
      while (z >= 0 && picked[z]! > v) picked[z + 1] = picked[z--]!;
      picked[z + 1] = v;
    }
    for (let j = 0; j < k; j++) if (j === 0 || picked[j] !== picked[j - 1]) out.push(picked[j]!);
  }
  return out;
}

/** The `indicators` section of a report from a run's plotted series (absent when there are none). */
export function indicatorsSection(series: readonly PlotSeriesResult[] | undefined, max: number = MAX_INDICATOR_POINTS): IndicatorsReport | undefined {
  if (series === undefined || series.length === 0) return undefined;
  // How many symbols each (strategy, name) is plotted on: a name on several needs the symbol in its key.
  const symbolsOf = new Map<string, number>();
  const pair = (s: PlotSeriesResult): string => `${s.strategyId}\u0000${s.name}`;
  for (const s of series) symbolsOf.set(pair(s), (symbolsOf.get(pair(s)) ?? 0) + 1);
  const byStrategy = new Map<string, [string, IndicatorSeriesReport][]>();
  for (const s of series) {
    const keep = minMaxIndices(s.values, max);
    const entry: IndicatorSeriesReport = {
      name: s.name,
      symbol: s.symbol,
      overlay: s.overlay,
      ...(s.color !== undefined ? { color: s.color } : {}),
      points: s.points,
      ts: keep.map((i) => s.ts[i]!),
      values: keep.map((i) => (Number.isNaN(s.values[i]!) ? null : s.values[i]!)),
    };
    let list = byStrategy.get(s.strategyId);
    if (list === undefined) byStrategy.set(s.strategyId, (list = []));
    const base = symbolsOf.get(pair(s))! > 1 ? `${s.name} ${s.symbol}` : s.name;
    // A name that happens to equal another's `name SYMBOL` key gets a number: no series hides another.
    let key = base;
    for (let k = 2; list.some(([taken]) => taken === key); k++) key = `${base} (${k})`;
    list.push([key, entry]);
  }
  // Object.fromEntries defines own keys: a series named `__proto__` stays a series.
  return Object.fromEntries([...byStrategy].map(([id, list]) => [id, Object.fromEntries(list)]));
}
