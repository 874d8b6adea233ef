import {
  Adx,
  Atr,
  BollingerBands,
  DonchianChannel,
  Ema,
  Ibs,
  Macd,
  RollingMax,
  RollingMin,
  RollingStd,
  Rsi,
  Sma,
  ZScore,
  type Indicator,
} from '../../../../engine/indicators/index.js';

/** One indicator under test: how to feed it a bar and read every output it exposes. */
export interface Entry {
  readonly name: string;
  make(): Indicator;
  /** Feeds one bar (scalar indicators get the close) and returns every output, primary value first. */
  step(ind: Indicator, high: number, low: number, close: number): number[];
}

const scalar = (name: string, make: () => Indicator & { update(x: number): number }): Entry => ({
  name,
  make,
  step: (ind, _h, _l, c) => [(ind as ReturnType<typeof make>).update(c)],
});

/** Every indicator of engine/indicators with small periods, so warm-ups end inside short series. */
export const catalogue: readonly Entry[] = [
  scalar('Sma', () => new Sma(5)),
  scalar('Ema', () => new Ema(5)),
  scalar('Ema (wilder)', () => new Ema(4, { wilder: true })),
  scalar('Rsi', () => new Rsi(4)),
  scalar('RollingStd (sample)', () => new RollingStd(6)),
  scalar('RollingStd (population)', () => new RollingStd(6, { sample: false })),
  scalar('ZScore', () => new ZScore(5)),
  scalar('RollingMax', () => new RollingMax(4)),
  scalar('RollingMin', () => new RollingMin(4)),
  {
    name: 'Macd',
    make: () => new Macd({ fast: 3, slow: 6, signal: 3 }),
    step: (ind, _h, _l, c) => {
      const m = ind as Macd;
      m.update(c);
      return [m.macd, m.signal, m.histogram];
    },
  },
  {
    name: 'BollingerBands',
    make: () => new BollingerBands({ period: 5, k: 2 }),
    step: (ind, _h, _l, c) => {
      const b = ind as BollingerBands;
      b.update(c);
      return [b.middle, b.upper, b.lower, b.percentB];
    },
  },
  {
    name: 'Atr',
    make: () => new Atr(4),
    step: (ind, h, l, c) => {
      const a = ind as Atr;
      a.update(h, l, c);
      return [a.value, a.trueRange];
    },
  },
  {
    name: 'Adx',
    make: () => new Adx(4),
    step: (ind, h, l, c) => {
      const a = ind as Adx;
      a.update(h, l, c);
      return [a.adx, a.plusDI, a.minusDI, a.dx];
    },
  },
  {
    name: 'DonchianChannel',
    make: () => new DonchianChannel(4),
    step: (ind, h, l) => {
      const d = ind as DonchianChannel;
      d.update(h, l);
      return [d.middle, d.upper, d.lower];
    },
  },
  {
    name: 'Ibs',
    make: () => new Ibs(),
    step: (ind, h, l, c) => [(ind as Ibs).update(h, l, c)],
  },
];
