import { describe, expect, it } from 'vitest';
import { InvariantError, TimeTravelError } from '../../../../engine/core/index.js';
import type { TimestampUs } from '../../../../engine/core/index.js';
import { SimulatedClock, TimerQueue } from '../../../../engine/kernel/index.js';
import { firstWrites } from '../../../support/first-writes.js';

/** Fires every timer due at or before `until`; returns `name@ts` strings. */
function fireUntil(q: TimerQueue, until: number): string[] {
  const out: string[] = [];
  while (q.size > 0 && q.peekTs() <= until) {
    const ts = q.fire();
    out.push(`${q.firedName}@${ts}`);
  }
  return out;
}

describe('TimerQueue', () => {
  it('fires in (ts, name) order whatever the scheduling order', () => {
    const q = new TimerQueue();
    q.schedule('rebalance', 20);
    q.schedule('b', 10);
    q.schedule('close', 30);
    q.schedule('a', 10);
    q.schedule('Z', 10); // upper case sorts before lower case (code-unit order)
    expect(fireUntil(q, 100)).toEqual(['Z@10', 'a@10', 'b@10', 'rebalance@20', 'close@30']);
    expect(q.size).toBe(0);
    expect(q.peekTs()).toBe(Infinity);
  });

  it('fires timers of equal time and name in insertion order', () => {
    const q = new TimerQueue();
    q.schedule('t', 5, 3); // repeating: fires at 5 and 8
    q.schedule('t', 5);
    q.schedule('t', 8);
    // At 8 the repeating timer (inserted first) precedes the one-shot scheduled for 8.
    const fired: string[] = [];
    while (q.peekTs() <= 8) {
      q.fire();
      fired.push(`${q.firedTs}`);
    }
    expect(fired).toEqual(['5', '5', '8', '8']);
    expect(q.size).toBe(1);
    expect(q.peekTs()).toBe(11);
  });

  it('repeats a timer every interval until it is cancelled', () => {
    const q = new TimerQueue();
    q.schedule('heartbeat', 100, 50);
    q.schedule('once', 160);
    expect(fireUntil(q, 250)).toEqual(['heartbeat@100', 'heartbeat@150', 'once@160', 'heartbeat@200', 'heartbeat@250']);
    expect(q.cancel('heartbeat')).toBe(1);
    expect(q.size).toBe(0);
  });

  it('cancels every timer of a name and keeps the order of the others', () => {
    const q = new TimerQueue();
    for (let i = 0; i < 40; i++) q.schedule(i % 3 === 0 ? 'x' : `k${String(i).padStart(2, '0')}`, 1000 - i * 7);
    expect(q.has('x')).toBe(true);
    expect(q.cancel('x')).toBe(14);
    expect(q.has('x')).toBe(false);
    expect(q.cancel('x')).toBe(0);
    const ts = fireUntil(q, Infinity).map((s) => Number(s.split('@')[1]));
    expect(ts).toHaveLength(26);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
  });

  it('grows past its initial capacity and reuses released slots', () => {
    const q = new TimerQueue();
    for (let i = 0; i < 100; i++) q.schedule(`t${i}`, 100 - i);
    expect(q.peekName()).toBe('t99');
    expect(fireUntil(q, 50)).toHaveLength(50); // t99@1 ... t50@50
    for (let i = 0; i < 60; i++) q.schedule(`u${i}`, 60 + i);
    expect(q.size).toBe(110);
    const ts = fireUntil(q, Infinity).map((s) => Number(s.split('@')[1]));
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(ts).toHaveLength(110);
  });

  it('refuses to schedule before the last firing or before the clock', () => {
    const q = new TimerQueue();
    q.schedule('a', 10);
    q.fire();
    expect(() => q.schedule('late', 9)).toThrow(TimeTravelError);
    q.schedule('now', 10); // due now is allowed
    const clock = new SimulatedClock(1000 as TimestampUs);
    const withClock = new TimerQueue({ clock });
    expect(() => withClock.schedule('past', 999)).toThrow(/timer 'past' scheduled in the past: at 999 .* now is 1000 /);
  });

  it('rejects a negative interval, a fractional time and firing an empty queue', () => {
    const q = new TimerQueue();
    expect(() => q.schedule('a', 1, -5)).toThrow(/intervalUs/);
    expect(() => q.schedule('a', 1.5)).toThrow(/'ts'/);
    expect(() => q.schedule('', 1)).toThrow(/'name'/);
    expect(() => q.fire()).toThrow(InvariantError);
  });

  it('clear() removes every timer', () => {
    const q = new TimerQueue();
    q.schedule('a', 1, 1);
    q.schedule('b', 2);
    q.clear();
    expect(q.size).toBe(0);
    q.schedule('c', 3);
    expect(q.peekName()).toBe('c');
  });
});

describe("TimerQueue's number fields", () => {
  it('are first written with their numbers by the constructor (firedTs and floorTs, set at each firing, are not re-boxed)', () => {
    const fields = ['firedTs', 'floorTs', 'capacity', 'count', 'freeCount', 'insertions'];
    const seen = firstWrites(TimerQueue, fields, (C) => new (C as unknown as typeof TimerQueue)());
    expect(Object.keys(seen).sort()).toEqual([...fields].sort());
    for (const f of fields) expect(typeof seen[f]).toBe('number');
  });
});
