import { ConfigError } from '../../engine/core/index.js';
import { TRIAL_METRIC_NAMES } from './trial.js';
import type { TrialMetricName, TrialMetrics, TrialResult } from './trial.js';

/**
 * Fitness: a weighted composite of trial metrics, as the seed documents weigh Sharpe, win rate and
 * profit factor. `sharpe` means weight 1 on sharpe; `sharpe:1,maxDrawdown:-0.5` adds -0.5 times the
 * drawdown (a positive fraction, so a negative weight penalizes it). Larger is better.
 */
export interface FitnessTerm {
  readonly metric: TrialMetricName;
  readonly weight: number;
}

export interface Fitness {
  /** The expression as given, normalized (`metric:weight,...`). */
  readonly text: string;
  readonly terms: readonly FitnessTerm[];
}

/**
 * Named composites, usable wherever an expression is (`--fitness seed001`). `seed001` is seed 001's
 * default `fitness_weights` (sharpe_ratio 1.0, total_return 0.3, win_rate 0.2, max_drawdown -0.1)
 * in this project's metric names.
 */
export const FITNESS_PRESETS: Readonly<Record<string, string>> = Object.freeze({
  seed001: 'sharpe:1,totalReturn:0.3,winRate:0.2,maxDrawdown:-0.1',
});

/**
 * Parses a fitness expression or preset name; throws ConfigError('--fitness') naming the bad term.
 * A failed trial, or one with a null value for any weighted metric, has fitness -Infinity (see
 * {@link fitnessOf}): the optimizers rank it below every trial with a defined fitness.
 */
export function parseFitness(text: string): Fitness {
  const terms: FitnessTerm[] = [];
  const seen = new Set<string>();
  const preset = Object.prototype.hasOwnProperty.call(FITNESS_PRESETS, text.trim()) ? FITNESS_PRESETS[text.trim()] : undefined;
  for (const raw of (preset ?? text).split(',')) {
    const part = raw.trim();
    if (part === '') throw new ConfigError('--fitness', `empty term in ${JSON.stringify(text)}`);
    const [name, weightText, extra] = part.split(':').map((s) => s.trim());
    if (extra !== undefined) throw new ConfigError('--fitness', `expected metric or metric:weight, was ${JSON.stringify(part)}`);
    if (!(TRIAL_METRIC_NAMES as readonly string[]).includes(name!)) {
      throw new ConfigError('--fitness', `unknown metric '${name}' (known: ${TRIAL_METRIC_NAMES.join(', ')}; presets: ${Object.keys(FITNESS_PRESETS).join(', ')})`);
    }
    if (seen.has(name!)) throw new ConfigError('--fitness', `metric '${name}' given twice`);
    seen.add(name!);
    const weight = weightText === undefined ? 1 : Number(weightText);
    if (weightText === '' || !Number.isFinite(weight)) throw new ConfigError('--fitness', `weight of '${name}': not a finite number, was ${JSON.stringify(weightText)}`);
    terms.push({ metric: name as TrialMetricName, weight });
  }
  return Object.freeze({ text: terms.map((t) => `${t.metric}:${t.weight}`).join(','), terms: Object.freeze(terms) });
}

/**
 * Returns the fitness of a trial's metrics: the weighted sum in term order, or -Infinity when a
 * weighted metric is null (undefined for the data, e.g. the Sharpe ratio of a flat equity curve).
 */
export function fitnessOfMetrics(fitness: Fitness, metrics: TrialMetrics): number {
  let sum = 0;
  for (const t of fitness.terms) {
    const v = metrics[t.metric];
    if (v === null || !Number.isFinite(v)) return Number.NEGATIVE_INFINITY;
    sum += t.weight * v;
  }
  return sum;
}

/** Returns the fitness of a trial: -Infinity for a failed trial. */
export function fitnessOf(fitness: Fitness, trial: TrialResult): number {
  return trial.status === 'ok' ? fitnessOfMetrics(fitness, trial.metrics) : Number.NEGATIVE_INFINITY;
}
