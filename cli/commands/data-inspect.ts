import type { Command } from 'commander';
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
    lines.push(`  ${kind.padEnd(8)}${Object.entries(bySymbol).map(([s, n]) => `${s} ${n}`).join(', ')}`);
  }
  lines.push(`contentHash ${m.contentHash}`);
  lines.push(`createdBy ${JSON.stringify(m.createdBy)}`);
  return `${lines.join('\n')}\n`;
}

/** Registers `data inspect` on the shared `data` command. */
export function registerDataInspect(data: Command): void {
  data
    .command('inspect')
    .description('print a dataset manifest summary: kinds, symbols, time range, rows, contentHash')
    .argument('<dir>', 'dataset directory')
    .option('--json', 'print the raw manifest.json')
    .addHelpText(
      'after',
      `
Reads only manifest.json (fast); use 'tapedeck data validate' to re-check the files themselves.

Examples:
  $ tapedeck data inspect data/demo
  $ tapedeck data inspect data/demo --json
`,
    )
    .action(async (dir: string, flags: { json?: boolean }) => {
      const m = await readManifest(dir);
      process.stdout.write(flags.json === true ? serializeManifest(m) : summarizeManifest(dir, m));
    });
}
