import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateRunReport } from '../../reports/report-schema.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { runCli } from '../support/cli.js';
import { readWholeReport } from '../support/whole-report.js';

let dir: string;
let data: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-l2-demo-'));
  data = join(dir, 'data');
  await generateDataset({ out: data, seed: 7, symbols: ['AAA'], days: 2, kinds: ['book', 'trades'], intraday: { days: 1, bookEventsPerDay: 6000, tradesPerDay: 3000 } });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scenarios/l2-demo.json', () => {
  it('runs end to end through tapedeck run and reports the book figures and TWAP against direct', async () => {
    const out = join(dir, 'out');
    const r = runCli(['run', 'scenarios/l2-demo.json', '--set', `data.book=${data}`, '--set', `data.trades=${data}`, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = await readWholeReport(join(out));
    const checked = validateRunReport(report);
    expect(checked.ok ? 'ok' : JSON.stringify(checked.issue)).toBe('ok');
    expect(report.book.bookRows).toBeGreaterThan(1000);
    expect(report.book.takerExecutions).toBeGreaterThan(0);
    expect(report.book.takerSlippageBps).toEqual(expect.any(Number));
    const strategies = report.execution.strategies.map((s: { strategyId: string; algo: string }) => [s.strategyId, s.algo]);
    expect(strategies).toEqual([
      ['flow-direct', 'direct'],
      ['flow-twap', 'twap'],
    ]);
    const twap = report.execution.parents.filter((p: { algo: string }) => p.algo === 'twap');
    expect(twap.length).toBeGreaterThan(0);
    expect(twap[0].parts).toBe(5);
    expect(twap[0].arrivalSource).toBe('mid');
    for (const s of report.execution.strategies) expect(s.shortfallBps).toEqual(expect.any(Number));
    // The passive strategy's orders are limit orders at the touch.
    expect(report.orders.some((o: { strategyId: string; type: string }) => o.strategyId === 'micro-passive' && o.type === 'limit')).toBe(true);
    expect(report.assumptions).toContainEqual(expect.stringMatching(/^TWAP: 5 equal market orders spread evenly over 300s/));
  }, 60_000);
});
