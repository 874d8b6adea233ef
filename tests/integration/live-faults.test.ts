import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { loadScenario } from '../../cli/compose/load-scenario.js';
import type { QualifiedScenario } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import { serveFeed } from '../../live/feed/serve.js';
import type { FeedFaults } from '../../live/feed/serve.js';
import { runLiveSession } from '../../live/session/live-session.js';
import { REPO } from '../support/cli.js';

/**
 * Issue 17 acceptance, feed faults: the server drops the connection, sends malformed JSON, sends
 * out-of-order and duplicate timestamps, and pauses. The session reconnects (resuming after its last
 * seq), refuses what is bad (counted in the report), never crashes, and never trades on bad data: its
 * orders, fills and runHash are those of the clean data.
 */

let dir: string;
let data: string;
let scenario: QualifiedScenario;
let clean: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-live-faults-'));
  data = join(dir, 'data');
  await generateDataset({ seed: 9, out: data, symbols: ['AAA', 'BBB', 'CCC', 'DDD'], days: 160, kinds: ['bars'] });
  const s = JSON.parse(await readFile(join(REPO, 'scenarios/demo.json'), 'utf8')) as Record<string, unknown>;
  delete s.$schema;
  const file = join(dir, 'demo.json');
  await writeFile(file, JSON.stringify({ ...s, data: { bars: data } }));
  scenario = await loadScenario(file, { overrides: [] });
  clean = (await runScenario(scenario)).result.runHash;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function session(faults: FeedFaults, state: string, heartbeatMs = 1000) {
  const server = await serveFeed({ dataset: data, speed: 'max', port: 0, faults, heartbeatMs });
  try {
    return await runLiveSession({ scenario, feed: server.url, stateDir: join(dir, state), heartbeatTimeoutMs: 300, feedBackoff: { initialMs: 20, maxMs: 100 } });
  } finally {
    await server.close();
  }
}

describe('a live session on a faulty feed', () => {
  it('refuses duplicate, out-of-order and malformed messages, counts them, and trades exactly as on the clean data', async () => {
    const { run, summary } = await session({ duplicateAfterRow: [40, 200, 401], outOfOrderAfterRow: [100, 300], malformedAfterSeq: [50, 250] }, 'bad-messages');
    const f = summary.feedStats;
    expect(summary.ended).toBe('end');
    expect(f.duplicateTs).toBe(3);
    expect(f.outOfOrder).toBe(2);
    expect(f.malformed).toBe(2);
    expect(f.accepted).toBe(4 * 160);
    expect(f.refusals.length).toBe(7);
    expect(f.refusals.some((r) => r.startsWith('malformed: not JSON'))).toBe(true);
    expect(run.result.runHash).toBe(clean);
    // The report says so.
    expect(run.report!.assumptions.some((a) => a.startsWith('Live paper session'))).toBe(true);
  }, 60_000);

  it('reconnects after dropped connections and a pause past the heartbeat timeout, resumes after its last seq, and loses nothing', async () => {
    const { run, summary } = await session({ dropAfterSeq: [60, 333], pauseAfterSeq: [{ seq: 500, ms: 900 }] }, 'drops', 100);
    expect(summary.ended).toBe('end');
    expect(summary.gaps.reconnects).toBe(3);
    expect(summary.gaps.heartbeatTimeouts).toBe(1);
    expect(summary.gaps.missedMessages).toBe(0);
    expect(summary.gaps.outages.length).toBe(3);
    expect(summary.feedStats.accepted).toBe(4 * 160);
    expect(run.result.runHash).toBe(clean);
  }, 60_000);
});
