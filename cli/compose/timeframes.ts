import { createHash } from 'node:crypto';
import { ConfigError, parseDurationUs, printable } from '../../engine/core/index.js';
import { loadResample } from './lazy-datasets.js';
import type { TimeframeBars } from '../../engine/kernel/bar-cache.js';
import type { Manifest } from '../../datasets/manifest.js';
import type { ResampledBars } from '../../datasets/resample.js';

/**
 * Multi-timeframe data (scenario `data.timeframes`): each requested interval is resampled by DuckDB
 * from the run's own bars when the data is opened, held in memory as typed-array columns (a coarse
 * series is small) and read by strategies through `ctx.bars(symbol, '1d')`. A coarse bar is readable
 * from the first event at or after its bucket's end (see CoarseBarView); buckets are UTC epoch
 * buckets, and only buckets wholly inside the run's range (data.start/data.end, a walk-forward
 * fold's window with its warm-up) are built, so none is ever partial.
 */

/** A requested timeframe: as written, and its length. */
export interface Timeframe {
  readonly label: string;
  readonly us: number;
}

/**
 * Parses `data.timeframes`: each a positive duration, no two of the same length (`1d` and `24h`).
 * Throws a ConfigError at `data.timeframes[i]`; `file` names the scenario in the message.
 */
export function parseTimeframes(texts: readonly string[], file: string): Timeframe[] {
  const out: Timeframe[] = [];
  texts.forEach((label, i) => {
    const path = `data.timeframes[${i}]`;
    let us: number;
    try {
      us = parseDurationUs(label, path);
    } catch (err) {
      throw new ConfigError(path, `${(err as Error).message.replace(/^invalid '[^']*': /, '')} (in ${file})`);
    }
    if (!(us > 0)) throw new ConfigError(path, `must be longer than zero, was ${printable(label)} (in ${file})`);
    const same = out.findIndex((t) => t.us === us);
    if (same >= 0) throw new ConfigError(path, `${printable(label)} is the same interval as data.timeframes[${same}] (${printable(out[same]!.label)}) (in ${file})`);
    out.push({ label, us });
  });
  return out;
}

/**
 * Resamples the bars of `symbols` (each replayed at its interval in `intervals`) into every
 * timeframe, over `range`. A timeframe must be a whole multiple of every symbol's bar interval (a
 * 90m bar cannot be built from hourly bars without splitting one): else a ConfigError at
 * `data.timeframes[i]` naming the symbol and its interval.
 */
export async function loadTimeframes(
  dataset: { readonly dir: string; readonly manifest: Manifest },
  timeframes: readonly Timeframe[],
  symbols: readonly string[],
  intervals: ReadonlyMap<string, number>,
  range: { readonly start?: number; readonly end?: number },
  describe: (us: number) => string,
  stamp: 'open' | 'close' = 'open',
): Promise<TimeframeBars[]> {
  timeframes.forEach((tf, i) => {
    for (const s of symbols) {
      const bar = intervals.get(s)!;
      if (tf.us % bar !== 0) {
        throw new ConfigError(`data.timeframes[${i}]`, `${printable(tf.label)} is not a whole multiple of the bar interval of ${s} (${describe(bar)}): a coarser bar is built from whole bars`);
      }
    }
  });
  // DuckDB is loaded when bars are resampled, not with this module (see lazy-datasets.ts).
  const { resampleBars } = await loadResample();
  const out: TimeframeBars[] = [];
  for (const tf of timeframes) {
    const bars = new Map<string, ResampledBars>();
    for (const s of symbols) {
      bars.set(s, await resampleBars(dataset.dir, dataset.manifest, { symbol: s, intervalUs: tf.us, barIntervalUs: intervals.get(s)!, ...(stamp === 'close' ? { stampOffsetUs: intervals.get(s)! } : {}), ...range }));
    }
    out.push({ label: tf.label, intervalUs: tf.us, bars });
  }
  return out;
}

/**
 * The runHash of a run with `data.timeframes`: the replay's hash folded with the set of intervals
 * (by length, sorted, so `["1d","1h"]`, `["1h","1d"]` and `["1h","24h"]` are one identity). A
 * requested timeframe is part of the run's identity whether or not a strategy reads it; without
 * timeframes the runHash is the replay's, unchanged.
 */
export function timeframeRunHash(runHash: string, timeframes: readonly { readonly intervalUs: number }[]): string {
  if (timeframes.length === 0) return runHash;
  const us = timeframes.map((t) => t.intervalUs).sort((a, b) => a - b);
  return createHash('sha256').update(`${runHash}\ntimeframes ${us.join(',')}\n`).digest('hex');
}
