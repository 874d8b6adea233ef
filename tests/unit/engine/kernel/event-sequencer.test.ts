import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimeTravelError } from '../../../../engine/core/index.js';
import {
  ArrayBatchSource,
  EventMerge,
  EventSequencer,
  SequencerStep,
  SimulatedClock,
  TimerQueue,
} from '../../../../engine/kernel/index.js';
import type { EventSequencerOptions } from '../../../../engine/kernel/index.js';
import { batch } from './merge-fixtures.js';
import type { IdBatch } from './merge-fixtures.js';

interface Harness {
  sources: ArrayBatchSource<IdBatch>[];
  merge: EventMerge;
  timers: TimerQueue;
  clock: SimulatedClock;
  seq: EventSequencer;
}

function harness(sources: ArrayBatchSource<IdBatch>[], options: EventSequencerOptions = {}): Harness {
  const clock = new SimulatedClock();
  const timers = new TimerQueue({ clock });
  const merge = new EventMerge(sources);
  return { sources, merge, timers, clock, seq: new EventSequencer(merge, timers, clock, options) };
}

/**
 * A minimal run loop, as the backtest runner writes it: data events and timers in one order, the
 * clock at each event's time, starved sources refilled through `refill`. Returns `what@clock` strings.
 */
function run(
  h: Harness,
  hooks: { onData?: (id: number) => void; onTimer?: (name: string) => void; refill?: (i: number) => void } = {},
): string[] {
  const log: string[] = [];
  for (let guard = 0; guard < 10_000; guard++) {
    const step = h.seq.next();
    if (step >= 0) {
      const s = h.sources[step]!;
      const id = s.batch!.id[s.row]!;
      log.push(`d${id}@${h.clock.now()}`);
      hooks.onData?.(id);
    } else if (step === SequencerStep.Timer) {
      log.push(`${h.timers.firedName}@${h.clock.now()}`);
      hooks.onTimer?.(h.timers.firedName);
    } else if (step === SequencerStep.Starved) {
      log.push(`refill ${h.merge.starvedSource}`);
      hooks.refill!(h.merge.starvedSource);
    } else {
      return log;
    }
  }
  throw new Error('loop did not end');
}

describe('EventSequencer', () => {
  it('fires timers due before a data event first, and keeps the clock at each event time', () => {
    const h = harness([ArrayBatchSource.of('bars', 0, batch([10, 20, 30], [1, 2, 3]))]);
    h.timers.schedule('open', 5);
    h.timers.schedule('mid', 25);
    expect(run(h)).toEqual(['open@5', 'd1@10', 'd2@20', 'mid@25', 'd3@30']);
  });

  it('orders a timer and data at the same ts by priority, the timer winning a tie', () => {
    // Sources: 'book' priority -1 (before timers), 'bars' priority 0 (tie with timers: timer first),
    // 'trades' priority 1 (after timers).
    const h = harness([
      ArrayBatchSource.of('bars', 0, batch([10], [1])),
      ArrayBatchSource.of('trades', 1, batch([10], [2])),
      ArrayBatchSource.of('book', -1, batch([10], [3])),
    ]);
    h.timers.schedule('t', 10);
    expect(run(h)).toEqual(['d3@10', 't@10', 'd1@10', 'd2@10']);
  });

  it('fires a timer scheduled by a data handler for now before the next data event', () => {
    const h = harness([ArrayBatchSource.of('bars', 0, batch([10, 10, 20], [1, 2, 3]))]);
    const log = run(h, {
      onData: (id) => {
        if (id === 1) h.timers.schedule('react', h.clock.now());
      },
    });
    expect(log).toEqual(['d1@10', 'react@10', 'd2@10', 'd3@20']);
  });

  it('interleaves a repeating timer with data across refills, and stops with the data', () => {
    const bars = new ArrayBatchSource<IdBatch>('bars', 0);
    const chunks = [batch([0, 100], [1, 2]), batch([150, 300], [3, 4])];
    const h = harness([bars]);
    h.timers.schedule('every100', 50, 100);
    const log = run(h, {
      refill: (i) => {
        const next = chunks.shift();
        if (next === undefined) h.sources[i]!.end();
        else h.sources[i]!.push(next);
      },
    });
    expect(log).toEqual([
      'refill 0',
      'd1@0',
      'every100@50',
      'd2@100',
      'refill 0',
      'every100@150',
      'd3@150',
      'every100@250',
      'd4@300',
      'refill 0',
    ]);
    expect(h.timers.size).toBe(1); // still scheduled at 350, never fired: the run ended with the data
  });

  it('fires the timers due by endTs after the data has ended', () => {
    const h = harness([ArrayBatchSource.of('bars', 0, batch([10], [1]))], { endTs: 40 });
    h.timers.schedule('tick', 20, 10);
    expect(run(h)).toEqual(['d1@10', 'tick@20', 'tick@30', 'tick@40']);
  });

  it('lets a timer handler cancel a timer that was due at the same time', () => {
    const h = harness([ArrayBatchSource.of('bars', 0, batch([10], [1]))]);
    h.timers.schedule('a', 5);
    h.timers.schedule('b', 5);
    expect(run(h, { onTimer: (name) => name === 'a' && h.timers.cancel('b') })).toEqual(['a@5', 'd1@10']);
  });

  it('refuses a timer scheduled before the current event time', () => {
    const h = harness([ArrayBatchSource.of('bars', 0, batch([10, 20], [1, 2]))]);
    expect(() => run(h, { onData: (id) => id === 2 && h.timers.schedule('late', 15) })).toThrow(TimeTravelError);
  });

  it('orders data and timers as one source of priority timerPriority that wins ties, across refills', () => {
    const stream = fc.record({
      ts: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 25 }),
      priority: fc.integer({ min: -1, max: 1 }),
      chunk: fc.integer({ min: 1, max: 6 }),
    });
    const timer = fc.record({
      name: fc.constantFrom('a', 'b', 'c'),
      ts: fc.integer({ min: 0, max: 45 }),
      interval: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 15 })),
    });
    fc.assert(
      fc.property(
        fc.array(stream, { minLength: 1, maxLength: 4 }),
        fc.array(timer, { maxLength: 5 }),
        fc.integer({ min: -1, max: 1 }),
        (streams, timerSpecs, timerPriority) => {
          type Ev = { ts: number; priority: number; kind: number; name: string; a: number; b: number; label: string };
          const expected: Ev[] = [];
          const sources: ArrayBatchSource<IdBatch>[] = [];
          const pending: IdBatch[][] = [];
          let id = 0;
          let lastDataTs = -Infinity;
          streams.forEach((s, src) => {
            const ts = [...s.ts].sort((x, y) => x - y);
            const ids = ts.map(() => id++);
            ts.forEach((t, row) => {
              expected.push({ ts: t, priority: s.priority, kind: 1, name: '', a: row, b: src, label: `d${ids[row]}@${t}` });
              lastDataTs = Math.max(lastDataTs, t);
            });
            const batches: IdBatch[] = [];
            for (let i = 0; i < ts.length; i += s.chunk) batches.push(batch(ts.slice(i, i + s.chunk), ids.slice(i, i + s.chunk)));
            pending.push(batches);
            sources.push(new ArrayBatchSource<IdBatch>(`s${src}`, s.priority));
          });
          const h = harness(sources, { timerPriority });
          timerSpecs.forEach((t, insertion) => {
            h.timers.schedule(t.name, t.ts, t.interval);
            for (let at = t.ts; at <= lastDataTs; at += t.interval) {
              expected.push({ ts: at, priority: timerPriority, kind: 0, name: t.name, a: insertion, b: 0, label: `${t.name}@${at}` });
              if (t.interval === 0) break;
            }
          });
          // Data: (ts, priority, seq = row, source). Timers: (ts, timerPriority) winning the tie, then
          // (name, insertion). The run ends with the last data event.
          expected.sort(
            (x, y) =>
              x.ts - y.ts ||
              x.priority - y.priority ||
              x.kind - y.kind ||
              (x.name < y.name ? -1 : x.name > y.name ? 1 : 0) ||
              x.a - y.a ||
              x.b - y.b,
          );
          let lastData = -1;
          expected.forEach((e, i) => e.kind === 1 && (lastData = i));
          const log = run(h, {
            refill: (i) => {
              const next = pending[i]!.shift();
              if (next === undefined) h.sources[i]!.end();
              else h.sources[i]!.push(next);
            },
          }).filter((line) => !line.startsWith('refill'));
          expect(log).toEqual(expected.slice(0, lastData + 1).map((e) => e.label));
        },
      ),
      { numRuns: 300 },
    );
  });
});
