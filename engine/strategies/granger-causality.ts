import { checkPeriod, InvalidArgumentError, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { grangerTest } from '../models/index.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { AlignedWindow, TimestampSync } from './multi-symbol.js';
import { checkSizing, positionSize, sizingWarmupBars, type PositionSizing } from './position-sizing.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of `granger_causality`. */
export interface GrangerCausalityParams {
  /** The symbol whose returns are tested as the cause; one of the strategy's two symbols. null: the first. Default null. */
  readonly leader: string | null;
  /** The symbol traded, whose returns are tested as the effect; the other one. null: the second. Default null. */
  readonly follower: string | null;
  /** Aligned close-to-close log returns of both symbols the test runs on, >= 3 lag + 2 and >= 10. Default 100. */
  readonly window: number;
  /** Lags of both series in the test's regressions (the F-test at exactly this lag), >= 1. Default 1. */
  readonly lag: number;
  /** The leader Granger-causes the follower while the F-test's p-value is below this; in (0, 1). Default 0.05. */
  readonly maxPValue: number;
  /** The leader's last log return must exceed this in absolute value to set the side (else the side is held), >= 0. Default 0. */
  readonly minMove: number;
  /** Default `long_only`: a short view is flat. */
  readonly mode: TradeMode;
  /** Position size of the follower. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `granger_causality` (each documented on {@link GrangerCausalityParams}). */
export const GRANGER_CAUSALITY_DEFAULTS: GrangerCausalityParams = Object.freeze({
  leader: null,
  follower: null,
  window: 100,
  lag: 1,
  maxPValue: 0.05,
  minMove: 0,
  mode: 'long_only',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

function symbolOrNull(v: unknown, name: string): string | null {
  if (v !== null && (typeof v !== 'string' || v.length === 0)) failParam(name, 'not null or a symbol', v);
  return v;
}

/** Returns the validated `granger_causality` parameters with defaults applied. */
export function grangerCausalityParams(params?: Partial<GrangerCausalityParams>): GrangerCausalityParams {
  const p = withDefaults('granger_causality', GRANGER_CAUSALITY_DEFAULTS, params);
  const leader = symbolOrNull(p.leader, 'leader');
  const follower = symbolOrNull(p.follower, 'follower');
  if (leader !== null && leader === follower) failParam('follower', 'the same symbol as leader', follower);
  checkPeriod(p.lag, 'lag');
  checkPeriod(p.window, 'window');
  const least = Math.max(10, 3 * p.lag + 2);
  if (p.window < least) failParam('window', `less than ${least} (the F-test at lag ${p.lag} needs more than 3 lag + 1 returns)`, p.window);
  const m = p.maxPValue as unknown;
  if (typeof m !== 'number' || !(m > 0) || !(m < 1)) failParam('maxPValue', 'outside (0, 1)', m);
  const minMove = p.minMove as unknown;
  if (typeof minMove !== 'number' || !Number.isFinite(minMove) || minMove < 0) failParam('minMove', 'not a finite number >= 0', minMove);
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({
    ...p,
    leader,
    follower,
    mode: checkTradeMode(p.mode),
    sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'granger_causality' }),
    fractional,
  });
}

/**
 * Returns [leader, follower] after checking the strategy has exactly two symbols and that the
 * named leader and follower are among them (null picks the first, resp. the second).
 */
function leaderAndFollower(symbols: readonly string[], p: GrangerCausalityParams): [Symbol_, Symbol_] {
  if (Array.isArray(symbols) && symbols.length !== 2) {
    failParam('symbols', 'granger_causality reads exactly two symbols, the leader and the follower', symbols);
  }
  const s = checkSymbols(symbols);
  for (const [name, v] of [['leader', p.leader], ['follower', p.follower]] as const) {
    if (v !== null && !s.includes(v as Symbol_)) failParam(name, `not one of the strategy's symbols (${s.join(', ')})`, v);
  }
  const leader = (p.leader ?? (p.follower === s[0] ? s[1] : s[0])) as Symbol_;
  const follower = (p.follower ?? (leader === s[0] ? s[1] : s[0])) as Symbol_;
  if (leader === follower) failParam('follower', 'the same symbol as leader', follower);
  return [leader, follower];
}

/**
 * `granger_causality`: trades the follower on the leader's moves while the leader's returns
 * Granger-cause the follower's. On each complete timestamp (see {@link TimestampSync}), once
 * `window` aligned log returns of both are in, {@link grangerTest}(follower returns, leader returns,
 * lag) tests on the window whether the leader's lagged returns improve the prediction of the
 * follower's (SSR F-test at `lag`, as statsmodels). While p < maxPValue the follower takes the
 * side of the leader's latest return (as seed 000's Granger Causality Engine: a lead-lag is
 * assumed positive, the follower moving the way the leader just moved), held while that return is
 * within ±minMove; when the test no longer holds (or is refused: a window that fits perfectly),
 * flat. `long_only` holds flat instead of short.
 *
 * Signal: strength 1 - p / maxPValue, confidence 1 - p.
 */
export class GrangerCausalityStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: GrangerCausalityParams;
  readonly leader: Symbol_;
  readonly follower: Symbol_;
  private readonly sync: TimestampSync;
  private readonly returns: AlignedWindow;
  private readonly row = new Float64Array(2);
  private readonly prev = new Float64Array(2).fill(Number.NaN);
  private readonly effect: Float64Array;
  private readonly cause: Float64Array;
  private readonly view: SymbolView;
  /** Indexes of the leader and follower in `symbols`. */
  private readonly li: number;
  private readonly fi: number;
  /** Inspection: the latest p-value (NaN while warming up or when the test was refused). */
  pValue = Number.NaN;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<GrangerCausalityParams>) {
    this.id = strategyId(id);
    this.params = grangerCausalityParams(params);
    [this.leader, this.follower] = leaderAndFollower(symbols, this.params);
    this.symbols = checkSymbols(symbols);
    this.li = this.symbols.indexOf(this.leader);
    this.fi = 1 - this.li;
    this.sync = new TimestampSync(this.symbols);
    this.returns = new AlignedWindow(2, this.params.window);
    this.effect = new Float64Array(this.params.window);
    this.cause = new Float64Array(this.params.window);
    this.view = new SymbolView(this.follower);
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    if (!this.sync.arrive(bars.symbol, bars.ts(0))) return;
    const row = this.row;
    const prev = this.prev;
    const l0 = prev[this.li]!;
    const f0 = prev[this.fi]!;
    const l1 = ctx.bars(this.leader).close(0);
    const f1 = ctx.bars(this.follower).close(0);
    prev[this.li] = l1;
    prev[this.fi] = f1;
    if (!(l0 > 0 && f0 > 0 && l1 > 0 && f1 > 0)) return;
    const leaderReturn = Math.log(l1 / l0);
    row[0] = Math.log(f1 / f0);
    row[1] = leaderReturn;
    this.returns.push(row);
    if (!this.returns.full) return;
    const p = this.params;
    let pValue = Number.NaN;
    try {
      const results = grangerTest(this.returns.copy(0, this.effect), this.returns.copy(1, this.cause), p.lag);
      pValue = results[p.lag - 1]!.p;
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
    }
    this.pValue = pValue;
    const v = this.view;
    const holds = pValue < p.maxPValue;
    let want: -1 | 0 | 1 = holds ? v.direction : 0;
    if (holds && Math.abs(leaderReturn) > p.minMove) want = leaderReturn > 0 ? 1 : leaderReturn < 0 ? -1 : want;
    if (want === -1 && p.mode === 'long_only') want = 0;
    if (want === v.direction) return;
    const confidence = Number.isFinite(pValue) ? 1 - pValue : 0;
    if (want === 0) {
      const reason = holds ? `${this.leader} fell: long_only` : `${this.leader} does not Granger-cause ${this.follower}: p ${Number.isFinite(pValue) ? pValue.toFixed(3) : 'undefined'}`;
      v.change(ctx, 0, 0, 0, reason, confidence);
      return;
    }
    const size = positionSize(p.sizing, p.fractional, ctx.equity(), f1, ctx.bars(this.follower), Number.NaN, ctx.instrument?.(this.follower)?.multiplier ?? 1);
    const reason = `${this.leader} Granger-causes ${this.follower} (p ${pValue.toFixed(3)}) and ${want > 0 ? 'rose' : 'fell'}`;
    v.change(ctx, want, want * size, 1 - pValue / p.maxPValue, reason, confidence);
  }
}

/** The built-in `granger_causality` (scenario `"type": "granger_causality"`, two symbols). */
export const grangerCausality = defineStrategy({
  name: 'granger_causality',
  description:
    "Lead-lag on two symbols: while the leader's returns Granger-cause the follower's on a rolling window (F-test p below maxPValue), holds the follower on the side of the leader's last move; flat otherwise.",
  defaults: GRANGER_CAUSALITY_DEFAULTS,
  params: grangerCausalityParams,
  warmup: (p) => {
    const sizing = sizingWarmupBars(p.sizing);
    return sizing > p.window + 1 ? { bars: sizing, because: `sizing.kind=${p.sizing.kind}` } : { bars: p.window + 1, because: `window=${p.window}` };
  },
  create: ({ id, symbols, params }) => new GrangerCausalityStrategy(id, symbols, params),
});

export default grangerCausality;
