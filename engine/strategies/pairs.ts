import { checkPeriod, InvalidArgumentError, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { cointegrationTest } from '../models/index.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { AlignedWindow, TimestampSync } from './multi-symbol.js';
import { checkSizing, positionSize, sizingWarmupBars, type PositionSizing } from './position-sizing.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView } from './symbol-view.js';

/** Parameters of `pairs`. */
export interface PairsParams {
  /** Aligned closes of both symbols the hedge ratio is fitted on and the spread's z-score is taken over, >= 20. Default 60. */
  readonly window: number;
  /** Complete timestamps between two Engle-Granger fits (1: every timestamp), >= 1. Default 5. */
  readonly refitEvery: number;
  /**
   * When set, the pair trades only while the Engle-Granger p-value of the latest fit is below it (an
   * open spread is closed when a fit says it is not); in (0, 1]. null: no requirement. Default null.
   */
  readonly maxPValue: number | null;
  /** A spread z-score beyond ±entryZ opens the spread against it (> 0). Default 2. */
  readonly entryZ: number;
  /** A long spread closes when z rises to -exitZ, a short one when z falls to exitZ; in [0, entryZ). Default 0.5. */
  readonly exitZ: number;
  /** Size of the y leg (the first symbol); the x leg is hedgeRatio times it. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units (else both legs are whole units; the x leg rounded to nearest). Default false. */
  readonly fractional: boolean;
}

/** Defaults of `pairs` (each documented on {@link PairsParams}). */
export const PAIRS_DEFAULTS: PairsParams = Object.freeze({
  window: 60,
  refitEvery: 5,
  maxPValue: null,
  entryZ: 2,
  exitZ: 0.5,
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

function positiveFinite(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0)) failParam(name, 'not a positive finite number', v);
  return v;
}

/** Returns the validated `pairs` parameters with defaults applied. */
export function pairsParams(params?: Partial<PairsParams>): PairsParams {
  const p = withDefaults('pairs', PAIRS_DEFAULTS, params);
  checkPeriod(p.window, 'window');
  if (p.window < 20) failParam('window', 'less than 20 (the cointegration test needs at least 20 observations)', p.window);
  checkPeriod(p.refitEvery, 'refitEvery');
  if (p.maxPValue !== null) {
    const m = p.maxPValue as unknown;
    if (typeof m !== 'number' || !(m > 0) || !(m <= 1)) failParam('maxPValue', 'not null or a number in (0, 1]', m);
  }
  const entryZ = positiveFinite(p.entryZ, 'entryZ');
  const exitZ = p.exitZ as unknown;
  if (typeof exitZ !== 'number' || !(exitZ >= 0) || !(exitZ < entryZ)) failParam('exitZ', `outside [0, entryZ) = [0, ${entryZ})`, exitZ);
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({ ...p, entryZ, exitZ, sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'pairs' }), fractional });
}

/** Returns the strategy's symbols after checking there are exactly two (y, then x). */
export function checkPairSymbols(symbols: readonly string[]): readonly Symbol_[] {
  if (Array.isArray(symbols) && symbols.length !== 2) {
    failParam('symbols', 'pairs trades exactly two symbols, y then x (long spread = long y, short hedgeRatio x of x)', symbols);
  }
  return checkSymbols(symbols);
}

/**
 * `pairs`: Engle-Granger pairs trading of y (the first symbol) against x (the second) on their closes.
 * On each complete timestamp (see {@link TimestampSync}: the bar that completes it, the last of
 * the two), once `window` aligned closes are in: every `refitEvery` timestamps (the first when the
 * window fills) the cointegrating regression y = a + b x is refitted on the window with
 * {@link cointegrationTest} (the hedge ratio b, its p-value; the residuals' ADF lags chosen by AIC up
 * to Schwert's rule capped at (window - 1) / 4, so a short window still fits); the spread s = y - a - b x is taken
 * over the window with the latest fit and z = (s_now - mean(s)) / sample sd(s). A spread opens
 * against z beyond ±entryZ: z < -entryZ long spread (long y, short b x units of x), z > entryZ
 * short spread; a long spread closes at z >= -exitZ, a short one at z <= exitZ, and one beyond
 * the opposite entry reverses. With `maxPValue`, no spread opens unless the latest fit's p-value
 * is below it, and an open one closes when it is not. The legs keep the hedge ratio they opened
 * with until they close or reverse. The y leg is sized by `sizing` at y's close, the x leg is
 * b times it (rounded to whole units unless fractional).
 *
 * Signals on each change, one per leg: y the spread's direction, x the opposite times the sign of b;
 * strength min(1, |z| / (2 entryZ)), confidence 1 - p of the latest fit.
 */
export class PairsStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: PairsParams;
  private readonly sync: TimestampSync;
  private readonly prices: AlignedWindow;
  private readonly row = new Float64Array(2);
  private readonly ys: Float64Array;
  private readonly xs: Float64Array;
  private readonly yView: SymbolView;
  private readonly xView: SymbolView;
  /** The largest lag of the residual ADF test: Schwert's rule capped at (window - 1) / 4, so short windows fit. */
  private readonly maxLag: number;
  /** Inspection: the latest fit (NaN before the first or after a refused fit) and z-score. */
  hedgeRatio = Number.NaN;
  intercept = Number.NaN;
  pValue = Number.NaN;
  z = Number.NaN;
  /** The spread held: +1 long, -1 short, 0 flat. */
  spread: -1 | 0 | 1 = 0;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<PairsParams>) {
    this.id = strategyId(id);
    this.symbols = checkPairSymbols(symbols);
    this.params = pairsParams(params);
    this.sync = new TimestampSync(this.symbols);
    this.prices = new AlignedWindow(2, this.params.window);
    this.ys = new Float64Array(this.params.window);
    this.xs = new Float64Array(this.params.window);
    this.yView = new SymbolView(this.symbols[0]!);
    this.xView = new SymbolView(this.symbols[1]!);
    const w = this.params.window;
    this.maxLag = Math.min(Math.ceil(12 * Math.pow(w / 100, 1 / 4)), Math.floor((w - 1) / 4));
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    if (!this.sync.arrive(bars.symbol, bars.ts(0))) return;
    this.sync.closes(ctx, this.row);
    this.prices.push(this.row);
    const p = this.params;
    if (!this.prices.full) return;
    if ((this.prices.seen - p.window) % p.refitEvery === 0) this.refit();
    const b = this.hedgeRatio;
    let want: -1 | 0 | 1 = this.spread;
    let z = Number.NaN;
    if (Number.isFinite(b)) {
      const w = p.window;
      let sum = 0;
      let sumSq = 0;
      for (let ago = 0; ago < w; ago++) {
        const s = this.prices.at(0, ago) - this.intercept - b * this.prices.at(1, ago);
        sum += s;
        sumSq += s * s;
      }
      const mean = sum / w;
      const sd = Math.sqrt(Math.max(0, (sumSq - w * mean * mean) / (w - 1)));
      const now = this.row[0]! - this.intercept - b * this.row[1]!;
      z = sd > 0 ? (now - mean) / sd : Number.NaN;
    }
    this.z = z;
    const cointegrated = p.maxPValue === null || this.pValue < p.maxPValue;
    if (!Number.isFinite(b) || !cointegrated) want = 0;
    else if (z > p.entryZ) want = -1;
    else if (z < -p.entryZ) want = 1;
    else if ((want === 1 && z >= -p.exitZ) || (want === -1 && z <= p.exitZ)) want = 0;
    if (want === this.spread) return;
    this.spread = want;
    const confidence = Number.isFinite(this.pValue) ? Math.min(1, Math.max(0, 1 - this.pValue)) : 0;
    if (want === 0) {
      const reason = !Number.isFinite(b) ? 'no hedge ratio: the fit was refused' : !cointegrated ? `not cointegrated: p ${this.pValue.toFixed(3)} >= ${p.maxPValue}` : `spread back: z ${z.toFixed(2)}`;
      this.yView.change(ctx, 0, 0, 0, reason, confidence);
      this.xView.change(ctx, 0, 0, 0, reason, confidence);
      return;
    }
    const yBars = ctx.bars(this.symbols[0]!);
    const units = positionSize(p.sizing, p.fractional, ctx.equity(), this.row[0]!, yBars, Number.NaN, ctx.instrument?.(this.symbols[0]!)?.multiplier ?? 1);
    const xUnits = p.fractional ? b * units : Math.round(b * units);
    const strength = Math.min(1, Math.abs(z) / (2 * p.entryZ));
    const reason = `${want > 0 ? 'long' : 'short'} spread: z ${z.toFixed(2)} ${want > 0 ? '<' : '>'} ${want > 0 ? -p.entryZ : p.entryZ}, hedge ratio ${b.toFixed(4)}`;
    this.yView.change(ctx, want, want * units, strength, reason, confidence);
    const xDirection = (b > 0 ? -want : b < 0 ? want : 0) as -1 | 0 | 1;
    this.xView.change(ctx, xDirection, -want * xUnits || 0, strength, reason, confidence);
  }

  /** Refits y = a + b x on the window; a fit the test refuses (a constant series) leaves no hedge ratio. */
  private refit(): void {
    const y = this.prices.copy(0, this.ys);
    const x = this.prices.copy(1, this.xs);
    try {
      const fit = cointegrationTest(y, x, { maxLag: this.maxLag });
      this.hedgeRatio = fit.hedgeRatio;
      this.intercept = fit.intercept;
      this.pValue = fit.p;
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      this.hedgeRatio = this.intercept = this.pValue = Number.NaN;
    }
  }
}

/** The built-in `pairs` (scenario `"type": "pairs"`, exactly two symbols: y then x). */
export const pairs = defineStrategy({
  name: 'pairs',
  description:
    'Pairs trading on two symbols (y, x): Engle-Granger hedge ratio refitted on a rolling window, optionally only while cointegrated (p-value below maxPValue); opens the spread y - b x against a z-score beyond entryZ, closes it within exitZ, both legs together.',
  defaults: PAIRS_DEFAULTS,
  params: pairsParams,
  warmup: (p) => {
    const sizing = sizingWarmupBars(p.sizing);
    return sizing > p.window ? { bars: sizing, because: `sizing.kind=${p.sizing.kind}` } : { bars: p.window, because: `window=${p.window}` };
  },
  create: ({ id, symbols, params }) => new PairsStrategy(id, symbols, params),
});

export default pairs;
