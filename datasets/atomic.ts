import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, linkSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TapedeckError } from '../engine/core/index.js';

/** The errno codes a write can fail with, in words (Node's messages add the syscall and a code). */
const IO_REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ENOENT: 'no such file or directory',
  EEXIST: 'already exists',
  ENOTEMPTY: 'directory not empty',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  EXDEV: 'on another file system',
  EBUSY: 'device or resource busy',
  ELOOP: 'too many symbolic links',
};

/** Returns why a file-system call failed, in words: "no space left on device" for ENOSPC. */
export function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code !== undefined && IO_REASONS[e.code] !== undefined) return IO_REASONS[e.code]!;
  const message = err instanceof Error ? err.message.trim().split('\n')[0]! : String(err);
  // Node writes "ECODE: words, syscall 'path'": keep the words.
  const words = /^[A-Z]+: ([^,]+)/.exec(message)?.[1];
  return words ?? (message !== '' ? message : (e?.code ?? 'unknown error'));
}

/**
 * Writing an output failed: the message names the file or directory being written (its final path,
 * never a temporary one) and the reason in words. A failed run or write, exit 1.
 */
export class WriteError extends TapedeckError {
  readonly path: string;
  constructor(path: string, cause: unknown) {
    super('io', `cannot write ${path}: ${ioReason(cause)}`, { cause });
    this.path = path;
  }
}

/** Runs `op`; a file-system error becomes a WriteError naming `path` (an error already naming its path passes). */
async function writing<T>(path: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof TapedeckError) throw err;
    throw new WriteError(path, err);
  }
}

/** {@link writing} of a synchronous `op`. */
function writingSync<T>(path: string, op: () => T): T {
  try {
    return op();
  } catch (err) {
    if (err instanceof TapedeckError) throw err;
    throw new WriteError(path, err);
  }
}

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

/** `mkdir -p`; an existing file in the way (EEXIST from a recursive mkdir) is reported as "not a directory". */
async function makeDirectory(dir: string, path: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new WriteError(path, code === 'EEXIST' ? Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }) : err);
  }
}

/**
 * Writes a file atomically (temporary sibling, then rename). A failure is a WriteError naming `path`
 * and leaves nothing behind.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await makeDirectory(dirname(path), path);
  const tmp = temporarySibling(path);
  try {
    writingSync(path, () => writeThrough(tmp, data));
    await writing(path, () => rename(tmp, path));
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/**
 * Writes a file so that it survives a crash or a power cut whole, old or new, never half: like
 * {@link writeFileAtomic} (temporary sibling, rename), and the temporary file is fsync'ed before the
 * rename and the directory after it, so the new name and its bytes are on disk when this returns.
 * For state a process resumes from (a live session's portfolio.json). A failure is a WriteError
 * naming `path` and leaves no temporary file.
 */
export async function writeFileDurable(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await makeDirectory(dir, path);
  const tmp = temporarySibling(path);
  try {
    await writing(path, async () => {
      const fh = await open(tmp, 'wx');
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
    await writing(path, () => rename(tmp, path));
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dir, path);
}

/** fsyncs directory `dir` (so a rename in it is durable); a file system that cannot (EINVAL, EISDIR on some) is let be. */
export async function syncDirectory(dir: string, path = dir): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw new WriteError(path, err);
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * A file to place: its content (`data`: text, bytes, or pieces of either written one after the other, so a
 * large file is never one string), or a finished file written elsewhere (`path`, e.g. a Parquet table
 * staged while the run went on), which is moved into place (renamed; copied across file systems).
 */
export type NamedFile = { readonly name: string; readonly data: FileData } | { readonly name: string; readonly path: string };

/** What a file to write holds: text, bytes, or pieces of either written one after the other. */
export type FileData = string | Uint8Array | readonly (string | Uint8Array)[];

/** Puts `f` at `dest`: writes its data, or moves its file there (synchronously: see {@link replaceFilesAtomic}). */
function placeFile(f: NamedFile, dest: string): void {
  if ('data' in f) {
    writeThrough(dest, f.data);
    return;
  }
  try {
    renameSync(f.path, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    copyFileSync(f.path, dest);
  }
}

/** Bytes of the one buffer a rendered file's text is encoded into and written from (see {@link writeThrough}). */
const WRITE_BUFFER_BYTES = 256 * 1024;
/** Characters of text encoded at a time: their UTF-8 bytes (three per UTF-16 unit at most) always fit the buffer. */
const WRITE_WINDOW_CHARS = Math.floor(WRITE_BUFFER_BYTES / 3);

/**
 * Writes `data` (text, bytes, or pieces of either written one after the other) to `path`, the text encoded a
 * window at a time into one buffer that is written and reused: fs.writeFile makes a Buffer of each string it is
 * given, fresh memory of the string's size (a 62k-bar run's report.json and page are 2.5 and 3.2 MB, a page fault
 * per 4 KiB touched): 41-51 ms CPU and 1,400-1,600 page faults for the two, 15-24 ms and 650-700 through the
 * buffer (fresh processes, 2026-12-06; bench/RESULTS.md, branch s10-tail). The bytes are the same: each string is
 * encoded whole, as Buffer.from would (a window never ends between the two halves of a surrogate pair).
 * Synchronous: each write is a copy into the page cache (~0.1 ms a buffer), where an asynchronous one waited for a
 * thread of libuv's as well (a 62k-bar run's two files: ~27 writes, opens and closes, each a round trip).
 */
function writeThrough(path: string, data: FileData): void {
  const fd = openSync(path, 'w');
  try {
    const buffer = Buffer.allocUnsafeSlow(WRITE_BUFFER_BYTES);
    let at = 0;
    const write = (bytes: Uint8Array): void => {
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    };
    const flush = (): void => {
      write(buffer.subarray(0, at));
      at = 0;
    };
    for (const piece of typeof data === 'string' || data instanceof Uint8Array ? [data] : data) {
      if (typeof piece !== 'string') {
        flush();
        write(piece);
        continue;
      }
      for (let from = 0; from < piece.length; ) {
        let to = Math.min(piece.length, from + WRITE_WINDOW_CHARS);
        const last = piece.charCodeAt(to - 1);
        if (to < piece.length && last >= 0xd800 && last <= 0xdbff) to--;
        if (buffer.length - at < 3 * (to - from)) flush();
        at += buffer.write(from === 0 && to === piece.length ? piece : piece.slice(from, to), at);
        from = to;
      }
    }
    flush();
  } finally {
    closeSync(fd);
  }
}

/** Prefix of the staging directory `replaceFilesAtomic` makes inside an existing directory. */
export const STAGING_PREFIX = '.tapedeck-staging-';

/**
 * Writes `files` into `dir` so that they appear together or not at all, and leaves every other entry
 * of `dir` alone. Every file is first written completely to a staging directory (a full disk fails
 * here, before anything visible changed); then:
 * - when `dir` does not exist, the staging directory (a sibling) is renamed to `dir`;
 * - when it exists, the staging directory is made inside it (same file system, so renames cannot
 *   fail for space), and each file is renamed over its old version, keeping a link to the old one
 *   until all are in place: a failed rename puts back the files already replaced.
 * Errors are WriteErrors naming the final path; no staging directory or temporary file is left.
 * Callers decide which files they may replace (see cli/output.ts).
 */
export async function replaceFilesAtomic(dir: string, files: readonly NamedFile[]): Promise<void> {
  replaceFilesAtomicSync(dir, files);
  return Promise.resolve();
}

/**
 * {@link replaceFilesAtomic}, every step a synchronous call. A run's nine files took ~60 file-system calls one after
 * another (the staging directories made, each file written or moved in, a link and a rename per file, the staging
 * removed), each a round trip through libuv's threads with the main thread idle: 20-120 ms of a 62k-bar run's end
 * under load, for calls of microseconds each (bench/RESULTS.md, branch s12-tables). Nothing else runs meanwhile (the
 * files are complete before it is called), and no signal handler runs between two steps: a Ctrl-C arrives before
 * the first or after the last. Nothing is fsync'ed (as before): the rename makes the files appear whole or not at all to
 * every reader, which is the guarantee; outputs are not state a process resumes from after a power cut (that is
 * {@link writeFileDurable}'s).
 */
function replaceFilesAtomicSync(dir: string, files: readonly NamedFile[]): void {
  let exists: boolean;
  try {
    const s = statSync(dir, { throwIfNoEntry: false });
    if (s !== undefined && !s.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    exists = s !== undefined;
  } catch (err) {
    throw new WriteError(dir, err);
  }
  if (!exists) {
    makeDirectorySync(dirname(dir), dir);
    const staging = temporarySibling(dir);
    writingSync(dir, () => mkdirSync(staging));
    try {
      for (const f of files) writingSync(join(dir, f.name), () => placeFile(f, join(staging, f.name)));
      writingSync(dir, () => renameSync(staging, dir));
    } catch (err) {
      removeQuietly(staging);
      throw err;
    }
    return;
  }
  const staging = join(dir, `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
  const fresh = join(staging, 'new');
  const old = join(staging, 'old');
  writingSync(dir, () => mkdirSync(staging));
  const replaced: { name: string; kept: 'link' | 'moved' | 'none' }[] = [];
  try {
    writingSync(dir, () => mkdirSync(fresh));
    writingSync(dir, () => mkdirSync(old));
    for (const f of files) writingSync(join(dir, f.name), () => placeFile(f, join(fresh, f.name)));
    for (const f of files) {
      const target = join(dir, f.name);
      // Keep the old version: a hard link leaves it in place until the rename replaces it; where links
      // are not supported it is moved aside.
      let kept: 'link' | 'moved' | 'none' = 'none';
      try {
        linkSync(target, join(old, f.name));
        kept = 'link';
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') {
          writingSync(target, () => renameSync(target, join(old, f.name)));
          kept = 'moved';
        }
      }
      replaced.push({ name: f.name, kept });
      writingSync(target, () => renameSync(join(fresh, f.name), target));
    }
  } catch (err) {
    // Put back what was replaced, newest first; a file that had no old version is removed.
    for (const r of replaced.reverse()) {
      const target = join(dir, r.name);
      try {
        if (r.kept === 'none') rmSync(target, { force: true });
        else renameSync(join(old, r.name), target);
      } catch {
        // as the asynchronous put-back's failure was: let be
      }
    }
    removeQuietly(staging);
    throw err;
  }
  removeQuietly(staging);
}

/** {@link makeDirectory}, synchronously. */
function makeDirectorySync(dir: string, path: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new WriteError(path, code === 'EEXIST' ? Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }) : err);
  }
}

/** Removes `path` and what is in it; a failure is let be (a staging directory left behind is removed at the next write). */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // left behind
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
