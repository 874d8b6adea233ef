import { pbkdf2 } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TapedeckError } from '../../../../engine/core/index.js';
import { loadScenario } from '../../../../cli/compose/load-scenario.js';

const REPO = resolve(import.meta.dirname, '../../../..');
const csv = resolve(REPO, 'tests/fixtures/csv/daily-ohlcv.csv');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-load-scenario-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = () => ({
  name: 't',
  data: { bars: csv, symbols: ['SPY'] },
  strategies: [{ type: 'sma_cross', params: { fast: 10, slow: 20 } }],
});

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** The error loadScenario throws (fails the test when it does not throw). */
async function refusal(file: string, overrides: string[] = []): Promise<TapedeckError> {
  try {
    await loadScenario(file, { overrides });
  } catch (err) {
    expect(err).toBeInstanceOf(TapedeckError);
    expect((err as Error).message.split('\n')).toHaveLength(1);
    return err as TapedeckError;
  }
  throw new Error('expected a refusal');
}

describe('loadScenario', () => {
  it('D17: reads a scenario that starts with a UTF-8 byte order mark', async () => {
    const file = await write('bom.json', `\uFEFF${JSON.stringify(base())}`);
    const s = await loadScenario(file);
    expect(s.name).toBe('t');
  });

  it('D14: data.interval "0d" is refused at data.interval with the value, not at venue.barIntervalUs', async () => {
    const file = await write('zero-interval.json', JSON.stringify({ ...base(), data: { ...base().data, interval: '0d' } }));
    const err = await refusal(file);
    expect(err.message).toMatch(/^data\.interval: /);
    expect(err.message).toContain('"0d"');
    expect(err.message).not.toContain('barIntervalUs');
    const eq = await refusal(await write('zero-equity.json', JSON.stringify({ ...base(), engine: { equityEvery: '0s' } })));
    expect(eq.message).toMatch(/^engine\.equityEvery: .*"0s"/);
  });

  it('data.sentiment is refused on an L2 run, and for a missing file, naming data.sentiment', async () => {
    const sentiment = [{ type: 'sentiment' }];
    const l2 = await refusal(await write('l2-sentiment.json', JSON.stringify({ ...base(), data: { book: dir, sentiment: csv }, strategies: sentiment })));
    expect(l2.message).toMatch(/^data\.sentiment: sentiment scores replay with bars, quotes or trades; an L2 run \(data\.book\) does not take them/);
    const missing = await refusal(await write('missing-sentiment.json', JSON.stringify({ ...base(), data: { ...base().data, sentiment: join(dir, 'nowhere.csv') }, strategies: sentiment })));
    expect(missing.message).toMatch(/^data\.sentiment: no such file or directory: /);
  });

  it('D14: --set past the end of strategies names the path the user wrote, as a usage error', async () => {
    const file = await write('two.json', JSON.stringify({ ...base(), strategies: [base().strategies[0], { type: 'ema_cross' }] }));
    const err = await refusal(file, ['strategies.5.params.fast=3']);
    expect(err.code).toBe('usage');
    expect(err.message).toBe('--set strategies.5.params.fast=3: strategies has 2 entries');
  });

  it.each([
    ['1e12', /^strategies\[0\]\.params\.slow: .*1000000000000/],
    ['1.5', /^strategies\[0\]\.params\.slow: .*1\.5/],
    ['-3', /^strategies\[0\]\.params\.slow: .*-3/],
  ])('D8: slow=%s is refused at strategies[0].params.slow with the value', async (value, message) => {
    const file = await write('slow.json', JSON.stringify(base()));
    const err = await refusal(file, [`strategies.0.params.slow=${value}`]);
    expect(err.code).toBe('config');
    expect(err.message).toMatch(message);
  });

  it('D8: every period parameter of every strategy is bounded, named by its scenario path', async () => {
    const periods: [string, string, Record<string, unknown>][] = [
      ['ema_cross', 'slow', {}],
      ['rsi_reversion', 'period', {}],
      ['q_learning_selector', 'trendPeriod', {}],
      ['q_learning_selector', 'volatilityPeriod', {}],
      ['q_learning_selector', 'volumePeriod', {}],
    ];
    for (const [type, param, extra] of periods) {
      const file = await write(`${type}-${param}.json`, JSON.stringify({ ...base(), strategies: [{ type, params: { ...extra, [param]: 1e12 } }] }));
      const err = await refusal(file);
      expect(err.message, `${type}.${param}`).toMatch(new RegExp(`^strategies\\[0\\]\\.params\\.${param}: .*at most 10000000.*1000000000000`));
    }
  });
});

describe('loadScenario: messages name the field the user wrote', () => {
  it('D14: a strategy symbols problem is named at strategies[0].symbols, not under params', async () => {
    const file = await write('dup-symbols.json', JSON.stringify({ ...base(), strategies: [{ ...base().strategies[0], symbols: ['SPY', 'SPY'] }] }));
    const err = await refusal(file);
    expect(err.message).toMatch(/^strategies\[0\]\.symbols: duplicate symbol "SPY"/);
  });

  it('D14: a venue value of the wrong shape is named at its path and shown as JSON', async () => {
    const file = await write('bad-fee.json', JSON.stringify({ ...base(), venue: { fees: { kind: 'fraction', rate: { much: 1 } } } }));
    const err = await refusal(file);
    expect(err.message).toMatch(/^venue\.fees\.rate: .*was \{"much":1\}/);
    const missing = await refusal(await write('missing-fee.json', JSON.stringify({ ...base(), venue: { fees: { kind: 'fraction' } } })));
    expect(missing.message).toMatch(/^venue\.fees\.rate: missing/);
  });

  it('D10: a __proto__ key inside a scenario file is refused at its path', async () => {
    const file = await write('proto-key.json', `{"name":"t","data":{"bars":${JSON.stringify(csv)}},"strategies":[{"type":"sma_cross","params":{"__proto__":{"slow":3}}}]}`);
    const err = await refusal(file);
    expect(err.message).toMatch(/^strategies\[0\]\.params\.__proto__: '__proto__' is not allowed as a key/);
  });

  it('an out-of-range --seed is a usage error naming --seed, not the scenario file', async () => {
    const file = await write('seed.json', JSON.stringify(base()));
    await expect(loadScenario(file, { seed: 2 ** 60 })).rejects.toMatchObject({ code: 'usage', message: expect.stringMatching(/^--seed: expected an integer between/) });
  });
});

describe('loadScenario: parsing the scenario', () => {
  it("compiles no parser of the scenario's fields at run time (zod's jitless parse)", async () => {
    // Fresh schema objects: zod compiles an object schema's parser on its first parse only.
    vi.resetModules();
    const fresh = (await import('../../../../cli/compose/load-scenario.js')).loadScenario;
    const file = await write('jitless.json', JSON.stringify({ ...base(), initialCash: 5000 }));
    const compiled: string[] = [];
    const F = globalThis.Function;
    globalThis.Function = new Proxy(F, {
      construct(target, args: string[]) {
        compiled.push(String(args.at(-1)));
        return Reflect.construct(target, args) as object;
      },
    });
    let s: Awaited<ReturnType<typeof loadScenario>>;
    try {
      s = await fresh(file);
    } finally {
      globalThis.Function = F;
    }
    // zod's compiled parser of an object names each key of its shape: none of the scenario's top-level keys.
    expect(compiled.filter((code) => code.includes('"initialCash"') || code.includes('"strategies"'))).toEqual([]);
    expect(s.initialCash).toBe(5000);
  });

  it("parses to the same values and issues as with zod's compiled parsers", async () => {
    const { ScenarioSchema } = await import('../../../../scenarios/schema.js');
    const docs = [
      { ...base(), venue: { fees: { kind: 'bps', bps: 5 } }, risk: { maxPositionSize: 10 }, engine: { lookback: 50 } },
      { ...base(), initialCash: -1, venue: { marketFill: 'later' }, extra: 1 },
      { ...base(), strategies: [{ type: 'sma_cross', params: {}, symbols: [] }], data: { bars: 3 } },
    ];
    for (const doc of docs) expect(ScenarioSchema.safeParse(doc, { reportInput: true, jitless: true })).toEqual(ScenarioSchema.safeParse(doc, { reportInput: true }));
  });
});

describe('loadScenario: reading the files', () => {
  it("reads the scenario and checks its data paths without waiting on libuv's thread pool", async () => {
    const file = await write('pool.json', JSON.stringify(base()));
    // Every module the load imports is loaded first (a dynamic import may read files on the pool).
    await loadScenario(file);
    // Each of the pool's threads busy with a key derivation: an awaited fs call would wait for one of them.
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const jobs = Array.from({ length: Math.max(threads, 4) * 2 }, (_, i) => new Promise<string>((done, fail) => pbkdf2(`k${i}`, 'salt', 300_000, 32, 'sha256', (err) => (err ? fail(err) : done('pool')))));
    const loaded = loadScenario(file, { overrides: [`data.bars=${csv}`] }).then((s) => `loaded ${s.name}`);
    expect(await Promise.race([loaded, Promise.any(jobs)])).toBe('loaded t');
    await Promise.all(jobs);
  });
});
