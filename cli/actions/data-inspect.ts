import { readManifest, serializeManifest, type Manifest } from '../../datasets/manifest.js';

/** Returns the human-readable manifest summary printed by `data inspect`. */
export function summarizeManifest(dir: string, m: Manifest): string {
  const total = m.files.reduce((s, f) => s + f.rows, 0);
  const lines = [
    `dataset   ${dir}`,
    `kinds     ${m.kinds.join(', ') || '(none)'}`,
    `symbols   ${m.symbols.join(', ') || '(none)'}`,
    `range     ${m.start ?? '-'} .. ${m.end ?? '-'}`,
    `rows      ${total}`,
  ];
  for (const kind of m.kinds) {
    const bySymbol = m.rows[kind] ?? {};
    lines.push(`  ${kind.padEnd(10)}${Object.entries(bySymbol).map(([s, n]) => `${s} ${n}`).join(', ')}`);
  }
  lines.push(`contentHash ${m.contentHash}`);
  lines.push(`createdBy ${JSON.stringify(m.createdBy)}`);
  return `${lines.join('\n')}\n`;
}

/** What `tapedeck data inspect` does once its arguments are parsed (loaded only when the command runs). */
export async function dataInspectAction(dir: string, flags: { json?: boolean }): Promise<void> {
  const m = await readManifest(dir);
  process.stdout.write(flags.json === true ? serializeManifest(m) : summarizeManifest(dir, m));
}
