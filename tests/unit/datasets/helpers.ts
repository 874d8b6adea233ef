import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The first bar's time of {@link plainBarsCsv}: 2000-01-03 00:00 UTC, in ms. */
export const PLAIN_BARS_T0 = Date.UTC(2000, 0, 3);

/** The text of a plain CSV file of `n` 30-minute bars from PLAIN_BARS_T0; `edit(i, line)` may change line i (0-based data row). */
export function plainBarsCsv(n: number, edit: (i: number, line: string) => string = (_, l) => l): string {
  const lines = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < n; i++) {
    const ts = new Date(PLAIN_BARS_T0 + i * 1_800_000).toISOString().replace('T', ' ').slice(0, 19);
    const p = (100 + (i % 50) / 10).toFixed(2);
    lines.push(edit(i, `${ts},${p},${(Number(p) + 1).toFixed(2)},${(Number(p) - 1).toFixed(2)},${p},${1000 + i}`));
  }
  return `${lines.join('\n')}\n`;
}

/** Returns a fresh temporary directory and registers it for removal. */
export async function tempDir(cleanup: string[]): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tapedeck-ds-'));
  cleanup.push(d);
  return d;
}

export async function removeAll(cleanup: string[]): Promise<void> {
  for (const d of cleanup.splice(0)) await rm(d, { recursive: true, force: true });
}

/** Returns path -> SHA-256 of every file under `dir` (recursively), to prove a directory is untouched. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string, rel: string): Promise<void> {
    for (const name of (await readdir(d)).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      if ((await stat(p)).isDirectory()) await walk(p, r);
      else out[r] = createHash('sha256').update(await readFile(p)).digest('hex');
    }
  }
  await walk(dir, '');
  return out;
}

export async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Names in `dir` (hidden staging leftovers included). */
export async function entries(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

export const T0 = 1_700_000_000_000_000;
export const MINUTE = 60_000_000;

/** A simple valid bars table of `n` rows, starting at `t0`, prices around `base`. */
export function bars(n: number, base = 100, t0 = T0, step = MINUTE) {
  const ts = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ts[i] = t0 + i * step;
    const mid = base + Math.sin(i / 7) * 3 + i * 1e-3;
    open[i] = mid;
    close[i] = mid + 0.25;
    high[i] = mid + 1.125;
    low[i] = mid - 1.0000000000001;
    volume[i] = 1e9 + i;
  }
  return { ts, open, high, low, close, volume };
}
