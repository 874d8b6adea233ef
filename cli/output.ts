import { open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { STAGING_PREFIX, WriteError, replaceFilesAtomic, writeFileAtomic } from '../datasets/atomic.js';
import type { NamedFile } from '../datasets/atomic.js';
import { DirectoryRefused, OUTPUT_MARKER, RUN_TABLES, inspectDirectory, serializeOutputMarker } from '../datasets/output-dir.js';
import type { OutputKind } from '../datasets/output-dir.js';
import { MANIFEST_FILE } from '../datasets/manifest.js';
import { TapedeckError, printable } from '../engine/core/index.js';
import { UsageError, describeError } from './errors.js';
import { checkOutFlag } from './out-flag.js';

/**
 * Where commands write their outputs, and how (the output-directory rule of issue 11):
 * - `--out` is never empty or blank (it would mean the current directory);
 * - an output directory is new, empty, or carries Tapedeck's marker (`.tapedeck-output.json`) listing
 *   the files Tapedeck wrote there; only those are ever replaced, every other file is left alone;
 * - a dataset directory, and a directory of files Tapedeck did not write, are refused (exit 2);
 * - a run's files are rendered in memory, staged and renamed into place together (replaceFilesAtomic).
 *
 * A directory written by a Tapedeck from before the marker is accepted when every name in it is one
 * Tapedeck writes ({@link OUTPUT_FILES}) and its files prove it: each report.json, sweep.json or
 * walkforward.json says `generator: "tapedeck"` (report.json also a numeric schemaVersion; a
 * walkforward.json from before the field validates against its schema), each HTML page is one of
 * Tapedeck's, and trials.duckdb / folds hold DuckDB files. The marker is added at the next write.
 */

/** What a run may write: report.json, report.html, the Parquet tables and their CSV exports (cli/compose/run-outputs.ts). */
const RUN_OUTPUT_NAMES: readonly string[] = ['report.json', 'report.html', ...RUN_TABLES.flatMap((t) => [`${t}.parquet`, `${t}.csv`])];

/** The files (and, for walk-forward, the `folds` directory) each kind of output writes in its directory. */
export const OUTPUT_FILES: Readonly<Record<OutputKind, readonly string[]>> = {
  run: RUN_OUTPUT_NAMES,
  demo: RUN_OUTPUT_NAMES,
  sweep: ['trials.duckdb', 'trials.duckdb.wal', 'trials.duckdb.tmp', 'sweep.json', 'sweep.html'],
  walkforward: ['folds', 'walkforward.json', 'walkforward.html', 'lambda-eta.json'],
  portfolio: ['portfolio.json'],
  compare: [],
  // and one {SYMBOL}_best.json per symbol, listed in the marker as written.
  train: ['train.json'],
};

const KNOWN_NAMES: ReadonlySet<string> = new Set(Object.values(OUTPUT_FILES).flat());

/** Marks the pages Tapedeck writes (renderPage puts it in every `<head>`). */
export const HTML_GENERATOR_META = '<meta name="generator" content="tapedeck">';
/** A rule of the report stylesheet, found in pages written before the generator meta tag. */
const LEGACY_HTML_SIGNATURE = 'header.top .kicker{';

// The --out checks are in a module of their own: the command tree installs them without loading this one.
export { checkOutFlag, installOutFlagChecks } from './out-flag.js';

/** A directory Tapedeck may write outputs into, and the names in it that Tapedeck wrote. */
export interface OutputDirectory {
  readonly dir: string;
  /** The kind recorded in its marker (null when new, empty or written before the marker). */
  readonly markedKind: OutputKind | null;
  /** Every name in it, temporaries of Tapedeck left out. */
  readonly entries: readonly string[];
  /** The names Tapedeck wrote there (listed in the marker, or proven for an older directory). */
  readonly owned: ReadonlySet<string>;
}

/** A temporary name of Tapedeck's (a staging directory or a temporary sibling) and the process that made it. */
function temporaryPid(name: string): number | null {
  const m = /^\.tapedeck-staging-(\d+)-[0-9a-f]{8}$/.exec(name) ?? /^\..+\.tmp-(\d+)-[0-9a-f]{8}$/.exec(name);
  return m ? Number(m[1]) : null;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporaries a killed Tapedeck left in `dir` (and beside it, from a directory being created). */
async function removeStaleTemporaries(dir: string, names: readonly string[]): Promise<void> {
  const stale = async (parent: string, list: readonly string[], match: (n: string) => boolean): Promise<void> => {
    for (const n of list) {
      const pid = temporaryPid(n);
      if (pid !== null && match(n) && !alive(pid)) await rm(join(parent, n), { recursive: true, force: true }).catch(() => undefined);
    }
  };
  await stale(dir, names, () => true);
  const parent = dirname(dir);
  const siblings = await readdir(parent).catch(() => [] as string[]);
  await stale(parent, siblings, (n) => n.startsWith(`.${basename(dir)}.tmp-`));
}

async function readHead(file: string, bytes: number): Promise<string | null> {
  try {
    const fh = await open(file, 'r');
    try {
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await fh.read(buf, 0, bytes, 0);
      return buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return null;
  }
}

/** Whether `file` is an HTML page Tapedeck wrote (its generator meta tag, or the report stylesheet of older pages). */
export async function isTapedeckPage(file: string): Promise<boolean> {
  const head = await readHead(file, 64 * 1024);
  return head !== null && /^<!doctype html>/i.test(head) && (head.includes(HTML_GENERATOR_META) || head.includes(LEGACY_HTML_SIGNATURE));
}

async function isDuckDbFile(file: string): Promise<boolean> {
  const head = await readHead(file, 12);
  return head !== null && head.slice(8, 12) === 'DUCK';
}

/** Whether a name found in an older output directory is provably Tapedeck's. */
async function provenName(dir: string, name: string): Promise<boolean> {
  const file = join(dir, name);
  if (name.endsWith('.json')) {
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    } catch {
      return false;
    }
    if (value === null || typeof value !== 'object') return false;
    if (name === 'report.json') return value['generator'] === 'tapedeck' && typeof value['schemaVersion'] === 'number';
    // The research schemas are imported here, where they are used: not built by every command that writes a directory.
    if (name === 'walkforward.json') return value['generator'] === 'tapedeck' || (await import('../reports/research-schema.js')).validateWalkForwardJson(value).ok;
    return value['generator'] === 'tapedeck';
  }
  if (name.endsWith('.html')) return isTapedeckPage(file);
  // The run tables came after the marker: a directory without one never held them.
  if (name.endsWith('.parquet') || name.endsWith('.csv')) return false;
  if (name === 'trials.duckdb') return isDuckDbFile(file);
  if (name === 'folds') {
    const inner = await readdir(file).catch(() => null);
    if (inner === null || !inner.every((n) => /^fold-\d+\.duckdb(\.wal|\.tmp)?$/.test(n))) return false;
    const dbs = inner.filter((n) => n.endsWith('.duckdb'));
    for (const db of dbs) if (!(await isDuckDbFile(join(file, db)))) return false;
    return true;
  }
  // trials.duckdb.wal / .tmp: DuckDB's companions of trials.duckdb, proven with it.
  return true;
}

/** The names of an older output directory (no marker) when all are provably Tapedeck's, else null. */
async function legacyOwned(dir: string, entries: readonly string[]): Promise<Set<string> | null> {
  if (entries.length === 0 || !entries.every((n) => KNOWN_NAMES.has(n))) return null;
  if (entries.some((n) => n.startsWith('trials.duckdb.')) && !entries.includes('trials.duckdb')) return null;
  for (const n of entries) if (!(await provenName(dir, n))) return null;
  return new Set(entries);
}

/** How a message names a directory: after the flag that gave it, or alone (flag ''). */
function where(flag: string, dir: string): string {
  return flag === '' ? dir : `${flag} ${dir}`;
}

function listNames(entries: readonly string[]): string {
  const shown = entries.slice(0, 3).map((e) => JSON.stringify(e));
  return entries.length > 3 ? `${shown.join(', ')} and ${entries.length - 3} more` : shown.join(', ');
}

/**
 * Checks that `kind` outputs may be written into `dir` (named `flag` in messages) and returns what
 * Tapedeck owns there. Refuses (DirectoryRefused, exit 2) a dataset directory, a path that is not a
 * directory, and a directory holding files Tapedeck did not write, naming the directory and up to three
 * of those files. Temporaries a killed Tapedeck left behind are removed.
 */
export async function checkOutputDir(dir: string, kind: OutputKind, flag = '--out'): Promise<OutputDirectory> {
  const state = await inspectDirectory(dir);
  switch (state.kind) {
    case 'missing':
      await removeStaleTemporaries(dir, []);
      return { dir, markedKind: null, entries: [], owned: new Set() };
    case 'empty':
      return { dir, markedKind: null, entries: [], owned: new Set() };
    case 'dataset':
      throw new DirectoryRefused(dir, `${where(flag, dir)}: is a dataset directory (it has ${MANIFEST_FILE}); write ${kind} outputs to another directory`);
    case 'output': {
      await removeStaleTemporaries(dir, state.entries);
      const entries = state.entries.filter((n) => temporaryPid(n) === null);
      return { dir, markedKind: state.marker.kind, entries, owned: new Set(state.marker.files) };
    }
    case 'foreign': {
      const st = await stat(dir).catch(() => null);
      if (st !== null && !st.isDirectory()) throw new DirectoryRefused(dir, `${where(flag, dir)}: is a file, not a directory; choose a new or empty directory`);
      const entries = state.entries.filter((n) => temporaryPid(n) === null);
      if (entries.length === 0) {
        await removeStaleTemporaries(dir, state.entries);
        return { dir, markedKind: null, entries: [], owned: new Set() };
      }
      const legacy = await legacyOwned(dir, entries);
      if (legacy !== null) {
        await removeStaleTemporaries(dir, state.entries);
        return { dir, markedKind: null, entries, owned: legacy };
      }
      // Name the files that are not Tapedeck's by name first: those are what the user will recognize.
      const strangers = entries.filter((n) => !KNOWN_NAMES.has(n) && n !== OUTPUT_MARKER);
      throw new DirectoryRefused(dir, `${where(flag, dir)}: holds files Tapedeck did not write (${listNames(strangers.length > 0 ? strangers : entries)}); choose a new or empty directory`);
    }
  }
}

/** Refuses to write `names` into a checked directory where one of them exists and is not Tapedeck's. */
function refuseUnowned(out: OutputDirectory, names: readonly string[], flag: string): void {
  const taken = names.find((n) => out.entries.includes(n) && !out.owned.has(n));
  if (taken !== undefined) {
    throw new DirectoryRefused(out.dir, `${where(flag, out.dir)}: ${taken} there was not written by Tapedeck (it is not listed in ${OUTPUT_MARKER}); move it or choose another directory`);
  }
}

/** The marker after writing `names`: what Tapedeck already owned there (still present) and the new names. */
function markerFor(out: OutputDirectory, kind: OutputKind, names: readonly string[]): string {
  const kept = [...out.owned].filter((n) => out.entries.includes(n));
  return serializeOutputMarker(out.markedKind ?? kind, [...kept, ...names]);
}

/**
 * Prepares the output directory of a command that writes there as it goes (sweep: trials.duckdb;
 * walk-forward: folds/): checks `out` (see {@link checkOutputDir}), creates it and records in its
 * marker every file `kind` writes ({@link OUTPUT_FILES}), before anything else is written. Returns the
 * absolute directory.
 */
export async function prepareOutputDir(out: string, kind: OutputKind, flag = '--out'): Promise<string> {
  const dir = resolve(checkOutFlag(out, flag));
  const checked = await checkOutputDir(dir, kind, flag);
  refuseUnowned(checked, OUTPUT_FILES[kind], flag);
  await writeFileAtomic(join(dir, OUTPUT_MARKER), markerFor(checked, kind, OUTPUT_FILES[kind]));
  return dir;
}

/**
 * A staged file still being written (a run's Parquet table, by DuckDB on its own thread): it is moved into
 * place once `written` settles, so the caller renders its other outputs meanwhile (see RunOutputs.start).
 */
export type PendingFile = NamedFile & { readonly written: Promise<unknown> };

/**
 * Waits until every pending file of `files` (see {@link PendingFile}) is written: every write settles (none
 * outlives the caller), then the first failure, if any, is thrown.
 */
export async function filesWritten(files: readonly (NamedFile | PendingFile)[]): Promise<void> {
  const writes = new Set<Promise<unknown>>();
  for (const f of files) if ('written' in f) writes.add(f.written);
  const results = await Promise.allSettled(writes);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/**
 * Writes `files` into the output directory `out` together (all or none; see replaceFilesAtomic) with
 * the marker listing them, after checking the directory; files still being written ({@link PendingFile})
 * are waited for first. A failure to write names the file and the reason (WriteError, exit 1). Returns the
 * directory as checked before the write (for {@link removeStaleOutputs}).
 */
export async function writeOutputs(out: string, kind: OutputKind, files: readonly (NamedFile | PendingFile)[], flag = '--out'): Promise<OutputDirectory> {
  await filesWritten(files);
  const dir = resolve(checkOutFlag(out, flag));
  const checked = await checkOutputDir(dir, kind, flag);
  const names = files.map((f) => f.name);
  refuseUnowned(checked, names, flag);
  await replaceFilesAtomic(dir, [...files, { name: OUTPUT_MARKER, data: markerFor(checked, kind, names) }]);
  return checked;
}

/**
 * After a run's files were written into `out`: removes the files of the same kind that Tapedeck wrote
 * there before (listed in the marker) and this write did not replace (a `--export csv` of an earlier run),
 * so no table of an older run sits beside a new report; `alsoOwned` names more of its own files of that
 * kind (train: every `{SYMBOL}_best.json`). Files Tapedeck did not write are never touched. `before`: the
 * directory as writeOutputs checked it just before the write (its return value); when it shows nothing to remove,
 * the directory is not read again.
 */
export async function removeStaleOutputs(out: string, kind: OutputKind, written: readonly string[], alsoOwned: (name: string) => boolean = () => false, before?: OutputDirectory): Promise<void> {
  const dir = resolve(out);
  // What the write found there (writeOutputs' check) holds no file of the kind it did not replace (a new or empty
  // directory, a rerun writing the same files): nothing to remove, and the directory is not read again. The write
  // added only the names it wrote.
  if (before !== undefined && before.dir === dir && !before.entries.some((n) => !written.includes(n) && before.owned.has(n) && (OUTPUT_FILES[kind].includes(n) || alsoOwned(n)))) return;
  const checked = await checkOutputDir(dir, kind);
  const candidates = [...new Set([...OUTPUT_FILES[kind], ...[...checked.owned].filter(alsoOwned)])];
  const stale = candidates.filter((n) => !written.includes(n) && checked.owned.has(n) && checked.entries.includes(n));
  if (stale.length === 0) return;
  const kept = [...checked.owned].filter((n) => checked.entries.includes(n) && !stale.includes(n));
  await writeFileAtomic(join(dir, OUTPUT_MARKER), serializeOutputMarker(checked.markedKind ?? kind, kept));
  for (const n of stale) await rm(join(dir, n), { force: true });
}

/**
 * Writes one page to a file the user named (`compare --out FILE`, `report --out FILE`): never inside a
 * dataset directory, and never over a file that is not a page Tapedeck wrote. Atomic.
 */
export async function writeOutputFile(file: string, data: string, flag = '--out'): Promise<void> {
  const path = resolve(checkOutFlag(file, flag, 'file'));
  const parent = await inspectDirectory(dirname(path));
  if (parent.kind === 'dataset') {
    throw new DirectoryRefused(dirname(path), `${flag} ${file}: ${dirname(path)} is a dataset directory (it has ${MANIFEST_FILE}); write the page to another directory`);
  }
  const st = await stat(path).catch(() => null);
  if (st !== null) {
    if (st.isDirectory()) throw new DirectoryRefused(path, `${flag} ${file}: is a directory; name the HTML file to write`);
    if (!(await isTapedeckPage(path))) throw new DirectoryRefused(path, `${flag} ${file}: exists and was not written by Tapedeck; choose another file`);
  }
  await writeFileAtomic(path, data);
}

/** Rendering an output failed (a formatting error, a report of an unexpected shape); names the file. */
export class RenderError extends TapedeckError {
  constructor(file: string, cause: unknown) {
    super('render', `${file}: ${describeError(cause, false)}`, { cause });
  }
}

/**
 * Renders the content of `file` in memory; any failure but a usage error becomes one RenderError line
 * naming the file (`out/x/report.html: ...`).
 */
export function renderFor<T>(file: string, render: () => T): T {
  try {
    return render();
  } catch (err) {
    throw renderFailure(file, err);
  }
}

/** {@link renderFor} of a rendering that yields to the event loop as it goes (report.html, see renderRunReportPieces). */
export async function renderForAsync<T>(file: string, render: () => Promise<T>): Promise<T> {
  try {
    return await render();
  } catch (err) {
    throw renderFailure(file, err);
  }
}

function renderFailure(file: string, err: unknown): TapedeckError {
  return err instanceof TapedeckError && (err.code === 'usage' || err.code === 'render') ? err : new RenderError(file, err);
}

export { WriteError };
