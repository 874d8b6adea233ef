import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { readManifest } from '../../datasets/index.js';
import { loadScenario } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import { serveFeed } from '../../live/feed/serve.js';
import { runLiveSession } from '../../live/session/live-session.js';
import { REPO } from '../support/cli.js';

/**
 * Record-and-replay parity (issue 17): `feed serve` of a generated dataset, a paper session of a
 * multi-strategy scenario with an ensemble against it, then a replay of the session's recording through
 * `tapedeck run`'s assembly: identical orders, fills and runHash. The proof that live and simulation
 * share the code: only the data source and the venue adapter differ.
 */

let dir: string;
let data: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-live-parity-'));
  data = join(dir, 'data');
  await generateDataset({ seed: 11, out: data, symbols: ['AAA', 'BBB', 'CCC', 'DDD'], days: 260, kinds: ['bars'] });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** scenarios/ensemble.json (seven strategies, the seed-000 optimizer ensemble) on `bars`. */
async function ensembleScenario(bars: string): Promise<string> {
  const s = JSON.parse(await readFile(join(REPO, 'scenarios/ensemble.json'), 'utf8')) as Record<string, unknown>;
  delete s.$schema;
  const file = join(dir, 'ensemble.json');
  await writeFile(file, JSON.stringify({ ...s, data: { bars } }));
  return file;
}

describe('record and replay parity', () => {
  it('a paper session of an ensemble scenario on a served dataset replays from its recording to the same orders, fills and runHash', async () => {
    const file = await ensembleScenario(data);
    const scenario = await loadScenario(file, { overrides: [] });
    expect(scenario.ensemble).toBeDefined();
    expect(scenario.strategies.length).toBe(7);
    const server = await serveFeed({ dataset: data, speed: 'max', port: 0 });
    expect(server.host).toBe('127.0.0.1');
    let live;
    try {
      live = await runLiveSession({ scenario, feed: server.url, stateDir: join(dir, 'state') });
    } finally {
      await server.close();
    }
    const { run, summary } = live;
    expect(summary.ended).toBe('end');
    expect(summary.feedStats.accepted).toBe(4 * 260);
    expect(summary.feedStats.received - summary.feedStats.accepted - summary.feedStats.heartbeats - summary.feedStats.control).toBe(0);
    expect(run.result.fills.length).toBeGreaterThan(50);
    expect(run.report!.ensemble).toBeDefined();

    // The recording is a dataset in the catalog layout, with every bar the session received.
    const recording = join(dir, 'state', summary.recording!);
    const manifest = await readManifest(recording);
    expect(manifest.kinds).toEqual(['bars']);
    expect(Object.values(manifest.rows.bars!).reduce((a, b) => a + b, 0)).toBe(4 * 260);

    const replayed = await runScenario(await loadScenario(file, { overrides: [`data.bars=${recording}`] }));
    expect(replayed.result.runHash).toBe(run.result.runHash);
    expect(JSON.stringify(replayed.result.orders)).toBe(JSON.stringify(run.result.orders));
    expect(JSON.stringify(replayed.result.fills)).toBe(JSON.stringify(run.result.fills));
    // And the recording is the served data: the same run straight from the original dataset.
    const direct = await runScenario(scenario);
    expect(direct.result.runHash).toBe(run.result.runHash);
  }, 120_000);
});
