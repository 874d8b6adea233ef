import { ConfigError } from '../../engine/core/index.js';
import { STRATEGIES } from '../../engine/strategies/registry.js';
import type { RegimeAdaptiveConfig, RegimeMultipliers } from '../../engine/kernel/index.js';
import type { QualifiedScenario } from './load-scenario.js';

/** Seed 003's state names by count: bear / (sideways) / bull, in ascending order of mean or of volatility. */
const DEFAULT_LABELS = {
  mean: { 2: ['bear', 'bull'], 3: ['bear', 'sideways', 'bull'] },
  volatility: { 2: ['bull', 'bear'], 3: ['sideways', 'bull', 'bear'] },
} as const satisfies Record<'mean' | 'volatility', Record<number, readonly string[]>>;

/**
 * Resolves the scenario's `regimes` section (seed 003's regime-adaptive parameters) against the
 * replayed symbols, or returns undefined when it has none. Refuses, by path, labels that do not
 * match the states, an `adapt` entry for no label, an entry that multiplies nothing (size and stop
 * both 1), an empty `adapt` (the regimes would change nothing), a stop multiplier when no strategy
 * places protective stops, and a detector symbol not replayed.
 */
export function regimeAdaptiveOf(scenario: QualifiedScenario, runSymbols: readonly string[]): RegimeAdaptiveConfig | undefined {
  const r = scenario.regimes;
  if (r === undefined) return undefined;
  const d = r.detector;
  const labels: readonly string[] | undefined = d.labels ?? (DEFAULT_LABELS[d.orderBy] as Record<number, readonly string[]>)[d.states];
  if (labels === undefined) throw new ConfigError('regimes.detector.labels', `required with ${d.states} states (one name per state, in ascending order of mean)`);
  if (labels.length !== d.states) throw new ConfigError('regimes.detector.labels', `${labels.length} labels for ${d.states} states`);
  if (new Set(labels).size !== labels.length) throw new ConfigError('regimes.detector.labels', `labels repeat (${labels.join(', ')})`);
  const entries = Object.entries(r.adapt) as [string, RegimeMultipliers][];
  if (entries.length === 0) throw new ConfigError('regimes.adapt', 'no regime has multipliers: the regimes would change nothing');
  for (const [label, m] of entries) {
    if (!labels.includes(label)) throw new ConfigError(`regimes.adapt.${label}`, `not a regime label (labels: ${labels.join(', ')})`);
    if (m.size === 1 && m.stop === 1) throw new ConfigError(`regimes.adapt.${label}`, 'size and stop are both 1: the entry changes nothing');
  }
  const stopping = entries.find(([, m]) => m.stop !== 1);
  if (stopping !== undefined && !mayPlaceStops(scenario)) {
    throw new ConfigError(
      `regimes.adapt.${stopping[0]}.stop`,
      'no strategy of this run places a protective stop (of the built-ins only sma_cross and ema_cross with risk sizing do; a strategy module may): the stop multiplier would change nothing',
    );
  }
  const symbols = d.symbols ?? runSymbols;
  const symbolIndexes = symbols.map((s, j) => {
    const i = runSymbols.indexOf(s);
    if (i < 0) throw new ConfigError(`regimes.detector.symbols[${j}]`, `symbol '${s}' is not replayed (symbols: ${runSymbols.join(', ')})`);
    return i;
  });
  return {
    detector: { states: d.states, window: d.window, refitEvery: d.refitEvery, restarts: d.restarts, maxIter: d.maxIter, orderBy: d.orderBy, labels, seed: scenario.seed },
    symbolIndexes,
    adapt: Object.fromEntries(entries),
  };
}

/** The built-ins that place a reduce-only protective stop, with `risk` sizing (engine/strategies/moving-average-cross.ts). */
const STOP_PLACING = ['sma_cross', 'ema_cross'];

/**
 * Whether a strategy of the scenario may submit a protective stop: a strategy module (it may), or a
 * stop-placing built-in with `risk` sizing in its own params or in any instrument's parameter overrides.
 */
function mayPlaceStops(scenario: QualifiedScenario): boolean {
  const risk = (params: unknown): boolean => ((params as { sizing?: { kind?: unknown } } | undefined)?.sizing?.kind ?? null) === 'risk';
  const anyInstrumentRisk = Object.values(scenario.instruments ?? {}).some((i) => risk((i as { params?: unknown }).params));
  return scenario.strategies.some((st) => !Object.hasOwn(STRATEGIES, st.type) || (STOP_PLACING.includes(st.type) && (risk(st.params) || anyInstrumentRisk)));
}
