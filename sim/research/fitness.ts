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

/** Parses a fitness expression; throws ConfigError('--fitness') naming the bad term. */
export function parseFitness(text: string): Fitness {
  const terms: FitnessTerm[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') throw new ConfigError('--fitness', `empty term in ${JSON.stringify(text)}`);
    const [name, weightText, extra] = part.split(':').map((s) => s.trim());
    if (extra !== undefined) throw new ConfigError('--fitness', `expected metric or metric:weight, was ${JSON.stringify(part)}`);
    if (!(TRIAL_METRIC_NAMES as readonly string[]).includes(name!)) {
      throw new ConfigError('--fitness', `unknown metric '${name}' (known: ${TRIAL_METRIC_NAMES.join(', ')})`);
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
