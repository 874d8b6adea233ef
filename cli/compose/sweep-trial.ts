import { formatIsoUs } from '../../engine/core/index.js';
import { computeMetrics, metricsSettings } from '../../reports/index.js';
import { FILL_NUMBERS, TRADE_NUMBERS } from '../../reports/metrics.js';
import type { MetricsInput, MetricsOptions } from '../../reports/index.js';
import { applyOverride, parsePath } from '../../scenarios/overrides.js';
import type { BacktestResult } from '../../sim/backtest/index.js';
// Only the light modules of sim/research: this file is loaded in every worker thread.
import { equityReturns, returnMoments } from '../../sim/research/return-moments.js';
import type { TrialParams } from '../../sim/research/space.js';
import type { TrialMetrics, TrialOutput, TrialRunner, TrialRunOptions } from '../../sim/research/trial.js';
import { measuredWindow } from '../../sim/research/walk-forward/measured-window.js';
import { inMemory, openRunData } from './data-sources.js';
import type { RunData } from './data-sources.js';
import { qualify } from './load-scenario.js';
import type { QualifiedScenario } from './load-scenario.js';
import { executeRun, scenarioMetricsOptions } from './run-scenario.js';
import { dataKey, isSharedTrialData, sharedRunData } from './sweep-shared-data.js';

// The runner module's main-thread half (see TrialRunnerModule): the sweep and walk-forward commands
// import it from sweep-shared-data.ts, which does not load the engine.
export { prepareSharedData } from './sweep-shared-data.js';

/**
 * The trial runner module of `tapedeck sweep` and `tapedeck worker` (see TrialRunnerModule in
 * sim/research): a trial applies its parameters to the scenario document exactly as `--set` does,
 * sets the scenario seed to the trial seed and replays. So `tapedeck run SCENARIO --set p=v ...
 * --seed <trial seed>` reproduces a trial's runHash. The data of a scenario is read into memory once
 * (by the main thread for the whole pool, see sweep-shared-data.ts, else once per worker) and replayed
 * from there by every trial that shares its `data` section.
 */

/** Absolute path of this module (the .ts source or the compiled .js), for runSweep's runnerModule. */
export { SWEEP_TRIAL_MODULE } from './sweep-trial-module.js';

/** How many distinct data sections a worker keeps in memory (walk-forward folds each have one). */
const MAX_CACHED_DATA = 4;

/**
 * Returns the trial metrics of a finished run (the same computeMetrics inputs as report.json); with
 * `measureFromUs`, of the part of the run from that time on, rebased (see measuredWindow); annualized
 * as the report is, by the scenario's calendar and metrics settings (`options`, scenarioMetricsOptions).
 */
export function trialMetrics(result: BacktestResult, measureFromUs?: number, options: MetricsOptions = {}): { metrics: TrialMetrics; returns: Float64Array } {
  let input: Pick<MetricsInput, 'equity' | 'trades' | 'fills' | 'initialCash' | 'exposure'>;
  let returns: Float64Array;
  // The run's records as columns when it has them (a replay's result): `trades` and `fills` would build an object
  // per round trip and per fill (and computeMetrics read each number back from them); the same numbers, in order.
  const records = result.records;
  if (measureFromUs === undefined) {
    const n = result.equity.ts.length;
    input = {
      equity: { ts: result.equity.ts, equity: result.equity.equity },
      trades: records?.trades ?? result.trades,
      fills: records?.fills ?? result.fills,
      initialCash: result.initialCash,
      exposure: result.equity.grossExposure.subarray(0, n),
    };
    returns = equityReturns(result.equity.equity);
  } else if (records !== undefined) {
    // The window of the equity curve from measuredWindow; its trades and fills selected from the columns here.
    const w = measuredWindow({ initialCash: result.initialCash, equity: result.equity, trades: [], fills: [] }, measureFromUs);
    input = { equity: w.equity, trades: rowsFrom(records.trades, 'exitTs', measureFromUs, TRADE_NUMBERS), fills: rowsFrom(records.fills, 'ts', measureFromUs, FILL_NUMBERS), initialCash: w.initialCash, exposure: w.exposure };
    returns = w.returns;
  } else {
    const w = measuredWindow(result, measureFromUs);
    input = { equity: w.equity, trades: w.trades, fills: w.fills, initialCash: w.initialCash, exposure: w.exposure };
    returns = w.returns;
  }
  const m = computeMetrics({ ...input, ...(result.barIntervalUs !== null ? { barIntervalUs: result.barIntervalUs } : {}), ...metricsSettings(options) });
  const moments = returnMoments(returns);
  return {
    metrics: {
      finalEquity: m.finalEquity,
      totalReturn: m.totalReturn,
      sharpe: m.sharpe,
      sortino: m.sortino,
      maxDrawdown: m.maxDrawdown,
      tradeCount: m.tradeCount,
      winRate: m.winRate,
      profitFactor: m.profitFactor,
      cagr: m.cagr,
      observations: moments.observations,
      periodSharpe: moments.sharpe,
      skewness: moments.skewness,
      kurtosis: moments.kurtosis,
      ruinedAt: result.ruin !== null ? formatIsoUs(result.ruin.ts) : null,
    },
    returns,
  };
}

/**
 * The rows of `rows` whose `key` is at or after `fromUs`, in order, as columns of `fields` (what computeMetrics
 * reads, and no other): the rows measuredWindow's filter keeps of the lists (`t.exitTs >= fromUs`, `f.ts >= fromUs`),
 * without an object per row.
 */
function rowsFrom<F extends string>(rows: { readonly length: number; column(field: F): ArrayLike<number> }, key: F, fromUs: number, fields: readonly F[]): { readonly length: number; column(field: F): Float64Array } {
  const at = rows.column(key);
  const n = rows.length;
  const kept = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) if (at[i]! >= fromUs) kept[k++] = i;
  const columns = new Map<F, Float64Array>();
  for (const field of fields) {
    const c = rows.column(field);
    const out = new Float64Array(k);
    for (let j = 0; j < k; j++) out[j] = c[kept[j]!]!;
    columns.set(field, out);
  }
  return { length: k, column: (field) => columns.get(field)! };
}

/** Returns the scenario document with a trial's parameters and seed applied (`--set` semantics). */
export function applyTrialParams(scenario: unknown, params: TrialParams, seed: number): unknown {
  let doc = scenario;
  for (const [path, value] of Object.entries(params)) doc = applyOverride(doc, { path: parsePath(path), value, text: `${path}=${JSON.stringify(value)}` });
  return applyOverride(doc, { path: ['seed'], value: seed, text: `seed=${seed}` });
}

/**
 * Creates the runner: one per worker, caching the data of up to four `data` sections. A trial whose
 * task carries the main thread's SharedTrialData of its `data` section replays that.
 */
export function createTrialRunner(): TrialRunner {
  const cache = new Map<string, Promise<RunData>>();
  const dataFor = (scenario: QualifiedScenario, shared: unknown): Promise<RunData> => {
    // Option chains are read with the contract multiplier: it belongs to the data's key.
    const key = dataKey(scenario);
    let p = cache.get(key);
    if (p) {
      cache.delete(key); // re-insert: most recently used last
    } else {
      p = isSharedTrialData(shared) && shared.key === key ? Promise.resolve(sharedRunData(shared)) : openRunData(scenario).then(inMemory);
      p.catch(() => cache.delete(key));
      if (cache.size >= MAX_CACHED_DATA) cache.delete(cache.keys().next().value!);
    }
    cache.set(key, p);
    return p;
  };
  return {
    async runTrial(scenarioDoc: unknown, params: TrialParams, seed: number, options?: TrialRunOptions): Promise<TrialOutput> {
      const scenario = await qualify(applyTrialParams(scenarioDoc, params, seed), 'the trial scenario');
      // The same assembly as `tapedeck run`: only the data comes from memory and no report is built.
      const { result } = await executeRun(scenario, await dataFor(scenario, options?.shared), { recording: 'metrics' });
      const { metrics, returns } = trialMetrics(result, options?.measureFromUs, scenarioMetricsOptions(scenario));
      return { metrics, runHash: result.runHash, returns };
    },
  };
}
