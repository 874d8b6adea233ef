import { InvalidArgumentError, TimeTravelError, checkFinite, formatIsoUs, sessionDayBounds } from '../core/index.js';
import type { Calendar } from '../core/index.js';
import type { AuditEntry, OrderSide } from '../model/index.js';
import type { RiskAccount } from './risk-account.js';
import { validateRiskConfig, type QualifiedRiskConfig, type RiskConfig } from './risk-config.js';

/** The name of the limit behind a denial; it is the RiskConfig field (or the halt that caused it). */
export type RiskLimitName =
  | 'allowedSymbols'
  | 'maxOrderUnits'
  | 'maxOrderNotional'
  | 'maxPositionUnits'
  | 'maxPositionNotional'
  | 'maxOpenPositions'
  | 'maxGrossExposureNotional'
  | 'maxGrossExposureRatio'
  | 'dailyLossLimit'
  | 'maxDrawdown'
  | 'maxNetDelta'
  | 'maxNetGamma'
  | 'maxNetVega';

/** Why an order was denied; the execution engine turns it into an OrderDenied event. */
export interface RiskDenial {
  /** A sentence naming the limit, its value and the numbers that broke it. */
  readonly reason: string;
  readonly limit: RiskLimitName;
}

/** The order as the risk engine sees it. */
export interface RiskOrder {
  readonly symbol: string;
  readonly side: OrderSide;
  /** Units, positive. */
  readonly qty: number;
  /**
   * Reference value of one unit in account currency, for the notional and exposure checks: the
   * limit price for a limit order, else the last price (times the contract multiplier, if any).
   */
  readonly price: number;
}

/**
 * A relative tolerance on every "exceeds" comparison, so a position that reaches a limit exactly
 * through fractional arithmetic (e.g. 0.1 + 0.2 units against a limit of 0.3) is not denied by a
 * rounding error. Positions may therefore exceed a limit by at most this fraction of it.
 */
export const RISK_TOLERANCE = 1e-9;

const NO_AUDIT: readonly AuditEntry[] = Object.freeze([]);

function exceeds(value: number, limit: number): boolean {
  return value > limit * (1 + RISK_TOLERANCE);
}

/** Formats a number for a message without float noise (up to 10 significant digits). */
function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(10)));
}

/**
 * Pre-trade risk checks and the two circuit breakers (daily loss, drawdown).
 *
 * Policy: an order that would break a limit is denied whole, never clipped; the denial names the
 * limit and the numbers. Position checks take the worst case: the current position plus every
 * working order on the order's side, plus the order. An order is *reducing* when it is on the
 * opposite side of a non-zero position and, together with the working orders on its side, cannot
 * take the position past zero; with `reducingAlwaysAllowed` (the default) a reducing order passes
 * every check, even while trading is halted, so a strategy can always get out. An order's
 * `reduceOnly` flag does not loosen any check: the execution layer clips such orders at fill time,
 * and the worst case here is judged from the quantity alone.
 *
 * `check` is pure with respect to the engine's state (it reads the halt flags and the config,
 * changes nothing) and allocates only when it denies. `onEquity` advances the halt state in data
 * time and returns the audit entries (`risk.halted`, `risk.resumed`) to record.
 */
export class RiskEngine {
  readonly config: QualifiedRiskConfig;
  private readonly allowed: ReadonlySet<string> | null;
  private declare lastTs: number;
  private declare day: number;
  private declare lastEquity: number;
  private declare dayStart: number;
  private declare peak: number;
  private dailyHalted: boolean;
  private drawdownHalted: boolean;
  private declare drawdownHaltTs: number;

  /** End of the current day (µs), see {@link sessionDayBounds}. */
  private dayEnd = Number.NaN;
  /** `UTC day`, or `session day` with a calendar: the words of the audit messages. */
  private readonly dayWords: string;

  /**
   * Validates `config` (throws ConfigError naming `risk.<field>`) and starts with no halt. With a
   * `calendar`, the daily loss limit's day is the calendar's session day (sessionDayBounds), else the UTC day.
   */
  constructor(
    config: RiskConfig = {},
    private readonly calendar?: Calendar,
  ) {
    this.dayWords = calendar === undefined || calendar.kind === '24/7' ? 'UTC day' : 'session day';
    this.config = validateRiskConfig(config);
    this.allowed = this.config.allowedSymbols !== undefined ? new Set(this.config.allowedSymbols) : null;
    this.lastTs = Number.NEGATIVE_INFINITY;
    this.day = Number.NaN;
    this.lastEquity = Number.NaN;
    this.dayStart = Number.NaN;
    this.peak = Number.NEGATIVE_INFINITY;
    this.dailyHalted = false;
    this.drawdownHalted = false;
    this.drawdownHaltTs = 0;
  }

  /** Returns the engine to its initial state (no halt, no day, no peak), keeping the config. */
  reset(): void {
    this.lastTs = Number.NEGATIVE_INFINITY;
    this.day = Number.NaN;
    this.dayEnd = Number.NaN;
    this.lastEquity = Number.NaN;
    this.dayStart = Number.NaN;
    this.peak = Number.NEGATIVE_INFINITY;
    this.dailyHalted = false;
    this.drawdownHalted = false;
    this.drawdownHaltTs = 0;
  }

  /** Returns true while new risk is halted by the daily loss stop or the drawdown breaker. */
  get halted(): boolean {
    return this.dailyHalted || this.drawdownHalted;
  }

  /** Returns the breaker currently halting new risk (the drawdown breaker first), or null. */
  get haltedBy(): 'dailyLossLimit' | 'maxDrawdown' | null {
    return this.drawdownHalted ? 'maxDrawdown' : this.dailyHalted ? 'dailyLossLimit' : null;
  }

  /** Returns the highest equity seen (since the start or the last drawdown reset). */
  get peakEquity(): number {
    return this.peak;
  }

  /** Returns the equity at the start of the current UTC day (NaN before the first observation). */
  get dayStartEquity(): number {
    return this.dayStart;
  }

  /**
   * Returns null when `order` may go ahead, else the denial. The first broken limit wins, in this
   * order: halts, allowedSymbols, maxOrderUnits, maxOrderNotional, maxPositionUnits,
   * maxPositionNotional, maxOpenPositions, maxGrossExposureNotional, maxGrossExposureRatio.
   * Throws InvalidArgumentError when qty or price is not a positive finite number (a broken
   * caller, not a risk outcome).
   */
  check(order: RiskOrder, account: RiskAccount): RiskDenial | null {
    const { symbol, side, qty, price } = order;
    if (!(qty > 0) || qty === Number.POSITIVE_INFINITY) {
      throw new InvalidArgumentError(`invalid 'qty': not a positive finite number, was ${String(qty)} (order ${side} ${symbol})`);
    }
    if (!(price > 0) || price === Number.POSITIVE_INFINITY) {
      throw new InvalidArgumentError(`invalid 'price': not a positive finite number, was ${String(price)} (order ${side} ${qty} ${symbol})`);
    }
    const c = this.config;
    const buy = side === 'buy';
    const position = account.position(symbol);
    const pendingBuy = account.pendingQty(symbol, 'buy');
    const pendingSell = account.pendingQty(symbol, 'sell');
    const pendingSame = buy ? pendingBuy : pendingSell;
    const absPosition = Math.abs(position);
    const reducing = (buy ? position < 0 : position > 0) && pendingSame + qty <= absPosition;
    if (account.greekImpact !== undefined && (c.maxNetDelta !== undefined || c.maxNetGamma !== undefined || c.maxNetVega !== undefined)) {
      // Before the reducing shortcut: closing one leg of a hedge can raise the net Greek.
      const denial = this.checkGreeks(order, account);
      if (denial !== null) return denial;
    }
    if (reducing && c.reducingAlwaysAllowed) return null;

    if (this.drawdownHalted) {
      return {
        limit: 'maxDrawdown',
        reason: `maxDrawdown ${num(c.maxDrawdown!)} breaker tripped: new risk halted (${side} ${num(qty)} ${symbol})`,
      };
    }
    if (this.dailyHalted) {
      return {
        limit: 'dailyLossLimit',
        reason:
          `dailyLossLimit ${num(c.dailyLossLimit!)} hit: new risk halted until ` +
          `${formatIsoUs(this.dayEnd)} (${side} ${num(qty)} ${symbol})`,
      };
    }
    if (this.allowed !== null && !this.allowed.has(symbol)) {
      return { limit: 'allowedSymbols', reason: `symbol ${symbol} is not in allowedSymbols (${[...this.allowed].join(', ')})` };
    }
    if (c.maxOrderUnits !== undefined && exceeds(qty, c.maxOrderUnits)) {
      return { limit: 'maxOrderUnits', reason: `maxOrderUnits ${num(c.maxOrderUnits)} exceeded for ${symbol}: ${side} ${num(qty)}` };
    }
    if (c.maxOrderNotional !== undefined && exceeds(qty * price, c.maxOrderNotional)) {
      return {
        limit: 'maxOrderNotional',
        reason: `maxOrderNotional ${num(c.maxOrderNotional)} exceeded for ${symbol}: ${side} ${num(qty)} x ${num(price)} = ${num(qty * price)}`,
      };
    }
    // The worst-case position on the order's side if every working order there fills, then this one.
    const extreme = buy ? position + pendingBuy + qty : position - pendingSell - qty;
    const absExtreme = Math.abs(extreme);
    if (c.maxPositionUnits !== undefined && exceeds(absExtreme, c.maxPositionUnits)) {
      return {
        limit: 'maxPositionUnits',
        reason: `maxPositionUnits ${num(c.maxPositionUnits)} exceeded for ${symbol}: ${this.projection(position, side, pendingSame, qty, extreme)}`,
      };
    }
    if (c.maxPositionNotional !== undefined && exceeds(absExtreme * price, c.maxPositionNotional)) {
      return {
        limit: 'maxPositionNotional',
        reason:
          `maxPositionNotional ${num(c.maxPositionNotional)} exceeded for ${symbol}: ` +
          `${this.projection(position, side, pendingSame, qty, extreme)} units x ${num(price)} = ${num(absExtreme * price)}`,
      };
    }
    if (c.maxOpenPositions !== undefined && position === 0 && pendingBuy === 0 && pendingSell === 0) {
      const open = account.openPositionCount;
      if (open + 1 > c.maxOpenPositions) {
        return {
          limit: 'maxOpenPositions',
          reason: `maxOpenPositions ${c.maxOpenPositions} reached: ${open} symbols open, ${side} ${num(qty)} ${symbol} would open another`,
        };
      }
    }
    if (c.maxGrossExposureNotional !== undefined || c.maxGrossExposureRatio !== undefined) {
      // Replace this symbol's worst-case term in the account's gross exposure with the one after the order.
      const upBefore = Math.abs(position + pendingBuy);
      const downBefore = Math.abs(position - pendingSell);
      const before = upBefore > downBefore ? upBefore : downBefore;
      const upAfter = buy ? absExtreme : upBefore;
      const downAfter = buy ? downBefore : absExtreme;
      const after = upAfter > downAfter ? upAfter : downAfter;
      const gross = account.grossExposure + (after - before) * price;
      if (c.maxGrossExposureNotional !== undefined && exceeds(gross, c.maxGrossExposureNotional)) {
        return {
          limit: 'maxGrossExposureNotional',
          reason: `maxGrossExposureNotional ${num(c.maxGrossExposureNotional)} exceeded: gross exposure would be ${num(gross)} after ${side} ${num(qty)} ${symbol}`,
        };
      }
      if (c.maxGrossExposureRatio !== undefined) {
        const equity = account.equity;
        if (!(equity > 0)) {
          return {
            limit: 'maxGrossExposureRatio',
            reason: `maxGrossExposureRatio ${num(c.maxGrossExposureRatio)} cannot be met: equity is ${num(equity)} (${side} ${num(qty)} ${symbol})`,
          };
        }
        if (exceeds(gross, c.maxGrossExposureRatio * equity)) {
          return {
            limit: 'maxGrossExposureRatio',
            reason:
              `maxGrossExposureRatio ${num(c.maxGrossExposureRatio)} exceeded: gross exposure would be ${num(gross)} = ` +
              `${num(gross / equity)} x equity ${num(equity)} after ${side} ${num(qty)} ${symbol}`,
          };
        }
      }
    }
    return null;
  }

  /**
   * Advances the breakers to `ts` with the account's `equity` and returns the audit entries for
   * any halt or resume (a shared empty array when nothing changed). Call it on every equity sample,
   * in time order.
   *
   * Daily loss: the day-start equity is the last equity seen before the UTC day began (the first
   * sample of the run for the first day); once `dayStart - equity >= dailyLossLimit`, new risk halts
   * until the first sample of the next UTC day. Drawdown: once `(peak - equity) / peak >= maxDrawdown`
   * (with a positive peak), new risk halts for the rest of the run, or until `drawdownResetAfterUs`
   * has passed, when the peak restarts from the equity at that sample.
   */
  onEquity(ts: number, equity: number): readonly AuditEntry[] {
    checkFinite(ts, 'ts');
    checkFinite(equity, 'equity');
    if (ts < this.lastTs) {
      throw new TimeTravelError(`risk engine: equity sample at ${formatIsoUs(ts)} is before the previous one at ${formatIsoUs(this.lastTs)}`);
    }
    this.lastTs = ts;
    const c = this.config;
    let out: AuditEntry[] | null = null;

    const [day, dayEnd] = ts >= this.day && ts < this.dayEnd ? [this.day, this.dayEnd] : sessionDayBounds(this.calendar, ts);
    if (day !== this.day) {
      this.dayStart = Number.isNaN(this.lastEquity) ? equity : this.lastEquity;
      this.day = day;
      this.dayEnd = dayEnd;
      if (this.dailyHalted) {
        this.dailyHalted = false;
        (out ??= []).push({
          ts,
          kind: 'risk.resumed',
          message: `dailyLossLimit halt lifted: new ${this.dayWords} ${formatIsoUs(day)}, day-start equity ${num(this.dayStart)}`,
          details: { limit: 'dailyLossLimit', dayStartEquity: this.dayStart },
        });
      }
    }
    this.lastEquity = equity;

    if (this.drawdownHalted && c.drawdownResetAfterUs !== undefined && ts >= this.drawdownHaltTs + c.drawdownResetAfterUs) {
      this.drawdownHalted = false;
      this.peak = equity;
      (out ??= []).push({
        ts,
        kind: 'risk.resumed',
        message: `maxDrawdown halt lifted after ${num(c.drawdownResetAfterUs)} us; the peak restarts at equity ${num(equity)}`,
        details: { limit: 'maxDrawdown', peakEquity: equity },
      });
    }
    if (equity > this.peak) this.peak = equity;

    if (c.dailyLossLimit !== undefined && !this.dailyHalted) {
      const loss = this.dayStart - equity;
      if (loss >= c.dailyLossLimit) {
        this.dailyHalted = true;
        (out ??= []).push({
          ts,
          kind: 'risk.halted',
          message:
            `dailyLossLimit ${num(c.dailyLossLimit)} hit: equity ${num(equity)} is ${num(loss)} below the day-start equity ` +
            `${num(this.dayStart)}; new risk halted until ${formatIsoUs(dayEnd)}`,
          details: { limit: 'dailyLossLimit', equity, dayStartEquity: this.dayStart, loss },
        });
      }
    }
    if (c.maxDrawdown !== undefined && !this.drawdownHalted && this.peak > 0) {
      const drawdown = (this.peak - equity) / this.peak;
      if (drawdown >= c.maxDrawdown) {
        this.drawdownHalted = true;
        this.drawdownHaltTs = ts;
        (out ??= []).push({
          ts,
          kind: 'risk.halted',
          message:
            `maxDrawdown ${num(c.maxDrawdown)} breaker tripped: equity ${num(equity)} is ${num(drawdown)} below the peak ` +
            `${num(this.peak)}; new risk halted ` +
            (c.drawdownResetAfterUs !== undefined ? `for ${num(c.drawdownResetAfterUs)} us` : 'for the rest of the run'),
          details: { limit: 'maxDrawdown', equity, peakEquity: this.peak, drawdown },
        });
      }
    }
    return out ?? NO_AUDIT;
  }

  private checkGreeks(order: RiskOrder, account: RiskAccount): RiskDenial | null {
    const impact = account.greekImpact!(order.symbol, order.side, order.qty);
    if (impact === null) return null;
    const c = this.config;
    for (const [limit, greek] of [
      ['maxNetDelta', 'delta'],
      ['maxNetGamma', 'gamma'],
      ['maxNetVega', 'vega'],
    ] as const) {
      const value = c[limit];
      if (value === undefined) continue;
      const before = Math.abs(impact.before[greek]);
      const after = Math.abs(impact.after[greek]);
      if (exceeds(after, value) && after > before) {
        return {
          limit,
          reason: `${limit} ${num(value)} exceeded for ${impact.underlying}: net ${greek} would go from ${num(impact.before[greek])} to ${num(impact.after[greek])} after ${order.side} ${num(order.qty)} ${order.symbol}`,
        };
      }
    }
    return null;
  }

  private projection(position: number, side: OrderSide, pendingSame: number, qty: number, extreme: number): string {
    const pending = pendingSame > 0 ? ` + pending ${side} ${num(pendingSame)}` : '';
    return `position ${num(position)}${pending} + ${side} ${num(qty)} = ${num(extreme)}`;
  }
}
