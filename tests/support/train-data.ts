import { writeFile } from 'node:fs/promises';
import { randomStream } from '../../engine/core/index.js';

/**
 * Daily OHLCV bars with a planted, learnable effect for `tapedeck train`: the next bar's log return
 * is `strength x (0.5 - IBS) x 1%` plus noise of sd 1%, so a bar closing near its low is followed by a
 * rise more often than not (strength 0: a driftless walk, nothing to learn). Seeded; written as CSV
 * (Date, Open, High, Low, Close, Volume) starting 2015-01-01, one bar a day.
 */
export function plantedIbsBars(seed: number, n: number, strength: number): string {
  const rng = randomStream(seed, 'train-data', 'ibs');
  const lines = ['Date,Open,High,Low,Close,Volume'];
  let close = 100;
  let ibs = 0.5;
  const day0 = Date.UTC(2015, 0, 1);
  for (let i = 0; i < n; i++) {
    const open = close;
    const r = 0.01 * strength * (0.5 - ibs) + 0.01 * rng.normal();
    close = open * Math.exp(r);
    const high = Math.max(open, close) * (1 + rng.uniform(0, 0.01));
    const low = Math.min(open, close) * (1 - rng.uniform(0, 0.01));
    ibs = (close - low) / (high - low);
    const date = new Date(day0 + i * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${date},${open.toFixed(6)},${high.toFixed(6)},${low.toFixed(6)},${close.toFixed(6)},${1000 + rng.int(0, 500)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes {@link plantedIbsBars} to `file`. */
export async function writePlantedIbsCsv(file: string, seed: number, n: number, strength: number): Promise<void> {
  await writeFile(file, plantedIbsBars(seed, n, strength));
}
