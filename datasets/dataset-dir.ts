import { printable } from '../engine/core/index.js';
import { copyFile, link, lstat, mkdir, readdir, readFile, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseTemporarySibling, processAlive, temporarySibling } from './atomic.js';
import { MANIFEST_FILE } from './manifest.js';
import { DirectoryRefused } from './output-dir.js';

/**
 * Putting a staged dataset in place without deleting anything Tapedeck did not write.
 *
 * A dataset directory holds Tapedeck's files (manifest.json and the Parquet files it lists) and may hold
 * the user's own (a NOTES.txt, a README in `bars/`, reports an older version let a run write there).
 * The new dataset is staged in a sibling directory; before the swap every file of the old directory that
 * Tapedeck does not own is carried into the staging directory by a hard link (a copy where links are not
 * possible), so the swap (two renames) keeps them. The old directory, renamed aside, is then emptied of
 * Tapedeck's files and of the carried links only; a file the user added during the swap is moved into
 * the new directory, and anything that cannot be moved stays where it is.
 *
 * Staging and aside directories carry the writer's pid in their names (atomic.ts temporarySibling). A
 * writer killed with kill -9 leaves them behind; the next writer to the same directory recovers them
 * (recoverSiblings): a dead writer's staging directory is removed, and a dataset it had moved aside is
 * put back (when the swap was cut between its two renames) or emptied as above.
 */

/** The relative paths Tapedeck owns in dataset directory `dir`: manifest.json and the files it lists. */
export async function ownedPaths(dir: string): Promise<Set<string>> {
  const owned = new Set<string>([MANIFEST_FILE]);
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    return owned;
  }
  try {
    // Read leniently (not readManifest): a manifest of another format version still says what Tapedeck wrote.
    const m = JSON.parse(text) as { files?: Array<{ path?: unknown }> };
    for (const f of Array.isArray(m.files) ? m.files : []) {
      if (typeof f?.path === 'string' && /^[a-z]+\/[^/\\]+\.parquet$/.test(f.path) && !f.path.includes('..')) owned.add(f.path);
    }
  } catch {
    // an unreadable manifest owns only itself
  }
  return owned;
}

interface Entry {
  readonly rel: string;
  readonly dir: boolean;
}

/** Every entry under `root` (relative paths with `/`), parents before children; symlinks are not followed. */
async function walk(root: string): Promise<Entry[]> {
  const out: Entry[] = [];
  async function visit(rel: string): Promise<void> {
    const names = (await readdir(rel === '' ? root : join(root, rel))).sort();
    for (const name of names) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const isDir = (await lstat(join(root, r))).isDirectory();
      out.push({ rel: r, dir: isDir });
      if (isDir) await visit(r);
    }
  }
  await visit('');
  return out;
}

async function lstatOrNull(path: string): Promise<Awaited<ReturnType<typeof lstat>> | null> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Carries every file of dataset directory `dir` that Tapedeck does not own into `staging` (hard links,
 * or copies), refusing (DirectoryRefused, nothing changed at `dir`) when such a file sits where the new
 * dataset has a file of its own. `flag` names the directory in messages.
 */
export async function carryUserFiles(dir: string, staging: string, flag: string): Promise<void> {
  const owned = await ownedPaths(dir);
  for (const e of await walk(dir)) {
    const target = join(staging, e.rel);
    if (e.dir) {
      const st = await lstatOrNull(target);
      if (st !== null && !st.isDirectory()) throw clash(dir, flag, e.rel);
      await mkdir(target, { recursive: true });
      continue;
    }
    if (owned.has(e.rel)) continue;
    if ((await lstatOrNull(target)) !== null) throw clash(dir, flag, e.rel);
    try {
      await link(join(dir, e.rel), target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'EXDEV' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw err;
      await copyFile(join(dir, e.rel), target);
    }
  }
}

function clash(dir: string, flag: string, rel: string): DirectoryRefused {
  return new DirectoryRefused(
    dir,
    `${flag} ${dir}: holds ${printable(rel)}, which Tapedeck did not write (it is not in ${MANIFEST_FILE}) and the new dataset needs that name; move it away first`,
  );
}

/**
 * Empties an old dataset directory moved aside, once `current` holds the new dataset: Tapedeck's files
 * and the links carried into `current` are removed, any other file is moved into `current` (if that name
 * is free there) or left; the aside directory is removed only when nothing is left in it.
 */
export async function disposeAside(aside: string, current: string): Promise<void> {
  const owned = await ownedPaths(aside);
  const entries = await walk(aside);
  for (const e of entries) {
    if (e.dir) continue;
    const from = join(aside, e.rel);
    if (owned.has(e.rel)) {
      await unlink(from);
      continue;
    }
    const mine = await lstat(from);
    const there = await lstatOrNull(join(current, e.rel));
    if (there !== null) {
      if (there.ino === mine.ino && there.dev === mine.dev) await unlink(from); // carried by a hard link
      continue; // a different file of that name: keep this one aside rather than lose it
    }
    await mkdir(dirname(join(current, e.rel)), { recursive: true });
    await rename(from, join(current, e.rel));
  }
  for (const e of entries.filter((x) => x.dir).reverse()) await rmdirIfEmpty(join(aside, e.rel));
  await rmdirIfEmpty(aside);
}

async function rmdirIfEmpty(path: string): Promise<void> {
  try {
    await rmdir(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOENT') throw err;
  }
}

/**
 * Puts the complete dataset staged at `staging` at `dir`, keeping the user's files of the old `dir`
 * (see the top of this file). Either `dir` is the old dataset or the new one at every moment a reader
 * could look, and a failure leaves the old one in place.
 */
export async function swapInDataset(staging: string, dir: string, flag: string): Promise<void> {
  const present = await lstatOrNull(dir);
  if (present === null) {
    await rename(staging, dir);
    return;
  }
  await carryUserFiles(dir, staging, flag);
  const aside = temporarySibling(dir, 'aside');
  await rename(dir, aside);
  try {
    await rename(staging, dir);
  } catch (err) {
    await rename(aside, dir);
    throw err;
  }
  await disposeAside(aside, dir);
}

/**
 * Recovers what writers killed while writing dataset `dir` left beside it: their staging directories
 * are removed, a dataset they had moved aside is put back when `dir` is missing, or emptied of
 * Tapedeck's files (disposeAside) when `dir` holds the newer dataset. Only names of Tapedeck's own
 * pattern, for this `dir`, of a process that is no longer running (and not this one) are touched.
 */
export async function recoverSiblings(dir: string): Promise<void> {
  const parent = dirname(dir);
  const base = basename(dir);
  let names: string[];
  try {
    names = (await readdir(parent)).sort();
  } catch {
    return;
  }
  const stale = names
    .map((name) => ({ name, parsed: parseTemporarySibling(name) }))
    .filter((x) => x.parsed !== null && x.parsed.base === base && x.parsed.pid !== process.pid && !processAlive(x.parsed.pid));
  for (const { name, parsed } of stale) {
    if (parsed!.tag !== 'aside') continue;
    const path = join(parent, name);
    if ((await lstatOrNull(join(path, MANIFEST_FILE))) === null) continue; // not a dataset: not ours to recover here
    if ((await lstatOrNull(dir)) === null) await rename(path, dir); // cut between the two renames: undo
    else await disposeAside(path, dir);
  }
  for (const { name, parsed } of stale) {
    const path = join(parent, name);
    // A staging directory holds only what its writer wrote and links to files kept elsewhere.
    if (parsed!.tag === 'staging') await rm(path, { recursive: true, force: true });
    // Older versions used one tag for both. Without a manifest it is a staging directory cut before its
    // end; with one, emptying it keeps any user file and needs the dataset in place.
    else if (parsed!.tag === 'tmp' && (await lstat(path)).isDirectory()) {
      if ((await lstatOrNull(join(path, MANIFEST_FILE))) === null) await rm(path, { recursive: true, force: true });
      else if ((await lstatOrNull(dir)) !== null) await disposeAside(path, dir);
    }
  }
}
