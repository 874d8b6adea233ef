import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ES, futuresCli } from '../support/futures-cli.js';
import { readWholeReport } from '../support/whole-report.js';

/**
 * Issue 13 point 2 at the CLI: instruments in the scenario and in an instruments file. Bad input is
 * refused before anything runs: exit 1, one line naming the field's path and the file, no output.
 */

const { runWith } = futuresCli('cli-instruments');

describe('tapedeck run: instruments bad input (exit 1, one line naming the path, nothing written)', () => {
  it('an unknown instrument field', async () => {
    const r = await runWith('unknown', { instruments: { ES: { ...ES, pointValue: 50 } } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`tapedeck: instruments.ES.pointValue: unknown key 'pointValue' (in ${r.path})\n`);
    expect(r.wrote).toBe(false);
  });

  it('a negative margin', async () => {
    const r = await runWith('negative-margin', { instruments: { ES: { ...ES, initialMargin: -13_200 } } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`tapedeck: instruments.ES.initialMargin: Too small: expected number to be >=0, was -13200 (in ${r.path})\n`);
    expect(r.wrote).toBe(false);
  });

  it('a point value of zero', async () => {
    const r = await runWith('zero-point', { instruments: { ES: { ...ES, multiplier: 0 } } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`tapedeck: instruments.ES.multiplier: Too small: expected number to be >0, was 0 (in ${r.path})\n`);
    expect(r.wrote).toBe(false);
  });

  it('an unknown field in the instruments file names the file and the key', async () => {
    const r = await runWith('file-unknown', {}, { instruments: { ES: { ...ES, margin: 1 } } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`tapedeck: instruments.ES.margin: unknown key 'margin' (in ${r.filePath}, instrumentsFile of ${r.path})\n`);
    expect(r.wrote).toBe(false);
  });

  it('a zero point value in the instruments file names the file and the key', async () => {
    const r = await runWith('file-zero', {}, { instruments: { ES: { ...ES, multiplier: 0 } } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`tapedeck: instruments.ES.multiplier: Too small: expected number to be >0, was 0 (in ${r.filePath}, instrumentsFile of ${r.path})\n`);
    expect(r.wrote).toBe(false);
  });

  for (const [name, entry, expected] of [
    ['no-margin', { assetClass: 'future', multiplier: 50 }, 'instruments.ES.initialMargin: missing: a future needs its initial margin per contract (account currency)'],
    ['no-point-value', { assetClass: 'future', initialMargin: 1, maintenanceMargin: 1 }, 'instruments.ES.multiplier: missing: a future needs its point value (currency per 1.0 of price per contract, e.g. ES 50)'],
    ['maintenance-above', { ...ES, maintenanceMargin: 14_000 }, 'instruments.ES.maintenanceMargin: above the initial margin 13200 (maintenance is what a position must keep, at most what opening it takes), was 14000'],
    ['currency', { ...ES, currency: 'EUR' }, 'instruments.ES.currency: not the account currency USD: Tapedeck has no FX conversion, so a price in another currency cannot be added to the account, was "EUR"'],
    ['no-class', { multiplier: 50 }, 'instruments.ES.assetClass: missing: multiplier describe an instrument, which needs its assetClass (equity, fx, crypto, future or option)'],
    [
      'equity-multiplier',
      { assetClass: 'equity', multiplier: 50 },
      'instruments.ES.multiplier: an equity unit is one unit: the multiplier (point value) is 1 for equity, fx and crypto (futures and options only; use lotSize for board lots), was 50',
    ],
  ] as const) {
    it(`refuses ${name}`, async () => {
      const r = await runWith(name, { instruments: { ES: entry } });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`tapedeck: ${expected} (in ${r.path})\n`);
      expect(r.wrote).toBe(false);
    });
  }

  it('an instrument of a symbol not replayed (in the scenario; a file may hold a larger universe)', async () => {
    const r = await runWith('not-replayed', { instruments: { NQ: { assetClass: 'future', multiplier: 20, initialMargin: 1, maintenanceMargin: 1 } } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("tapedeck: instruments.NQ: symbol 'NQ' is not replayed (symbols: CL, ES)\n");
    expect(r.wrote).toBe(false);
  });

  it("a venue lot size that contradicts an instrument's", async () => {
    const r = await runWith('venue-lot', { instruments: { ES }, venue: { lotSize: 2 } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("tapedeck: venue.lotSize: 2 contradicts ES's instrument lot size 1 (instruments.ES.lotSize): an instrument's lot size replaces the venue's for its symbol; remove venue.lotSize or make them agree\n");
    expect(r.wrote).toBe(false);
  });
});

describe('tapedeck run: instruments that run', () => {
  it('a universe file with more symbols than replayed: point values reach the P&L, the report lists the instruments', async () => {
    const universe = { $comment: 'test universe', instruments: { ES, CL: { assetClass: 'future', multiplier: 1000, tickSize: 0.01, initialMargin: 6600, maintenanceMargin: 6000 }, NQ: { assetClass: 'future', multiplier: 20, initialMargin: 1, maintenanceMargin: 1 } } };
    const r = await runWith('universe', { portfolio: { constraints: { maxPositions: 1 } } }, universe);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = await readWholeReport(join(r.out));
    expect(report.assumptions).toContain('Instrument CL: future, point value 1000 USD (settled by variation margin: cash moves by realized P&L and fees, position value = open P&L), margin 6600 initial / 6000 maintenance per contract');
    // Each trade's P&L is (exit - entry) x qty x point value (no fees here).
    const trades = report.trades as { symbol: string; qty: number; entryPrice: number; exitPrice: number; pnl: number; side: string }[];
    expect(trades.length).toBeGreaterThan(0);
    for (const t of trades) {
      const point = t.symbol === 'ES' ? 50 : 1000;
      expect(t.pnl).toBeCloseTo((t.exitPrice - t.entryPrice) * t.qty * point * (t.side === 'long' ? 1 : -1), 6);
    }
    // maxPositions 1: never ES and CL open at once.
    expect(report.audit.some((e: { kind: string; message: string }) => e.kind === 'risk.denied' && e.message.startsWith('maxOpenPositions 1 reached'))).toBe(true);
  });
});
