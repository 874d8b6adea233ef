import { checkFinite, checkPositive, InvalidArgumentError } from '../../../engine/core/index.js';
import { equityReturns } from '../return-moments.js';

/**
 * The measured part of a run that replayed more than it is judged on: a warm-started walk-forward
 * test run replays the train window so a learning strategy arrives at the test window with what it
 * learned, but only the test window counts. Light (no I/O, no sim/backtest import): the trial
 * runner loads it in every worker.
 */

/** What {@link measuredWindow} reads of a finished run (BacktestResult has these fields). */
export interface MeasurableRun<T extends { readonly exitTs: number }, F extends { readonly ts: number }> {
  readonly initialCash: number;
  /** Equity samples: `ts[i]` is the open time of the bar after which `equity[i]` was taken. */
  readonly equity: { readonly ts: ArrayLike<number>; readonly equity: ArrayLike<number>; readonly grossExposure: ArrayLike<number> };
  readonly trades: readonly T[];
  readonly fills: readonly F[];
}

/** The measured part of a run, rebased so its equity starts at the run's initial cash. */
export interface MeasuredWindow<T, F> {
  /** Index in the run's equity samples of the base sample (the last one before `fromUs`). */
  readonly baseIndex: number;
  /** Time and raw equity of the base sample. */
  readonly baseTs: number;
  readonly baseEquity: number;
  /** The base sample and every sample from `fromUs` on, equity scaled by initialCash / baseEquity. */
  readonly equity: { readonly ts: Float64Array; readonly equity: Float64Array };
  /** Gross exposure of the same samples (not scaled: only its sign per bar matters to the metrics). */
  readonly exposure: Float64Array;
  /** Per-period returns of the measured samples (from the raw equity, so equal to the run's own returns there). */
  readonly returns: Float64Array;
  /** Closed trades that exit at or after `fromUs`, and fills at or after it. */
  readonly trades: readonly T[];
  readonly fills: readonly F[];
  /** The base of the rebased curve: the run's initial cash. */
  readonly initialCash: number;
}

/**
 * Returns the part of `run` measured from `fromUs` (microseconds): the equity samples with
 * `ts >= fromUs` preceded by the last sample before it, which is the base (the account at the
 * window's start: a bar's sample carries the bar's open time, so the base is the close of the last
 * bar before the window). The curve is rescaled to start at `initialCash`, so figures compare with a
 * run that started cold at `fromUs`; returns are unchanged by the rescaling. When no sample precedes
 * `fromUs` the first sample is the base. Throws when no sample is at or after `fromUs`.
 */
export function measuredWindow<T extends { readonly exitTs: number }, F extends { readonly ts: number }>(run: MeasurableRun<T, F>, fromUs: number): MeasuredWindow<T, F> {
  checkFinite(fromUs, 'measureFromUs');
  checkPositive(run.initialCash, 'initialCash');
  const { ts, equity, grossExposure } = run.equity;
  const n = ts.length;
  let first = 0;
  while (first < n && ts[first]! < fromUs) first++;
  if (first === n) {
    throw new InvalidArgumentError(`invalid 'measureFromUs': no equity sample at or after it (${n} samples, last at ${n > 0 ? ts[n - 1] : 'none'}), was ${fromUs}`);
  }
  const base = first > 0 ? first - 1 : 0;
  const baseEquity = equity[base]!;
  if (!(baseEquity > 0)) throw new InvalidArgumentError(`invalid 'measureFromUs': the equity at the window's start is not positive, was ${baseEquity}`);
  const m = n - base;
  const outTs = new Float64Array(m);
  const outEquity = new Float64Array(m);
  const raw = new Float64Array(m);
  const exposure = new Float64Array(m);
  const scale = run.initialCash / baseEquity;
  for (let i = 0; i < m; i++) {
    outTs[i] = ts[base + i]!;
    raw[i] = equity[base + i]!;
    outEquity[i] = i === 0 ? run.initialCash : raw[i]! * scale;
    exposure[i] = grossExposure[base + i]!;
  }
  return {
    baseIndex: base,
    baseTs: ts[base]!,
    baseEquity,
    equity: { ts: outTs, equity: outEquity },
    exposure,
    returns: equityReturns(raw),
    trades: run.trades.filter((t) => t.exitTs >= fromUs),
    fills: run.fills.filter((f) => f.ts >= fromUs),
    initialCash: run.initialCash,
  };
}
