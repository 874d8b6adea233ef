import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckSession, closeSessionsAhead, openSessionsAhead } from '../../../datasets/duckdb.js';

const setting = async (session: DuckSession, name: string): Promise<string> => String((await session.conn.runAndReadAll(`SELECT current_setting('${name}')`)).getRows()[0]![0]);

afterEach(async () => {
  await closeSessionsAhead();
});

describe('DuckDB instances opened ahead', () => {
  it('are taken by the sessions that open next, with the settings each asks for', async () => {
    const defaults = await DuckSession.open();
    const defaultThreads = await setting(defaults, 'threads');
    const defaultLimit = await setting(defaults, 'memory_limit');
    defaults.close();
    const dir = join(tmpdir(), `tapedeck-ahead-test-${process.pid}`);
    openSessionsAhead(3);
    const told = await DuckSession.open({ threads: 2, memoryLimit: '20MB', tempDirectory: dir });
    const one = await DuckSession.open({ threads: 1 });
    const own = await DuckSession.open();
    try {
      expect(await setting(told, 'threads')).toBe('2');
      expect(await setting(told, 'memory_limit')).toBe('19.0 MiB');
      expect(await setting(told, 'temp_directory')).toBe(dir);
      expect(await setting(one, 'threads')).toBe('1');
      expect(await setting(one, 'memory_limit')).toBe(defaultLimit);
      expect(await setting(own, 'threads')).toBe(defaultThreads);
      // Spilling goes where the session was told, and the directory goes with the session.
      await told.conn.run("CREATE TABLE t AS SELECT range AS a, random() AS b, repeat('x', 50) AS c FROM range(3000000)");
      expect(readdirSync(dir).length).toBeGreaterThan(0);
    } finally {
      told.close();
      one.close();
      own.close();
    }
    expect(existsSync(dir)).toBe(false);
  });

  it('a session whose settings DuckDB refuses fails as opening one would', async () => {
    openSessionsAhead(1);
    await expect(DuckSession.open({ memoryLimit: 'lots' })).rejects.toThrow();
    await expect(DuckSession.open({ memoryLimit: 'lots' })).rejects.toThrow();
  });

  it('that no session took are closed, and later sessions open their own', async () => {
    openSessionsAhead(2);
    await closeSessionsAhead();
    const session = await DuckSession.open({ threads: 1 });
    try {
      expect(await setting(session, 'threads')).toBe('1');
    } finally {
      session.close();
    }
  });
});
