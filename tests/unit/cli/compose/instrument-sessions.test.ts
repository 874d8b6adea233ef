import { describe, expect, it } from 'vitest';
import { describeInstruments, instrumentSpecsAsRun, resolveInstruments } from '../../../../cli/compose/instruments.js';
import { resolveCalendar } from '../../../../engine/core/index.js';
import type { InstrumentSpec } from '../../../../engine/model/index.js';

const session = resolveCalendar({ timeZone: 'America/Chicago', open: '08:30', close: '15:15', holidays: ['2024-12-25'] }, 'instruments.ES.session');
const ES: InstrumentSpec = { symbol: 'ES', assetClass: 'future', multiplier: 50, tickSize: 0.25, lotSize: 1, currency: 'USD', initialMargin: 13_200, maintenanceMargin: 12_000, session };
const NQ: InstrumentSpec = { symbol: 'NQ', assetClass: 'future', multiplier: 20, tickSize: 0.25, lotSize: 1, currency: 'USD', initialMargin: 18_700, maintenanceMargin: 17_000 };

describe('instrument sessions at run assembly', () => {
  it('refuses a session on an L2 run, naming instruments.SYM.session', () => {
    expect(() => resolveInstruments({ NQ, ES }, ['NQ', 'ES'], {}, true)).toThrow(
      'instruments.ES.session: trading sessions are not supported on an L2 run (data.book): the L2 venue fills whenever the book has liquidity; remove the session (or the instrument)',
    );
  });

  it('refuses a session on an option contract of the chain', () => {
    const contract = { ...ES, symbol: 'ES 2024-12-20 C 5000', assetClass: 'option' as const };
    expect(() => resolveInstruments({ [contract.symbol]: contract }, ['ES'], {}, false, { contracts: [contract.symbol] })).toThrow(/^instruments\.ES 2024-12-20 C 5000\.session: an option contract of the chain has no trading session of its own/);
  });

  it("accepts '24/7' only in a run whose calendar it departs from", () => {
    const btc: InstrumentSpec = { ...NQ, symbol: 'BTC', assetClass: 'crypto', multiplier: 1, initialMargin: null, maintenanceMargin: null, session: resolveCalendar('24/7') };
    expect(() => resolveInstruments({ BTC: btc }, ['BTC'], {}, false)).toThrow("instruments.BTC.session: '24/7' changes nothing in a run without a session calendar");
    expect(resolveInstruments({ BTC: btc }, ['BTC'], {}, false, { calendar: resolveCalendar('XNYS') })).toEqual([btc]);
  });

  it('describes the session and shows it as its label in the report scenario', () => {
    expect(describeInstruments([ES, NQ])[0]).toBe(
      'Instrument ES: future, point value 50 USD (settled by variation margin: cash moves by realized P&L and fees, position value = open P&L), margin 13200 initial / 12000 maintenance per contract; trades only in its session (America/Chicago 08:30-15:15, weekdays, 1 holiday)',
    );
    expect(JSON.parse(JSON.stringify(instrumentSpecsAsRun({ ES, NQ })))).toEqual({ ES: { ...ES, session: 'America/Chicago 08:30-15:15, weekdays, 1 holiday' }, NQ });
    const plain = { NQ };
    expect(instrumentSpecsAsRun(plain)).toBe(plain);
  });
});
