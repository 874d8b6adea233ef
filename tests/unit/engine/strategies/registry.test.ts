import { describe, expect, it } from 'vitest';
import { MULTI_SYMBOL_STRATEGIES } from '../../../support/multi-bars.js';
import {
  createStrategy,
  EmaCrossStrategy,
  IbsStrategy,
  RsiReversionStrategy,
  SmaCrossStrategy,
  STRATEGIES,
  STRATEGY_NAMES,
} from '../../../../engine/strategies/index.js';

describe('strategy registry', () => {
  it('registers sma_cross, ema_cross, rsi_reversion, ibs and q_learning_selector', () => {
    expect(STRATEGY_NAMES).toEqual(['sma_cross', 'ema_cross', 'rsi_reversion', 'ibs', 'q_learning_selector', 'liquidity_flow', 'microstructure', 'options_flow', 'delta_hedge', 'ut_bot', 'mean_reversion', 'momentum', 'gradient_trend', 'donchian_breakout', 'volatility_regime', 'anomaly', 'regime_change', 'bayesian_updater', 'volume_sr', 'fractal', 'entropy', 'sentiment', 'pairs', 'granger_causality', 'correlation_matrix']);
    expect(createStrategy('sma_cross', 'a', ['X'])).toBeInstanceOf(SmaCrossStrategy);
    expect(createStrategy('ema_cross', 'b', ['X'])).toBeInstanceOf(EmaCrossStrategy);
    expect(createStrategy('rsi_reversion', 'c', ['X'])).toBeInstanceOf(RsiReversionStrategy);
    expect(createStrategy('ibs', 'd', ['X'])).toBeInstanceOf(IbsStrategy);
  });

  it('names an unknown strategy and lists the known ones', () => {
    expect(() => createStrategy('macd_cross', 'a', ['X'])).toThrow(
      'unknown strategy "macd_cross" (known: sma_cross, ema_cross, rsi_reversion, ibs, q_learning_selector, liquidity_flow, microstructure, options_flow, delta_hedge, ut_bot, mean_reversion, momentum, gradient_trend, donchian_breakout, volatility_regime, anomaly, regime_change, bayesian_updater, volume_sr, fractal, entropy, sentiment, pairs, granger_causality, correlation_matrix)',
    );
    expect(() => createStrategy('toString', 'a', ['X'])).toThrow('unknown strategy "toString"');
  });

  it('passes parameters through and keeps the id and symbols', () => {
    const s = createStrategy('sma_cross', 'fast-slow', ['AAA', 'BBB'], { fast: 5, slow: 30 }) as SmaCrossStrategy;
    expect(s.id).toBe('fast-slow');
    expect(s.symbols).toEqual(['AAA', 'BBB']);
    expect(s.params).toMatchObject({ fast: 5, slow: 30, mode: 'long_short' });
  });

  it('rejects a bad parameter, naming it', () => {
    expect(() => createStrategy('ibs', 'i', ['ES'], { entryThreshold: 2 })).toThrow("invalid 'entryThreshold': outside (0, 1], was 2");
    expect(() => createStrategy('rsi_reversion', 'r', ['ES'], { oversld: 20 })).toThrow("invalid parameter 'oversld' for rsi_reversion");
  });

  it('exposes frozen defaults that validate to themselves, and a description', () => {
    for (const name of STRATEGY_NAMES) {
      const def = STRATEGIES[name];
      expect(Object.isFrozen(def.defaults)).toBe(true);
      expect(def.description.length).toBeGreaterThan(20);
      expect((createStrategy(name, 's', MULTI_SYMBOL_STRATEGIES[name] ?? ['X']) as unknown as { params: unknown }).params).toEqual(def.defaults);
    }
  });
});
