import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printable } from '../../engine/core/index.js';
import { WriteError, temporarySibling } from '../../datasets/atomic.js';
import { DirectoryRefused } from '../../datasets/output-dir.js';
import { generateMarket } from '../../datasets/synthetic/index.js';
import { UsageError } from '../errors.js';
import { packageName, projectFiles, SAMPLE_DAYS, SAMPLE_SEED, SAMPLE_SYMBOL, type ProjectFile } from '../init-template.js';
import { registerTempDir } from '../shutdown.js';

/**
 * The root of the tapedeck package this CLI runs from: the nearest directory above this file whose
 * package.json is tapedeck's (the checkout when run from sources or dist/, node_modules/tapedeck
 * when installed).
 */
export function tapedeckRoot(): { dir: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown };
      if (pkg.name === 'tapedeck') return { dir };
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find tapedeck's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/**
 * The dependency spec a new project gets by default: this tapedeck by absolute path (`file:`), so
 * `npm install` works offline. It is the checkout when the CLI runs from one (an install linked by
 * `npm install <path>` resolves to it too); a copy installed from a tarball is itself a complete
 * package, so its path works as well. `--tapedeck` chooses a version or tarball instead.
 */
export function defaultTapedeckSpec(): string {
  return `file:${tapedeckRoot().dir}`;
}

/**
 * Reads `--tapedeck`: a version or range, an npm spec (`file:`, `npm:`, a URL), or a path to a
 * checkout or `npm pack` tarball, which is made absolute (a relative path would be read from the new
 * project, not from where the command ran).
 */
export function tapedeckSpec(value: string): string {
  const v = value.trim();
  if (v === '') throw new UsageError(`--tapedeck: expected a version, a path or a tarball, was ${printable(value)}`);
  if (/^(file:|npm:|https?:|git\+|github:)/.test(v)) return v;
  if (isAbsolute(v) || v.startsWith('.') || v.endsWith('.tgz') || v.includes('/')) return `file:${resolve(v)}`;
  return v;
}

/**
 * Writes the project into `dir`: refused (DirectoryRefused, exit 2, nothing written) unless `dir` is
 * missing or empty; every file is written into a staging directory beside it, which is then renamed
 * to `dir`, so the project appears whole or not at all and nothing of the user's is overwritten (a
 * rename onto a directory that filled up meanwhile fails rather than replacing it).
 */
export async function writeProject(dir: string, files: readonly ProjectFile[]): Promise<void> {
  const target = resolve(dir);
  const st = await stat(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw new WriteError(target, err);
  });
  if (st !== null) {
    if (!st.isDirectory()) throw new DirectoryRefused(target, `init ${dir}: is a file, not a directory; choose a new or empty directory`);
    const entries = await readdir(target);
    if (entries.length > 0) {
      const shown = entries.slice(0, 3).map((e) => JSON.stringify(e)).join(', ') + (entries.length > 3 ? ` and ${entries.length - 3} more` : '');
      throw new DirectoryRefused(target, `init ${dir}: is not empty (${shown}); choose a new or empty directory`);
    }
  }
  try {
    await mkdir(dirname(target), { recursive: true });
  } catch (err) {
    throw new WriteError(dirname(target), err);
  }
  const staging = temporarySibling(target, 'staging');
  const unregister = registerTempDir(staging);
  try {
    for (const f of files) {
      const path = join(staging, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.text, { flag: 'wx' });
    }
  } catch (err) {
    unregister();
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw new WriteError(target, err);
  }
  try {
    await rename(staging, target);
  } catch (err) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    // A directory that was filled meanwhile is never replaced: rename(2) refuses a non-empty target.
    if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new DirectoryRefused(target, `init ${dir}: is not empty (written to while the project was being made); nothing was written`);
    throw new WriteError(target, err);
  } finally {
    unregister();
  }
}

/** Returns the files of a new project named after `dir`, depending on tapedeck by `spec`. */
export function newProject(dir: string, spec: string): ProjectFile[] {
  const market = generateMarket({ seed: SAMPLE_SEED, symbols: [SAMPLE_SYMBOL], days: SAMPLE_DAYS, kinds: ['bars'] });
  const bars = market.paths.symbols[0]!.bars;
  return projectFiles({ name: packageName(basename(resolve(dir))), tapedeck: spec, bars });
}

/** What `tapedeck init` does once its arguments are parsed (loaded only when the command runs). */
export async function initAction(dir: string, opts: { tapedeck?: string; quiet?: boolean }): Promise<void> {
  if (dir.trim() === '') throw new UsageError(`init: expected a directory name, was ${printable(dir)}`);
  const spec = opts.tapedeck !== undefined ? tapedeckSpec(opts.tapedeck) : defaultTapedeckSpec();
  const files = newProject(dir, spec);
  await writeProject(dir, files);
  if (opts.quiet === true) return;
  const lines = [`wrote ${resolve(dir)} (tapedeck ${spec}):`, ...files.map((f) => `  ${f.path}`), '', 'next:', `  cd ${dir}`, '  npm install', '  npx tapedeck run scenario.json', '  npm test'];
  process.stdout.write(`${lines.join('\n')}\n`);
}
