import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { runCli } from '../support/cli.js';

/**
 * Progress goes to stderr only, never stdout; --quiet silences it; small runs stay quiet. The large
 * tape is 234,000 one-minute bars, above the 200,000-event threshold of `tapedeck run`.
 */
let dir: string;
let big: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-progress-'));
  big = join(dir, 'big');
  await generateDataset({ seed: 5, symbols: ['AAA'], days: 600, interval: '1m', kinds: ['bars'], out: big });
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tapedeck run on a large tape', () => {
  it('shows replay progress on stderr, ending at every event replayed, and prints only results on stdout', () => {
    const r = runCli(['run', 'scenarios/sma-cross.json', '--set', `data.bars=${big}`, '--out', join(dir, 'run')]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^replay \[-+\] 0% \| 0\/234,000 events \| ETA /);
    expect(lines.at(-1)).toMatch(/^replay \[=+\] 100% \| 234,000\/234,000 events \| ETA 0s$/);
    expect(r.stdout).not.toContain('replay');
    expect(r.stdout).toMatch(/^scenario +sma-cross \(seed \d+\)\n/);
  });

  it('prints no progress with --quiet, and a single JSON object with --json', () => {
    const r = runCli(['run', 'scenarios/sma-cross.json', '--set', `data.bars=${big}`, '--out', join(dir, 'run-q'), '--quiet', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout) as { runHash: string; metrics: { bars: number } };
    expect(json.runHash).toMatch(/^[0-9a-f]{64}$/);
    expect(json.metrics.bars).toBe(234_000);
  });
});

describe('tapedeck run on a small tape', () => {
  it('shows no progress bar', () => {
    const data = join(dir, 'small');
    const g = runCli(['data', 'generate', '--seed', '3', '--symbols', 'AAA', '--days', '60', '--kinds', 'bars', '--out', data, '--quiet']);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stderr).toBe('');
    const r = runCli(['run', 'scenarios/sma-cross.json', '--set', `data.bars=${data}`, '--out', join(dir, 'small-run')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('tapedeck data generate', () => {
  it('reports each table generated and written on stderr, the summary alone on stdout', () => {
    const r = runCli(['data', 'generate', '--seed', '3', '--symbols', 'AAA,BBB', '--days', '5', '--kinds', 'bars,options', '--out', join(dir, 'gen')]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('generating bars,options for AAA,BBB (5 days, 1d bars, seed 3)...');
    expect(lines.at(-1)).toMatch(/^generate \[=+\] 100% \| 6\/6 steps \| ETA 0s \| wrote options AAA$/);
    expect(r.stdout).not.toMatch(/generat|\[/);
    expect(r.stdout).toMatch(/^wrote /);
  });
});
