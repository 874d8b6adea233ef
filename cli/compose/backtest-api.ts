import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../../engine/core/index.js';
import type { Fill } from '../../engine/model/index.js';
import { isDefinedStrategy } from '../../engine/strategies/index.js';
import type { DefinedStrategy } from '../../engine/strategies/index.js';
import type { PerformanceMetrics, RunReport } from '../../reports/index.js';
import type { BacktestResult, EquityCurve, RunTrade } from '../../sim/backtest/index.js';
import { loadScenario, qualify, resolveDataPaths } from './load-scenario.js';
import type { QualifiedScenario } from './load-scenario.js';
import { runScenario } from './run-scenario.js';
import type { ReplayObserver } from './run-scenario.js';
import { resolveModuleTypes } from './strategy-modules.js';

/** A scenario strategy entry as `backtest()` takes it: `type` may also be a defineStrategy(...) object. */
export interface BacktestStrategyInput {
  readonly type: string | DefinedStrategy<object>;
  readonly id?: string;
  readonly symbols?: readonly string[];
  readonly params?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** A scenario as `backtest()` takes it: the scenario file's JSON, with strategies that may be objects. */
export interface BacktestScenarioInput {
  readonly strategies: readonly BacktestStrategyInput[];
  readonly [key: string]: unknown;
}

export interface BacktestOptions {
  /** Directory relative data and module paths of a scenario object are resolved against (default: the working directory); a file's are relative to the file. */
  readonly cwd?: string;
  /** `--set`-style overrides (`strategies[0].params.fast=5`), applied to a scenario file. */
  readonly overrides?: readonly string[];
  /** Replaces the scenario's seed. */
  readonly seed?: number;
  /** Watches the replay's progress (counts only). */
  readonly observer?: ReplayObserver;
}

/** What `backtest()` returns: the run's identity, its metrics, and its fills, trades and equity curve. */
export interface BacktestOutput {
  /** The run's identity (SHA-256 over fills, orders, equity and any user strategy's source hash). */
  readonly runHash: string;
  readonly metrics: PerformanceMetrics;
  readonly fills: readonly Fill[];
  readonly trades: readonly RunTrade[];
  /** The equity curve as typed arrays (epoch microseconds; account currency). */
  readonly equity: EquityCurve;
  /**
   * report.json of the run, as `tapedeck run` writes it. Its lists (`fills`, `trades`, `audit`, `signals.recorded`)
   * are built on their first read, then kept (see buildRunReport); `fills` and `trades` here hold the same records with times as numbers.
   */
  readonly report: RunReport;
  /** What the CLI would print as `warning: ...` (a run with no trade, say). */
  readonly warnings: readonly string[];
  /** The replay's full result. */
  readonly result: BacktestResult;
}

/** Returns true for a scenario already qualified (by loadScenario or qualify). */
function isQualified(value: unknown): value is QualifiedScenario {
  const s = value as { file?: unknown; strategies?: unknown };
  return typeof s.file === 'string' && Array.isArray(s.strategies) && s.strategies.every((e) => e !== null && typeof e === 'object' && 'definition' in e);
}

/**
 * Runs a scenario without the CLI, the same run `tapedeck run` makes (same runHash): a scenario file
 * (its paths relative to the file), a scenario object (paths relative to `options.cwd`; a strategy's
 * `type` may be a built-in name, a module path or a `defineStrategy(...)` object), or a scenario
 * already qualified. Throws a ConfigError naming the field on a bad scenario, a StrategyError when a
 * user strategy fails.
 *
 * ```ts
 * import { backtest } from 'tapedeck';
 * const r = await backtest('scenario.json');
 * console.log(r.runHash, r.metrics.sharpe, r.equity.equity.length);
 * ```
 */
export async function backtest(scenario: string | BacktestScenarioInput | QualifiedScenario, options: BacktestOptions = {}): Promise<BacktestOutput> {
  const cwd = options.cwd ?? process.cwd();
  let qualified: QualifiedScenario;
  if (typeof scenario === 'string') {
    qualified = await loadScenario(scenario, { cwd, ...(options.overrides !== undefined ? { overrides: options.overrides } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) });
  } else if (isQualified(scenario)) {
    qualified = scenario;
  } else {
    if (scenario === null || typeof scenario !== 'object' || Array.isArray(scenario)) throw new ConfigError('', 'backtest(): expected a scenario object, a scenario file path or a qualified scenario');
    if (options.overrides !== undefined && options.overrides.length > 0) throw new ConfigError('', 'backtest(): overrides apply to a scenario file; change the scenario object instead');
    const objects = new Map<string, DefinedStrategy<object>>();
    const strategies = Array.isArray(scenario.strategies)
      ? scenario.strategies.map((st, i) => {
          if (st === null || typeof st !== 'object' || !isDefinedStrategy(st.type)) return st;
          const key = st.type.name;
          const other = objects.get(key);
          if (other !== undefined && other !== st.type) throw new ConfigError(`strategies[${i}].type`, `two different strategy objects are both named '${key}'`);
          objects.set(key, st.type);
          return { ...st, type: key };
        })
      : scenario.strategies;
    const base = isAbsolute(cwd) ? cwd : resolve(cwd);
    let doc: Record<string, unknown> = resolveModuleTypes(resolveDataPaths({ ...scenario, strategies } as Record<string, unknown>, base), base);
    if (options.seed !== undefined) doc = { ...doc, seed: options.seed };
    qualified = await qualify(doc, 'the scenario given to backtest()', { baseDir: base, cwd: base, objects });
  }
  const { result, report, warnings } = await runScenario(qualified, options.observer);
  return {
    runHash: result.runHash,
    metrics: report.metrics,
    fills: result.fills,
    trades: result.trades,
    equity: result.equity,
    report,
    warnings,
    result,
  };
}
