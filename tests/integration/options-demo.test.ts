import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateRunReport } from '../../reports/report-schema.js';
import { DEMO_DATA_SEED } from '../../cli/actions/demo.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { runCli } from '../support/cli.js';
import { readWholeReport } from '../support/whole-report.js';

let dir: string;
let data: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-options-demo-'));
  data = join(dir, 'data');
  // The shipped demo data (`tapedeck demo` / `npm start` writes out/demo-data with this seed and the
  // default symbols and days); bars and options do not depend on the other kinds generated.
  await generateDataset({ out: data, seed: DEMO_DATA_SEED, kinds: ['bars', 'options'] });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scenarios/options-demo.json', () => {
  it('runs end to end through tapedeck run and reports Greeks, settlements and Greek-limit denials', async () => {
    const out = join(dir, 'out');
    const r = runCli(['run', 'scenarios/options-demo.json', '--set', `data.bars=${data}`, '--set', `data.options=${data}`, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = await readWholeReport(join(out));
    const checked = validateRunReport(report);
    expect(checked.ok ? 'ok' : JSON.stringify(checked.issue)).toBe('ok');
    const o = report.options;
    expect(o.contracts).toBeGreaterThan(50);
    expect(Object.keys(o.finalGreeks)).toEqual(['AAA']);
    expect(o.greeks.length).toBeGreaterThan(50);
    // Held to expiry: at least one contract settled in cash at intrinsic value.
    expect(o.settlements.length).toBeGreaterThan(0);
    expect(o.settlements[0].message).toMatch(/^AAA \d{4}-\d{2}-\d{2} C [\d.]+ expired: 5 contracts settled in cash at intrinsic value/);
    // The hedge keeps the sampled net delta well inside the option position's unhedged delta (5 x 100 x ~0.5).
    const deltas = o.greeks.map((g: { delta: number }) => Math.abs(g.delta));
    const median = [...deltas].sort((a, b) => a - b)[deltas.length >> 1];
    expect(median).toBeLessThan(100);
    const denials = report.audit.filter((a: { kind: string; message: string }) => a.kind === 'risk.denied' && /^maxNet(Delta|Gamma|Vega) /.test(a.message));
    expect(denials.length).toBeGreaterThan(0);
    expect(report.fills.some((f: { symbol: string }) => / C /.test(f.symbol))).toBe(true);
    expect(report.assumptions).toContainEqual(expect.stringMatching(/^Net option Greeks per underlying may not exceed \|delta\| 400, \|gamma\| 150, \|vega\| 5000/));
  }, 60_000);

  it('options_flow trades on the shipped demo data: it enters long on call-heavy flow and exits when the flow turns', async () => {
    const out = join(dir, 'out-flow');
    const r = runCli(['run', 'scenarios/options-demo.json', '--set', `data.bars=${data}`, '--set', `data.options=${data}`, '--set', 'data.end=2024-12-31', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = await readWholeReport(join(out));
    type Signal = { strategyId: string; direction: number; reason: string };
    const flow = (report.signals.recorded as Signal[]).filter((s) => s.strategyId === 'options-flow');
    const entries = flow.filter((s) => s.direction === 1);
    const exits = flow.filter((s) => s.direction === -1);
    expect(entries.length).toBeGreaterThanOrEqual(3);
    expect(exits.length).toBeGreaterThanOrEqual(3);
    for (const s of entries) expect(s.reason).toMatch(/^low put\/call ratio and call skew \(put\/call 0\.[0-6]\d, skew -/);
    // Its orders fill: AAA shares bought and sold in its own ledger.
    const fills = (report.fills as { strategyId: string; symbol: string; side: string; qty: number }[]).filter((f) => f.strategyId === 'options-flow');
    expect(fills.every((f) => f.symbol === 'AAA' && f.qty === 50)).toBe(true);
    expect(fills.filter((f) => f.side === 'buy').length).toBe(entries.length);
    expect(fills.filter((f) => f.side === 'sell').length).toBeGreaterThanOrEqual(exits.length - 1);
  }, 60_000);
  it('a strategy naming no symbols trades the underlyings, not the option contracts, unless it reads chains', async () => {
    // correlation_matrix decides on a timestamp once every one of its symbols has a bar: given the ~1,200
    // contracts as symbols (they never have a bar) it waited forever and never traded, without a word.
    const out = join(dir, 'out-corr');
    const r = runCli([
      'run', 'scenarios/options-demo.json', '--set', `data.bars=${data}`, '--set', `data.options=${data}`,
      '--set', 'data.symbols=["AAA","BBB","CCC","DDD"]',
      '--set', 'strategies=[{"id":"corr","type":"correlation_matrix","params":{"longWindow":40,"shortWindow":5}}]',
      '--out', out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = await readWholeReport(join(out));
    const fills = report.fills as { strategyId: string; symbol: string }[];
    expect(fills.length).toBeGreaterThan(0);
    expect(fills.every((f) => ['AAA', 'BBB', 'CCC', 'DDD'].includes(f.symbol))).toBe(true);
  }, 120_000);
});
