import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes nothing half-way: every output goes to a temporary path beside its destination and is
 * renamed into place only when complete. On failure the temporary path is removed.
 */
export function temporarySibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
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
  const staging = temporarySibling(finalDir);
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
 * Puts the complete directory `staging` at `finalDir`, replacing whatever directory is there.
 * The old directory is first renamed aside, so a failure of the second rename puts it back and
 * `finalDir` is never left half-written; the old copy is removed only after the swap succeeded.
 */
export async function swapDirectoryAtomic(staging: string, finalDir: string): Promise<void> {
  const aside = temporarySibling(finalDir);
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
