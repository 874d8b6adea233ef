import { deflatedSharpeRatio, expectedMaxSharpe, probabilityOfBacktestOverfitting } from '../../reports/index.js';
import type { SearchSpace, SweepOutcome, TrialMetrics, TrialParams } from '../../sim/research/index.js';

/** Version of sweep.json. */
export const SWEEP_SCHEMA_VERSION = 1;

/** The deflated Sharpe ratio of the best trial, or why it is undefined. */
export type DeflatedSharpeSummary =
  | {
      readonly kind: 'value';
      /** Probability that the best trial's true Sharpe exceeds the expected maximum of N null trials. */
      readonly value: number;
      readonly key: string;
      /** Per-period Sharpe, observations, skewness and raw kurtosis of the best trial's returns. */
      readonly sharpe: number;
      readonly observations: number;
      readonly skewness: number;
      readonly kurtosis: number;
      /** All trials, failed ones counted. */
      readonly trials: number;
      /** Sample variance of the per-period Sharpe ratios of the trials that have one. */
      readonly trialSharpeVariance: number;
      /** The benchmark SR*: expected maximum per-period Sharpe of N trials with zero true Sharpe. */
      readonly expectedMaxSharpe: number;
    }
  | { readonly kind: 'undefined'; readonly reason: string };

/** The probability of backtest overfitting over the trials' returns, or why it is undefined. */
export type PboSummary =
  | {
      readonly kind: 'value';
      readonly value: number;
      readonly blocks: number;
      readonly splits: number;
      /** Configurations in the matrix: the successful trials (failed ones have no returns). */
      readonly configurations: number;
      readonly observations: number;
      readonly probabilityOfLoss: number;
      readonly degradation: { readonly slope: number; readonly intercept: number } | null;
    }
  | { readonly kind: 'undefined'; readonly reason: string };

/**
 * Returns the DSR of the best trial against all N trials of the sweep (failed ones counted in N, as
 * every attempt inflates the best Sharpe found); the variance is over the trials with a Sharpe ratio.
 */
export function deflatedSharpeOfBest(outcome: SweepOutcome): DeflatedSharpeSummary {
  const best = outcome.best;
  if (best === null) return { kind: 'undefined', reason: 'no trial has a finite fitness' };
  const m = best.metrics;
  if (m.periodSharpe === null || m.skewness === null || m.kurtosis === null || m.observations < 2) {
    return { kind: 'undefined', reason: `the best trial's returns have no dispersion (${m.observations} observations)` };
  }
  const sharpes: number[] = [];
  for (const t of outcome.trials) if (t.status === 'ok' && t.metrics.periodSharpe !== null) sharpes.push(t.metrics.periodSharpe);
  let mean = 0;
  for (const s of sharpes) mean += s;
  mean /= sharpes.length;
  let ss = 0;
  for (const s of sharpes) ss += (s - mean) * (s - mean);
  const variance = sharpes.length > 1 ? ss / (sharpes.length - 1) : 0;
  const trials = outcome.trials.length;
  try {
    const value = deflatedSharpeRatio({ sharpe: m.periodSharpe, observations: m.observations, skewness: m.skewness, kurtosis: m.kurtosis, trials, trialSharpeVariance: variance });
    return {
      kind: 'value',
      value,
      key: best.key,
      sharpe: m.periodSharpe,
      observations: m.observations,
      skewness: m.skewness,
      kurtosis: m.kurtosis,
      trials,
      trialSharpeVariance: variance,
      expectedMaxSharpe: expectedMaxSharpe({ trials, trialSharpeVariance: variance }),
    };
  } catch (err) {
    return { kind: 'undefined', reason: (err as Error).message };
  }
}

/**
 * Returns the PBO by CSCV over the T x N matrix of per-period returns of the successful trials (in key
 * order) cut into `blocks` blocks.
 */
export function pboOfTrials(outcome: SweepOutcome, blocks: number): PboSummary {
  const columns: Float64Array[] = [];
  for (const t of outcome.trials) if (t.status === 'ok') columns.push(t.returns);
  if (columns.length < 2) return { kind: 'undefined', reason: `needs at least 2 successful trials, had ${columns.length}` };
  const T = columns[0]!.length;
  if (columns.some((c) => c.length !== T)) return { kind: 'undefined', reason: 'the trials have return series of different lengths' };
  const matrix: Float64Array[] = [];
  for (let t = 0; t < T; t++) {
    const row = new Float64Array(columns.length);
    for (let c = 0; c < columns.length; c++) row[c] = columns[c]![t]!;
    matrix.push(row);
  }
  try {
    const r = probabilityOfBacktestOverfitting(matrix, { blocks });
    return { kind: 'value', value: r.pbo, blocks, splits: r.splits, configurations: r.configurations, observations: T, probabilityOfLoss: r.probabilityOfLoss, degradation: r.degradation };
  } catch (err) {
    return { kind: 'undefined', reason: (err as Error).message };
  }
}

/** A trial as sweep.json lists it. */
export interface SweepJsonTrial {
  readonly key: string;
  readonly params: TrialParams;
  readonly seed: number;
  readonly status: 'ok' | 'failed';
  readonly metrics: TrialMetrics | null;
  readonly runHash: string | null;
  readonly error?: string;
  /** null when not finite (a failed trial, an undefined metric). */
  readonly fitness: number | null;
}

/** The search space as sweep.json holds it: the optimizer block as a plain record of settings. */
export type SweepJsonSpace = Omit<SearchSpace, 'optimizer'> & { readonly optimizer?: Readonly<Record<string, number | string | boolean | readonly number[]>> };

/** The content of DIR/sweep.json. It holds no wall-clock time, so a rerun writes the same file. */
export interface SweepJson {
  readonly schemaVersion: number;
  readonly generator: 'tapedeck';
  readonly kind: 'sweep';
  readonly scenario: string;
  readonly method: string;
  readonly seed: number;
  readonly fitness: string;
  readonly space: SweepJsonSpace;
  readonly configHash: string;
  readonly trialCount: number;
  readonly failedCount: number;
  readonly combinedHash: string;
  readonly best: (SweepJsonTrial & { readonly reproduce: string }) | null;
  readonly deflatedSharpe: DeflatedSharpeSummary;
  readonly pbo: PboSummary;
  readonly optimizer: unknown;
  readonly trials: readonly SweepJsonTrial[];
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Returns sweep.json for a finished sweep. */
export function buildSweepJson(
  outcome: SweepOutcome,
  info: {
    readonly scenarioName: string;
    readonly scenarioFile: string;
    /** The sweep's own --set overrides, repeated in the best trial's reproduce command. */
    readonly sets: readonly string[];
    readonly fitness: string;
    readonly space: SearchSpace;
    readonly pboBlocks: number;
  },
): SweepJson {
  const trials: SweepJsonTrial[] = outcome.trials.map((t) =>
    t.status === 'ok'
      ? { key: t.key, params: t.params, seed: t.seed, status: t.status, metrics: t.metrics, runHash: t.runHash, fitness: finiteOrNull(t.fitness) }
      : { key: t.key, params: t.params, seed: t.seed, status: t.status, metrics: null, runHash: null, error: t.error, fitness: null },
  );
  const bestRow = outcome.best ? trials.find((t) => t.key === outcome.best!.key)! : null;
  return {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    generator: 'tapedeck',
    kind: 'sweep',
    scenario: info.scenarioName,
    method: outcome.method,
    seed: outcome.seed,
    fitness: info.fitness,
    space: info.space,
    configHash: outcome.configHash,
    trialCount: trials.length,
    failedCount: trials.filter((t) => t.status === 'failed').length,
    combinedHash: outcome.combinedHash,
    best: bestRow
      ? {
          ...bestRow,
          reproduce: reproduceCommand(
            info.scenarioFile,
            [...info.sets, ...Object.entries(bestRow.params).map(([p, v]) => `${p}=${typeof v === 'string' ? v : JSON.stringify(v)}`)],
            bestRow.seed,
          ),
        }
      : null,
    deflatedSharpe: deflatedSharpeOfBest(outcome),
    pbo: pboOfTrials(outcome, info.pboBlocks),
    optimizer: outcome.optimizer ?? null,
    trials,
  };
}

/**
 * Quotes `word` for bash when it holds anything but plain characters, so a printed command (the best
 * trial's `reproduce`) runs as shown: a JSON value with braces, quotes, commas or spaces reaches tapedeck
 * as one argument. Single quotes keep every character as it is (`$`, backslashes, backquotes, `!`); a
 * single quote inside closes the quoting, is escaped and reopens it. A word with control characters
 * (a tab, a newline, ...) is ANSI-C quoted instead (`$'a\x09b'`, each control character and `!` as `\xHH`; bash, zsh, ksh and POSIX.1-2024 sh), so the
 * command stays one line and pasting it into a terminal sends no key that line editing acts on (a tab
 * would complete, Ctrl-U would erase the line).
 */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_.,:/=@%+-]+$/.test(word)) return word;
  if (!/[\x00-\x1f\x7f]/.test(word)) return `'${word.replace(/'/g, `'\\''`)}'`;
  return `$'${word.replace(/[\\'!\x00-\x1f\x7f]/g, (c) => (c === '\\' || c === "'" ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))}'`;
}

/**
 * Returns the command that reruns one trial as a single run, `tapedeck run FILE --set S ... --seed N`,
 * every word quoted by shellWord: pasted into bash it gives tapedeck exactly these arguments.
 */
export function reproduceCommand(scenarioFile: string, sets: readonly string[], seed: number): string {
  return ['tapedeck', 'run', scenarioFile, ...sets.flatMap((s) => ['--set', s]), '--seed', String(seed)].map(shellWord).join(' ');
}
