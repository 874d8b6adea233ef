import { barInSession, dayOrderExpiry, InvalidArgumentError, InvariantError, isOpen, TimeTravelError, US_PER_DAY, utcDayStart } from '../../engine/core/index.js';
import type { Calendar, OrderId, Symbol_ } from '../../engine/core/index.js';
import type { BarColumns, InstrumentSpec, Liquidity, Order, OrderChanges } from '../../engine/model/index.js';
import { BarRow } from '../../engine/model/index.js';
import { BarPath } from './intrabar-path.js';
import { onGrid, OrderCore, tolerance } from './order-core.js';
import type { OrderEventSink } from './order-core.js';
import { createSlippageModel } from './slippage-model.js';
import type { SlippageModel } from './slippage-model.js';
import type { VenueConfig } from './venue-config.js';
import { WorkingOrder } from './working-order.js';

export type { OrderEventSink, VenueRequestRejection } from './order-core.js';

const NO_BAR = -Infinity;
/**
 * At most this many finished records wait in SimulatedVenue's `freed` and `spare` each: a strategy that sends
 * its orders only from its order events (while an event is being handled) never lets freed records become
 * spare, and they must not pile up through a run.
 */
const SPARE_MAX = 64;

/** A bar row as the venue reads it: the bar columns and its close time `ts` (a replay's BarBatch). */
export interface VenueBars extends BarColumns {
  /** When the bar closed, microseconds (market-on-close fills are stamped then). */
  readonly ts: Float64Array;
}

/**
 * A simulated exchange for bar and L1 (quote/trade) data. It implements the engine's ExecutionClient
 * port structurally: `submit`, `cancel`, `replace`, `assumptions`. The replay loop feeds it market data
 * (`onBar`, `onQuote`, `onTrade`, `onTimeAdvance`) BEFORE the strategies see the same event, and it
 * reports synchronously through the sink: OrderAccepted / OrderRejected on submit, then
 * OrderTriggered, OrderFilled, OrderCancelled, OrderExpired and OrderReplaced as they happen.
 *
 * It keeps its own record of each working order and never mutates the engine's Order objects, and it
 * keeps its own net position per symbol from its fills (for reduce-only orders). Every rule in force
 * is listed by {@link assumptions}; the main ones:
 *
 * **Bars.** An order is first eligible on the first bar of its symbol that opens at or after the
 * submission time and after the last bar the venue had seen when the order arrived (no fill inside the
 * bar it was decided on). Market orders fill at that bar's open (`marketFill: 'next_open'`) or, with
 * `marketFill: 'close'`, immediately on submit at the close of the last bar seen for the symbol (stamped
 * at that bar's close time; rejected before the first bar). Stops and limits walk the intrabar path
 * (`intrabarPath` in VenueConfig): a stop or limit whose condition already holds at the open (a gap) fills at
 * the open; otherwise a stop fills at its stop price and a limit at its limit price. A stop-limit,
 * once triggered, becomes a limit at its limit price: marketable at the trigger price it fills there,
 * otherwise it is checked along the rest of the same bar's path. Inside one bar, fills are applied in
 * the order of their position along the path (ties in submission order), so a stop-loss and a
 * take-profit in the same bar interact through reduce-only (and, as a bracket's exits, through OCO) as
 * the path dictates: the first reached fills, the other is cancelled. Bar fills are stamped
 * with the bar's open time, close fills with its close time.
 *
 * **Quotes and trades.** Once a symbol has seen a quote or a trade, its fills come from ticks and its
 * bars no longer fill orders. On a quote, a market order (or a triggered stop) crosses the spread (buys
 * at the ask, sells at the bid); a limit that is marketable when it arrives fills at the touch as a
 * taker; a resting limit fills at its limit price as a maker when the opposite quote reaches it (buy:
 * ask <= limit; `through`: ask < limit). A trade print at or through a resting limit fills it at its
 * limit price as a maker. Stops trigger on the opposite quote (buy stops on the ask, sell stops on the
 * bid) or on a trade print; a stop triggered by a quote fills at the touch, one triggered by a print
 * fills at the print's price. On a symbol with quotes, market orders fill only on quotes; on a symbol
 * with trades but no quotes, at the next print's price.
 *
 * **Time in force.** GTC works until filled or cancelled. DAY expires at the UTC midnight after the day
 * it was submitted (checked on every event of its symbol and on `onTimeAdvance`); for daily bars a DAY
 * order decided at a bar's close can trade only on the next bar and expires if unfilled there. IOC and
 * FOK match once on arrival (the open of the first eligible bar, the close in `close` mode for market
 * orders, or the current/next quote or print); IOC cancels the rest, FOK fills completely or is cancelled
 * (also when the volume cap would split it). Stop and stop-limit orders with IOC or FOK are rejected.
 *
 * **Trading sessions.** A symbol whose instrument has a `session` (useInstruments) trades only inside
 * it, like an exchange with trading hours (LEAN's market hours): a bar is a fill opportunity when it
 * opens inside the session (an intraday bar; a 09:00-10:00 bar is outside a 09:30 open, its open
 * price is from before the session) or, for a bar of half a day or longer (daily bars stamped at
 * midnight), when a session overlaps it (engine/core barInSession); a quote or trade when it is
 * inside the session (an order arriving inside matches the current quote only when that quote came
 * in the same session, not before the open or in an earlier session). Outside, the symbol's orders
 * neither trigger nor fill (expiries still happen): they keep working, and the first fill
 * opportunity inside the session treats them as it treats any order there (a market order fills
 * at that bar's open, or under `marketFill: 'close'` at its close; a gap through a stop or limit
 * fills at the open; IOC/FOK have their one chance there). A market-on-close order submitted after
 * a bar outside the session does not fill at that bar's close: it waits for the close of the first
 * bar inside (the close of the last bar inside, at the session close, is a fill there). The
 * symbol's DAY orders expire at its first session close after submission, whatever the run's
 * calendar.
 *
 * **Events** come in a deterministic order: per market-data event, expiries (submission order), then
 * triggers and fills (bars: path order; ticks: submission order), then IOC/FOK cancellations
 * (submission order).
 */
export class SimulatedVenue extends OrderCore<WorkingOrder> {
  readonly config: VenueConfig;
  private readonly slippage: SlippageModel;
  private readonly bySymbol: WorkingOrder[][];
  private readonly workingCount: Int32Array;
  private readonly lastBarTs: Float64Array;
  /** When each symbol's last bar closed (as the replay passes it: its open + its interval, or its symbol's next bar's open when sooner): market-on-close fills are stamped then. */
  private readonly lastBarCloseTs: Float64Array;
  /** The close time of the bar being processed (see onBar; set only when its symbol has working orders). */
  private barCloseTs = NO_BAR;
  /** Per symbol, its last bar's close and volume (lastBarCloseTs too): kept only when {@link closeFills}. */
  private readonly lastClose: Float64Array;
  private readonly lastVolume: Float64Array;
  /** marketFill 'close': a market order arriving fills at once at the close of the last bar seen. */
  private readonly closeFills: boolean;
  private readonly lastTickTs: Float64Array;
  private readonly bid: Float64Array;
  private readonly bidSize: Float64Array;
  private readonly ask: Float64Array;
  private readonly askSize: Float64Array;
  private readonly hasQuote: Uint8Array;
  /** When each symbol's current quote arrived. */
  private readonly quoteTs: Float64Array;
  /** 1 once a quote or trade was seen for the symbol: fills then come from ticks. */
  private readonly tickDriven: Uint8Array;
  private readonly path = new BarPath();
  private readonly scratch: WorkingOrder[] = [];
  /** The units a fill may take (a bar's volume, a quote's size, a print's size): see {@link executePlan}. */
  private readonly available = new Float64Array(1);
  /**
   * Finished records of plain orders (no contingency) taken off their symbol's list, and those of them
   * that nothing refers to any more: a new order takes a spare record (WorkingOrder.renew) instead of
   * allocating one, ~300 bytes an order with its boxed numbers. A finished record may still be in a loop
   * of an outer call (processBar's scratch, a quote's list) while an event is being handled, so freed
   * records become spare only when a submit arrives while no event is (see OrderCore's `emitting`).
   */
  private readonly freed: WorkingOrder[] = [];
  private readonly spare: WorkingOrder[] = [];
  /** Per symbol: the lot size (0: any quantity), the tick size, and 1 when limit/stop prices must be on its tick grid. */
  private readonly lotOf: Float64Array;
  private readonly tickOf: Float64Array;
  private readonly tickChecked: Uint8Array;
  /** Per symbol, the instrument whose tick and lot replace the venue's (null: the venue's). */
  private specs: readonly (InstrumentSpec | null)[] | null = null;
  /** The DAY-order line of the assumptions. */
  private readonly dayRule: string = 'DAY orders expire at the end of the UTC day of submission';
  /** The run's calendar, for DAY orders of symbols without a session of their own. */
  private readonly calendar: Calendar | undefined;
  /** Per symbol, its instrument's trading session (null: always open); null when no symbol has one. */
  private sessions: (Calendar | null)[] | null = null;

  /** `calendar`: DAY orders expire at its first session close after arrival (dayOrderExpiry), not at UTC midnight. */
  constructor(config: VenueConfig, sink: OrderEventSink, symbols: readonly (Symbol_ | string)[], calendar?: Calendar) {
    super(sink, symbols, config.fees);
    this.config = config;
    this.calendar = calendar;
    if (calendar !== undefined && calendar.kind !== '24/7') {
      this.dayEnd = (ts) => dayOrderExpiry(calendar, ts);
      this.dayWords = 'the session';
      this.dayRule = `DAY orders expire at the first session close after submission (${calendar.label})`;
    }
    this.slippage = createSlippageModel(config.slippage, 'venue.slippage');
    const n = this.symbols.length;
    this.bySymbol = this.symbols.map(() => []);
    this.workingCount = new Int32Array(n);
    this.lastBarTs = new Float64Array(n).fill(NO_BAR);
    this.lastBarCloseTs = new Float64Array(n).fill(NO_BAR);
    this.lastClose = new Float64Array(n);
    this.lastVolume = new Float64Array(n);
    this.closeFills = config.marketFill === 'close';
    this.lastTickTs = new Float64Array(n).fill(NO_BAR);
    this.bid = new Float64Array(n);
    this.bidSize = new Float64Array(n);
    this.ask = new Float64Array(n);
    this.askSize = new Float64Array(n);
    this.hasQuote = new Uint8Array(n);
    this.quoteTs = new Float64Array(n).fill(NO_BAR);
    this.tickDriven = new Uint8Array(n);
    this.lotOf = new Float64Array(n).fill(config.lotSize);
    this.tickOf = new Float64Array(n).fill(config.tickSize);
    this.tickChecked = new Uint8Array(n).fill(config.enforceTickSize ? 1 : 0);
  }

  /**
   * Per symbol, an instrument whose tick size and lot size replace the venue's `tickSize`,
   * `enforceTickSize` and `lotSize` for that symbol (null: the venue's): quantities must be
   * multiples of its lot (0: any), limit and stop prices multiples of its tick (0: any price).
   * Notional fees (`fraction`, `bps`) of its fills are of qty x price x its multiplier. An
   * instrument's `session` limits its fills to the session and ends its DAY orders at the session
   * close (see the class comment).
   */
  useInstruments(specs: readonly (InstrumentSpec | null)[]): void {
    if (specs.length !== this.symbols.length) throw new InvalidArgumentError(`invalid 'instruments': ${specs.length} entries for ${this.symbols.length} symbols`);
    const scale = new Float64Array(specs.length).fill(1);
    specs.forEach((spec, i) => {
      if (spec === null) return;
      scale[i] = spec.multiplier;
      this.lotOf[i] = spec.lotSize;
      this.tickOf[i] = spec.tickSize;
      this.tickChecked[i] = spec.tickSize > 0 ? 1 : 0;
    });
    this.specs = specs;
    if (scale.some((m) => m !== 1)) this.feeNotionalScale = scale;
    if (specs.some((x) => x?.session !== undefined)) {
      const sessions = specs.map((x) => x?.session ?? null);
      this.sessions = sessions;
      const cal = this.calendar;
      const runDayEnd = cal !== undefined && cal.kind !== '24/7' ? (ts: number) => dayOrderExpiry(cal, ts) : (ts: number) => utcDayStart(ts) + US_PER_DAY;
      this.dayEnd = (ts, s) => {
        const own = sessions[s];
        return own !== null && own !== undefined ? dayOrderExpiry(own, ts) : runDayEnd(ts);
      };
    }
  }

  /** True when a bar of symbol `s` opening at `ts` and closing at `closeTs` is inside its session (always without one). */
  private barTradable(s: number, ts: number, closeTs: number): boolean {
    const cal = this.sessions === null ? null : (this.sessions[s] ?? null);
    return cal === null || barInSession(cal, ts, closeTs);
  }

  /** True when a quote or trade of symbol `s` at `ts` is inside its session (always without one). */
  private tickTradable(s: number, ts: number): boolean {
    const cal = this.sessions === null ? null : (this.sessions[s] ?? null);
    return cal === null || isOpen(cal, ts);
  }

  /**
   * True when an order arriving at `ts` may match symbol `s`'s current quote: always without a
   * session; with one, when `ts` is inside it and the quote came in the same session (a quote from
   * before the open or from yesterday's session is not today's market).
   */
  private quoteTradable(s: number, ts: number): boolean {
    const cal = this.sessions === null ? null : (this.sessions[s] ?? null);
    if (cal === null || cal.kind === '24/7') return true;
    const q = this.quoteTs[s]!;
    return isOpen(cal, ts) && isOpen(cal, q) && dayOrderExpiry(cal, q) > ts;
  }

  protected override dayWordsOf(s: number): string {
    return this.sessions !== null && this.sessions[s] !== null ? `${this.symbols[s]}'s session` : this.dayWords;
  }

  /** Forgets every order, position, price and id so the same venue can serve another run. */
  reset(): void {
    this.resetCore();
    for (const list of this.bySymbol) list.length = 0;
    this.workingCount.fill(0);
    this.lastBarTs.fill(NO_BAR);
    this.lastBarCloseTs.fill(NO_BAR);
    this.lastClose.fill(0);
    this.lastVolume.fill(0);
    this.lastTickTs.fill(NO_BAR);
    this.bid.fill(0);
    this.bidSize.fill(0);
    this.ask.fill(0);
    this.askSize.fill(0);
    this.hasQuote.fill(0);
    this.quoteTs.fill(NO_BAR);
    this.tickDriven.fill(0);
    this.scratch.length = 0;
    this.freed.length = 0;
  }

  // ---------------------------------------------------------------- ExecutionClient

  /**
   * Accepts or rejects `order` (OrderAccepted / OrderRejected with a reason naming the field and
   * value), then matches it at once where the rules allow (market on close, or against the current
   * quote). Throws InvariantError when the order id is already working.
   */
  submit(order: Readonly<Order>, ts: number): void {
    const s = this.admit(order, ts);
    if (s < 0) return;
    const cfg = this.config;
    const lot = this.lotOf[s]!;
    if (lot > 0 && !onGrid(order.qty, lot)) {
      return this.reject(order.id, ts, `invalid 'qty': not a multiple of the lot size ${lot}${this.whose(s)}, was ${order.qty}`);
    }
    if (this.tickChecked[s] === 1) {
      const tick = this.tickOf[s]!;
      if (order.limitPrice !== null && !onGrid(order.limitPrice, tick)) {
        return this.reject(order.id, ts, `invalid 'limitPrice': not a multiple of the tick size ${tick}${this.whose(s)}, was ${order.limitPrice}`);
      }
      if (order.stopPrice !== null && !onGrid(order.stopPrice, tick)) {
        return this.reject(order.id, ts, `invalid 'stopPrice': not a multiple of the tick size ${tick}${this.whose(s)}, was ${order.stopPrice}`);
      }
    }
    if ((order.timeInForce === 'IOC' || order.timeInForce === 'FOK') && (order.type === 'stop' || order.type === 'stop_limit')) {
      return this.reject(order.id, ts, `invalid 'timeInForce': ${order.timeInForce} is not supported on ${order.type} orders (it applies on arrival, before any trigger), was "${order.timeInForce}"`);
    }
    const closeFill = order.type === 'market' && cfg.marketFill === 'close' && this.tickDriven[s] === 0;
    if (closeFill && this.lastBarTs[s] === NO_BAR) {
      return this.reject(order.id, ts, `market-on-close order on "${order.symbol}" before the venue saw any bar of it (marketFill 'close')`);
    }
    const o = this.workingOrder(order, s, ts);
    this.bySymbol[s]!.push(o);
    this.workingCount[s]!++;
    this.accept(o, ts);
    if (o.dormant) return;

    if (closeFill) {
      // Outside the session, the order waits for the close of the first bar inside it.
      if (this.barTradable(s, this.lastBarTs[s]!, this.lastBarCloseTs[s]!)) {
        o.arrived = true;
        this.execute(o, this.lastClose[s]!, 'taker', this.lastBarCloseTs[s]!, false, this.lastVolume[s]!);
      }
    } else if (this.hasQuote[s] === 1 && this.quoteTradable(s, ts)) {
      this.matchQuote(o, ts);
    }
    if (o.active && o.arrived && o.immediate) this.cancelUnfilled(o, ts);
    this.compact(s);
  }

  /** A record of `order` arriving at `ts`: a spare one renewed when there is one (see {@link spare}). */
  private workingOrder(order: Readonly<Order>, s: number, ts: number): WorkingOrder {
    const spare = this.spare;
    if (this.emitting === 0) {
      const freed = this.freed;
      while (freed.length !== 0 && spare.length < SPARE_MAX) spare.push(freed.pop()!);
    }
    const o = spare.pop();
    if (o === undefined) return new WorkingOrder(order, s, this.seq++, ts, this.lastBarTs[s]!);
    o.renew(order, s, this.seq++, ts, this.lastBarTs[s]!);
    return o;
  }

  /**
   * Cancels a working order (OrderCancelled). A request for an unknown or no longer working order
   * (already filled, cancelled or expired) emits nothing, so a fill that happened first stands; the
   * refusal is kept in {@link requestRejections}.
   */
  cancel(orderId: OrderId, ts: number): void {
    const o = this.cancelOnRequest(orderId, ts);
    if (o !== undefined) this.compact(o.symbolIndex);
  }

  /**
   * Changes a working order's quantity (not to or below what has filled), limit or stop price, and
   * emits OrderReplaced with the full new values. The replaced order counts as newly arrived: on a
   * symbol with quotes it is matched against the current quote at once; on bars from the next bar.
   * An invalid request emits nothing and is kept in {@link requestRejections}.
   */
  replace(orderId: OrderId, changes: OrderChanges, ts: number): void {
    const o = this.byId.get(orderId);
    if (!this.replaceable(o, orderId, changes, ts)) return;
    const s = o.symbolIndex;
    const qty = changes.qty ?? o.qty;
    const lot = this.lotOf[s]!;
    if (lot > 0 && !onGrid(qty, lot)) return this.refuse(ts, orderId, 'replace', `invalid 'qty': not a multiple of the lot size ${lot}${this.whose(s)}, was ${qty}`);
    if (this.tickChecked[s] === 1) {
      const tick = this.tickOf[s]!;
      for (const [field, value] of [
        ['limitPrice', changes.limitPrice],
        ['stopPrice', changes.stopPrice],
      ] as const) {
        if (value !== undefined && !onGrid(value, tick)) return this.refuse(ts, orderId, 'replace', `invalid '${field}': not a multiple of the tick size ${tick}${this.whose(s)}, was ${value}`);
      }
    }
    o.arrived = false;
    this.applyReplace(o, changes, ts);
    if (this.hasQuote[o.symbolIndex] === 1 && !o.dormant && this.quoteTradable(o.symbolIndex, ts)) {
      this.matchQuote(o, ts);
      if (o.active && o.immediate) this.cancelUnfilled(o, ts);
      this.compact(o.symbolIndex);
    }
  }

  /** Returns every rule in force, in words, for the report. */
  assumptions(): string[] {
    const cfg = this.config;
    const out: string[] = [];
    out.push(
      cfg.marketFill === 'next_open'
        ? "Market orders fill at the next bar's open"
        : "Market orders fill immediately at the close of the last bar the venue saw for the symbol, stamped at that bar's close time (rejected before the first bar); an unfilled rest fills at later bars' closes",
    );
    out.push("Orders are first eligible on the next bar of their symbol: no fill inside the bar they were decided on (except market orders under 'close')");
    out.push(
      {
        ohlc: 'Stops and limits trigger along the open-high-low-close path',
        olhc: 'Stops and limits trigger along the open-low-high-close path',
        nearest: 'Stops and limits trigger along a path that visits the extreme nearer to the open first (high first on a tie)',
        worst: 'Stops and limits trigger along the path least favourable to each order: buys assume open-high-low-close, sells open-low-high-close',
      }[cfg.intrabarPath],
    );
    out.push('A stop or limit whose price the open has already gapped through fills at the open');
    out.push('A stop fills at its stop price, a triggered stop at the next bar\'s open, a limit at its limit price');
    out.push(
      cfg.limitFill === 'touch'
        ? 'Limit orders fill when the price touches the limit (buy: low <= limit)'
        : 'Limit orders fill only when the price trades through the limit (buy: low < limit)',
    );
    out.push('A stop-limit, once triggered, becomes a limit at its limit price and is checked along the rest of the same bar');
    out.push('Inside a bar, fills are applied in the order the path reaches them (ties in submission order)');
    out.push("Bar fills are stamped with the bar's open time; close fills with its close time");
    out.push(
      'On quotes, market orders cross the spread (buy at the ask, sell at the bid); a marketable limit fills at the touch as taker on arrival; a resting limit fills at its limit price as maker when the opposite quote reaches it',
    );
    out.push('Trade prints at or through a resting limit fill it at its limit price as maker; on trades-only symbols market orders fill at the next print');
    out.push('Stops trigger on the opposite quote (buy stops on the ask, sell stops on the bid) or on a trade print');
    out.push('When a symbol has quotes or trades, they take precedence over bars for fills');
    if (!this.slippage.capsVolume) out.push('Each fill takes the whole remaining quantity: no volume or displayed-size limit');
    out.push(...this.slippage.describe());
    out.push(this.fees.describe());
    out.push('Own orders do not move prices (no market impact) and do not consume liquidity seen by other own orders');
    out.push('No latency: orders reach the venue at the time they are submitted');
    const sessions = this.sessions;
    if (sessions === null) out.push(this.dayRule);
    else if (sessions.some((x) => x === null)) out.push(`${this.dayRule} (symbols without a session)`);
    if (sessions !== null) {
      sessions.forEach((cal, i) => {
        if (cal === null) return;
        const sym = this.symbols[i];
        out.push(
          `${sym} trades only in its session (${cal.label.replace(/^calendar /, '')}): a bar fills its orders when it opens inside the session (a bar of half a day or longer when a session overlaps it), a quote or trade when inside; outside, its orders keep working unfilled and untriggered until the first fill opportunity inside; its DAY orders expire at its first session close after submission`,
        );
      });
    }
    out.push('IOC and FOK orders match once on arrival; IOC cancels the rest, FOK fills completely or is cancelled');
    out.push('Reduce-only fills are clipped to the venue\'s net position; with nothing to reduce the order is cancelled');
    const specs = this.specs;
    const plain = specs === null || specs.some((x) => x === null);
    const others = specs !== null ? ' (symbols without an instrument)' : '';
    if (plain && cfg.lotSize > 0) out.push(`Quantities must be multiples of the lot size ${cfg.lotSize}${others}`);
    if (plain && cfg.enforceTickSize) out.push(`Limit and stop prices must be multiples of the tick size ${cfg.tickSize}${others}`);
    if (specs !== null) {
      for (const x of specs) {
        if (x === null) continue;
        out.push(`${x.symbol}: ${x.lotSize > 0 ? `quantities in multiples of ${x.lotSize}` : 'any quantity'}; ${x.tickSize > 0 ? `limit and stop prices on the ${x.tickSize} tick grid` : 'any limit and stop price'}`);
      }
    }
    out.push('Cancel or replace requests for unknown or finished orders are ignored (no event)');
    out.push(...this.contingencyAssumptions());
    out.push(...this.fillDenialAssumptions());
    return out;
  }

  // ---------------------------------------------------------------- market data

  /**
   * Processes a bar of symbol `symbolIndex` opening at `ts`. Call it before the strategies see the
   * bar. Costs a counter check when the symbol has no working order. Throws InvariantError on an
   * inconsistent bar and TimeTravelError when `ts` does not increase per symbol. `closeTs` is when
   * the bar closed (market-on-close fills are stamped then); default `ts` + the configured
   * barIntervalUs. A replay passes each bar's true close (a bar of an irregular calendar closes when
   * the next bar of its symbol opens; see cli/compose/bar-timing.ts).
   */
  onBar(symbolIndex: number, ts: number, open: number, high: number, low: number, close: number, volume: number, closeTs = ts + (this.config.barIntervalUs ?? 0)): void {
    this.onBarRow(symbolIndex, this.one.set(ts, open, high, low, close, volume, closeTs), 0);
  }

  /** The row {@link onBar} writes its bar into. */
  private readonly one = new BarRow();

  /**
   * {@link onBar} of row `row` of bar columns (open time `barTs`, close time `ts`): the replay's path.
   * The bar is read from the columns here, not passed: a number passed to a call V8 does not inline
   * is boxed, an allocation per bar.
   */
  onBarRow(symbolIndex: number, cols: VenueBars, row: number): void {
    const ts = cols.barTs[row]!;
    const open = cols.open[row]!;
    const high = cols.high[row]!;
    const low = cols.low[row]!;
    const close = cols.close[row]!;
    const volume = cols.volume[row]!;
    const last = this.lastBarTs[symbolIndex];
    if (last === undefined) throw new InvalidArgumentError(`invalid 'symbolIndex': no such symbol, was ${symbolIndex}`);
    if (!(ts > last)) throw new TimeTravelError(`venue: bar of "${this.symbols[symbolIndex]}" at ${ts} is not after the previous bar at ${last}`);
    if (!(low > 0 && low <= open && low <= close && high >= open && high >= close && volume >= 0 && high < Infinity && volume < Infinity)) {
      throw new InvariantError(`venue: inconsistent bar of "${this.symbols[symbolIndex]}" at ${ts}: open ${open}, high ${high}, low ${low}, close ${close}, volume ${volume}`);
    }
    this.lastBarTs[symbolIndex] = ts;
    // What a market-on-close order fills at when it arrives: kept only under marketFill 'close' (three
    // stores a bar, a quarter of this call's cost on a bar without working orders).
    if (this.closeFills) {
      this.lastBarCloseTs[symbolIndex] = cols.ts[row]!;
      this.lastClose[symbolIndex] = close;
      this.lastVolume[symbolIndex] = volume;
    }
    if (this.workingCount[symbolIndex] === 0) return;
    this.barCloseTs = cols.ts[row]!;
    // The bar goes on as its columns and row, not as its numbers: see above.
    this.processBar(symbolIndex, cols, row);
  }

  /** Processes a top-of-book quote. Call it before the strategies see the quote. */
  onQuote(symbolIndex: number, ts: number, bid: number, bidSize: number, ask: number, askSize: number): void {
    this.checkTick(symbolIndex, ts);
    if (!(bid > 0 && ask > 0 && bid < Infinity && ask < Infinity && bidSize >= 0 && askSize >= 0 && bidSize < Infinity && askSize < Infinity)) {
      throw new InvariantError(`venue: invalid quote of "${this.symbols[symbolIndex]}" at ${ts}: bid ${bid} x ${bidSize}, ask ${ask} x ${askSize}`);
    }
    this.bid[symbolIndex] = bid;
    this.bidSize[symbolIndex] = bidSize;
    this.ask[symbolIndex] = ask;
    this.askSize[symbolIndex] = askSize;
    this.hasQuote[symbolIndex] = 1;
    this.quoteTs[symbolIndex] = ts;
    this.tickDriven[symbolIndex] = 1;
    if (this.workingCount[symbolIndex] === 0) return;
    this.expireDueIn(this.bySymbol[symbolIndex]!, ts);
    if (!this.tickTradable(symbolIndex, ts)) return this.compact(symbolIndex);
    const list = this.bySymbol[symbolIndex]!;
    for (let i = 0; i < list.length; i++) {
      const o = list[i]!;
      if (o.active && !o.dormant) this.matchQuote(o, ts);
    }
    this.cancelArrivedImmediateOrders(symbolIndex, ts);
    this.compact(symbolIndex);
  }

  /** Processes a trade print (`side`: aggressor, 1 buyer, -1 seller, 0 unknown; not used for matching). */
  onTrade(symbolIndex: number, ts: number, price: number, size: number, side: -1 | 0 | 1): void {
    this.checkTick(symbolIndex, ts);
    if (!(price > 0 && price < Infinity && size >= 0 && size < Infinity) || (side !== -1 && side !== 0 && side !== 1)) {
      throw new InvariantError(`venue: invalid trade of "${this.symbols[symbolIndex]}" at ${ts}: price ${price}, size ${size}, side ${side}`);
    }
    this.tickDriven[symbolIndex] = 1;
    if (this.workingCount[symbolIndex] === 0) return;
    this.expireDueIn(this.bySymbol[symbolIndex]!, ts);
    if (!this.tickTradable(symbolIndex, ts)) return this.compact(symbolIndex);
    const list = this.bySymbol[symbolIndex]!;
    for (let i = 0; i < list.length; i++) {
      const o = list[i]!;
      if (o.active && !o.dormant) this.matchTrade(o, ts, price, size);
    }
    this.cancelArrivedImmediateOrders(symbolIndex, ts);
    this.compact(symbolIndex);
  }

  /** Expires DAY orders (all symbols, in arrival order) whose day ended at or before `ts`. O(1) when none is due. */
  onTimeAdvance(ts: number): void {
    if (ts < this.nextExpiry) return;
    this.expireAllDue(ts);
    for (let s = 0; s < this.bySymbol.length; s++) this.compact(s);
  }

  // ---------------------------------------------------------------- bars

  /**
   * The bar of row `row` of `cols` for symbol `s`, which has working orders. Its numbers are read
   * from the columns by each function that needs them, not passed: each double passed to a call V8
   * does not inline is a new heap number (six a bar with working orders, three more a fill).
   */
  private processBar(s: number, cols: VenueBars, row: number): void {
    if (this.dayOrders !== 0) this.expireDueIn(this.bySymbol[s]!, cols.barTs[row]!);
    if (this.tickDriven[s] === 1) return this.compact(s);
    if (this.sessions !== null && !this.barTradable(s, cols.barTs[row]!, this.barCloseTs)) return this.compact(s);
    const ts = cols.barTs[row]!;
    const list = this.bySymbol[s]!;
    this.path.set(cols.open[row]!, cols.high[row]!, cols.low[row]!, cols.close[row]!);
    const scratch = this.scratch;
    for (let i = 0; i < list.length; i++) {
      const o = list[i]!;
      if (!o.active || o.dormant || !(ts >= o.submitTs && ts > o.lastBarTsAtSubmit)) continue;
      this.planBar(o, cols, row);
      if (o.planPos < 0) continue;
      // Insertion by (planPos, seq): lists are short and this allocates nothing.
      let j = scratch.length;
      scratch.push(o);
      while (j > 0) {
        const prev = scratch[j - 1]!;
        if (prev.planPos < o.planPos || (prev.planPos === o.planPos && prev.seq < o.seq)) break;
        scratch[j] = prev;
        j--;
      }
      scratch[j] = o;
    }
    for (let i = 0; i < scratch.length; i++) {
      const o = scratch[i]!;
      if (!o.active) continue;
      if (o.planTriggers) {
        o.triggered = true;
        this.emit({ kind: 'OrderTriggered', ts, orderId: o.id });
      }
      if (o.planQty > 0) {
        this.available[0] = cols.volume[row]!;
        this.executePlan(o);
      }
    }
    // pop, not `length = 0`: setting an array's length is a runtime call in V8 (and to 0 frees its storage).
    while (scratch.length !== 0) scratch.pop();
    this.cancelArrivedImmediateOrders(s, ts);
    this.compact(s);
  }

  /**
   * Plans what `o` does in the loaded bar without side effects: sets planPos (position along the
   * path, -1 for nothing), planTriggers and, when it fills, planQty > 0 with price, liquidity and ts.
   */
  private planBar(o: WorkingOrder, cols: VenueBars, row: number): void {
    const ts = cols.barTs[row]!;
    const open = cols.open[row]!;
    const high = cols.high[row]!;
    const low = cols.low[row]!;
    const close = cols.close[row]!;
    const cfg = this.config;
    const bars = this.path;
    const sign = o.sign;
    const buy = sign === 1;
    const strict = cfg.limitFill === 'through';
    o.planPos = -1;
    o.planTriggers = false;
    o.planQty = 0;
    o.arrived = true;
    const path = bars.pathFor(cfg.intrabarPath, sign);
    if (o.actsAsMarket) {
      if (o.type === 'market' && cfg.marketFill === 'close') this.plan(o, bars.totalOf(path), close, 'taker', this.barCloseTs, false);
      else this.plan(o, 0, open, 'taker', ts, false);
      return;
    }
    if (o.actsAsLimit) {
      const lim = o.limitPrice;
      // Cheap range test first: most resting limits are nowhere near the bar.
      if (buy ? low > lim : high < lim) return;
      if (buy ? (strict ? open < lim : open <= lim) : strict ? open > lim : open >= lim) {
        this.plan(o, 0, open, 'taker', ts, true);
        return;
      }
      if (o.timeInForce === 'IOC' || o.timeInForce === 'FOK') return; // matched at the open only
      const hit = bars.firstHit(path, 0, open, 0, lim, !buy, strict);
      if (hit >= 0) this.plan(o, hit, lim, 'maker', ts, true);
      return;
    }
    // An untriggered stop or stop-limit: buy stops trigger at or above the stop, sell stops at or below.
    const stop = o.stopPrice;
    if (buy ? high < stop : low > stop) return;
    let tPos: number;
    let tPrice: number;
    let tSeg: number;
    if (buy ? open >= stop : open <= stop) {
      tPos = 0;
      tPrice = open;
      tSeg = 0;
    } else {
      tPos = bars.firstHit(path, 0, open, 0, stop, buy, false);
      if (tPos < 0) return;
      tPrice = stop;
      tSeg = bars.hitSeg;
    }
    o.planTriggers = true;
    o.planPos = tPos;
    if (o.type === 'stop') {
      this.plan(o, tPos, tPrice, 'taker', ts, false);
      return;
    }
    const lim = o.limitPrice;
    if (buy ? tPrice <= lim : tPrice >= lim) {
      this.plan(o, tPos, tPrice, 'taker', ts, true);
      return;
    }
    const hit = bars.firstHit(path, tSeg, tPrice, tPos, lim, !buy, strict);
    if (hit >= 0) this.plan(o, hit, lim, 'maker', ts, true);
  }

  private plan(o: WorkingOrder, pos: number, price: number, liquidity: Liquidity, ts: number, isLimit: boolean): void {
    o.planPos = pos;
    o.planQty = o.leaves;
    o.planPrice = price;
    o.planLiquidity = liquidity;
    o.planTs = ts;
    o.planIsLimit = isLimit;
  }

  // ---------------------------------------------------------------- ticks

  private checkTick(s: number, ts: number): void {
    const last = this.lastTickTs[s];
    if (last === undefined) throw new InvalidArgumentError(`invalid 'symbolIndex': no such symbol, was ${s}`);
    if (!(ts >= last)) throw new TimeTravelError(`venue: tick of "${this.symbols[s]}" at ${ts} is before the previous tick at ${last}`);
    this.lastTickTs[s] = ts;
  }

  /** Matches one order against the symbol's current quote. */
  private matchQuote(o: WorkingOrder, ts: number): void {
    const s = o.symbolIndex;
    const buy = o.sign === 1;
    const firstLook = !o.arrived;
    o.arrived = true;
    const touch = buy ? this.ask[s]! : this.bid[s]!;
    const size = buy ? this.askSize[s]! : this.bidSize[s]!;
    let justTriggered = false;
    if ((o.type === 'stop' || o.type === 'stop_limit') && !o.triggered) {
      if (!(buy ? touch >= o.stopPrice : touch <= o.stopPrice)) return;
      o.triggered = true;
      justTriggered = true;
      this.emit({ kind: 'OrderTriggered', ts, orderId: o.id });
    }
    if (o.actsAsMarket) return this.execute(o, touch, 'taker', ts, false, size);
    const lim = o.limitPrice;
    const marketable = buy ? touch <= lim : touch >= lim;
    if (firstLook || justTriggered) {
      if (marketable) this.execute(o, touch, 'taker', ts, true, size);
      return;
    }
    const reached = this.config.limitFill === 'through' ? (buy ? touch < lim : touch > lim) : marketable;
    if (reached) this.execute(o, lim, 'maker', ts, true, size);
  }

  /** Matches one order against a trade print. */
  private matchTrade(o: WorkingOrder, ts: number, price: number, size: number): void {
    const buy = o.sign === 1;
    o.arrived = true;
    let justTriggered = false;
    if ((o.type === 'stop' || o.type === 'stop_limit') && !o.triggered) {
      if (!(buy ? price >= o.stopPrice : price <= o.stopPrice)) return;
      o.triggered = true;
      justTriggered = true;
      this.emit({ kind: 'OrderTriggered', ts, orderId: o.id });
    }
    if (o.actsAsMarket) {
      if (justTriggered || this.hasQuote[o.symbolIndex] === 0) this.execute(o, price, 'taker', ts, false, size);
      return;
    }
    const lim = o.limitPrice;
    if (justTriggered) {
      if (buy ? price <= lim : price >= lim) this.execute(o, price, 'taker', ts, true, size);
      return;
    }
    const reached = this.config.limitFill === 'through' ? (buy ? price < lim : price > lim) : buy ? price <= lim : price >= lim;
    if (reached) this.execute(o, lim, 'maker', ts, true, size);
  }

  // ---------------------------------------------------------------- execution and lifecycle

  /**
   * Fills as much of `o` as the volume cap (against `available` units), reduce-only and FOK allow at
   * `price` (before slippage), or cancels it when reduce-only or FOK forbid the fill: {@link executePlan}
   * with these as the plan.
   */
  private execute(o: WorkingOrder, price: number, liquidity: Liquidity, ts: number, isLimit: boolean, available: number): void {
    o.planPrice = price;
    o.planLiquidity = liquidity;
    o.planTs = ts;
    o.planIsLimit = isLimit;
    this.available[0] = available;
    this.executePlan(o);
  }

  /**
   * Fills as much of `o` as the volume cap (against `available[0]` units), reduce-only and FOK allow
   * at its planned price (before slippage), liquidity and time, or cancels it when reduce-only or FOK
   * forbid the fill. Its numbers are read here, not passed (see {@link processBar}).
   */
  private executePlan(o: WorkingOrder): void {
    const price = o.planPrice;
    const ts = o.planTs;
    const leaves = o.leaves;
    let qty = leaves;
    if (this.slippage.capsVolume) qty = Math.min(qty, this.floorToLot(this.slippage.capacity(this.available[0]!), o.symbolIndex));
    const wanted = qty;
    // Asked only of a reduce-only order (it returns any other's `qty` as it is): its two numbers in and
    // one out are three heap numbers a fill when V8 does not inline it.
    if (o.reduceOnly) {
      qty = this.clipReduceOnly(o, qty, ts);
      if (qty < 0) return;
    }
    if (o.timeInForce === 'FOK' && qty < leaves - tolerance(leaves)) {
      return this.cancelWith(o, ts, `FOK: only ${qty} of ${leaves} could fill at once`);
    }
    if (!(qty > 0)) return;
    let px = this.slippage.adjust(price, o.sign);
    if (o.planIsLimit) px = o.sign === 1 ? Math.min(px, o.limitPrice) : Math.max(px, o.limitPrice);
    const f = this.fillFigures;
    f[0] = qty;
    f[1] = px;
    f[2] = ts;
    this.bookFillOf(o, o.planLiquidity, qty < wanted);
  }

  protected override fillLot(s: number): number {
    return this.lotOf[s]!;
  }

  /** ` of SYMBOL's instrument` when the symbol's grid is its instrument's, else ''. */
  private whose(s: number): string {
    return this.specs !== null && this.specs[s] !== null ? ` of ${this.symbols[s]}'s instrument` : '';
  }

  private floorToLot(qty: number, s: number): number {
    const lot = this.lotOf[s]!;
    if (lot <= 0 || qty === Infinity) return qty;
    return Math.floor(qty / lot + 1e-9) * lot;
  }

  /** Cancels what is left of IOC/FOK orders that have had their one chance. */
  private cancelArrivedImmediateOrders(s: number, ts: number): void {
    const list = this.bySymbol[s]!;
    for (let i = 0; i < list.length; i++) {
      const o = list[i]!;
      if (o.active && o.arrived && o.immediate) this.cancelUnfilled(o, ts);
    }
  }

  /** Takes a finished order off the symbol's count (its list entry goes at the next compaction). */
  protected released(o: WorkingOrder): void {
    this.workingCount[o.symbolIndex]!--;
  }

  /** Removes finished orders from the symbol's list in place, keeping submission order. */
  private compact(s: number): void {
    const list = this.bySymbol[s]!;
    let w = 0;
    for (let r = 0; r < list.length; r++) {
      const o = list[r]!;
      if (o.active) list[w++] = o;
      else if (o.link === null && this.freed.length < SPARE_MAX) this.freed.push(o);
    }
    // pop, not `length = w`: setting an array's length is a runtime call in V8, and setting it to 0
    // frees the storage the next order's push allocates again.
    while (list.length > w) list.pop();
  }
}
