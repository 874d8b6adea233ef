import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAll } from '../../datasets/index.js';
import { REPO, runCli } from '../support/cli.js';

/**
 * The real close-only tape end to end: R's USDCHF (timeSeries::USDCHF, 62,496 30-minute closes,
 * tests/fixtures/csv/usdchf.csv written by tests/fixtures/scripts/usdchf-csv.R), imported as closes,
 * resampled to 30-minute and 1-hour bars, and run through scenarios/sma-cross.json; and the same file
 * run directly (each close one bar, O = H = L = C).
 */
const USDCHF = resolve(REPO, 'tests/fixtures/csv/usdchf.csv');
const SPAWNING = 300_000;
const HOUR = 3_600_000_000;
/** The first close: 1996-04-01 00:00 in Zurich (timeSeries' financial centre), 22:00 UTC the day before. */
const FIRST = Date.UTC(1996, 2, 31, 22) * 1000;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tapedeck-usdchf-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface RunJson {
  runHash: string;
  metrics: { bars: number; finalEquity: number; tradeCount: number; startTs: number };
  report: string;
}

function run(bars: string, symbol: string, out: string): RunJson {
  const r = runCli(['run', 'scenarios/sma-cross.json', '--set', `data.bars=${bars}`, '--set', `data.symbols=["${symbol}"]`, '--out', join(work, out), '--json', '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as RunJson;
}

describe("R's USDCHF, a close-only tape", () => {
  it('imports as 62,496 closes, resamples to 31,248 hourly and 62,496 half-hourly bars, and runs sma-cross on them', async () => {
    const ds = join(work, 'usdchf');
    const imp = runCli(['data', 'import', '--csv', USDCHF, '--kind', 'closes', '--symbol', 'USDCHF', '--out', ds]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout).toMatch(/^imported 62496 closes rows for USDCHF \(1996-03-31T22:00:00.000Z \.\. 2001-03-30T21:30:00.000Z\)/);
    expect(imp.stdout).toMatch(/columns ts, close<-USDCHF/);

    const hourly = runCli(['data', 'resample', ds, '--interval', '1h']);
    expect(hourly.code, hourly.stderr).toBe(0);
    expect(hourly.stdout).toMatch(/^resampled 62496 closes rows of USDCHF into 31248 1h bars/);
    const b = await readAll(ds, { kind: 'bars' });
    expect(b.length).toBe(31_248);
    // The file's first lines: 22:00Z 1.193, 22:30Z 1.1941, 23:00Z 1.1933, 23:30Z 1.1931.
    const bar = (i: number): number[] => ['ts', 'open', 'high', 'low', 'close', 'volume'].map((c) => b.columns[c]![i]!);
    expect(bar(0)).toEqual([FIRST, 1.193, 1.1941, 1.193, 1.1941, 0]);
    expect(bar(1)).toEqual([FIRST + HOUR, 1.1933, 1.1933, 1.1931, 1.1931, 0]);

    const halfHourly = join(work, 'usdchf-30m');
    const r30 = runCli(['data', 'resample', ds, '--interval', '30m', '--out', halfHourly]);
    expect(r30.code, r30.stderr).toBe(0);
    expect(r30.stdout).toMatch(/into 62496 30m bars/);

    const onHours = run(ds, 'USDCHF', 'run-1h');
    expect(onHours.metrics.bars).toBe(31_248);
    expect(onHours.metrics.startTs).toBe(FIRST);
    const onHalfHours = run(halfHourly, 'USDCHF', 'run-30m');
    expect(onHalfHours.metrics.bars).toBe(62_496);
    expect(onHalfHours.metrics.tradeCount).toBe(3480);
    expect(onHalfHours.metrics.finalEquity.toFixed(2)).toBe('97871.90');

    // The file run directly: each close one bar at its own spacing, the same run as the 30m bars.
    const direct = run(USDCHF, 'USDCHF', 'run-direct');
    expect(direct.metrics.bars).toBe(62_496);
    expect(direct.metrics.finalEquity).toBe(onHalfHours.metrics.finalEquity);
    expect(direct.metrics.tradeCount).toBe(onHalfHours.metrics.tradeCount);
    expect(direct.runHash).toBe(onHalfHours.runHash);
    const report = JSON.parse(await readFile(direct.report, 'utf8')) as { assumptions: string[]; data: { barInterval: string } };
    expect(report.data.barInterval).toBe('30m');
    expect(report.assumptions[0]).toMatch(/^USDCHF: usdchf\.csv is a close-only series \(column 'USDCHF', 62496 closes\): each close is read as one bar at the file's own spacing, with open = high = low = close and volume 0/);
  }, SPAWNING);

  it('a dataset of closes only is refused as data.bars with one line naming data resample', async () => {
    const ds = join(work, 'closes-only');
    expect(runCli(['data', 'import', '--csv', USDCHF, '--kind', 'closes', '--symbol', 'USDCHF', '--out', ds]).code).toBe(0);
    const r = runCli(['run', 'scenarios/sma-cross.json', '--set', `data.bars=${ds}`, '--out', join(work, 'refused'), '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`tapedeck: data.bars: dataset ${ds} has closes but no bars: build bars with \`tapedeck data resample ${ds} --interval 30m\` (any interval)\n`);
  }, SPAWNING);
});
