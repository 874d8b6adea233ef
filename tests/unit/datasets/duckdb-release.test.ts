import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DuckSession, MemoryReleaser } from '../../../datasets/duckdb.js';

/** This process's resident memory in MiB (Linux). */
const rssMiB = (): number => (Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096) / 1048576;

/** Has `session` make ~160 MB of rows and drop them (freed, but kept by DuckDB's allocator for reuse); returns the RSS then. */
async function heldAfterDroppedRows(session: DuckSession): Promise<number> {
  await session.conn.run('CREATE TABLE t AS SELECT range AS a, random() AS b FROM range(10000000)');
  await session.conn.run('DROP TABLE t');
  return rssMiB();
}

describe('MemoryReleaser', () => {
  it("hands back what DuckDB's allocator kept after another instance's query, and closes its own instance", async () => {
    const session = await DuckSession.open({ threads: 1 });
    const releaser = new MemoryReleaser();
    try {
      const held = await heldAfterDroppedRows(session);
      await releaser.release();
      expect(held - rssMiB()).toBeGreaterThan(100);
    } finally {
      await releaser.close();
      session.close();
    }
  });

  it('runs releases one after another and never rejects', async () => {
    const releaser = new MemoryReleaser();
    await expect(Promise.all([releaser.release(), releaser.release(), releaser.release()])).resolves.toEqual([undefined, undefined, undefined]);
    await releaser.close();
    // Closed: a later release opens an instance of its own again.
    await expect(releaser.release()).resolves.toBeUndefined();
    await releaser.close();
  });
});

describe('DuckSession.flushAllocator and closeFlushed', () => {
  it("hands back what the session's own query freed, and leaves its thread count as it was", async () => {
    const session = await DuckSession.open({ threads: 2 });
    try {
      const held = await heldAfterDroppedRows(session);
      await session.flushAllocator();
      expect(held - rssMiB()).toBeGreaterThan(100);
      const threads = (await session.conn.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]![0];
      expect(Number(threads)).toBe(2);
    } finally {
      session.close();
    }
  });

  it('closes the session and never rejects, closed or not', async () => {
    const session = await DuckSession.open({ threads: 1 });
    await expect(session.closeFlushed()).resolves.toBeUndefined();
    await expect(session.conn.run('SELECT 1')).rejects.toThrow();
    await expect(session.closeFlushed()).resolves.toBeUndefined();
    await expect(session.flushAllocator()).resolves.toBeUndefined();
  });
});
