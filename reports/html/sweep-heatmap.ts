import { InvalidArgumentError } from '../../engine/core/index.js';
import type { SweepJsonReport, SweepTrialRow } from '../research-schema.js';
import { trialMetricValue } from './trial-metrics.js';

type Parameter = SweepJsonReport['space']['parameters'][number];
type ParamValue = number | string | boolean;

/**
 * Returns the parameter path a user named: an exact path of the space, or the last segment of exactly one
 * path (`fast` for `strategies.0.params.fast`). Throws naming the flag, the value and the paths.
 */
export function resolveParameterPath(space: SweepJsonReport['space'], name: string, flag: string): string {
  const paths = space.parameters.map((p) => p.path);
  if (paths.includes(name)) return name;
  const bySuffix = paths.filter((p) => p.endsWith(`.${name}`));
  if (bySuffix.length === 1) return bySuffix[0]!;
  const why = bySuffix.length > 1 ? `ambiguous, matches ${bySuffix.join(', ')}` : `not a parameter of the sweep (${paths.join(', ') || 'none'})`;
  throw new InvalidArgumentError(`invalid '${flag}': ${why}, was ${JSON.stringify(name)}`);
}

/**
 * Returns the two parameters of the heatmap: the ones named (see {@link resolveParameterPath}), else the
 * first two numeric (int or float) parameters, else the first two of any kind; null when the space has
 * fewer than two parameters. Naming one fills the other with the first other parameter of that order.
 */
export function heatmapAxes(space: SweepJsonReport['space'], chosen: { readonly x?: string; readonly y?: string } = {}): { readonly x: string; readonly y: string } | null {
  const x = chosen.x !== undefined ? resolveParameterPath(space, chosen.x, 'x') : undefined;
  const y = chosen.y !== undefined ? resolveParameterPath(space, chosen.y, 'y') : undefined;
  if (x !== undefined && x === y) throw new InvalidArgumentError(`invalid 'y': the same parameter as 'x', was ${JSON.stringify(chosen.y)}`);
  const numeric = space.parameters.filter((p) => p.kind !== 'categorical').map((p) => p.path);
  const order = [...numeric, ...space.parameters.map((p) => p.path).filter((p) => !numeric.includes(p))];
  const pick = (taken: readonly (string | undefined)[]) => order.find((p) => !taken.includes(p));
  const ax = x ?? pick([y]);
  const ay = y ?? pick([ax]);
  if (ax === undefined || ay === undefined) return null;
  return { x: ax, y: ay };
}

/** One cell of the parameter heatmap. */
export interface HeatmapCell {
  readonly xi: number;
  readonly yi: number;
  /** The metric of the cell's chosen trial; null when every trial of the cell failed or the metric is undefined. */
  readonly value: number | null;
  /** Key of the trial whose value the cell shows (null when none succeeded). */
  readonly trialKey: string | null;
  /** Trials in the cell: all, and failed. */
  readonly trials: number;
  readonly failed: number;
}

/** The heatmap of a metric over two parameters. */
export interface Heatmap {
  readonly x: string;
  readonly y: string;
  /** Distinct values of each parameter among the trials, numbers ascending, others in first-seen order. */
  readonly xValues: readonly ParamValue[];
  readonly yValues: readonly ParamValue[];
  /** Only the (x, y) pairs some trial has. */
  readonly cells: readonly HeatmapCell[];
  /** True when other parameters vary too, so a cell holds several trials. */
  readonly aggregated: boolean;
}

function sortedValues(values: readonly ParamValue[]): ParamValue[] {
  const distinct = [...new Set(values)];
  return distinct.every((v) => typeof v === 'number') ? (distinct as number[]).sort((a, b) => a - b) : distinct;
}

/**
 * Returns the heatmap of `metric` over parameters `x` and `y`. When other parameters vary, a cell holds
 * several trials and shows the one an optimizer would keep: the highest fitness among its successful
 * trials (ties to the smaller key; the first successful trial when no fitness is finite). Trials missing
 * either parameter are left out.
 */
export function buildHeatmap(trials: readonly SweepTrialRow[], x: string, y: string, metric: string): Heatmap {
  if (x === y) throw new InvalidArgumentError(`invalid 'y': the same parameter as 'x', was ${JSON.stringify(y)}`);
  const usable = trials.filter((t) => t.params[x] !== undefined && t.params[y] !== undefined);
  const xValues = sortedValues(usable.map((t) => t.params[x]!));
  const yValues = sortedValues(usable.map((t) => t.params[y]!));
  const groups = new Map<string, SweepTrialRow[]>();
  for (const t of usable) {
    const id = `${xValues.indexOf(t.params[x]!)},${yValues.indexOf(t.params[y]!)}`;
    const g = groups.get(id);
    if (g) g.push(t);
    else groups.set(id, [t]);
  }
  const cells: HeatmapCell[] = [];
  let aggregated = false;
  for (const [id, group] of groups) {
    const [xi, yi] = id.split(',').map(Number) as [number, number];
    if (group.length > 1) aggregated = true;
    let chosen: SweepTrialRow | null = null;
    for (const t of group) {
      if (t.status !== 'ok') continue;
      if (chosen === null) {
        chosen = t;
        continue;
      }
      const a = t.fitness ?? -Infinity;
      const b = chosen.fitness ?? -Infinity;
      if (a > b || (a === b && t.key < chosen.key)) chosen = t;
    }
    cells.push({
      xi,
      yi,
      value: chosen ? trialMetricValue(chosen, metric) : null,
      trialKey: chosen?.key ?? null,
      trials: group.length,
      failed: group.filter((t) => t.status !== 'ok').length,
    });
  }
  cells.sort((a, b) => a.yi - b.yi || a.xi - b.xi);
  return { x, y, xValues, yValues, cells, aggregated };
}

/** Returns a short label for a parameter path: its last segment (`fast`), the whole path when that is shared. */
export function parameterLabel(parameters: readonly Pick<Parameter, 'path'>[], path: string): string {
  const last = path.split('.').at(-1) ?? path;
  return parameters.filter((p) => (p.path.split('.').at(-1) ?? p.path) === last).length > 1 ? path : last;
}
