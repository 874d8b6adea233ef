import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualify } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import { readAll, writeDataset } from '../../datasets/index.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { ConfigError } from '../../engine/core/index.js';
import type { DefinedStrategy } from '../../engine/strategies/index.js';
import { STRATEGIES } from '../../engine/strategies/registry.js';
import { schemaFields } from '../../scenarios/schema-fields.js';
import type { SchemaField } from '../../scenarios/schema-fields.js';
import { BAR_VENUE_KEYS, L2_VENUE_KEYS } from '../../sim/venue/index.js';
import { PRICE_PROBE, QUEUE_PROBE } from './price-probe.js';

/**
 * The contract of issue 12 point 2, "no silent settings": every documented field of the scenario
 * schema, moved away from its default to a valid value on a scenario where it can matter, either
 * changes the runHash or is refused with a message naming that field's path.
 *
 * The fields are the published schema's, as schemaFields() (scenarios/schema-fields.ts) lists them,
 * a union variant's fields named after the variant (`venue.fees<bps>.bps`: the entry chooses the
 * variant on both sides and moves the field on one); each strategy's `params` (validated by the
 * strategy) are each built-in strategy's defaults. Every field needs an entry in CONTRACT below: a
 * new field without one fails the test ("field X has no contract entry"), and so does an entry for
 * a field that no longer exists. A duration written both ways (`duration` and `durationUs`) has an
 * entry per spelling, and giving both at once is refused.
 *
 * A handful of fields are documented not to change what is traded: the scenario's name and
 * description (`meta`: the report shows them), and the ensemble monitor thresholds (`audit`: they
 * raise alerts in the report's audit trail), and the settings of the metrics (`metrics`: the
 * calendar's sessions and `metrics.*` annualize Sharpe, volatility and CAGR, the report's metrics
 * move). Their entries say so, and the test checks that effect.
 */

/**
 * The contract's own strategies (price-probe.ts: limit and stop orders on bars; limit orders resting
 * in the L2 queue), handed to `qualify` as objects the way `backtest()` takes user strategies:
 * scenarios of this file name them by their names.
 */
const QUALIFY_OPTIONS = { objects: new Map<string, DefinedStrategy<object>>([PRICE_PROBE, QUEUE_PROBE].map((d) => [d.name, d as unknown as DefinedStrategy<object>])) };

// ---------------------------------------------------------------------------------------------
// The fields

/**
 * The contract's name of a schema field: its path with each union variant it belongs to written
 * after the union (`venue.fees<bps>.bps`, `ensemble.weighting<optimizer>.mean<ewma>.alpha`).
 */
function fieldName(f: SchemaField): string {
  let p = f.path;
  // Innermost union first, so the outer union's prefix still matches the unmarked path.
  for (const [disc, value] of Object.entries(f.when).sort(([x], [y]) => y.length - x.length)) {
    const union = disc.slice(0, disc.lastIndexOf('.'));
    if (p.startsWith(`${union}.`)) p = `${union}<${String(value)}>${p.slice(union.length)}`;
  }
  return p;
}

/**
 * Every documented field, from {@link schemaFields} (the published JSON Schema): each leaf, each
 * union (choosing a variant is a setting), each optional or nullable section (enabling or disabling
 * it is a setting), each record's values (`*`). Left out: a union's discriminator (the union's own
 * entry chooses the variant) and a required or defaulted plain section whose fields are listed (it
 * only groups them). Each built-in strategy's params are expanded from its defaults.
 */
function documentedFields(): string[] {
  const all = schemaFields();
  const out: string[] = [];
  for (const f of all) {
    if (Object.hasOwn(f.when, f.path)) continue;
    const hasChildren = all.some((g) => g.path.startsWith(`${f.path}.`) || g.path.startsWith(`${f.path}[]`));
    if (hasChildren && (f.type === 'object' || f.type === 'array') && (f.required || f.hasDefault)) continue;
    if (f.path === 'strategies[].params') {
      for (const [type, def] of Object.entries(STRATEGIES)) for (const k of Object.keys(def.defaults)) out.push(`strategies[].params<${type}>.${k}`);
      continue;
    }
    const name = fieldName(f);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** Venue keys only an L2 replay reads (refused on a bar run), and only the bar/L1 venue (refused on an L2 run). */
const L2_ONLY = L2_VENUE_KEYS.filter((k) => !(BAR_VENUE_KEYS as readonly string[]).includes(k));
const BAR_ONLY = BAR_VENUE_KEYS.filter((k) => !(L2_VENUE_KEYS as readonly string[]).includes(k));

// ---------------------------------------------------------------------------------------------
// Data and base scenarios

let dir: string;
/** Two generated datasets of every kind (bars and sentiment of AAA and BBB; quotes, trades, book and option chains of AAA). */
let d1: string;
let d2: string;
/** Three days of minute bars of AAA (execution algorithms slice within the day; VWAP reads past sessions). */
let minute: string;
/**
 * A hand-written book of AAA with thin levels, where a resting order's fill is decided by its
 * place in the queue (see thinBook).
 */
let thin: string;
/** Hand-written daily bars of AAA whose low touches the price probe's buy limit exactly (see touchBars). */
let touched: string;
/** AAA's bars and option chains of d1 with call skew and without the chains' Greeks (see skewedChains). */
let skewed: string;
/** An instruments file: AAA a future of point value 2, BBB (not in the file) and CCC (not replayed). */
let instrumentsFile: string;
/** Daily bars of AAA, BBB and CCC (correlation_matrix needs three symbols). */
let d3: string;
/** Two directories of per-symbol model bundles with different crossover parameters. */
let models1: string;
let models2: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-contract-'));
  d1 = join(dir, 'd1');
  d2 = join(dir, 'd2');
  const market = (seed: number, out: string) =>
    generateDataset({
      seed,
      out,
      symbols: ['AAA', 'BBB'],
      days: 260,
      kinds: ['bars', 'quotes', 'trades', 'book', 'options', 'sentiment'],
      sentiment: { correlation: 0.2 },
      intraday: { symbols: ['AAA'], days: 1, bookEventsPerDay: 1500, tradesPerDay: 1200, quotesPerDay: 1200, snapshotSeconds: 600 },
      options: { underlying: 'AAA', expiries: 2, strikesPerSide: 3 },
    });
  minute = join(dir, 'minute');
  models1 = join(dir, 'models1');
  models2 = join(dir, 'models2');
  for (const [d, fast] of [[models1, 3], [models2, 12]] as const) {
    await mkdir(d);
    for (const symbol of ['AAA', 'BBB']) await writeFile(join(d, `${symbol}_best.json`), JSON.stringify({ symbol, threshold: 0.5, features: [], params: { fast }, metrics: {} }));
  }
  instrumentsFile = join(dir, 'universe.instruments.json');
  await writeFile(
    instrumentsFile,
    JSON.stringify({ instruments: { AAA: { assetClass: 'future', multiplier: 2, initialMargin: 100, maintenanceMargin: 50 }, CCC: { assetClass: 'future', multiplier: 5, initialMargin: 100, maintenanceMargin: 50 } } }),
  );
  thin = join(dir, 'thin');
  touched = join(dir, 'touched');
  skewed = join(dir, 'skewed');
  d3 = join(dir, 'd3');
  await Promise.all([market(1, d1), market(2, d2), generateDataset({ seed: 4, out: d3, symbols: ['AAA', 'BBB', 'CCC'], days: 260, kinds: ['bars'] }), generateDataset({ seed: 3, out: minute, symbols: ['AAA'], days: 3, interval: '1m', kinds: ['bars'] }), thinBook(thin), touchBars(touched)]);
  await skewedChains(d1, skewed);
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Doc = Record<string, unknown>;

/**
 * Writes AAA's bars and option chains of `from` with every call's iv raised by 0.2 (the OTM calls
 * above the puts: the call skew options_flow's bullish branch needs, which generated smiles have only
 * on call-heavy days) and without delta, gamma, vega and theta (the chain then carries no Greeks, so delta_hedge
 * prices the delta itself at its `rate`).
 */
async function skewedChains(from: string, out: string): Promise<void> {
  const bars = await readAll(from, { kind: 'bars', symbols: ['AAA'] });
  const chains = await readAll(from, { kind: 'options' });
  const { delta: _d, gamma: _g, vega: _v, theta: _t, ...kept } = chains.columns;
  const iv = Float64Array.from(kept['iv']!, (v, i) => (kept['right']![i] === 1 ? v + 0.2 : v));
  const underlying = Array.from(chains.codes['underlying']!, (c) => chains.dictionaries['underlying']![c]!);
  await writeDataset(
    out,
    [
      { kind: 'bars', symbol: 'AAA', columns: bars.columns },
      ...chains.symbols.map((symbol) => ({ kind: 'options' as const, symbol, columns: { ...kept, iv, underlying } })),
    ],
    {},
  );
}

/**
 * Writes the thin book: AAA bid 100 x 1000 / ask 101 x 1000; the queue probe joins the bid behind
 * 1000; 2000 more join behind it; 1000 are cancelled (no trade); a sell of 950 prints at 100. Where
 * the cancel came from decides the fill: the risk-averse queue puts it behind the order (1000 still
 * ahead: no fill); the probabilistic one splits it by f(back) / (f(back) + f(front)) with
 * front 1000, back 2000: power n=3 takes 111.1 from ahead (fill 61.1 of the print), n=0.5 takes
 * 414.2 (fill 100), log takes 476.2 (fill 100).
 */
async function thinBook(out: string): Promise<void> {
  const t0 = Date.UTC(2024, 0, 2, 14, 30) * 1000;
  const s = 1_000_000;
  const book = [
    [t0, 1, 100, 1000, 2, 1],
    [t0, -1, 101, 1000, 2, 2],
    [t0 + s, 1, 100, 3000, 0, 0],
    [t0 + 2 * s, 1, 100, 2000, 0, 0],
    [t0 + 3 * s + 1000, 1, 100, 1050, 0, 0],
    [t0 + 4 * s, -1, 101, 500, 0, 0],
    [t0 + 5 * s, 1, 100, 1500, 0, 0],
  ];
  const col = (k: number) => book.map((r) => r[k]!);
  await writeDataset(
    out,
    [
      { kind: 'book', symbol: 'AAA', columns: { ts: col(0), side: col(1), price: col(2), size: col(3), action: col(4), flags: col(5) } },
      { kind: 'trades', symbol: 'AAA', columns: { ts: [t0 + 3 * s], price: [100], size: [950], side: [-1] } },
    ],
    {},
  );
}
/**
 * Writes 20 daily bars of AAA closing at 100 with lows at 99.5, except bar 14 whose low is exactly
 * 98.5: the price probe (history 10, distance 0.015) rests a buy limit at 98.5 from bar 10, which
 * fills on bar 14 when limits fill on a touch and never when they must trade through.
 */
async function touchBars(out: string): Promise<void> {
  const n = 20;
  const ts = Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1 + i) * 1000);
  const low = Array.from({ length: n }, (_, i) => (i === 14 ? 98.5 : 99.5));
  const flat = (v: number) => Array.from({ length: n }, () => v);
  await writeDataset(out, [{ kind: 'bars', symbol: 'AAA', columns: { ts, open: flat(100), high: flat(100.5), low, close: flat(100), volume: flat(1000) } }], {});
}
const fraction = (f: number) => ({ fractional: true, sizing: { kind: 'equity_fraction', fraction: f } });
const barStrategies = () => [
  { id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20, ...fraction(0.3) } },
  { id: 'rsi', type: 'rsi_reversion', params: { period: 7, mode: 'long_short', ...fraction(0.3) } },
  { id: 'ema', type: 'ema_cross', params: { fast: 8, slow: 30, ...fraction(0.3) } },
  { id: 'ibs', type: 'ibs', params: { ...fraction(0.3) } },
  { id: 'sma-long', type: 'sma_cross', params: { fast: 10, slow: 40, mode: 'long_only', ...fraction(0.3) } },
];

/** The base scenarios: where each field can matter. */
const BASES: Record<string, () => Doc> = {
  /** Daily bars of two symbols, strategies trading their own ledgers. */
  bars: () => ({ name: 'contract', data: { bars: d1 }, strategies: barStrategies().slice(0, 4) }),
  /**
   * The bar strategies each trading its own account of 25,000 (books, cli/compose/books.ts); the
   * first invests its whole equity, sized at the close and filled at the next open, so its account's
   * buying power and margin rules decide its fills.
   */
  books: () => ({
    name: 'contract-books',
    data: { bars: d1 },
    strategies: barStrategies()
      .slice(0, 4)
      .map((s, i) => ({ ...s, ...(i === 0 ? { params: { ...s.params, ...fraction(1) } } : {}), account: { initialCash: 25_000 } })),
  }),
  /** L2 replay of AAA's book with prints, latency and strategies that go long and short. */
  l2: () => ({
    name: 'contract-l2',
    // Its strategies go short: a margin account (the default cash account denies short sales).
    account: { type: 'margin' },
    data: { book: d1, trades: d1, symbols: ['AAA'] },
    strategies: [
      { id: 'flow', type: 'liquidity_flow', params: { levels: 5, imbalanceThreshold: 0.2, minLiquidityScore: 0.3, evaluateEveryUs: 60_000_000, size: 100 } },
      { id: 'micro', type: 'microstructure', params: { tickWindow: 50, imbalanceThreshold: 0.2, spreadPercentile: 40, maxQuoteRate: 50, size: 100, orderType: 'limit' } },
    ],
    venue: { latency: { feed: { kind: 'constant', us: 250 }, entry: { kind: 'exponential', baseUs: 100, meanJitterUs: 200 } } },
  }),
  /** L2 replay of AAA's book with prints, a strategy resting limit orders at the touch (the contract's queue probe). */
  queue: () => ({ name: 'contract-queue', data: { book: thin, trades: thin, symbols: ['AAA'] }, strategies: [{ id: 'probe', type: 'contract_queue_probe' }] }),
  /** Daily bars of AAA and BBB with their sentiment scores (strategies given by strategyBase). */
  sentiment: () => ({ name: 'contract-sentiment', account: { type: 'margin' }, data: { bars: d1, sentiment: d1 }, strategies: [] }),
  /** L1 replay of AAA's quotes and trades. */
  l1: () => ({
    name: 'contract-l1',
    data: { quotes: d1, trades: d1, symbols: ['AAA'] },
    strategies: [{ id: 'micro', type: 'microstructure', params: { tickWindow: 30, imbalanceThreshold: 0.2, spreadPercentile: 60, spreadWindow: 100, maxQuoteRate: 1000, size: 50 } }],
  }),
  /** AAA's bars with its option chains. */
  options: () => ({
    name: 'contract-options',
    // delta_hedge sells the underlying, options_flow's bearish branch goes short: a margin account.
    account: { type: 'margin' },
    data: { bars: d1, options: d1, symbols: ['AAA'] },
    strategies: [
      { id: 'hedged', type: 'delta_hedge', params: { contracts: 5, minDays: 0 } },
      { id: 'flow', type: 'options_flow', symbols: ['AAA'], params: { window: 5, size: 50 } },
    ],
  }),
  /** The options base on `skewed`: chains with call skew and no Greeks. */
  skewed: () => ({ ...BASES.options!(), data: { bars: skewed, options: skewed, symbols: ['AAA'] } }),
  /** Daily bars of three symbols (d3), for correlation_matrix. */
  tri: () => ({ name: 'contract-tri', data: { bars: d3 }, strategies: [] }),
  /** Daily bars with limit and stop orders (the contract's price probe). */
  priced: () => ({ name: 'contract-priced', data: { bars: d1 }, strategies: [{ id: 'probe', type: 'contract_price_probe' }] }),
  /** The price probe on bars whose low touches its buy limit exactly once (touchBars). */
  touched: () => ({ name: 'contract-touched', data: { bars: touched }, strategies: [{ id: 'probe', type: 'contract_price_probe' }] }),
  /** Minute bars of AAA, a crossover whose targets an execution algorithm works. */
  minute: () => ({ name: 'contract-minute', data: { bars: minute }, strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20, sizing: { kind: 'units', units: 1000 } } }] }),
  /** An allocation-mode ensemble of five strategies: optimizer weights, adaptive multiples, retirement. */
  ensemble: () => ({
    name: 'contract-ensemble',
    data: { bars: d1 },
    strategies: barStrategies(),
    ensemble: { warmupBars: 20, rebalanceEveryBars: 10, window: 30, weighting: { kind: 'optimizer', regime: 'auto' }, adaptive: {}, retirement: { minTrades: 2 } },
  }),
  /** A crossover placing a protective (reduce-only) stop at 2% on each entry: risk sizing (issue 16's stop multipliers). */
  stopped: () => ({
    name: 'contract-stopped',
    data: { bars: d1 },
    strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20, mode: 'long_short', sizing: { kind: 'risk', fraction: 0.02, stopPct: 0.02 } } }],
  }),
  /** A voting-mode ensemble with signal quality, sized by the portfolio section. */
  voting: () => ({
    name: 'contract-voting',
    data: { bars: d1 },
    strategies: barStrategies(),
    ensemble: { mode: 'voting', warmupBars: 20, rebalanceEveryBars: 10, window: 30, weighting: { kind: 'performance' }, quality: {}, voting: { method: 'majority_vote' } },
    portfolio: { allocation: { method: 'inverse_volatility', lookback: 20 }, rebalancing: { everyBars: 5 } },
  }),
};

/** A strategy's own base: the data it needs and only it (ids `s`). */
function strategyBase(type: string, params: Doc, on?: string): Doc {
  const needs = (STRATEGIES as Record<string, { needs?: readonly string[] }>)[type]!.needs ?? [];
  const base =
    on !== undefined
      ? BASES[on]!()
      : needs.includes('chains')
        ? BASES.options!()
        : needs.includes('book')
          ? BASES.l2!()
          : needs.includes('trades')
            ? BASES.l1!()
            : needs.includes('sentiment')
              ? BASES.sentiment!()
              : BASES.bars!();
  return { ...base, strategies: [{ id: 's', type, ...(type === 'options_flow' ? { symbols: ['AAA'] } : {}), params }] };
}

// ---------------------------------------------------------------------------------------------
// The contract table

/**
 * How one field is moved: on `base` (with `with` applied to the base and the moved scenario alike,
 * e.g. the union variant the field belongs to), `set` applied to the moved scenario only. `set` is a
 * list of [dotted document path, value]; a function value receives the datasets.
 */
interface Entry {
  readonly base: string | { readonly strategy: string; readonly params?: Doc; /** A base of BASES to use instead of the one the strategy's data needs pick. */ readonly on?: string };
  readonly with?: readonly (readonly [string, unknown])[];
  readonly set: readonly (readonly [string, unknown])[];
  /**
   * What moving it does: `changed` (default) the runHash; `refused` the scenario, naming the field
   * (or `refusedAt`); `data` the run stops on data the setting does not accept; `repaired` the
   * reverse: the base stops on invalid data, the moved scenario runs over it; and for the fields
   * documented not to change what is traded, `meta` (the report's scenario shows it), `audit`
   * (the report's audit trail changes) or `metrics` (the report's metrics change: annualization).
   */
  readonly effect?: 'changed' | 'refused' | 'data' | 'repaired' | 'meta' | 'audit' | 'metrics' | 'unproven';
  /**
   * For `unproven`: why no base scenario of this test can show the field's effect yet. Such entries
   * are listed in every failure report and pinned by UNPROVEN, so the list cannot grow unnoticed.
   */
  readonly why?: string;
  /** The path a refusal must name, when not the first `set` path. */
  readonly refusedAt?: string;
}

/** The strategy_asset weighting with its defaults (seed 003's strategies x assets allocation). */
const SA = { kind: 'strategy_asset' };
const on = (base: string, path: string, value: unknown, more: Partial<Entry> = {}): Entry => ({ base, set: [[path, value]], ...more });
/** An HMM regime source the generated daily bars fill (issue 16). */
const HMM = { window: 40, refitEvery: 10 };
/** Seed 003's regime-adaptive multipliers on an HMM of 40 daily returns (issue 16). */
const REGIMES = { detector: { window: 40, refitEvery: 10 }, adapt: { bear: { size: 0.5 }, bull: { size: 2 } } };
/** Base parameters of volatility_regime in the contract: a regime window the daily bars fill. */
const VR_BASE = { regimeWindow: 60, mode: 'long_short' };
/** Base parameters of anomaly in the contract: a threshold the generated daily returns cross. */
const AN_BASE = { threshold: 2.5, mode: 'long_short' };
/** Base parameters of regime_change in the contract: a threshold the generated daily returns break. */
const RC_BASE = { threshold: 3, mode: 'long_short' };
/** Base parameters of bayesian_updater in the contract. */
const BU_BASE = { mode: 'long_short' };
/** Base parameters of volume_sr in the contract. */
const VS_BASE = { mode: 'long_short' };
/** Base parameters of fractal and entropy in the contract (branch models15): windows the daily bars fill, both ways. */
const FRACTAL_BASE = { window: 64, minWindow: 8, lookback: 5, mode: 'long_short' };
const ENTROPY_BASE = { window: 20, bins: 3, entryEntropy: 0.9, exitEntropy: 0.95, mode: 'long_short' };
/** Base parameters of the multi-symbol strategies (branch multi15): short windows so they trade on the daily bars. */
const PAIRS_BASE = { window: 30, entryZ: 1.5, exitZ: 0.3 };
const GC_BASE = { window: 40, maxPValue: 0.3, mode: 'long_short' };
const CM_BASE = { longWindow: 40, shortWindow: 8, decoupleThreshold: 0.3, recoupleThreshold: 0.1, mode: 'long_short' };
/** A multi-symbol strategy's parameter on a margin account (their spreads and shorts sell), on `on`'s data (the bars base's AAA, BBB by default). */
const multiParam = (strategy: string, key: string, value: unknown, params: Doc, on?: string): Entry => ({
  base: { strategy, params, ...(on !== undefined ? { on } : {}) },
  with: [['account', { type: 'margin' }]],
  set: [[`strategies.0.params.${key}`, value]],
});
const param = (strategy: string, key: string, value: unknown, params: Doc = {}): Entry => ({ base: { strategy, params }, set: [[`strategies.0.params.${key}`, value]] });
const D1 = () => d1;
/** New York's regular session; the synthetic minute data's session (09:30-16:00 UTC), which the contract moves inside. */
const NY_RTH = { timeZone: 'America/New_York', open: '09:30', close: '16:00' };
const UTC_RTH = { timeZone: 'UTC', open: '09:30', close: '16:00' };

/**
 * A margin of AAA as a future moved from `from` to `to` (the account reads both: the initial margin
 * decides which fills it can back, the maintenance margin when a margin call liquidates).
 */
function marginEntry(field: 'initialMargin' | 'maintenanceMargin', from: number, to: number): Entry {
  return {
    base: 'bars',
    // Resized fills use the whole cash as initial margin, so a maintenance margin at the initial one calls at the first loss.
    with: [
      ['account', { type: 'cash', insufficientFunds: 'resize' }],
      ['instruments.AAA', { assetClass: 'future', multiplier: 1, initialMargin: 1000, maintenanceMargin: 5, [field]: from }],
    ],
    set: [[`instruments.AAA.${field}`, to]],
  };
}

/** Why the L2 queue model's effect is not shown (venue.queue and its variant's fields). */
/** Each latency leg: the union (a different variant), and each variant's fields moved within it. */
function latencyEntries(): Record<string, Entry> {
  const variants: Record<string, Doc> = { constant: { us: 5_000 }, exponential: { baseUs: 5_000, meanJitterUs: 2_000 }, lognormal: { medianUs: 20_000_000, sigma: 0.5 } };
  const moved: Record<string, unknown> = { us: 60_000_000, baseUs: 60_000_000, meanJitterUs: 30_000_000, medianUs: 60_000_000, sigma: 2 };
  const out: Record<string, Entry> = {};
  for (const leg of ['feed', 'entry', 'response']) {
    const at = `venue.latency.${leg}`;
    out[at] = on('l2', at, { kind: 'constant', us: 120_000_000 });
    for (const [kind, fields] of Object.entries(variants)) {
      for (const k of Object.keys(fields)) out[`${at}<${kind}>.${k}`] = { base: 'l2', with: [[at, { kind, ...fields }]], set: [[`${at}.${k}`, moved[k]]] };
    }
  }
  return out;
}
const D2 = () => d2;

/** The fields of the GARCH and volume filters at `at` (a filters list) on `base`, each moved from a filter that blocks some entries. */
function filterEntries(base: string, at: string): Record<string, Entry> {
  const name = at.startsWith('strategies') ? 'strategies[].filters' : 'ensemble.filters';
  const garch = { kind: 'garch_volatility', window: 60, refitEvery: 10, maxVolatility: 0.012, annualization: null };
  const volume = { kind: 'volume_surge', window: 20, minZScore: 0 };
  const moved = (filter: Doc, key: string, value: unknown): Entry => ({ base, with: [[at, [filter]]], set: [[`${at}.0.${key}`, value]] });
  return {
    [`${name}[]<garch_volatility>.window`]: moved(garch, 'window', 120),
    [`${name}[]<garch_volatility>.refitEvery`]: moved(garch, 'refitEvery', 1),
    [`${name}[]<garch_volatility>.maxVolatility`]: moved(garch, 'maxVolatility', 0.02),
    [`${name}[]<garch_volatility>.annualization`]: moved(garch, 'annualization', 252),
    [`${name}[]<volume_surge>.window`]: moved(volume, 'window', 5),
    [`${name}[]<volume_surge>.minZScore`]: moved(volume, 'minZScore', 1),
    ...directionEntries(base, at, name),
  };
}

/** The fields of the direction filter (an online logit or random forest) at `at` on `base`, each moved from a filter that blocks some entries. */
function directionEntries(base: string, at: string, name: string): Record<string, Entry> {
  const logit = { kind: 'direction', model: 'logit', features: ['ret1', 'ibs'], horizon: 1, window: 60, refitEvery: 10, minProbability: 0.52 };
  const rf = { ...logit, model: 'rf', trees: 5, maxDepth: 2, seed: 1 };
  const moved = (filter: Doc, key: string, value: unknown): Entry => ({ base, with: [[at, [filter]]], set: [[`${at}.0.${key}`, value]] });
  const d = `${name}[]<direction>`;
  return {
    [`${d}.model`]: { base, with: [[at, [logit]]], set: [[`${at}.0`, { ...logit, model: 'rf' }]] },
    [`${d}.features`]: moved(logit, 'features', ['ret5', 'rsi14']),
    [`${d}.horizon`]: moved(logit, 'horizon', 5),
    [`${d}.window`]: moved(logit, 'window', 100),
    [`${d}.refitEvery`]: moved(logit, 'refitEvery', 1),
    [`${d}.minProbability`]: moved(logit, 'minProbability', 0.6),
    [`${d}.C`]: moved(logit, 'C', 0.001),
    [`${d}.seed`]: moved(rf, 'seed', 2),
    [`${d}.trees`]: moved(rf, 'trees', 15),
    [`${d}.maxDepth`]: moved(rf, 'maxDepth', 5),
  };
}

/** `strategies.0.params.fast` as a user writes it: `strategies[0].params.fast`. */
const userPath = (dotted: string): string => dotted.replace(/\.(\d+)(?=\.|$)/g, '[$1]');

const CONTRACT: Record<string, Entry> = {
  $schema: on('bars', '$schema', 'https://example.com/scenario.schema.json', { effect: 'meta' }),
  name: on('bars', 'name', 'renamed', { effect: 'meta' }),
  description: on('bars', 'description', 'described', { effect: 'meta' }),
  seed: on('l2', 'seed', 99),
  initialCash: on('bars', 'initialCash', 50_000),
  // account (engine/portfolio/account-schema.ts): the bars base is a cash account (the default) whose
  // strategies ask for 1.2x equity and short (rsi long_short): refusals at fill time move the run.
  'account.type': on('bars', 'account.type', 'margin'),
  'account.insufficientFunds': on('bars', 'account.insufficientFunds', 'resize'),
  'account.leverage': { base: 'bars', with: [['account', { type: 'margin', leverage: 1 }]], set: [['account.leverage', 3]] },
  'account.initialMargin': { base: 'bars', with: [['account', { type: 'margin' }]], set: [['account.initialMargin', 1]] },
  // Maintenance = initial = 1: any loss while fully invested is a margin call.
  'account.maintenanceMargin': { base: 'bars', with: [['account', { type: 'margin', leverage: 1 }]], set: [['account.maintenanceMargin', 1]] },
  'account.borrowRate': { base: 'bars', with: [['account', { type: 'margin' }]], set: [['account.borrowRate', 0.2]] },
  'account.marginCall': { base: 'bars', with: [['account', { type: 'margin', leverage: 1, maintenanceMargin: 1 }]], set: [['account.marginCall', 'none']] },
  'data.bars': on('bars', 'data.bars', D2),
  'data.quotes': on('l1', 'data.quotes', D2),
  'data.trades': on('l2', 'data.trades', D2),
  'data.book': on('l2', 'data.book', D2),
  'data.options': on('options', 'data.options', D2),
  // The other dataset's scores (its own draws): the sentiment strategy trades other days.
  'data.sentiment': { base: { strategy: 'sentiment' }, set: [['data.sentiment', D2]] },
  'data.symbols': on('bars', 'data.symbols', ['AAA']),
  'data.start': on('bars', 'data.start', '2023-03-01'),
  'data.end': on('bars', 'data.end', '2023-10-01'),
  'data.interval': on('bars', 'data.interval', '1h', { effect: 'refused' }),
  // The daily bars read as stamped at their closes: each opened a day earlier, so every fill and equity stamp moves (tests/golden/bar-timing.test.ts).
  'data.barTimestamp': on('bars', 'data.barTimestamp', 'close'),
  // Part of the run's identity whether or not a strategy reads it (timeframeRunHash); tests/integration/timeframes.test.ts has strategies reading it.
  'data.timeframes': on('minute', 'data.timeframes', ['1h']),
  'strategies[].id': on('bars', 'strategies.0.id', 'renamed', { effect: 'meta' }),
  'strategies[].type': on('bars', 'strategies.0.type', 'ema_cross'),
  'strategies[].symbols': on('bars', 'strategies.0.symbols', ['BBB']),
  'strategies[].execution': on('minute', 'strategies.0.execution', { algo: 'twap', duration: '10m', parts: 5 }),
  'engine.lookback': on('priced', 'engine.lookback', 5),
  'engine.equityEvery': on('l2', 'engine.equityEvery', '10s'),
  // Orders before it are dropped (the strategies warm up on the bars before it): see cli/compose/trade-from.ts.
  'engine.tradeFrom': on('bars', 'engine.tradeFrom', '2023-07-03'),
  'options.rate': { base: 'options', with: [['risk.maxNetDelta', 100]], set: [['options.rate', 1]] },
  'options.dividendYield': { base: 'options', with: [['risk.maxNetDelta', 100]], set: [['options.dividendYield', 0.5]] },
  'options.multiplier': on('options', 'options.multiplier', 10),
  options: on('bars', 'options', {}, { effect: 'refused' }),

  // venue (bar and L1 runs: sim/venue/venue-config.ts)
  'venue.marketFill': on('bars', 'venue.marketFill', 'close'),
  'venue.intrabarPath': on('priced', 'venue.intrabarPath', 'worst'),
  'venue.limitFill': on('touched', 'venue.limitFill', 'through'),
  'venue.barIntervalUs': on('bars', 'venue.barIntervalUs', 3_600_000_000, { effect: 'refused' }),
  'venue.slippage': on('bars', 'venue.slippage', { kind: 'fixed_bps', bps: 5 }),
  'venue.fees': on('bars', 'venue.fees', { kind: 'bps', bps: 10 }),
  'venue.lotSize': on('bars', 'venue.lotSize', 7),
  'venue.tickSize': { base: 'priced', with: [['venue.enforceTickSize', true]], set: [['venue.tickSize', 0.05]] },
  'venue.enforceTickSize': { base: 'priced', set: [['venue.enforceTickSize', true], ['venue.tickSize', 0.05]] },
  // union variants of the fill rules: the variant chosen on both sides, the field moved on one
  'venue.slippage<fixed_bps>.bps': { base: 'bars', with: [['venue.slippage', { kind: 'fixed_bps', bps: 5 }]], set: [['venue.slippage.bps', 20]] },
  // The cap must bind: the bar strategies' orders are a small share of a generated day's volume.
  'venue.slippage<volume_share>.share': { base: 'bars', with: [['venue.slippage', { kind: 'volume_share', share: 1 }]], set: [['venue.slippage.share', 0.00005]] },
  'venue.slippage<composite>.parts': { base: 'bars', with: [['venue.slippage', { kind: 'composite', parts: [{ kind: 'fixed_bps', bps: 5 }] }]], set: [['venue.slippage.parts', [{ kind: 'fixed_bps', bps: 5 }, { kind: 'volume_share', share: 0.00005 }]]] },
  'venue.fees<fraction>.rate': { base: 'bars', with: [['venue.fees', { kind: 'fraction', rate: 0.001 }]], set: [['venue.fees.rate', 0.01]] },
  'venue.fees<fraction>.makerRate': { base: 'priced', with: [['venue.fees', { kind: 'fraction', rate: 0.001 }]], set: [['venue.fees.makerRate', 0.0001]] },
  'venue.fees<fraction>.minimum': { base: 'bars', with: [['venue.fees', { kind: 'fraction', rate: 0.001 }]], set: [['venue.fees.minimum', 50]] },
  'venue.fees<bps>.bps': { base: 'bars', with: [['venue.fees', { kind: 'bps', bps: 10 }]], set: [['venue.fees.bps', 50]] },
  'venue.fees<bps>.makerBps': { base: 'priced', with: [['venue.fees', { kind: 'bps', bps: 10 }]], set: [['venue.fees.makerBps', 1]] },
  'venue.fees<bps>.minimum': { base: 'bars', with: [['venue.fees', { kind: 'bps', bps: 10 }]], set: [['venue.fees.minimum', 50]] },
  'venue.fees<per_unit>.perUnit': { base: 'bars', with: [['venue.fees', { kind: 'per_unit', perUnit: 0.01 }]], set: [['venue.fees.perUnit', 0.05]] },
  'venue.fees<per_unit>.makerPerUnit': { base: 'priced', with: [['venue.fees', { kind: 'per_unit', perUnit: 0.01 }]], set: [['venue.fees.makerPerUnit', 0.001]] },
  'venue.fees<per_unit>.minimum': { base: 'bars', with: [['venue.fees', { kind: 'per_unit', perUnit: 0.01 }]], set: [['venue.fees.minimum', 50]] },
  // venue (L2 runs only: refused on bar runs, see the second test)
  'venue.tickSizes.*': on('l2', 'venue.tickSizes', { AAA: 0.05 }, { effect: 'data' }),
  'venue.queue': on('queue', 'venue.queue', { kind: 'prob', function: 'power', n: 3 }),
  'venue.queue<prob>.function': { base: 'queue', with: [['venue.queue', { kind: 'prob' }]], set: [['venue.queue.function', 'log']] },
  'venue.queue<prob>.n': { base: 'queue', with: [['venue.queue', { kind: 'prob', function: 'power' }]], set: [['venue.queue.n', 0.5]] },
  'venue.impact': on('l2', 'venue.impact', { kind: 'decaying', halfLifeUs: 3_600_000_000 }),
  'venue.impact<decaying>.halfLifeUs': { base: 'l2', with: [['venue.impact', { kind: 'decaying', halfLifeUs: 3_600_000_000 }]], set: [['venue.impact.halfLifeUs', 1_000_000]] },
  // Under the default policy ('error') it stops the run on a delete of an absent level, which the generated book never has
  // (valid rows only); under a repairing policy such a delete is a no-op either way, and only the report's repair counts differ.
  // Refused (plan-rules.ts): the dataset writer already refuses a delete of an absent level, so no
  // replayed book has one; the field was accepted and could never change a run.
  'venue.fullDepth': on('l2', 'venue.fullDepth', true, { effect: 'refused' }),
  // The generated book has no invalid row, so the base is one that has: AAA's book on a 0.05 grid
  // (most rows are off it), which stops the run under the default policy ('error').
  'venue.repair': { base: 'l2', with: [['venue.tickSizes', { AAA: 0.05 }]], set: [['venue.repair', 'skip-event']], effect: 'repaired' },
  ...latencyEntries(),

  // risk (engine/risk/risk-config.ts)
  'risk.maxPositionUnits': on('bars', 'risk.maxPositionUnits', 100),
  'risk.maxPositionNotional': on('bars', 'risk.maxPositionNotional', 10_000),
  'risk.maxGrossExposureRatio': on('bars', 'risk.maxGrossExposureRatio', 0.3),
  'risk.maxGrossExposureNotional': on('bars', 'risk.maxGrossExposureNotional', 20_000),
  'risk.maxOrderUnits': on('bars', 'risk.maxOrderUnits', 50),
  'risk.maxOrderNotional': on('bars', 'risk.maxOrderNotional', 5_000),
  'risk.dailyLossLimit': on('bars', 'risk.dailyLossLimit', 100),
  'risk.maxNetDelta': on('options', 'risk.maxNetDelta', 100),
  'risk.maxNetGamma': on('options', 'risk.maxNetGamma', 5),
  'risk.maxNetVega': on('options', 'risk.maxNetVega', 100),
  'risk.maxOpenPositions': on('bars', 'risk.maxOpenPositions', 1),
  'risk.allowedSymbols': on('bars', 'risk.allowedSymbols', ['AAA']),
  'risk.maxDrawdown': on('bars', 'risk.maxDrawdown', 0.02),
  'risk.drawdownResetAfterUs': { base: 'bars', with: [['risk.maxDrawdown', 0.02]], set: [['risk.drawdownResetAfterUs', 86_400_000_000 * 10]] },
  'risk.reducingAlwaysAllowed': { base: 'bars', with: [['risk.maxDrawdown', 0.02]], set: [['risk.reducingAlwaysAllowed', false]] },

  // execution algorithms (engine/execution/algorithms/algorithm-config.ts)
  execution: on('minute', 'execution', { algo: 'twap', duration: '10m', parts: 5 }),
  'execution<direct>.fallbackAfter': on('minute', 'execution', { algo: 'direct', fallbackAfter: '1s' }, { effect: 'refused', refusedAt: 'execution.fallbackAfter' }),
  'execution<direct>.fallbackAfterUs': on('minute', 'execution', { algo: 'direct', fallbackAfterUs: 1_000_000 }, { effect: 'refused', refusedAt: 'execution.fallbackAfterUs' }),
  'execution<smart>.thresholdNotional': on('minute', 'execution', { algo: 'smart', thresholdNotional: 1_000 }),
  'execution<smart>.maxParts': { base: 'minute', with: [['execution', { algo: 'smart', thresholdNotional: 1_000 }]], set: [['execution.maxParts', 2]] },
  'execution<smart>.delay': { base: 'minute', with: [['execution', { algo: 'smart', thresholdNotional: 1_000 }]], set: [['execution.delay', '30s']] },
  'execution<smart>.delayUs': { base: 'minute', with: [['execution', { algo: 'smart', thresholdNotional: 1_000 }]], set: [['execution.delayUs', 30_000_000]] },
  'execution<smart>.fallbackAfter': { base: 'minute', with: [['execution', { algo: 'smart', thresholdNotional: 1_000 }]], set: [['execution.fallbackAfter', '1s']] },
  'execution<smart>.fallbackAfterUs': { base: 'minute', with: [['execution', { algo: 'smart', thresholdNotional: 1_000 }]], set: [['execution.fallbackAfterUs', 1_000_000]] },
  'execution<twap>.duration': { base: 'minute', with: [['execution', { algo: 'twap', duration: '5m', parts: 5 }]], set: [['execution.duration', '20m']] },
  'execution<twap>.durationUs': { base: 'minute', with: [['execution', { algo: 'twap', duration: '5m', parts: 5 }]], set: [['execution.duration', undefined], ['execution.durationUs', 1_200_000_000]] },
  'execution<twap>.parts': { base: 'minute', with: [['execution', { algo: 'twap', duration: '5m', parts: 5 }]], set: [['execution.parts', 2]] },
  'execution<twap>.fallbackAfter': { base: 'minute', with: [['execution', { algo: 'twap', duration: '5m', parts: 5 }]], set: [['execution.fallbackAfter', '90s']] },
  'execution<twap>.fallbackAfterUs': { base: 'minute', with: [['execution', { algo: 'twap', duration: '5m', parts: 5 }]], set: [['execution.fallbackAfterUs', 90_000_000]] },
  'execution<vwap>.duration': { base: 'minute', with: [['execution', { algo: 'vwap', duration: '5m', parts: 5 }]], set: [['execution.duration', '20m']] },
  'execution<vwap>.durationUs': { base: 'minute', with: [['execution', { algo: 'vwap', duration: '5m', parts: 5 }]], set: [['execution.duration', undefined], ['execution.durationUs', 1_200_000_000]] },
  'execution<vwap>.parts': { base: 'minute', with: [['execution', { algo: 'vwap', duration: '5m', parts: 5 }]], set: [['execution.parts', 2]] },
  'execution<vwap>.sessions': { base: 'minute', with: [['execution', { algo: 'vwap', duration: '5m', parts: 5 }]], set: [['execution.sessions', 1]] },
  'execution<vwap>.fallbackAfter': { base: 'minute', with: [['execution', { algo: 'vwap', duration: '5m', parts: 5 }]], set: [['execution.fallbackAfter', '90s']] },
  'execution<vwap>.fallbackAfterUs': { base: 'minute', with: [['execution', { algo: 'vwap', duration: '5m', parts: 5 }]], set: [['execution.fallbackAfterUs', 90_000_000]] },
  'execution<dca>.interval': { base: 'minute', with: [['execution', { algo: 'dca', interval: '1m', parts: 3 }]], set: [['execution.interval', '5m']] },
  'execution<dca>.intervalUs': { base: 'minute', with: [['execution', { algo: 'dca', interval: '1m', parts: 3 }]], set: [['execution.interval', undefined], ['execution.intervalUs', 300_000_000]] },
  'execution<dca>.parts': { base: 'minute', with: [['execution', { algo: 'dca', interval: '1m', parts: 3 }]], set: [['execution.parts', 6]] },
  'execution<dca>.fallbackAfter': { base: 'minute', with: [['execution', { algo: 'dca', interval: '1m', parts: 3 }]], set: [['execution.fallbackAfter', '30s']] },
  'execution<dca>.fallbackAfterUs': { base: 'minute', with: [['execution', { algo: 'dca', interval: '1m', parts: 3 }]], set: [['execution.fallbackAfterUs', 30_000_000]] },

  // strategy parameters (each built-in's defaults, engine/strategies/registry.ts)
  'strategies[].params<sma_cross>.fast': param('sma_cross', 'fast', 5),
  'strategies[].params<sma_cross>.slow': param('sma_cross', 'slow', 30),
  'strategies[].params<sma_cross>.mode': param('sma_cross', 'mode', 'long_only'),
  'strategies[].params<sma_cross>.sizing': param('sma_cross', 'sizing', { kind: 'units', units: 7 }),
  'strategies[].params<sma_cross>.fractional': param('sma_cross', 'fractional', true, { sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<ema_cross>.fast': param('ema_cross', 'fast', 5),
  'strategies[].params<ema_cross>.slow': param('ema_cross', 'slow', 30),
  'strategies[].params<ema_cross>.mode': param('ema_cross', 'mode', 'long_only'),
  'strategies[].params<ema_cross>.sizing': param('ema_cross', 'sizing', { kind: 'units', units: 7 }),
  'strategies[].params<ema_cross>.fractional': param('ema_cross', 'fractional', true, { sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<rsi_reversion>.period': param('rsi_reversion', 'period', 7),
  'strategies[].params<rsi_reversion>.oversold': param('rsi_reversion', 'oversold', 40),
  'strategies[].params<rsi_reversion>.overbought': param('rsi_reversion', 'overbought', 60, { mode: 'long_short' }),
  'strategies[].params<rsi_reversion>.exitLevel': param('rsi_reversion', 'exitLevel', 55),
  'strategies[].params<rsi_reversion>.mode': param('rsi_reversion', 'mode', 'long_short'),
  'strategies[].params<rsi_reversion>.sizing': param('rsi_reversion', 'sizing', { kind: 'units', units: 7 }),
  'strategies[].params<rsi_reversion>.fractional': param('rsi_reversion', 'fractional', true, { sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<ibs>.entryThreshold': param('ibs', 'entryThreshold', 0.3),
  'strategies[].params<ibs>.exitThreshold': param('ibs', 'exitThreshold', 0.6),
  'strategies[].params<ibs>.stopLossPct': param('ibs', 'stopLossPct', 1),
  'strategies[].params<ibs>.takeProfitPct': param('ibs', 'takeProfitPct', 1),
  'strategies[].params<ibs>.sessions': param('ibs', 'sessions', [{ start: '1200', end: '1300' }]),
  'strategies[].params<ibs>.sizing': param('ibs', 'sizing', { kind: 'units', units: 7 }),
  'strategies[].params<ibs>.fractional': param('ibs', 'fractional', true, { sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  // A hand-made logistic model on ibs alone, p = sigmoid(-(ibs - 0.1) / 0.1): at 0.5 it lets only entries with IBS below 0.1 through.
  'strategies[].params<ibs>.filter': param('ibs', 'filter', {
    threshold: 0.5,
    model: { format: 'tapedeck-classifier/1', kind: 'logit', symbol: null, features: ['ibs'], spec: { kind: 'logit', C: 1 }, mean: [0.1], scale: [0.1], intercept: 0, coefficients: [-1] },
  }),
  'strategies[].params<q_learning_selector>.actions': param('q_learning_selector', 'actions', ['sma_cross', 'flat']),
  'strategies[].params<q_learning_selector>.alpha': param('q_learning_selector', 'alpha', 0.5),
  'strategies[].params<q_learning_selector>.gamma': param('q_learning_selector', 'gamma', 0.5),
  'strategies[].params<q_learning_selector>.epsilon': param('q_learning_selector', 'epsilon', 0.5),
  'strategies[].params<q_learning_selector>.seed': param('q_learning_selector', 'seed', 5),
  'strategies[].params<q_learning_selector>.trainUntil': param('q_learning_selector', 'trainUntil', '2023-06-01'),
  'strategies[].params<q_learning_selector>.episodes': param('q_learning_selector', 'episodes', 20, { trainUntil: '2023-06-01', alpha: 0.5, epsilon: 0.3 }),
  'strategies[].params<q_learning_selector>.maxStepsPerEpisode': param('q_learning_selector', 'maxStepsPerEpisode', 5, { trainUntil: '2023-06-01', alpha: 0.5, epsilon: 0.3, episodes: 20 }),
  'strategies[].params<q_learning_selector>.reward': param('q_learning_selector', 'reward', 'win_rate', { alpha: 0.5, epsilon: 0.3 }),
  'strategies[].params<q_learning_selector>.trendPeriod': param('q_learning_selector', 'trendPeriod', 20),
  'strategies[].params<q_learning_selector>.trendThreshold': param('q_learning_selector', 'trendThreshold', 0.05),
  'strategies[].params<q_learning_selector>.volatilityPeriod': param('q_learning_selector', 'volatilityPeriod', 10),
  'strategies[].params<q_learning_selector>.volumePeriod': param('q_learning_selector', 'volumePeriod', 5),
  'strategies[].params<q_learning_selector>.sizing': param('q_learning_selector', 'sizing', { kind: 'units', units: 7 }),
  'strategies[].params<q_learning_selector>.fractional': param('q_learning_selector', 'fractional', true, { sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  // Issue 15, bar strategies (bars15a): each parameter moved on the daily bars (long_short where a short can show it).
  'strategies[].params<ut_bot>.keyValue': param('ut_bot', 'keyValue', 2),
  'strategies[].params<ut_bot>.atrPeriod': param('ut_bot', 'atrPeriod', 5),
  'strategies[].params<ut_bot>.heikinAshi': param('ut_bot', 'heikinAshi', true),
  'strategies[].params<ut_bot>.mode': param('ut_bot', 'mode', 'long_short'),
  'strategies[].params<ut_bot>.sizing': param('ut_bot', 'sizing', { kind: 'units', units: 7 }),
  'strategies[].params<ut_bot>.fractional': param('ut_bot', 'fractional', true, { sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<mean_reversion>.window': param('mean_reversion', 'window', 10),
  'strategies[].params<mean_reversion>.entryZ': param('mean_reversion', 'entryZ', 1.5),
  'strategies[].params<mean_reversion>.exitZ': param('mean_reversion', 'exitZ', 0.5, { entryZ: 1.5 }),
  'strategies[].params<mean_reversion>.halfLife': param('mean_reversion', 'halfLife', true, { window: 5, entryZ: 1.2 }),
  'strategies[].params<mean_reversion>.maxHalfLife': param('mean_reversion', 'maxHalfLife', 3, { entryZ: 1.5, halfLife: true }),
  'strategies[].params<mean_reversion>.mode': param('mean_reversion', 'mode', 'long_short', { entryZ: 1.5 }),
  'strategies[].params<mean_reversion>.sizing': param('mean_reversion', 'sizing', { kind: 'units', units: 7 }, { entryZ: 1.5 }),
  'strategies[].params<mean_reversion>.fractional': param('mean_reversion', 'fractional', true, { entryZ: 1.5, sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<momentum>.lookback': param('momentum', 'lookback', 20),
  'strategies[].params<momentum>.skip': param('momentum', 'skip', 5),
  'strategies[].params<momentum>.threshold': param('momentum', 'threshold', 0.05),
  'strategies[].params<momentum>.targetVol': param('momentum', 'targetVol', 0.3),
  'strategies[].params<momentum>.volLookback': param('momentum', 'volLookback', 10),
  'strategies[].params<momentum>.maxScale': param('momentum', 'maxScale', 0.2),
  'strategies[].params<momentum>.periodsPerYear': param('momentum', 'periodsPerYear', 52),
  'strategies[].params<momentum>.mode': param('momentum', 'mode', 'long_short'),
  'strategies[].params<momentum>.sizing': param('momentum', 'sizing', { kind: 'units', units: 7 }),
  'strategies[].params<momentum>.fractional': param('momentum', 'fractional', true, { sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<gradient_trend>.window': param('gradient_trend', 'window', 10),
  'strategies[].params<gradient_trend>.entryThreshold': param('gradient_trend', 'entryThreshold', 0.5),
  'strategies[].params<gradient_trend>.exitThreshold': param('gradient_trend', 'exitThreshold', 0.75),
  'strategies[].params<gradient_trend>.mode': param('gradient_trend', 'mode', 'long_short'),
  'strategies[].params<gradient_trend>.sizing': param('gradient_trend', 'sizing', { kind: 'units', units: 7 }),
  'strategies[].params<gradient_trend>.fractional': param('gradient_trend', 'fractional', true, { sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<donchian_breakout>.entryPeriod': param('donchian_breakout', 'entryPeriod', 10),
  'strategies[].params<donchian_breakout>.exitPeriod': param('donchian_breakout', 'exitPeriod', 5),
  'strategies[].params<donchian_breakout>.mode': param('donchian_breakout', 'mode', 'long_short'),
  'strategies[].params<donchian_breakout>.sizing': param('donchian_breakout', 'sizing', { kind: 'units', units: 7 }),
  'strategies[].params<donchian_breakout>.fractional': param('donchian_breakout', 'fractional', true, { sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<liquidity_flow>.levels': param('liquidity_flow', 'levels', 2, { imbalanceThreshold: 0.2, minLiquidityScore: 0.3, evaluateEveryUs: 60_000_000 }),
  'strategies[].params<liquidity_flow>.imbalanceThreshold': param('liquidity_flow', 'imbalanceThreshold', 0.1, { minLiquidityScore: 0.3, evaluateEveryUs: 60_000_000 }),
  'strategies[].params<liquidity_flow>.minLiquidityScore': param('liquidity_flow', 'minLiquidityScore', 0.9, { imbalanceThreshold: 0.2, evaluateEveryUs: 60_000_000 }),
  'strategies[].params<liquidity_flow>.depthWindow': param('liquidity_flow', 'depthWindow', 10, { imbalanceThreshold: 0.2, minLiquidityScore: 0.9, evaluateEveryUs: 60_000_000 }),
  'strategies[].params<liquidity_flow>.evaluateEveryUs': param('liquidity_flow', 'evaluateEveryUs', 10_000_000, { imbalanceThreshold: 0.2, minLiquidityScore: 0.3 }),
  'strategies[].params<liquidity_flow>.size': param('liquidity_flow', 'size', 7, { imbalanceThreshold: 0.2, minLiquidityScore: 0.3, evaluateEveryUs: 60_000_000 }),
  'strategies[].params<liquidity_flow>.mode': param('liquidity_flow', 'mode', 'long_only', { imbalanceThreshold: 0.2, minLiquidityScore: 0.3, evaluateEveryUs: 60_000_000 }),
  'strategies[].params<microstructure>.tickWindow': param('microstructure', 'tickWindow', 10, { imbalanceThreshold: 0.2, spreadPercentile: 60, spreadWindow: 100, maxQuoteRate: 1000 }),
  'strategies[].params<microstructure>.imbalanceThreshold': param('microstructure', 'imbalanceThreshold', 0.1, { tickWindow: 30, spreadPercentile: 60, spreadWindow: 100, maxQuoteRate: 1000 }),
  'strategies[].params<microstructure>.spreadPercentile': param('microstructure', 'spreadPercentile', 90, { tickWindow: 30, imbalanceThreshold: 0.2, spreadWindow: 100, maxQuoteRate: 1000 }),
  'strategies[].params<microstructure>.spreadWindow': param('microstructure', 'spreadWindow', 20, { tickWindow: 30, imbalanceThreshold: 0.2, spreadPercentile: 60, maxQuoteRate: 1000 }),
  'strategies[].params<microstructure>.maxQuoteRate': param('microstructure', 'maxQuoteRate', 0, { tickWindow: 30, imbalanceThreshold: 0.2, spreadPercentile: 60, spreadWindow: 100 }),
  'strategies[].params<microstructure>.size': param('microstructure', 'size', 7, { tickWindow: 30, imbalanceThreshold: 0.2, spreadPercentile: 60, spreadWindow: 100, maxQuoteRate: 1000 }),
  'strategies[].params<microstructure>.orderType': param('microstructure', 'orderType', 'limit', { tickWindow: 30, imbalanceThreshold: 0.2, spreadPercentile: 60, spreadWindow: 100, maxQuoteRate: 1000 }),
  'strategies[].params<microstructure>.mode': param('microstructure', 'mode', 'long_only', { tickWindow: 30, imbalanceThreshold: 0.2, spreadPercentile: 60, spreadWindow: 100, maxQuoteRate: 1000 }),
  'strategies[].params<options_flow>.window': param('options_flow', 'window', 1, { bearishRatio: 1.2 }),
  // The bullish branch also needs a call skew (OTM call iv above OTM put iv), which generated smiles never have.
  'strategies[].params<options_flow>.bullishRatio': { base: { strategy: 'options_flow', params: { bearishRatio: 1.05, moneynessBand: 0.01 }, on: 'skewed' }, set: [['strategies.0.params.bullishRatio', 3]] },
  'strategies[].params<options_flow>.bearishRatio': param('options_flow', 'bearishRatio', 1.05),
  'strategies[].params<options_flow>.bearishSkew': param('options_flow', 'bearishSkew', 0.001, { bearishRatio: 1.05 }),
  'strategies[].params<options_flow>.moneynessBand': param('options_flow', 'moneynessBand', 0.2, { bearishRatio: 1.05 }),
  'strategies[].params<options_flow>.gammaLimit': param('options_flow', 'gammaLimit', 1, { bearishRatio: 1.05 }),
  'strategies[].params<options_flow>.multiplier': param('options_flow', 'multiplier', 1e9, { bearishRatio: 1.05 }),
  'strategies[].params<options_flow>.size': param('options_flow', 'size', 7, { bearishRatio: 1.05 }),
  'strategies[].params<options_flow>.mode': param('options_flow', 'mode', 'long_only', { bearishRatio: 1.05 }),
  'strategies[].params<sentiment>.period': param('sentiment', 'period', 2),
  'strategies[].params<sentiment>.entry': param('sentiment', 'entry', 0.05),
  'strategies[].params<sentiment>.exit': param('sentiment', 'exit', 0.2),
  // Generated mentions average 100 a score, more for strong opinions: 140 skips most of the weak ones.
  'strategies[].params<sentiment>.minMentions': param('sentiment', 'minMentions', 140),
  'strategies[].params<sentiment>.mode': param('sentiment', 'mode', 'long_only'),
  'strategies[].params<sentiment>.sizing': param('sentiment', 'sizing', { kind: 'units', units: 7 }),
  'strategies[].params<sentiment>.fractional': param('sentiment', 'fractional', true, { sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<delta_hedge>.contracts': param('delta_hedge', 'contracts', 3),
  'strategies[].params<delta_hedge>.right': param('delta_hedge', 'right', 'put'),
  'strategies[].params<delta_hedge>.expiryIndex': param('delta_hedge', 'expiryIndex', 1),
  'strategies[].params<delta_hedge>.minDays': param('delta_hedge', 'minDays', 20),
  'strategies[].params<delta_hedge>.multiplier': param('delta_hedge', 'multiplier', 10),
  'strategies[].params<delta_hedge>.band': param('delta_hedge', 'band', 1),
  // Prices the delta of a contract whose chain row has none: generated chains carry every delta, `skewed` none.
  'strategies[].params<delta_hedge>.rate': { base: { strategy: 'delta_hedge', on: 'skewed' }, set: [['strategies.0.params.rate', 1]] },
  // issue 15 bar strategies (branch bars15b): each on the daily bars, short windows so they trade.
  'strategies[].params<volatility_regime>.volLookback': param('volatility_regime', 'volLookback', 10, VR_BASE),
  'strategies[].params<volatility_regime>.regimeWindow': param('volatility_regime', 'regimeWindow', 40, VR_BASE),
  'strategies[].params<volatility_regime>.lowPercentile': param('volatility_regime', 'lowPercentile', 40, VR_BASE),
  'strategies[].params<volatility_regime>.highPercentile': param('volatility_regime', 'highPercentile', 60, VR_BASE),
  'strategies[].params<volatility_regime>.lowRegime': param('volatility_regime', 'lowRegime', 'mean_reversion', VR_BASE),
  'strategies[].params<volatility_regime>.normalRegime': param('volatility_regime', 'normalRegime', 'trend', VR_BASE),
  'strategies[].params<volatility_regime>.highRegime': param('volatility_regime', 'highRegime', 'trend', VR_BASE),
  'strategies[].params<volatility_regime>.maPeriod': param('volatility_regime', 'maPeriod', 20, VR_BASE),
  'strategies[].params<volatility_regime>.entryZ': param('volatility_regime', 'entryZ', 1, VR_BASE),
  'strategies[].params<volatility_regime>.mode': param('volatility_regime', 'mode', 'long_only', VR_BASE),
  'strategies[].params<volatility_regime>.sizing': param('volatility_regime', 'sizing', { kind: 'units', units: 7 }, VR_BASE),
  'strategies[].params<volatility_regime>.fractional': param('volatility_regime', 'fractional', true, { ...VR_BASE, sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<anomaly>.window': param('anomaly', 'window', 20, AN_BASE),
  'strategies[].params<anomaly>.threshold': param('anomaly', 'threshold', 2, AN_BASE),
  'strategies[].params<anomaly>.volumeThreshold': param('anomaly', 'volumeThreshold', 1, AN_BASE),
  'strategies[].params<anomaly>.style': param('anomaly', 'style', 'follow', AN_BASE),
  'strategies[].params<anomaly>.holdBars': param('anomaly', 'holdBars', 2, AN_BASE),
  'strategies[].params<anomaly>.mode': param('anomaly', 'mode', 'long_only', AN_BASE),
  'strategies[].params<anomaly>.sizing': param('anomaly', 'sizing', { kind: 'units', units: 7 }, AN_BASE),
  'strategies[].params<anomaly>.fractional': param('anomaly', 'fractional', true, { ...AN_BASE, sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<regime_change>.window': param('regime_change', 'window', 20, RC_BASE),
  'strategies[].params<regime_change>.threshold': param('regime_change', 'threshold', 2, RC_BASE),
  'strategies[].params<regime_change>.drift': param('regime_change', 'drift', 0.2, RC_BASE),
  'strategies[].params<regime_change>.mode': param('regime_change', 'mode', 'long_only', RC_BASE),
  'strategies[].params<regime_change>.sizing': param('regime_change', 'sizing', { kind: 'units', units: 7 }, RC_BASE),
  'strategies[].params<regime_change>.fractional': param('regime_change', 'fractional', true, { ...RC_BASE, sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<bayesian_updater>.evidence': param('bayesian_updater', 'evidence', ['prev_return', 'above_sma'], BU_BASE),
  'strategies[].params<bayesian_updater>.smaPeriod': param('bayesian_updater', 'smaPeriod', 5, BU_BASE),
  'strategies[].params<bayesian_updater>.volumePeriod': param('bayesian_updater', 'volumePeriod', 5, BU_BASE),
  'strategies[].params<bayesian_updater>.prior': param('bayesian_updater', 'prior', 5, BU_BASE),
  'strategies[].params<bayesian_updater>.forgetting': param('bayesian_updater', 'forgetting', 0.9, BU_BASE),
  'strategies[].params<bayesian_updater>.minObservations': param('bayesian_updater', 'minObservations', 10, BU_BASE),
  'strategies[].params<bayesian_updater>.threshold': param('bayesian_updater', 'threshold', 0.6, BU_BASE),
  'strategies[].params<bayesian_updater>.mode': param('bayesian_updater', 'mode', 'long_only', BU_BASE),
  'strategies[].params<bayesian_updater>.sizing': param('bayesian_updater', 'sizing', { kind: 'units', units: 7 }, BU_BASE),
  'strategies[].params<bayesian_updater>.fractional': param('bayesian_updater', 'fractional', true, { ...BU_BASE, sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<volume_sr>.lookback': param('volume_sr', 'lookback', 20, VS_BASE),
  'strategies[].params<volume_sr>.bins': param('volume_sr', 'bins', 10, VS_BASE),
  'strategies[].params<volume_sr>.nodeRatio': param('volume_sr', 'nodeRatio', 1.2, VS_BASE),
  'strategies[].params<volume_sr>.style': param('volume_sr', 'style', 'bounce', VS_BASE),
  'strategies[].params<volume_sr>.mode': param('volume_sr', 'mode', 'long_only', VS_BASE),
  'strategies[].params<volume_sr>.sizing': param('volume_sr', 'sizing', { kind: 'units', units: 7 }, VS_BASE),
  'strategies[].params<volume_sr>.fractional': param('volume_sr', 'fractional', true, { ...VS_BASE, sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  // issue 15 model strategies (branch models15): fractal and entropy on the daily bars.
  'strategies[].params<fractal>.window': param('fractal', 'window', 48, FRACTAL_BASE),
  'strategies[].params<fractal>.minWindow': param('fractal', 'minWindow', 4, FRACTAL_BASE),
  'strategies[].params<fractal>.correction': param('fractal', 'correction', 'none', FRACTAL_BASE),
  'strategies[].params<fractal>.margin': param('fractal', 'margin', 0.15, FRACTAL_BASE),
  'strategies[].params<fractal>.lookback': param('fractal', 'lookback', 10, FRACTAL_BASE),
  'strategies[].params<fractal>.mode': param('fractal', 'mode', 'long_only', FRACTAL_BASE),
  'strategies[].params<fractal>.sizing': param('fractal', 'sizing', { kind: 'units', units: 7 }, FRACTAL_BASE),
  'strategies[].params<fractal>.fractional': param('fractal', 'fractional', true, { ...FRACTAL_BASE, sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<entropy>.window': param('entropy', 'window', 30, ENTROPY_BASE),
  'strategies[].params<entropy>.bins': param('entropy', 'bins', 2, ENTROPY_BASE),
  'strategies[].params<entropy>.binRange': param('entropy', 'binRange', 1, ENTROPY_BASE),
  'strategies[].params<entropy>.entryEntropy': param('entropy', 'entryEntropy', 0.8, ENTROPY_BASE),
  'strategies[].params<entropy>.exitEntropy': param('entropy', 'exitEntropy', 0.99, ENTROPY_BASE),
  'strategies[].params<entropy>.mode': param('entropy', 'mode', 'long_only', ENTROPY_BASE),
  'strategies[].params<entropy>.sizing': param('entropy', 'sizing', { kind: 'units', units: 7 }, ENTROPY_BASE),
  'strategies[].params<entropy>.fractional': param('entropy', 'fractional', true, { ...ENTROPY_BASE, sizing: { kind: 'equity_fraction', fraction: 0.3 } }),

  // issue 15 multi-symbol strategies (branch multi15): pairs and granger_causality on AAA, BBB; correlation_matrix on AAA, BBB, CCC.
  'strategies[].params<pairs>.window': multiParam('pairs', 'window', 40, PAIRS_BASE),
  'strategies[].params<pairs>.refitEvery': multiParam('pairs', 'refitEvery', 1, PAIRS_BASE),
  'strategies[].params<pairs>.maxPValue': multiParam('pairs', 'maxPValue', 0.5, PAIRS_BASE),
  'strategies[].params<pairs>.entryZ': multiParam('pairs', 'entryZ', 2, PAIRS_BASE),
  'strategies[].params<pairs>.exitZ': multiParam('pairs', 'exitZ', 0, PAIRS_BASE),
  'strategies[].params<pairs>.sizing': multiParam('pairs', 'sizing', { kind: 'units', units: 7 }, PAIRS_BASE),
  'strategies[].params<pairs>.fractional': multiParam('pairs', 'fractional', true, { ...PAIRS_BASE, sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<granger_causality>.leader': multiParam('granger_causality', 'leader', 'BBB', GC_BASE),
  'strategies[].params<granger_causality>.follower': multiParam('granger_causality', 'follower', 'AAA', GC_BASE),
  'strategies[].params<granger_causality>.window': multiParam('granger_causality', 'window', 30, GC_BASE),
  'strategies[].params<granger_causality>.lag': multiParam('granger_causality', 'lag', 2, GC_BASE),
  'strategies[].params<granger_causality>.maxPValue': multiParam('granger_causality', 'maxPValue', 0.5, GC_BASE),
  'strategies[].params<granger_causality>.minMove': multiParam('granger_causality', 'minMove', 0.01, GC_BASE),
  'strategies[].params<granger_causality>.mode': multiParam('granger_causality', 'mode', 'long_only', GC_BASE),
  'strategies[].params<granger_causality>.sizing': multiParam('granger_causality', 'sizing', { kind: 'units', units: 7 }, GC_BASE),
  'strategies[].params<granger_causality>.fractional': multiParam('granger_causality', 'fractional', true, { ...GC_BASE, sizing: { kind: 'equity_fraction', fraction: 0.3 } }),
  'strategies[].params<correlation_matrix>.longWindow': multiParam('correlation_matrix', 'longWindow', 30, CM_BASE, 'tri'),
  'strategies[].params<correlation_matrix>.shortWindow': multiParam('correlation_matrix', 'shortWindow', 5, CM_BASE, 'tri'),
  'strategies[].params<correlation_matrix>.decoupleThreshold': multiParam('correlation_matrix', 'decoupleThreshold', 0.4, CM_BASE, 'tri'),
  'strategies[].params<correlation_matrix>.recoupleThreshold': multiParam('correlation_matrix', 'recoupleThreshold', 0.25, CM_BASE, 'tri'),
  'strategies[].params<correlation_matrix>.mode': multiParam('correlation_matrix', 'mode', 'long_only', CM_BASE, 'tri'),
  'strategies[].params<correlation_matrix>.sizing': multiParam('correlation_matrix', 'sizing', { kind: 'units', units: 7 }, CM_BASE, 'tri'),
  'strategies[].params<correlation_matrix>.fractional': multiParam('correlation_matrix', 'fractional', true, { ...CM_BASE, sizing: { kind: 'equity_fraction', fraction: 0.3 } }, 'tri'),

  // ensemble
  ensemble: on('bars', 'ensemble', { weighting: { kind: 'static' } }),
  'ensemble.mode': on('ensemble', 'ensemble.mode', 'voting'),
  'ensemble.accountId': on('ensemble', 'ensemble.accountId', 'account', { effect: 'meta' }),
  'ensemble.shadowCostBps': on('ensemble', 'ensemble.shadowCostBps', 50),
  'ensemble.wholeUnits': on('ensemble', 'ensemble.wholeUnits', false),
  'ensemble.rebalanceEveryBars': on('ensemble', 'ensemble.rebalanceEveryBars', 3),
  'ensemble.warmupBars': on('ensemble', 'ensemble.warmupBars', 60),
  'ensemble.window': on('ensemble', 'ensemble.window', 10),
  'ensemble.periodsPerYear': on('ensemble', 'ensemble.periodsPerYear', 12),
  'ensemble.weighting': on('ensemble', 'ensemble.weighting', { kind: 'static' }),
  'ensemble.weighting<optimizer>.mean': on('ensemble', 'ensemble.weighting.mean', { kind: 'ewma', alpha: 0.2 }),
  'ensemble.weighting<optimizer>.mean<ewma>.alpha': { base: 'ensemble', with: [['ensemble.weighting.mean', { kind: 'ewma', alpha: 0.1 }]], set: [['ensemble.weighting.mean.alpha', 0.9]] },
  'ensemble.weighting<optimizer>.mean<rolling>.window': { base: 'ensemble', with: [['ensemble.weighting.mean', { kind: 'rolling', window: 20 }]], set: [['ensemble.weighting.mean.window', 5]] },
  'ensemble.weighting<optimizer>.covariance<sample>.normalization': { base: 'ensemble', with: [['ensemble.weighting.covariance', { kind: 'sample' }]], set: [['ensemble.weighting.covariance.normalization', 'mle']] },
  'ensemble.weighting<optimizer>.covariance<ewma>.decay': { base: 'ensemble', with: [['ensemble.weighting.covariance', { kind: 'ewma', decay: { lambda: 0.94 } }]], set: [['ensemble.weighting.covariance.decay', { halflife: 3 }]] },
  'ensemble.weighting<optimizer>.covariance<ewma>.decay.lambda': { base: 'ensemble', with: [['ensemble.weighting.covariance', { kind: 'ewma', decay: { lambda: 0.94 } }]], set: [['ensemble.weighting.covariance.decay.lambda', 0.5]] },
  'ensemble.weighting<optimizer>.covariance<ewma>.decay.halflife': { base: 'ensemble', with: [['ensemble.weighting.covariance', { kind: 'ewma', decay: { halflife: 20 } }]], set: [['ensemble.weighting.covariance.decay.halflife', 2]] },
  'ensemble.weighting<optimizer>.covariance': on('ensemble', 'ensemble.weighting.covariance', { kind: 'sample' }),
  'ensemble.weighting<optimizer>.lambda': on('ensemble', 'ensemble.weighting.lambda', 2),
  'ensemble.weighting<optimizer>.eta': on('ensemble', 'ensemble.weighting.eta', 0.5),
  'ensemble.weighting<optimizer>.wMax': on('ensemble', 'ensemble.weighting.wMax', 0.9),
  'ensemble.weighting<optimizer>.regime': on('ensemble', 'ensemble.weighting.regime', 'trending'),
  'ensemble.weighting<optimizer>.resampling': on('ensemble', 'ensemble.weighting.resampling', { samples: 10, fraction: 0.8 }),
  'ensemble.weighting<optimizer>.resampling.samples': { base: 'ensemble', with: [['ensemble.weighting.resampling', { samples: 10, fraction: 0.8 }]], set: [['ensemble.weighting.resampling.samples', 5]] },
  'ensemble.weighting<optimizer>.resampling.fraction': { base: 'ensemble', with: [['ensemble.weighting.resampling', { samples: 10, fraction: 0.8 }]], set: [['ensemble.weighting.resampling.fraction', 0.5]] },
  // alpha and gamma scale the learned values: their effect on the greedy choice needs revisited states (re-weighing every 3 bars).
  'ensemble.weighting<rl>.alpha': { base: 'ensemble', with: [['ensemble.weighting', { kind: 'rl', epsilon: 0.3 }], ['ensemble.rebalanceEveryBars', 3]], set: [['ensemble.weighting.alpha', 1]] },
  'ensemble.weighting<rl>.gamma': { base: 'ensemble', with: [['ensemble.weighting', { kind: 'rl', epsilon: 0.3 }], ['ensemble.rebalanceEveryBars', 3]], set: [['ensemble.weighting.gamma', 0.95]] },
  'ensemble.weighting<rl>.epsilon': { base: 'ensemble', with: [['ensemble.weighting', { kind: 'rl' }]], set: [['ensemble.weighting.epsilon', 0.9]] },
  'ensemble.weighting<rl>.tilt': { base: 'ensemble', with: [['ensemble.weighting', { kind: 'rl' }]], set: [['ensemble.weighting.tilt', 0.9]] },
  'ensemble.weighting<rl>.trainUntil': { base: 'ensemble', with: [['ensemble.weighting', { kind: 'rl' }]], set: [['ensemble.weighting.trainUntil', '2023-03-01']] },
  'ensemble.weighting<optimizer>.gammaReg': on('ensemble', 'ensemble.weighting.gammaReg', 1e-4),
  'ensemble.weighting<strategy_asset>.mean': { base: 'ensemble', with: [['ensemble.weighting', SA]], set: [['ensemble.weighting.mean', { kind: 'ewma', alpha: 0.2 }]] },
  'ensemble.weighting<strategy_asset>.mean<ewma>.alpha': { base: 'ensemble', with: [['ensemble.weighting', { kind: 'strategy_asset', mean: { kind: 'ewma', alpha: 0.1 } }]], set: [['ensemble.weighting.mean.alpha', 0.9]] },
  'ensemble.weighting<strategy_asset>.mean<rolling>.window': { base: 'ensemble', with: [['ensemble.weighting', { kind: 'strategy_asset', mean: { kind: 'rolling', window: 20 } }]], set: [['ensemble.weighting.mean.window', 5]] },
  'ensemble.weighting<strategy_asset>.covariance': { base: 'ensemble', with: [['ensemble.weighting', SA]], set: [['ensemble.weighting.covariance', { kind: 'sample' }]] },
  'ensemble.weighting<strategy_asset>.covariance<sample>.normalization': { base: 'ensemble', with: [['ensemble.weighting', { kind: 'strategy_asset', covariance: { kind: 'sample' } }]], set: [['ensemble.weighting.covariance.normalization', 'mle']] },
  'ensemble.weighting<strategy_asset>.covariance<ewma>.decay': { base: 'ensemble', with: [['ensemble.weighting', { kind: 'strategy_asset', covariance: { kind: 'ewma', decay: { lambda: 0.94 } } }]], set: [['ensemble.weighting.covariance.decay', { halflife: 3 }]] },
  'ensemble.weighting<strategy_asset>.covariance<ewma>.decay.lambda': { base: 'ensemble', with: [['ensemble.weighting', { kind: 'strategy_asset', covariance: { kind: 'ewma', decay: { lambda: 0.94 } } }]], set: [['ensemble.weighting.covariance.decay.lambda', 0.5]] },
  'ensemble.weighting<strategy_asset>.covariance<ewma>.decay.halflife': { base: 'ensemble', with: [['ensemble.weighting', { kind: 'strategy_asset', covariance: { kind: 'ewma', decay: { halflife: 20 } } }]], set: [['ensemble.weighting.covariance.decay.halflife', 2]] },
  'ensemble.weighting<strategy_asset>.lambda': { base: 'ensemble', with: [['ensemble.weighting', SA]], set: [['ensemble.weighting.lambda', 5]] },
  'ensemble.weighting<strategy_asset>.diversification': { base: 'ensemble', with: [['ensemble.weighting', SA]], set: [['ensemble.weighting.diversification', 1]] },
  'ensemble.weighting<strategy_asset>.cost': { base: 'ensemble', with: [['ensemble.weighting', SA]], set: [['ensemble.weighting.cost', 2]] },
  'ensemble.weighting<strategy_asset>.wMax': { base: 'ensemble', with: [['ensemble.weighting', SA]], set: [['ensemble.weighting.wMax', 0.15]] },
  'ensemble.weighting<strategy_asset>.gammaReg': { base: 'ensemble', with: [['ensemble.weighting', SA]], set: [['ensemble.weighting.gammaReg', 1e-4]] },
  'ensemble.rebalanceRules': on('ensemble', 'ensemble.rebalanceRules', {}),
  'ensemble.rebalanceRules.maxTurnover': { base: 'ensemble', with: [['ensemble.rebalanceRules', { minConfidence: 1 }]], set: [['ensemble.rebalanceRules.maxTurnover', 0.5]] },
  'ensemble.rebalanceRules.minConfidence': { base: 'ensemble', with: [['ensemble.rebalanceRules', { maxTurnover: 0.01 }]], set: [['ensemble.rebalanceRules.minConfidence', 0.1]] },
  'ensemble.rebalanceRules.minWeightChange': { base: 'ensemble', with: [['ensemble.rebalanceRules', { maxTurnover: 10 }]], set: [['ensemble.rebalanceRules.minWeightChange', 0.1]] },
  'ensemble.weighting<performance>.metric': { base: 'ensemble', with: [['ensemble.weighting', { kind: 'performance' }]], set: [['ensemble.weighting.metric', 'win_rate']] },
  'ensemble.baseWeights': on('ensemble', 'ensemble.baseWeights', { sma: 3, rsi: 1, ema: 1, ibs: 1, 'sma-long': 1 }),
  'ensemble.baseWeights.*': { base: 'ensemble', with: [['ensemble.baseWeights', { sma: 1, rsi: 1, ema: 1, ibs: 1, 'sma-long': 1 }]], set: [['ensemble.baseWeights.rsi', 5]] },
  'ensemble.voting.method': on('voting', 'ensemble.voting.method', 'confidence_average'),
  'ensemble.voting.voteRatio': on('voting', 'ensemble.voting.voteRatio', 0.8),
  'ensemble.voting.minConfidence': on('voting', 'ensemble.voting.minConfidence', 0.9),
  'ensemble.adaptive': on('ensemble', 'ensemble.adaptive', null),
  'ensemble.adaptive.maxChange': on('ensemble', 'ensemble.adaptive.maxChange', 0.5),
  'ensemble.adaptive.minMultiple': on('ensemble', 'ensemble.adaptive.minMultiple', 0.9),
  'ensemble.adaptive.maxMultiple': on('ensemble', 'ensemble.adaptive.maxMultiple', 1.1),
  'ensemble.adaptive.drawdownLimit': on('ensemble', 'ensemble.adaptive.drawdownLimit', 0.01),
  'ensemble.adaptive.scoreWeights.expectancy': on('ensemble', 'ensemble.adaptive.scoreWeights.expectancy', 1),
  'ensemble.adaptive.scoreWeights.profitFactor': on('ensemble', 'ensemble.adaptive.scoreWeights.profitFactor', 1),
  'ensemble.adaptive.scoreWeights.drawdown': on('ensemble', 'ensemble.adaptive.scoreWeights.drawdown', 1),
  'ensemble.adaptive.scoreWeights.sharpe': on('ensemble', 'ensemble.adaptive.scoreWeights.sharpe', 1),
  'ensemble.quality': on('voting', 'ensemble.quality', null),
  'ensemble.quality.weights.confluence': on('voting', 'ensemble.quality.weights.confluence', 1),
  'ensemble.quality.weights.regime': on('voting', 'ensemble.quality.weights.regime', 1),
  'ensemble.quality.weights.history': on('voting', 'ensemble.quality.weights.history', 1),
  'ensemble.quality.confluenceTarget': on('voting', 'ensemble.quality.confluenceTarget', 1),
  'ensemble.quality.threshold': on('voting', 'ensemble.quality.threshold', 0.7),
  'ensemble.quality.neutralQuality': on('voting', 'ensemble.quality.neutralQuality', 0.9),
  'ensemble.quality.maxMultiplier': on('voting', 'ensemble.quality.maxMultiplier', 0.5),
  'ensemble.retirement': on('ensemble', 'ensemble.retirement', null),
  'ensemble.retirement.minTrades': on('ensemble', 'ensemble.retirement.minTrades', 20),
  'ensemble.retirement.minExpectancy': { base: 'ensemble', with: [['ensemble.retirement', { minTrades: 2, minExpectancy: -1e9, minProfitFactor: 0, minWinRate: 0, maxDrawdown: 1, degradeAt: 1 }]], set: [['ensemble.retirement.minExpectancy', 100]] },
  'ensemble.retirement.minProfitFactor': { base: 'ensemble', with: [['ensemble.retirement', { minTrades: 2, minExpectancy: -1e9, minProfitFactor: 0, minWinRate: 0, maxDrawdown: 1, degradeAt: 1 }]], set: [['ensemble.retirement.minProfitFactor', 3]] },
  'ensemble.retirement.minWinRate': { base: 'ensemble', with: [['ensemble.retirement', { minTrades: 2, minExpectancy: -1e9, minProfitFactor: 0, minWinRate: 0, maxDrawdown: 1, degradeAt: 1 }]], set: [['ensemble.retirement.minWinRate', 0.9]] },
  'ensemble.retirement.maxDrawdown': { base: 'ensemble', with: [['ensemble.retirement', { minTrades: 2, minExpectancy: -1e9, minProfitFactor: 0, minWinRate: 0, maxDrawdown: 1, degradeAt: 1 }]], set: [['ensemble.retirement.maxDrawdown', 0.01]] },
  'ensemble.retirement.degradeAt': { base: 'ensemble', with: [['ensemble.retirement.minWinRate', 0.6]], set: [['ensemble.retirement.degradeAt', 1]] },
  'ensemble.retirement.suspendAt': { base: 'ensemble', with: [['ensemble.retirement.minWinRate', 0.6], ['ensemble.retirement.degradeAt', 1]], set: [['ensemble.retirement.suspendAt', 1]] },
  'ensemble.retirement.suspendAfter': { base: 'ensemble', with: [['ensemble.retirement.minWinRate', 0.6]], set: [['ensemble.retirement.suspendAfter', 1]] },
  'ensemble.retirement.retireAfter': {
    // Win rate the only health rule: a strategy is suspended, and under the default (retire after 3)
    // it recovers on this data (its win rate back above 0.45) where retiring after 1 keeps it at weight 0.
    base: 'ensemble',
    with: [['ensemble.retirement', { minTrades: 2, minWinRate: 0.45, minExpectancy: -1e9, minProfitFactor: 0, maxDrawdown: 1, degradeAt: 1, suspendAt: 1, suspendAfter: 1 }]],
    set: [['ensemble.retirement.retireAfter', 1]],
  },
  'ensemble.retirement.degradedWeight': { base: 'ensemble', with: [['ensemble.retirement.minWinRate', 0.6]], set: [['ensemble.retirement.degradedWeight', 0.1]] },
  'ensemble.monitor.minSharpe': on('ensemble', 'ensemble.monitor.minSharpe', 5, { effect: 'audit' }),
  'ensemble.monitor.maxConditionNumber': on('ensemble', 'ensemble.monitor.maxConditionNumber', 1, { effect: 'audit' }),
  'ensemble.monitor.maxTurnover': on('ensemble', 'ensemble.monitor.maxTurnover', 0, { effect: 'audit' }),
  'ensemble.monitor.maxDivergence': on('ensemble', 'ensemble.monitor.maxDivergence', 0, { effect: 'audit' }),
  'ensemble.regimes.adxPeriod': on('ensemble', 'ensemble.regimes.adxPeriod', 5),
  'ensemble.regimes.window': on('ensemble', 'ensemble.regimes.window', 5),
  'ensemble.regimes.trendAdx': on('ensemble', 'ensemble.regimes.trendAdx', 10),
  'ensemble.regimes.rangeAdx': on('ensemble', 'ensemble.regimes.rangeAdx', 40),
  'ensemble.regimes.volatileRatio': on('ensemble', 'ensemble.regimes.volatileRatio', 1.01),
  'ensemble.forcedStatus.*': on('ensemble', 'ensemble.forcedStatus', { sma: 'SUSPENDED' }),
  // The HMM regime source (issue 16): the base's optimizer takes lambda/eta/wMax from the classified regime.
  'ensemble.regimes.hmm': on('ensemble', 'ensemble.regimes.hmm', HMM),
  'ensemble.regimes.hmm.states': { base: 'ensemble', with: [['ensemble.regimes.hmm', HMM]], set: [['ensemble.regimes.hmm.states', 3]] },
  'ensemble.regimes.hmm.window': { base: 'ensemble', with: [['ensemble.regimes.hmm', HMM]], set: [['ensemble.regimes.hmm.window', 80]] },
  'ensemble.regimes.hmm.refitEvery': { base: 'ensemble', with: [['ensemble.regimes.hmm', HMM]], set: [['ensemble.regimes.hmm.refitEvery', 3]] },
  'ensemble.regimes.hmm.restarts': { base: 'ensemble', with: [['ensemble.regimes.hmm', HMM]], set: [['ensemble.regimes.hmm.restarts', 1]] },
  'ensemble.regimes.hmm.maxIter': { base: 'ensemble', with: [['ensemble.regimes.hmm', HMM]], set: [['ensemble.regimes.hmm.maxIter', 2]] },
  'ensemble.regimes.hmm.labels': { base: 'ensemble', with: [['ensemble.regimes.hmm', HMM]], set: [['ensemble.regimes.hmm.labels', ['ranging', 'volatile']]] },
  'ensemble.regimes.hmm.orderBy': { base: 'ensemble', with: [['ensemble.regimes.hmm', HMM]], set: [['ensemble.regimes.hmm.orderBy', 'volatility']] },
  'ensemble.rebalanceBy': { base: 'ensemble', with: [['ensemble.rebalanceEveryBars', undefined]], set: [['ensemble.rebalanceBy', 'regime']] },

  // regimes (seed 003's regime-adaptive sizes and stops)
  regimes: on('bars', 'regimes', REGIMES),
  'regimes.detector.states': { base: 'bars', with: [['regimes', REGIMES]], set: [['regimes.detector.states', 3]] },
  'regimes.detector.window': { base: 'bars', with: [['regimes', REGIMES]], set: [['regimes.detector.window', 80]] },
  'regimes.detector.refitEvery': { base: 'bars', with: [['regimes', REGIMES]], set: [['regimes.detector.refitEvery', 3]] },
  'regimes.detector.restarts': { base: 'bars', with: [['regimes', REGIMES]], set: [['regimes.detector.restarts', 1]] },
  'regimes.detector.maxIter': { base: 'bars', with: [['regimes', REGIMES]], set: [['regimes.detector.maxIter', 2]] },
  'regimes.detector.labels': { base: 'bars', with: [['regimes', REGIMES]], set: [['regimes.detector.labels', ['bull', 'bear']]] },
  'regimes.detector.orderBy': { base: 'bars', with: [['regimes', REGIMES]], set: [['regimes.detector.orderBy', 'volatility']] },
  'regimes.detector.symbols': { base: 'bars', with: [['regimes', REGIMES]], set: [['regimes.detector.symbols', ['BBB']]] },
  'regimes.adapt.*': { base: 'bars', with: [['regimes', { ...REGIMES, adapt: { bear: { size: 0.5 } } }]], set: [['regimes.adapt.bull', { size: 2 }]] },
  'regimes.adapt.*.size': { base: 'bars', with: [['regimes', REGIMES]], set: [['regimes.adapt.bear.size', 0.25]] },
  'regimes.adapt.*.stop': { base: 'stopped', with: [['regimes', REGIMES]], set: [['regimes.adapt.bear.stop', 0.3]] },

  // portfolio
  portfolio: on('bars', 'portfolio', { constraints: { maxPositions: 1 } }),
  'portfolio.allocation.method': on('voting', 'portfolio.allocation.method', 'equal_weight'),
  'portfolio.allocation.lookback': on('voting', 'portfolio.allocation.lookback', 5),
  'portfolio.allocation.investedFraction': on('voting', 'portfolio.allocation.investedFraction', 0.5),
  'portfolio.rotation': on('voting', 'portfolio.rotation', { topN: 1 }),
  'portfolio.rotation.by': { base: 'voting', with: [['portfolio.rotation', { topN: 1 }]], set: [['portfolio.rotation.by', 'signal_strength']] },
  'portfolio.rotation.topN': { base: 'voting', with: [['portfolio.rotation', { topN: 1 }]], set: [['portfolio.rotation.topN', 2]] },
  'portfolio.rotation.lookback': { base: 'voting', with: [['portfolio.rotation', { topN: 1 }]], set: [['portfolio.rotation.lookback', 5]] },
  'portfolio.rebalancing.mode': on('voting', 'portfolio.rebalancing.mode', 'threshold'),
  'portfolio.rebalancing.everyBars': on('voting', 'portfolio.rebalancing.everyBars', 1),
  'portfolio.rebalancing.threshold': { base: 'voting', with: [['portfolio.rebalancing.mode', 'threshold']], set: [['portfolio.rebalancing.threshold', 0.5]] },
  'portfolio.rebalancing.costRate': on('voting', 'portfolio.rebalancing.costRate', 0.05),
  'portfolio.rebalancing.riskAversion': { base: 'voting', with: [['portfolio.rebalancing.costRate', 0.001]], set: [['portfolio.rebalancing.riskAversion', 100]] },
  'portfolio.hedging': on('ensemble', 'portfolio.hedging', { drawdownAbove: 0.01 }),
  'portfolio.hedging.adxBelow': on('ensemble', 'portfolio.hedging', { adxBelow: 30 }),
  'portfolio.hedging.volatilityAbove': on('ensemble', 'portfolio.hedging', { volatilityAbove: 0.001 }),
  'portfolio.hedging.drawdownAbove': on('ensemble', 'portfolio.hedging', { drawdownAbove: 0.01 }),
  'portfolio.hedging.cashFraction': { base: 'ensemble', with: [['portfolio.hedging', { drawdownAbove: 0.01 }]], set: [['portfolio.hedging.cashFraction', 0.9]] },
  'portfolio.constraints.symbols': on('bars', 'portfolio.constraints.symbols', ['AAA']),
  'portfolio.constraints.maxPositions': on('bars', 'portfolio.constraints.maxPositions', 1),
  'portfolio.constraints.dailyStopLoss': on('bars', 'portfolio.constraints.dailyStopLoss', 100),

  // calendar and metrics: annualization (the report's metrics move); the session day of daily loss limits (the run moves)
  calendar: on('minute', 'calendar', { timeZone: 'America/New_York', open: '09:30', close: '16:00' }, { effect: 'metrics' }),
  'calendar.timeZone': {
    base: 'minute',
    with: [['calendar', { timeZone: 'Europe/London', open: '08:00', close: '16:30' }], ['risk.dailyLossLimit', 200]],
    set: [['calendar.timeZone', 'Asia/Tokyo']],
  },
  'calendar.open': { base: 'minute', with: [['calendar', { timeZone: 'America/New_York', open: '09:30', close: '16:00' }]], set: [['calendar.open', '12:00']], effect: 'metrics' },
  'calendar.close': { base: 'minute', with: [['calendar', { timeZone: 'America/New_York', open: '09:30', close: '16:00' }]], set: [['calendar.close', '13:00']], effect: 'metrics' },
  'calendar.weekdays': { base: 'minute', with: [['calendar', { timeZone: 'America/New_York', open: '09:30', close: '16:00' }]], set: [['calendar.weekdays', [1, 2, 3]]], effect: 'metrics' },
  'calendar.holidays': { base: 'minute', with: [['calendar', { timeZone: 'America/New_York', open: '09:30', close: '16:00' }]], set: [['calendar.holidays', ['2024-12-25']]], effect: 'metrics' },
  metrics: on('minute', 'metrics', { periodsPerYear: 98_280 }, { effect: 'metrics' }),
  'metrics.periodsPerYear': { base: 'minute', with: [['metrics', {}]], set: [['metrics.periodsPerYear', 98_280]], effect: 'metrics' },
  'metrics.riskFreeRate': { base: 'minute', with: [['metrics', {}]], set: [['metrics.riskFreeRate', 0.05]], effect: 'metrics' },
  'strategies[].params<ibs>.timeZone': { base: { strategy: 'ibs', params: { sessions: [{ start: '0000', end: '0100' }] } }, set: [['strategies.0.params.timeZone', 'America/New_York']] },

  // predictive filters (engine/models/predictive-filters.ts): on sma (strategies[0]) of the bars base, and on the ensemble's account
  'strategies[].filters': on('bars', 'strategies.0.filters', [{ kind: 'volume_surge', minZScore: 0 }]),
  ...filterEntries('bars', 'strategies.0.filters'),
  'strategies[].filters[]<confidence>.minConfidence': { base: { strategy: 'bayesian_updater', params: BU_BASE }, with: [['account', { type: 'margin' }], ['strategies.0.filters', [{ kind: 'confidence', minConfidence: 0 }]]], set: [['strategies.0.filters.0.minConfidence', 0.9]] },
  'ensemble.filters': on('ensemble', 'ensemble.filters', [{ kind: 'volume_surge', minZScore: 0 }]),
  ...filterEntries('ensemble', 'ensemble.filters'),
  // The account emits no signal: a confidence filter there is refused (cli/compose/plan-rules.ts).
  'ensemble.filters[]<confidence>.minConfidence': on('ensemble', 'ensemble.filters', [{ kind: 'confidence', minConfidence: 0.5 }], { effect: 'refused' }),

  // per-instrument parameters and bundles
  instruments: { base: { strategy: 'sma_cross' }, set: [['instruments', { AAA: { params: { fast: 3 } } }]] },
  'instruments.*': { base: { strategy: 'sma_cross' }, set: [['instruments.BBB', { params: { slow: 50 } }]] },
  'instruments.*.params': { base: { strategy: 'sma_cross' }, with: [['instruments.AAA.params', { fast: 3 }]], set: [['instruments.AAA.params', { fast: 3, mode: 'long_only' }]] },
  // instrument fields: AAA described as an instrument on the fractional-sized bar strategies
  // An equity trades any fraction, a future whole contracts (its default lotSize 1).
  'instruments.*.assetClass': { base: 'bars', with: [['instruments.AAA', { assetClass: 'equity', multiplier: 1, initialMargin: 100, maintenanceMargin: 50 }]], set: [['instruments.AAA.assetClass', 'future']] },
  'instruments.*.multiplier': { base: 'bars', with: [['instruments.AAA', { assetClass: 'future', multiplier: 1, initialMargin: 100, maintenanceMargin: 50 }]], set: [['instruments.AAA.multiplier', 2]] },
  // The price probe's limit and stop prices, most of them off a 0.05 grid, are rejected.
  'instruments.*.tickSize': { base: 'priced', with: [['instruments.AAA', { assetClass: 'equity' }]], set: [['instruments.AAA.tickSize', 0.05]] },
  'instruments.*.lotSize': { base: 'bars', with: [['instruments.AAA', { assetClass: 'equity' }]], set: [['instruments.AAA.lotSize', 10]] },
  // The account currency (USD) is the only one accepted: there is no FX conversion.
  'instruments.*.currency': { base: 'bars', with: [['instruments.AAA', { assetClass: 'equity' }]], set: [['instruments.AAA.currency', 'EUR']], effect: 'refused' },
  'instruments.*.initialMargin': marginEntry('initialMargin', 1000, 1_000_000),
  'instruments.*.maintenanceMargin': marginEntry('maintenanceMargin', 5, 1000),
  // An instrument's trading session: the venue fills the symbol only inside it (daily bars: the session days; minute bars: the hours).
  'instruments.*.session': { base: 'bars', with: [['instruments.AAA', { assetClass: 'equity' }]], set: [['instruments.AAA.session', { ...NY_RTH, weekdays: [1, 2, 3] }]] },
  'instruments.*.session.timeZone': { base: 'minute', with: [['instruments.AAA', { assetClass: 'equity', session: UTC_RTH }]], set: [['instruments.AAA.session.timeZone', 'America/New_York']] },
  'instruments.*.session.open': { base: 'minute', with: [['instruments.AAA', { assetClass: 'equity', session: UTC_RTH }]], set: [['instruments.AAA.session.open', '12:00']] },
  'instruments.*.session.close': { base: 'minute', with: [['instruments.AAA', { assetClass: 'equity', session: UTC_RTH }]], set: [['instruments.AAA.session.close', '13:00']] },
  'instruments.*.session.weekdays': { base: 'bars', with: [['instruments.AAA', { assetClass: 'equity', session: NY_RTH }]], set: [['instruments.AAA.session.weekdays', [1, 2, 3]]] },
  // The first 60 days of the data (from 2023-01-02) without a session.
  'instruments.*.session.holidays': {
    base: 'bars',
    with: [['instruments.AAA', { assetClass: 'equity', session: NY_RTH }]],
    set: [['instruments.AAA.session.holidays', Array.from({ length: 60 }, (_, i) => new Date(Date.UTC(2023, 0, 2 + i)).toISOString().slice(0, 10))]],
  },
  instrumentsFile: on('bars', 'instrumentsFile', () => instrumentsFile),
  bundles: { base: 'bars', set: [['bundles', { strategies: ['sma'] }], ['bundles.dir', () => models1]] },
  'bundles.dir': { base: 'bars', with: [['bundles', { strategies: ['sma'] }], ['bundles.dir', () => models1]], set: [['bundles.dir', () => models2]] },
  'bundles.symbols': { base: 'bars', with: [['bundles', { strategies: ['sma'] }], ['bundles.dir', () => models1]], set: [['bundles.symbols', ['AAA']]] },
  'bundles.strategies': { base: 'bars', with: [['bundles', { strategies: ['sma'] }], ['bundles.dir', () => models1]], set: [['bundles.strategies', ['ema']]] },
};

/**
 * A strategy's own account (strategies[].account) takes the scenario account's fields: each
 * `account.field` entry moved onto the books base's first strategy (its starting cash kept), plus the
 * book's own fields. Enabling an account on a lone strategy moves its starting cash.
 */
CONTRACT['strategies[].account'] = on('bars', 'strategies', [{ ...barStrategies()[0], account: { initialCash: 60_000 } }]);
CONTRACT['strategies[].account.initialCash'] = on('books', 'strategies.0.account.initialCash', 5_000);
// The second book (0.3 of its equity per symbol) holds both symbols at times; the first invests all its equity in one.
CONTRACT['strategies[].account.maxPositions'] = on('books', 'strategies.1.account.maxPositions', 1);
CONTRACT['strategies[].account.dailyStopLoss'] = on('books', 'strategies.0.account.dailyStopLoss', 100);
for (const [field, e] of Object.entries(CONTRACT)) {
  if (!field.startsWith('account.')) continue;
  const moved = (p: string): string => p.replace(/^account(?=\.|$)/, 'strategies.0.account');
  CONTRACT[`strategies[].${field}`] = {
    ...e,
    base: 'books',
    ...(e.with !== undefined ? { with: e.with.map(([p, v]) => [moved(p), p === 'account' ? { initialCash: 25_000, ...(v as Doc) } : v] as const) } : {}),
    set: e.set.map(([p, v]) => [moved(p), v] as const),
  };
}

/**
 * Fields whose effect this test cannot show yet (see each entry's `why`): a known gap, not a pass.
 * Adding one here is a decision to write down in the issue, not a way to silence the test.
 */
/**
 * A strategy's own `execution` takes the same algorithms as the scenario's: each top-level
 * `execution<algo>.field` entry, moved under `strategies[0].execution` instead.
 */
for (const [field, e] of Object.entries(CONTRACT)) {
  if (!field.startsWith('execution<')) continue;
  const moved = (p: string): string => p.replace(/^execution(?=\.|$)/, 'strategies.0.execution');
  CONTRACT[`strategies[].${field}`] = {
    ...e,
    ...(e.with !== undefined ? { with: e.with.map(([p, v]) => [moved(p), v] as const) } : {}),
    set: e.set.map(([p, v]) => [moved(p), v] as const),
    ...(e.refusedAt !== undefined ? { refusedAt: userPath(moved(e.refusedAt)) } : {}),
  };
}

const UNPROVEN: readonly string[] = [];

// ---------------------------------------------------------------------------------------------
// Running the table

/** Sets `value` at a dotted path (numeric parts index arrays), creating objects on the way; undefined deletes. */
function setAt(doc: Doc, path: string, value: unknown): void {
  const keys = path.split('.');
  let o: Record<string, unknown> = doc;
  for (const k of keys.slice(0, -1)) {
    const next = o[k];
    o[k] = next !== null && typeof next === 'object' ? (Array.isArray(next) ? [...next] : { ...(next as Doc) }) : {};
    o = o[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  const v = typeof value === 'function' ? (value as () => unknown)() : value;
  if (v === undefined) delete o[last];
  else o[last] = v;
}


function baseDoc(e: Entry): Doc {
  const doc = typeof e.base === 'string' ? BASES[e.base]!() : strategyBase(e.base.strategy, e.base.params ?? {}, e.base.on);
  for (const [p, v] of e.with ?? []) setAt(doc, p, v);
  return doc;
}

type Outcome = { kind: 'ran'; runHash: string; scenario: string; audit: string; metrics: string; fills: number } | { kind: 'refused'; path: string; message: string } | { kind: 'failed'; message: string };

async function outcome(doc: Doc): Promise<Outcome> {
  try {
    const { report } = await runScenario(await qualify(doc, 'contract.json', QUALIFY_OPTIONS));
    return { kind: 'ran', runHash: report.runHash, scenario: JSON.stringify(report.scenario), audit: JSON.stringify(report.ensemble?.audit ?? report.audit), metrics: JSON.stringify(report.metrics), fills: report.fills.length };
  } catch (err) {
    if (err instanceof ConfigError) return { kind: 'refused', path: err.path, message: err.message };
    return { kind: 'failed', message: String((err as Error).stack ?? err) };
  }
}

describe('every documented scenario field changes the run or is refused by path', () => {
  it('has a contract entry for every field, and no entry for a field that is gone', () => {
    const fields = documentedFields();
    const missing = fields.filter((f) => !Object.hasOwn(CONTRACT, f)).map((f) => `field ${f} has no contract entry`);
    const stale = Object.keys(CONTRACT).filter((f) => !fields.includes(f)).map((f) => `contract entry ${f} names no documented field`);
    expect([...missing, ...stale]).toEqual([]);
    expect(fields.length).toBeGreaterThan(200);
  });

  it('refuses the venue settings of the other kind of run, naming them (L2 settings on a bar run, bar fill rules on an L2 run)', async () => {
    expect(L2_ONLY.length).toBeGreaterThan(3);
    expect(BAR_ONLY.length).toBeGreaterThan(3);
    const wrong: string[] = [];
    for (const [base, keys] of [['bars', L2_ONLY], ['l2', BAR_ONLY]] as const) {
      for (const key of keys) {
        const path = `venue.${key}`;
        // The value: the key's own contract entry, else its first field's (venue.tickSizes.*, venue.latency.feed).
        const field = Object.keys(CONTRACT).find((f) => f === path || f.startsWith(`${path}.`) || f.startsWith(`${path}<`));
        if (field === undefined) {
          wrong.push(`${path} has no contract entry`);
          continue;
        }
        const [at, value] = CONTRACT[field]!.set[0]!;
        const doc = BASES[base]!();
        setAt(doc, at, value);
        try {
          await qualify(doc, 'contract.json', QUALIFY_OPTIONS);
          wrong.push(`${path} accepted on a ${base} run`);
        } catch (err) {
          if (!(err instanceof ConfigError && err.path.startsWith(path))) wrong.push(`${path} on a ${base} run: ${(err as Error).message}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses a duration given twice (as text and in microseconds), naming it', async () => {
    const fields = documentedFields();
    const pairs = fields.filter((f) => f.endsWith('Us') && fields.includes(f.slice(0, -2)));
    expect(pairs.length).toBeGreaterThan(10);
    const wrong: string[] = [];
    for (const us of pairs) {
      const text = us.slice(0, -2);
      // The moved scenario of the `Us` entry, with the text spelling of its own entry added.
      const doc = baseDoc(CONTRACT[us]!);
      for (const [p, v] of CONTRACT[us]!.set) setAt(doc, p, v);
      const key = text.slice(text.lastIndexOf('.') + 1);
      const [setPath, setValue] = CONTRACT[text]!.set[0]!;
      const textPath = setPath.endsWith(`.${key}`) ? setPath : `${setPath}.${key}`;
      setAt(doc, textPath, setPath.endsWith(`.${key}`) ? setValue : (setValue as Doc)[key]);
      const section = userPath(textPath.slice(0, textPath.lastIndexOf('.')));
      try {
        await qualify(doc, 'contract.json', QUALIFY_OPTIONS);
        wrong.push(`${us} and ${text} together accepted`);
      } catch (err) {
        if (!(err instanceof ConfigError && err.path === `${section}.${key}` && /not both/.test(err.message))) wrong.push(`${us} and ${text} together: ${(err as Error).message}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('moves each field away from its default: the runHash changes or the scenario is refused naming the field', async () => {
    const baselines = new Map<string, Promise<Outcome>>();
    const baseline = (e: Entry): Promise<Outcome> => {
      const doc = baseDoc(e);
      const key = JSON.stringify(doc);
      if (!baselines.has(key)) baselines.set(key, outcome(doc));
      return baselines.get(key)!;
    };
    const rows: { field: string; effect: string; ok: boolean }[] = [];
    // CONTRACT_ONLY=regex narrows the run while working on entries (the full table runs otherwise).
    const only = process.env.CONTRACT_ONLY ? new RegExp(process.env.CONTRACT_ONLY) : null;
    const fields = documentedFields().filter((f) => Object.hasOwn(CONTRACT, f) && (only === null || only.test(f)));
    // Two at a time: the replays are CPU-bound, the rest is file I/O.
    const queue = [...fields];
    const worker = async (): Promise<void> => {
      for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
        const e = CONTRACT[f]!;
        const before = await baseline(e);
        const doc = baseDoc(e);
        for (const [p, v] of e.set) setAt(doc, p, v);
        const after = await outcome(doc);
        const at = e.refusedAt ?? userPath(e.set[0]![0]);
        let effect: string;
        let ok: boolean;
        if (e.effect === 'repaired') {
          ok = before.kind === 'failed' && /^DataError/.test(before.message) && after.kind === 'ran';
          effect = ok ? 'repaired: the base stops on invalid data, the moved run goes through' : `NOT REPAIRED (base ${before.kind}, moved ${after.kind}${after.kind === 'ran' ? '' : `: ${after.message.split('\n')[0]}`})`;
        } else if (before.kind !== 'ran') {
          effect = `base did not run: ${before.kind === 'refused' ? before.message : before.message.split('\n')[0]}`;
          ok = false;
        } else if (after.kind === 'refused') {
          ok = e.effect === 'refused' && (after.path === at || after.path.startsWith(`${at}.`) || after.path.startsWith(`${at}[`));
          effect = `refused: ${after.message}`;
        } else if (e.effect === 'refused') {
          effect = after.kind === 'failed' ? `failed: ${after.message.split('\n')[0]}` : `NOT REFUSED (runHash ${after.runHash === before.runHash ? 'unchanged' : 'changed'})`;
          ok = false;
        } else if (after.kind === 'failed') {
          effect = `failed: ${after.message.split('\n')[0]}`;
          ok = e.effect === 'data' && /^DataError/.test(after.message);
        } else if (e.effect === 'data') {
          effect = 'IGNORED: the run did not stop on the data';
          ok = false;
        } else if (e.effect === 'unproven') {
          ok = UNPROVEN.includes(f);
          effect = `UNPROVEN (${after.runHash === before.runHash ? 'same runHash' : 'runHash changed'}): ${e.why}`;
        } else if (e.effect === 'meta') {
          ok = after.runHash === before.runHash && after.scenario !== before.scenario;
          effect = ok ? 'report only (as documented)' : 'meta field changed the run or not the report';
        } else if (e.effect === 'metrics') {
          ok = after.metrics !== before.metrics;
          effect = ok ? `metrics changed (as documented)${after.runHash === before.runHash ? '' : ', and the run'}` : 'IGNORED: metrics unchanged';
        } else if (e.effect === 'audit') {
          ok = after.audit !== before.audit;
          effect = ok ? 'audit changed (as documented)' : 'IGNORED: audit unchanged';
        } else {
          ok = after.runHash !== before.runHash;
          effect = ok ? 'changed' : `IGNORED: same runHash (${before.fills} fills)`;
        }
        rows.push({ field: f, effect, ok });
      }
    };
    await Promise.all([worker(), worker()]);
    const failures = rows.filter((r) => !r.ok);
    if (failures.length > 0 || only !== null) {
      const width = Math.max(...rows.map((r) => r.field.length));
      console.log(['field'.padEnd(width) + '  effect', ...rows.map((r) => `${r.ok ? ' ' : '!'} ${r.field.padEnd(width)}  ${r.effect}`)].join('\n'));
    }
    expect(failures.map((r) => `${r.field}: ${r.effect}`)).toEqual([]);
  }, 300_000);
});
