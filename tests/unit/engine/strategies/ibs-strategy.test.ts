import { describe, expect, it } from 'vitest';
import { US_PER_HOUR } from '../../../../engine/core/index.js';
import type { Bar } from '../../../../engine/model/index.js';
import { IbsStrategy, ibsParams, IBS_DEFAULTS, type IbsModelFilter, type IbsParams } from '../../../../engine/strategies/index.js';
import type { ClassifierModel } from '../../../../engine/models/index.js';
import { FakeStrategyContext } from '../../../support/fake-strategy-context.js';

const DAY0 = 1_704_067_200_000_000; // 2024-01-01T00:00Z
const DAY = 86_400_000_000;

/** Bars from [high, low, close], one a day (open = close). */
function bars(hlc: readonly [number, number, number][], startTs = DAY0, stepUs = DAY): Bar[] {
  return hlc.map(([high, low, close], i) => ({ ts: startTs + i * stepUs, open: close, high, low, close, volume: 1 }));
}

function run(params: Partial<IbsParams>, input: Bar[], intervalUs = DAY): FakeStrategyContext {
  return new FakeStrategyContext(['ES'], { barIntervalUs: intervalUs }).run(new IbsStrategy('i', ['ES'], params), 'ES', input);
}

describe('ibs', () => {
  it('enters below entryThreshold and exits above exitThreshold, both strict', () => {
    const ctx = run({}, bars([
      [10, 0, 5], // 0.5
      [10, 0, 1], // 0.1 -> long
      [10, 0, 8], // 0.8 -> stays (not above 0.8)
      [10, 0, 9], // 0.9 -> flat
      [10, 0, 2], // 0.2 -> stays flat (not below 0.2)
    ]));
    expect(ctx.targets.map((t) => [(t.ts - DAY0) / DAY - 1, t.units])).toEqual([
      [1, 100],
      [3, 0],
    ]);
    expect(ctx.signals.map((s) => [s.direction, s.strength])).toEqual([
      [1, 0.5], // (0.2 - 0.1) / 0.2
      [0, 0],
    ]);
  });

  it('acts on the very first bar (IBS needs no warm-up)', () => {
    expect(run({}, bars([[10, 0, 0]])).targets.map((t) => t.units)).toEqual([100]);
  });

  it('treats a bar with no range as neutral (IBS 0.5)', () => {
    expect(run({}, bars([[5, 5, 5]])).calls).toEqual([]);
  });

  it('exits at the stop loss, judged on the close against the entry close', () => {
    const ctx = run({ stopLossPct: 2 }, bars([
      [110, 99, 100], // IBS 0.09 -> long, reference 100
      [100, 97, 98.5], // above 98: stays
      [99, 97, 98], // at 98: stop
    ]));
    expect(ctx.targets.map((t) => t.units)).toEqual([100, 0]);
    expect(ctx.signals[1]!.reason).toBe('stop loss 2% below the entry close');
  });

  it('exits at the take profit', () => {
    const ctx = run({ takeProfitPct: 3 }, bars([
      [110, 99, 100],
      [104, 102, 103], // IBS 0.5, close 103 = 100 x 1.03
    ]));
    expect(ctx.targets.map((t) => t.units)).toEqual([100, 0]);
    expect(ctx.signals[1]!.reason).toBe('take profit 3% above the entry close');
  });

  it('enters only inside the UTC session windows but exits outside them', () => {
    // Hourly bars from 00:00; a bar opening at h is decided at h+1. Window 0300-0500 admits decisions at 03:00 and 04:00.
    const hlc: [number, number, number][] = [
      [10, 0, 1], // decided 01:00: outside, no entry
      [10, 0, 1], // 02:00: outside
      [10, 0, 1], // 03:00: inside -> long
      [10, 0, 5],
      [10, 0, 5],
      [10, 0, 9], // 06:00: outside, exit anyway
    ];
    const ctx = run({ sessions: [{ start: '0300', end: '05:00' }] }, bars(hlc, DAY0, US_PER_HOUR), US_PER_HOUR);
    expect(ctx.targets.map((t) => [(t.ts - DAY0) / US_PER_HOUR, t.units])).toEqual([
      [3, 100],
      [6, 0],
    ]);
  });

  it('supports a window that wraps past midnight', () => {
    const hlc: [number, number, number][] = [[10, 0, 1]];
    // Decided at 01:00, inside 1700-0200.
    expect(run({ sessions: [{ start: '1700', end: '0200' }] }, bars(hlc, DAY0, US_PER_HOUR), US_PER_HOUR).targets).toHaveLength(1);
    // Decided at 01:00, outside 1700-2400.
    expect(run({ sessions: [{ start: '1700', end: '2400' }] }, bars(hlc, DAY0, US_PER_HOUR), US_PER_HOUR).targets).toHaveLength(0);
  });

  it('reads a 09:30 New York window in New York time on both sides of the DST change (timeZone)', () => {
    // One-minute bars, decided at their close (ts + 1m). 2024-03-10 02:00 New York switched EST (UTC-5) to EDT (UTC-4).
    const MIN = 60_000_000;
    const decidedAt = (isoUtc: string): Bar[] => bars([[10, 0, 1]], Date.parse(isoUtc) * 1000 - MIN, MIN);
    const enters = (isoUtc: string, timeZone?: string): boolean =>
      run({ sessions: [{ start: '0930', end: '1000' }], ...(timeZone !== undefined ? { timeZone } : {}) }, decidedAt(isoUtc), MIN).targets.length === 1;
    const ny = 'America/New_York';
    // Friday 2024-03-08, EST: 09:30 New York is 14:30 UTC.
    expect(enters('2024-03-08T14:30:00Z', ny)).toBe(true);
    expect(enters('2024-03-08T14:29:00Z', ny)).toBe(false); // 09:29
    expect(enters('2024-03-08T13:30:00Z', ny)).toBe(false); // 08:30
    expect(enters('2024-03-08T14:59:00Z', ny)).toBe(true); // 09:59
    expect(enters('2024-03-08T15:00:00Z', ny)).toBe(false); // 10:00, the end is excluded
    // Monday 2024-03-11, EDT: 09:30 New York is 13:30 UTC; 14:30 UTC is 10:30.
    expect(enters('2024-03-11T13:30:00Z', ny)).toBe(true);
    expect(enters('2024-03-11T13:29:00Z', ny)).toBe(false);
    expect(enters('2024-03-11T14:30:00Z', ny)).toBe(false);
    // November 2024 back on EST (the change was 2024-11-03).
    expect(enters('2024-11-04T14:30:00Z', ny)).toBe(true);
    expect(enters('2024-11-04T13:30:00Z', ny)).toBe(false);
    // The default time zone is UTC: the same window is 09:30 UTC.
    expect(enters('2024-03-11T09:30:00Z')).toBe(true);
    expect(enters('2024-03-11T13:30:00Z')).toBe(false);
  });

  it('has defaults entry 0.2, exit 0.8, no stop, no take profit, no sessions, UTC', () => {
    expect(IBS_DEFAULTS).toMatchObject({ entryThreshold: 0.2, exitThreshold: 0.8, stopLossPct: null, takeProfitPct: null, sessions: null, timeZone: 'UTC' });
  });

  it.each([
    [{ entryThreshold: 0 }, "invalid 'entryThreshold': outside (0, 1], was 0"],
    [{ exitThreshold: 1 }, "invalid 'exitThreshold': outside [0, 1), was 1"],
    [{ stopLossPct: -2 }, "invalid 'stopLossPct': not positive, was -2"],
    [{ stopLossPct: 100 }, "invalid 'stopLossPct': not below 100 percent, was 100"],
    [{ takeProfitPct: 0 }, "invalid 'takeProfitPct': not positive, was 0"],
    [{ sessions: [] }, "invalid 'sessions': expected a non-empty array of { start, end } or null, was []"],
    [{ sessions: [{ start: '2500', end: '0100' }] }, "invalid 'sessions[0].start': not a time of day HHMM between 0000 and 2400, was \"2500\""],
    [{ sessions: [{ start: '0100', end: '01:00' }] }, "invalid 'sessions[0].end': equal to start (an empty window), was \"01:00\""],
    [{ sessions: [{ start: '0930', end: '1000' }], timeZone: 'Mars/Olympus' }, "invalid 'timeZone': unknown time zone (an IANA name such as America/New_York), was \"Mars/Olympus\""],
    [{ timeZone: 'America/New_York' }, "invalid 'timeZone': has no effect without sessions (it is the time zone of the session windows), was \"America/New_York\""],
  ])('rejects %j naming the parameter and value', (params, message) => {
    expect(() => ibsParams(params as Partial<IbsParams>)).toThrow(message);
  });
});

describe('ibs with a model filter (seed 004 bundles)', () => {
  // A hand-made logistic model on one feature, ibs: p = sigmoid(-10 (ibs - 0.1)), so p > 0.5 exactly when ibs < 0.1.
  const model: ClassifierModel = {
    format: 'tapedeck-classifier/1',
    kind: 'logit',
    symbol: 'ES',
    features: ['ibs'],
    spec: { kind: 'logit', C: 1 },
    mean: [0.1],
    scale: [0.1],
    intercept: 0,
    coefficients: [-1],
  };
  const input = bars([
    [10, 0, 0.5], // 0.05: p = sigmoid(0.5) = 0.62
    [10, 0, 9], // 0.9 -> exit
    [10, 0, 1.5], // 0.15: p = sigmoid(-0.5) = 0.38
    [10, 0, 9],
    [10, 0, 0], // 0.0: p = sigmoid(1) = 0.73
  ]);

  it('enters only when the model probability is at least the threshold, with the probability as confidence; exits are not filtered', () => {
    const all = run({ filter: { model, threshold: 0 } }, input);
    expect(all.signals.filter((s) => s.direction === 1).map((s) => [(s.ts - DAY0) / DAY - 1, +s.confidence!.toFixed(4)])).toEqual([
      [0, 0.6225],
      [2, 0.3775],
      [4, 0.7311],
    ]);
    const gated = run({ filter: { model, threshold: 0.6 } }, input);
    expect(gated.targets.map((t) => [(t.ts - DAY0) / DAY - 1, t.units])).toEqual([
      [0, 100],
      [1, 0],
      [4, 100],
    ]);
    const strict = run({ filter: { model, threshold: 0.7 } }, input);
    expect(strict.targets.map((t) => (t.ts - DAY0) / DAY - 1)).toEqual([4]);
    expect(run({}, input).targets).toHaveLength(5);
  });

  it('does not enter before every model feature has a value (warm-up)', () => {
    const ret5 = { ...model, features: ['ret5'] };
    const ctx = run({ filter: { model: ret5, threshold: 0 } as unknown as IbsModelFilter }, input);
    expect(ctx.targets).toEqual([]);
  });

  it('refuses a malformed filter, naming the field', () => {
    expect(() => ibsParams({ filter: { model, threshold: 1.5 } })).toThrow(/invalid 'filter\.threshold': not a probability/);
    expect(() => ibsParams({ filter: { model: { ...model, coefficients: [] }, threshold: 0.5 } as unknown as IbsModelFilter })).toThrow(/invalid 'filter\.model\.coefficients': has 0 entries for 1 features/);
    expect(() => ibsParams({ filter: { model, threshold: 0.5, code: 'x' } as unknown as IbsModelFilter })).toThrow(/invalid 'filter': unknown key\(s\) 'code'/);
    expect(IBS_DEFAULTS.filter).toBeNull();
    expect(() => new IbsStrategy('i', ['NQ'], { filter: { model, threshold: 0.5 } })).toThrow(/invalid 'filter\.model\.symbol': the model was trained for 'ES', and the strategy trades 'NQ'/);
  });
});
