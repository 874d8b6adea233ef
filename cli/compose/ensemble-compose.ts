import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, resolveCalendar, TapedeckError } from '../../engine/core/index.js';
import { EnsembleRouter, REGIME_NAMES, REGIME_TABLE } from '../../engine/ensemble/index.js';
import type { EnsembleConfig, PortfolioConstructionConfig } from '../../engine/ensemble/index.js';
import { validateRiskConfig } from '../../engine/risk/index.js';
import type { QualifiedRiskConfig, RiskConfig } from '../../engine/risk/index.js';
import type { Strategy, StrategyWarmup } from '../../engine/strategies/index.js';
import { PortfolioSectionSchema } from '../../scenarios/ensemble-schema.js';
import type { EnsembleSection } from '../../scenarios/ensemble-schema.js';
import type { BacktestRouting } from '../../sim/backtest/index.js';
import { loadModelBundles, strategyParamsOf } from './bundles.js';
import type { ModelBundle } from './bundles.js';
import type { QualifiedScenario } from './load-scenario.js';
import { checkParams, definitionOf, warmupOf as definitionWarmup } from './strategy-modules.js';
import type { QualifiedDefinition, StrategyModuleRef } from './strategy-modules.js';

/** A strategy instance as run: its id, type, symbols and the params after every override. */
export interface StrategySpec {
  readonly id: string;
  readonly type: string;
  readonly symbols: readonly string[];
  readonly params: Readonly<Record<string, unknown>>;
  /**
   * The code that builds it (every spec from a qualified scenario carries its entry's); absent only
   * in specs made by hand, which then name a built-in by `type`.
   */
  readonly definition?: QualifiedDefinition;
  /** For a user module: its path and source hash (shown in report.json's scenario). */
  readonly module?: StrategyModuleRef;
}

/**
 * Applies per-instrument parameters (precedence: `instruments.SYM.params` > the symbol's model
 * bundle params > the strategy's params > the strategy's defaults). A bundle's model and threshold
 * become an `ibs` strategy's `filter` (entries only when the model's probability passes the
 * threshold); a strategy that takes no model is refused a bundle with one. A strategy needs one instance
 * per parameter set, so a strategy trading symbols with overrides is split: the symbols without an
 * override stay in one instance under the strategy's id, and each symbol with one gets its own
 * instance `<id>@<SYMBOL>`. Returns the specs as run and the bundle facts for the assumptions.
 */
export async function composeStrategies(
  scenario: QualifiedScenario,
  specs: readonly StrategySpec[],
  symbols: readonly string[],
): Promise<{ specs: StrategySpec[]; assumptions: string[] }> {
  const instruments = scenario.instruments ?? {};
  const assumptions: string[] = [];
  for (const sym of Object.keys(instruments)) {
    if (!symbols.includes(sym)) throw new ConfigError(`instruments.${sym}`, `symbol '${sym}' is not replayed (symbols: ${symbols.join(', ')})`);
  }
  let bundles = new Map<string, ModelBundle>();
  let bundleStrategies: readonly string[] | null = null;
  if (scenario.bundles !== undefined) {
    const b = scenario.bundles;
    const dir = isAbsolute(b.dir) ? b.dir : resolve(dirname(resolve(scenario.file)), b.dir);
    const wanted = b.symbols ?? symbols;
    bundles = await loadModelBundles(dir, wanted);
    bundleStrategies = b.strategies ?? null;
    for (const [s, m] of bundles) {
      const metrics = Object.entries(m.metrics).map(([k, v]) => `${k} ${v}`).join(', ');
      const use = m.model !== undefined ? `${m.model.kind} model over ${m.features.length} features (${m.features.join(', ')}) gates entries at probability >= ${m.threshold}` : `threshold ${m.threshold}, ${m.features.length} features (not applied: the bundle has no model)`;
      assumptions.push(`Model bundle ${s}: ${use}, params ${JSON.stringify(m.params)}${metrics ? ` (selected on ${metrics})` : ''}`);
    }
  }
  /** The params a bundle gives a strategy: its strategy params and, for ibs, the model filter; refuses a model the strategy cannot use. */
  const paramsFromBundle = (spec: StrategySpec, bundle: ModelBundle): Record<string, unknown> => {
    const params = strategyParamsOf(bundle, spec.type);
    if (spec.type === 'ibs') {
      if (bundle.model === undefined) {
        throw new ConfigError('bundles.dir', `malformed model bundle ${bundle.file}: model: missing; strategy '${spec.id}' (ibs) trades on the bundle's model and its threshold (${bundle.threshold}): write one with \`tapedeck train\``);
      }
      params.filter = { model: bundle.model, threshold: bundle.threshold };
    } else if (bundle.model !== undefined) {
      throw new ConfigError('bundles.strategies', `strategy '${spec.id}' (${spec.type}) takes no model filter, but ${bundle.file} has a model: list the strategies the bundles apply to in bundles.strategies`);
    }
    return params;
  };
  const out: StrategySpec[] = [];
  for (const spec of specs) {
    const usesBundles = bundleStrategies === null || bundleStrategies.includes(spec.id);
    const overrideOf = (sym: string): { params: Record<string, unknown>; fromBundle: Record<string, unknown>; bundle?: ModelBundle } | null => {
      const bundle = usesBundles ? bundles.get(sym) : undefined;
      const fromScenario = Object.hasOwn(instruments, sym) ? instruments[sym]!.params : undefined;
      if (bundle === undefined && fromScenario === undefined) return null;
      const fromBundle = bundle !== undefined ? paramsFromBundle(spec, bundle) : {};
      return { params: { ...fromBundle, ...(fromScenario ?? {}) }, fromBundle, ...(bundle !== undefined ? { bundle } : {}) };
    };
    const plain = spec.symbols.filter((s) => overrideOf(s) === null);
    if (plain.length > 0) out.push(asRun({ ...spec, symbols: plain }));
    for (const sym of spec.symbols) {
      const o = overrideOf(sym);
      if (o === null) continue;
      const params = { ...spec.params, ...o.params };
      const id = `${spec.id}@${sym}`;
      try {
        checkParams(definitionOf(spec), id, [sym], params);
      } catch (err) {
        if (err instanceof TapedeckError) {
          // Name the field (`instruments.SPY.params.slow`) when the message names one (`invalid 'slow': ...`),
          // or the bundle file when the field came from a bundle and no instrument override replaced it.
          const m = /^invalid (?:parameter )?'([^']+)'(?: for [^:]+)?: (.*)$/s.exec(err.message);
          const key = m?.[1]?.split(/[.[]/)[0];
          const fromScenario = Object.hasOwn(instruments, sym) ? instruments[sym]!.params : undefined;
          if (m !== null && o.bundle !== undefined && key !== undefined && Object.hasOwn(o.fromBundle, key) && !(fromScenario && Object.hasOwn(fromScenario, key))) {
            const field = key === 'filter' ? m[1]!.replace(/^filter\./, '') : `params.${m[1]}`;
            throw new ConfigError('bundles.dir', `malformed model bundle ${o.bundle.file}: ${field}: for strategy '${spec.id}' (${spec.type}): ${m[2]}`);
          }
          if (m !== null) throw new ConfigError(`instruments.${sym}.params.${m[1]}`, `for strategy '${spec.id}' (${spec.type}): ${m[2]}`);
          throw new ConfigError(`instruments.${sym}.params`, `for strategy '${spec.id}' (${spec.type}): ${err.message}`);
        }
        throw err;
      }
      out.push(asRun({ ...spec, id, symbols: [sym], params }));
    }
  }
  if (scenario.bundles?.strategies) {
    for (const [i, id] of scenario.bundles.strategies.entries()) {
      if (!specs.some((s) => s.id === id)) throw new ConfigError(`bundles.strategies[${i}]`, `unknown strategy '${id}' (strategies: ${specs.map((s) => s.id).join(', ')})`);
    }
  }
  return { specs: out, assumptions };
}

/**
 * A spec as run, with its definition kept as a non-enumerable property: the factory and the warm-up
 * check read it, while the spec as data (report.json's `scenario.strategies`, comparisons) is the
 * id, type, symbols, params and, for a user module, its path and source hash.
 */
function asRun(spec: StrategySpec): StrategySpec {
  const { definition, ...rest } = spec;
  Object.defineProperty(rest, 'definition', { value: definition ?? definitionOf(spec), enumerable: false });
  return rest;
}

/** Returns a factory of fresh strategy instances for `specs`, each built by its own definition (built-in or user module). */
export function strategyFactory(specs: readonly StrategySpec[]): () => Strategy[] {
  const definitions = specs.map((s) => definitionOf(s));
  return () => specs.map((s, i) => definitions[i]!.create(s.id, s.symbols, s.params));
}

/**
 * Returns the bars a spec's strategy must see before it can act (StrategyDefinition.warmup, through
 * its own definition), or null when its warm-up is not counted in bars. Throws like the definition on a bad parameter.
 */
export function warmupOf(spec: Pick<StrategySpec, 'type' | 'params' | 'definition'>): StrategyWarmup | null {
  return definitionWarmup(spec);
}

/** The portfolio section with its defaults (an absent section is all defaults). */
export function portfolioConstruction(scenario: QualifiedScenario): PortfolioConstructionConfig {
  return (scenario.portfolio ?? PortfolioSectionSchema.parse({})) as PortfolioConstructionConfig;
}

/**
 * Returns the risk limits with the portfolio constraints folded in (the stricter limit wins):
 * `symbols` -> allowedSymbols, `maxPositions` -> maxOpenPositions, `dailyStopLoss` ->
 * dailyLossLimit. The RiskEngine enforces them on every order; when the daily stop is hit the
 * account is also flattened until the next UTC day (by the ensemble's own stop, or on a run without
 * one by ReplayConfig.dailyStopLoss, sim/backtest/daily-stop.ts).
 */
export function riskWithConstraints(risk: QualifiedRiskConfig, scenario: QualifiedScenario): QualifiedRiskConfig {
  const c = scenario.portfolio?.constraints;
  if (c === undefined) return risk;
  const merged: Record<string, unknown> = { ...risk };
  if (c.symbols !== undefined) merged.allowedSymbols = risk.allowedSymbols ? risk.allowedSymbols.filter((s) => c.symbols!.includes(s)) : c.symbols;
  if (c.maxPositions !== undefined) merged.maxOpenPositions = Math.min(risk.maxOpenPositions ?? Infinity, c.maxPositions);
  if (c.dailyStopLoss !== undefined) merged.dailyLossLimit = Math.min(risk.dailyLossLimit ?? Infinity, c.dailyStopLoss);
  return validateRiskConfig(merged as RiskConfig, 'portfolio.constraints');
}

/**
 * Returns the backtest routing of the scenario's ensemble, or undefined when it has none. The
 * scenario's `execution`, when given, is the account's execution algorithm. `strategySymbols` (the
 * symbols each strategy trades, in strategy order) are the sleeves of the strategy_asset weighting.
 */
export function ensembleRouting(scenario: QualifiedScenario, strategyIds: readonly string[], strategySymbols?: readonly (readonly string[])[]): BacktestRouting | undefined {
  const e = scenario.ensemble;
  if (e === undefined) return undefined;
  if (strategyIds.includes(e.accountId)) throw new ConfigError('ensemble.accountId', `'${e.accountId}' is also a strategy id; choose another account id`);
  checkOptimizerCap(e.weighting, strategyIds.length);
  if (e.weighting.kind === 'strategy_asset' && strategySymbols !== undefined) checkSleeveCap(e.weighting.wMax, strategySymbols.reduce((a, s) => a + s.length, 0));
  const construction = portfolioConstruction(scenario);
  const ensemble = e as EnsembleConfig;
  const calendar = scenario.calendar !== undefined ? resolveCalendar(scenario.calendar, 'calendar') : undefined;
  return {
    accountIds: [e.accountId],
    create: (deps) =>
      new EnsembleRouter({ ...deps, ensemble, construction, seed: scenario.seed, ...(calendar !== undefined ? { calendar } : {}), ...(strategySymbols !== undefined ? { strategySymbols } : {}) }),
    // The scenario's `execution` is the account's algorithm: the ensemble's target changes become its parent orders.
    ...(scenario.execution !== undefined ? { algorithm: scenario.execution } : {}),
  };
}

/**
 * Refuses optimizer weighting that can never optimize: every weight is capped at wMax (given, or the
 * regime's: 0.2 to 0.3), so with 1/wMax strategies or fewer no weights but equal ones sum to one and
 * every re-weighing would end in equal weights (or the infeasible fallback). With regime 'auto' the largest cap of the table counts.
 */
function checkOptimizerCap(w: EnsembleSection['weighting'], strategies: number): void {
  if (w.kind !== 'optimizer') return;
  const cap = w.wMax ?? (w.regime === 'auto' ? Math.max(...REGIME_NAMES.map((r) => REGIME_TABLE[r].wMax)) : REGIME_TABLE[w.regime].wMax);
  if (cap * strategies > 1 + 1e-12) return;
  const where = w.wMax !== undefined ? 'ensemble.weighting.wMax' : 'ensemble.weighting.regime';
  const from = w.wMax !== undefined ? `wMax ${w.wMax}` : `wMax ${cap} of regime '${w.regime}'`;
  throw new ConfigError(where, `the optimizer caps each of the ${strategies} strategies' weights at ${from}, so no weights but equal ones sum to 1 and it would never optimize: give wMax above ${+(1 / strategies).toFixed(4)} or ${Math.floor(1 / cap + 1e-12) + 1} strategies or more`);
}

/** Refuses a strategy_asset cap under which no sleeve weights but equal ones sum to 1 (like {@link checkOptimizerCap}). */
function checkSleeveCap(wMax: number, sleeves: number): void {
  if (wMax * sleeves > 1 + 1e-12) return;
  throw new ConfigError(
    'ensemble.weighting.wMax',
    `the allocation caps each of the ${sleeves} (strategy, symbol) sleeves at wMax ${wMax}, so no weights but equal ones sum to 1 and it would never optimize: give wMax above ${+(1 / sleeves).toFixed(4)}`,
  );
}
