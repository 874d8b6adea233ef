/**
 * A CSV file's text of `n` plain daily bars (Date,Open,High,Low,Close,Volume from 2001-01-01) of a slow sine around
 * 100: enough for SMA(10)/SMA(20) to cross, for tests that run sma-cross through `tapedeck run` on a small file.
 */
export function sineBarsCsv(n: number): string {
  const lines = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < n; i++) {
    const day = new Date(Date.UTC(2001, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const c = (100 + 10 * Math.sin(i / 9)).toFixed(4);
    lines.push(`${day},${c},${(Number(c) + 1).toFixed(4)},${(Number(c) - 1).toFixed(4)},${c},${1000 + i}`);
  }
  return `${lines.join('\n')}\n`;
}
