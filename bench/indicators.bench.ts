/**
 * Streaming indicator throughput: updates per second of each indicator of engine/indicators over a
 * one-million-bar random walk preallocated in Float64Arrays. Each timed run feeds a fresh (reset)
 * indicator every bar and folds the outputs into a checksum so the JIT cannot drop the work; the
 * loops allocate nothing.
 */
import {
  Adx,
  Atr,
  BollingerBands,
  DonchianChannel,
  Ema,
  Ibs,
  Macd,
  RollingMax,
  RollingStd,
  Rsi,
  Sma,
  ZScore,
} from '../engine/indicators/index.js';
import { measure } from './harness.js';
import type { ThroughputResult } from './harness.js';

const BARS = 1_000_000;

function makeBars(): { high: Float64Array; low: Float64Array; close: Float64Array } {
  const high = new Float64Array(BARS);
  const low = new Float64Array(BARS);
  const close = new Float64Array(BARS);
  let s = 0x2545f491;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  let price = 100;
  for (let i = 0; i < BARS; i++) {
    const open = price;
    price *= 1 + (next() - 0.5) * 0.02;
    high[i] = Math.max(open, price) * (1 + next() * 0.005);
    low[i] = Math.min(open, price) * (1 - next() * 0.005);
    close[i] = price;
  }
  return { high, low, close };
}

/*
 * Outputs are folded into an object field that starts as a double rather than into a local: a local
 * accumulator that starts as the integer 0 can stay a tagged value in V8's optimized loop and box
 * every double added to it (16 bytes per update, measured), which would time the benchmark's own
 * allocation instead of the indicator's, which is none.
 */
const sink = { total: 0.5 };

/*
 * Each indicator gets its own loop function: a shared helper would see every indicator class at
 * one call site, go megamorphic and measure V8's dispatch instead of the indicator. A strategy
 * holding a concrete Sma is monomorphic, like these loops.
 */
export default async function run(): Promise<ThroughputResult[]> {
  const { high, low, close } = makeBars();
  const opts = { note: '1M-bar walk, reset per run', cpuTime: true };
  const sma20 = new Sma(20);
  const sma200 = new Sma(200);
  const ema = new Ema(20);
  const rsi = new Rsi(14);
  const macd = new Macd();
  const sd = new RollingStd(20);
  const z = new ZScore(20);
  const bb = new BollingerBands();
  const max = new RollingMax(20);
  const atr = new Atr(14);
  const adx = new Adx(14);
  const ibs = new Ibs();
  const dc = new DonchianChannel(20);
  const results: ThroughputResult[] = [];
  const add = async (name: string, loop: () => void): Promise<void> => {
    results.push(await measure(`indicator ${name}`, 'updates/s', BARS, loop, opts));
  };
  // `v === v` skips the warm-up NaNs so the checksum stays finite.
  await add('Sma(20)', () => {
    sma20.reset();
    for (let i = 0; i < BARS; i++) { const v = sma20.update(close[i]!); if (v === v) sink.total += v; }
  });
  await add('Sma(200)', () => {
    sma200.reset();
    for (let i = 0; i < BARS; i++) { const v = sma200.update(close[i]!); if (v === v) sink.total += v; }
  });
  await add('Ema(20)', () => {
    ema.reset();
    for (let i = 0; i < BARS; i++) { const v = ema.update(close[i]!); if (v === v) sink.total += v; }
  });
  await add('Rsi(14)', () => {
    rsi.reset();
    for (let i = 0; i < BARS; i++) { const v = rsi.update(close[i]!); if (v === v) sink.total += v; }
  });
  await add('Macd(12,26,9)', () => {
    macd.reset();
    for (let i = 0; i < BARS; i++) { macd.update(close[i]!); const v = macd.histogram; if (v === v) sink.total += v; }
  });
  await add('RollingStd(20)', () => {
    sd.reset();
    for (let i = 0; i < BARS; i++) { const v = sd.update(close[i]!); if (v === v) sink.total += v; }
  });
  await add('ZScore(20)', () => {
    z.reset();
    for (let i = 0; i < BARS; i++) { const v = z.update(close[i]!); if (v === v) sink.total += v; }
  });
  await add('BollingerBands(20,2)', () => {
    bb.reset();
    for (let i = 0; i < BARS; i++) { bb.update(close[i]!); const v = bb.percentB; if (v === v) sink.total += v; }
  });
  await add('RollingMax(20)', () => {
    max.reset();
    for (let i = 0; i < BARS; i++) { const v = max.update(close[i]!); if (v === v) sink.total += v; }
  });
  await add('Atr(14)', () => {
    atr.reset();
    for (let i = 0; i < BARS; i++) { const v = atr.update(high[i]!, low[i]!, close[i]!); if (v === v) sink.total += v; }
  });
  await add('Adx(14)', () => {
    adx.reset();
    for (let i = 0; i < BARS; i++) { const v = adx.update(high[i]!, low[i]!, close[i]!); if (v === v) sink.total += v; }
  });
  await add('Ibs', () => {
    ibs.reset();
    for (let i = 0; i < BARS; i++) sink.total += ibs.update(high[i]!, low[i]!, close[i]!);
  });
  await add('DonchianChannel(20)', () => {
    dc.reset();
    for (let i = 0; i < BARS; i++) { const v = dc.update(high[i]!, low[i]!); if (v === v) sink.total += v; }
  });
  if (!Number.isFinite(sink.total)) throw new Error(`indicator benchmark checksum is not finite: ${sink.total}`);
  return results;
}
