import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, parseIsoUs, resolveCalendar, TimeTravelError, US_PER_DAY, US_PER_HOUR } from '../../../../engine/core/index.js';
import { RiskEngine, worstCaseUnits, type RiskOrder } from '../../../../engine/risk/index.js';
import { TestAccount } from './test-account.js';
import { firstWrites } from '../../../support/first-writes.js';

const buy = (symbol: string, qty: number, price: number): RiskOrder => ({ symbol, side: 'buy', qty, price });
const sell = (symbol: string, qty: number, price: number): RiskOrder => ({ symbol, side: 'sell', qty, price });
const DAY1 = parseIsoUs('2024-01-02T00:00:00Z');

describe('RiskEngine: per-symbol position limits', () => {
  it('denies a buy that takes the position past maxPositionUnits, naming the numbers', () => {
    const risk = new RiskEngine({ maxPositionUnits: 100 });
    const acct = new TestAccount().set('AAA', 80, 10);
    expect(risk.check(buy('AAA', 50, 10), acct)).toEqual({
      limit: 'maxPositionUnits',
      reason: 'maxPositionUnits 100 exceeded for AAA: position 80 + buy 50 = 130',
    });
  });

  it('passes a buy that reaches maxPositionUnits exactly', () => {
    const risk = new RiskEngine({ maxPositionUnits: 100 });
    expect(risk.check(buy('AAA', 20, 10), new TestAccount().set('AAA', 80, 10))).toBeNull();
  });

  it('counts working orders on the same side as if they had filled', () => {
    const risk = new RiskEngine({ maxPositionUnits: 100 });
    const acct = new TestAccount().set('AAA', 80, 10, { buy: 20, sell: 500 });
    expect(risk.check(buy('AAA', 10, 10), acct)?.reason).toBe(
      'maxPositionUnits 100 exceeded for AAA: position 80 + pending buy 20 + buy 10 = 110',
    );
  });

  it('applies maxPositionUnits to short positions too', () => {
    const risk = new RiskEngine({ maxPositionUnits: 100 });
    const acct = new TestAccount().set('AAA', -80, 10);
    expect(risk.check(sell('AAA', 30, 10), acct)?.limit).toBe('maxPositionUnits');
    expect(risk.check(sell('AAA', 20, 10), acct)).toBeNull();
  });

  it('denies a reversal whose new side would exceed maxPositionUnits', () => {
    const risk = new RiskEngine({ maxPositionUnits: 100 });
    const acct = new TestAccount().set('AAA', 100, 10);
    expect(risk.check(sell('AAA', 200, 10), acct)).toBeNull();
    expect(risk.check(sell('AAA', 201, 10), acct)?.reason).toBe('maxPositionUnits 100 exceeded for AAA: position 100 + sell 201 = -101');
  });

  it('denies a position worth more than maxPositionNotional at the reference price', () => {
    const risk = new RiskEngine({ maxPositionNotional: 5_000 });
    const acct = new TestAccount().set('AAA', 40, 100);
    expect(risk.check(buy('AAA', 10, 100), acct)).toBeNull();
    expect(risk.check(buy('AAA', 11, 100), acct)).toEqual({
      limit: 'maxPositionNotional',
      reason: 'maxPositionNotional 5000 exceeded for AAA: position 40 + buy 11 = 51 units x 100 = 5100',
    });
  });
});

describe('RiskEngine: order size, symbols and open positions', () => {
  it('denies an order above maxOrderUnits even if the position limit is larger', () => {
    const risk = new RiskEngine({ maxOrderUnits: 100, maxPositionUnits: 50 });
    expect(risk.check(buy('AAA', 101, 1), new TestAccount())?.reason).toBe('maxOrderUnits 100 exceeded for AAA: buy 101');
  });

  it('denies an order above maxOrderNotional', () => {
    const risk = new RiskEngine({ maxOrderNotional: 10_000 });
    expect(risk.check(buy('AAA', 150, 70), new TestAccount())?.reason).toBe(
      'maxOrderNotional 10000 exceeded for AAA: buy 150 x 70 = 10500',
    );
    expect(risk.check(buy('AAA', 142, 70), new TestAccount())).toBeNull();
  });

  it('denies a symbol that is not in allowedSymbols', () => {
    const risk = new RiskEngine({ allowedSymbols: ['ES', 'CL'] });
    expect(risk.check(buy('NQ', 1, 1), new TestAccount())).toEqual({
      limit: 'allowedSymbols',
      reason: 'symbol NQ is not in allowedSymbols (ES, CL)',
    });
    expect(risk.check(buy('CL', 1, 1), new TestAccount())).toBeNull();
  });

  it('lets an existing position in a symbol that is no longer allowed be closed', () => {
    const risk = new RiskEngine({ allowedSymbols: ['ES'] });
    expect(risk.check(sell('NQ', 5, 1), new TestAccount().set('NQ', 5, 1))).toBeNull();
  });

  it('denies opening a position beyond maxOpenPositions but allows adding to an open one', () => {
    const risk = new RiskEngine({ maxOpenPositions: 2 });
    const acct = new TestAccount().set('A', 10, 1).set('B', -5, 1);
    expect(risk.check(buy('C', 1, 1), acct)?.reason).toBe('maxOpenPositions 2 reached: 2 symbols open, buy 1 C would open another');
    expect(risk.check(buy('A', 1, 1), acct)).toBeNull();
    expect(risk.check(sell('B', 1, 1), acct)).toBeNull();
  });

  it('counts a flat symbol with a working order as open', () => {
    const risk = new RiskEngine({ maxOpenPositions: 1 });
    const acct = new TestAccount().set('A', 0, 1, { buy: 3 });
    expect(risk.check(buy('B', 1, 1), acct)?.limit).toBe('maxOpenPositions');
    expect(risk.check(buy('A', 1, 1), acct)).toBeNull();
  });
});

describe('RiskEngine: gross exposure', () => {
  it('denies an order that takes gross exposure past maxGrossExposureNotional', () => {
    const risk = new RiskEngine({ maxGrossExposureNotional: 10_000 });
    const acct = new TestAccount().set('A', 50, 100).set('B', -20, 100); // gross 7000
    expect(risk.check(buy('C', 30, 100), acct)).toBeNull();
    expect(risk.check(buy('C', 31, 100), acct)?.reason).toBe(
      'maxGrossExposureNotional 10000 exceeded: gross exposure would be 10100 after buy 31 C',
    );
  });

  it('measures maxGrossExposureRatio against equity', () => {
    const risk = new RiskEngine({ maxGrossExposureRatio: 1.5 });
    const acct = new TestAccount(10_000).set('A', 100, 100); // gross 10000 = 1.0 x equity
    expect(risk.check(sell('B', 50, 100), acct)).toBeNull();
    expect(risk.check(sell('B', 51, 100), acct)?.reason).toBe(
      'maxGrossExposureRatio 1.5 exceeded: gross exposure would be 15100 = 1.51 x equity 10000 after sell 51 B',
    );
  });

  it('lets a reversal that shrinks the position pass the exposure limit', () => {
    const risk = new RiskEngine({ maxGrossExposureNotional: 10_000 });
    const acct = new TestAccount().set('A', 100, 100); // gross exactly 10000
    expect(risk.check(sell('A', 150, 100), acct)).toBeNull(); // worst case: -50 units
    expect(risk.check(sell('A', 201, 100), acct)?.limit).toBe('maxGrossExposureNotional');
  });

  it('denies any new exposure when equity is not positive under a ratio limit', () => {
    const risk = new RiskEngine({ maxGrossExposureRatio: 2 });
    expect(risk.check(buy('A', 1, 1), new TestAccount(0))?.reason).toBe(
      'maxGrossExposureRatio 2 cannot be met: equity is 0 (buy 1 A)',
    );
  });

  it('computes the worst-case units of a symbol from both ends of its working orders', () => {
    expect(worstCaseUnits(10, 5, 0)).toBe(15);
    expect(worstCaseUnits(10, 0, 40)).toBe(30);
    expect(worstCaseUnits(-10, 25, 0)).toBe(15);
  });
});

describe('RiskEngine: daily loss stop', () => {
  it('halts new risk once the loss from the day-start equity reaches the limit, and resumes the next UTC day', () => {
    const risk = new RiskEngine({ dailyLossLimit: 2_500 });
    const acct = new TestAccount();
    expect(risk.onEquity(DAY1 + 1 * US_PER_HOUR, 100_000)).toEqual([]);
    expect(risk.onEquity(DAY1 + 2 * US_PER_HOUR, 97_600)).toEqual([]);
    const halted = risk.onEquity(DAY1 + 3 * US_PER_HOUR, 97_500);
    expect(halted).toHaveLength(1);
    expect(halted[0]).toMatchObject({ kind: 'risk.halted', ts: DAY1 + 3 * US_PER_HOUR });
    expect(halted[0]!.message).toBe(
      'dailyLossLimit 2500 hit: equity 97500 is 2500 below the day-start equity 100000; new risk halted until 2024-01-03T00:00:00.000Z',
    );
    expect(risk.halted).toBe(true);
    expect(risk.check(buy('A', 1, 10), acct)).toEqual({
      limit: 'dailyLossLimit',
      reason: 'dailyLossLimit 2500 hit: new risk halted until 2024-01-03T00:00:00.000Z (buy 1 A)',
    });
    // Recovering within the day does not lift the halt.
    expect(risk.onEquity(DAY1 + 20 * US_PER_HOUR, 101_000)).toEqual([]);
    expect(risk.halted).toBe(true);
    const resumed = risk.onEquity(DAY1 + US_PER_DAY + US_PER_HOUR, 101_000);
    expect(resumed.map((e) => e.kind)).toEqual(['risk.resumed']);
    expect(risk.halted).toBe(false);
    expect(risk.check(buy('A', 1, 10), acct)).toBeNull();
  });

  it('with a session calendar, resets at local midnight of the calendar time zone (New York, across the DST change)', () => {
    const ny = resolveCalendar({ timeZone: 'America/New_York', open: '09:30', close: '16:00' });
    const at = (iso: string) => parseIsoUs(iso);
    const risk = new RiskEngine({ dailyLossLimit: 100 }, ny);
    const utc = new RiskEngine({ dailyLossLimit: 100 });
    for (const r of [risk, utc]) {
      r.onEquity(at('2024-03-11T02:00:00Z'), 1_000); // 22:00 EDT on the 10th
      r.onEquity(at('2024-03-11T03:30:00Z'), 900); // 23:30 EDT: loss 100, halted
      expect(r.halted).toBe(true);
    }
    expect(risk.onEquity(at('2024-03-11T03:30:00Z'), 900)).toEqual([]);
    expect(risk.check(buy('A', 1, 10), new TestAccount())!.reason).toBe('dailyLossLimit 100 hit: new risk halted until 2024-03-11T04:00:00.000Z (buy 1 A)');
    // 00:30 EDT on the 11th: a new New York day, halt lifted; still the same UTC day, halt kept.
    const lifted = risk.onEquity(at('2024-03-11T04:30:00Z'), 900);
    expect(lifted.map((e) => e.message)).toEqual(['dailyLossLimit halt lifted: new session day 2024-03-11T04:00:00.000Z, day-start equity 900']);
    expect(risk.halted).toBe(false);
    expect(utc.onEquity(at('2024-03-11T04:30:00Z'), 900)).toEqual([]);
    expect(utc.halted).toBe(true);
    // In winter (EST) New York midnight is 05:00 UTC.
    const winter = new RiskEngine({ dailyLossLimit: 100 }, ny);
    winter.onEquity(at('2024-01-10T04:00:00Z'), 1_000);
    winter.onEquity(at('2024-01-10T04:30:00Z'), 800);
    expect(winter.onEquity(at('2024-01-10T04:59:00Z'), 800)).toEqual([]);
    expect(winter.onEquity(at('2024-01-10T05:00:00Z'), 800).map((e) => e.kind)).toEqual(['risk.resumed']);
  });

  it('takes the day-start equity from the last sample before the UTC day began', () => {
    const risk = new RiskEngine({ dailyLossLimit: 1_000 });
    risk.onEquity(DAY1 + 10 * US_PER_HOUR, 100_000);
    risk.onEquity(DAY1 + 23 * US_PER_HOUR, 99_500);
    risk.onEquity(DAY1 + US_PER_DAY + US_PER_HOUR, 99_000); // 500 below 99500: no halt
    expect(risk.dayStartEquity).toBe(99_500);
    expect(risk.halted).toBe(false);
    expect(risk.onEquity(DAY1 + US_PER_DAY + 2 * US_PER_HOUR, 98_500).map((e) => e.kind)).toEqual(['risk.halted']);
  });

  it('halts again on the new day when that day starts already beyond the limit', () => {
    const risk = new RiskEngine({ dailyLossLimit: 100 });
    risk.onEquity(DAY1, 1_000);
    risk.onEquity(DAY1 + 1, 800);
    const kinds = risk.onEquity(DAY1 + US_PER_DAY, 600).map((e) => e.kind);
    expect(kinds).toEqual(['risk.resumed', 'risk.halted']);
  });
});

describe('RiskEngine: drawdown circuit breaker', () => {
  it('trips at maxDrawdown from the peak and stays tripped for the rest of the run', () => {
    const risk = new RiskEngine({ maxDrawdown: 0.1 });
    risk.onEquity(DAY1, 100_000);
    risk.onEquity(DAY1 + 1, 120_000);
    expect(risk.onEquity(DAY1 + 2, 108_001)).toEqual([]);
    const tripped = risk.onEquity(DAY1 + 3, 108_000);
    expect(tripped.map((e) => e.kind)).toEqual(['risk.halted']);
    expect(tripped[0]!.message).toBe(
      'maxDrawdown 0.1 breaker tripped: equity 108000 is 0.1 below the peak 120000; new risk halted for the rest of the run',
    );
    expect(risk.haltedBy).toBe('maxDrawdown');
    risk.onEquity(DAY1 + 30 * US_PER_DAY, 130_000);
    expect(risk.check(buy('A', 1, 1), new TestAccount())?.limit).toBe('maxDrawdown');
  });

  it('lifts after drawdownResetAfterUs and restarts the peak from the equity then', () => {
    const risk = new RiskEngine({ maxDrawdown: 0.2, drawdownResetAfterUs: 5 * US_PER_DAY });
    risk.onEquity(DAY1, 100_000);
    risk.onEquity(DAY1 + US_PER_DAY, 80_000);
    expect(risk.halted).toBe(true);
    expect(risk.onEquity(DAY1 + 5 * US_PER_DAY, 70_000)).toEqual([]);
    const resumed = risk.onEquity(DAY1 + 6 * US_PER_DAY, 70_000);
    expect(resumed.map((e) => e.kind)).toEqual(['risk.resumed']);
    expect(risk.halted).toBe(false);
    expect(risk.peakEquity).toBe(70_000);
    expect(risk.onEquity(DAY1 + 7 * US_PER_DAY, 56_000).map((e) => e.kind)).toEqual(['risk.halted']);
  });

  it('rejects an equity sample older than the previous one', () => {
    const risk = new RiskEngine({ maxDrawdown: 0.2 });
    risk.onEquity(DAY1 + 10, 1);
    expect(() => risk.onEquity(DAY1, 1)).toThrow(TimeTravelError);
  });
});

describe('RiskEngine: reducing orders', () => {
  function haltedEngine(reducingAlwaysAllowed?: boolean): RiskEngine {
    const risk = new RiskEngine({ maxDrawdown: 0.05, ...(reducingAlwaysAllowed === undefined ? {} : { reducingAlwaysAllowed }) });
    risk.onEquity(DAY1, 100);
    risk.onEquity(DAY1 + 1, 90);
    expect(risk.halted).toBe(true);
    return risk;
  }

  it('passes an order that only reduces the position while halted', () => {
    const risk = haltedEngine();
    const acct = new TestAccount().set('A', 100, 10).set('S', -40, 10);
    expect(risk.check(sell('A', 100, 10), acct)).toBeNull();
    expect(risk.check(buy('S', 15, 10), acct)).toBeNull();
    expect(risk.check(buy('A', 1, 10), acct)?.limit).toBe('maxDrawdown');
  });

  it('denies a reversal while halted, because it opens new risk on the other side', () => {
    const risk = haltedEngine();
    expect(risk.check(sell('A', 101, 10), new TestAccount().set('A', 100, 10))?.limit).toBe('maxDrawdown');
  });

  it('judges reduction against the working orders already on that side', () => {
    const risk = haltedEngine();
    const acct = new TestAccount().set('A', 100, 10, { sell: 60 });
    expect(risk.check(sell('A', 40, 10), acct)).toBeNull();
    expect(risk.check(sell('A', 41, 10), acct)?.limit).toBe('maxDrawdown');
  });

  it('halts reducing orders too when reducingAlwaysAllowed is false', () => {
    const risk = haltedEngine(false);
    expect(risk.check(sell('A', 10, 10), new TestAccount().set('A', 100, 10))?.limit).toBe('maxDrawdown');
  });

  it('lets a reducing order through size caps it would otherwise break', () => {
    const risk = new RiskEngine({ maxOrderUnits: 10, allowedSymbols: ['B'] });
    expect(risk.check(sell('A', 500, 10), new TestAccount().set('A', 500, 10))).toBeNull();
  });
});

describe('RiskEngine: inputs', () => {
  it('throws on a non-positive or non-finite quantity or price, naming it', () => {
    const risk = new RiskEngine({});
    const acct = new TestAccount();
    expect(() => risk.check(buy('A', 0, 1), acct)).toThrow(/invalid 'qty'.*was 0/);
    expect(() => risk.check(buy('A', 1, Number.NaN), acct)).toThrow(InvalidArgumentError);
    expect(() => risk.check(buy('A', 1, Number.POSITIVE_INFINITY), acct)).toThrow(/invalid 'price'/);
  });

  it('passes everything when no limit is configured', () => {
    expect(new RiskEngine().check(buy('A', 1e9, 1e6), new TestAccount(-5))).toBeNull();
  });

  it('forgets halts on reset', () => {
    const risk = new RiskEngine({ maxDrawdown: 0.5 });
    risk.onEquity(DAY1, 100);
    risk.onEquity(DAY1 + 1, 10);
    risk.reset();
    expect(risk.halted).toBe(false);
    expect(risk.onEquity(DAY1, 100)).toEqual([]);
  });
});

describe("RiskEngine's number fields", () => {
  it('are first written with their numbers by the constructor (written at each equity sample, not re-boxed)', () => {
    const fields = ['lastTs', 'day', 'lastEquity', 'dayStart', 'peak', 'drawdownHaltTs'];
    const seen = firstWrites(RiskEngine, fields, (C) => new (C as unknown as typeof RiskEngine)({ dailyLossLimit: 100 }));
    expect(Object.keys(seen).sort()).toEqual([...fields].sort());
    for (const f of fields) expect(typeof seen[f]).toBe('number');
  });
});
