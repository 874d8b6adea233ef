import type { Order } from '../../../engine/model/index.js';
import { VenueOrder } from '../order-core.js';
import type { QueuePosition } from './queue-model.js';

/**
 * The L2 venue's record of a working order: the shared {@link VenueOrder} plus its place on the
 * book. It is also the order's {@link QueuePosition}; `sign` (+1 buy, -1 sell) is the book side code
 * it rests on. Every field is initialised in the constructor so the shape stays monomorphic on the
 * hot path.
 */
export class L2Order extends VenueOrder implements QueuePosition {
  /** Limit price in integer ticks; +-Infinity for market orders (buy +Infinity, sell -Infinity). */
  limitTick: number;
  /** True while the order rests on the book with a queue position. */
  resting: boolean;
  /** True while a stop (a bracket's stop-loss) waits for its trigger. */
  stopWaiting: boolean;

  /** Estimated quantity ahead at the order's level (QueuePosition). */
  front: number;
  /** Traded quantity not yet seen as a depth change (QueuePosition). */
  cumTrade: number;
  /** Displayed size of the order's level when the venue last looked (the queue model's `prevSize`). */
  levelSize: number;

  /** Mid price when the order arrived (NaN without a two-sided book) and what it took as a taker. */
  arrivalMid: number;
  takerQty: number;
  takerNotional: number;

  constructor(order: Readonly<Order>, symbolIndex: number, seq: number, arrivalTs: number, limitTick: number) {
    super(order, symbolIndex, seq, arrivalTs);
    this.limitTick = limitTick;
    this.resting = false;
    this.stopWaiting = false;
    this.front = 0;
    this.cumTrade = 0;
    this.levelSize = 0;
    this.arrivalMid = Number.NaN;
    this.takerQty = 0;
    this.takerNotional = 0;
  }
}
