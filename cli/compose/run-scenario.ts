import { accountFromSection } from '../../engine/portfolio/account-schema.js';
import { ConfigError, DataError, parseDurationUs, resolveCalendar } from '../../engine/core/index.js';
import type { Calendar } from '../../engine/core/index.js';
import { RiskEngine, describeRiskConfig } from '../../engine/risk/index.js';
import { buildRunReport } from '../../reports/index.js';
import type { MetricsOptions, RunReport } from '../../reports/index.js';
import { extendRunResult, replay } from '../../sim/backtest/index.js';
import type { BacktestResult, BarBatch, EquitySink, LiveHooks, ReplayConfig, ReplayFeeds } from '../../sim/backtest/index.js';
import { venueConfig } from '../../sim/venue/index.js';
import type { AlgorithmConfig } from '../../engine/execution/index.js';
import type { PredictiveFiltersConfig } from '../../engine/kernel/index.js';
import type { PredictiveFilterConfig } from '../../engine/models/index.js';
import { fromArray, formatInterval, noDataError, openRunData } from './data-sources.js';
import type { RunData } from './data-sources.js';
import type { DuckSession } from '../../datasets/duckdb.js';
import { composeStrategies, ensembleRouting, riskWithConstraints, strategyFactory, warmupOf } from './ensemble-compose.js';
import { regimeAdaptiveOf } from './regimes-compose.js';
import type { StrategySpec } from './ensemble-compose.js';
import { qualifyL2Venue } from './l2-venue.js';
import { checkSymbolsOf, definitionOf } from './strategy-modules.js';
import { tradeFromOption } from './trade-from.js';
import type { QualifiedScenario } from './load-scenario.js';
import { PriceSampler } from './price-sampler.js';
import { describeInstruments, instrumentSpecsAsRun, resolveInstruments } from './instruments.js';
import { timeframeRunHash } from './timeframes.js';
import { booksOf, mergeBookResults } from './books.js';
import type { BookResult } from './books.js';

/**
 * The run assembly: one function turns a qualified scenario and its data into a finished run,
 * whatever started it (`tapedeck run`, a sweep trial, a walk-forward fold, a queue worker, the
 * library's `backtest()`). It composes strategies (per-instrument overrides and bundles applied),
 * the ensemble routing, portfolio constraints, risk and execution algorithms once, and replays the
 * data through the venue the data calls for (bar/L1, or the L2 book with latency and queues).
 * Strategies with their own accounts (`strategies[i].account`) are replayed one book at a time on
 * the same data and their results merged into the run's one result (cli/compose/books.ts).
 */

/**
 * Returns each composed strategy's execution algorithm (an instance `<id>@SYM` has its strategy's),
 * or undefined when no strategy has one or an ensemble trades the account.
 */
export function strategyAlgorithms(scenario: QualifiedScenario, ids: readonly string[]): (AlgorithmConfig | null)[] | undefined {
  if (scenario.ensemble !== undefined) return undefined; // strategies trade shadow books: `execution` is the account's (ensembleRouting)
  const byId = new Map(scenario.strategies.map((s) => [s.id, s.execution ?? null]));
  const out = ids.map((id) => byId.get(id) ?? byId.get(id.split('@')[0]!) ?? null);
  return out.some((a) => a !== null) ? out : undefined;
}

/**
 * The run's predictive filters (scenario `strategies[i].filters`, `ensemble.filters`) by the composed
 * strategies' ids (a per-symbol instance `id@SYM` takes its entry's); undefined when none has any.
 */
export function predictiveFilters(scenario: QualifiedScenario, ids: readonly string[]): PredictiveFiltersConfig | undefined {
  // A random-forest direction filter without its own seed draws from the scenario's.
  const seeded = (filters: readonly PredictiveFilterConfig[]): readonly PredictiveFilterConfig[] =>
    filters.map((f) => (f.kind === 'direction' && f.model === 'rf' && f.seed === undefined ? { ...f, seed: scenario.seed } : f));
  const byId = new Map(scenario.strategies.map((s) => [s.id, seeded(s.filters ?? [])]));
  const strategies = ids.map((id) => byId.get(id) ?? byId.get(id.split('@')[0]!) ?? []);
  const account = seeded(scenario.ensemble?.filters ?? []);
  return strategies.some((f) => f.length > 0) || account.length > 0 ? { strategies, account } : undefined;
}

export interface ScenarioRun {
  readonly result: BacktestResult;
  readonly report: RunReport;
  /**
   * What the user should know about a run that finished (the CLI prints each as `warning: ...` on
   * stderr, exit 0): e.g. `no trades: ...` when no order filled. A run that cannot do what was asked
   * (data shorter than a strategy's warm-up) is an error instead, before it starts.
   */
  readonly warnings: readonly string[];
}

/**
 * The warnings of a finished run (see ScenarioRun.warnings). No fill at all is a legitimate outcome
 * on data long enough for the strategies (they saw no signal, or risk denied every order), but rarely
 * what the user expected, so it is said.
 */
export function runWarnings(result: BacktestResult, symbols: readonly string[]): string[] {
  const warnings: string[] = [];
  // Counted in the fill log when the result has it: `fills` would build an object per fill (a 2.5 M-bar run's
  // 138,106: ~30 ms, and as much again collecting them).
  if ((result.records ?? result).fills.length === 0) {
    const seen = result.barCount > 0 ? `${result.barCount} bars` : `${result.quoteCount + result.tradeCount} quotes and trades`;
    const orders = result.orderCount > 0 ? ` (${result.orderCount} order${result.orderCount === 1 ? '' : 's'} submitted)` : '';
    warnings.push(`no trades: no order filled in ${seen} of ${symbols.join(', ')}${orders}`);
  }
  return warnings;
}


/**
 * Refuses, before the replay, a run in which a strategy cannot act: a symbol it trades has fewer bars
 * (in data.start..data.end) than the strategy's warm-up (StrategyDefinition.warmup). Such a run would
 * end with no trade and no hint why. Throws a ConfigError naming the scenario's strategy, the
 * parameter, the bars needed and the bars there are.
 */
export async function checkWarmup(scenario: QualifiedScenario, data: RunData, specs: readonly StrategySpec[]): Promise<void> {
  if (!data.has.bars) return;
  const range = data.range.start !== undefined || data.range.end !== undefined ? ` between ${scenario.data.start ?? 'the start'} and ${scenario.data.end ?? 'the end'}` : '';
  for (const spec of specs) {
    const warmup = warmupOf(spec);
    if (warmup === null) continue;
    // Per-instrument instances are `<id>@<SYMBOL>`: name the scenario's strategy they came from.
    const index = scenario.strategies.findIndex((s) => s.id === spec.id || spec.id.startsWith(`${s.id}@`));
    for (const symbol of spec.symbols) {
      if (!data.intervals.has(symbol)) continue;
      const n = await data.barsInRange(symbol, warmup.bars);
      if (n < warmup.bars) {
        throw new ConfigError('', `strategies[${index}] (${spec.id}): needs ${warmup.bars} bars to warm up (${warmup.because}), data has ${n} bar${n === 1 ? '' : 's'} of ${symbol}${range}`);
      }
    }
  }
}

/**
 * The metric settings of a scenario: its trading calendar (resolved) and `metrics` section. The
 * report and every trial metric (sweeps, walk-forward folds) annualize with them.
 */
export function scenarioMetricsOptions(scenario: Pick<QualifiedScenario, 'calendar' | 'metrics'>): MetricsOptions {
  return {
    ...(scenario.calendar !== undefined ? { calendar: resolveCalendar(scenario.calendar, 'calendar') } : {}),
    ...(scenario.metrics?.periodsPerYear !== undefined ? { periodsPerYear: scenario.metrics.periodsPerYear } : {}),
    ...(scenario.metrics?.riskFreeRate !== undefined ? { riskFreeRate: scenario.metrics.riskFreeRate } : {}),
  };
}

/**
 * What a trading calendar does and does not do in a run, for the report's assumptions (the
 * annualization sentence is the report's own, see describeAnnualization).
 */
export function calendarAssumptions(cal: Calendar): string[] {
  const day = cal.kind === '24/7' ? 'the UTC day' : cal.kind === 'fx-24/5' ? 'the session day (17:00 to 17:00 America/New_York)' : `the session day (local midnight to midnight in ${cal.timeZone})`;
  return [
    `Trading ${cal.label}: the daily loss limit (risk.dailyLossLimit, portfolio.constraints.dailyStopLoss) resets at the start of ${day}; DAY orders on bars and quotes expire at the first session close after submission (the venue's assumptions say so).`,
    "The calendar does not filter the data: bars outside its sessions are replayed and traded as they are; strategy session windows are the strategy's own (ibs: sessions with timeZone).",
  ];
}

/** Watches a replay as it goes (for a progress bar); it sees counts only, never the data. */
export interface ReplayObserver {
  /** Called once before the replay with the events the tape holds by its manifests' row counts (a bound when data.start/end cut it). */
  start?(totalEvents: number): void;
  /** Called for each batch of bars, quotes, trades or book rows as the replay reads it. */
  batch?(events: number): void;
}

/** Returns `feed`, calling `observe` with each batch's row count as it passes. */
async function* observed<T extends { readonly length: number }>(feed: AsyncIterable<T>, observe: (events: number) => void): AsyncGenerator<T> {
  for await (const b of feed) {
    observe(b.length);
    yield b;
  }
}

/** Returns the bar feed, sampling each symbol's closes for the report's price charts as it passes. */
async function* sampled(feed: AsyncIterable<BarBatch>, prices: PriceSampler): AsyncGenerator<BarBatch> {
  for await (const b of feed) {
    prices.observeBatch(b);
    yield b;
  }
}

/** How a run is executed and what it keeps. */
export interface ExecuteOptions {
  /** Watches the replay (progress). */
  readonly observer?: ReplayObserver;
  /**
   * `report` (default): the whole result and report.json; `metrics`: only what trial metrics and
   * the runHash need (sweep trials and walk-forward folds), no report.
   */
  readonly recording?: 'report' | 'metrics';
  /**
   * Stream the equity curve to this sink as the run goes (`tapedeck run`'s equity.parquet; see
   * ReplayConfig.equitySink). A run whose strategies trade their own books keeps its curve in memory
   * (the books are summed sample by sample) and its writer takes it from the result.
   */
  readonly equitySink?: EquitySink;
  /** A live session's adapters (live/session): its order routing and its hold on the run's parts. */
  readonly live?: LiveHooks;
}

/** A finished run: the result, its report (absent with recording 'metrics') and the warnings to print. */
export interface ExecutedRun {
  readonly result: BacktestResult;
  readonly report: RunReport | null;
  /** See ScenarioRun.warnings. */
  readonly warnings: readonly string[];
}

/**
 * The one run assembly: composes the run of `scenario` and replays `data` through it (see the top
 * of this file). `data` is not closed here.
 */
export async function executeRun(scenario: QualifiedScenario, data: RunData, options: ExecuteOptions = {}): Promise<ExecutedRun> {
  const recording = options.recording ?? 'report';
  const books = booksOf(scenario);
  if (books === null) {
    const one = await replayOne(scenario, data, options);
    const warnings = runWarnings(one.result, data.symbols);
    if (recording === 'metrics') return { result: one.result, report: null, warnings };
    return { result: one.result, report: buildReport(scenario, data, one, one.result, one.assumptions), warnings };
  }
  // Strategies with their own accounts: each book replays the same data alone (see books.ts).
  const observer = options.observer;
  const done: BookResult[] = [];
  const replays: ReplayedOne[] = [];
  for (const [k, book] of books.entries()) {
    const bookObserver: ReplayObserver | undefined =
      observer === undefined ? undefined : { ...(observer.batch ? { batch: observer.batch } : {}), ...(k === 0 && observer.start ? { start: (total: number) => observer.start!(total * books.length) } : {}) };
    let one: ReplayedOne;
    try {
      const { equitySink: _sink, ...bookOptions } = options;
      one = await replayOne(book.scenario, data, { ...bookOptions, ...(bookObserver !== undefined ? { observer: bookObserver } : {}) }, k === 0);
    } catch (err) {
      // The book's scenario has its strategy at index 0: name the scenario's own index.
      if (err instanceof ConfigError && /^strategies\[0\]/.test(err.path)) {
        const path = `strategies[${book.index}]${err.path.slice('strategies[0]'.length)}`;
        throw new ConfigError(path, err.message.slice(err.path.length + 2).replaceAll('strategies[0]', `strategies[${book.index}]`), { cause: err });
      }
      // A message that names the strategy itself (the warm-up check: `strategies[0] (id): needs ...`).
      if (err instanceof ConfigError && err.path === '' && err.message.startsWith('strategies[0]')) {
        throw new ConfigError('', `strategies[${book.index}]${err.message.slice('strategies[0]'.length)}`, { cause: err });
      }
      throw err;
    }
    replays.push(one);
    done.push({ id: book.id, initialCash: book.scenario.initialCash, result: one.result });
  }
  const assumptions = recording === 'report' ? bookAssumptions(books.map((b) => b.id), replays.map((r) => r.assumptions)) : [];
  const result = mergeBookResults(done, assumptions);
  const warnings = runWarnings(result, data.symbols);
  if (recording === 'metrics') return { result, report: null, warnings };
  // The scenario as run: each composed strategy with its account; no run-wide cash or account (refused with books).
  const specs = replays.flatMap((r, k) => r.specs.map((spec) => ({ ...spec, account: scenario.strategies[books[k]!.index]!.account })));
  const combined: ReplayedOne = { ...replays[0]!, specs };
  const { initialCash: _cash, account: _account, ...asRun } = scenario;
  return { result, report: buildReport(asRun as QualifiedScenario, data, combined, result, assumptions), warnings };
}

/**
 * The assumptions of a run with books: those every book states once, then each book's own
 * (its account, its limits) prefixed `account <id>:`.
 */
export function bookAssumptions(ids: readonly string[], lists: readonly (readonly string[])[]): string[] {
  // The ruin rule of one account, said of each book (its ruin ends its own trading).
  const common = lists[0]!.filter((a) => lists.every((l) => l.includes(a)));
  const own = lists.flatMap((l, k) => l.filter((a) => !common.includes(a)).map((a) => `account ${ids[k]}: ${a}`));
  return [
    `Each strategy trades its own account (strategies[i].account: ${ids.join(', ')}), replayed as a separate book on the same data with its own cash, positions, buying power, margin calls, ruin, position cap and daily stop; the scenario's risk limits apply to each book separately. The equity, cash, exposure, margin and buying power shown are the books' sums; a book's ruin ends its trading only.`,
    ...common.map((a) => a.replace('trading ends for the run', 'trading ends for that account (the other accounts trade on)')),
    ...own,
  ];
}

/** What one replay of a plan left for its report. */
interface ReplayedOne {
  readonly result: BacktestResult;
  readonly prices: PriceSampler | null;
  readonly venueAsRun: unknown;
  readonly specs: readonly StrategySpec[];
  /** The run's assumptions (empty with recording 'metrics'). */
  readonly assumptions: readonly string[];
}

/** Builds the report of a finished run: the scenario as run (its data, venue and composed strategies), its assumptions and metrics. */
function buildReport(scenario: QualifiedScenario, data: RunData, one: ReplayedOne, result: BacktestResult, assumptions: readonly string[]): RunReport {
  const chains = data.chains;
  const symbols = data.symbols;
  const asRun = {
    ...scenario,
    file: undefined,
    data: {
      ...scenario.data,
      symbols: [...symbols],
      ...(chains !== null ? { contracts: chains.contracts.length } : {}),
      ...(data.intervalUs !== null && new Set(data.intervals.values()).size === 1 ? { interval: formatInterval(data.intervalUs) } : {}),
    },
    venue: one.venueAsRun,
    strategies: one.specs,
    ...(scenario.instrumentSpecs !== undefined ? { instrumentSpecs: instrumentSpecsAsRun(scenario.instrumentSpecs) } : {}),
  };
  delete (asRun as { file?: string }).file;
  const prices = one.prices;
  return buildRunReport(extendRunResult(result, { assumptions, ...(prices ? { prices: prices.result() } : {}) }), asRun, scenario.seed, data.provenance, scenarioMetricsOptions(scenario));
}

/**
 * Composes one plan (one account) and replays `data` through it. `samplePrices`: sample the closes
 * for the report's charts (the first book of a run with books only).
 */
async function replayOne(scenario: QualifiedScenario, data: RunData, options: ExecuteOptions, samplePrices = true): Promise<ReplayedOne> {
  const recording = options.recording ?? 'report';
  const symbols = data.symbols;
  const chains = data.chains;
  // With option chains, every contract is a symbol of the run after the underlyings.
  const runSymbols: readonly string[] = chains !== null ? [...symbols, ...chains.contracts] : symbols;
  const optionsSection = scenario.options ?? { rate: 0.04, dividendYield: 0, multiplier: 100 };

  // A strategy that names no symbols trades the data's: the option contracts too only when it reads chains
  // (options_flow, delta_hedge, a module that `needs: ['chains']`). A bar strategy given hundreds of
  // contracts that never have a bar would wait forever on a rule that needs every symbol's bar.
  const defaultSymbols = (s: (typeof scenario.strategies)[number]): readonly string[] =>
    chains !== null && !(definitionOf(s as StrategySpec).needs ?? []).includes('chains') ? symbols : runSymbols;
  const strategySpecs: StrategySpec[] = scenario.strategies.map(({ execution: _e, filters: _f, ...s }) => ({ ...s, symbols: s.symbols ?? defaultSymbols(s) }));
  strategySpecs.forEach((s, i) => {
    s.symbols.forEach((sym, j) => {
      if (!runSymbols.includes(sym)) throw new ConfigError(`strategies[${i}].symbols[${j}]`, `symbol '${sym}' is not replayed (symbols: ${runSymbols.join(', ')})`);
    });
    // Symbols taken from the data were not checked when the scenario loaded: a built-in refuses them here.
    if (scenario.strategies[i]!.symbols === undefined) checkSymbolsOf(definitionOf(s), i, s.id ?? `strategies[${i}]`, s.symbols, s.params);
  });
  // Per-instrument overrides and bundles may split a strategy into per-symbol instances; an ensemble routes them.
  const composed = await composeStrategies(scenario, strategySpecs, runSymbols);
  await checkWarmup(scenario, data, composed.specs);
  const createStrategies = strategyFactory(composed.specs);
  const ids = composed.specs.map((s) => s.id);
  const algorithms = strategyAlgorithms(scenario, ids);
  const routing = ensembleRouting(scenario, ids, composed.specs.map((s) => s.symbols));
  const filters = predictiveFilters(scenario, ids);
  const regimeAdaptive = regimeAdaptiveOf(scenario, runSymbols);
  const riskConfig = riskWithConstraints(scenario.risk, scenario);
  const hasLimits = Object.keys(riskConfig).some((k) => k !== 'reducingAlwaysAllowed');
  const metricsOptions = scenarioMetricsOptions(scenario);
  const createRisk = hasLimits ? () => new RiskEngine(riskConfig, metricsOptions.calendar) : null;
  const equityEveryUs = parseDurationUs(scenario.engine.equityEvery, 'engine.equityEvery');
  // The instruments of the replayed symbols (option contracts after them have none: options.multiplier).
  const specs = resolveInstruments(scenario.instrumentSpecs, symbols, scenario.venue, data.venue === 'l2', {
    ...(chains !== null ? { contracts: chains.contracts } : {}),
    ...(metricsOptions.calendar !== undefined ? { calendar: metricsOptions.calendar } : {}),
  });
  const instruments = specs !== undefined ? [...specs, ...runSymbols.slice(symbols.length).map(() => null)] : undefined;
  // Without an ensemble (which keeps its own), the daily stop flattens the account (DailyStopFlatten).
  const dailyStopLoss = routing === undefined ? scenario.portfolio?.constraints.dailyStopLoss : undefined;

  const feeds = await data.openFeeds();
  let result: BacktestResult;
  let prices: PriceSampler | null = null;
  let venueAsRun: unknown;
  const extraAssumptions: string[] = [];
  try {
    const batch = options.observer?.batch;
    const watch = <T extends { readonly length: number }>(f: AsyncIterable<T> | undefined): AsyncIterable<T> | undefined => (f !== undefined && batch ? observed(f, batch) : f);
    // The rows the replay reads: the progress bar's total, and a bound on the equity samples a bar replay takes.
    let feedRows = 0;
    for (const kind of ['bars', 'quotes', 'trades', 'book'] as const) if (feeds[kind]) for (const s of symbols) feedRows += data.rows(kind, s);
    options.observer?.start?.(feedRows);
    if (data.venue === 'l2') {
      if (routing !== undefined) throw new ConfigError('ensemble', 'an ensemble is not supported on an L2 run (data.book) yet');
      const { venue, latency } = qualifyL2Venue(scenario.venue as Record<string, unknown>);
      venueAsRun = { ...venue, latency };
      const l2Feeds: ReplayFeeds = { book: watch(feeds.book)!, ...(feeds.trades ? { trades: watch(feeds.trades)! } : {}) };
      const l2 = await replay(
        {
          symbols,
          initialCash: scenario.initialCash,
          account: accountFromSection(scenario.account),
          barIntervalUs: null,
          equityEveryUs,
          lookback: scenario.engine.lookback,
          venue: { kind: 'l2', config: venue, latency, seed: scenario.seed },
          createStrategies,
          createRisk,
          ...tradeFromOption(scenario.engine),
          ...(algorithms !== undefined ? { algorithms } : {}),
          ...(dailyStopLoss !== undefined ? { dailyStopLoss } : {}),
          ...(options.equitySink !== undefined ? { equitySink: options.equitySink } : {}),
          ...(options.live !== undefined ? { live: options.live } : {}),
        },
        l2Feeds,
      );
      if (metricsOptions.calendar !== undefined && metricsOptions.calendar.kind !== '24/7') extraAssumptions.push('DAY orders on the L2 venue expire at the end of the UTC day, not at the session close: the L2 venue does not read the calendar.');
      if (l2.l2!.bookRows === 0) throw new DataError(`no book rows in the selected range for ${symbols.join(', ')}`);
      for (const [s, c] of Object.entries(l2.l2!.repairs)) {
        extraAssumptions.push(`Book repairs for ${s} (policy '${venue.repair}'): ${c.skippedRows} rows skipped, ${c.crossedRows} crossing rows, ${c.droppedLevels} levels dropped, ${c.negativeSize} negative sizes, ${c.invalidPrice} invalid prices, ${c.unknownLevel} deletes of absent levels, ${c.malformed} malformed rows`);
      }
      result = l2;
    } else {
      const venue = venueConfig({ ...scenario.venue, barIntervalUs: data.intervalUs }, 'venue');
      venueAsRun = venue;
      let bars = feeds.bars;
      if (bars && recording === 'report' && samplePrices) {
        prices = new PriceSampler(symbols, symbols.map((s) => data.rows('bars', s)));
        bars = sampled(bars, prices);
      }
      const config: ReplayConfig = {
        symbols: runSymbols,
        initialCash: scenario.initialCash,
        account: accountFromSection(scenario.account),
        barIntervalUs: data.intervalUs,
        equityEveryUs,
        lookback: scenario.engine.lookback,
        venue: { kind: 'l1', config: venue, ...(metricsOptions.calendar !== undefined ? { calendar: metricsOptions.calendar } : {}) },
        createStrategies,
        createRisk,
        ...tradeFromOption(scenario.engine),
        ...(data.timeframes.length > 0 ? { timeframes: data.timeframes } : {}),
        ...(recording === 'metrics' ? { recording: 'metrics' as const } : {}),
        ...(options.equitySink !== undefined ? { equitySink: options.equitySink } : { expectedSamples: feedRows }),
        ...(options.live !== undefined ? { live: options.live } : {}),
        ...(routing !== undefined ? { routing } : {}),
        ...(regimeAdaptive !== undefined ? { regimeAdaptive } : {}),
        ...(algorithms !== undefined ? { algorithms } : {}),
        ...(filters !== undefined ? { filters } : {}),
        ...(instruments !== undefined ? { instruments } : {}),
        ...(dailyStopLoss !== undefined ? { dailyStopLoss } : {}),
        ...(chains !== null
          ? {
              multipliers: runSymbols.map((_, i) => (i < symbols.length ? 1 : optionsSection.multiplier)),
              options: { instruments: runSymbols.map((_, i) => (i < symbols.length ? null : chains.instruments[i - symbols.length]!)), pricing: { rate: optionsSection.rate, dividendYield: optionsSection.dividendYield } },
            }
          : {}),
      };
      const backtestFeeds: ReplayFeeds = {
        ...(bars ? { bars: watch(bars)! } : {}),
        ...(feeds.quotes ? { quotes: watch(feeds.quotes)! } : {}),
        ...(feeds.trades ? { trades: watch(feeds.trades)! } : {}),
        ...(chains !== null ? { chains: fromArray(chains.batches(symbols.length)) } : {}),
        ...(data.sentiment !== null ? { sentiment: fromArray(data.sentiment.batches) } : {}),
      };
      if (data.sentiment !== null) {
        extraAssumptions.push(
          `Sentiment scores (${data.sentiment.rows} rows of ${data.sentiment.symbols.join(', ')}) reach the strategies' onSentiment at their own timestamps, after the quotes, trades, bars and chains of the same time; they move no price and no mark`,
        );
      }
      result = await replay(config, backtestFeeds);
      // The requested timeframes are part of the run's identity (see timeframeRunHash).
      if (data.timeframes.length > 0) result = extendRunResult(result, { runHash: timeframeRunHash(result.runHash, data.timeframes) });
      if (result.barCount + result.quoteCount + result.tradeCount === 0) throw noDataError(scenario, symbols);
    }
  } finally {
    feeds.close();
  }
  // The report's scenario as run shows each composed strategy with its filters.
  const asRunSpecs = filters === undefined ? composed.specs : composed.specs.map((spec, k) => (filters.strategies[k]!.length > 0 ? { ...spec, filters: filters.strategies[k] } : spec));
  if (recording === 'metrics') return { result, prices, venueAsRun, specs: asRunSpecs, assumptions: [] };
  const cal = metricsOptions.calendar;
  const sessionDays = cal !== undefined && cal.kind !== '24/7';
  const assumptions = [
    ...data.assumptions,
    ...result.assumptions,
    ...extraAssumptions,
    ...(instruments !== undefined ? describeInstruments(instruments) : []),
    ...(hasLimits ? describeRiskConfig(riskConfig, sessionDays ? `session day of the ${cal.label}` : 'UTC day') : ['No pre-trade risk limits.']),
    ...composed.assumptions,
    ...(cal !== undefined ? calendarAssumptions(cal) : []),
  ];
  return { result, prices, venueAsRun, specs: asRunSpecs, assumptions };
}

/**
 * Runs a qualified scenario end to end from its datasets: opens the data (importing a CSV/Parquet
 * file into a temporary dataset first), executes the run (see executeRun) and cleans up. `session`: a
 * one-thread DuckDB session open past the run (`tapedeck run`'s outputs'), which a small CSV file of bars
 * is read on (see openRunData).
 */
export async function runScenario(scenario: QualifiedScenario, observer?: ReplayObserver, options: { equitySink?: EquitySink; session?: DuckSession } = {}): Promise<ScenarioRun> {
  const { session, ...execute } = options;
  const data = await openRunData(scenario, session !== undefined ? { session } : {});
  try {
    const run = await executeRun(scenario, data, { ...(observer !== undefined ? { observer } : {}), ...execute });
    return { result: run.result, report: run.report!, warnings: run.warnings };
  } finally {
    await data.close();
  }
}
