import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckSession } from '../../../datasets/duckdb.js';

const spillDirs = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith(`tapedeck-duckdb-${process.pid}-`));

describe('DuckSession spills', () => {
  it('into a directory of its own under the system temporary directory, removed at close, never .tmp in the working directory', async () => {
    const hadCwdTmp = existsSync(join(process.cwd(), '.tmp'));
    const before = new Set(spillDirs());
    const session = await DuckSession.open({ threads: 1, memoryLimit: '20MB' });
    try {
      // ~3 M rows of ~70 bytes: several times the 20 MB pool, so DuckDB must spill.
      await session.conn.run("CREATE TABLE t AS SELECT range AS a, random() AS b, repeat('x', 50) AS c FROM range(3000000)");
      const made = spillDirs().filter((name) => !before.has(name));
      expect(made).toHaveLength(1);
      expect(readdirSync(join(tmpdir(), made[0]!)).length).toBeGreaterThan(0);
      if (!hadCwdTmp) expect(existsSync(join(process.cwd(), '.tmp'))).toBe(false);
    } finally {
      session.close();
    }
    expect(spillDirs().filter((name) => !before.has(name))).toEqual([]);
  });

  it('where it is told to', async () => {
    const before = new Set(spillDirs());
    const dir = join(tmpdir(), `tapedeck-spill-test-${process.pid}`);
    const session = await DuckSession.open({ threads: 1, memoryLimit: '20MB', tempDirectory: dir });
    try {
      await session.conn.run("CREATE TABLE t AS SELECT range AS a, random() AS b, repeat('x', 50) AS c FROM range(3000000)");
      expect(readdirSync(dir).length).toBeGreaterThan(0);
      expect(spillDirs().filter((name) => !before.has(name))).toEqual([]);
    } finally {
      session.close();
    }
    expect(existsSync(dir)).toBe(false);
  });
});
