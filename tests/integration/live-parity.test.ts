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
import { REPO, runCli } from '../support/cli.js';

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

  /** A paper session of `scenario` on the served `dataset`, and the run of its recording given at `kinds`. */
  async function liveAndReplay(file: string, dataset: string, kinds: readonly string[], state: string) {
    const scenario = await loadScenario(file, { overrides: [] });
    const server = await serveFeed({ dataset, speed: 'max', port: 0 });
    let live;
    try {
      live = await runLiveSession({ scenario, feed: server.url, stateDir: join(dir, state) });
    } finally {
      await server.close();
    }
    const recording = join(dir, state, live.summary.recording!);
    const replayed = await runScenario(await loadScenario(file, { overrides: kinds.map((k) => `data.${k}=${recording}`) }));
    return { live, replayed };
  }

  it('on L1 data (bars, quotes and trades of two symbols): a bar strategy and a quote/trade strategy replay to the same fills', async () => {
    const l1 = join(dir, 'l1');
    const gen = runCli(['data', 'generate', '--out', l1, '--seed', '3', '--symbols', 'AAA,BBB', '--days', '2', '--interval', '1m', '--intraday-days', '2', '--intraday-symbols', 'AAA,BBB', '--kinds', 'bars,trades,quotes', '--trades-per-day', '2000', '--quotes-per-day', '3000']);
    expect(gen.code, gen.stderr).toBe(0);
    const file = join(dir, 'l1.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'l1-mixed',
        seed: 3,
        initialCash: 1_000_000,
        account: { type: 'margin' },
        data: { bars: l1, quotes: l1, trades: l1 },
        strategies: [
          { id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 30, mode: 'long_short', sizing: { kind: 'units', units: 100 } } },
          { id: 'micro', type: 'microstructure', params: { tickWindow: 50, imbalanceThreshold: 0.2, spreadPercentile: 40, maxQuoteRate: 50, size: 100 } },
        ],
        venue: { fees: { kind: 'fraction', rate: 0.0005 }, slippage: { kind: 'fixed_bps', bps: 1 } },
      }),
    );
    const { live, replayed } = await liveAndReplay(file, l1, ['bars', 'quotes', 'trades'], 'state-l1');
    expect(live.summary.ended).toBe('end');
    expect(new Set(live.run.result.fills.map((f) => f.strategyId))).toEqual(new Set(['sma', 'micro']));
    expect(replayed.result.runHash).toBe(live.run.result.runHash);
    expect(JSON.stringify(replayed.result.fills)).toBe(JSON.stringify(live.run.result.fills));
  }, 120_000);

  it('on L2 data (book deltas and trade prints): the L2 venue with its queue and latency models replays to the same fills', async () => {
    const l2 = join(dir, 'l2');
    const gen = runCli(['data', 'generate', '--out', l2, '--symbols', 'AAA', '--days', '3', '--intraday-days', '1', '--kinds', 'bars,trades,quotes,book', '--book-events-per-day', '6000', '--trades-per-day', '2000', '--quotes-per-day', '3000']);
    expect(gen.code, gen.stderr).toBe(0);
    const s = JSON.parse(await readFile(join(REPO, 'scenarios/l2-demo.json'), 'utf8')) as Record<string, unknown>;
    delete s.$schema;
    const file = join(dir, 'l2.json');
    await writeFile(file, JSON.stringify({ ...s, data: { book: l2, trades: l2, symbols: ['AAA'] } }));
    const { live, replayed } = await liveAndReplay(file, l2, ['book', 'trades'], 'state-l2');
    expect(live.summary.ended).toBe('end');
    expect(live.run.result.fills.length).toBeGreaterThan(20);
    expect(live.run.report!.assumptions.some((a) => /queue/i.test(a))).toBe(true);
    expect(replayed.result.runHash).toBe(live.run.result.runHash);
    expect(JSON.stringify(replayed.result.fills)).toBe(JSON.stringify(live.run.result.fills));
  }, 120_000);
});
