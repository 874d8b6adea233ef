import { InvalidArgumentError } from '../core/index.js';
import type { OrderId } from '../core/ids.js';
import type { BracketIds, BracketRequest, OrderRequest } from '../model/orders.js';
import { HmmRegimeDetector, type HmmRegimeConfig } from '../models/hmm-regime.js';
import type { Recorder } from '../ports/recorder.js';
import type { TargetOptions } from '../strategies/context.js';
import { RouterDecorator } from './strategy-router.js';
import type { RouterHost, StrategyRouter } from './strategy-router.js';

/** Seed 003's regime-adaptive parameters of one regime: multiples of the strategies' sizes and stop distances. */
export interface RegimeMultipliers {
  readonly size: number;
  readonly stop: number;
}

/** The scenario's `regimes` section, resolved: the HMM detector and the multipliers per label. */
export interface RegimeAdaptiveConfig {
  readonly detector: HmmRegimeConfig;
  /** The symbols whose mean log return (between equity samples) the detector reads, by index. */
  readonly symbolIndexes: readonly number[];
  /** Multipliers per regime label; a label not listed (and no regime yet) multiplies by 1. */
  readonly adapt: Readonly<Record<string, RegimeMultipliers>>;
}

const ONE: RegimeMultipliers = Object.freeze({ size: 1, stop: 1 });

/**
 * Seed 003's regime-adaptive strategy parameters, as a decorator of the run's StrategyRouter: an
 * HmmRegimeDetector reads the mean log return of the chosen symbols between equity samples (the
 * marks, so only prices already seen), and while a regime holds every strategy's target is scaled
 * by its `size` multiplier (whole targets stay whole, truncated toward zero) and every protective
 * stop a strategy submits (a reduce-only stop or stop-limit order) has its distance from the
 * symbol's last price scaled by the `stop` multiplier. Each change of regime is an audit entry
 * 'regime.changed'. Everything else passes through to the inner router unchanged.
 */
export class RegimeAdaptiveRouter extends RouterDecorator {
  readonly detector: HmmRegimeDetector;
  private host: RouterHost | null = null;
  private readonly lastMark: Float64Array;
  private multipliers: RegimeMultipliers = ONE;

  constructor(
    inner: StrategyRouter,
    private readonly cfg: RegimeAdaptiveConfig,
    private readonly symbols: readonly string[],
    private readonly recorder: Recorder,
  ) {
    if (cfg.symbolIndexes.length === 0) throw new InvalidArgumentError("invalid 'regimes.detector.symbols': no symbol to read");
    for (const [label, m] of Object.entries(cfg.adapt)) {
      if (!cfg.detector.labels.includes(label)) throw new InvalidArgumentError(`invalid 'regimes.adapt.${label}': not a regime label (labels: ${cfg.detector.labels.join(', ')})`);
      if (!(m.size > 0) || !(m.stop > 0)) throw new InvalidArgumentError(`invalid 'regimes.adapt.${label}': multipliers must be positive`);
    }
    super(inner);
    this.detector = new HmmRegimeDetector(cfg.detector);
    this.lastMark = new Float64Array(symbols.length).fill(Number.NaN);
    if (inner.submitBracket) this.submitBracket = (k, request: BracketRequest, ts): BracketIds => inner.submitBracket!(k, this.scaledBracket(request), ts);
  }

  /** The regime now (null before the detector's first fit). */
  get regime(): string | null {
    return this.detector.regime;
  }

  override attach(host: RouterHost): void {
    this.host = host;
    this.inner.attach?.(host);
  }

  override onEquity(ts: number, equity: number): void {
    const host = this.host;
    if (host !== null) {
      let sum = 0;
      let n = 0;
      for (const i of this.cfg.symbolIndexes) {
        const m = host.mark(i);
        const prev = this.lastMark[i]!;
        if (m > 0 && prev > 0) {
          sum += Math.log(m / prev);
          n++;
        }
        if (m > 0) this.lastMark[i] = m;
      }
      if (n > 0) {
        const before = this.detector.regime;
        const now = this.detector.update(sum / n);
        if (now !== before && now !== null) {
          this.multipliers = this.cfg.adapt[now] ?? ONE;
          const p = this.detector.posterior;
          this.recorder.onAudit({
            ts,
            kind: 'regime.changed',
            message: `regime ${before ?? 'none'} -> ${now} (HMM fit ${this.detector.fitCount}): size x${this.multipliers.size}, stop x${this.multipliers.stop}`,
            details: { from: before, to: now, size: this.multipliers.size, stop: this.multipliers.stop, posterior: p === null ? null : Array.from(p) },
          });
        }
      }
    }
    this.inner.onEquity?.(ts, equity);
  }

  override setTarget(k: number, i: number, units: number, ts: number, options: TargetOptions | undefined): void {
    const m = this.multipliers.size;
    const scaled = m === 1 ? units : Number.isInteger(units) ? Math.trunc(units * m) : units * m;
    this.inner.setTarget(k, i, scaled, ts, options);
  }
  override submitOrder(k: number, request: OrderRequest, ts: number): OrderId {
    return this.inner.submitOrder(k, this.scaledStop(request), ts);
  }

  /** A protective stop with its distance from the symbol's last price times the regime's stop multiplier. */
  private scaledStop(request: OrderRequest): OrderRequest {
    const m = this.multipliers.stop;
    if (m === 1 || request.reduceOnly !== true || (request.type !== 'stop' && request.type !== 'stop_limit') || request.stopPrice === undefined) return request;
    const stopPrice = this.moved(request.symbol, request.stopPrice, m);
    if (stopPrice === null) return request;
    const limitPrice = request.limitPrice !== undefined ? request.limitPrice + (stopPrice - request.stopPrice) : undefined;
    return { ...request, stopPrice, ...(limitPrice !== undefined ? { limitPrice } : {}) };
  }

  /** A bracket's stop-loss moved as {@link scaledStop} moves a protective stop. */
  private scaledBracket(request: BracketRequest): BracketRequest {
    const m = this.multipliers.stop;
    if (m === 1) return request;
    const moved = this.moved(request.symbol, request.stopLoss, m);
    return moved === null ? request : { ...request, stopLoss: moved };
  }

  private moved(symbol: string, stopPrice: number, m: number): number | null {
    const i = this.symbols.indexOf(symbol);
    const ref = i >= 0 && this.host !== null ? this.host.mark(i) : Number.NaN;
    if (!(ref > 0)) return null;
    const moved = ref + m * (stopPrice - ref);
    return moved > 0 ? moved : null;
  }
}
