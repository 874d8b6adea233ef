import { assertNever, checkPositive, InvalidArgumentError } from '../../../engine/core/index.js';

/**
 * The queue state of one resting own order, kept on the order record. `front` is the estimated
 * quantity ahead of the order at its price level; it may go negative when more traded at the level
 * than was ahead, and the excess is what the order fills. `cumTrade` is the traded quantity not yet
 * reflected in a depth change (the probabilistic models use it to avoid counting a trade twice, once
 * as a print and again as the level's size decrease).
 */
export interface QueuePosition {
  front: number;
  cumTrade: number;
}

/**
 * Estimates an own order's place in the queue at its price level from what L2 data shows: the
 * displayed size when the order joins, trades at the price, and size changes of the level.
 * Implementations are stateless; the state lives in the {@link QueuePosition}.
 */
export interface QueueModel {
  /** Names the model in the report's assumptions. */
  describe(): string;
  /** Places an order that starts resting at a level showing `levelSize`: it joins at the back. */
  onJoin(q: QueuePosition, levelSize: number): void;
  /** A trade of `qty` printed at the order's price, hitting its side. */
  onTrade(q: QueuePosition, qty: number): void;
  /** The displayed size at the order's level changed from `prevSize` to `newSize`. */
  onDepth(q: QueuePosition, prevSize: number, newSize: number): void;
}

/**
 * The conservative model (hftbacktest's RiskAdverseQueueModel): the quantity ahead shrinks only by
 * trades at the price; a size decrease of the level is assumed to come from orders behind us, except
 * that the quantity ahead can never exceed what the level displays.
 */
export class RiskAverseQueue implements QueueModel {
  describe(): string {
    return 'Queue position: risk-averse (the quantity ahead shrinks only by trades at the price; cancels are assumed to be behind the order, the quantity ahead never exceeds the displayed size)';
  }
  onJoin(q: QueuePosition, levelSize: number): void {
    q.front = levelSize;
    q.cumTrade = 0;
  }
  onTrade(q: QueuePosition, qty: number): void {
    q.front -= qty;
  }
  onDepth(q: QueuePosition, _prevSize: number, newSize: number): void {
    if (newSize < q.front) q.front = newSize;
  }
}

/** The probability functions of {@link ProbQueue}, as in hftbacktest. */
export type QueueProbabilityFunction = 'power' | 'log' | 'power-fraction';
export const QUEUE_PROBABILITY_FUNCTIONS = ['power', 'log', 'power-fraction'] as const;

/**
 * A probabilistic model (hftbacktest's ProbQueueModel, after Rigtorp's "Estimating order queue
 * position"): trades at the price move the order forward one for one; a size decrease not explained
 * by trades is split between the queue ahead and the queue behind. With `front` ahead and
 * `back = prevSize - front` behind, the share taken from behind is p = f(back) / (f(back) + f(front))
 * (`power`: f(x) = x^n; `log`: f(x) = ln(1 + x)) or p = 1 - (front / (front + back))^n
 * (`power-fraction`). So the further back the order sits, the likelier a cancel came from ahead of it.
 * A size increase never moves the order (new orders join behind it).
 */
export class ProbQueue implements QueueModel {
  readonly fn: QueueProbabilityFunction;
  readonly n: number;

  constructor(fn: QueueProbabilityFunction = 'power', n = 3) {
    if (!QUEUE_PROBABILITY_FUNCTIONS.includes(fn)) {
      throw new InvalidArgumentError(`invalid 'queue.function': not one of ${QUEUE_PROBABILITY_FUNCTIONS.join(', ')}, was "${String(fn)}"`);
    }
    this.fn = fn;
    this.n = checkPositive(n, 'queue.n');
  }

  describe(): string {
    const f =
      this.fn === 'power'
        ? `f(back) / (f(back) + f(front)) with f(x) = x^${this.n}`
        : this.fn === 'log'
          ? 'f(back) / (f(back) + f(front)) with f(x) = ln(1 + x)'
          : `1 - (front / (front + back))^${this.n}`;
    return `Queue position: probabilistic (trades at the price move the order forward; a size decrease not explained by trades comes from behind the order with probability ${f})`;
  }

  /** Returns the probability that a decrease came from behind an order with `front` ahead and `back` behind. */
  probBehind(front: number, back: number): number {
    let p: number;
    switch (this.fn) {
      case 'power': {
        const fb = Math.pow(back, this.n);
        p = fb / (fb + Math.pow(front, this.n));
        break;
      }
      case 'log': {
        const fb = Math.log1p(back);
        p = fb / (fb + Math.log1p(front));
        break;
      }
      case 'power-fraction':
        p = 1 - Math.pow(front / (front + back), this.n);
        break;
      default:
        return assertNever(this.fn, 'queue probability function');
    }
    // 0/0 (nothing ahead or behind): any decrease is behind the order.
    return p === p ? p : 1;
  }

  onJoin(q: QueuePosition, levelSize: number): void {
    q.front = levelSize;
    q.cumTrade = 0;
  }
  onTrade(q: QueuePosition, qty: number): void {
    q.front -= qty;
    q.cumTrade += qty;
  }
  onDepth(q: QueuePosition, prevSize: number, newSize: number): void {
    const chg = prevSize - newSize - q.cumTrade;
    q.cumTrade = 0;
    if (chg < 0) {
      if (newSize < q.front) q.front = newSize;
      return;
    }
    const front = q.front;
    const back = prevSize - front;
    const p = this.probBehind(Math.max(front, 0), Math.max(back, 0));
    const est = front - (1 - p) * chg + Math.min(back - p * chg, 0);
    q.front = Math.min(est, newSize);
  }
}

/** Queue model configuration, discriminated on `kind`. */
export type QueueModelConfig =
  | { readonly kind: 'risk-averse' }
  | { readonly kind: 'prob'; readonly function?: QueueProbabilityFunction; readonly n?: number };

/** Returns the queue model for `config`; errors name the field and the value. */
export function createQueueModel(config: QueueModelConfig, path = 'queue'): QueueModel {
  switch (config.kind) {
    case 'risk-averse':
      return new RiskAverseQueue();
    case 'prob':
      return new ProbQueue(config.function ?? 'power', checkPositive(config.n ?? 3, `${path}.n`));
    default: {
      const kind = (config as { kind?: unknown }).kind;
      throw new InvalidArgumentError(`invalid '${path}.kind': not one of risk-averse, prob, was ${JSON.stringify(kind)}`);
    }
  }
}
