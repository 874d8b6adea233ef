import type { StrategyId } from '../core/index.js';
import { Sma } from '../indicators/index.js';
import { defineStrategy } from './define-strategy.js';
import {
  MOVING_AVERAGE_CROSS_DEFAULTS,
  MovingAverageCrossStrategy,
  movingAverageCrossWarmup,
  qualifyMovingAverageCrossParams,
  type MovingAverageCrossParams,
} from './moving-average-cross.js';

/** Parameters of `sma_cross`; see {@link MovingAverageCrossParams}. */
export type SmaCrossParams = MovingAverageCrossParams;

/** Defaults of `sma_cross`: SMA(10) / SMA(20), long/short reversal, 100 units. */
export const SMA_CROSS_DEFAULTS: SmaCrossParams = MOVING_AVERAGE_CROSS_DEFAULTS;

/** Returns the validated `sma_cross` parameters with defaults applied. */
export function smaCrossParams(params?: Partial<SmaCrossParams>): SmaCrossParams {
  return qualifyMovingAverageCrossParams('sma_cross', params);
}

/**
 * `sma_cross`: simple-moving-average crossover (the classic SMA(10)/SMA(20) of backtesting.py and
 * backtrader); see {@link MovingAverageCrossStrategy} for the exact cross rule.
 */
export class SmaCrossStrategy extends MovingAverageCrossStrategy {
  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<SmaCrossParams>) {
    super('sma_cross', 'SMA', (n) => new Sma(n), id, symbols, smaCrossParams(params));
  }
}

/** The built-in `sma_cross` (scenario `"type": "sma_cross"`). */
export const smaCross = defineStrategy({
  name: 'sma_cross',
  description:
    'Simple-moving-average crossover: +size when SMA(fast) crosses above SMA(slow), -size (long_short) or flat (long_only) when it crosses below.',
  defaults: SMA_CROSS_DEFAULTS,
  params: smaCrossParams,
  warmup: movingAverageCrossWarmup,
  create: ({ id, symbols, params }) => new SmaCrossStrategy(id, symbols, params),
});

export default smaCross;
