import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualify } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import type { ScenarioRun } from '../../cli/compose/run-scenario.js';
import { createTrialRunner } from '../../cli/compose/sweep-trial.js';
import { writeDataset } from '../../datasets/index.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { defineStrategy } from '../../engine/strategies/define-strategy.js';
import type { DefinedStrategy } from '../../engine/strategies/index.js';
import { runCli } from '../support/cli.js';
import { readWholeReport } from '../support/whole-report.js';

/**
 * Per-strategy accounts (books, cli/compose/books.ts): each strategy with its own
 * `strategies[i].account` trades a separate book on the same data, and the run is the books merged.
 * Hand-computed tapes (constant prices, no fees, no slippage) show each book's cash, position cap,
 * daily stop and ruin acting on that book only; a generated tape shows a book is exactly the
 * standalone run of its strategy with its account's settings.
 */

/**
 * A strategy of this test: on the close of bar `buyBar` (0-based, per symbol) it sends a market
 * order of `units` (`side`), filled at the next open; on the close of `exitBar` it closes the position.
 */
const SCRIPTED = defineStrategy({
  name: 'scripted',
  description: 'A market order on one bar, the position closed on another (books test).',
  defaults: { buyBar: 1, exitBar: -1, units: 100, side: 'buy' as string },
  create: ({ params }) => ({
    onBar(ctx, bars) {
      const i = bars.length - 1;
      const symbol = bars.symbol;
      if (i === params.buyBar) ctx.submitOrder({ symbol, side: params.side === 'sell' ? 'sell' : 'buy', qty: params.units, type: 'market' });
      if (i === params.exitBar) {
        const pos = ctx.position(symbol);
        if (pos !== 0) ctx.submitOrder({ symbol, side: pos > 0 ? 'sell' : 'buy', qty: Math.abs(pos), type: 'market' });
      }
    },
  }),
});
const OPTIONS = { objects: new Map<string, DefinedStrategy<object>>([[SCRIPTED.name, SCRIPTED as unknown as DefinedStrategy<object>]]) };

const DAY_US = 86_400_000_000;
const T0 = Date.UTC(2024, 0, 1) * 1000;
/** The timestamp of bar i of the hand-written tapes (daily bars from 2024-01-01). */
const bar = (i: number): number => T0 + i * DAY_US;

let dir: string;
let generated: string;

/** Writes daily bars of each symbol with open = high = low = close = the given prices. */
async function tape(name: string, prices: Record<string, readonly number[]>): Promise<string> {
  const out = join(dir, name);
  const tables = Object.entries(prices).map(([symbol, p]) => ({
    kind: 'bars' as const,
    symbol,
    columns: { ts: p.map((_, i) => bar(i)), open: [...p], high: [...p], low: [...p], close: [...p], volume: p.map(() => 1e6) },
  }));
  await writeDataset(out, tables, {});
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-books-'));
  generated = join(dir, 'generated');
  await generateDataset({ seed: 13, out: generated, symbols: ['AAA', 'BBB'], days: 200, kinds: ['bars'] });
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FREE = { fees: { kind: 'bps', bps: 0 }, slippage: { kind: 'fixed_bps', bps: 0 } };
const scripted = (id: string, params: Record<string, unknown>, account?: Record<string, unknown>) => ({ id, type: 'scripted', params, ...(account !== undefined ? { account } : {}) });

async function run(doc: Record<string, unknown>): Promise<ScenarioRun> {
  return runScenario(await qualify({ name: 'books', venue: FREE, ...doc }, 'books.json', OPTIONS));
}

const fillsOf = (r: ScenarioRun, id: string) => r.result.fills.filter((f) => f.strategyId === id).map((f) => [f.ts, f.symbol, f.side, f.qty, f.price]);

describe('books: each strategy trades its own account', () => {
  it('(1) a buy of 100 at 50 is refused by the book with 1,000 cash and filled by the book with 10,000; the run is the books summed', async () => {
    const bars = await tape('flat-up', { AAA: [50, 50, 50, 50, 60, 60, 60, 60] });
    const r = await run({
      data: { bars },
      strategies: [scripted('a', { buyBar: 1 }, { initialCash: 1_000 }), scripted('b', { buyBar: 1 }, { initialCash: 10_000 })],
    });
    // a: 100 x 50 = 5,000 > 1,000 cash: denied, no fill. b: filled at bar 2's open, marked at 60 at the end.
    expect(fillsOf(r, 'a')).toEqual([]);
    expect(fillsOf(r, 'b')).toEqual([[bar(2), 'AAA', 'buy', 100, 50]]);
    expect(r.result.accounts).toEqual([
      { id: 'a', initialCash: 1_000, finalEquity: 1_000, maxDrawdown: 0, ruin: null },
      { id: 'b', initialCash: 10_000, finalEquity: 11_000, maxDrawdown: 0, ruin: null },
    ]);
    expect(r.result.initialCash).toBe(11_000);
    expect(r.result.finalEquity).toBe(12_000);
    expect(r.result.finalCash).toBe(1_000 + 5_000);
    expect(r.result.finalPositions).toEqual({ AAA: 100 });
    expect([...r.result.equity.equity]).toEqual([11_000, 11_000, 11_000, 11_000, 12_000, 12_000, 12_000, 12_000]);
    // Order ids stay unique and a fill names its order: a's denied order is O-1, b's first order O-2.
    expect(r.result.orders.map((o) => [o.id, o.strategyId, o.status])).toEqual([
      ['O-1', 'a', 'denied'],
      ['O-2', 'b', 'filled'],
    ]);
    expect(r.result.fills.map((f) => f.orderId)).toEqual(['O-2']);
    // The report: the per-account table, the summed equity.
    expect(r.report.accounts).toEqual([
      { id: 'a', initialCash: 1_000, finalEquity: 1_000, totalReturn: 0, maxDrawdown: 0, ruinedAt: null, ruinEquity: null },
      { id: 'b', initialCash: 10_000, finalEquity: 11_000, totalReturn: 0.1, maxDrawdown: 0, ruinedAt: null, ruinEquity: null },
    ]);
    expect(r.report.metrics.finalEquity).toBe(12_000);
    // The scenario as run names each strategy's account and no run-wide cash or account.
    const asRun = r.report.scenario as { initialCash?: number; account?: unknown; strategies: { id: string; account: { initialCash: number } }[] };
    expect(asRun.strategies.map((st) => [st.id, st.account.initialCash])).toEqual([
      ['a', 1_000],
      ['b', 10_000],
    ]);
    expect(asRun).not.toHaveProperty('initialCash');
    expect(asRun).not.toHaveProperty('account');
    // One account of 11,000 for both: each buy of 5,000 fits, both fill.
    const shared = await run({ initialCash: 11_000, data: { bars }, strategies: [scripted('a', { buyBar: 1 }), scripted('b', { buyBar: 1 })] });
    expect(shared.result.fills.length).toBe(2);
    expect(shared.result.accounts).toBeUndefined();
    expect(shared.report.accounts).toBeUndefined();
  });

  it("names the scenario's strategy when a book cannot run: a later book's warm-up longer than the data", async () => {
    const bars = await tape('short', { AAA: [50, 50, 50, 50, 60, 60, 60, 60] });
    await expect(
      run({
        data: { bars },
        strategies: [scripted('a', { buyBar: 1 }, { initialCash: 1_000 }), { id: 'slow', type: 'sma_cross', params: { fast: 3, slow: 20 }, account: { initialCash: 1_000 } }],
      }),
    ).rejects.toThrow(/^strategies\[1\] \(slow\): needs 21 bars to warm up \(slow=20\), data has 8 bars of AAA$/);
  });

  it("(2) a book's dailyStopLoss flattens that book only", async () => {
    const bars = await tape('drop', { AAA: [50, 50, 50, 50, 40, 40, 55, 55] });
    const r = await run({
      data: { bars },
      strategies: [scripted('a', { buyBar: 1 }, { initialCash: 10_000, dailyStopLoss: 500 }), scripted('b', { buyBar: 1 }, { initialCash: 10_000 })],
    });
    // a loses 1,000 on bar 4's day (> 500): flattened at the next open (40); b holds to 55.
    expect(fillsOf(r, 'a')).toEqual([
      [bar(2), 'AAA', 'buy', 100, 50],
      [bar(5), 'AAA', 'sell', 100, 40],
    ]);
    expect(fillsOf(r, 'b')).toEqual([[bar(2), 'AAA', 'buy', 100, 50]]);
    expect(r.result.accounts!.map((a) => a.finalEquity)).toEqual([9_000, 10_500]);
    expect(r.result.finalEquity).toBe(19_500);
  });

  it("(2) a book's maxPositions caps that book only", async () => {
    const bars = await tape('two', { AAA: [50, 50, 50, 50, 60, 60], BBB: [50, 50, 50, 50, 60, 60] });
    const r = await run({
      data: { bars },
      strategies: [scripted('a', { buyBar: 1, units: 10 }, { initialCash: 10_000, maxPositions: 1 }), scripted('b', { buyBar: 1, units: 10 }, { initialCash: 10_000 })],
    });
    expect(fillsOf(r, 'a').length).toBe(1);
    expect(fillsOf(r, 'b').map((f) => f[1])).toEqual(['AAA', 'BBB']);
    expect(r.result.finalPositions).toEqual({ AAA: 20, BBB: 10 });
    expect(r.result.accounts!.map((a) => a.finalEquity)).toEqual([10_100, 10_200]);
  });

  it('(3) the ruin of one book ends its trading only: the other trades on', async () => {
    const bars = await tape('squeeze', { AAA: [50, 50, 50, 50, 70, 70, 70, 40] });
    const r = await run({
      data: { bars },
      strategies: [
        // Short 100 at 50 with 1,000 at 10x leverage; at 70 its equity is 1,000 - 2,000 = -1,000: ruined.
        scripted('a', { buyBar: 1, side: 'sell' }, { initialCash: 1_000, type: 'margin', leverage: 10, marginCall: 'none' }),
        scripted('b', { buyBar: 1, exitBar: 6 }, { initialCash: 10_000 }),
      ],
    });
    const [a, b] = r.result.accounts!;
    expect(a!.ruin).toEqual({ ts: bar(4), equity: -1_000 });
    expect(b!.ruin).toBeNull();
    // a's short is closed at the next open (70, tag ruin); b sells at bar 7's open, after a's ruin.
    expect(fillsOf(r, 'a')).toEqual([
      [bar(2), 'AAA', 'sell', 100, 50],
      [bar(5), 'AAA', 'buy', 100, 70],
    ]);
    expect(fillsOf(r, 'b')).toEqual([
      [bar(2), 'AAA', 'buy', 100, 50],
      [bar(7), 'AAA', 'sell', 100, 40],
    ]);
    expect(a!.finalEquity).toBe(-1_000);
    expect(b!.finalEquity).toBe(9_000);
    // The combined account (11,000 at the start) never reached zero.
    expect(r.result.ruin).toBeNull();
    expect(r.result.finalEquity).toBe(8_000);
    expect(r.report.accounts![0]!.ruinedAt).toBe('2024-01-05T00:00:00.000Z');
  });
});

describe('books: a book is the standalone run of its strategy', () => {
  const sma = { id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20, fractional: true, sizing: { kind: 'equity_fraction', fraction: 0.45 } } };
  const rsi = { id: 'rsi', type: 'rsi_reversion', params: { period: 7, mode: 'long_short', fractional: true, sizing: { kind: 'equity_fraction', fraction: 0.45 } } };
  const margin = { type: 'margin', leverage: 2 };
  const booksDoc = () => ({
    data: { bars: generated },
    venue: { fees: { kind: 'bps', bps: 5 } },
    risk: { maxOrderUnits: 400 },
    strategies: [
      { ...sma, account: { initialCash: 30_000, maxPositions: 1, dailyStopLoss: 600 } },
      { ...rsi, account: { initialCash: 70_000, ...margin } },
    ],
  });

  it('(4) fills, equity and final equity of each book equal the standalone run with its account, position cap and daily stop', async () => {
    const books = await run(booksDoc());
    const alone = [
      await run({ data: { bars: generated }, venue: { fees: { kind: 'bps', bps: 5 } }, risk: { maxOrderUnits: 400 }, initialCash: 30_000, strategies: [sma], portfolio: { constraints: { maxPositions: 1, dailyStopLoss: 600 } } }),
      await run({ data: { bars: generated }, venue: { fees: { kind: 'bps', bps: 5 } }, risk: { maxOrderUnits: 400 }, initialCash: 70_000, account: margin, strategies: [rsi] }),
    ];
    const fills = (r: ScenarioRun, id: string) => r.result.fills.filter((f) => f.strategyId === id).map(({ fillId: _f, orderId: _o, ...f }) => f);
    for (const [k, id] of ['sma', 'rsi'].entries()) {
      expect(fills(alone[k]!, id).length).toBeGreaterThan(5);
      expect(fills(books, id)).toEqual(fills(alone[k]!, id));
      expect(books.result.accounts![k]!.finalEquity).toBe(alone[k]!.result.finalEquity);
      expect(books.result.trades.filter((t) => t.strategyId === id).map(({ strategyIndex: _s, ...t }) => t)).toEqual(alone[k]!.result.trades.map(({ strategyIndex: _s, ...t }) => t));
    }
    // The first book keeps its standalone ids; the second's are shifted past the first's.
    expect(books.result.fills.filter((f) => f.strategyId === 'sma')).toEqual(alone[0]!.result.fills);
    const shift = alone[0]!.result.orderCount;
    expect(books.result.fills.filter((f) => f.strategyId === 'rsi').map((f) => f.orderId)).toEqual(alone[1]!.result.fills.map((f) => `O-${Number(f.orderId.slice(2)) + shift}`));
    // Every fill names an order of the run, of its own strategy.
    const orders = new Map(books.result.orders.map((o) => [o.id, o]));
    expect(orders.size).toBe(books.result.orders.length);
    for (const f of books.result.fills) expect(orders.get(f.orderId)?.strategyId).toBe(f.strategyId);
    // The equity curve is the two standalone curves summed sample by sample.
    expect([...books.result.equity.ts]).toEqual([...alone[0]!.result.equity.ts]);
    expect([...books.result.equity.equity]).toEqual([...alone[0]!.result.equity.equity].map((e, i) => e + alone[1]!.result.equity.equity[i]!));
    expect([...books.result.equity.cash]).toEqual([...alone[0]!.result.equity.cash].map((e, i) => e + alone[1]!.result.equity.cash[i]!));
    expect(books.result.finalEquity).toBe(alone[0]!.result.finalEquity + alone[1]!.result.finalEquity);
    expect(books.result.orderCount).toBe(alone[0]!.result.orderCount + alone[1]!.result.orderCount);
    expect(books.result.barCount).toBe(alone[0]!.result.barCount);
    // The report says what ran: the book's own limits named per account.
    expect(books.report.assumptions[0]).toMatch(/^Each strategy trades its own account \(strategies\[i\]\.account: sma, rsi\)/);
    expect(books.report.assumptions).toContain('account sma: At most 1 symbols may hold a position (or a working order) at once.');
    expect(books.report.assumptions).toContain('account sma: A loss of 600 from the equity at the start of the UTC day halts new risk until the next UTC day.');
    expect(books.report.assumptions.filter((a) => a.startsWith('account rsi: Margin account: initial margin 0.5 (leverage 2)'))).toHaveLength(1);
    expect(books.report.assumptions.filter((a) => a.startsWith('Ruin: ')).map((a) => /trading ends for that account \(the other accounts trade on\)/.test(a))).toEqual([true]);
  }, 60_000);

  it('(5) a rerun has the same runHash; a book with other cash has another', async () => {
    const a = await run(booksDoc());
    const b = await run(booksDoc());
    expect(b.result.runHash).toBe(a.result.runHash);
    expect(b.report.runHash).toBe(a.report.runHash);
    const doc = booksDoc();
    (doc.strategies[1]!.account as { initialCash: number }).initialCash = 69_000;
    const c = await run(doc);
    expect(c.result.runHash).not.toBe(a.result.runHash);
  }, 60_000);

  it('(6) a sweep trial on a scenario with books measures the merged equity', async () => {
    const runner = createTrialRunner();
    const doc = { name: 'books', ...booksDoc() };
    const trial = await runner.runTrial(doc, { 'strategies.0.params.fast': 8 }, 3);
    const alone = await Promise.all([
      run({ data: { bars: generated }, venue: { fees: { kind: 'bps', bps: 5 } }, risk: { maxOrderUnits: 400 }, seed: 3, initialCash: 30_000, strategies: [{ ...sma, params: { ...sma.params, fast: 8 } }], portfolio: { constraints: { maxPositions: 1, dailyStopLoss: 600 } } }),
      run({ data: { bars: generated }, venue: { fees: { kind: 'bps', bps: 5 } }, risk: { maxOrderUnits: 400 }, seed: 3, initialCash: 70_000, account: margin, strategies: [rsi] }),
    ]);
    const sum = alone[0]!.result.finalEquity + alone[1]!.result.finalEquity;
    expect(trial.metrics.finalEquity).toBe(sum);
    expect(trial.metrics.totalReturn).toBeCloseTo(sum / 100_000 - 1, 12);
    expect(trial.metrics.tradeCount).toBe(alone[0]!.result.trades.length + alone[1]!.result.trades.length);
    // `tapedeck run --set ... --seed` reproduces the trial's runHash.
    const same = await run({ ...booksDoc(), seed: 3, strategies: [{ ...booksDoc().strategies[0]!, params: { ...sma.params, fast: 8 } }, booksDoc().strategies[1]!] });
    expect(trial.runHash).toBe(same.result.runHash);
  }, 60_000);
});

describe('books at the CLI', () => {
  it('runs the shipped scenarios/multi-alpha.json: an account per strategy in report.json, the total their sum', async () => {
    const futures = join(dir, 'futures');
    await generateDataset({ seed: 4, out: futures, symbols: ['ES', 'NQ', 'RTY', 'YM', 'CL'], days: 300, kinds: ['bars'] });
    const out = join(dir, 'multi-alpha');
    const r = runCli(['run', 'scenarios/multi-alpha.json', '--set', `data.bars=${futures}`, '--out', out, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = await readWholeReport(join(out)) as {
      runHash: string;
      accounts: { id: string; initialCash: number; finalEquity: number; ruinedAt: string | null }[];
      metrics: { finalEquity: number };
      fills: { strategyId: string }[];
      audit: { kind: string; message: string; strategyId?: string }[];
    };
    expect(r.stdout).toMatch(new RegExp(`^runHash +${report.runHash}$`, 'm'));
    expect(report.accounts.map((a) => [a.id, a.initialCash])).toEqual([
      ['ibs', 150_000],
      ['trend', 100_000],
    ]);
    expect(report.metrics.finalEquity).toBeCloseTo(report.accounts[0]!.finalEquity + report.accounts[1]!.finalEquity, 6);
    for (const id of ['ibs', 'trend']) expect(report.fills.filter((f) => f.strategyId === id).length).toBeGreaterThan(0);
    // The position cap of each account is its own: ibs is held at 4 symbols (trend never holds more than 3).
    expect(report.audit.some((a) => a.strategyId === 'ibs' && /^maxOpenPositions 4 reached/.test(a.message))).toBe(true);
    expect(report.audit.some((a) => a.strategyId === 'trend' && /^maxOpenPositions 4/.test(a.message))).toBe(false);
  }, 120_000);

  it('(6) tapedeck sweep on a scenario with books runs every trial', async () => {
    const scenario = join(dir, 'sweep-books.json');
    await writeFile(
      scenario,
      JSON.stringify({
        name: 'sweep-books',
        data: { bars: generated },
        strategies: [
          { id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20, sizing: { kind: 'units', units: 50 } }, account: { initialCash: 40_000, maxPositions: 1 } },
          { id: 'ema', type: 'ema_cross', params: { fast: 8, slow: 30, sizing: { kind: 'units', units: 50 } }, account: { initialCash: 60_000 } },
        ],
      }),
    );
    const space = join(dir, 'space.json');
    await writeFile(space, JSON.stringify({ parameters: { 'strategies.0.params.fast': { type: 'int', min: 4, max: 6, step: 2 } } }));
    const out = join(dir, 'sweep-out');
    const r = runCli(['sweep', scenario, '--space', space, '--workers', '1', '--quiet', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const sweep = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as { trials: { status: string; metrics: { finalEquity: number } }[] };
    expect(sweep.trials.map((t) => t.status)).toEqual(['ok', 'ok']);
    for (const t of sweep.trials) expect(t.metrics.finalEquity).not.toBe(100_000);
  }, 120_000);

  it('(6) tapedeck walkforward on a scenario with books runs every fold', async () => {
    const scenario = join(dir, 'wf-books.json');
    await writeFile(
      scenario,
      JSON.stringify({
        name: 'wf-books',
        data: { bars: generated },
        strategies: [
          { id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20, sizing: { kind: 'units', units: 50 } }, account: { initialCash: 40_000, dailyStopLoss: 500 } },
          { id: 'ema', type: 'ema_cross', params: { fast: 8, slow: 30, sizing: { kind: 'units', units: 50 } }, account: { initialCash: 60_000 } },
        ],
      }),
    );
    const space = join(dir, 'wf-space.json');
    await writeFile(space, JSON.stringify({ parameters: { 'strategies.0.params.fast': { type: 'int', min: 4, max: 6, step: 2 } } }));
    const out = join(dir, 'wf-out');
    const r = runCli(['walkforward', scenario, '--space', space, '--train', '120d', '--test', '60d', '--workers', '1', '--quiet', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const wf = JSON.parse(await readFile(join(out, 'walkforward.json'), 'utf8')) as { folds: { outOfSample: { status: string }; sweep: { trials: number } }[] };
    expect(wf.folds.length).toBeGreaterThan(0);
    for (const f of wf.folds) {
      expect(f.outOfSample.status).toBe('ok');
      expect(f.sweep.trials).toBe(2);
    }
  }, 180_000);

  it('(7) refuses bad accounts with the path, exit 1, and writes nothing', async () => {
    const base = {
      name: 'bad-books',
      data: { bars: generated },
      strategies: [
        { id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20 }, account: { initialCash: 40_000 } },
        { id: 'ema', type: 'ema_cross', params: { fast: 8, slow: 30 }, account: { initialCash: 60_000 } },
      ],
    };
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['mixed', { ...base, strategies: [base.strategies[0], { ...base.strategies[1], account: undefined }] }, /^tapedeck: strategies\[1\]\.account: every strategy needs its own account once one has one/],
      ['ensemble', { ...base, ensemble: {} }, /^tapedeck: strategies\[0\]\.account: an ensemble trades one account from the combination of its strategies/],
      ['negative', { ...base, strategies: [{ ...base.strategies[0], account: { initialCash: -5 } }, base.strategies[1]] }, /^tapedeck: strategies\[0\]\.account\.initialCash: .*was -5/],
      ['missing', { ...base, strategies: [{ ...base.strategies[0], account: { type: 'margin' } }, base.strategies[1]] }, /^tapedeck: strategies\[0\]\.account\.initialCash: missing/],
      ['unknown', { ...base, strategies: [base.strategies[0], { ...base.strategies[1], account: { initialCash: 1, cash: 2 } }] }, /^tapedeck: strategies\[1\]\.account\.cash: unknown key 'cash'/],
      ['margin-only', { ...base, strategies: [base.strategies[0], { ...base.strategies[1], account: { initialCash: 1, leverage: 2 } }] }, /^tapedeck: strategies\[1\]\.account\.leverage: only with account\.type "margin"/],
      ['initialCash', { ...base, initialCash: 50_000 }, /^tapedeck: initialCash: the strategies trade their own accounts \(strategies\[i\]\.account\), so the scenario's initialCash would apply to nothing/],
      ['account', { ...base, account: { type: 'margin' } }, /^tapedeck: account: the strategies trade their own accounts/],
      ['maxPositions', { ...base, portfolio: { constraints: { maxPositions: 2 } } }, /^tapedeck: portfolio\.constraints\.maxPositions: the strategies trade their own accounts .*strategies\[i\]\.account\.maxPositions/],
      ['dailyStopLoss', { ...base, portfolio: { constraints: { dailyStopLoss: 100 } } }, /^tapedeck: portfolio\.constraints\.dailyStopLoss: the strategies trade their own accounts/],
      ['l2', { ...base, data: { book: generated } }, /^tapedeck: strategies\[0\]\.account: per-strategy accounts replay bars, quotes and trades; an L2 run \(data\.book\)/],
      ['options', { ...base, data: { bars: generated, options: generated } }, /^tapedeck: strategies\[0\]\.account: per-strategy accounts replay bars, quotes and trades; .*option chains/],
    ];
    // Through the CLI: exit 1, one line naming the path, nothing written.
    for (const [name, doc, message] of cases.filter(([n]) => ['mixed', 'ensemble', 'negative', 'unknown', 'initialCash'].includes(n))) {
      const file = join(dir, `bad-${name}.json`);
      await writeFile(file, JSON.stringify(doc));
      const out = join(dir, `bad-${name}-out`);
      const r = runCli(['run', file, '--out', out]);
      expect([name, r.code]).toEqual([name, 1]);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    }
    // Every case, in process (the same message as the CLI prints after `tapedeck: `).
    for (const [name, doc, message] of cases) {
      const err = await qualify(doc, 'bad.json').then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect([name, err === null ? 'accepted' : `tapedeck: ${err.message}`]).toEqual([name, expect.stringMatching(message)]);
    }
    // The base itself runs.
    const ok = join(dir, 'good-books.json');
    await writeFile(ok, JSON.stringify(base));
    const r = runCli(['run', ok, '--out', join(dir, 'good-out'), '--quiet']);
    expect(r.code).toBe(0);
  }, 180_000);
});
