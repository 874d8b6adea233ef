import type { Liquidity, Order } from '../../engine/model/index.js';
import { VenueOrder } from './order-core.js';

/**
 * The bar/L1 venue's record of a working order: the shared {@link VenueOrder} plus what the bar and
 * quote matcher needs. Every field is initialised in the constructor so the shape stays monomorphic
 * on the hot path.
 */
export class WorkingOrder extends VenueOrder {
  /** Open time of the last bar the venue had seen for the symbol when the order arrived (-Infinity if none). */
  declare readonly lastBarTsAtSubmit: number;
  /** False until the order has had its first chance to match (its arrival). */
  declare arrived: boolean;

  // Plan of the current bar, filled by the matcher and consumed in path order (no allocation per bar).
  declare planPos: number;
  declare planTriggers: boolean;
  declare planQty: number;
  declare planPrice: number;
  declare planLiquidity: Liquidity;
  /** True when the planned price is a limit price or better, so slippage must not push it past the limit. */
  declare planIsLimit: boolean;
  declare planTs: number;

  constructor(order: Readonly<Order>, symbolIndex: number, seq: number, submitTs: number, lastBarTsAtSubmit: number) {
    super(order, symbolIndex, seq, submitTs);
    this.renewOwn(lastBarTsAtSubmit);
  }

  /**
   * Makes this finished record, which nothing refers to any more, the record of `order` (every field
   * as the constructor sets it): see SimulatedVenue's spare records.
   */
  renew(order: Readonly<Order>, symbolIndex: number, seq: number, submitTs: number, lastBarTsAtSubmit: number): void {
    this.renewOrder(order, symbolIndex, seq, submitTs);
    this.renewOwn(lastBarTsAtSubmit);
  }

  private renewOwn(lastBarTsAtSubmit: number): void {
    (this as { lastBarTsAtSubmit: number }).lastBarTsAtSubmit = lastBarTsAtSubmit;
    this.arrived = false;
    this.planPos = -1;
    this.planTriggers = false;
    this.planQty = 0;
    this.planPrice = 0;
    this.planLiquidity = 'taker';
    this.planIsLimit = false;
    this.planTs = 0;
  }

  /** True for limit orders and for stop-limit orders that have triggered. */
  get actsAsLimit(): boolean {
    return this.type === 'limit' || (this.type === 'stop_limit' && this.triggered);
  }

  /** True for market orders and for stop orders that have triggered. */
  get actsAsMarket(): boolean {
    return this.type === 'market' || (this.type === 'stop' && this.triggered);
  }
}
