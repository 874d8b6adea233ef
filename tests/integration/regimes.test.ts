import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { validateRunReport } from '../../reports/report-schema.js';
import { REPO, runCli } from '../support/cli.js';
import { readWholeReport } from '../support/whole-report.js';

/**
 * Regimes in use (issue 16), through `tapedeck run`: seed 003's regime-adaptive sizes and stops on
 * real data (R timeSeries' MSFT daily bars), and an ensemble classifying regimes with a Gaussian HMM
 * and re-weighing on seed 000's regime-table cadence on generated regime-switching data.
 */
interface Audit {
  ts: number | string;
  kind: string;
  message: string;
  details?: Record<string, unknown>;
}
let dir: string;
let dataDir: string;

const msft = join(REPO, 'tests/fixtures/csv/msft.csv');
const crossover = {
  name: 'regimes-msft',
  seed: 3,
  data: { bars: msft, symbols: ['MSFT'] },
  account: { type: 'margin' },
  strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 15, mode: 'long_short', sizing: { kind: 'risk', fraction: 0.02, stopPct: 0.03 } } }],
  venue: { marketFill: 'next_open' },
};
const REGIMES = { detector: { window: 60, refitEvery: 10, orderBy: 'volatility' }, adapt: { bull: { size: 1.5, stop: 1.5 }, bear: { size: 0.5, stop: 0.6 } } };

async function run(name: string, doc: object, extra: readonly string[] = []): Promise<{ code: number; stderr: string; runHash?: string; out: string }> {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(doc));
  const out = join(dir, `out-${name}`);
  const r = runCli(['run', file, '--out', out, '--json', ...extra]);
  return { code: r.code, stderr: r.stderr, out, ...(r.code === 0 ? { runHash: JSON.parse(r.stdout).runHash as string } : {}) };
}
const micros = (ts: number | string): number => (typeof ts === 'number' ? ts : Date.parse(ts) * 1000);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-regimes-'));
  dataDir = join(dir, 'data');
  await generateDataset({ seed: 12, out: dataDir, symbols: ['AAA', 'BBB'], days: 504, kinds: ['bars'] });
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('seed 003 regime-adaptive sizes and stops (scenario regimes)', () => {
  it('change the trades and the runHash, each change of regime an audit entry', async () => {
    const base = await run('base', crossover);
    const adapted = await run('adapted', { ...crossover, regimes: REGIMES });
    const stopOnly = await run('stop-only', { ...crossover, regimes: { ...REGIMES, adapt: { bear: { stop: 0.4 }, bull: { stop: 2 } } } });
    for (const r of [base, adapted, stopOnly]) expect(r.code, r.stderr).toBe(0);
    expect(adapted.runHash).not.toBe(base.runHash);
    expect(stopOnly.runHash).not.toBe(base.runHash);
    expect(stopOnly.runHash).not.toBe(adapted.runHash);
    const report = await readWholeReport(adapted.out);
    expect(validateRunReport(report).ok).toBe(true);
    const changes = (report.audit as Audit[]).filter((e) => e.kind === 'regime.changed');
    expect(changes.length).toBeGreaterThan(0);
    // The first regime comes with the first fit: 60 returns in, so not before the 61st bar.
    const bars = (await readWholeReport(base.out)).equity as unknown[];
    expect(bars.length).toBe(249);
    const firstTs = micros(changes[0]!.ts);
    expect(firstTs).toBeGreaterThanOrEqual(Date.parse('2000-12-20') * 1000);
    for (const c of changes) expect(['bull', 'bear']).toContain(c.details!.to);
    const baseOrders = (await readWholeReport(base.out)).orders as { qty: number }[];
    const adaptedOrders = report.orders as { qty: number }[];
    expect(adaptedOrders.map((o) => o.qty)).not.toEqual(baseOrders.map((o) => o.qty));
  });

  it('refuses multipliers for a regime the detector does not name, naming the path (a scenario error: exit 1, nothing runs)', async () => {
    const r = await run('bad', { ...crossover, regimes: { ...REGIMES, adapt: { sideways: { size: 2 } } } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/regimes\.adapt\.sideways/);
    const empty = await run('empty', { ...crossover, regimes: { ...REGIMES, adapt: {} } });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/regimes\.adapt: no regime has multipliers/);
  });
});

describe('an ensemble with HMM regimes re-weighing on the regime table cadence', () => {
  const ensemble = (rebalanceBy: 'bars' | 'regime') => ({
    name: `ensemble-hmm-${rebalanceBy}`,
    seed: 5,
    data: { bars: dataDir },
    strategies: [
      { id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20, sizing: { kind: 'equity_fraction', fraction: 0.3 } } },
      { id: 'rsi', type: 'rsi_reversion', params: { period: 7, mode: 'long_short', sizing: { kind: 'equity_fraction', fraction: 0.3 } } },
      { id: 'ema', type: 'ema_cross', params: { fast: 8, slow: 30, sizing: { kind: 'equity_fraction', fraction: 0.3 } } },
      { id: 'ibs', type: 'ibs', params: { sizing: { kind: 'equity_fraction', fraction: 0.3 } } },
      { id: 'sma-long', type: 'sma_cross', params: { fast: 10, slow: 40, mode: 'long_only', sizing: { kind: 'equity_fraction', fraction: 0.3 } } },
    ],
    ensemble: {
      warmupBars: 40,
      window: 40,
      ...(rebalanceBy === 'regime' ? { rebalanceBy } : { rebalanceEveryBars: 5 }),
      weighting: { kind: 'optimizer', regime: 'auto' },
      regimes: { hmm: { window: 120, refitEvery: 10, orderBy: 'volatility' } },
    },
  });

  it('never re-weighs while the HMM says volatile, holds with an audit entry, and re-weighs in the other regimes', async () => {
    const byRegime = await run('ens-regime', ensemble('regime'));
    const byBars = await run('ens-bars', ensemble('bars'));
    expect(byRegime.code, byRegime.stderr).toBe(0);
    expect(byBars.code, byBars.stderr).toBe(0);
    expect(byRegime.runHash).not.toBe(byBars.runHash);
    const audit = (await readWholeReport(byRegime.out)).audit as Audit[];
    const changes = audit.filter((e) => e.kind === 'regime.changed');
    expect(changes.length).toBeGreaterThan(1);
    expect(new Set(changes.map((c) => c.details!.to))).toEqual(new Set(['trending', 'volatile']));
    const regimeAt = (ts: number): string => {
      let r = 'mixed';
      for (const c of changes) if (micros(c.ts) <= ts) r = c.details!.to as string;
      return r;
    };
    const reweighs = audit.filter((e) => e.kind === 'weights.changed' && String(e.details?.source ?? '').startsWith('optimizer'));
    expect(reweighs.length).toBeGreaterThan(3);
    for (const w of reweighs) expect(regimeAt(micros(w.ts)), w.message).not.toBe('volatile');
    const held = audit.filter((e) => e.kind === 'rebalance.held');
    expect(held.length).toBeGreaterThan(0);
    for (const h of held) expect(regimeAt(micros(h.ts))).toBe('volatile');
    // Trending re-weighs weekly: consecutive re-weighings in one trending spell are at least 7 days apart.
    for (let k = 1; k < reweighs.length; k++) {
      const a = micros(reweighs[k - 1]!.ts);
      const b = micros(reweighs[k]!.ts);
      if (regimeAt(a) === 'trending' && regimeAt(b) === 'trending' && !changes.some((c) => micros(c.ts) > a && micros(c.ts) <= b)) {
        expect(b - a).toBeGreaterThanOrEqual(7 * 86_400_000_000);
      }
    }
    // With the bar count's schedule, re-weighings also happen while volatile.
    const barsAudit = (await readWholeReport(byBars.out)).audit as Audit[];
    const barChanges = barsAudit.filter((e) => e.kind === 'regime.changed');
    const volatileReweighs = barsAudit.filter((e) => e.kind === 'weights.changed' && String(e.details?.source ?? '').startsWith('optimizer')).filter((w) => {
      let r = 'mixed';
      for (const c of barChanges) if (micros(c.ts) <= micros(w.ts)) r = c.details!.to as string;
      return r === 'volatile';
    });
    expect(volatileReweighs.length).toBeGreaterThan(0);
  });

  it("refuses ADX settings beside the HMM and a bar count beside rebalanceBy 'regime', naming the path", async () => {
    const doc = ensemble('regime');
    const adx = await run('ens-adx', { ...doc, ensemble: { ...doc.ensemble, regimes: { ...doc.ensemble.regimes, trendAdx: 30 } } });
    expect(adx.code).toBe(1);
    expect(adx.stderr).toMatch(/ensemble\.regimes\.trendAdx/);
    const count = await run('ens-count', { ...doc, ensemble: { ...doc.ensemble, rebalanceEveryBars: 5 } });
    expect(count.code).toBe(1);
    expect(count.stderr).toMatch(/ensemble\.rebalanceEveryBars/);
  });
});
