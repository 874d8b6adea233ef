import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ES, futuresCli } from '../support/futures-cli.js';
import { readWholeReport } from '../support/whole-report.js';

/**
 * Issue 13 point 2, the instrument's trading session, at the CLI: bad sessions are refused before
 * anything runs (exit 1, one line naming `instruments.ES.session...` and the file, nothing written);
 * a session gates the symbol's fills and is listed in the report.
 */

const { runWith } = futuresCli('cli-sessions', { initialCash: 200_000 });
const CME_RTH = { timeZone: 'America/Chicago', open: '08:30', close: '15:15' };

describe('tapedeck run: bad instrument sessions (exit 1, one line naming the path, nothing written)', () => {
  for (const [name, session, expected] of [
    ['zone', { ...CME_RTH, timeZone: 'Mars/Olympus' }, 'instruments.ES.session.timeZone: unknown time zone (an IANA name such as America/New_York), was "Mars/Olympus"'],
    ['clock', { ...CME_RTH, open: '8:30' }, 'instruments.ES.session.open: expected a time of day HH:MM, was "8:30"'],
    ['key', { ...CME_RTH, lunch: '12:00' }, "instruments.ES.session.lunch: unknown key 'lunch'"],
    ['overnight', { ...CME_RTH, open: '17:00', close: '16:00' }, "instruments.ES.session.close: '16:00' is not after open '17:00' (a session opens and closes on the same local day)"],
    ['name', 'CME', "instruments.ES.session: expected '24/7', 'fx-24/5', 'XNYS' or an exchange session { timeZone, open, close, weekdays?, holidays? }, was \"CME\""],
  ] as const) {
    it(`refuses a bad session (${name})`, async () => {
      const r = await runWith(`bad-${name}`, { instruments: { ES: { ...ES, session } } });
      expect(r.stderr).toBe(`tapedeck: ${expected} (in ${r.path})\n`);
      expect(r.code).toBe(1);
      expect(r.wrote).toBe(false);
    });
  }

  it('an unknown time zone in the instruments file names the file', async () => {
    const r = await runWith('bad-file', {}, { instruments: { ES: { ...ES, session: { ...CME_RTH, timeZone: 'Chicago' } } } });
    expect(r.stderr).toBe(`tapedeck: instruments.ES.session.timeZone: unknown time zone (an IANA name such as America/New_York), was "Chicago" (in ${r.filePath}, instrumentsFile of ${r.path})\n`);
    expect(r.code).toBe(1);
    expect(r.wrote).toBe(false);
  });

  it("a '24/7' session in a run without a calendar, which would change nothing", async () => {
    const r = await runWith('bad-247', { instruments: { ES: { ...ES, session: '24/7' } } });
    expect(r.stderr).toBe(
      "tapedeck: instruments.ES.session: '24/7' changes nothing in a run without a session calendar (every symbol trades at any time and its DAY orders end at UTC midnight); remove it, or give the run a `calendar` it departs from\n",
    );
    expect(r.code).toBe(1);
    expect(r.wrote).toBe(false);
  });
});

describe('tapedeck run: an instrument session that runs', () => {
  it('a Monday-to-Wednesday session fills ES only on those days (daily bars), CL as before; the report lists the session', async () => {
    const free = await runWith('free', { instruments: { ES } });
    const gated = await runWith('gated', { instruments: { ES: { ...ES, session: { ...CME_RTH, weekdays: [1, 2, 3] } } } });
    expect([free.code, free.stderr, gated.code, gated.stderr]).toEqual([0, '', 0, '']);
    const a = await readWholeReport(join(free.out));
    const b = await readWholeReport(join(gated.out));
    const weekday = (ts: number) => new Date(ts / 1000).getUTCDay();
    type F = { symbol: string; ts: number };
    const esFree = (a.fills as F[]).filter((f) => f.symbol === 'ES');
    const esGated = (b.fills as F[]).filter((f) => f.symbol === 'ES');
    // Without the session ES fills on Thursdays and Fridays too; with it never (UTC-midnight daily bars: the bar's date is the session's).
    expect(esFree.some((f) => weekday(f.ts) === 4 || weekday(f.ts) === 5)).toBe(true);
    expect(esGated.length).toBeGreaterThan(0);
    expect(esGated.every((f) => [1, 2, 3].includes(weekday(f.ts)))).toBe(true);
    expect(b.runHash).not.toBe(a.runHash);
    // CL, without a session, fills as it did (one contract per signal: nothing ties it to ES; order ids are one sequence, so they shift).
    const cl = (fills: (F & { side: string; qty: number; price: number })[]) => fills.filter((f) => f.symbol === 'CL').map((f) => [f.ts, f.side, f.qty, f.price]);
    expect(cl(b.fills).length).toBeGreaterThan(0);
    expect(cl(b.fills)).toEqual(cl(a.fills));
    expect(b.assumptions).toContain(
      'Instrument ES: future, point value 50 USD (settled by variation margin: cash moves by realized P&L and fees, position value = open P&L), margin 13200 initial / 12000 maintenance per contract; trades only in its session (America/Chicago 08:30-15:15, Mon,Tue,Wed)',
    );
    expect(b.assumptions.some((x: string) => x.startsWith('ES trades only in its session (America/Chicago 08:30-15:15, Mon,Tue,Wed)'))).toBe(true);
    expect(b.scenario.instrumentSpecs.ES.session).toBe('America/Chicago 08:30-15:15, Mon,Tue,Wed');
  });
});
