import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DuckDBInstance, DuckSession } from '../../../datasets/duckdb.js';

/**
 * DuckSession.prepare starts making the next session's instance on libuv's thread while its caller goes on
 * (`tapedeck run` calls it before the scenario loads); the next open takes it when made with the same options.
 */
const placeholder = join(tmpdir(), `tapedeck-duckdb-${process.pid}-prepared`);

afterEach(() => {
  DuckSession.discardPrepared();
  vi.restoreAllMocks();
});

describe('DuckSession.prepare', () => {
  it('makes the instance the next open with the same options takes, which spills where that open says', async () => {
    const create = vi.spyOn(DuckDBInstance, 'create');
    DuckSession.prepare({ threads: 1, memoryLimit: '20MB' });
    expect(create).toHaveBeenCalledTimes(1);
    const dir = join(tmpdir(), `tapedeck-prepare-test-${process.pid}`);
    const session = await DuckSession.open({ threads: 1, memoryLimit: '20MB', tempDirectory: dir });
    try {
      expect(create).toHaveBeenCalledTimes(1);
      const settings = (await session.conn.runAndReadAll("SELECT current_setting('temp_directory'), current_setting('threads'), current_setting('memory_limit')")).getRows()[0]!;
      expect(settings.map(String)).toEqual([dir, '1', expect.stringMatching(/^(19\.\d|20\.0) MiB$/)]);
      // Several times the 20 MB pool: DuckDB must spill, into the open's directory, not the placeholder.
      await session.conn.run("CREATE TABLE t AS SELECT range AS a, random() AS b, repeat('x', 50) AS c FROM range(3000000)");
      expect(readdirSync(dir).length).toBeGreaterThan(0);
      expect(existsSync(placeholder)).toBe(false);
    } finally {
      session.close();
    }
    expect(existsSync(dir)).toBe(false);
  });

  it('is closed unused when the next open asks for other options, which then makes its own', async () => {
    const create = vi.spyOn(DuckDBInstance, 'create');
    const closed = vi.spyOn(DuckDBInstance.prototype, 'closeSync');
    DuckSession.prepare({ threads: 1, memoryLimit: '64MB' });
    const session = await DuckSession.open({ threads: 1 });
    try {
      expect(create).toHaveBeenCalledTimes(2);
      await vi.waitFor(() => expect(closed).toHaveBeenCalledTimes(1));
      expect((await session.conn.runAndReadAll('SELECT 42')).getRows()).toEqual([[42]]);
    } finally {
      session.close();
    }
  });

  it('is closed by discardPrepared once made, and the next open makes its own', async () => {
    const create = vi.spyOn(DuckDBInstance, 'create');
    const closed = vi.spyOn(DuckDBInstance.prototype, 'closeSync');
    DuckSession.prepare({ threads: 1 });
    DuckSession.discardPrepared();
    await vi.waitFor(() => expect(closed).toHaveBeenCalledTimes(1));
    const session = await DuckSession.open({ threads: 1 });
    session.close();
    expect(create).toHaveBeenCalledTimes(2);
  });
});
