import { trainUntilParamOf } from '../../../engine/strategies/index.js';

/**
 * Warm start of walk-forward test runs: which scenario fields tell learning strategies where their
 * training stops. A strategy declares, in the registry, the parameter that holds its train-until
 * time (`trainUntilParam`); the walk-forward sets that parameter through the same dotted paths as
 * `--set` (`strategies.<i>.params.<name>`), so any learning strategy takes part without the
 * walk-forward knowing it. An ensemble whose weighting learns (`ensemble.weighting.kind` "rl") has
 * its train-until time at `ensemble.weighting.trainUntil`.
 */

/** The weighting kinds of an ensemble that learn until `ensemble.weighting.trainUntil`. */
const LEARNING_WEIGHTINGS: readonly string[] = ['rl'];

/**
 * Returns the dotted paths, as segments, of the train-until parameter of every strategy in a
 * scenario document whose registered type declares one, in the order of `strategies`, then the
 * ensemble weighting's when it learns. Strategies of unknown type are skipped (qualifying the
 * scenario reports them).
 */
export function trainUntilPaths(scenario: unknown): string[][] {
  if (scenario === null || typeof scenario !== 'object') return [];
  const strategies = (scenario as { strategies?: unknown }).strategies;
  const paths: string[][] = [];
  (Array.isArray(strategies) ? strategies : []).forEach((s: unknown, i) => {
    if (s === null || typeof s !== 'object') return;
    const type = (s as { type?: unknown }).type;
    if (typeof type !== 'string') return;
    const param = trainUntilParamOf(type);
    if (param !== null) paths.push(['strategies', String(i), 'params', param]);
  });
  const weighting = (scenario as { ensemble?: { weighting?: { kind?: unknown } } }).ensemble?.weighting;
  if (typeof weighting?.kind === 'string' && LEARNING_WEIGHTINGS.includes(weighting.kind)) paths.push(['ensemble', 'weighting', 'trainUntil']);
  return paths;
}
