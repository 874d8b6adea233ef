import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualify } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import { formatIsoUs, parseIsoUs } from '../../engine/core/index.js';
import { defineStrategy } from '../../engine/strategies/define-strategy.js';
import type { DefinedStrategy } from '../../engine/strategies/index.js';
import { runCli } from '../support/cli.js';

/**
 * Bar timing on irregular calendars (issue 13, deliver 3). A bar closes at the sooner of its open +
 * the interval and its symbol's next bar's open; a decision at a bar's close fills on the next bar
 * that exists. The strategy below trades on EVERY bar (one unit, alternately buying and selling), so
 * each bar but the last yields exactly one fill, and that fill must be at the NEXT bar's open time and
 * open price: a skipped bar shows as a missing or late fill. Bars are written by hand; bar i opens at
 * 100 + i and closes at 100.5 + i so every price names its bar.
 */

const DAY = 86_400_000_000;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-bar-timing-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a CSV of bars stamped at `dates` (bar i: open 100 + i, close 100.5 + i). */
async function csv(name: string, dates: readonly string[]): Promise<string> {
  const rows = dates.map((d, i) => `${d},${100 + i},${101 + i},${99 + i},${100.5 + i},1000`);
  const file = join(dir, `${name}.csv`);
  await writeFile(file, [',Open,High,Low,Close,Volume', ...rows].join('\n') + '\n');
  return file;
}

interface Decision {
  readonly now: number;
  readonly barTs: number;
}

/** Trades one unit on every bar (buy, sell, buy, ...) by market order, and with `limits` also a marketable limit; records when it decided. */
function everyBar(decisions: Decision[], limits = false): DefinedStrategy<object> {
  return defineStrategy({
    name: 'every_bar',
    description: 'trades on every bar (test)',
    defaults: {},
    create: () => {
      let n = 0;
      return {
        onBar(ctx, bars) {
          decisions.push({ now: ctx.now, barTs: bars.ts() });
          const side = n++ % 2 === 0 ? 'buy' : 'sell';
          ctx.submitOrder({ symbol: bars.symbol, side, qty: 1 });
          if (limits) ctx.submitOrder({ symbol: bars.symbol, side, qty: 1, type: 'limit', limitPrice: side === 'buy' ? 1000 : 1 });
        },
      };
    },
  }) as unknown as DefinedStrategy<object>;
}

interface Fill {
  readonly time: string;
  readonly price: number;
  readonly side: string;
}

async function run(data: Record<string, unknown>, venue: Record<string, unknown> = {}, limits = false): Promise<{ fills: Fill[]; decisions: Decision[]; equity: readonly number[]; runHash: string }> {
  const decisions: Decision[] = [];
  const doc = { name: 'bar-timing', data: { symbols: ['X'], ...data }, venue: { fees: { kind: 'fraction', rate: 0 }, ...venue }, strategies: [{ type: 'every_bar' }] };
  const scenario = await qualify(doc, 'bar-timing.json', { objects: new Map([['every_bar', everyBar(decisions, limits)]]) });
  const { report } = await runScenario(scenario);
  const fills = report.fills.map((f) => ({ time: formatIsoUs(f.ts).slice(0, 10), price: f.price, side: f.side }));
  return { fills, decisions, equity: report.equity.map((e) => e.ts), runHash: report.runHash };
}

const iso = (d: string): number => parseIsoUs(d, 'date');

/** What every-bar trading must give on `dates`: bar i's decision fills at bar i + 1's open. */
function nextBarFills(dates: readonly string[]): Fill[] {
  return dates.slice(1).map((d, i) => ({ time: d, price: 100 + i + 1, side: i % 2 === 0 ? 'buy' : 'sell' }));
}

// Month-end bars through a leap February and every month length: 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28 days.
const MONTHS = ['2015-12-31', '2016-01-31', '2016-02-29', '2016-03-31', '2016-04-30', '2016-05-31', '2016-06-30', '2016-07-31', '2016-08-31', '2016-09-30', '2016-10-31', '2016-11-30', '2016-12-31', '2017-01-31', '2017-02-28', '2017-03-31'];

describe('golden: bar timing on irregular calendars', () => {
  it('month-end bars (28/29/30/31-day months): every decision is at the next bar open and fills on the next bar', async () => {
    const r = await run({ bars: await csv('monthly', MONTHS) });
    // Inferred interval: the median spacing, 31 days. A bar closes at its next bar's open when sooner.
    expect(r.decisions.map((d) => formatIsoUs(d.now).slice(0, 10))).toEqual([...MONTHS.slice(1), '2017-05-01']);
    expect(r.decisions.map((d) => d.barTs)).toEqual(MONTHS.map(iso));
    expect(r.fills).toEqual(nextBarFills(MONTHS));
    // The cases the 31-day close got wrong: the January, April, June, September and November bars
    // (and January 2017 before a 28-day February) fill on the very next month.
    expect(r.fills.find((f) => f.time === '2016-02-29')).toEqual({ time: '2016-02-29', price: 102, side: 'sell' });
    expect(r.fills.find((f) => f.time === '2016-05-31')).toEqual({ time: '2016-05-31', price: 105, side: 'buy' });
    expect(r.fills.find((f) => f.time === '2017-02-28')).toEqual({ time: '2017-02-28', price: 114, side: 'sell' });
    // Equity is sampled at each bar close, stamped at the bar's open.
    expect(r.equity).toEqual(MONTHS.map(iso));
  });

  it('weekly bars across holidays (a week stamped Tuesday after a Monday holiday): every fill on the next week', async () => {
    // 2024: MLK day Mon Jan 15 and Presidents' day Mon Feb 19 move those weeks to Tuesday.
    const weeks = ['2024-01-02', '2024-01-08', '2024-01-16', '2024-01-22', '2024-01-29', '2024-02-05', '2024-02-12', '2024-02-20', '2024-02-26', '2024-03-04'];
    const r = await run({ bars: await csv('weekly', weeks) });
    expect(r.fills).toEqual(nextBarFills(weeks));
    // The Tuesday weeks close on the next Monday (6 days), not 7 days after they opened.
    const i = weeks.indexOf('2024-01-16');
    expect(formatIsoUs(r.decisions[i]!.now)).toBe('2024-01-22T00:00:00.000Z');
    expect(formatIsoUs(r.decisions[weeks.indexOf('2024-02-20')]!.now)).toBe('2024-02-26T00:00:00.000Z');
  });

  it('daily bars across a weekend and a holiday: Friday decides at its own close and fills Monday (unchanged: 1d closes before Monday)', async () => {
    const days = ['2024-01-10', '2024-01-11', '2024-01-12', '2024-01-16', '2024-01-17', '2024-01-18', '2024-01-19', '2024-01-22', '2024-01-23'];
    const r = await run({ bars: await csv('daily', days) });
    expect(r.fills).toEqual(nextBarFills(days));
    expect(formatIsoUs(r.decisions[days.indexOf('2024-01-12')]!.now)).toBe('2024-01-13T00:00:00.000Z');
    expect(formatIsoUs(r.decisions[days.indexOf('2024-01-19')]!.now)).toBe('2024-01-20T00:00:00.000Z');
  });

  it("fills at the close (marketFill 'close') are stamped at the true close, and a limit decided with them fills at the next existing bar's open", async () => {
    const r = await run({ bars: await csv('monthly-close', MONTHS) }, { marketFill: 'close' }, true);
    const expected: Fill[] = [];
    for (let i = 0; i < MONTHS.length; i++) {
      const side = i % 2 === 0 ? 'buy' : 'sell';
      // The market order fills at once at bar i's close price, stamped at bar i's close: the next bar's open (the last: + 31 days).
      expected.push({ time: i + 1 < MONTHS.length ? MONTHS[i + 1]! : '2017-05-01', price: 100.5 + i, side });
      // The marketable limit decided at the same close fills at bar i + 1's open.
      if (i + 1 < MONTHS.length) expected.push({ time: MONTHS[i + 1]!, price: 100 + i + 1, side });
    }
    const sorted = (fs: readonly Fill[]): Fill[] => [...fs].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.price - b.price));
    expect(sorted(r.fills)).toEqual(sorted(expected));
  });

  it('data.barTimestamp "close": the same bars stamped at their closes replay with the same fills, decisions and equity', async () => {
    const open = await run({ bars: await csv('monthly-open', MONTHS) });
    // Each bar stamped at its close: the next bar's open, the last one 31 days after it opened.
    const closes = [...MONTHS.slice(1), '2017-05-01'];
    const shifted = await run({ bars: await csv('monthly-closes', closes), barTimestamp: 'close' });
    expect(shifted.fills).toEqual(open.fills);
    expect(shifted.decisions).toEqual(open.decisions);
    expect(shifted.equity).toEqual(open.equity);
    expect(shifted.runHash).toBe(open.runHash); // the runHash hashes the replay: it is the same replay
    // Read as open stamps, the same file is a different replay.
    const misread = await run({ bars: await csv('monthly-closes-as-open', closes) });
    expect(open.fills[0]!.time).toBe('2016-01-31');
    expect(misread.fills[0]!.time).toBe('2016-02-29');
  });

  it('a data.interval inside the range of a monthly series (30d) is accepted and fills the same', async () => {
    const r = await run({ bars: await csv('monthly-30d', MONTHS), interval: '30d' });
    expect(r.fills).toEqual(nextBarFills(MONTHS));
  });
});

describe('bad input: a data.interval that contradicts the data is refused naming both (CLI)', () => {
  async function scenarioFile(name: string, bars: string, interval: string): Promise<string> {
    const file = join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify({ name, data: { bars, symbols: ['X'], interval }, strategies: [{ type: 'sma_cross', params: { fast: 2, slow: 3 } }] }));
    return file;
  }

  it('1h for daily bars: exit non-zero, one line naming 1h, 1d, the symbol and the file, nothing written', async () => {
    const days = Array.from({ length: 30 }, (_, i) => formatIsoUs(iso('2024-03-01') + i * DAY).slice(0, 10));
    const bars = await csv('daily-30', days);
    const out = join(dir, 'out-1h');
    const r = runCli(['run', await scenarioFile('wrong-1h', bars, '1h'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`data.interval: "1h" contradicts the bars of X in ${bars} (1d apart): give 1d, or remove data.interval`);
    expect(existsSync(out)).toBe(false);
  });

  it('7d for month-end bars: refused naming the months\' range (28d to 31d)', async () => {
    const bars = await csv('monthly-7d', MONTHS);
    const out = join(dir, 'out-7d');
    const r = runCli(['run', await scenarioFile('wrong-7d', bars, '7d'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`data.interval: "7d" contradicts the bars of X in ${bars} (28d to 31d apart): give 28d to 31d`);
    expect(existsSync(out)).toBe(false);
  });

  it('data.interval or data.barTimestamp without bars is refused naming the field (it could not act)', async () => {
    const file = await csv('quotes-path', MONTHS);
    for (const [field, value] of [['interval', '1d'], ['barTimestamp', 'close']] as const) {
      const doc = { name: 'q', data: { quotes: file, [field]: value }, strategies: [{ type: 'sma_cross' }] };
      await expect(qualify(doc, 'q.json')).rejects.toThrow(`data.${field}: applies to bars and this run has none (give data.bars, or remove it) (in q.json)`);
    }
  });

  it('data.timeframes under barTimestamp "close": the coarse bars are bucketed by the bars\' opens, as for the same bars stamped at their opens', async () => {
    const coarse = async (bars: string, barTimestamp: 'open' | 'close'): Promise<number[][]> => {
      const seen: number[][] = [];
      const reader = defineStrategy({
        name: 'coarse_reader',
        description: 'records the last 2d bar it can read (test)',
        defaults: {},
        create: () => ({
          onBar(ctx) {
            const d = ctx.bars('X', '2d');
            if (d.count > 0) seen.push([ctx.now, d.ts(), d.open(), d.high(), d.low(), d.close(), d.volume()]);
          },
        }),
      }) as unknown as DefinedStrategy<object>;
      const doc = { name: 'tf', data: { bars, symbols: ['X'], timeframes: ['2d'], barTimestamp }, strategies: [{ type: 'coarse_reader' }] };
      await runScenario(await qualify(doc, 'tf.json', { objects: new Map([['coarse_reader', reader]]) }));
      return seen;
    };
    const days = Array.from({ length: 9 }, (_, i) => formatIsoUs(iso('2024-03-01') + i * DAY).slice(0, 10));
    const open = await coarse(await csv('tf-open', days), 'open');
    const closed = await coarse(await csv('tf-close', days.map((d) => formatIsoUs(iso(d) + DAY).slice(0, 10))), 'close');
    // 2d epoch buckets: 2024-03-01 (day 19783, odd) lies in the bucket opening 2024-02-29 (bar 0 alone: no data.start cuts it).
    expect(open.length).toBeGreaterThan(3);
    expect(open[0]![1]).toBe(iso('2024-02-29'));
    expect(open[0]!.slice(2)).toEqual([100, 101, 99, 100.5, 1000]);
    // Bar i opens at 100 + i: the bucket of 03-02 and 03-03 (bars 1, 2) opens at 101, closes at 102.5, high 103, low 100.
    const second = open.find((r) => r[1] === iso('2024-03-02'))!;
    expect(second.slice(2)).toEqual([101, 103, 100, 102.5, 2000]);
    expect(closed).toEqual(open);
  });
});
