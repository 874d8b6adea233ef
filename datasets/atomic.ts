import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes nothing half-way: every output goes to a temporary path beside its destination and is
 * renamed into place only when complete. On failure the temporary path is removed.
 */
export function temporarySibling(path: string, tag: TemporaryTag = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * What a temporary sibling is for: `tmp` a file being written (and, before issue 11, any directory),
 * `staging` a directory being built, `aside` a directory being replaced.
 */
export type TemporaryTag = 'tmp' | 'staging' | 'aside';

const SIBLING = /^\.(.+)\.(tmp|staging|aside)-(\d{1,10})-[0-9a-f]{8}$/;

/**
 * Reads a name made by temporarySibling: the destination's base name, the tag and the writer's pid;
 * null for any other name (so cleanup never touches a name Tapedeck did not make).
 */
export function parseTemporarySibling(name: string): { base: string; tag: TemporaryTag; pid: number } | null {
  const m = SIBLING.exec(name);
  if (m === null) return null;
  return { base: m[1]!, tag: m[2] as TemporaryTag, pid: Number(m[3]) };
}

/** Whether process `pid` is running (a process of another user counts as running). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes a file atomically (temporary sibling, then rename). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = temporarySibling(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Builds a whole directory in a staging directory and renames it to `finalDir` on success.
 * `finalDir` must not exist yet (callers decide whether to refuse or to remove an old one first).
 */
export async function writeDirectoryAtomic<T>(finalDir: string, build: (stagingDir: string) => Promise<T>): Promise<T> {
  await mkdir(dirname(finalDir), { recursive: true });
  const staging = temporarySibling(finalDir, 'staging');
  await mkdir(staging, { recursive: true });
  try {
    const result = await build(staging);
    await rename(staging, finalDir);
    return result;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Puts the complete directory `staging` at `finalDir`, replacing whatever directory is there. Everything
 * in the old directory is deleted: use it only for directories whose every file the caller wrote
 * (datasets use dataset-dir.ts swapInDataset, which keeps a user's files).
 * The old directory is first renamed aside, so a failure of the second rename puts it back and
 * `finalDir` is never left half-written; the old copy is removed only after the swap succeeded.
 */
export async function swapDirectoryAtomic(staging: string, finalDir: string): Promise<void> {
  const aside = temporarySibling(finalDir, 'aside');
  let movedAside = false;
  try {
    await rename(finalDir, aside);
    movedAside = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    await rename(staging, finalDir);
  } catch (err) {
    if (movedAside) await rename(aside, finalDir);
    throw err;
  }
  if (movedAside) await rm(aside, { recursive: true, force: true });
}
