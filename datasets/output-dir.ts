import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TapedeckError, printable } from '../engine/core/index.js';
import { MANIFEST_FILE } from './manifest.js';

/**
 * Who owns a directory. Tapedeck deletes or overwrites only what it wrote itself: a directory it writes
 * outputs into is either new (or empty), or carries the marker file below listing what Tapedeck put
 * there, and only those files are ever replaced. A dataset directory (it has a manifest.json) and an
 * output directory (it has the marker) are never the same directory.
 */

/** The marker file of an output directory (run, sweep, walk-forward, compare, demo). */
export const OUTPUT_MARKER = '.tapedeck-output.json';

/** What wrote an output directory. */
/** The Parquet tables a run writes beside report.json (the equity curve, fills, orders, round trips, audit trail and recorded signals) (and, with `--export csv`, a CSV of each), in order. */
export const RUN_TABLES = ['equity', 'fills', 'orders', 'trades', 'audit', 'signals'] as const;
export type RunTableName = (typeof RUN_TABLES)[number];

export type OutputKind = 'run' | 'sweep' | 'walkforward' | 'compare' | 'demo' | 'train' | 'portfolio';

/** Contents of the marker: what wrote the directory and the files it owns there (names, not paths). */
export interface OutputMarker {
  readonly generator: 'tapedeck';
  readonly kind: OutputKind;
  readonly files: readonly string[];
}

/** What a directory is, from Tapedeck's point of view. */
export type DirectoryState =
  | { readonly kind: 'missing' }
  | { readonly kind: 'empty' }
  /** A dataset: it holds a manifest.json. `entries` are every name in it. */
  | { readonly kind: 'dataset'; readonly entries: readonly string[] }
  /** An output directory written by Tapedeck; `marker` says which files are its own. */
  | { readonly kind: 'output'; readonly marker: OutputMarker; readonly entries: readonly string[] }
  /** Anything else: files Tapedeck did not write (or cannot prove it wrote). */
  | { readonly kind: 'foreign'; readonly entries: readonly string[] };

/** Refusal of a directory given by the user (exit 2: a usage error, nothing written). */
export class DirectoryRefused extends TapedeckError {
  readonly dir: string;
  constructor(dir: string, message: string) {
    super('usage', message);
    this.dir = dir;
  }
}

const OUTPUT_KINDS: readonly OutputKind[] = ['run', 'sweep', 'walkforward', 'compare', 'demo', 'train', 'portfolio'];

function parseMarker(text: string): OutputMarker | null {
  try {
    const m = JSON.parse(text) as Partial<OutputMarker>;
    if (m.generator !== 'tapedeck' || !OUTPUT_KINDS.includes(m.kind as OutputKind)) return null;
    if (!Array.isArray(m.files) || !m.files.every((f) => typeof f === 'string' && f.length > 0 && !f.includes('/') && !f.includes('\\'))) return null;
    return { generator: 'tapedeck', kind: m.kind as OutputKind, files: m.files };
  } catch {
    return null;
  }
}

/** Looks at a directory without changing it. A path that is not a directory is `foreign`. */
export async function inspectDirectory(dir: string): Promise<DirectoryState> {
  let entries: string[];
  try {
    entries = (await readdir(dir)).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ENOTDIR') return { kind: 'foreign', entries: [] };
    throw err;
  }
  if (entries.length === 0) return { kind: 'empty' };
  if (entries.includes(MANIFEST_FILE)) return { kind: 'dataset', entries };
  if (entries.includes(OUTPUT_MARKER)) {
    let marker: OutputMarker | null = null;
    try {
      marker = parseMarker(await readFile(join(dir, OUTPUT_MARKER), 'utf8'));
    } catch {
      marker = null;
    }
    if (marker !== null) return { kind: 'output', marker, entries };
  }
  return { kind: 'foreign', entries };
}

/** Serializes a marker (what `kind` wrote and the files it owns), for writing into the staged directory. */
export function serializeOutputMarker(kind: OutputKind, files: readonly string[]): string {
  const marker: OutputMarker = { generator: 'tapedeck', kind, files: [...new Set(files)].sort() };
  return `${JSON.stringify(marker, null, 1)}\n`;
}

/**
 * Checks that Tapedeck may write `kind` outputs into `dir` (named `flag` in messages): the directory is
 * missing, empty, or an output directory Tapedeck wrote. Refuses a dataset directory and a directory
 * holding files Tapedeck did not write, naming them. Returns the state seen.
 */
export async function checkOutputDirectory(dir: string, kind: OutputKind, flag = '--out'): Promise<DirectoryState> {
  const state = await inspectDirectory(dir);
  switch (state.kind) {
    case 'missing':
    case 'empty':
    case 'output':
      return state;
    case 'dataset':
      throw new DirectoryRefused(dir, `${flag} ${dir}: is a dataset directory (it has ${MANIFEST_FILE}); write ${kind} outputs to another directory`);
    case 'foreign':
      throw new DirectoryRefused(
        dir,
        `${flag} ${dir}: holds files Tapedeck did not write (${listNames(state.entries)}); choose a new or empty directory`,
      );
  }
}

/**
 * Checks that a dataset may be written into `dir` (named `flag` in messages): missing, empty, or a
 * dataset directory. Refuses an output directory and a directory of other files.
 */
export async function checkDatasetDirectory(dir: string, flag = '--out'): Promise<DirectoryState> {
  const state = await inspectDirectory(dir);
  switch (state.kind) {
    case 'missing':
    case 'empty':
    case 'dataset':
      return state;
    case 'output':
      throw new DirectoryRefused(dir, `${flag} ${dir}: is a ${state.marker.kind} output directory; write the dataset to another directory`);
    case 'foreign':
      throw new DirectoryRefused(
        dir,
        `${flag} ${dir}: is not a dataset directory and holds files Tapedeck did not write (${listNames(state.entries)}); choose a new or empty directory`,
      );
  }
}

function listNames(entries: readonly string[]): string {
  const shown = entries.slice(0, 3).map((e) => printable(e));
  return entries.length > 3 ? `${shown.join(', ')} and ${entries.length - 3} more` : shown.join(', ');
}
