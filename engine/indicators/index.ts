/**
 * Streaming technical indicators: O(1) work per update (amortized O(1) for the rolling extremes),
 * no allocation after construction, deterministic (the same inputs give the same bits).
 *
 * Each one matches R's TTR 0.24.3 with TTR's defaults unless noted; tests/unit/engine/indicators
 * compares every value (warm-up NAs included) with tests/fixtures/ttr-indicators.json at 1e-9
 * relative tolerance. `warmUp` is the number of leading NaN updates, equal to TTR's leading NAs:
 *
 * | class           | TTR                           | warmUp                                     |
 * |-----------------|-------------------------------|--------------------------------------------|
 * | Sma(n)          | SMA(x, n)                     | n - 1                                      |
 * | Ema(n)          | EMA(x, n[, wilder])           | n - 1 (seeded with the mean of n inputs)   |
 * | Rsi(n)          | RSI(x, n)                     | n                                          |
 * | Macd            | MACD(x, 12, 26, 9, percent=F) | line slow - 1; signal slow + signal - 2    |
 * | Atr(n)          | ATR(HLC, n)                   | n (true range: 1)                          |
 * | Adx(n)          | ADX(HLC, n)                   | DI and DX n; ADX 2n - 1                    |
 * | BollingerBands  | BBands(x, 20, sd = 2)         | n - 1 (population deviation)               |
 * | RollingStd(n)   | runSD(x, n, sample)           | n - 1                                      |
 * | ZScore(n)       | (x - runMean) / runSD         | n - 1                                      |
 * | RollingMax/Min  | runMax / runMin               | n - 1                                      |
 * | DonchianChannel | DonchianChannel(HL, n)        | n - 1                                      |
 * | Ibs             | (C - L) / (H - L)             | 0                                          |
 *
 * Where TTR divides zero by zero (NaN) these return a defined value instead: RSI 50 when nothing
 * moved, ADX's DI/DX 0 without range or direction, %B 0.5 and z-score 0 on a constant window, IBS
 * 0.5 on a bar with high == low. Macd defaults to the price-difference line (TTR: percent = TRUE).
 * Every update rejects a NaN or infinite input with an InvalidArgumentError naming it.
 *
 * Each class has a batch function of the same name in lower case (`sma(closes, 10)`, `macd(closes)`,
 * `atr(high, low, close, 14)`, ...; see ./batch.ts) for research scripts: whole series in,
 * Float64Arrays of the same length out, NaN during warm-up, computed by the class itself.
 */
export type { Indicator, ScalarIndicator, BarIndicator, CloseSeries, BarRowSeries, SeriesIndicator } from './indicator.js';
export { Sma } from './sma.js';
export { Ema, type EmaOptions } from './ema.js';
export { Rsi } from './rsi.js';
export { Macd, type MacdOptions } from './macd.js';
export { Atr } from './atr.js';
export { Adx } from './adx.js';
export { BollingerBands, type BollingerBandsOptions } from './bollinger-bands.js';
export { RollingStd, type RollingStdOptions } from './rolling-std.js';
export { ZScore } from './z-score.js';
export { RollingExtreme, RollingMax, RollingMin } from './rolling-extreme.js';
export { DonchianChannel } from './donchian-channel.js';
export { Ibs, internalBarStrength } from './ibs.js';
export {
  sma,
  ema,
  rsi,
  macd,
  atr,
  adx,
  bollinger,
  rollingStd,
  zScore,
  rollingMax,
  rollingMin,
  donchian,
  ibs,
  type Series,
  type MacdSeries,
  type AdxSeries,
  type BollingerSeries,
  type DonchianSeries,
} from './batch.js';
