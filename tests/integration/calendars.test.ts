import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualify } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import { createTrialRunner } from '../../cli/compose/sweep-trial.js';
import type { RunReport } from '../../reports/index.js';
import { runCli } from '../support/cli.js';

/**
 * Calendars and annualization end to end: one-minute bars of three New York sessions (2024-03-08,
 * a Friday on EST, and 2024-03-11/12 on EDT), 390 bars each, annualized by the exchange calendar's
 * trading minutes per year instead of the round-the-clock 525,960.
 */
let dir: string;
let csv: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-calendars-'));
  csv = join(dir, 'xyz.csv');
  const rows = ['timestamp,open,high,low,close,volume'];
  let i = 0;
  for (const [date, openUtcHour] of [['2024-03-08', 14], ['2024-03-11', 13], ['2024-03-12', 13]] as const) {
    const open = Date.parse(`${date}T${String(openUtcHour).padStart(2, '0')}:30:00Z`);
    for (let m = 0; m < 390; m++, i++) {
      const close = 100 + 2 * Math.sin(i / 15) + 0.01 * i;
      const prev = 100 + 2 * Math.sin((i - 1) / 15) + 0.01 * (i - 1);
      rows.push(`${new Date(open + m * 60_000).toISOString()},${prev.toFixed(4)},${(Math.max(prev, close) + 0.05).toFixed(4)},${(Math.min(prev, close) - 0.05).toFixed(4)},${close.toFixed(4)},1000`);
    }
  }
  await writeFile(csv, `${rows.join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NY = { timeZone: 'America/New_York', open: '09:30', close: '16:00' };
const scenario = (more: Record<string, unknown> = {}) => ({
  name: 'calendar',
  data: { bars: csv, symbols: ['XYZ'] },
  strategies: [{ type: 'sma_cross', params: { fast: 5, slow: 20, sizing: { kind: 'units', units: 100 } } }],
  ...more,
});

async function report(doc: unknown): Promise<RunReport> {
  return (await runScenario(await qualify(doc, join(dir, 'scenario.json')))).report;
}

/** Per-bar simple returns of the report's equity curve, their mean and sample standard deviation. */
function moments(r: RunReport): { mean: number; sd: number } {
  const e = r.equity.map((p) => p.equity);
  const ret = e.slice(1).map((v, i) => v / e[i]! - 1);
  const mean = ret.reduce((a, b) => a + b, 0) / ret.length;
  const sd = Math.sqrt(ret.reduce((a, b) => a + (b - mean) ** 2, 0) / (ret.length - 1));
  return { mean, sd };
}

describe('calendars and annualization', () => {
  it('annualizes one-minute session bars by the trading minutes per year of the exchange calendar (hand-computed)', async () => {
    const withCal = await report(scenario({ calendar: NY }));
    const without = await report(scenario());
    expect(withCal.equity).toHaveLength(1170);
    expect(withCal.fills.length).toBeGreaterThan(10);
    // 365.25 x 5/7 = 260.892857 sessions a year x 390 one-minute bars = 101,748.214 periods.
    const P = ((365.25 * 5) / 7) * 390;
    expect(withCal.metrics.annualization).toBe('calendar');
    expect(withCal.metrics.periodsPerYear).toBeCloseTo(P, 6);
    const { mean, sd } = moments(withCal);
    expect(withCal.metrics.annualizedVolatility!).toBeCloseTo(sd * Math.sqrt(P), 12);
    expect(withCal.metrics.sharpe!).toBeCloseTo((mean / sd) * Math.sqrt(P), 9);
    expect(withCal.assumptions).toContain(
      'Annualized by 101,748.21 one-minute periods per year: 260.89 sessions per year x 390 bars per session (calendar America/New_York 09:30-16:00, weekdays).',
    );
    expect(withCal.assumptions).toContain('DAY orders expire at the first session close after submission (calendar America/New_York 09:30-16:00, weekdays)');
    // Without a calendar the same run annualizes round the clock: 525,960 minutes a year, Sharpe x 2.27.
    expect(without.runHash).toBe(withCal.runHash);
    expect(without.metrics.annualization).toBe('interval');
    expect(without.metrics.periodsPerYear).toBeCloseTo(525_960, 6);
    expect(without.metrics.sharpe! / withCal.metrics.sharpe!).toBeCloseTo(Math.sqrt(525_960 / P), 12);
    expect(without.assumptions.some((a) => a.startsWith('Annualized by 525,960 one-minute periods per year: 365.25 days / the bar interval'))).toBe(true);
  });

  it('uses metrics.periodsPerYear over the calendar and states it; riskFreeRate lowers the Sharpe ratio by the per-bar rate', async () => {
    const r = await report(scenario({ calendar: NY, metrics: { periodsPerYear: 98_280 } }));
    const { mean, sd } = moments(r);
    expect(r.metrics.annualization).toBe('explicit');
    expect(r.metrics.periodsPerYear).toBe(98_280);
    expect(r.metrics.annualizedVolatility!).toBeCloseTo(sd * Math.sqrt(98_280), 12);
    expect(r.assumptions).toContain('Annualized by 98,280 periods per year (metrics.periodsPerYear), whatever the bars and the calendar.');
    const rf = await report(scenario({ calendar: NY, metrics: { periodsPerYear: 98_280, riskFreeRate: 0.05 } }));
    const rfPerBar = Math.pow(1.05, 1 / 98_280) - 1;
    expect(rf.metrics.sharpe!).toBeCloseTo(((mean - rfPerBar) / sd) * Math.sqrt(98_280), 9);
    expect(rf.assumptions).toContain('Risk-free rate 5% a year (metrics.riskFreeRate), de-annualized per bar in Sharpe and Sortino.');
  });

  it('annualizes sweep trials as the report does', async () => {
    const doc = scenario({ calendar: NY });
    const r = await report({ ...doc, seed: 7 });
    const trial = await createTrialRunner().runTrial(doc, {}, 7);
    expect(trial.runHash).toBe(r.runHash);
    expect(trial.metrics.sharpe).toBe(r.metrics.sharpe);
    const explicit = await createTrialRunner().runTrial(scenario({ metrics: { periodsPerYear: 98_280 } }), {}, 7);
    expect(explicit.metrics.sharpe! / r.metrics.sharpe!).toBeCloseTo(Math.sqrt(98_280 / r.metrics.periodsPerYear!), 12);
  });

  it('refuses an unknown time zone at the CLI naming calendar.timeZone and the value, exit 1, nothing written', async () => {
    const file = join(dir, 'mars.json');
    await writeFile(file, JSON.stringify(scenario({ calendar: { ...NY, timeZone: 'Mars/Olympus' } })));
    const out = join(dir, 'mars-out');
    const r = runCli(['run', file, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`tapedeck: calendar.timeZone: unknown time zone (an IANA name such as America/New_York), was "Mars/Olympus" (in ${file})\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a session that closes before it opens and an unknown calendar name, naming the path', async () => {
    await expect(qualify(scenario({ calendar: { ...NY, close: '09:00' } }), 's.json')).rejects.toThrow("calendar.close: '09:00' is not after open '09:30'");
    await expect(qualify(scenario({ calendar: 'NYSE' }), 's.json')).rejects.toThrow(`calendar: expected '24/7', 'fx-24/5', 'XNYS' or an exchange session { timeZone, open, close, weekdays?, holidays? }, was "NYSE"`);
    await expect(qualify(scenario({ metrics: { periodsPerYear: 0 } }), 's.json')).rejects.toThrow('metrics.periodsPerYear');
  });
});
