import { InvalidArgumentError, InvariantError, assertNever } from '../core/errors.js';
import type { OrderId, StrategyId, Symbol_ } from '../core/ids.js';
import type { AuditEntry, DeferredText, OrderChanges, OrderEvent } from '../model/events.js';
import { Order, bracketRequests, isTerminal, isWorking } from '../model/orders.js';
import { roundToLot } from '../model/instruments.js';
import { NO_ORDERS, snapshotOrder } from '../model/order-snapshot.js';
import type { OrderSnapshot } from '../model/order-snapshot.js';
import type { BracketIds, BracketRequest, OrderLink, OrderRequest } from '../model/orders.js';
import type { Portfolio } from '../portfolio/portfolio.js';
import type { Account } from '../portfolio/account.js';
import { formatIsoUs } from '../core/time.js';
import type { OptionBook } from '../portfolio/options-book.js';
import { worstCaseUnits } from '../risk/risk-account.js';
import type { RiskAccount } from '../risk/risk-account.js';
import type { ExecutionClient, ExecutionReportSink } from '../ports/execution-client.js';
import { EquitySample } from '../ports/recorder.js';
import type { Recorder } from '../ports/recorder.js';
import { FillLog } from './fill-log.js';
import { OrderLog } from './order-log.js';
import type { OrderView } from './order-log.js';

/** What the pre-trade risk gate sees of an order. */
export interface RiskOrder {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  /** Reference price for notional checks: the limit price, else the last price. */
  readonly price: number;
  readonly reduceOnly: boolean;
}

/** The pre-trade risk gate: returns null to pass an order, or the reason it is denied. */
export interface PreTradeRisk {
  check(order: RiskOrder, account: RiskAccount): { readonly reason: string } | null;
}

/** Receives order events for the strategy that owns the order. */
export type StrategyOrderListener = (strategyIndex: number, event: OrderEvent, order: Readonly<Order>) => void;

const QTY_EPS = 1e-9;
/**
 * What the venue is told as the reason of an account denial whose text is deferred (see fillDenial):
 * the OrderDenied event that comes back with it is given the deferred text. Never shown.
 */
const DEFERRED_DENIAL = '\u0000deferred account denial';
/** setTarget's options when none are given (one frozen object, not a fresh one per call). */
const NO_TARGET_OPTIONS: { type?: 'market' | 'limit'; limitPrice?: number; tag?: string } = Object.freeze({});

/** A request setTarget writes again for each target it sends. */
interface TargetRequest {
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  type: 'market' | 'limit';
  limitPrice?: number;
  tag: string;
}

/** A copy of an event (and of an OrderFilled's fill) that a venue may write again once its call returns. */
function copyOfEvent(e: OrderEvent): OrderEvent {
  if (e.kind !== 'OrderFilled') return { ...e };
  const f = e.fill;
  return {
    kind: e.kind,
    ts: e.ts,
    orderId: e.orderId,
    fill: { fillId: f.fillId, orderId: f.orderId, strategyId: f.strategyId, ts: f.ts, symbol: f.symbol, side: f.side, qty: f.qty, price: f.price, commission: f.commission, liquidity: f.liquidity },
  };
}

/**
 * True for a bracket exit: it only closes what its entry opened (reduce-only, sized by the venue to
 * the entry's fills), so it is neither new exposure for the risk gate nor pending quantity.
 */
function isBracketExit(o: Order): boolean {
  return o.link !== null && o.link.parentId !== null;
}

/**
 * Order management between strategies and an ExecutionClient: creates orders with deterministic ids,
 * passes each through the pre-trade risk gate (a denial is an OrderDenied event, never an exception),
 * sends it to the client, applies the client's events to the order state machine and the portfolio,
 * and tells the owning strategy. Targets (`setTarget`) become the orders that reach them.
 */
export class ExecutionEngine implements ExecutionReportSink {
  private readonly symbolIndex = new Map<string, number>();
  /** Working orders per strategy x symbol, in submission order. */
  private readonly working: Order[][];
  private readonly account: RiskAccount;
  private client: ExecutionClient | null = null;
  private listener: StrategyOrderListener | null = null;
  /** Whether the listener reads a strategy's order events (null: always). */
  private listens: ((strategyIndex: number) => boolean) | null = null;
  /** The order of the last approveFill (the one fillDenial is asked about). */
  private approving: OrderId | null = null;
  /**
   * The account's deferred denials the venue was told of (fillDenial), by order, until their OrderDenied
   * arrives: one at a time in practice; a list, so that events in between (a partial fill's) may not mix them up.
   */
  /** A fill's quantity, price and time on their way to Order.applyFillRow (doubles passed to a call not inlined are boxed). */
  private readonly orderFill = new Float64Array(3);
  private readonly deferredIds: OrderId[] = [];
  private readonly deferredTexts: DeferredText[] = [];
  /** Every order in submission order (working ones live, finished ones as columns). */
  readonly orderLog = new OrderLog();
  /** Every fill in run order. */
  readonly fillLog: FillLog;
  deniedCount = 0;
  /**
   * True while nothing keeps an order event past onOrderEvent: the recorder keeps none (Recorder.keepsOrderEvents
   * false) and no strategy reads its order events. Venues then pass the same event objects again (see
   * sim/venue's OrderEventSink.transientEvents), and so does the engine for its OrderSubmitted. Should a
   * strategy read its events later in the run, it is given copies (see apply).
   */
  transientEvents: boolean;
  /** setTarget's requests, without and with a limit price (see setTarget). */
  private readonly marketTarget: TargetRequest = { symbol: '', side: 'buy', qty: 0, type: 'market', tag: '' };
  private readonly limitTarget: TargetRequest = { symbol: '', side: 'buy', qty: 0, type: 'market', limitPrice: 0, tag: '' };
  /** The audit entry of a deferred account denial, written again for each (see applyDeferredDenial). */
  private readonly deferredEntry: { ts: number; kind: string; message: string; orderId: OrderId; symbol: string; strategyId: StrategyId | undefined } = {
    ts: 0,
    kind: 'account.denied',
    message: '',
    orderId: '' as OrderId,
    symbol: '',
    strategyId: undefined,
  };
  /** The OrderSubmitted the recorder is given while events are transient. */
  private readonly submitted: { kind: 'OrderSubmitted'; ts: number; orderId: OrderId } = { kind: 'OrderSubmitted', ts: 0, orderId: '' as OrderId };
  /** The account whose rules fills must pass (buying power, margin, ruin), or null for none. */
  private accountRules: Account | null = null;
  /** Scratch for margin call liquidation order (symbol indexes). */
  private liquidation: Int32Array = new Int32Array(0);
  /** True while the engine itself sends orders (margin call, ruin): they pass the risk gate and the ruin denial. */
  private accountSending = false;

  constructor(
    readonly symbols: readonly Symbol_[],
    readonly strategyIds: readonly StrategyId[],
    private readonly portfolio: Portfolio,
    private readonly recorder: Recorder,
    private readonly risk: PreTradeRisk | null,
  ) {
    symbols.forEach((s, i) => this.symbolIndex.set(s, i));
    this.fillLog = new FillLog(this.orderLog, symbols);
    this.working = Array.from({ length: Math.max(1, strategyIds.length) * symbols.length }, () => []);
    this.transientEvents = recorder.keepsOrderEvents === false;
    const engine = this;
    this.account = {
      position: (s) => portfolio.netPosition[engine.indexOf(s)]!,
      pendingQty: (s, side) => engine.pendingSideQty(engine.indexOf(s), side === 'buy' ? 1 : -1),
      get openPositionCount() {
        return engine.openOrPendingCount();
      },
      get grossExposure() {
        return engine.worstCaseGrossExposure();
      },
      get equity() {
        return portfolio.equity();
      },
      greekImpact: (s, side, qty) => {
        const book = engine.options;
        if (book === null) return null;
        const i = engine.indexOf(s);
        return book.impact(i, side === 'buy' ? qty : -qty, engine.optionsNow(), (j) => engine.pendingQty(j));
      },
    };
  }

  private options: OptionBook | null = null;
  private optionsNow: () => number = () => 0;

  /**
   * Gives the risk gate the account's option Greeks (for maxNetDelta/Gamma/Vega): `now` is the data
   * time at which contracts are valued.
   */
  useOptionBook(book: OptionBook, now: () => number): void {
    this.options = book;
    this.optionsNow = now;
  }

  /**
   * Puts fills under an account's rules: the venue asks {@link approveFill} before booking each fill,
   * and {@link onAccountSample} applies borrow cost, margin calls and ruin at each equity sample.
   */
  useAccount(account: Account): void {
    this.accountRules = account;
    this.liquidation = new Int32Array(this.symbols.length);
  }

  /** The account, when one is in use. */
  get accountInUse(): Account | null {
    return this.accountRules;
  }

  /** The quantity of a fill the account allows (see ExecutionReportSink.approveFill). */
  approveFill(orderId: OrderId, symbolIndex: number, sign: 1 | -1, qty: number, price: number, fees: { feeFor(qty: number): number }, lot: number): number {
    const account = this.accountRules;
    if (account === null) return qty;
    this.approving = orderId;
    return account.approveFill(symbolIndex, sign, qty, price, fees, lot, this.symbols[symbolIndex]!);
  }

  /**
   * {@link approveFill} of the quantity and price in `figures[0..1]`, the quantity allowed written into
   * `figures[0]` (see ExecutionReportSink.approveFillRow): no double passed or returned, each a heap number.
   */
  approveFillRow(orderId: OrderId, symbolIndex: number, sign: 1 | -1, figures: Float64Array, fees: { feeFor(qty: number): number }, lot: number): void {
    const account = this.accountRules;
    if (account === null) return;
    this.approving = orderId;
    account.approveFillRow(symbolIndex, sign, figures, fees, lot, this.symbols[symbolIndex]!);
  }

  /**
   * Why the account refused the last fill. A denial the account makes into text only when read (a
   * short sale) stays deferred when the recorder keeps deferred messages: the venue is told a
   * placeholder, and the OrderDenied it sends back is given the deferred text (see apply).
   */
  get fillDenial(): string {
    const account = this.accountRules;
    if (account === null) return '';
    const d = account.denial;
    if (typeof d === 'string') return d;
    if (this.recorder.onDeferredAudit === undefined || this.approving === null) return d.text;
    this.deferredIds.push(this.approving);
    this.deferredTexts.push(d);
    return DEFERRED_DENIAL;
  }

  /**
   * The account's rules at an equity sample (`sample`, EquitySample indexes) stamped `ts`, decided at data time `decisionTs` (orders
   * sent now carry it): borrow cost accrues; equity at or below zero ruins the account (working
   * orders cancelled, positions closed with market orders tagged 'ruin', later strategy orders
   * denied); otherwise equity below the maintenance margin in use is a margin call (the working
   * orders of the symbols being closed and every order elsewhere that may add exposure cancelled,
   * positions closed with market orders tagged 'margin_call', largest maintenance requirement first,
   * until the initial margin of what is left is covered by equity).
   *
   * Returns true when the portfolio's figures in `sample` (equity, cash, gross exposure) are current:
   * it wrote them and the account did not act (the sample of nearly every bar), so the caller need
   * not compute them again; false when the caller must (no account, a ruined account, or orders sent).
   */
  onAccountSample(sample: Float64Array): boolean {
    const account = this.accountRules;
    if (account === null) return false;
    account.accrueBorrow(sample);
    if (account.ruin !== null) return false;
    // The sample of nearly every bar: nothing to do. The times and the equity stay in the sample
    // (EquitySample indexes; the equity is written again once the account has acted): no number is
    // passed to or returned from a call V8 may not inline (a boxed allocation per bar).
    this.portfolio.sampleInto(sample);
    const equity = sample[EquitySample.equity]!;
    if (equity > 0 && !(account.marginCallsPossible && account.inMarginCallAt(sample))) return true;
    this.accountAction(sample[EquitySample.ts]!, sample[EquitySample.decisionTs]!, equity);
    return false;
  }

  /** The rest of onAccountSample: ruin (equity at or below zero) or a margin call. */
  private accountAction(ts: number, decisionTs: number, equity: number): void {
    const account = this.accountRules!;
    const pf = this.portfolio;
    if (account.checkRuin(ts, equity)) {
      this.audit({ ts, kind: 'account.ruined', message: `account ruined at ${formatIsoUs(ts)}: equity ${equity} <= 0; working orders cancelled, positions closed, no further orders`, details: { equity } });
      this.cancelAll(decisionTs, () => true);
      for (let i = 0; i < this.symbols.length; i++) this.flatten(i, decisionTs, 'ruin');
      return;
    }
    if (!account.inMarginCall(equity)) return;
    account.marginCalls++;
    const maintenance = account.maintenanceMarginInUse();
    const n = account.liquidationOrder(equity, this.liquidation);
    const closed: string[] = [];
    for (let k = 0; k < n; k++) closed.push(this.symbols[this.liquidation[k]!]!);
    this.audit({
      ts,
      kind: 'account.margin_call',
      message: `margin call: equity ${equity} < maintenance margin in use ${maintenance}; closing ${closed.join(', ')}`,
      details: { equity, maintenanceMargin: maintenance, initialMargin: account.initialMarginInUse(), closing: closed },
    });
    // Every working order of a symbol being closed (what is left of it would open a new position),
    // and elsewhere every order that may add exposure: all but reduce-only orders and opposite-side
    // orders no larger than the position.
    const closing = this.liquidation;
    this.cancelAll(decisionTs, (o, i) => {
      for (let k = 0; k < n; k++) if (closing[k] === i) return true;
      if (o.reduceOnly) return false;
      const pos = pf.netPosition[i]!;
      return !(o.sign * pos < 0 && o.leavesQty <= Math.abs(pos));
    });
    for (let k = 0; k < n; k++) this.flatten(closing[k]!, decisionTs, 'margin_call');
  }

  /** Cancels the working orders (all strategies) that `which` selects. */
  private cancelAll(ts: number, which: (o: Order, symbolIndex: number) => boolean): void {
    const n = this.symbols.length;
    for (let k = 0; k < this.working.length; k++) {
      const list = this.working[k]!;
      if (list.length === 0) continue;
      const i = k % n;
      for (const o of [...list]) if (which(o, i)) this.cancel(o.id, ts);
    }
  }

  /** Sends market orders closing every ledger's position in symbol i (past the risk gate). */
  private flatten(i: number, ts: number, tag: string): void {
    const pf = this.portfolio;
    for (let s = 0; s < Math.max(1, this.strategyIds.length); s++) {
      const pos = pf.position(s, i);
      if (pos === 0) continue;
      this.accountSending = true;
      try {
        this.send(s, { symbol: this.symbols[i]!, side: pos > 0 ? 'sell' : 'buy', qty: Math.abs(pos), type: 'market', tag }, ts, null, null, null, i);
      } finally {
        this.accountSending = false;
      }
    }
  }

  private lots: ArrayLike<number> | null = null;

  /**
   * Per symbol, the instrument's lot size (0: any quantity): a target's difference from the position
   * is rounded toward zero to a whole number of lots (setTarget), so a target of 2.7 contracts from
   * flat sends 2 and one of 0.0123 BTC at lot 0.001 sends 0.012.
   */
  useLotSizes(lots: ArrayLike<number>): void {
    if (lots.length !== this.symbols.length) throw new InvalidArgumentError(`invalid 'lots': ${lots.length} lot sizes for ${this.symbols.length} symbols`);
    this.lots = lots;
  }

  /** Connects the client orders go to (a venue in simulation, a broker live). */
  connect(client: ExecutionClient): void {
    this.client = client;
  }

  /** The client orders go to, or null before {@link connect}. */
  get connectedClient(): ExecutionClient | null {
    return this.client;
  }

  /**
   * Registers the callback that routes order events to strategies; `listens` tells whether it reads the
   * events of a strategy (absent: always). An event nobody reads may carry a deferred reason (see fillDenial).
   */
  onStrategyOrderEvent(listener: StrategyOrderListener, listens?: (strategyIndex: number) => boolean): void {
    this.listener = listener;
    this.listens = listens ?? null;
    let anyListens = listens === undefined;
    for (let k = 0; k < Math.max(1, this.strategyIds.length) && !anyListens; k++) anyListens = listens!(k);
    this.transientEvents = this.recorder.keepsOrderEvents === false && !anyListens;
  }

  /** Forgets every order (for a rerun); the portfolio is reset by its owner. */
  reset(): void {
    for (const w of this.working) w.length = 0;
    this.deferredIds.length = 0;
    this.deferredTexts.length = 0;
    this.approving = null;
    this.orderLog.clear();
    this.fillLog.clear();
    this.deniedCount = 0;
  }

  /** Returns the index of a symbol, or throws naming it. */
  indexOf(symbol: string): number {
    const i = this.symbolIndex.get(symbol);
    if (i === undefined) throw new InvalidArgumentError(`unknown symbol '${symbol}': not in this run's data (${this.symbols.join(', ')})`);
    return i;
  }

  /** An order by id: the live order while it works, the record of its final state once finished. */
  order(id: OrderId): OrderView | undefined {
    const row = this.orderLog.rowOfId(id);
    return row === undefined ? undefined : this.orderLog.view(row);
  }

  /** The live order with this id, or undefined when unknown or finished. */
  private liveOrder(id: OrderId): Order | undefined {
    const row = this.orderLog.rowOfId(id);
    return row === undefined ? undefined : this.orderLog.liveAt(row);
  }

  /**
   * Working orders of a strategy, optionally for one symbol, in submission order: a snapshot, a
   * fresh frozen array of frozen copies (see OrderSnapshot), never the engine's working list or its
   * Order objects, so cancelling while iterating it cancels every order, and writing to it throws
   * instead of changing the engine. Costs one small object per working order per call.
   */
  openOrders(strategyIndex: number, symbolIndex?: number): readonly OrderSnapshot[] {
    const n = this.symbols.length;
    const out: OrderSnapshot[] = [];
    const from = symbolIndex ?? 0;
    const to = symbolIndex === undefined ? n : symbolIndex + 1;
    for (let i = from; i < to; i++) for (const o of this.working[strategyIndex * n + i]!) out.push(snapshotOrder(o));
    return out.length === 0 ? NO_ORDERS : Object.freeze(out);
  }

  /** Signed quantity still working in a symbol over all strategies (buys positive). */
  pendingQty(symbolIndex: number): number {
    return this.pendingSideQty(symbolIndex, 1) - this.pendingSideQty(symbolIndex, -1);
  }

  /** Units still working on one side (+1 buys, -1 sells) of a symbol over all strategies. */
  pendingSideQty(symbolIndex: number, sign: 1 | -1): number {
    let q = 0;
    const n = this.symbols.length;
    for (let s = 0; s < this.strategyIds.length; s++) {
      for (const o of this.working[s * n + symbolIndex]!) if (o.sign === sign && !isBracketExit(o)) q += o.leavesQty;
    }
    return q;
  }

  /** Symbols with a non-zero position or, while flat, a working order that may open one. */
  openOrPendingCount(): number {
    let c = 0;
    for (let i = 0; i < this.symbols.length; i++) {
      if (this.portfolio.netPosition[i] !== 0 || this.pendingSideQty(i, 1) > 0 || this.pendingSideQty(i, -1) > 0) c++;
    }
    return c;
  }

  /** Gross exposure if the worst subset of working orders filled, at the last prices. */
  worstCaseGrossExposure(): number {
    let g = 0;
    for (let i = 0; i < this.symbols.length; i++) {
      const m = this.portfolio.mark[i]!;
      if (!(m === m)) continue;
      const u = worstCaseUnits(this.portfolio.netPosition[i]!, this.pendingSideQty(i, 1), this.pendingSideQty(i, -1));
      g += u * m * this.portfolio.multiplier[i]!;
    }
    return g;
  }

  /**
   * Submits an order for a strategy at data time `ts`. A risk denial returns the id of a denied
   * order; a malformed request (non-positive qty, missing limit price) throws InvalidArgumentError.
   */
  submit(strategyIndex: number, request: OrderRequest, ts: number, parentId: OrderId | null = null): OrderId {
    return this.send(strategyIndex, request, ts, parentId, null, null, this.indexOfRequest(request));
  }

  /** The symbol index of a request's symbol (throws naming an unknown one), once a client is connected. */
  private indexOfRequest(request: OrderRequest): number {
    if (this.client === null) throw new InvariantError('execution engine has no client connected');
    return this.indexOf(request.symbol);
  }

  /**
   * Submits a bracket for a strategy at data time `ts`: the entry (OTO), then its take-profit limit
   * and stop-loss stop (reduce-only, OUO with each other), which the venue holds until the entry
   * fills and sizes to its fills. The entry passes the risk gate like any order; the exits are not
   * checked as new exposure (they only close what the entry opened). When the entry is denied, so
   * are the exits. A malformed bracket (a stop-loss on the wrong side of the entry, say) throws one
   * InvalidArgumentError naming the field; the last price is the entry price of a market entry.
   */
  submitBracket(strategyIndex: number, request: BracketRequest, ts: number): BracketIds {
    const symbolIndex = this.indexOf(request.symbol);
    const [entry, takeProfit, stopLoss] = bracketRequests(request, this.portfolio.mark[symbolIndex]!);
    const ids: BracketIds = { entry: this.orderLog.idAfter(0), takeProfit: this.orderLog.idAfter(1), stopLoss: this.orderLog.idAfter(2) };
    this.send(strategyIndex, entry, ts, null, { contingency: 'OTO', parentId: null, linkedIds: [ids.takeProfit, ids.stopLoss], group: null }, null, this.indexOfRequest(entry));
    const denied = this.order(ids.entry)?.status === 'denied' ? `bracket entry ${ids.entry} was denied` : null;
    this.send(strategyIndex, takeProfit, ts, null, { contingency: 'OUO', parentId: ids.entry, linkedIds: [ids.stopLoss], group: null }, denied, this.indexOfRequest(takeProfit));
    this.send(strategyIndex, stopLoss, ts, null, { contingency: 'OUO', parentId: ids.entry, linkedIds: [ids.takeProfit], group: null }, denied, this.indexOfRequest(stopLoss));
    return ids;
  }

  /**
   * Creates, risk-checks (unless a bracket exit) and sends one order of the symbol at `symbolIndex`
   * (the request's: callers that know it spare the lookup); `deny` denies it outright with that reason.
   */
  private send(strategyIndex: number, request: OrderRequest, ts: number, parentId: OrderId | null, link: OrderLink | null, deny: string | null, symbolIndex: number): OrderId {
    const client = this.client;
    if (client === null) throw new InvariantError('execution engine has no client connected');
    const order = new Order(this.orderLog.nextId(), request, ts, this.strategyIds[strategyIndex] ?? null, parentId, link);
    this.orderLog.add(order, strategyIndex);
    const ruin = this.accountRules?.ruin ?? null;
    if (deny === null && ruin !== null && !this.accountSending) deny = `account ruined at ${formatIsoUs(ruin.ts)}`;
    if (deny !== null) {
      this.deniedCount++;
      this.apply({ kind: 'OrderDenied', ts, orderId: order.id, reason: deny });
      return order.id;
    }
    if (this.risk !== null && !isBracketExit(order) && !this.accountSending) {
      const ref = order.limitPrice ?? order.stopPrice ?? this.portfolio.mark[symbolIndex]!;
      const denial = this.risk.check(
        { symbol: order.symbol, side: order.side, qty: order.qty, price: ref, reduceOnly: order.reduceOnly },
        this.account,
      );
      if (denial !== null) {
        this.deniedCount++;
        this.apply({ kind: 'OrderDenied', ts, orderId: order.id, reason: denial.reason });
        return order.id;
      }
    }
    // transition's stores (initialized -> submitted is legal): its `ts` argument is boxed when not inlined.
    order.status = 'submitted';
    order.tsLastEvent = ts;
    this.working[strategyIndex * this.symbols.length + symbolIndex]!.push(order);
    if (this.transientEvents) {
      const e = this.submitted;
      e.ts = ts;
      e.orderId = order.id;
      this.recorder.onOrderEvent(e);
    } else {
      this.recorder.onOrderEvent({ kind: 'OrderSubmitted', ts, orderId: order.id });
    }
    client.submit(order, ts);
    return order.id;
  }

  /** Asks the client to cancel a working order (a no-op for terminal or unknown orders). */
  cancel(orderId: OrderId, ts: number): void {
    const order = this.liveOrder(orderId);
    if (order === undefined || !(isWorking(order.status) || order.status === 'submitted')) return;
    this.client!.cancel(orderId, ts);
  }

  /** Asks the client to change a working order. */
  replace(orderId: OrderId, changes: OrderChanges, ts: number): void {
    const order = this.liveOrder(orderId);
    if (order === undefined || !isWorking(order.status)) {
      throw new InvalidArgumentError(`cannot replace order '${orderId}': it is not working`);
    }
    this.client!.replace(orderId, changes, ts);
  }

  /**
   * Sends what it takes to move the strategy's position in a symbol to `units`. When the orders
   * still working in the symbol already reach the target, nothing is sent. Otherwise they are
   * cancelled and the whole difference from the current position is sent (without latency the
   * cancel is immediate; with latency, or live, a cancel that loses the race to a fill is corrected
   * by the next target).
   */
  setTarget(
    strategyIndex: number,
    symbolIndex: number,
    units: number,
    ts: number,
    options: { type?: 'market' | 'limit'; limitPrice?: number; tag?: string } = NO_TARGET_OPTIONS,
  ): OrderId | null {
    if (!Number.isFinite(units)) throw new InvalidArgumentError(`invalid target 'units': not a finite number, was ${units}`);
    const working = this.working[strategyIndex * this.symbols.length + symbolIndex]!;
    const pos = this.portfolio.position(strategyIndex, symbolIndex);
    const lot = this.lots !== null ? this.lots[symbolIndex]! : 0;
    const lotDelta = lot > 0 ? roundToLot(units - pos, lot) : 0;
    if (lot > 0) units = pos + lotDelta;
    const tolerance = QTY_EPS * Math.max(1, Math.abs(units));
    let pending = 0;
    for (const o of working) if (!isBracketExit(o)) pending += o.sign * o.leavesQty;
    // Working orders that already reach the target stay (no churn while they are in flight).
    if (Math.abs(units - pos - pending) <= tolerance) return null;
    if (working.length > 0) {
      for (const o of [...working]) this.cancel(o.id, ts);
    }
    const delta = lot > 0 ? lotDelta : units - pos;
    if (Math.abs(delta) <= tolerance) return null;
    const symbol = this.symbols[symbolIndex]!;
    const side = delta > 0 ? 'buy' : 'sell';
    const qty = Math.abs(delta);
    const type = options.type ?? 'market';
    const tag = options.tag ?? 'target';
    // One request object per shape, written again for each target: the Order copies what it needs from
    // it as it is made, before anything else can run (and send a target of its own).
    let req: TargetRequest;
    if (options.limitPrice !== undefined) {
      req = this.limitTarget;
      req.limitPrice = options.limitPrice;
    } else {
      req = this.marketTarget;
    }
    req.symbol = symbol;
    req.side = side;
    req.qty = qty;
    req.type = type;
    req.tag = tag;
    return this.send(strategyIndex, req, ts, null, null, null, symbolIndex);
  }

  /** Receives an event from the client (ExecutionReportSink). */
  onOrderEvent(event: OrderEvent): void {
    this.apply(event);
  }

  private apply(event: OrderEvent): void {
    const row = this.orderLog.rowOfId(event.orderId);
    const order = row === undefined ? undefined : this.orderLog.liveAt(row);
    if (order === undefined) throw new InvariantError(`event ${event.kind} for ${row === undefined ? 'unknown' : 'finished'} order '${event.orderId}'`);
    const strategyIndex = this.orderLog.strategyAt(row!);
    switch (event.kind) {
      case 'OrderDenied':
        if (order.status === 'initialized') {
          order.transition('denied', event.ts, event.reason);
          this.audit({ ts: event.ts, kind: 'risk.denied', message: event.reason, orderId: order.id, symbol: order.symbol, strategyId: order.strategyId ?? undefined });
        } else {
          // The account refused (the rest of) a fill at the venue.
          if (event.reason === DEFERRED_DENIAL) return this.applyDeferredDenial(event, order, row!, strategyIndex);
          this.deniedCount++;
          order.transition('denied', event.ts, event.reason);
          this.unwork(order, strategyIndex);
          this.audit({ ts: event.ts, kind: 'account.denied', message: event.reason, orderId: order.id, symbol: order.symbol, strategyId: order.strategyId ?? undefined });
        }
        break;
      case 'OrderSubmitted':
        break;
      case 'OrderAccepted':
        // transition's stores, written here (submitted -> accepted is legal): its `ts` argument is boxed when not inlined.
        if (order.status === 'submitted') {
          order.status = 'accepted';
          order.tsLastEvent = event.ts;
        }
        break;
      case 'OrderRejected':
        order.transition('rejected', event.ts, event.reason);
        this.unwork(order, strategyIndex);
        this.audit({ ts: event.ts, kind: 'order.rejected', message: event.reason, orderId: order.id, symbol: order.symbol, strategyId: order.strategyId ?? undefined });
        break;
      case 'OrderTriggered':
        order.triggered = true;
        break;
      case 'OrderFilled': {
        const f = event.fill;
        if (order.status === 'submitted') {
          order.status = 'accepted';
          order.tsLastEvent = event.ts;
        }
        const orderFill = this.orderFill;
        orderFill[0] = f.qty;
        orderFill[1] = f.price;
        orderFill[2] = event.ts;
        order.applyFillRow(orderFill);
        const symbolIndex = this.indexOf(f.symbol);
        // The figures through the portfolio's row, not as arguments (a double passed to a call not inlined is boxed).
        const figures = this.portfolio.fillRow;
        figures[0] = f.qty;
        figures[1] = f.price;
        figures[2] = f.commission;
        figures[3] = f.ts;
        this.portfolio.applyFillRow(strategyIndex, symbolIndex, f.side === 'buy' ? 1 : -1);
        this.fillLog.add(row!, symbolIndex, f);
        this.recorder.onFill(f);
        if (order.status === 'filled') this.unwork(order, strategyIndex);
        break;
      }
      case 'OrderCancelled':
        order.transition('cancelled', event.ts, event.reason);
        this.unwork(order, strategyIndex);
        break;
      case 'OrderExpired':
        order.transition('expired', event.ts, event.reason);
        this.unwork(order, strategyIndex);
        break;
      case 'OrderReplaced':
        order.qty = event.qty;
        order.limitPrice = event.limitPrice;
        order.stopPrice = event.stopPrice;
        order.tsLastEvent = event.ts;
        break;
      default:
        assertNever(event, 'order event');
    }
    this.recorder.onOrderEvent(event);
    const listener = this.listener;
    if (listener !== null) {
      if (!this.transientEvents) listener(strategyIndex, event, order);
      else if (this.listens === null || this.listens(strategyIndex)) listener(strategyIndex, copyOfEvent(event), order);
    }
    if (isTerminal(order.status)) this.orderLog.finish(row!);
  }

  /**
   * {@link apply} of the account's OrderDenied (of a submitted order) whose reason is deferred (see
   * fillDenial): as apply's account denial, with the text kept deferred in the order log and the audit trail. When the
   * strategy listens to its order events, it gets the event and the order with the text made.
   */
  private applyDeferredDenial(event: OrderEvent & { kind: 'OrderDenied' }, order: Order, row: number, strategyIndex: number): void {
    const ids = this.deferredIds;
    const texts = this.deferredTexts;
    let k = ids.length - 1;
    while (k >= 0 && ids[k] !== event.orderId) k--;
    if (k < 0) throw new InvariantError(`deferred denial of order '${event.orderId}' without its text`);
    const text = texts[k]!;
    for (let j = k + 1; j < ids.length; j++) {
      ids[j - 1] = ids[j]!;
      texts[j - 1] = texts[j]!;
    }
    ids.pop();
    texts.pop();
    const listener = this.listener;
    const listens = listener !== null && (this.listens === null || this.listens(strategyIndex));
    this.deniedCount++;
    if (listens) {
      const reason = text.text;
      order.transition('denied', event.ts, reason);
      event = { kind: 'OrderDenied', ts: event.ts, orderId: event.orderId, reason };
    } else {
      order.transition('denied', event.ts);
    }
    this.unwork(order, strategyIndex);
    // One entry written again for each (the recorder copies its fields: see Recorder.onDeferredAudit).
    const entry = this.deferredEntry;
    entry.ts = event.ts;
    entry.orderId = order.id;
    entry.symbol = order.symbol;
    entry.strategyId = order.strategyId ?? undefined;
    this.recorder.onDeferredAudit!(entry, text);
    this.recorder.onOrderEvent(event);
    if (listens) listener(strategyIndex, event, order);
    this.orderLog.finish(row, text);
  }

  private unwork(order: Order, strategyIndex: number): void {
    const list = this.working[strategyIndex * this.symbols.length + this.indexOf(order.symbol)]!;
    const at = list.indexOf(order);
    if (at < 0) return;
    // In place: splice allocates the array of what it removed.
    for (let k = at + 1; k < list.length; k++) list[k - 1] = list[k]!;
    list.pop();
  }

  private audit(entry: AuditEntry): void {
    this.recorder.onAudit(entry);
  }
}
