import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest } from '../../index.js';
import { REPO } from '../support/cli.js';

/**
 * scenarios/quickstart.json runs on any daily OHLCV file: it sizes by equity fraction (0.95, long
 * or flat), so a position's exposure at entry is at most 95% of equity whether a unit costs 40,000
 * (BTC-like) or 1.1 (EURUSD-like), where sma-cross.json's 100 units would be 40x leverage or $110.
 */
const SCENARIO = resolve(REPO, 'scenarios/quickstart.json');
const DAY_MS = 86_400_000;
let dir: string;

/** 160 daily bars around `level`, a slow wave (crosses of SMA(10)/SMA(20)); each bar opens at the previous close. */
function csv(level: number): string {
  const rows = ['date,open,high,low,close,volume'];
  let prev = level;
  for (let i = 0; i < 160; i++) {
    const close = level * (1 + 0.15 * Math.sin(i / 9) + 0.01 * Math.sin(i * 1.7));
    const open = prev;
    const date = new Date(Date.UTC(2021, 0, 4) + i * DAY_MS).toISOString().slice(0, 10);
    rows.push(`${date},${open},${Math.max(open, close) * 1.002},${Math.min(open, close) * 0.998},${close},1000`);
    prev = close;
  }
  return `${rows.join('\n')}\n`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-quickstart-'));
  await writeFile(join(dir, 'btc.csv'), csv(40_000));
  await writeFile(join(dir, 'fx.csv'), csv(1.1));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scenarios/quickstart.json on any daily file', () => {
  for (const [file, level] of [
    ['btc.csv', 40_000],
    ['fx.csv', 1.1],
  ] as const) {
    it(`${file} (prices near ${level}): every entry's exposure is within 95% of equity and at least 95% less one unit`, async () => {
      const out = await backtest(SCENARIO, { overrides: [`data.bars=${join(dir, file)}`] });
      const buys = out.fills.filter((f) => f.side === 'buy');
      expect(buys.length).toBeGreaterThan(1);
      expect(out.fills.every((f) => f.side === 'buy' || f.side === 'sell')).toBe(true);
      const { ts, equity } = out.equity;
      for (const f of buys) {
        // Equity at the decision: the last sample before the fill (the crossing bar's close).
        let k = -1;
        for (let i = 0; i < ts.length; i++) if (ts[i]! < f.ts) k = i;
        const e = equity[k]!;
        const leverage = (f.qty * f.price) / e;
        // floor(0.95 x equity / close), filled at the next open (= that close here).
        expect(leverage).toBeLessThanOrEqual(0.95 + 1e-12);
        expect(leverage).toBeGreaterThan(0.95 - f.price / e);
        expect(Number.isInteger(f.qty)).toBe(true);
      }
      // Long or flat: never short.
      let pos = 0;
      for (const f of out.fills) {
        pos += f.side === 'buy' ? f.qty : -f.qty;
        expect(pos).toBeGreaterThanOrEqual(0);
      }
      expect(out.equity.equity.every((x) => x > 0)).toBe(true);
    }, 60_000);
  }
});
