/**
 * Kernel throughput: the k-way merge (one batch per stream, DuckDB-sized 2048-row batches, and
 * batches fed through starvation/refill), the sequencer with a repeating timer, and the timer queue.
 * Data is preallocated in typed arrays outside the timed region; the loops allocate nothing per event.
 */
import {
  ArrayBatchSource,
  EventMerge,
  EventSequencer,
  MergeSignal,
  SequencerStep,
  SimulatedClock,
  TimerQueue,
} from '../engine/kernel/index.js';
import type { TimestampUs } from '../engine/core/index.js';
import { measure } from './harness.js';
import type { MeasureOptions } from './harness.js';
import type { ThroughputResult } from './harness.js';

const STREAMS = 4;
const EVENTS_PER_STREAM = 2_500_000;
const TOTAL = STREAMS * EVENTS_PER_STREAM;
const CHUNK = 2048;
const START_US = 1_700_000_000_000_000;
/** Everything here is single-threaded, so the CPU-time rate is meaningful. */
const CPU: MeasureOptions = { cpuTime: true };

interface PriceBatch {
  length: number;
  ts: Float64Array;
  price: Float64Array;
}

/** A deterministic xorshift generator: the benchmark data is the same on every run and machine. */
function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function makeStreams(): PriceBatch[] {
  const out: PriceBatch[] = [];
  for (let s = 0; s < STREAMS; s++) {
    const rnd = xorshift(1234 + s);
    const ts = new Float64Array(EVENTS_PER_STREAM);
    const price = new Float64Array(EVENTS_PER_STREAM);
    let t = START_US;
    let p = 100;
    for (let i = 0; i < EVENTS_PER_STREAM; i++) {
      t += Math.floor(rnd() * 1000); // 0..999 µs apart: many equal timestamps across streams
      p += rnd() - 0.5;
      ts[i] = t;
      price[i] = p;
    }
    out.push({ length: EVENTS_PER_STREAM, ts, price });
  }
  return out;
}

function chunks(b: PriceBatch): PriceBatch[] {
  const out: PriceBatch[] = [];
  for (let i = 0; i < b.length; i += CHUNK) {
    const end = Math.min(i + CHUNK, b.length);
    out.push({ length: end - i, ts: b.ts.subarray(i, end), price: b.price.subarray(i, end) });
  }
  return out;
}

/** Consumes the merge, reading a column of each event so the work cannot be optimised away. */
function consume(merge: EventMerge, sources: ArrayBatchSource<PriceBatch>[], refill: ((i: number) => void) | null): number {
  let sum = 0;
  let n = 0;
  for (;;) {
    const i = merge.next();
    if (i >= 0) {
      const s = sources[i]!;
      sum += s.batch!.price[s.row]!;
      n++;
    } else if (i === MergeSignal.Ended) {
      break;
    } else if (refill !== null) {
      refill(merge.starvedSource);
    } else {
      throw new Error('unexpected starvation');
    }
  }
  if (n !== TOTAL || !Number.isFinite(sum)) throw new Error(`merged ${n} events, expected ${TOTAL}`);
  return sum;
}

export default async function run(): Promise<ThroughputResult[]> {
  const streams = makeStreams();
  const chunked = streams.map(chunks);
  const results: ThroughputResult[] = [];
  let sources: ArrayBatchSource<PriceBatch>[] = [];
  let cursors: number[] = [];

  results.push(
    await measure(
      'kernel: merge 4 x 2.5M events, one batch each',
      'events/s',
      TOTAL,
      () => consume(new EventMerge(sources), sources, null),
      { ...CPU, setup: () => void (sources = streams.map((b, s) => ArrayBatchSource.of(`s${s}`, s, b))) },
    ),
  );

  results.push(
    await measure(
      'kernel: merge 4 x 2.5M events, 2048-row batches',
      'events/s',
      TOTAL,
      () => consume(new EventMerge(sources), sources, null),
      { ...CPU, setup: () => void (sources = chunked.map((c, s) => ArrayBatchSource.of(`s${s}`, s, ...c))) },
    ),
  );

  const refill = (i: number): void => {
    const c = chunked[i]!;
    const k = cursors[i]!;
    if (k < c.length) {
      sources[i]!.push(c[k]!);
      cursors[i] = k + 1;
    } else {
      sources[i]!.end();
    }
  };
  results.push(
    await measure(
      'kernel: merge 4 x 2.5M events, starve and refill per 2048 rows',
      'events/s',
      TOTAL,
      () => consume(new EventMerge(sources), sources, refill),
      {
        ...CPU,
        setup: () => {
          sources = streams.map((_, s) => new ArrayBatchSource<PriceBatch>(`s${s}`, s));
          cursors = streams.map(() => 0);
        },
        note: 'synchronous refill: measures the starvation protocol, not I/O',
      },
    ),
  );

  results.push(
    await measure(
      'kernel: sequencer (merge + clock + 1 ms repeating timer)',
      'events/s',
      TOTAL,
      () => {
        const merge = new EventMerge(sources);
        const clock = new SimulatedClock(START_US as TimestampUs);
        const timers = new TimerQueue({ clock });
        timers.schedule('tick', START_US, 1000);
        const seq = new EventSequencer(merge, timers, clock);
        let data = 0;
        let fired = 0;
        let sum = 0;
        for (;;) {
          const step = seq.next();
          if (step >= 0) {
            const s = sources[step]!;
            sum += s.batch!.price[s.row]!;
            data++;
          } else if (step === SequencerStep.Timer) {
            fired++;
          } else {
            break;
          }
        }
        if (data !== TOTAL || !Number.isFinite(sum)) throw new Error(`sequencer delivered ${data} data events, expected ${TOTAL}`);
        // The note's ratio: ~125 µs between data events, a timer every 1000 µs.
        if (Math.round(data / fired) !== 8) throw new Error(`expected 1 timer per 8 events, got ${data} / ${fired}`);
      },
      {
        ...CPU,
        setup: () => void (sources = streams.map((b, s) => ArrayBatchSource.of(`s${s}`, s, b))),
        note: 'data events per second; 1 timer firing per 8 data events',
      },
    ),
  );

  // Timer churn: 10k pending one-shot timers; each firing schedules a new timer a random delay later.
  const DEPTH = 10_000;
  const CHURN = 2_000_000;
  const rnd = xorshift(99);
  const delays = new Float64Array(CHURN + DEPTH);
  for (let i = 0; i < delays.length; i++) delays[i] = 1 + Math.floor(rnd() * 1e6);
  const names = Array.from({ length: 64 }, (_, i) => `timer-${String(i).padStart(2, '0')}`);
  results.push(
    await measure('kernel: timers, fire + reschedule one-shot at depth 10k', 'timers/s', CHURN, () => {
      const q = new TimerQueue();
      for (let i = 0; i < DEPTH; i++) q.schedule(names[i & 63]!, START_US + delays[i]!);
      for (let i = 0; i < CHURN; i++) {
        const t = q.fire();
        q.schedule(names[i & 63]!, t + delays[DEPTH + i]!);
      }
    }, CPU),
  );

  const FIRES = 5_000_000;
  results.push(
    await measure('kernel: timers, 64 repeating timers firing 5M times', 'fires/s', FIRES, () => {
      const q = new TimerQueue();
      for (let i = 0; i < 64; i++) q.schedule(names[i]!, START_US, 1000 + i * 37);
      for (let f = 0; f < FIRES; f++) q.fire();
    }, CPU),
  );
  return results;
}
