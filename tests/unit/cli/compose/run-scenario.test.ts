import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualify } from '../../../../cli/compose/load-scenario.js';
import { runScenario, runWarnings } from '../../../../cli/compose/run-scenario.js';
import type { BacktestResult } from '../../../../sim/backtest/index.js';
import { writeDataset } from '../../../../datasets/index.js';
import { generateMarket } from '../../../../datasets/synthetic/index.js';

let dir: string;
let mixed: string;
let risingCsv: string;
let twoRowCsv: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-run-scenario-'));
  // One dataset, two bar intervals: AAA daily, BBB hourly (7 bars a session).
  const daily = generateMarket({ seed: 3, symbols: ['AAA'], days: 120, interval: '1d', kinds: ['bars'] });
  const hourly = generateMarket({ seed: 4, symbols: ['BBB'], days: 40, interval: '1h', kinds: ['bars'] });
  mixed = join(dir, 'mixed');
  await writeDataset(mixed, [...daily.tables, ...hourly.tables], { generator: 'test' });
  // Steadily rising closes: SMA(fast) stays above SMA(slow), so a crossover never fires.
  const rows = ['date,open,high,low,close,volume'];
  for (let i = 0; i < 60; i++) {
    const d = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const p = 100 + i;
    rows.push(`${d},${p},${p + 0.5},${p - 0.5},${p + 0.25},1000`);
  }
  risingCsv = join(dir, 'rising.csv');
  await writeFile(risingCsv, `${rows.join('\n')}\n`);
  twoRowCsv = join(dir, 'two.csv');
  await writeFile(twoRowCsv, `${rows.slice(0, 3).join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sma = (params: Record<string, unknown> = {}) => ({ type: 'sma_cross', params: { fast: 3, slow: 8, sizing: { kind: 'units', units: 10 }, ...params } });

async function run(doc: Record<string, unknown>) {
  return runScenario(await qualify({ name: 't', ...doc }));
}

describe('runScenario: bar intervals', () => {
  it('D2: a dataset of daily and hourly symbols gives each its own interval: the same run in either symbol order, the hourly fills as on their own', async () => {
    const ab = await run({ data: { bars: mixed, symbols: ['AAA', 'BBB'] }, strategies: [sma()] });
    const ba = await run({ data: { bars: mixed, symbols: ['BBB', 'AAA'] }, strategies: [sma()] });
    const bOnly = await run({ data: { bars: mixed, symbols: ['BBB'] }, strategies: [sma()] });
    const aOnly = await run({ data: { bars: mixed, symbols: ['AAA'] }, strategies: [sma()] });
    expect(ba.result.runHash).toBe(ab.result.runHash);
    const fillsOf = (r: typeof ab, s: string) => r.result.fills.filter((f) => f.symbol === s).map((f) => [f.ts, f.side, f.qty, f.price]);
    expect(fillsOf(bOnly, 'BBB').length).toBeGreaterThan(4);
    expect(fillsOf(ab, 'BBB')).toEqual(fillsOf(bOnly, 'BBB'));
    expect(fillsOf(ba, 'BBB')).toEqual(fillsOf(bOnly, 'BBB'));
    expect(fillsOf(ab, 'AAA')).toEqual(fillsOf(aOnly, 'AAA'));
    expect(ab.report.data.barInterval).toBe('AAA 1d, BBB 1h');
    expect(bOnly.report.data.barInterval).toBe('1h');
  });

  it('D2: data.interval is checked against every symbol: one interval for daily and hourly symbols is refused naming the symbol', async () => {
    await expect(run({ data: { bars: mixed, interval: '1h' }, strategies: [sma()] })).rejects.toThrow(/^data\.interval: "1h" contradicts the bars of AAA in .* \(1d apart\)/);
    await expect(run({ data: { bars: mixed, interval: '1d' }, strategies: [sma()] })).rejects.toThrow(/^data\.interval: "1d" contradicts the bars of BBB in .* \(1h apart\)/);
    const ok = await run({ data: { bars: mixed, symbols: ['BBB'], interval: '1h' }, strategies: [sma()] });
    expect(ok.report.data.barInterval).toBe('1h');
  });
});

describe('runScenario: data shorter than the warm-up', () => {
  it('D21: a 2-row file is refused before running, naming the strategy, the parameter and the bar count', async () => {
    await expect(run({ data: { bars: twoRowCsv, symbols: ['SPY'] }, strategies: [{ type: 'sma_cross' }] })).rejects.toThrow(
      /^strategies\[0\] \(sma_cross\): needs 21 bars to warm up \(slow=20\), data has 2 bars of SPY$/,
    );
  });

  it('D21: a slow period within MAX_PERIOD but longer than the data is refused the same way', async () => {
    await expect(run({ data: { bars: risingCsv, symbols: ['SPY'] }, strategies: [sma({ fast: 5, slow: 1e6 })] })).rejects.toThrow(
      /^strategies\[0\] \(sma_cross\): needs 1000001 bars to warm up \(slow=1000000\), data has 60 bars of SPY$/,
    );
    await expect(run({ data: { bars: risingCsv, symbols: ['SPY'] }, strategies: [sma(), { id: 'r', type: 'rsi_reversion', params: { period: 80 } }] })).rejects.toThrow(
      /^strategies\[1\] \(r\): needs 81 bars to warm up \(period=80\), data has 60 bars of SPY$/,
    );
  });

  it('D21: data.start/end count too: the bars in the range must cover the warm-up', async () => {
    await expect(run({ data: { bars: risingCsv, symbols: ['SPY'], start: '2020-02-25' }, strategies: [sma()] })).rejects.toThrow(/needs 9 bars to warm up \(slow=8\), data has 5 bars of SPY between 2020-02-25 and the end$/);
  });

  it('D21: long enough data on which the strategy never trades runs, with a "no trades" warning in the run result', async () => {
    const r = await run({ data: { bars: risingCsv, symbols: ['SPY'] }, strategies: [sma()] });
    expect(r.result.fills).toHaveLength(0);
    expect(r.warnings).toEqual(['no trades: no order filled in 60 bars of SPY']);
    const traded = await run({ data: { bars: mixed, symbols: ['BBB'] }, strategies: [sma()] });
    expect(traded.warnings).toEqual([]);
  });
});

describe('runWarnings', () => {
  it("counts a result's fills in its fill log, never building the list; a result of lists alone is counted from them", () => {
    const base = { barCount: 10, quoteCount: 0, tradeCount: 0, orderCount: 2 };
    const logged = (fills: number): BacktestResult =>
      Object.defineProperties(
        { ...base },
        {
          fills: {
            get(): never {
              throw new Error('the fills list was built');
            },
          },
          records: { value: { fills: { length: fills } } },
        },
      ) as unknown as BacktestResult;
    expect(runWarnings(logged(3), ['AAA'])).toEqual([]);
    expect(runWarnings(logged(0), ['AAA'])).toEqual(['no trades: no order filled in 10 bars of AAA (2 orders submitted)']);
    expect(runWarnings({ ...base, fills: [] } as unknown as BacktestResult, ['AAA', 'BBB'])).toEqual(['no trades: no order filled in 10 bars of AAA, BBB (2 orders submitted)']);
  });
});

describe('runScenario: the in-memory curve sized by the tape', () => {
  it('allocates the equity curve at the rows the replay reads: a 16,800-bar run reserves nothing (ReplayConfig.expectedSamples)', async () => {
    // 2,400 sessions of 7 hourly bars: past RESERVE_FROM (16,384), where a curve of unknown length jumps to its 2^22-row reserve.
    const hourly = generateMarket({ seed: 5, symbols: ['CCC'], days: 2400, interval: '1h', kinds: ['bars'] });
    const long = join(dir, 'long');
    await writeDataset(long, hourly.tables, { generator: 'test' });
    const { result } = await run({ data: { bars: long, symbols: ['CCC'] }, strategies: [sma()] });
    expect(result.equity.ts.length).toBe(16_800);
    // ts, equity and gross exposure in one buffer of 16,800 rows each (the reserve would be 96 MiB).
    expect(result.equity.ts.buffer.byteLength).toBe(3 * 16_800 * 8);
  });
});
