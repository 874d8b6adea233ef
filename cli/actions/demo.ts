import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDatasetDirectory } from '../../datasets/output-dir.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { runAndWrite, summarize, wantsColor } from './run.js';

/** The repository root (two levels above this file, in sources and in dist/ alike). */
function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${'/dist/'}`) ? resolve(here, '../../..') : resolve(here, '../..');
}

/** Seed of the demo dataset: fixed so every fresh clone sees the same demo. */
export const DEMO_DATA_SEED = 42;

/** What `tapedeck demo` does once its arguments are parsed (loaded only when the command runs). */
export async function demoAction(opts: { out: string; quiet?: boolean }): Promise<void> {
  const root = repoRoot();
  const dataDir = join(root, 'out', 'demo-data');
  // The demo's dataset directory is its own: generated when missing or empty, reused when it is a
  // dataset, and refused (never replaced) when it holds anything else.
  const state = await checkDatasetDirectory(dataDir, 'the demo dataset directory');
  const quiet = opts.quiet === true;
  if (state.kind !== 'dataset') {
    if (!quiet) process.stderr.write(`generating the demo dataset in ${dataDir} (seed ${DEMO_DATA_SEED})...\n`);
    const { manifest } = await generateDataset({ seed: DEMO_DATA_SEED, out: dataDir });
    if (!quiet) process.stderr.write(`  ${manifest.symbols.length} symbols, kinds ${manifest.kinds.join(', ')}, contentHash ${manifest.contentHash.slice(0, 16)}...\n`);
  }
  const scenario = join(root, 'scenarios', 'demo.json');
  const { report, outFile } = await runAndWrite(scenario, { out: opts.out, set: [], quiet, kind: 'demo' });
  process.stdout.write(`${summarize(report, outFile, { color: wantsColor(process.stdout) })}\n`);
}
