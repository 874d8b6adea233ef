import type { StrategyId } from '../core/index.js';
import { Ema } from '../indicators/index.js';
import { defineStrategy } from './define-strategy.js';
import {
  MOVING_AVERAGE_CROSS_DEFAULTS,
  MovingAverageCrossStrategy,
  movingAverageCrossWarmup,
  qualifyMovingAverageCrossParams,
  type MovingAverageCrossParams,
} from './moving-average-cross.js';

/** Parameters of `ema_cross`; see {@link MovingAverageCrossParams}. */
export type EmaCrossParams = MovingAverageCrossParams;

/** Defaults of `ema_cross`: EMA(10) / EMA(20), long/short reversal, 100 units. */
export const EMA_CROSS_DEFAULTS: EmaCrossParams = MOVING_AVERAGE_CROSS_DEFAULTS;

/** Returns the validated `ema_cross` parameters with defaults applied. */
export function emaCrossParams(params?: Partial<EmaCrossParams>): EmaCrossParams {
  return qualifyMovingAverageCrossParams('ema_cross', params);
}

/**
 * `ema_cross`: exponential-moving-average crossover. Each EMA is seeded with the simple mean of its
 * first `period` closes (TTR's convention), so it is ready after `period` bars like the SMA; see
 * {@link MovingAverageCrossStrategy} for the cross rule.
 */
export class EmaCrossStrategy extends MovingAverageCrossStrategy {
  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<EmaCrossParams>) {
    super('ema_cross', 'EMA', (n) => new Ema(n), id, symbols, emaCrossParams(params));
  }
}

/** The built-in `ema_cross` (scenario `"type": "ema_cross"`). */
export const emaCross = defineStrategy({
  name: 'ema_cross',
  description:
    'Exponential-moving-average crossover: +size when EMA(fast) crosses above EMA(slow), -size (long_short) or flat (long_only) when it crosses below.',
  defaults: EMA_CROSS_DEFAULTS,
  params: emaCrossParams,
  warmup: movingAverageCrossWarmup,
  create: ({ id, symbols, params }) => new EmaCrossStrategy(id, symbols, params),
});

export default emaCross;
