import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { loadScenario } from '../../cli/compose/load-scenario.js';
import type { QualifiedScenario } from '../../cli/compose/load-scenario.js';
import { serveFeed } from '../../live/feed/serve.js';
import { runLiveSession } from '../../live/session/live-session.js';
import { readPortfolioFile } from '../../live/state/portfolio-file.js';
import { REPO, runCli } from '../support/cli.js';

/**
 * A session's portfolio.json (issue 17 point 6): written crash-safely as the session goes and at its
 * end, readable by `tapedeck portfolio show`, holding the strategies' snapshots; `--restore` carries a
 * strategy's persisted state (the Q-learning selector's Q table) into a new session.
 */

let dir: string;
let data: string;
let scenario: QualifiedScenario;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-live-state-'));
  data = join(dir, 'data');
  await generateDataset({ seed: 2, out: data, symbols: ['AAA'], days: 300, kinds: ['bars'] });
  const s = JSON.parse(await readFile(join(REPO, 'scenarios/q-learning.json'), 'utf8')) as Record<string, unknown>;
  delete s.$schema;
  const file = join(dir, 'q.json');
  await writeFile(file, JSON.stringify({ ...s, data: { bars: data, symbols: ['AAA'] } }));
  scenario = await loadScenario(file, { overrides: [] });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function session(state: string, restoreFrom?: string) {
  const server = await serveFeed({ dataset: data, speed: 'max', port: 0 });
  try {
    return await runLiveSession({ scenario, feed: server.url, stateDir: join(dir, state), ...(restoreFrom !== undefined ? { restoreFrom } : {}) });
  } finally {
    await server.close();
  }
}

describe('a live session\'s portfolio state', () => {
  it('writes portfolio.json with the account and the strategies\' snapshots; --restore carries the Q table into a new session', async () => {
    const first = await session('first');
    const file = await readPortfolioFile(join(dir, 'first', 'portfolio.json'));
    // The account as the report has it.
    expect(file.equity).toBeCloseTo(first.run.result.equity.equity.at(-1)!, 6);
    expect(file.fills.length).toBe(first.run.result.fills.length);
    expect(file.feed?.lastSeq).toBe(300);
    const q = file.strategies['q-selector'] as Record<string, unknown>;
    expect(q).toBeDefined();
    const shown = runCli(['portfolio', 'show', join(dir, 'first')]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('AAA');

    // A new session restoring it starts from the learned table: its decisions differ from a fresh one's.
    const fresh = await session('fresh');
    const restored = await session('restored', join(dir, 'first'));
    const kept = JSON.parse(await readFile(join(dir, 'restored', 'restore.json'), 'utf8')) as { strategies: Record<string, unknown> };
    expect(kept.strategies).toEqual(file.strategies);
    expect(restored.run.result.runHash).not.toBe(fresh.run.result.runHash);
    expect(fresh.run.result.runHash).toBe(first.run.result.runHash);
    // Positions and cash are not carried: the restored session starts with the scenario's cash.
    expect(restored.run.result.equity.equity[0]).toBe(scenario.initialCash);
  }, 120_000);

  it('refuses --restore on a resumed session that started without one', async () => {
    const server = await serveFeed({ dataset: data, speed: 1, port: 0 });
    let stopper: (() => void) | null = null;
    try {
      const running = runLiveSession({ scenario, feed: server.url, stateDir: join(dir, 'resumable'), onStart: (s) => (stopper = () => s.stop()) });
      await new Promise((r) => setTimeout(r, 300));
      (stopper as (() => void) | null)?.();
      await running.catch(() => undefined);
      expect(existsSync(join(dir, 'resumable', 'session.json'))).toBe(true);
      await expect(runLiveSession({ scenario, feed: server.url, stateDir: join(dir, 'resumable'), restoreFrom: join(dir, 'first') })).rejects.toThrow(/started without one/);
    } finally {
      await server.close();
    }
  }, 60_000);
});
