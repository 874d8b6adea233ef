import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { runCli } from './cli.js';

/** The ES contract of the CLI tests: point value 50, tick 0.25, margins per contract. */
export const ES = { assetClass: 'future', multiplier: 50, tickSize: 0.25, initialMargin: 13_200, maintenanceMargin: 12_000 } as const;

/** What `tapedeck run` answered for a scenario written by {@link futuresCli}'s `runWith`. */
export interface FuturesRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether the output directory exists after the run. */
  readonly wrote: boolean;
  /** The scenario file and the instruments file next to it. */
  readonly path: string;
  readonly filePath: string;
  readonly out: string;
}

/**
 * A temporary directory with generated daily bars of ES and CL (seed 4, 80 days), made before the
 * file's tests and removed after them, and `runWith(name, fields, file?)`: writes a scenario (an IBS
 * strategy trading 1 unit, plus `fields`) and optionally an instruments file next to it (named by
 * `instrumentsFile`), then runs it with `tapedeck run ... --out DIR --quiet` in a child process.
 */
export function futuresCli(prefix: string, defaults: Record<string, unknown> = {}): { data: () => string; runWith: (name: string, fields: Record<string, unknown>, file?: unknown) => Promise<FuturesRun> } {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `tapedeck-${prefix}-`));
    await generateDataset({ out: join(dir, 'data'), seed: 4, symbols: ['ES', 'CL'], days: 80, kinds: ['bars'] });
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const data = () => join(dir, 'data');
  const runWith = async (name: string, fields: Record<string, unknown>, file?: unknown): Promise<FuturesRun> => {
    const path = join(dir, `${name}.json`);
    const filePath = join(dir, `${name}.instruments.json`);
    if (file !== undefined) await writeFile(filePath, JSON.stringify(file));
    await writeFile(
      path,
      JSON.stringify({
        name,
        data: { bars: data() },
        ...defaults,
        strategies: [{ id: 'ibs', type: 'ibs', params: { sizing: { kind: 'units', units: 1 } } }],
        ...(file !== undefined ? { instrumentsFile: `${name}.instruments.json` } : {}),
        ...fields,
      }),
    );
    const out = join(dir, `out-${name}`);
    const r = runCli(['run', path, '--out', out, '--quiet']);
    return { ...r, wrote: existsSync(out), path, filePath, out };
  };
  return { data, runWith };
}
