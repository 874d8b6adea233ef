import { fileURLToPath } from 'node:url';
import { ConfigError, DataError, parseDurationUs, parseIsoUs } from '../../engine/core/index.js';
import { RiskEngine } from '../../engine/risk/index.js';
import { createStrategy } from '../../engine/strategies/index.js';
import type { Strategy } from '../../engine/strategies/index.js';
import { openReader } from '../../datasets/index.js';
import type { DatasetReader } from '../../datasets/index.js';
import { computeMetrics } from '../../reports/index.js';
import { applyOverride, parsePath } from '../../scenarios/overrides.js';
import { runBacktest } from '../../sim/backtest/index.js';
import type { BacktestResult, BarBatch, QuoteBatch, TradeBatch } from '../../sim/backtest/index.js';
// Only the light modules of sim/research: this file is loaded in every worker thread.
import { equityReturns, returnMoments } from '../../sim/research/return-moments.js';
import type { TrialParams } from '../../sim/research/space.js';
import { canonicalJson } from '../../sim/research/trial.js';
import type { TrialMetrics, TrialOutput, TrialRunner, TrialRunOptions } from '../../sim/research/trial.js';
import { measuredWindow } from '../../sim/research/walk-forward/measured-window.js';
import { venueConfig } from '../../sim/venue/index.js';
import { qualify } from './load-scenario.js';
import type { QualifiedScenario } from './load-scenario.js';
import { codeMap, openBarFeed, openDataPath, openScenarioData, quoteFeed, tradeFeed } from './run-scenario.js';
import type { OpenedData } from './run-scenario.js';

/**
 * The trial runner module of `tapedeck sweep` and `tapedeck worker` (see TrialRunnerModule in
 * sim/research): a trial applies its parameters to the scenario document exactly as `--set` does,
 * sets the scenario seed to the trial seed and replays. So `tapedeck run SCENARIO --set p=v ...
 * --seed <trial seed>` reproduces a trial's runHash. The data of a scenario is read into memory once
 * per worker and replayed from there by every trial that shares its `data` section.
 */

/** Absolute path of this module (the .ts source or the compiled .js), for runSweep's runnerModule. */
export const SWEEP_TRIAL_MODULE = fileURLToPath(import.meta.url);

/** Data of one `data` section, read once: the run's symbols, bar interval and every batch. */
interface LoadedData {
  readonly symbols: readonly string[];
  readonly intervalUs: number | null;
  readonly bars: readonly BarBatch[] | null;
  readonly quotes: readonly QuoteBatch[] | null;
  readonly trades: readonly TradeBatch[] | null;
}

/** How many distinct data sections a worker keeps in memory (walk-forward folds each have one). */
const MAX_CACHED_DATA = 4;

async function collect<T>(feed: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const b of feed) out.push(b);
  return out;
}

async function* replay<T>(batches: readonly T[]): AsyncGenerator<T> {
  for (const b of batches) yield b;
}

/** Opens the scenario's data the way runScenario does and reads every batch into memory. */
async function loadData(scenario: QualifiedScenario): Promise<LoadedData> {
  const data = await openScenarioData(scenario);
  const { bars, quotes, trades, symbols, range, intervalUs, opened } = data;
  const of = data.symbolsOf;
  try {
    const readers: DatasetReader[] = [];
    try {
      let barBatches: BarBatch[] | null = null;
      let quoteBatches: QuoteBatch[] | null = null;
      let tradeBatches: TradeBatch[] | null = null;
      if (bars) {
        const b = await openBarFeed(data);
        readers.push(...b.readers);
        barBatches = await collect(b.feed);
      }
      if (quotes) {
        const r = await openReader(quotes.dir, { kind: 'quotes', symbols: of(quotes, 'quotes'), ...range });
        readers.push(r);
        quoteBatches = await collect(quoteFeed(r, codeMap(r, symbols)));
      }
      if (trades) {
        const r = await openReader(trades.dir, { kind: 'trades', symbols: of(trades, 'trades'), ...range });
        readers.push(r);
        tradeBatches = await collect(tradeFeed(r, codeMap(r, symbols)));
      }
      const rows = (barBatches ?? []).reduce((n, b) => n + b.length, 0) + (quoteBatches ?? []).reduce((n, b) => n + b.length, 0) + (tradeBatches ?? []).reduce((n, b) => n + b.length, 0);
      if (rows === 0) {
        throw new DataError(`no data in the selected range${scenario.data.start || scenario.data.end ? ` (${scenario.data.start ?? '…'} to ${scenario.data.end ?? '…'})` : ''} for ${symbols.join(', ')}`);
      }
      return { symbols, intervalUs, bars: barBatches, quotes: quoteBatches, trades: tradeBatches };
    } finally {
      for (const r of readers) r.close();
    }
  } finally {
    for (const d of opened) await d.cleanup();
  }
}

/**
 * Returns the trial metrics of a finished run (the same computeMetrics inputs as report.json); with
 * `measureFromUs`, of the part of the run from that time on, rebased (see measuredWindow).
 */
export function trialMetrics(result: BacktestResult, measureFromUs?: number): { metrics: TrialMetrics; returns: Float64Array } {
  let input: { equity: { ts: Float64Array; equity: Float64Array }; trades: BacktestResult['trades']; fills: BacktestResult['fills']; initialCash: number; exposure: Float64Array };
  let returns: Float64Array;
  if (measureFromUs === undefined) {
    const n = result.equity.ts.length;
    const exposure = new Float64Array(n);
    for (let i = 0; i < n; i++) exposure[i] = result.equity.grossExposure[i]!;
    input = { equity: { ts: result.equity.ts, equity: result.equity.equity }, trades: result.trades, fills: result.fills, initialCash: result.initialCash, exposure };
    returns = equityReturns(result.equity.equity);
  } else {
    const w = measuredWindow(result, measureFromUs);
    input = { equity: w.equity, trades: w.trades, fills: w.fills, initialCash: w.initialCash, exposure: w.exposure };
    returns = w.returns;
  }
  const m = computeMetrics({ ...input, ...(result.barIntervalUs !== null ? { barIntervalUs: result.barIntervalUs } : {}) });
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
    },
    returns,
  };
}

/** Returns the scenario document with a trial's parameters and seed applied (`--set` semantics). */
export function applyTrialParams(scenario: unknown, params: TrialParams, seed: number): unknown {
  let doc = scenario;
  for (const [path, value] of Object.entries(params)) doc = applyOverride(doc, { path: parsePath(path), value, text: `${path}=${JSON.stringify(value)}` });
  return applyOverride(doc, { path: ['seed'], value: seed, text: `seed=${seed}` });
}

/** Creates the runner: one per worker, caching the data of up to four `data` sections. */
export function createTrialRunner(): TrialRunner {
  const cache = new Map<string, Promise<LoadedData>>();
  const dataFor = (scenario: QualifiedScenario): Promise<LoadedData> => {
    const key = canonicalJson(scenario.data);
    let p = cache.get(key);
    if (p) {
      cache.delete(key); // re-insert: most recently used last
    } else {
      p = loadData(scenario);
      p.catch(() => cache.delete(key));
      if (cache.size >= MAX_CACHED_DATA) cache.delete(cache.keys().next().value!);
    }
    cache.set(key, p);
    return p;
  };
  return {
    async runTrial(scenarioDoc: unknown, params: TrialParams, seed: number, options?: TrialRunOptions): Promise<TrialOutput> {
      const scenario = await qualify(applyTrialParams(scenarioDoc, params, seed), 'the trial scenario');
      const data = await dataFor(scenario);
      const { symbols, intervalUs } = data;
      const venue = venueConfig({ ...scenario.venue, barIntervalUs: intervalUs }, 'venue');
      const strategySpecs = scenario.strategies.map((s) => ({ ...s, symbols: s.symbols ?? symbols }));
      strategySpecs.forEach((s, i) => {
        s.symbols.forEach((sym, j) => {
          if (!symbols.includes(sym)) throw new ConfigError(`strategies[${i}].symbols[${j}]`, `symbol '${sym}' is not replayed (symbols: ${symbols.join(', ')})`);
        });
      });
      const createStrategies = (): Strategy[] => strategySpecs.map((s) => createStrategy(s.type, s.id, s.symbols, s.params));
      const riskConfig = scenario.risk;
      const hasLimits = Object.keys(riskConfig).some((k) => k !== 'reducingAlwaysAllowed');
      const result = await runBacktest(
        {
          symbols,
          initialCash: scenario.initialCash,
          barIntervalUs: intervalUs,
          equityEveryUs: parseDurationUs(scenario.engine.equityEvery, 'engine.equityEvery'),
          lookback: scenario.engine.lookback,
          venue,
          createStrategies,
          createRisk: hasLimits ? () => new RiskEngine(riskConfig) : null,
          recording: 'metrics',
        },
        {
          ...(data.bars ? { bars: replay(data.bars) } : {}),
          ...(data.quotes ? { quotes: replay(data.quotes) } : {}),
          ...(data.trades ? { trades: replay(data.trades) } : {}),
        },
      );
      const { metrics, returns } = trialMetrics(result, options?.measureFromUs);
      return { metrics, runHash: result.runHash, returns };
    },
  };
}
