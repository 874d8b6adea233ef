import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import type { ScenarioRun } from '../../cli/compose/run-scenario.js';
import { generateDataset } from '../../datasets/synthetic/index.js';

/**
 * The decision pipeline of issue 12: an ensemble trades through the scenario's execution algorithm
 * (signals -> ensemble -> portfolio construction -> risk -> TWAP -> venue). Each change of the
 * ensemble account's target becomes a TWAP parent order whose child orders fill over the next minutes.
 */
const MINUTE = 60_000_000;
let dir: string;
let plain: ScenarioRun;
let twap: ScenarioRun;

const fraction = { fractional: true, sizing: { kind: 'equity_fraction', fraction: 0.3 } };
const scenarioDoc = (data: string, extra: Record<string, unknown>) => ({
  name: 'ensemble-twap',
  seed: 1,
  initialCash: 100_000,
  data: { bars: data },
  strategies: [
    { id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20, ...fraction } },
    { id: 'ema', type: 'ema_cross', params: { fast: 4, slow: 15, ...fraction } },
  ],
  ensemble: { mode: 'allocation', weighting: { kind: 'static' }, warmupBars: 30, rebalanceEveryBars: 30 },
  ...extra,
});

async function run(name: string, extra: Record<string, unknown>): Promise<ScenarioRun> {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(scenarioDoc(join(dir, 'minute'), extra)));
  return runScenario(await loadScenario(file));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-ensemble-exec-'));
  await generateDataset({ seed: 3, out: join(dir, 'minute'), symbols: ['AAA', 'BBB'], days: 3, interval: '1m', kinds: ['bars'] });
  plain = await run('plain', {});
  twap = await run('twap', { execution: { algo: 'twap', duration: '10m', parts: 5 } });
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('an ensemble trading through an execution algorithm', () => {
  it("turns the ensemble account's target changes into TWAP parent orders", () => {
    const ex = twap.result.execution!;
    expect(ex).toBeDefined();
    expect(ex.parents.length).toBeGreaterThan(10);
    for (const p of ex.parents) {
      expect(p.strategyId).toBe('ensemble');
      expect(p.algo).toBe('twap');
      expect(p.parts).toBeLessThanOrEqual(5);
    }
    expect(ex.strategies).toEqual([expect.objectContaining({ strategyId: 'ensemble', algo: 'twap', parents: ex.parents.length })]);
    expect(ex.parents.some((p) => p.status === 'completed')).toBe(true);
    // The ensemble still decides: weights, shadow books, every fill on the account.
    expect(twap.result.ensemble!.strategies.map((s) => s.id)).toEqual(['sma', 'ema']);
    expect(new Set(twap.result.fills.map((f) => f.strategyId))).toEqual(new Set(['ensemble']));
    expect(plain.result.execution).toBeUndefined();
  });

  it('fills a completed parent through five children sent 2 minutes apart over the TWAP window', () => {
    const ex = twap.result.execution!;
    const parent = ex.parents.find((p) => p.status === 'completed' && p.parts === 5)!;
    expect(parent).toBeDefined();
    // Child orders are tagged `twap P<n> <slice>/<parts>`.
    const children = new Set(twap.result.orders.filter((o) => o.tag?.startsWith(`twap ${parent.id} `) === true).map((o) => o.id));
    expect(children.size).toBe(5);
    const fills = twap.result.fills.filter((f) => children.has(f.orderId));
    const times = [...new Set(fills.map((f) => f.ts))].sort((a, b) => a - b);
    expect(times).toHaveLength(5);
    // The slices go out 2 minutes apart (10 minutes / 5 parts), the first when the parent is created;
    // each fills at the next bar's open after it was sent.
    const sent = twap.result.orders.filter((o) => children.has(o.id)).map((o) => o.tsCreated);
    expect(sent).toEqual([0, 1, 2, 3, 4].map((j) => parent.tsCreated + 2 * j * MINUTE));
    for (const f of fills) {
      const order = twap.result.orders.find((o) => o.id === f.orderId)!;
      expect(f.ts).toBeGreaterThanOrEqual(order.tsCreated);
      expect(f.ts).toBeLessThanOrEqual(order.tsCreated + MINUTE);
    }
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(6 * MINUTE);
    expect(fills.reduce((a, f) => a + f.qty, 0)).toBe(parent.qty);
  });

  it('changes the run against the same ensemble trading at once, and reruns to the same runHash', async () => {
    expect(twap.report.runHash).not.toBe(plain.report.runHash);
    expect(twap.result.orderCount).toBeGreaterThan(plain.result.orderCount);
    const again = await run('twap-again', { execution: { algo: 'twap', duration: '10m', parts: 5 } });
    expect(again.report.runHash).toBe(twap.report.runHash);
  }, 60_000);

  it('runs every algorithm under an ensemble in either mode, each parent timed from the clock (a 2 s smart slice is never in the past)', async () => {
    const algos = [
      { algo: 'smart', thresholdNotional: 5_000, delay: '2s' },
      { algo: 'vwap', duration: '10m', parts: 5, sessions: 1 },
      { algo: 'dca', interval: '1m', parts: 3 },
      { algo: 'direct' },
    ];
    const hashes = new Set([plain.report.runHash, twap.report.runHash]);
    for (const [j, execution] of algos.entries()) {
      const r = await run(`algo-${j}`, { execution });
      expect(r.result.execution!.parents.length).toBeGreaterThan(0);
      expect(r.result.execution!.parents.every((p) => p.algo === execution.algo)).toBe(true);
      hashes.add(r.report.runHash);
    }
    const voting = await run('voting-twap', { ensemble: { mode: 'voting', weighting: { kind: 'static' }, warmupBars: 30, rebalanceEveryBars: 30 }, execution: { algo: 'twap', duration: '10m', parts: 5 } });
    expect(voting.result.execution!.parents.length).toBeGreaterThan(0);
    expect(voting.result.ensemble!.decisions.length).toBeGreaterThan(0);
    hashes.add(voting.report.runHash);
    expect(hashes.size).toBe(algos.length + 3);
  }, 60_000);

  it("refuses a strategy's own algorithm under an ensemble, naming the path", async () => {
    const file = join(dir, 'own.json');
    const doc = scenarioDoc(join(dir, 'minute'), {});
    doc.strategies[0] = { ...doc.strategies[0]!, execution: { algo: 'dca', interval: '1m', parts: 3 } } as (typeof doc.strategies)[0];
    await writeFile(file, JSON.stringify(doc));
    await expect(loadScenario(file)).rejects.toThrow(/strategies\[0\]\.execution: under an ensemble the strategies trade shadow books/);
  });
});
