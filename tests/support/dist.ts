import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './cli.js';

const LOCK = join(REPO, 'dist', '.build-lock');
/** A lock older than this was left by a killed test run. */
const STALE_MS = 5 * 60_000;

/**
 * Builds dist/ from the sources under test as `npm run build` does (scripts/build.mjs: tsc, incremental,
 * nothing rewritten when dist/ is up to date, as after `npm ci`'s prepare in CI; then the bin's bundle,
 * ~1 s). The installed package's bin and `exports` point into dist/, so tests that run Tapedeck as
 * another project sees it need this.
 * Test files run in parallel: a lock directory makes the builds take turns, so no test reads dist/
 * while another rewrites it.
 */
export function buildDist(): void {
  mkdirSync(join(REPO, 'dist'), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`dist/ build lock ${LOCK} held for too long`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`building dist/ failed: ${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}`);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
