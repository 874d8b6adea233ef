import { US_PER_DAY } from '../../engine/core/index.js';
import type { Strategy } from '../../engine/strategies/index.js';
import type { BacktestConfig } from '../../sim/backtest/index.js';
import { venueConfig } from '../../sim/venue/index.js';

/**
 * A one-symbol ('S0' unless `extra.symbols` says otherwise) daily-bar backtest config for tests:
 * 10,000 cash, default venue, no risk engine, a lookback of 4 bars, the strategy `make` builds.
 */
export function dailyConfig(make: () => Strategy, extra: Partial<BacktestConfig> = {}): BacktestConfig {
  return {
    symbols: ['S0'],
    initialCash: 10_000,
    barIntervalUs: US_PER_DAY,
    equityEveryUs: 60_000_000,
    lookback: 4,
    venue: venueConfig({ barIntervalUs: US_PER_DAY }),
    createStrategies: () => [make()],
    createRisk: null,
    ...extra,
  };
}
