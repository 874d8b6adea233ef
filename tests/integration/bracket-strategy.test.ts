import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { validateRunReport } from '../../reports/report-schema.js';
import { REPO, runCli } from '../support/cli.js';
import { readWholeReport } from '../support/whole-report.js';

const DEFINE = pathToFileURL(join(REPO, 'engine', 'strategies', 'define-strategy.ts')).href;

/**
 * A user strategy (a module, as `tapedeck run` loads one; a user imports 'tapedeck') that enters with
 * a bracket whenever it is flat with nothing working: a market entry of `units`, a take-profit
 * `band` above the close and a stop-loss `band` below it. `wrongSide` swaps them, which the run refuses.
 */
const STRATEGY = `import { defineStrategy } from '${DEFINE}';

export default defineStrategy({
  name: 'bracket_user',
  description: 'Flat with nothing working: buy with a bracket band around the close.',
  defaults: { units: 100, band: 0.03, wrongSide: false },
  create: ({ params }) => ({
    onBar(ctx, bars) {
      const s = bars.symbol;
      if (bars.length < 2 || ctx.position(s) !== 0 || ctx.openOrders(s).length > 0) return;
      const c = bars.close();
      const up = Math.round(c * (1 + params.band) * 100) / 100;
      const down = Math.round(c * (1 - params.band) * 100) / 100;
      ctx.submitBracket({ symbol: s, side: 'buy', qty: params.units, takeProfit: params.wrongSide ? down : up, stopLoss: params.wrongSide ? up : down, tag: 'b' });
    },
  }),
});
`;

interface ReportOrder {
  id: string;
  side: string;
  type: string;
  status: string;
  filledQty: number;
  tag: string | null;
  reason: string | null;
  link?: { contingency: string; parentId: string | null; linkedIds: string[] };
}
interface ReportFill {
  orderId: string;
  side: string;
  qty: number;
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-bracket-'));
  await generateDataset({ seed: 42, out: join(dir, 'data'), symbols: ['AAA'], days: 120, kinds: ['bars'] });
  await writeFile(join(dir, 'bracket.ts'), STRATEGY);
  // scenarios/sma-cross.json with the user strategy in place of sma_cross.
  const sma = JSON.parse(await readFile(join(REPO, 'scenarios', 'sma-cross.json'), 'utf8')) as Record<string, unknown>;
  const scenario = { ...sma, $schema: undefined, data: { bars: './data', symbols: ['AAA'] }, strategies: [{ id: 'user-bracket', type: './bracket.ts', params: {} }] };
  await writeFile(join(dir, 'scenario.json'), JSON.stringify(scenario));
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a user strategy trading brackets through `tapedeck run`', () => {
  it('runs: every entry carries its two exits, exits close what the entry opened and never flip the position', async () => {
    const r = runCli(['run', join(dir, 'scenario.json'), '--out', join(dir, 'out'), '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const raw: unknown = await readWholeReport(join(dir, 'out'));
    // The links are part of report.json's schema (reports/report.schema.json).
    expect(validateRunReport(raw)).toMatchObject({ ok: true });
    const report = raw as { orders: ReportOrder[]; fills: ReportFill[] };
    const byId = new Map(report.orders.map((o) => [o.id, o]));
    const entries = report.orders.filter((o) => o.link?.contingency === 'OTO');
    expect(entries.length).toBeGreaterThan(2);
    for (const e of entries) {
      const [tp, sl] = e.link!.linkedIds.map((id) => byId.get(id)!);
      expect(tp).toMatchObject({ side: 'sell', type: 'limit', tag: 'b:tp', link: { contingency: 'OUO', parentId: e.id, linkedIds: [sl!.id] } });
      expect(sl).toMatchObject({ side: 'sell', type: 'stop', tag: 'b:sl', link: { contingency: 'OUO', parentId: e.id, linkedIds: [tp!.id] } });
      // One exit closes the bracket and the other is cancelled, unless the run ended first.
      const closed = [tp!, sl!].filter((x) => x.status === 'filled');
      if (closed.length === 1) {
        expect(closed[0]!.filledQty).toBe(e.filledQty);
        expect([tp!, sl!].find((x) => x !== closed[0])!.reason).toBe(`OCO: ${closed[0]!.id} filled, the bracket is closed`);
      } else {
        expect(closed).toEqual([]);
      }
    }
    expect(report.orders.filter((o) => o.tag === 'b:tp' && o.status === 'filled').length).toBeGreaterThan(0);
    expect(report.orders.filter((o) => o.tag === 'b:sl' && o.status === 'filled').length).toBeGreaterThan(0);
    let position = 0;
    for (const f of report.fills) {
      position += f.side === 'buy' ? f.qty : -f.qty;
      expect(position).toBeGreaterThanOrEqual(0);
      expect(position).toBeLessThanOrEqual(100);
    }
  }, 60_000);

  it('a stop-loss on the wrong side ends the run with one line naming the field', () => {
    const r = runCli(['run', join(dir, 'scenario.json'), '--set', 'strategies[0].params.wrongSide=true', '--out', join(dir, 'out-wrong'), '--quiet']);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/invalid bracket 'stopLoss': a buy bracket's stop-loss must be below its take-profit/);
  }, 60_000);
});
