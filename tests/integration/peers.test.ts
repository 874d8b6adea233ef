import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { qualify } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import type { RunReport } from '../../reports/index.js';
import { REPO } from '../support/cli.js';

/**
 * Tapedeck against backtesting.py (the peer) on its own data files, fill for fill. The reference runs
 * are tests/fixtures/peers/backtesting-py.json, made by tests/fixtures/scripts/peers-backtesting-py.py
 * with the same rules as Tapedeck's built-ins (sma_cross long_short, ibs), next-open fills, 0.2%
 * commission, cash 100000.
 *
 * The data files (backtesting.py's GOOG.csv and BTCUSD.csv, public market data; see
 * tests/fixtures/peers/README.md) are not committed: they are read from TAPEDECK_PEER_DATA, by
 * default ../shared/peers/backtesting.py beside the repository. Their SHA-256 must equal the
 * fixture's, so the comparison is always on the data the peer ran.
 */

interface PeerFill {
  readonly ts: string;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly price: number;
}
interface PeerCase {
  readonly name: string;
  readonly data: { readonly file: string; readonly sha256: string; readonly rows: number };
  readonly params: { readonly units: number };
  readonly fills: readonly PeerFill[];
  readonly refused: readonly (PeerFill & { readonly equity: number; readonly marginAvailable: number })[];
  readonly ruin: { readonly ts: string; readonly equity: number; readonly liquidation: readonly PeerFill[] } | null;
  readonly finalEquity: number;
  readonly finalPosition: number;
}
const fixture = JSON.parse(readFileSync(resolve(REPO, 'tests/fixtures/peers/backtesting-py.json'), 'utf8')) as {
  readonly settings: { readonly cash: number; readonly commission: number };
  readonly cases: readonly PeerCase[];
};
const peer = (name: string): PeerCase => {
  const c = fixture.cases.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no case ${name} in the fixture`);
  return c;
};

const DATA = process.env.TAPEDECK_PEER_DATA ?? resolve(REPO, '../shared/peers/backtesting.py');
const haveData = existsSync(join(DATA, 'GOOG.csv')) && existsSync(join(DATA, 'BTCUSD.csv'));

/** A scenario document: one built-in strategy on one of the peer's files, the peer's venue terms. */
function scenarioDoc(c: PeerCase, type: 'sma_cross' | 'ibs', extra: Record<string, unknown> = {}): Record<string, unknown> {
  const symbol = c.data.file.replace(/\.csv$/, '');
  const sizing = { kind: 'units', units: c.params.units };
  return {
    name: `peer-${c.name}`,
    seed: 1,
    initialCash: fixture.settings.cash,
    data: { bars: join(DATA, c.data.file), symbols: [symbol] },
    strategies: [{ id: type, type, params: type === 'sma_cross' ? { fast: 10, slow: 20, mode: 'long_short', sizing } : { sizing } }],
    venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: fixture.settings.commission } },
    ...extra,
  };
}

async function run(doc: Record<string, unknown>): Promise<RunReport> {
  const scenario = await qualify(doc, 'peers.test.ts', { baseDir: DATA });
  return (await runScenario(scenario)).report;
}

const iso = (ts: number): string => new Date(ts / 1000).toISOString();

/** Fills as the peer lists them: ISO time, side, quantity, price (prices compared to 1e-9 below). */
function fillsOf(report: RunReport): PeerFill[] {
  return report.fills.map((f) => ({ ts: iso(f.ts), side: f.side, qty: f.qty, price: f.price }));
}

function expectSameFills(actual: readonly PeerFill[], expected: readonly PeerFill[]): void {
  expect(actual.map(({ ts, side, qty }) => ({ ts, side, qty }))).toEqual(expected.map(({ ts, side, qty }) => ({ ts, side, qty })));
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]!.price - expected[i]!.price), `fill ${i} at ${expected[i]!.ts}`).toBeLessThanOrEqual(1e-9);
}

function checkData(c: PeerCase): void {
  const sha = createHash('sha256').update(readFileSync(join(DATA, c.data.file))).digest('hex');
  expect(sha, `${c.data.file} in ${DATA} is not the file the peer ran`).toBe(c.data.sha256);
}

describe.skipIf(!haveData)(`peers: backtesting.py 0.6.6 on its GOOG and BTCUSD files (data in ${DATA})`, () => {
  it('GOOG sma-cross in a margin account with leverage 1 (backtesting.py margin=1) matches fill for fill, nothing refused', async () => {
    const c = peer('goog-sma-cross');
    expect(c.refused).toEqual([]);
    const report = await run(scenarioDoc(c, 'sma_cross', { account: { type: 'margin', leverage: 1, marginCall: 'none' } }));
    expectSameFills(fillsOf(report), c.fills);
    expect(Math.abs(report.metrics.finalEquity - c.finalEquity)).toBeLessThanOrEqual(1e-6);
    expect(report.orders.filter((o) => o.status === 'denied')).toEqual([]);
  });

  it('GOOG ibs with 100 units matches fill for fill; the peer refuses nothing (equity never falls below 100 x price)', async () => {
    const c = peer('goog-ibs');
    checkData(c);
    expect(c.refused).toEqual([]);
    const report = await run(scenarioDoc(c, 'ibs'));
    expect(c.fills.length).toBe(475);
    expectSameFills(fillsOf(report), c.fills);
    expect(Math.abs(report.metrics.finalEquity - c.finalEquity)).toBeLessThanOrEqual(1e-6);
    expect(report.orders.filter((o) => o.status === 'denied')).toEqual([]);
  });

  it('GOOG ibs with 150 units in the default cash account: the same 20 buys as the peer are refused (first 2011-12-09), the rest fill for fill', async () => {
    const c = peer('goog-ibs-150');
    checkData(c);
    expect(c.refused.length).toBe(20);
    expect(c.refused[0]!.ts).toBe('2011-12-09T00:00:00.000Z');
    const report = await run(scenarioDoc(c, 'ibs'));
    expectSameFills(fillsOf(report), c.fills);
    expect(Math.abs(report.metrics.finalEquity - c.finalEquity)).toBeLessThanOrEqual(1e-6);
    // A refused buy is denied whole, at the open of the first bar at or after its decision (the close of the bar before).
    const dates = readFileSync(join(DATA, c.data.file), 'utf8').trim().split('\n').slice(1).map((l) => `${l.slice(0, 10)}T00:00:00.000Z`);
    const denied = report.orders.filter((o) => o.status === 'denied');
    expect(denied.map((o) => ({ ts: dates.find((d) => d >= iso(o.tsCreated)), side: o.side, qty: o.qty, filledQty: o.filledQty }))).toEqual(
      c.refused.map((r) => ({ ts: r.ts, side: r.side, qty: r.qty, filledQty: 0 })),
    );
  });

  it('BTCUSD month-end sma-cross in a margin account with leverage 1: the peer\'s 3 fills (2016-04-30 @416.52), ruined at 2019-05-31', async () => {
    const c = peer('btcusd-monthly-sma-cross');
    checkData(c);
    expect(c.fills[1]).toEqual({ ts: '2016-04-30T00:00:00.000Z', side: 'buy', qty: 200, price: 416.52 });
    const report = await run(scenarioDoc(c, 'sma_cross', { account: { type: 'margin', leverage: 1, marginCall: 'none' } }));
    // The peer's fills before its ruin; what each does after ruin (the peer closes at the close) is not compared.
    const before = fillsOf(report).filter((f) => f.ts < c.ruin!.ts);
    expectSameFills(before, c.fills);
    const ruinedAt = (report.metrics as { ruinedAt?: string | null }).ruinedAt;
    expect(ruinedAt).toBe(c.ruin!.ts);
    const atRuin = report.equity.find((e) => iso(e.ts) === c.ruin!.ts)!;
    expect(Math.abs(atRuin.equity - c.ruin!.equity)).toBeLessThanOrEqual(1e-6);
  });
});
