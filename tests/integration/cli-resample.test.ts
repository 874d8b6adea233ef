import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAll } from '../../datasets/index.js';
import { runCli } from '../support/cli.js';

/** `tapedeck data resample` as a process: output, exit codes (2 usage, 1 data) and what it leaves. */
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tapedeck-cli-resample-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Each spawn starts tsx and the CLI (seconds on a busy 2-core machine). */
const SPAWNING = 240_000;
const MIN = 60_000_000;
const T930 = Date.UTC(2024, 0, 2, 9, 30) * 1000;

async function ticks(name: string): Promise<string> {
  const csv = join(work, `${name}.csv`);
  await writeFile(csv, 'ts,price,size\n2024-01-02T09:30:00Z,100,1\n2024-01-02T09:33:00Z,101,2\n2024-01-02T09:36:00Z,99,4\n');
  const out = join(work, name);
  const r = runCli(['data', 'import', '--csv', csv, '--kind', 'trades', '--symbol', 'ES', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

describe('tapedeck data resample', () => {
  it('builds 5m bars from ticks into the same dataset, prints what it wrote, and refuses to overwrite them without --replace', async () => {
    const ds = await ticks('ticks');
    const r = runCli(['data', 'resample', ds, '--interval', '5m']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^resampled 3 trades rows of ES into 2 5m bars \\(2024-01-02T09:30:00.000Z \\.\\. 2024-01-02T09:35:00.000Z\\) in ${ds}\\ncontentHash [0-9a-f]{64}\\n$`));
    const bars = await readAll(ds, { kind: 'bars' });
    expect([0, 1].map((i) => ['ts', 'open', 'high', 'low', 'close', 'volume'].map((c) => bars.columns[c]![i]))).toEqual([
      [T930, 100, 101, 100, 101, 3],
      [T930 + 5 * MIN, 99, 99, 99, 99, 4],
    ]);
    const manifest = await readFile(join(ds, 'manifest.json'), 'utf8');
    const again = runCli(['data', 'resample', ds, '--interval', '1m']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`tapedeck: dataset '${ds}' already has bars for ES: give --replace to overwrite them\n`);
    expect(await readFile(join(ds, 'manifest.json'), 'utf8')).toBe(manifest);
    const replaced = runCli(['data', 'resample', ds, '--interval', '1m', '--replace', '--kind', 'trades', '--symbol', 'ES']);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).toMatch(/into 3 1m bars/);
  }, SPAWNING);

  it('writes into --out, and two resamples give the same contentHash', async () => {
    const ds = await ticks('ticks-out');
    const a = runCli(['data', 'resample', ds, '--interval', '5m', '--out', join(work, 'a')]);
    const b = runCli(['data', 'resample', ds, '--interval', '5m', '--out', join(work, 'b')]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    const hash = (s: string): string => /contentHash ([0-9a-f]{64})/.exec(s)![1]!;
    expect(hash(a.stdout)).toBe(hash(b.stdout));
    const v = runCli(['data', 'validate', join(work, 'a')]);
    expect(v.stdout).toMatch(/^OK .*: 1 files, 2 rows, kinds bars, symbols ES, contentHash /);
  }, SPAWNING);

  it('refuses bad usage with one line and exit 2, and data problems with one line and exit 1', async () => {
    const ds = await ticks('ticks-bad');
    const cases: [string[], number, RegExp][] = [
      [['--interval', '5x'], 2, /^tapedeck: --interval: expected a number and a unit \(s, m, h or d\), e\.g\. 5m, was "5x"\n$/],
      [['--interval', '2d'], 2, /^tapedeck: --interval: at most 1d/],
      [['--interval', '0.5us'], 2, /^tapedeck: --interval: expected a whole positive number of microseconds, was "0\.5us"\n$/],
      [['--interval', '5m', '--kind', 'quotes'], 2, /^tapedeck: --kind: expected trades or closes, was "quotes"\n$/],
      [['--interval', '5m', '--symbol', 'a b'], 2, /^tapedeck: --symbol: expected letters/],
      [['--interval', '5m', '--kind', 'closes'], 1, /^tapedeck: .*ticks-bad: has no closes to resample \(it has trades\)\n$/],
      [['--interval', '5m', '--symbol', 'NQ'], 1, /^tapedeck: .*ticks-bad: has no trades for NQ \(it has trades for ES\)\n$/],
    ];
    for (const [flags, code, message] of cases) {
      const r = runCli(['data', 'resample', ds, ...flags]);
      expect(r.code, flags.join(' ')).toBe(code);
      expect(r.stderr, flags.join(' ')).toMatch(message);
    }
    const missing = runCli(['data', 'resample', join(work, 'nope'), '--interval', '5m']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
  }, SPAWNING);
});
