import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatIsoUs, orderId, strategyId, symbolId, type FillId } from '../../../../engine/core/index.js';
import type { Fill } from '../../../../engine/model/events.js';
import { snapshotOrder, type OrderSnapshot } from '../../../../engine/model/order-snapshot.js';
import { Order } from '../../../../engine/model/orders.js';
import { Portfolio } from '../../../../engine/portfolio/portfolio.js';
import {
  buildPortfolioFile,
  mergePortfolios,
  netLots,
  portfolioFileSchema,
  readPortfolioFile,
  writePortfolioFile,
  type PortfolioFile,
  type PortfolioPosition,
} from '../../../../live/state/portfolio-file.js';

const T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z
const iso = formatIsoUs;

function fill(n: number, strategy: string, symbol: string, side: 'buy' | 'sell', qty: number, price: number, commission: number): Fill {
  return { fillId: `F-${n}` as FillId, orderId: orderId(`O-${n}`), strategyId: strategyId(strategy), ts: T0 + n * 1_000_000, symbol: symbolId(symbol), side, qty, price, commission, liquidity: 'taker' };
}

describe('buildPortfolioFile', () => {
  // Two strategies (s0, s1) on AAA (a stock) and ES (a future, multiplier 50).
  const pf = new Portfolio(2, 2, 100_000, [1, 50], [false, true]);
  const fills = [
    fill(1, 's0', 'AAA', 'buy', 10, 100, 1),
    fill(2, 's1', 'AAA', 'buy', 30, 110, 3),
    fill(3, 's0', 'AAA', 'sell', 4, 120, 0.4),
    fill(4, 's0', 'ES', 'buy', 2, 5000, 2),
    fill(5, 's1', 'ES', 'sell', 3, 5010, 3),
  ];
  for (const f of fills) pf.applyFill(f.strategyId === 's0' ? 0 : 1, f.symbol === 'AAA' ? 0 : 1, f.side === 'buy' ? 1 : -1, f.qty, f.price, f.commission, f.ts);
  pf.markPrice(0, 125);
  pf.markPrice(1, 4990);
  const working = new Order(orderId('O-9'), { symbol: 'AAA', side: 'buy', qty: 5, type: 'limit', limitPrice: 99 }, T0, strategyId('s1'));
  working.transition('submitted', T0);
  working.transition('accepted', T0);
  const done = new Order(orderId('O-8'), { symbol: 'AAA', side: 'sell', qty: 5 }, T0, strategyId('s0'));
  done.transition('submitted', T0);
  done.transition('accepted', T0);
  done.transition('cancelled', T0);
  const strategies = [
    { id: strategyId('s0'), snapshot: () => ({ learned: [1, 2] }) },
    { id: strategyId('s1') },
  ];
  const file = buildPortfolioFile({
    name: 'paper',
    asOfUs: T0 + 6_000_000,
    symbols: ['AAA', 'ES'],
    strategies,
    portfolio: pf,
    fills,
    workingOrders: [snapshotOrder(working), snapshotOrder(done)] as OrderSnapshot[],
    feed: { stream: 'demo', lastSeq: 42 },
  });

  it('hand-computed: account average over same-side ledgers, opposite future ledgers netted into realized P&L and cash', () => {
    // Engine cash: 100000 -1000-1 -3300-3 +480-0.4 -2 -3 = 96170.6; netting ES 2 long @5000 against
    // 3 short @5010 realizes (5010-5000) x 2 x 50 = 1000, settled in cash for a future.
    expect(file.cash).toBeCloseTo(97_170.6, 9);
    // realized = gross 80 (s0 sold 4 at 120 bought at 100) - commissions 9.4 + netting 1000.
    expect(file.realizedPnl).toBeCloseTo(1_070.6, 9);
    const [aaa, es] = file.positions as [PortfolioPosition, PortfolioPosition];
    expect(aaa).toMatchObject({ symbol: 'AAA', qty: 36, mark: 125, multiplier: 1, future: false, marketValue: 4500 });
    expect(aaa.averagePrice).toBeCloseTo(3900 / 36, 12); // (6 x 100 + 30 x 110) / 36
    expect(aaa.unrealizedPnl).toBeCloseTo(600, 9);
    expect(es).toMatchObject({ symbol: 'ES', qty: -1, averagePrice: 5010, mark: 4990, multiplier: 50, future: true, marketValue: -249_500, unrealizedPnl: 1000 });
    expect(file.unrealizedPnl).toBeCloseTo(1600, 9);
    // Equity is the engine's: 96170.6 + 36 x 125 + ES unrealized over ledgers (2 x -10 + -3 x -20) x 50 = 102670.6.
    expect(pf.equity()).toBeCloseTo(102_670.6, 9);
    expect(file.equity).toBeCloseTo(pf.equity(), 9);
    expect(file.equity).toBeCloseTo(file.initialCash + file.realizedPnl + file.unrealizedPnl, 9);
  });
  it('lists working orders only, every fill, the strategies that snapshot, the feed, and passes its own schema', () => {
    expect(file.workingOrders).toEqual([{ orderId: 'O-9', strategy: 's1', symbol: 'AAA', side: 'buy', qty: 5, filledQty: 0, type: 'limit', limitPrice: 99, timeInForce: 'GTC' }]);
    expect(file.fills.map((f) => [f.orderId, f.ts])).toEqual(fills.map((f) => [f.orderId, iso(f.ts)]));
    expect(file.strategies).toEqual({ s0: { learned: [1, 2] } });
    expect(file.feed).toEqual({ stream: 'demo', lastSeq: 42 });
    expect(file.asOf).toBe('2026-01-01T00:00:06.000Z');
    expect(portfolioFileSchema.safeParse(file).success).toBe(true);
  });
});

/** A portfolio file from positions [symbol, qty, avg, mark, multiplier?], its totals derived. */
function pfile(name: string, asOfUs: number, initialCash: number, cash: number, realizedPnl: number, rows: [string, number, number, number | null, number?][], extra: Partial<PortfolioFile> = {}): PortfolioFile {
  const positions = rows.map(([symbol, qty, averagePrice, mark, multiplier = 1]) => ({
    symbol,
    qty,
    averagePrice,
    mark,
    multiplier,
    future: false,
    marketValue: mark === null ? 0 : qty * mark * multiplier,
    unrealizedPnl: mark === null ? 0 : (mark - averagePrice) * qty * multiplier,
  }));
  const unrealizedPnl = positions.reduce((u, p) => u + p.unrealizedPnl, 0);
  const f: PortfolioFile = {
    format: 'tapedeck-portfolio',
    version: 1,
    name,
    asOf: iso(asOfUs),
    asOfUs,
    initialCash,
    cash,
    equity: cash + positions.reduce((v, p) => v + p.marketValue, 0),
    realizedPnl,
    unrealizedPnl,
    positions,
    workingOrders: [],
    fills: [],
    strategies: {},
    ...extra,
  };
  return portfolioFileSchema.parse(f);
}

describe('mergePortfolios', () => {
  it('same side: quantities summed, quantity-weighted average, the later mark, cash and initial cash summed', () => {
    const a = pfile('A', T0, 10_000, 9_000, 0, [['AAA', 10, 100, 110]]);
    const b = pfile('B', T0 + 60_000_000, 20_000, 16_400, 5, [['AAA', 30, 120, 115]]);
    const m = mergePortfolios(a, b, 'AB');
    // (10 x 100 + 30 x 120) / 40 = 115; B is later, so the mark is 115: unrealized 0.
    expect(m.positions).toEqual([{ symbol: 'AAA', qty: 40, averagePrice: 115, mark: 115, multiplier: 1, future: false, marketValue: 4600, unrealizedPnl: 0 }]);
    expect(m).toMatchObject({ name: 'AB', initialCash: 30_000, cash: 25_400, realizedPnl: 5, unrealizedPnl: 0, equity: 30_000, asOfUs: T0 + 60_000_000, sources: ['A', 'B'] });
    expect(portfolioFileSchema.safeParse(m).success).toBe(true);
  });
  it('opposite sides: the remaining side keeps its average, the netted quantity realizes (sell avg - buy avg) x qty x multiplier', () => {
    const a = pfile('A', T0 + 60_000_000, 10_000, 9_000, 0, [['AAA', 10, 100, 105]]);
    const b = pfile('B', T0, 10_000, 10_520, 0, [['AAA', -4, 130, 120]]);
    const m = mergePortfolios(a, b);
    // 4 netted at (130 - 100) = +120 realized; +6 remain at 100; A is later: mark 105.
    expect(m.realizedPnl).toBe(120);
    expect(m.positions).toEqual([{ symbol: 'AAA', qty: 6, averagePrice: 100, mark: 105, multiplier: 1, future: false, marketValue: 630, unrealizedPnl: 30 }]);
    expect(m.name).toBe('A+B');
    // Equity 19520 + 630 = 20150 = initial 20000 + realized 120 + unrealized 30.
    expect(m.equity).toBe(20_150);
    expect(m.equity).toBe(m.initialCash + m.realizedPnl + m.unrealizedPnl);
  });
  it('opposite sides with the short larger: the short remains at its average; multiplier in the realized P&L', () => {
    const a = pfile('A', T0, 100_000, 90_000, 0, [['NQ', 2, 100, 101, 20]]);
    const b = pfile('B', T0, 100_000, 100_000, 0, [['NQ', -5, 104, 101, 20]]);
    const m = mergePortfolios(a, b);
    // netted 2 at (104 - 100) x 20 = 160; -3 remain at 104; unrealized (101 - 104) x -3 x 20 = 180.
    expect(m.realizedPnl).toBe(160);
    expect(m.positions[0]).toMatchObject({ qty: -3, averagePrice: 104, unrealizedPnl: 180 });
  });
  it('a flat result: the position disappears and its P&L is realized', () => {
    const a = pfile('A', T0, 1000, 500, 0, [['AAA', 5, 100, 95]]);
    const b = pfile('B', T0, 1000, 1450, 0, [['AAA', -5, 90, 95]]);
    const m = mergePortfolios(a, b);
    expect(m.positions).toEqual([]);
    expect(m.realizedPnl).toBe(-50); // (90 - 100) x 5
    expect(m.equity).toBe(1950);
    expect(m.unrealizedPnl).toBe(0);
  });
  it('refuses different multipliers for one symbol, naming both', () => {
    const a = pfile('A', T0, 1000, 1000, 0, [['ES', 1, 5000, 5000, 50]]);
    const b = pfile('B', T0, 1000, 1000, 0, [['ES', 1, 5000, 5000, 5]]);
    expect(() => mergePortfolios(a, b)).toThrow('cannot merge ES: its multiplier is 50 in A and 5 in B (not the same contract)');
  });
  it('futures: netting opposite sides realizes into cash too (variation margin), equity counts unrealized P&L; a future merged with a non-future is refused', () => {
    const fut = (f: PortfolioFile): PortfolioFile => {
      const positions = f.positions.map((p) => ({ ...p, future: true }));
      return portfolioFileSchema.parse({ ...f, positions, equity: f.cash + positions.reduce((u, p) => u + p.unrealizedPnl, 0) });
    };
    const a = fut(pfile('A', T0, 50_000, 50_000, 0, [['ES', 2, 5000, 5020, 50]]));
    const b = fut(pfile('B', T0, 50_000, 50_000, 0, [['ES', -3, 5010, 5020, 50]]));
    const m = mergePortfolios(a, b);
    // 2 netted at (5010 - 5000) x 50 = 1000 realized and settled in cash; -1 remains at 5010:
    // unrealized (5020 - 5010) x -1 x 50 = -500; equity 101000 - 500.
    expect(m.realizedPnl).toBe(1000);
    expect(m.cash).toBe(101_000);
    expect(m.positions).toEqual([{ symbol: 'ES', qty: -1, averagePrice: 5010, mark: 5020, multiplier: 50, future: true, marketValue: -251_000, unrealizedPnl: -500 }]);
    expect(m.equity).toBe(100_500);
    expect(m.equity).toBe(m.initialCash + m.realizedPnl + m.unrealizedPnl);
    const stock = pfile('C', T0, 1000, 1000, 0, [['ES', 1, 5000, 5000, 50]]);
    expect(() => mergePortfolios(a, stock)).toThrow('cannot merge ES: it is a future in A and not in C');
  });
  it('keeps both histories: fills in time order (A first on a tie), order and strategy ids prefixed by source, one mark missing', () => {
    const f = (tsUs: number, id: string, strategy: string) => ({ ts: iso(tsUs), tsUs, orderId: id, strategy, symbol: 'AAA', side: 'buy' as const, qty: 1, price: 100, commission: 0 });
    const a = pfile('P', T0, 1000, 1000, 0, [['AAA', 1, 100, null]], { fills: [f(T0 + 1, 'O-1', 'x'), f(T0 + 5, 'O-2', 'x')], strategies: { x: { n: 1 } }, workingOrders: [{ orderId: 'O-3', strategy: 'x', symbol: 'AAA', side: 'sell', qty: 1, filledQty: 0, type: 'market', timeInForce: 'GTC' }] });
    const b = pfile('P', T0, 1000, 1000, 0, [['AAA', 1, 110, 120]], { fills: [f(T0 + 1, 'O-1', 'y'), f(T0 + 3, 'O-2', 'y')], strategies: { y: [1] } });
    const m = mergePortfolios(a, b);
    expect(m.fills.map((x) => x.orderId)).toEqual(['P#1/O-1', 'P#2/O-1', 'P#2/O-2', 'P#1/O-2']);
    expect(m.fills.map((x) => x.strategy)).toEqual(['P#1/x', 'P#2/y', 'P#2/y', 'P#1/x']);
    expect(m.workingOrders.map((o) => o.orderId)).toEqual(['P#1/O-3']);
    expect(m.strategies).toEqual({ 'P#1/x': { n: 1 }, 'P#2/y': [1] });
    // A has no mark for AAA: B's is used.
    expect(m.positions[0]).toMatchObject({ qty: 2, averagePrice: 105, mark: 120, unrealizedPnl: 30 });
  });
  it('netLots does not depend on the order of the lots', () => {
    const lots = [
      { qty: 10, averagePrice: 100 },
      { qty: -5, averagePrice: 110 },
      { qty: 10, averagePrice: 120 },
    ];
    const one = netLots(lots);
    expect(one).toEqual({ qty: 15, averagePrice: 110, realized: 0 });
    expect(netLots([...lots].reverse())).toEqual(one);
  });
});

describe('writePortfolioFile / readPortfolioFile', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  it('writes atomically (no temporary file left) and reads back the same file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pf-'));
    dirs.push(dir);
    const f = pfile('A', T0, 1000, 900, 0, [['AAA', 1, 100, 101]]);
    await writePortfolioFile(join(dir, 'portfolio.json'), f);
    expect(await readdir(dir)).toEqual(['portfolio.json']);
    expect(await readPortfolioFile(join(dir, 'portfolio.json'))).toEqual(f);
  });
  it('one clear line naming the file and the field for a bad file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pf-'));
    dirs.push(dir);
    const path = join(dir, 'p.json');
    const good = pfile('A', T0, 1000, 900, 0, [['AAA', 1, 100, 101]]);
    const bad = async (doc: unknown) => {
      await writeFile(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
      return readPortfolioFile(path).then(
        () => 'read',
        (e: Error) => e.message,
      );
    };
    expect(await bad({ ...good, positions: [{ ...good.positions[0], qty: 'x' }] })).toMatch(new RegExp(`^${path}: positions\\[0\\]\\.qty: .*number`));
    expect(await bad({ ...good, cash: 1 })).toBe(`${path}: equity: 1001 is not cash plus the positions' value (102)`);
    expect(await bad({ ...good, extra: 1 })).toBe(`${path}: extra: unknown key`);
    expect(await bad({ hello: 1 })).toBe(`${path}: not a Tapedeck portfolio (expected "format": "tapedeck-portfolio")`);
    expect(await bad({ ...good, version: 2 })).toBe(`${path}: version: 2 is not supported (this Tapedeck reads version 1)`);
    expect(await bad('{')).toMatch(new RegExp(`^${path}: not valid JSON`));
    expect(await readPortfolioFile(join(dir, 'none.json')).catch((e: Error) => e.message)).toBe(`${join(dir, 'none.json')}: no such file`);
  });
});
