import { createHash } from 'node:crypto';
import { randomStream } from '../../engine/core/index.js';
import type { TrialParams } from './space.js';

/**
 * Trials: identity, results and the runner-module contract. A trial is a pure function of
 * (scenario, params, trial seed); its key is the hash of its canonical params, its seed is derived
 * from (sweep seed, key), so neither depends on the order trials run in or on the number of workers.
 */

/** The metrics a trial reports (a subset of the run report's, plus the moments the DSR needs). */
export interface TrialMetrics {
  readonly finalEquity: number;
  readonly totalReturn: number;
  /** Annualized, as in report.json; null when undefined for the data. */
  readonly sharpe: number | null;
  readonly sortino: number | null;
  /** Positive fraction of the peak. */
  readonly maxDrawdown: number;
  readonly tradeCount: number;
  readonly winRate: number | null;
  readonly profitFactor: number | null;
  readonly cagr: number | null;
  /** Number of per-period returns T. */
  readonly observations: number;
  /** Per-period Sharpe ratio (mean / sample std of the per-period returns); null with no dispersion. */
  readonly periodSharpe: number | null;
  /** Skewness and raw kurtosis (normal = 3) of the per-period returns; null with no dispersion. */
  readonly skewness: number | null;
  readonly kurtosis: number | null;
  /**
   * When the trial's account was ruined (ISO-8601: equity at or below zero at an equity sample, and
   * trading ended then), or null when never; absent in trial stores written before accounts existed.
   */
  readonly ruinedAt?: string | null;
}

/** Names of the metrics a fitness expression may weight. */
export const TRIAL_METRIC_NAMES = [
  'finalEquity',
  'totalReturn',
  'sharpe',
  'sortino',
  'maxDrawdown',
  'tradeCount',
  'winRate',
  'profitFactor',
  'cagr',
  'periodSharpe',
] as const satisfies readonly (keyof TrialMetrics)[];
export type TrialMetricName = (typeof TRIAL_METRIC_NAMES)[number];

/** What a trial runner returns for one successful trial. */
export interface TrialOutput {
  readonly metrics: TrialMetrics;
  readonly runHash: string;
  /** Per-period returns of the equity curve (length = metrics.observations). */
  readonly returns: Float64Array;
}

/** One unit of work: the scenario document (JSON), the parameters to apply and the trial seed. */
export interface TrialTask {
  readonly key: string;
  readonly scenario: unknown;
  readonly params: TrialParams;
  readonly seed: number;
  /**
   * Measures only the part of the run from this time on (microseconds; see {@link TrialRunOptions}).
   * Absent: the whole run. The walk-forward's warm start sets it to the test window's start.
   */
  readonly measureFromUs?: number;
}

/** Options of one trial run. */
export interface TrialRunOptions {
  /**
   * The run replays all its data, but metrics, per-period returns and equity cover only the equity
   * samples at or after this time (microseconds), rebased on the last sample before it; trades and
   * fills count from it on. Absent: the whole run.
   */
  readonly measureFromUs?: number;
  /**
   * What the runner module's `prepareSharedData` returned in the main thread (local pools only: the
   * queue never carries it). A runner uses it for a trial whose data it describes and ignores it
   * otherwise, so a trial's result never depends on it.
   */
  readonly shared?: unknown;
}

/** A finished trial, successful or failed. */
export type TrialResult = TrialOk | TrialFailed;

export interface TrialOk {
  readonly status: 'ok';
  readonly key: string;
  readonly params: TrialParams;
  readonly seed: number;
  readonly metrics: TrialMetrics;
  readonly runHash: string;
  readonly returns: Float64Array;
}

export interface TrialFailed {
  readonly status: 'failed';
  readonly key: string;
  readonly params: TrialParams;
  readonly seed: number;
  /** The one-line error message of the exception the trial threw. */
  readonly error: string;
}

/**
 * The contract of a trial runner module. sim/research cannot import the data layer or reports, so the
 * caller names a module (an absolute path or file URL) that exports `createTrialRunner`; each worker
 * imports it once and keeps the runner (and the data it loaded) for all its trials.
 */
export interface TrialRunner {
  /**
   * Runs one trial: applies `params` (dotted paths) and `seed` to `scenario`, replays it and returns
   * its metrics, runHash (of the whole replay) and per-period returns (of the measured part, see
   * {@link TrialRunOptions}). Throws for a trial that cannot run (the pool records
   * it as failed with the message). Data opened for one scenario is reused by later trials.
   */
  runTrial(scenario: unknown, params: TrialParams, seed: number, options?: TrialRunOptions): Promise<TrialOutput>;
  /** Releases what the runner holds (data, connections). */
  close?(): Promise<void> | void;
}

/** The exports a trial runner module must have. */
export interface TrialRunnerModule {
  createTrialRunner(): Promise<TrialRunner> | TrialRunner;
  /**
   * Optional: reads, in the main thread, the data of the trials of `scenario` once, for every worker
   * of a local pool (see LocalExecutorOptions.shared); resolves to null when it cannot (the workers then
   * read the data themselves and report its errors per trial, as without it).
   */
  prepareSharedData?(scenario: unknown): Promise<unknown>;
}

/** Returns the canonical JSON of a value: object keys sorted at every level, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`canonicalJson: not a finite number, was ${value}`);
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/** Returns the SHA-256 hex digest of a string. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Returns the key of a trial: the first 16 hex digits of SHA-256 over its canonical params. */
export function trialKey(params: TrialParams): string {
  return sha256Hex(canonicalJson(params)).slice(0, 16);
}

/** Returns the seed of a trial, derived from (sweep seed, trial key): an integer in [0, 2^31). */
export function trialSeed(sweepSeed: number, key: string): number {
  return Math.floor(randomStream(sweepSeed, 'sweep-trial', key).next() * 2 ** 31);
}

/**
 * Returns the combined hash of a set of trials: SHA-256 over `key runHash status` lines of the trials
 * sorted by key (a failed trial has an empty runHash). Equal for equal trial tables, whatever order or
 * process produced them.
 */
export function combinedHash(trials: readonly TrialResult[]): string {
  const sorted = [...trials].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const h = createHash('sha256');
  for (const t of sorted) h.update(`${t.key} ${t.status === 'ok' ? t.runHash : ''} ${t.status}\n`);
  return h.digest('hex');
}
