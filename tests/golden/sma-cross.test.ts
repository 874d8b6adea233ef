import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import { readAll } from '../../datasets/index.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import type { RunReport } from '../../reports/index.js';
import { REPO, runCli } from '../support/cli.js';

/**
 * Golden run of scenarios/sma-cross.json on a fixed generated dataset (seed 42, AAA, 504 daily
 * bars). The crosses are recomputed here from the bars with a naive SMA, so the pinned fills are
 * checked against the rule itself, not just against a previous run.
 */
let dir: string;
let dataDir: string;
let report: RunReport;
const scenarioFile = resolve(REPO, 'scenarios/sma-cross.json');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-golden-'));
  dataDir = join(dir, 'data');
  await generateDataset({ seed: 42, out: dataDir, symbols: ['AAA'], days: 504, kinds: ['bars'] });
  const scenario = await loadScenario(scenarioFile, { overrides: [`data.bars=${dataDir}`] });
  report = (await runScenario(scenario)).report;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('golden: sma-cross on seed-42 AAA daily bars', () => {
  it('trades exactly at the SMA(10)/SMA(20) crosses, at the next bar open, 100 then 200 units', async () => {
    const bars = await readAll(dataDir, { kind: 'bars', symbols: ['AAA'] });
    const close = bars.columns.close!;
    const open = bars.columns.open!;
    const ts = bars.columns.ts!;
    const sma = (n: number, i: number): number => {
      let s = 0;
      for (let k = i - n + 1; k <= i; k++) s += close[k]!;
      return s / n;
    };
    const expected: { ts: number; side: 'buy' | 'sell'; qty: number; price: number }[] = [];
    let position = 0;
    for (let i = 20; i < bars.length - 1; i++) {
      const [f0, s0, f1, s1] = [sma(10, i - 1), sma(20, i - 1), sma(10, i), sma(20, i)];
      let target = position;
      if (f0 < s0 && f1 > s1) target = 100;
      if (f0 > s0 && f1 < s1) target = -100;
      if (target !== position) {
        expected.push({ ts: ts[i + 1]!, side: target > position ? 'buy' : 'sell', qty: Math.abs(target - position), price: open[i + 1]! });
        position = target;
      }
    }
    expect(expected.length).toBeGreaterThan(5);
    expect(report.fills.map((f) => ({ ts: f.ts, side: f.side, qty: f.qty, price: f.price }))).toEqual(expected);
    for (const f of report.fills) expect(f.commission).toBeCloseTo(f.qty * f.price * 0.002, 10);
  });

  it('pins the fill count, final equity and runHash', () => {
    expect({
      fills: report.fills.length,
      trades: report.trades.length,
      finalEquity: report.metrics.finalEquity,
      totalCommissions: report.metrics.totalCommissions,
      runHash: report.runHash,
    }).toMatchInlineSnapshot(`
      {
        "fills": 24,
        "finalEquity": 101446.41799999999,
        "runHash": "fcc2aa528ccbc799e8fc4f82857b87e78cb7555cd60f70ce9ed6819c237b06a9",
        "totalCommissions": 890.5820000000002,
        "trades": 23,
      }
    `);
  });

  it('final equity is cash plus the open position marked at the last close (no forced liquidation)', async () => {
    const bars = await readAll(dataDir, { kind: 'bars', symbols: ['AAA'] });
    const lastClose = bars.columns.close![bars.length - 1]!;
    const last = report.equity.at(-1)!;
    expect(report.positions.AAA).not.toBe(0);
    expect(report.metrics.finalEquity).toBeCloseTo(last.cash + report.positions.AAA! * lastClose, 9);
  });

  it('a rerun in the same process gives the same runHash', async () => {
    const scenario = await loadScenario(scenarioFile, { overrides: [`data.bars=${dataDir}`] });
    const again = (await runScenario(scenario)).report;
    expect(again.runHash).toBe(report.runHash);
    expect(again.fills).toEqual(report.fills);
  });

  it('a run in a separate process gives the same runHash', () => {
    const out = join(dir, 'cli-out');
    const r = runCli(['run', scenarioFile, '--set', `data.bars=${dataDir}`, '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).runHash).toBe(report.runHash);
  });
});
