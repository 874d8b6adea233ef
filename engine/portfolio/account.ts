import { InvalidArgumentError } from '../core/errors.js';
import { formatIsoUs, US_PER_DAY } from '../core/time.js';
import { CodedColumn, Float64Column, Int32Column } from '../core/columns.js';
import { DeferredText } from '../model/events.js';
import type { InstrumentSpec } from '../model/instruments.js';
import type { Portfolio } from './portfolio.js';

/**
 * The account rules of a run (the scenario's `account` section, resolved): what a fill may cost,
 * what margin positions need, what a short costs to carry, and what happens when equity falls short.
 */
export interface AccountConfig {
  /** 'cash': fills are paid from cash, no short sales of non-futures; 'margin': fills need initial margin. */
  readonly type: 'cash' | 'margin';
  /** A fill the account cannot pay for: 'reject' denies it (OrderDenied), 'resize' fills the largest affordable quantity. */
  readonly insufficientFunds: 'reject' | 'resize';
  /** Initial margin as a fraction of notional (margin accounts; 1/leverage). */
  readonly initialMargin: number;
  /** Maintenance margin as a fraction of notional (margin accounts). */
  readonly maintenanceMargin: number;
  /** Annual borrow rate charged on short notional (margin accounts). */
  readonly borrowRate: number;
  /** What a breach of maintenance margin does: 'liquidate' (margin call) or 'none'. */
  readonly marginCall: 'liquidate' | 'none';
}

/** The default account: a cash account that refuses what it cannot pay for (the peers' rule). */
export const CASH_ACCOUNT: AccountConfig = { type: 'cash', insufficientFunds: 'reject', initialMargin: 1, maintenanceMargin: 1, borrowRate: 0, marginCall: 'none' };

/** Returns a checked AccountConfig; throws InvalidArgumentError naming the field. */
export function accountConfig(c: AccountConfig): AccountConfig {
  if (c.type !== 'cash' && c.type !== 'margin') throw new InvalidArgumentError(`invalid 'account.type': expected "cash" or "margin", was ${JSON.stringify(c.type)}`);
  if (c.insufficientFunds !== 'reject' && c.insufficientFunds !== 'resize') throw new InvalidArgumentError(`invalid 'account.insufficientFunds': expected "reject" or "resize", was ${JSON.stringify(c.insufficientFunds)}`);
  if (!(c.initialMargin > 0 && c.initialMargin <= 1)) throw new InvalidArgumentError(`invalid 'account.initialMargin': must be in (0, 1], was ${c.initialMargin}`);
  if (!(c.maintenanceMargin > 0 && c.maintenanceMargin <= c.initialMargin)) throw new InvalidArgumentError(`invalid 'account.maintenanceMargin': must be in (0, initialMargin ${c.initialMargin}], was ${c.maintenanceMargin}`);
  if (!(c.borrowRate >= 0 && Number.isFinite(c.borrowRate))) throw new InvalidArgumentError(`invalid 'account.borrowRate': must be a finite number >= 0, was ${c.borrowRate}`);
  if (c.marginCall !== 'liquidate' && c.marginCall !== 'none') throw new InvalidArgumentError(`invalid 'account.marginCall': expected "liquidate" or "none", was ${JSON.stringify(c.marginCall)}`);
  return c;
}

/** What a fill costs in commission: the venue's fee model for the order being filled. */
export interface FeeQuote {
  /** Commission of a fill of `qty` units of the order at hand (with the order's minimum). */
  feeFor(qty: number): number;
}

/** When and at what equity an account was ruined. */
export interface Ruin {
  readonly ts: number;
  readonly equity: number;
}

const YEAR_US = 365.25 * US_PER_DAY;

/** What a deferred denial of {@link DenialLog} is: its kind picks the text it is made into. */
const SHORT_SALE = 0;
const INSUFFICIENT_FUNDS = 1;
const INSUFFICIENT_MARGIN = 2;

/**
 * The figures of the account's denials whose text is made when first read (see {@link AccountDenial}), a
 * row each, as columns: a cash account meets a short sale at every reversal of a long position (~56k per
 * 2 M-bar pipeline run) and the text (four numbers, a price among them) cost more to make than the rest
 * of the refused fill. The denial kept by the order log and the audit trail until the text is read is
 * then a small object (its row and this log), not one holding the figures as fields: those were boxed
 * numbers, each copied by every scavenge the denial lived through and then promoted (4.4 MB a run).
 */
class DenialLog {
  /** SHORT_SALE, INSUFFICIENT_FUNDS or INSUFFICIENT_MARGIN. */
  private readonly kind = new Int32Column();
  /** +1 buying, -1 selling. */
  private readonly sign = new Int32Column();
  private readonly symbol = new CodedColumn<string>();
  /** Short sale: qty, price, position, opening quantity. Shortfall: qty, price, cost (or what the margin comes to), short. */
  private readonly a = new Float64Column();
  private readonly b = new Float64Column();
  private readonly c = new Float64Column();
  private readonly d = new Float64Column();

  constructor(
    /** The margin and what pays for it, as an insufficient-margin text names them (the account type's). */
    private readonly marginWords: string,
    private readonly haveWords: string,
  ) {}

  /** A row's four figures (a, b, c, d) on their way to {@link add}. */
  readonly figures = new Float64Array(4);

  /**
   * Appends a row of the figures in {@link figures}; returns its index. Copied by `append`, not passed:
   * a double passed to a call V8 does not inline is a new heap number (four a denial).
   */
  add(kind: number, sign: 1 | -1, symbol: string): number {
    const row = this.kind.length;
    const f = this.figures;
    this.kind.push(kind);
    this.sign.push(sign);
    this.symbol.push(symbol);
    this.a.append(f, 0, 1);
    this.b.append(f, 1, 2);
    this.c.append(f, 2, 3);
    this.d.append(f, 3, 4);
    return row;
  }

  /** The text of row `row`: the same words and numbers approveFill made at once before. */
  textAt(row: number): string {
    const verb = this.sign.get(row) === 1 ? 'buying' : 'selling';
    const symbol = this.symbol.get(row);
    const a = this.a.get(row);
    const b = this.b.get(row);
    const c = this.c.get(row);
    const d = this.d.get(row);
    switch (this.kind.get(row)) {
      case SHORT_SALE:
        // Joined, not a template: the text is built flat at once. A template's pieces make a tree of
        // string slices that is flattened when first read, and its root stays behind the text for as
        // long as the order's reason and audit entry keep it.
        return ['short sale: ', verb, ' ', a, ' ', symbol, ' at ', b, ' with a position of ', c, ' would go short by ', d, '; short sales need account.type "margin"'].join('');
      case INSUFFICIENT_FUNDS:
        return insufficientFunds(verb, a, symbol, b, c, d);
      default:
        return insufficientMargin(verb, a, symbol, b, this.marginWords, c, this.haveWords, d);
    }
  }
}

/** A cash account's shortfall: `cost` of the fill with fees, `short` of it not covered by cash. */
function insufficientFunds(verb: string, q: number, symbol: string, p: number, cost: number, short: number): string {
  return `insufficient funds: ${verb} ${q} ${symbol} at ${p} costs ${money(cost)} with fees, cash available ${money(cost - short)} (short ${money(short)})`;
}

/** A margin shortfall: the fill brings the margin to `need`, `short` of it not covered. */
function insufficientMargin(verb: string, q: number, symbol: string, p: number, margin: string, need: number, have: string, short: number): string {
  return `insufficient margin: ${verb} ${q} ${symbol} at ${p} brings ${margin} to ${money(need)}, ${have} ${money(need - short)} (short ${money(short)})`;
}

/** A denial of {@link DenialLog}, made into text when first read: the row and the log, no figure. */
class AccountDenial extends DeferredText {
  constructor(
    private readonly log: DenialLog,
    private readonly row: number,
  ) {
    super();
  }

  protected make(): string {
    return this.log.textAt(this.row);
  }
}

/** `1234567.891` -> `1,234,567.89`. */
export function money(x: number): string {
  const s = Math.abs(x).toFixed(2);
  const dot = s.indexOf('.');
  let int = s.slice(0, dot);
  for (let i = int.length - 3; i > 0; i -= 3) int = `${int.slice(0, i)},${int.slice(i)}`;
  return `${x < 0 ? '-' : ''}${int}${s.slice(dot)}`;
}

/**
 * The buying power, margin and ruin rules of one account over its Portfolio (pure: it reads the
 * portfolio's cash, net positions and marks; the ExecutionEngine acts on its verdicts).
 *
 * **Requirement** of a position of q units of symbol i at price p: |q| x the instrument's initial
 * (maintenance) margin per unit when its InstrumentSpec gives one (futures: per contract), else
 * |q| x p x multiplier x the account's initialMargin (maintenanceMargin) fraction. A future is
 * margined in either account type; in a cash account other positions need their full cost.
 *
 * **Fill check** (at fill time, `approveFill`): the part of a fill that closes the net position is
 * always allowed. The opening part is allowed when, after the fill,
 * - cash account: cash >= initial margin of the futures positions (a spot buy pays q x p x
 *   multiplier + commission from cash); a sell below zero of a non-future is a short sale and is
 *   denied (it needs a margin account);
 * - margin account: initial margin in use <= equity, the filled symbol valued at the fill price and
 *   the commission paid (with leverage 1 this is backtesting.py's `size x price x (1 + commission)
 *   <= margin available` after closing the opposite position).
 * Otherwise, with 'reject', only the closing part fills (backtesting.py closes the old trade and
 * drops the new one); with 'resize', the closing part and the largest affordable opening quantity
 * (lot-floored) fill. The rest is denied with the reason in `denialReason`.
 */
export class Account {
  readonly config: AccountConfig;
  private readonly portfolio: Portfolio;
  /** Per symbol initial / maintenance margin per unit, NaN when the account fraction applies. */
  private readonly imUnit: Float64Array;
  private readonly mmUnit: Float64Array;
  /** 1 for futures (shortable in a cash account, cash semantics of variation margin, no borrow cost). */
  private readonly future: Uint8Array;
  /** Why the last approveFill denied (part of) a fill: text, or a text made when read (see {@link denial}). */
  private reason: string | DeferredText = '';
  /** approveFill's quantity and price on their way to approveFillRow. */
  private readonly approveRow = new Float64Array(2);
  /**
   * The figures of the denials made into text when read. A new log for each run (see reset): a result
   * of an earlier run may still hold its denials unread.
   */
  private denials: DenialLog;
  ruin: Ruin | null = null;
  /** Borrow cost charged so far. */
  borrowCharged = 0;
  /** Number of margin calls. */
  marginCalls = 0;
  private lastSampleTs = Number.NaN;
  /** The initial [0] and maintenance [1] margin in use, as {@link sumMargins} last wrote them. */
  private readonly sums = new Float64Array(2);
  /** The initial margin in use of the equity sample being taken (see {@link inMarginCallAt}), valid while `sampledMargins`. */
  private readonly sampledInitial = new Float64Array(1);
  private sampledMargins = false;
  /** False for a cash account without futures: no position needs margin (the per-sample checks are skipped). */
  private readonly anyMargined: boolean;

  constructor(config: AccountConfig, portfolio: Portfolio, instruments?: readonly (InstrumentSpec | null)[]) {
    this.config = accountConfig(config);
    this.portfolio = portfolio;
    const n = portfolio.symbolCount;
    this.imUnit = new Float64Array(n).fill(Number.NaN);
    this.mmUnit = new Float64Array(n).fill(Number.NaN);
    this.future = new Uint8Array(n);
    if (instruments) {
      for (let i = 0; i < n; i++) {
        const spec = instruments[i];
        if (!spec) continue;
        if (spec.initialMargin !== null) this.imUnit[i] = spec.initialMargin;
        if (spec.maintenanceMargin !== null) this.mmUnit[i] = spec.maintenanceMargin;
        if (spec.assetClass === 'future') this.future[i] = 1;
      }
    }
    this.anyMargined = this.config.type === 'margin' || this.future.includes(1);
    this.denials = this.newDenialLog();
  }

  private newDenialLog(): DenialLog {
    const cash = this.config.type === 'cash';
    return new DenialLog(cash ? 'futures initial margin' : 'initial margin in use', cash ? 'cash after fees' : 'equity after fees');
  }

  /** Forgets ruin, borrow and margin call history (for a rerun). */
  reset(): void {
    this.ruin = null;
    this.borrowCharged = 0;
    this.marginCalls = 0;
    this.lastSampleTs = Number.NaN;
    this.reason = '';
    this.denials = this.newDenialLog();
    this.sampledMargins = false;
  }

  /** Why the last approveFill denied (part of) a fill. */
  get denialReason(): string {
    const r = this.reason;
    return typeof r === 'string' ? r : r.text;
  }

  /** {@link denialReason} as the account holds it: a short sale's denial is made into text only when read. */
  get denial(): string | DeferredText {
    return this.reason;
  }

  /** True when symbol i is a future. */
  isFuture(i: number): boolean {
    return this.future[i] === 1;
  }

  private mark(i: number): number {
    const m = this.portfolio.mark[i]!;
    return m === m ? m : 0;
  }

  /** Whether symbol i needs margin in this account (always in a margin account; futures in a cash account). */
  private margined(i: number): boolean {
    return this.config.type === 'margin' || this.future[i] === 1;
  }

  /** Initial margin of |q| units of symbol i at price p. */
  initialRequirement(i: number, q: number, p: number): number {
    const unit = this.imUnit[i]!;
    if (unit === unit) return Math.abs(q) * unit;
    return Math.abs(q) * p * this.portfolio.multiplier[i]! * (this.config.type === 'margin' ? this.config.initialMargin : 1);
  }

  /** Maintenance margin of |q| units of symbol i at price p. */
  maintenanceRequirement(i: number, q: number, p: number): number {
    const unit = this.mmUnit[i]!;
    if (unit === unit) return Math.abs(q) * unit;
    const iu = this.imUnit[i]!;
    if (iu === iu) return Math.abs(q) * iu;
    return Math.abs(q) * p * this.portfolio.multiplier[i]! * (this.config.type === 'margin' ? this.config.maintenanceMargin : 1);
  }

  /** Initial margin in use: the margined positions' requirements at the marks. */
  initialMarginInUse(): number {
    return this.marginInUse(true);
  }

  /** Maintenance margin in use at the marks. */
  maintenanceMarginInUse(): number {
    return this.marginInUse(false);
  }

  /**
   * The sum of {@link initialRequirement} (or {@link maintenanceRequirement}) over the margined
   * positions at the marks, with their arithmetic in the same order (see {@link sumMargins}).
   */
  private marginInUse(initial: boolean): number {
    if (!this.anyMargined) return 0;
    const sums = this.sums;
    this.sumMargins(sums);
    return initial ? sums[0]! : sums[1]!;
  }

  /**
   * Buying power: in a cash account the cash available (cash less the futures' initial margin); in
   * a margin account (equity - initial margin in use) / initialMargin.
   */
  buyingPower(): number {
    return this.buyingPowerAt(this.portfolio.equity(), this.initialMarginInUse());
  }

  /**
   * Writes the initial margin in use and the buying power at the equity in `out[1]` into `out[4]` and
   * `out[5]` (the EquitySample indexes): {@link initialMarginInUse} and {@link buyingPowerAt}, without
   * a number returned on the per-bar path.
   */
  sampleInto(out: Float64Array): void {
    // A cash account without futures has no margin in use (and never a sampled one): its buying power
    // is its cash. Kept this small so that V8 inlines it into the per-bar sample path.
    if (this.anyMargined) this.sampleMarginInto(out);
    else {
      out[4] = 0;
      out[5] = this.portfolio.cash;
    }
  }

  /** {@link sampleInto} of an account in which a position may need margin. */
  private sampleMarginInto(out: Float64Array): void {
    const margin = this.sampledMargins ? this.sampledInitial[0]! : this.marginInUse(true);
    this.sampledMargins = false;
    out[4] = margin;
    out[5] = this.config.type === 'cash' ? this.portfolio.cash - margin : (out[1]! - margin) / this.config.initialMargin;
  }

  /** Whether any symbol can be held on margin (a margin account, or a future): else no margin call is possible. */
  get marginCallsPossible(): boolean {
    return this.anyMargined;
  }

  /** Buying power given the equity and the initial margin in use (already computed). */
  buyingPowerAt(equity: number, initialMarginInUse: number): number {
    if (this.config.type === 'cash') return this.portfolio.cash - initialMarginInUse;
    return (equity - initialMarginInUse) / this.config.initialMargin;
  }

  /**
   * The quantity of a fill of `qty` units (sign +1 buy, -1 sell) of symbol i at `price` the account
   * allows (see the class comment): `qty` when all of it, less when only part (then `denialReason`
   * says why the rest is refused), 0 when none. `lot` > 0 floors a resized quantity to whole lots.
   */
  approveFill(i: number, sign: 1 | -1, qty: number, price: number, fees: FeeQuote, lot: number, symbol: string): number {
    const figures = this.approveRow;
    figures[0] = qty;
    figures[1] = price;
    this.approveFillRow(i, sign, figures, fees, lot, symbol);
    return figures[0]!;
  }

  /**
   * {@link approveFill} of the quantity and price in `figures[0..1]`, the quantity allowed written into
   * `figures[0]`: the execution engine's way, a double passed to or returned from a call V8 does not
   * inline being a new heap number.
   */
  approveFillRow(i: number, sign: 1 | -1, figures: Float64Array, fees: FeeQuote, lot: number, symbol: string): void {
    const qty = figures[0]!;
    const price = figures[1]!;
    const pos = this.portfolio.netPosition[i]!;
    const closing = pos * sign < 0 ? Math.min(qty, Math.abs(pos)) : 0;
    const opening = qty - closing;
    if (opening <= 1e-9 * Math.max(1, qty)) {
      figures[0] = qty;
      return;
    }
    if (this.ruin !== null) {
      this.reason = `account ruined at ${formatIsoUs(this.ruin.ts)}`;
      figures[0] = closing;
      return;
    }
    if (this.config.type === 'cash' && sign === -1 && this.future[i] === 0) {
      const denials = this.denials;
      const f = denials.figures;
      f[0] = qty;
      f[1] = price;
      f[2] = pos;
      f[3] = opening;
      this.reason = new AccountDenial(denials, denials.add(SHORT_SALE, sign, symbol));
      figures[0] = closing;
      return;
    }
    if (this.affordable(i, sign, qty, price, fees) >= 0) {
      figures[0] = qty;
      return;
    }
    const row = this.shortfallRow(i, sign, qty, price, fees, symbol);
    if (this.config.insufficientFunds === 'reject') {
      // Made into text when read, as a short sale's denial.
      this.reason = new AccountDenial(this.denials, row);
      figures[0] = closing;
      return;
    }
    const shortfall = this.denials.textAt(row);
    this.reason = shortfall;
    // Resize: the largest affordable opening quantity (whole lots when lot > 0), by bisection (the
    // cost grows with the quantity, whatever the fee model).
    let lo = 0;
    if (lot > 0) {
      let hi = Math.floor(opening / lot + 1e-9);
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (this.affordable(i, sign, closing + mid * lot, price, fees) >= 0) lo = mid;
        else hi = mid - 1;
      }
      const q = closing + lo * lot;
      if (lo > 0) this.reason = `${shortfall}; resized to ${q} of ${qty}`;
      figures[0] = q;
      return;
    }
    let hi = opening;
    for (let k = 0; k < 80 && hi - lo > 1e-12 * opening; k++) {
      const mid = (lo + hi) / 2;
      if (this.affordable(i, sign, closing + mid, price, fees) >= 0) lo = mid;
      else hi = mid;
    }
    if (lo > 0) this.reason = `${shortfall}; resized to ${closing + lo} of ${qty}`;
    figures[0] = closing + lo;
  }

  /** Change of cash of a fill (futures: the commission only, variation margin moves the rest). */
  private cashDelta(i: number, sign: 1 | -1, q: number, p: number, fee: number): number {
    return this.future[i] === 1 ? -fee : -sign * q * p * this.portfolio.multiplier[i]! - fee;
  }

  /** What is left after a fill of q (>= 0: allowed): cash less futures margin (cash account) or equity less initial margin (margin account). */
  private affordable(i: number, sign: 1 | -1, q: number, p: number, fees: FeeQuote): number {
    const pf = this.portfolio;
    const pos = pf.netPosition[i]!;
    const after = pos + sign * q;
    const fee = fees.feeFor(q);
    const m = this.mark(i);
    if (this.config.type === 'cash') {
      const cash = pf.cash + this.cashDelta(i, sign, q, p, fee);
      let margin = this.initialMarginInUse();
      if (this.margined(i)) margin += this.initialRequirement(i, after, p) - this.initialRequirement(i, pos, m);
      return cash - margin;
    }
    // Equity with symbol i valued at the fill price, less the commission.
    const equity = pf.equity() + pos * (p - m) * pf.multiplier[i]! - fee;
    const margin = this.initialMarginInUse() - this.initialRequirement(i, pos, m) + this.initialRequirement(i, after, p);
    return equity - margin;
  }

  /**
   * Writes the figures of the shortfall of a fill of q into the denial log and returns their row: a cash
   * account's cost of the fill with fees (non-futures), else what the margin comes to, and how much is missing.
   */
  private shortfallRow(i: number, sign: 1 | -1, q: number, p: number, fees: FeeQuote, symbol: string): number {
    const fee = fees.feeFor(q);
    const short = -this.affordable(i, sign, q, p, fees);
    if (this.config.type === 'cash' && this.future[i] === 0) {
      const cost = q * p * this.portfolio.multiplier[i]! + fee;
      const f = this.denials.figures;
      f[0] = q;
      f[1] = p;
      f[2] = cost;
      f[3] = short;
      return this.denials.add(INSUFFICIENT_FUNDS, sign, symbol);
    }
    const need = short + (this.config.type === 'cash' ? this.portfolio.cash + this.cashDelta(i, sign, q, p, fee) : this.portfolio.equity() + this.portfolio.netPosition[i]! * (p - this.mark(i)) * this.portfolio.multiplier[i]! - fee);
    const f = this.denials.figures;
    f[0] = q;
    f[1] = p;
    f[2] = need;
    f[3] = short;
    return this.denials.add(INSUFFICIENT_MARGIN, sign, symbol);
  }

  /**
   * Borrow cost of the time since the previous sample: borrowRate x short notional at the marks x
   * elapsed / 365.25 days, charged to cash (futures carry none). The sample's time is `sample[0]`
   * (EquitySample.ts: read here, not passed, so the per-bar call boxes no number). Returns the amount charged.
   */
  accrueBorrow(sample: Float64Array): number {
    // No borrow rate (every cash account): the sample's time is kept and nothing else done, in a few
    // bytes of bytecode, so that V8 inlines this into the per-bar sample path (see TradingEngine.takeSample).
    if (this.config.borrowRate !== 0) return this.chargeBorrow(sample);
    this.lastSampleTs = sample[0]!;
    return 0;
  }

  /** {@link accrueBorrow} with a borrow rate. */
  private chargeBorrow(sample: Float64Array): number {
    const ts = sample[0]!;
    const last = this.lastSampleTs;
    this.lastSampleTs = ts;
    const rate = this.config.borrowRate;
    if (rate === 0 || last !== last || !(ts > last)) return 0;
    const pf = this.portfolio;
    const net = pf.netPosition;
    let short = 0;
    for (let i = 0; i < net.length; i++) {
      const q = net[i]!;
      if (q < 0 && this.future[i] === 0) short += -q * this.mark(i) * pf.multiplier[i]!;
    }
    if (short === 0) return 0;
    const cost = (rate * short * (ts - last)) / YEAR_US;
    pf.cash -= cost;
    this.borrowCharged += cost;
    return cost;
  }

  /** True when the account is in a margin call: equity below the maintenance margin in use (and calls liquidate). */
  inMarginCall(equity: number): boolean {
    if (!this.anyMargined) return false;
    if (this.config.marginCall !== 'liquidate' && this.config.type === 'margin') return false;
    if (this.config.type === 'cash' && !this.hasMarginedPosition()) return false;
    return equity < this.maintenanceMarginInUse();
  }

  /**
   * {@link inMarginCall} at the equity sample `sample` (its equity at index 1, EquitySample.equity): the
   * per-bar check of ExecutionEngine.onAccountSample. It computes the initial and the maintenance margin
   * in use in one loop ({@link sumMargins}, as {@link marginInUse} does) and, when
   * it answers false (no account action follows, so positions and marks stay as they are), keeps the
   * initial margin for the {@link sampleInto} of the same sample: a margin account sums its positions once
   * per bar rather than twice, and no number crosses a call (V8 boxes each at a call it does not inline).
   */
  inMarginCallAt(sample: Float64Array): boolean {
    if (!this.anyMargined) return false;
    if (this.config.marginCall !== 'liquidate' && this.config.type === 'margin') return false;
    if (this.config.type === 'cash' && !this.hasMarginedPosition()) return false;
    const sums = this.sums;
    this.sumMargins(sums);
    const call = sample[1]! < sums[1]!;
    this.sampledInitial[0] = sums[0]!;
    this.sampledMargins = !call;
    return call;
  }

  /**
   * Writes the initial and the maintenance margin in use at the marks into out[0] and out[1], in one loop
   * over the typed arrays (it runs at every equity sample of an account with margined positions): per
   * margined position its per-unit margin (an instrument's; the maintenance one falls back to the initial
   * one) x |q|, else |q| x mark x multiplier x the account's fraction (1 in a cash account).
   */
  private sumMargins(out: Float64Array): void {
    const pf = this.portfolio;
    const net = pf.netPosition;
    const marks = pf.mark;
    const multiplier = pf.multiplier;
    const marginAccount = this.config.type === 'margin';
    const initialFraction = marginAccount ? this.config.initialMargin : 1;
    const maintenanceFraction = marginAccount ? this.config.maintenanceMargin : 1;
    const im = this.imUnit;
    const mm = this.mmUnit;
    const future = this.future;
    let initial = 0;
    let maintenance = 0;
    for (let i = 0; i < net.length; i++) {
      const q = net[i]!;
      if (q === 0 || !(marginAccount || future[i] === 1)) continue;
      const size = Math.abs(q);
      const p = marks[i]!;
      // (|q| x price) x multiplier, then x the fraction: initialRequirement's and maintenanceRequirement's products, left to right.
      const notional = size * (p === p ? p : 0) * multiplier[i]!;
      const iu = im[i]!;
      let mu = mm[i]!;
      if (mu !== mu) mu = iu;
      initial += iu === iu ? size * iu : notional * initialFraction;
      maintenance += mu === mu ? size * mu : notional * maintenanceFraction;
    }
    out[0] = initial;
    out[1] = maintenance;
  }

  private hasMarginedPosition(): boolean {
    const net = this.portfolio.netPosition;
    for (let i = 0; i < net.length; i++) if (net[i] !== 0 && this.margined(i)) return true;
    return false;
  }

  /**
   * The symbols a margin call liquidates, written to `out` (returns how many): margined positions by
   * maintenance requirement, largest first (ties by symbol index), until the initial margin in use
   * of the positions left is at most `equity` at the marks.
   */
  liquidationOrder(equity: number, out: Int32Array): number {
    const net = this.portfolio.netPosition;
    let n = 0;
    for (let i = 0; i < net.length; i++) if (net[i] !== 0 && this.margined(i)) out[n++] = i;
    // Insertion sort: a handful of symbols, no allocation.
    for (let a = 1; a < n; a++) {
      const v = out[a]!;
      const rv = this.maintenanceRequirement(v, net[v]!, this.mark(v));
      let b = a - 1;
      while (b >= 0) {
        const u = out[b]!;
        const ru = this.maintenanceRequirement(u, net[u]!, this.mark(u));
        if (ru > rv || (ru === rv && u < v)) break;
        out[b + 1] = u;
        b--;
      }
      out[b + 1] = v;
    }
    let left = this.initialMarginInUse();
    let k = 0;
    while (k < n && left > equity) {
      const i = out[k]!;
      left -= this.initialRequirement(i, net[i]!, this.mark(i));
      k++;
    }
    return k;
  }

  /** Records ruin (equity at or below zero) at `ts`; returns true the first time. */
  checkRuin(ts: number, equity: number): boolean {
    if (this.ruin !== null || equity > 0) return false;
    this.ruin = { ts, equity };
    return true;
  }

  /** The account rules in force, in words, for the report. */
  assumptions(): string[] {
    const c = this.config;
    const out: string[] = [];
    if (c.type === 'cash') {
      out.push(
        `Cash account: at fill time a buy must be paid from cash (quantity x price x multiplier + commission; futures: cash must cover their initial margin); ${c.insufficientFunds === 'reject' ? 'an order it cannot pay for is denied (OrderDenied naming the shortfall)' : 'an order it cannot pay for fills the largest affordable quantity (lot-floored), the rest is denied'}; a sell that would take a non-future below zero is a short sale and is denied (short sales need account.type "margin"); the part of a fill that closes a position always fills`,
      );
    } else {
      out.push(
        `Margin account: initial margin ${c.initialMargin} (leverage ${+(1 / c.initialMargin).toFixed(6)}), maintenance margin ${c.maintenanceMargin} of notional (per-unit margins of instruments that give them override); at fill time the opening part of a fill is allowed when initial margin in use <= equity after it (the symbol valued at the fill price, commission paid); the closing part always fills; ${c.insufficientFunds === 'reject' ? 'otherwise the opening part is denied (a reversal closes the old position and drops the new one, as backtesting.py)' : 'otherwise the largest affordable opening quantity (lot-floored) fills, the rest is denied'}`,
      );
      out.push(
        c.borrowRate > 0
          ? `Borrow cost: ${c.borrowRate} a year on short notional (non-futures), charged to cash at each equity sample as rate x short notional at the marks x time since the previous sample / 365.25 days`
          : 'Borrow cost: none (account.borrowRate 0)',
      );
      out.push(
        c.marginCall === 'liquidate'
          ? 'Margin call: at each equity sample (after the marks of a bar close), when equity < maintenance margin in use, the working orders of the symbols closed and every other working order that may add exposure (all but reduce-only orders and opposite-side orders no larger than the position) are cancelled, and whole positions are closed with market orders (tag margin_call), largest maintenance requirement first, until the initial margin in use of the positions left is at most equity (audit account.margin_call); they fill at the next fill opportunity'
          : 'Margin call: none (account.marginCall "none"): positions are kept whatever the maintenance margin',
      );
    }
    out.push(
      'Ruin: when equity at an equity sample is <= 0 trading ends for the run: working orders are cancelled, every position is closed with market orders (tag ruin) that fill at the next fill opportunity, and every later strategy order is denied (`account ruined at <time>`; audit account.ruined)',
    );
    return out;
  }
}
