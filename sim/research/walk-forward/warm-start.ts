import { trainUntilParamOf } from '../../../engine/strategies/index.js';

/**
 * Warm start of walk-forward test runs: which scenario fields tell learning strategies where their
 * training stops. A strategy declares, in the registry, the parameter that holds its train-until
 * time (`trainUntilParam`); the walk-forward sets that parameter through the same dotted paths as
 * `--set` (`strategies.<i>.params.<name>`), so any learning strategy takes part without the
 * walk-forward knowing it.
 */

/**
 * Returns the dotted paths, as segments, of the train-until parameter of every strategy in a
 * scenario document whose registered type declares one, in the order of `strategies`. Strategies of
 * unknown type are skipped (qualifying the scenario reports them).
 */
export function trainUntilPaths(scenario: unknown): string[][] {
  if (scenario === null || typeof scenario !== 'object') return [];
  const strategies = (scenario as { strategies?: unknown }).strategies;
  if (!Array.isArray(strategies)) return [];
  const paths: string[][] = [];
  strategies.forEach((s: unknown, i) => {
    if (s === null || typeof s !== 'object') return;
    const type = (s as { type?: unknown }).type;
    if (typeof type !== 'string') return;
    const param = trainUntilParamOf(type);
    if (param !== null) paths.push(['strategies', String(i), 'params', param]);
  });
  return paths;
}
