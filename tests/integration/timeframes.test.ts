import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualify } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { formatIsoUs } from '../../engine/core/index.js';
import { defineStrategy } from '../../engine/strategies/define-strategy.js';
import type { DefinedStrategy } from '../../engine/strategies/index.js';
import { REPO, runCli } from '../support/cli.js';
import { readWholeReport } from '../support/whole-report.js';

/**
 * Issue 12 point 4, multi-timeframe: `data.timeframes` asks for coarser intervals resampled from the
 * bars, a strategy reads them with `ctx.bars(symbol, '1d')`, and a coarse bar is readable only once
 * its bucket closed (never a partial one), in `run` (in process and through the CLI with a user
 * strategy module) and in a sweep, whose best trial reproduces.
 */

const HOUR = 3_600_000_000;
const DAY = 24 * HOUR;

let dir: string;
let hourly: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-timeframes-'));
  hourly = join(dir, 'hourly');
  // Weekday sessions 09:30-16:00 (UTC) of hourly bars opening at :30: not aligned to 2h buckets.
  await generateDataset({ seed: 5, out: hourly, symbols: ['AAA', 'BBB'], days: 12, interval: '1h', kinds: ['bars'] });
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Row = [ts: number, open: number, high: number, low: number, close: number, volume: number];
interface Seen {
  now: number;
  hour: Row;
  /** The coarse series at this bar: bars readable, and the newest (null while none). */
  count: number;
  last: Row | null;
}

/** A strategy that trades nothing and records, at every bar of AAA, its hourly bar and ctx.bars('AAA', timeframe). */
function recorder(seen: Seen[], timeframe: string): DefinedStrategy<object> {
  return defineStrategy({
    name: 'tf_recorder',
    description: 'records the coarse bars it can read (test)',
    defaults: {},
    create: () => ({
      onBar(ctx, bars) {
        if (bars.symbol !== 'AAA') return;
        const d = ctx.bars('AAA', timeframe);
        const row = (s: typeof bars, ago = 0): Row => [s.ts(ago), s.open(ago), s.high(ago), s.low(ago), s.close(ago), s.volume(ago)];
        seen.push({ now: ctx.now, hour: row(bars), count: d.count, last: d.count > 0 ? row(d) : null });
      },
    }),
  }) as unknown as DefinedStrategy<object>;
}

async function record(timeframe: string, data: Record<string, unknown> = {}): Promise<{ seen: Seen[]; runHash: string }> {
  const seen: Seen[] = [];
  const doc = { name: 'tf', data: { bars: hourly, timeframes: [timeframe], ...data }, strategies: [{ type: 'tf_recorder' }] };
  const scenario = await qualify(doc, 'tf.json', { objects: new Map([['tf_recorder', recorder(seen, timeframe)]]) });
  const run = await runScenario(scenario);
  return { seen, runHash: run.result.runHash };
}

/** The aggregate of hourly rows: first open, max high, min low, last close, summed volume. */
function aggregate(start: number, rows: readonly Row[]): Row {
  return [start, rows[0]![1], Math.max(...rows.map((r) => r[2])), Math.min(...rows.map((r) => r[3])), rows[rows.length - 1]![4], rows.reduce((s, r) => s + r[5], 0)];
}

describe('ctx.bars(symbol, timeframe): no look-ahead', () => {
  it("a daily bar of day D is readable only from the first bar at or after D's end (UTC midnight), and it is the whole day", async () => {
    const { seen } = await record('1d');
    expect(seen.length).toBeGreaterThan(50);
    const hours = seen.map((s) => s.hour);
    const days = [...new Set(hours.map((h) => h[0] - (h[0] % DAY)))];
    for (const s of seen) {
      // Every day whose end is at or before now is readable, none after.
      const closed = days.filter((d) => d + DAY <= s.now);
      expect(s.count, formatIsoUs(s.now)).toBe(closed.length);
      if (closed.length === 0) {
        expect(s.last).toBeNull();
        continue;
      }
      const day = closed[closed.length - 1]!;
      // The newest readable daily bar is the aggregate of all that day's hourly bars, each of which closed by now.
      const ofDay = hours.filter((h) => h[0] >= day && h[0] < day + DAY);
      for (const h of ofDay) expect(h[0] + HOUR).toBeLessThanOrEqual(s.now);
      expect(s.last).toEqual(aggregate(day, ofDay));
    }
    // The first bar of each new session is the first to see the previous day (the last bar of a day never sees it).
    for (let i = 1; i < seen.length; i++) {
      const newDay = seen[i]!.hour[0] - (seen[i]!.hour[0] % DAY) !== seen[i - 1]!.hour[0] - (seen[i - 1]!.hour[0] % DAY);
      expect(seen[i]!.count > seen[i - 1]!.count).toBe(newDay);
    }
  });

  it('a 2h bar of hourly bars opening at :30 is readable when its last hourly bar closes, after the bucket end', async () => {
    const { seen } = await record('2h');
    const hours = seen.map((s) => s.hour);
    for (const s of seen) {
      if (s.last === null) continue;
      const start = s.last[0];
      const of = hours.filter((h) => h[0] >= start && h[0] < start + 2 * HOUR);
      expect(Math.max(start + 2 * HOUR, of[of.length - 1]![0] + HOUR)).toBeLessThanOrEqual(s.now);
      expect(s.last).toEqual(aggregate(start, of));
    }
    // The 10:30 bar (closing 11:30) is in the 10:00-12:00 bucket: readable at 12:30 (the 11:30 bar's close), not at 12:00.
    const at = seen.find((s) => s.last !== null && formatIsoUs(s.last[0]).includes('T10:00'))!;
    expect(formatIsoUs(at.now)).toContain('T12:30');
  });

  it('builds only whole buckets of the run range: a day cut by data.start or data.end is never read', async () => {
    const all = await record('1d');
    const firstDay = all.seen[0]!.hour[0] - (all.seen[0]!.hour[0] % DAY);
    // Start at noon of the first session and end at noon of the fourth calendar day after it.
    const start = firstDay + 12 * HOUR;
    const { seen } = await record('1d', { start: formatIsoUs(start), end: formatIsoUs(firstDay + 4 * DAY + 12 * HOUR) });
    const read = new Set(seen.filter((s) => s.last !== null).map((s) => s.last![0]));
    expect(read.has(firstDay)).toBe(false);
    expect(Math.min(...read)).toBeGreaterThanOrEqual(firstDay + DAY);
    for (const d of read) expect(d + DAY).toBeLessThanOrEqual(firstDay + 4 * DAY + 12 * HOUR);
  });

  it("reads '24h' as the '1d' of data.timeframes, and refuses a timeframe the scenario did not ask for, naming the strategy and data.timeframes", async () => {
    const day = await record('1d');
    const seen: Seen[] = [];
    const doc = { name: 'tf', data: { bars: hourly, timeframes: ['1d'] }, strategies: [{ id: 'rec', type: 'tf_recorder' }] };
    await runScenario(await qualify(doc, 'tf.json', { objects: new Map([['tf_recorder', recorder(seen, '24h')]]) }));
    expect(seen).toEqual(day.seen);
    const missing = runScenario(await qualify(doc, 'tf.json', { objects: new Map([['tf_recorder', recorder([], '4h')]]) }));
    // A user strategy's failure names it and its module (StrategyError), with the engine's message.
    await expect(missing).rejects.toThrow(`data.timeframes: strategy 'rec' reads ctx.bars('AAA', '4h'), which needs '4h' in data.timeframes (it has '1d')`);
  });
});

describe('data.timeframes: qualification and run identity', () => {
  const base = () => ({ name: 'tf', data: { bars: hourly } as Record<string, unknown>, strategies: [{ type: 'sma_cross', params: { fast: 3, slow: 8 } }] });
  const withTf = (tfs: unknown) => ({ ...base(), data: { bars: hourly, timeframes: tfs } });

  it('refuses, by path, a timeframe that is not a whole multiple of the bars, a repeated length, an empty list and a run without bars (L1 or L2)', async () => {
    await expect(runScenario(await qualify(withTf(['1d', '90m']), 'tf.json'))).rejects.toThrow(`data.timeframes[1]: "90m" is not a whole multiple of the bar interval of AAA (1h): a coarser bar is built from whole bars`);
    await expect(qualify(withTf(['1d', '24h']), 'tf.json')).rejects.toThrow(`data.timeframes[1]: "24h" is the same interval as data.timeframes[0] ("1d") (in tf.json)`);
    await expect(qualify(withTf([]), 'tf.json')).rejects.toThrow(/data\.timeframes/);
    await expect(qualify({ ...base(), data: { quotes: hourly, timeframes: ['1d'] } }, 'tf.json')).rejects.toThrow('data.timeframes: coarser intervals are resampled from bars: give data.bars (in tf.json)');
    await expect(qualify({ ...base(), data: { book: hourly, timeframes: ['1d'] } }, 'tf.json')).rejects.toThrow('data.timeframes: coarser intervals are resampled from bars: an L2 run (data.book) has none (in tf.json)');
  });

  it('is part of the runHash when given (the same fills), by interval length whatever the order or spelling; without it the runHash is unchanged', async () => {
    const plain = await runScenario(await qualify(base(), 'tf.json'));
    const one = await runScenario(await qualify(withTf(['1h', '1d']), 'tf.json'));
    const other = await runScenario(await qualify(withTf(['24h', '60m']), 'tf.json'));
    expect(one.result.fills).toEqual(plain.result.fills);
    expect(one.result.runHash).not.toBe(plain.result.runHash);
    expect(other.result.runHash).toBe(one.result.runHash);
    expect((await runScenario(await qualify(withTf(['1d']), 'tf.json'))).result.runHash).not.toBe(one.result.runHash);
    expect((await runScenario(await qualify(base(), 'tf.json'))).result.runHash).toBe(plain.result.runHash);
  });
});

/** A user strategy module: long the session after an hourly close above the previous day's high, flat below its low. */
const DEFINE = pathToFileURL(join(REPO, 'engine', 'strategies', 'define-strategy.ts')).href;
const BREAKOUT = `import { defineStrategy } from '${DEFINE}';

export default defineStrategy({
  name: 'daily_breakout',
  description: "Long above the previous day's high, flat below its low.",
  defaults: { units: 10, band: 0 },
  create: ({ params }) => ({
    onBar(ctx, bars) {
      const day = ctx.bars(bars.symbol, '1d');
      if (day.length === 0) return;
      if (bars.close() > day.high() * (1 - params.band)) ctx.setTarget(bars.symbol, params.units);
      else if (bars.close() < day.low() * (1 + params.band)) ctx.setTarget(bars.symbol, 0);
    },
  }),
});
`;

describe('a user strategy reading daily bars of hourly data through the CLI', () => {
  it('runs with `tapedeck run`, a sweep of it reproduces its best trial through the printed command, and it walks forward', async () => {
    await writeFile(join(dir, 'breakout.ts'), BREAKOUT);
    await writeFile(join(dir, 'scenario.json'), JSON.stringify({ name: 'breakout', data: { bars: './hourly', timeframes: ['1d'] }, strategies: [{ type: './breakout.ts', params: { band: 0 } }] }));
    await writeFile(join(dir, 'space.json'), JSON.stringify({ parameters: { 'strategies.0.params.band': { type: 'categorical', values: [0, 0.002] } } }));
    const at = (p: string) => join(dir, p);
    const run = runCli(['run', at('scenario.json'), '--json', '--out', at('out/run')]);
    expect(run.code, run.stderr).toBe(0);
    const report = await readWholeReport(join(dir, 'out', 'run')) as { runHash: string; metrics: { tradeCount: number }; scenario: { data: { timeframes: string[] } } };
    expect(report.scenario.data.timeframes).toEqual(['1d']);
    expect(report.metrics.tradeCount).toBeGreaterThan(0);
    const sweep = runCli(['sweep', at('scenario.json'), '--space', at('space.json'), '--workers', '1', '--out', at('out/sweep'), '--quiet']);
    expect(sweep.code, sweep.stderr).toBe(0);
    const result = JSON.parse(await readFile(join(dir, 'out', 'sweep', 'sweep.json'), 'utf8')) as { failedCount: number; best: { key: string; reproduce: string }; trials: { key: string; runHash: string; params: Record<string, unknown> }[] };
    expect(result.failedCount).toBe(0);
    expect(result.trials.find((t) => t.params['strategies.0.params.band'] === 0)!.runHash).toBe(report.runHash);
    const again = runCli([...result.best.reproduce.split(' ').slice(1), '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(result.trials.find((t) => t.key === result.best.key)!.runHash);
    // Walk-forward: each fold resamples its own window (warm-up included); every trial and test run goes through.
    const wf = runCli(['walkforward', at('scenario.json'), '--space', at('space.json'), '--train', '6d', '--test', '3d', '--workers', '1', '--quiet', '--out', at('out/wf')]);
    expect(wf.code, wf.stderr).toBe(0);
    const folds = (JSON.parse(await readFile(join(dir, 'out', 'wf', 'walkforward.json'), 'utf8')) as { folds: { sweep: { failed: number }; outOfSample: { status: string } }[] }).folds;
    expect(folds.length).toBeGreaterThan(1);
    for (const f of folds) expect([f.sweep.failed, f.outOfSample.status]).toEqual([0, 'ok']);
  }, 180_000);
});
