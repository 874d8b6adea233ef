import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualify, loadScenarioDocument } from '../../../../cli/compose/load-scenario.js';
import { strategyFactory, warmupOf } from '../../../../cli/compose/ensemble-compose.js';
import {
  builtinDefinition,
  isModuleType,
  loadStrategyModule,
  relativeImports,
  resolveStrategy,
  sourceHash,
} from '../../../../cli/compose/strategy-modules.js';
import { ConfigError, StrategyError } from '../../../../engine/core/index.js';
import { SmaCrossStrategy, strategySourceOf } from '../../../../engine/strategies/index.js';
import { generateDataset } from '../../../../datasets/synthetic/index.js';
import { createLocalExecutor } from '../../../../sim/research/index.js';
import type { TrialResult } from '../../../../sim/research/index.js';
import { REPO } from '../../../support/cli.js';

const DEFINE = pathToFileURL(join(REPO, 'engine', 'strategies', 'define-strategy.ts')).href;

/** A strategy module that imports defineStrategy from the sources (a user's imports 'tapedeck'). */
const moduleText = (name: string, target: number, extra = '') => `import { defineStrategy } from '${DEFINE}';
${extra}
export default defineStrategy({
  name: '${name}',
  description: 'sets a target of ${target} on start',
  defaults: { units: ${target}, period: 3 },
  warmup: (p) => ({ bars: p.period, because: 'period=' + p.period }),
  create: ({ params }) => ({
    onStart(ctx) {
      ctx.setTarget('AAA', params.units);
    },
  }),
});
`;

let dir: string;
let data: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-modules-'));
  data = join(dir, 'data');
  await generateDataset({ seed: 1, symbols: ['AAA'], days: 30, kinds: ['bars'], out: data });
  await mkdir(join(dir, 'strategies'));
  await writeFile(join(dir, 'strategies', 'seven.ts'), moduleText('seven', 7));
  await writeFile(join(dir, 'strategies', 'eight.mjs'), moduleText('eight', 8));
  await writeFile(join(dir, 'strategies', 'no-default.mjs'), 'export const x = 1;\n');
  await writeFile(join(dir, 'strategies', 'plain-object.mjs'), 'export default { name: "x", create() { return {}; } };\n');
  await writeFile(join(dir, 'strategies', 'broken.ts'), 'export default defineStrategy({ name: ;\n');
  await writeFile(join(dir, 'strategies', 'throws-in-create.mjs'), `import { defineStrategy } from '${DEFINE}';\nexport default defineStrategy({ name: 'thrower', description: '', defaults: {}, create() {\n  throw new TypeError('no create today');\n} });\n`);
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const scenario = (type: string, params: Record<string, unknown> = {}) => ({
  name: 't',
  data: { bars: data },
  strategies: [{ type, params }],
});

describe('strategy types: built-in names and module paths', () => {
  it('tells module paths from built-in names', () => {
    for (const t of ['./s.ts', '../s.mjs', '/abs/s.js', 's.mts', 'strategies/s.ts']) expect(isModuleType(t)).toBe(true);
    for (const t of ['sma_cross', 'ema_cross', 'my.strategy']) expect(isModuleType(t)).toBe(false);
  });

  it('resolves a built-in name to its registry definition; an unknown name lists the known ones', async () => {
    const r = await resolveStrategy('sma_cross', 'strategies[0].type', 's.json', { baseDir: dir });
    expect(r.module).toBeUndefined();
    expect(r.definition).toBe(builtinDefinition('sma_cross'));
    expect(r.definition.create('a', ['AAA'], {})).toBeInstanceOf(SmaCrossStrategy);
    expect(JSON.stringify({ definition: r.definition })).toBe('{}');
    await expect(resolveStrategy('sma_crosss', 'strategies[0].type', 's.json', { baseDir: dir })).rejects.toThrow(
      new ConfigError('strategies[0].type', "unknown strategy 'sma_crosss' (known: sma_cross, ema_cross, rsi_reversion, ibs, q_learning_selector, liquidity_flow, microstructure, options_flow, delta_hedge, ut_bot, mean_reversion, momentum, gradient_trend, donchian_breakout, volatility_regime, anomaly, regime_change, bayesian_updater, volume_sr, fractal, entropy, sentiment, pairs, granger_causality, correlation_matrix; or a module path such as ./strategies/my-strategy.ts) (in s.json)"),
    );
  });

  it('loads a .ts and a .mjs module relative to the scenario, hashing its source; instances carry the module and hash', async () => {
    for (const [type, name, units] of [['./strategies/seven.ts', 'seven', 7], ['strategies/eight.mjs', 'eight', 8]] as const) {
      const path = resolve(dir, type);
      const r = await resolveStrategy(type, 'strategies[0].type', 's.json', { baseDir: dir });
      const hash = createHash('sha256').update(await readFile(path)).digest('hex');
      expect(r.module).toEqual({ path, sourceHash: hash });
      expect(r.definition.name).toBe(name);
      const s = r.definition.create('x', ['AAA'], {});
      expect(strategySourceOf(s)).toEqual({ module: path, sourceHash: hash, file: path });
      let target = 0;
      s.onStart!({ setTarget: (_: string, u: number) => void (target = u) } as never);
      expect(target).toBe(units);
    }
  });

  it('qualify names module problems in one line with the module and the scenario path', async () => {
    const cases: [string, RegExp][] = [
      ['./strategies/missing.ts', /^strategies\[0\]\.type: strategy module .*\/strategies\/missing\.ts: no such file \(in s\.json\)$/],
      ['./strategies/no-default.mjs', /^strategies\[0\]\.type: strategy module .*no-default\.mjs: has no default export; it must `export default defineStrategy\(/],
      ['./strategies/plain-object.mjs', /^strategies\[0\]\.type: strategy module .*plain-object\.mjs: default-exports object; it must `export default defineStrategy/],
      ['./strategies/broken.ts', /^strategies\[0\]\.type: strategy module .*broken\.ts: cannot import it: .*\(in s\.json\)$/],
      ['./strategies/notes.txt', /^strategies\[0\]\.type: strategy module .*notes\.txt: expected a \.ts, \.mts, \.js, \.mjs file \(in s\.json\)$/],
    ];
    for (const [type, message] of cases) {
      const err = await qualify(scenario(type), 's.json', { baseDir: dir }).catch((e: unknown) => e);
      expect(err, type).toBeInstanceOf(ConfigError);
      expect((err as Error).message, type).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it("qualify checks a module's params like a built-in's, naming strategies[i].params.NAME, and ids it by its name", async () => {
    const err = await qualify(scenario('./strategies/seven.ts', { unit: 1 }), 's.json', { baseDir: dir }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`strategies[0].params.unit: unknown (known: units, period) (in s.json, strategy module ${join(dir, 'strategies', 'seven.ts')})`);
    const q = await qualify(scenario('./strategies/seven.ts', { period: 4 }), 's.json', { baseDir: dir });
    expect(q.strategies[0]!.id).toBe('seven');
    expect(q.strategies[0]!.module!.sourceHash).toBe(sourceHash(await readFile(join(dir, 'strategies', 'seven.ts'), 'utf8')));
    // the warm-up and the factory go through the entry's definition
    const spec = { ...q.strategies[0]!, symbols: ['AAA'] };
    expect(warmupOf(spec)).toEqual({ bars: 4, because: 'period=4' });
    const [s] = strategyFactory([spec])();
    expect(strategySourceOf(s!)?.module).toBe(join(dir, 'strategies', 'seven.ts'));
  });

  it("a throw in a module's create is a StrategyError naming the strategy, the module and the user's line", async () => {
    const q = await qualify(scenario('./strategies/throws-in-create.mjs'), 's.json', { baseDir: dir }); // params are checked without create
    const file = join(dir, 'strategies', 'throws-in-create.mjs');
    let err: unknown;
    try {
      strategyFactory([{ ...q.strategies[0]!, symbols: ['AAA'] }])();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StrategyError);
    expect((err as Error).message).toBe(`strategy 'thrower' (${file}) failed in create: TypeError: no create today [${file}:3:9]`);
  });

  it('a scenario document carries the sources of its modules (absolute paths), and qualify checks them', async () => {
    await writeFile(join(dir, 's.json'), JSON.stringify({ ...scenario('./strategies/seven.ts'), data: { bars: './data' } }));
    const doc = (await loadScenarioDocument(join(dir, 's.json'))) as { strategies: { type: string }[]; modules: Record<string, { sourceHash: string; source: string }> };
    const path = join(dir, 'strategies', 'seven.ts');
    expect(doc.strategies[0]!.type).toBe(path);
    expect(Object.keys(doc.modules)).toEqual([path]);
    expect(doc.modules[path]!.source).toBe(await readFile(path, 'utf8'));
    expect(doc.modules[path]!.sourceHash).toBe(sourceHash(doc.modules[path]!.source));
    const tampered = { ...doc, modules: { [path]: { ...doc.modules[path]!, source: `${doc.modules[path]!.source}// x\n` } } };
    await expect(qualify(tampered, 'job')).rejects.toThrow(`modules["${path}"].sourceHash: does not match the SHA-256 of its source (in job)`);
  });
});

describe('shipped sources: a worker without the file', () => {
  it('writes the source into <cwd>/.tapedeck/strategies/<hash>/<file> and loads it from there', async () => {
    const cwd = join(dir, 'worker-cwd');
    await mkdir(cwd);
    const source = moduleText('remote', 11);
    const hash = sourceHash(source);
    const gone = join(dir, 'elsewhere', 'remote.ts');
    const loaded = await loadStrategyModule(gone, { shipped: { sourceHash: hash, source }, cwd });
    const cached = join(cwd, '.tapedeck', 'strategies', hash, 'remote.ts');
    expect(loaded.file).toBe(cached);
    expect(loaded.sourceHash).toBe(hash);
    expect(await readFile(cached, 'utf8')).toBe(source);
    expect(loaded.definition.name).toBe('remote');
    // A job with the document: the instance names the module as the scenario did, with the shipped hash.
    const q = await qualify({ ...scenario(gone), modules: { [gone]: { sourceHash: hash, source } } }, 'job', { cwd });
    expect(q.strategies[0]!.module).toEqual({ path: gone, sourceHash: hash });
    expect(strategySourceOf(q.strategies[0]!.definition.create('r', ['AAA'], {}))).toEqual({ module: gone, sourceHash: hash, file: cached });
  });

  it('prefers the shipped source when the file here has other content', async () => {
    const cwd = join(dir, 'worker-cwd-2');
    await mkdir(cwd);
    const here = join(dir, 'strategies', 'seven.ts');
    const source = moduleText('seven', 70);
    const loaded = await loadStrategyModule(here, { shipped: { sourceHash: sourceHash(source), source }, cwd });
    expect(loaded.file).toBe(join(cwd, '.tapedeck', 'strategies', sourceHash(source), 'seven.ts'));
    expect(loaded.definition.defaults).toEqual({ units: 70, period: 3 });
    // and uses the file when it is the same
    const same = await readFile(here, 'utf8');
    expect((await loadStrategyModule(here, { shipped: { sourceHash: sourceHash(same), source: same }, cwd })).file).toBe(here);
  });

  it('refuses a shipped source whose relative import is not on this machine, and one that does not match its hash', async () => {
    const source = moduleText('helped', 1, "import { helper } from './helper.ts';");
    expect(relativeImports(source)).toEqual([{ spec: './helper.ts', line: 2 }]);
    const gone = join(dir, 'elsewhere', 'helped.ts');
    await expect(loadStrategyModule(gone, { shipped: { sourceHash: sourceHash(source), source }, cwd: dir })).rejects.toThrow(
      `strategy module ${gone}: not on this machine, and its source (sent with the job) imports './helper.ts' (line 2), which is not: only the module's own source is sent, so keep a strategy for other machines in one file (or install it there at the same path)`,
    );
    expect(existsSync(join(dir, '.tapedeck', 'strategies', sourceHash(source)))).toBe(false);
    await expect(loadStrategyModule(gone, { shipped: { sourceHash: 'f'.repeat(64), source }, cwd: dir })).rejects.toThrow(/the shipped source does not match its sourceHash ffffffffffff/);
  });

  it('loads modules in piscina worker threads, from the file and from the shipped source', async () => {
    const executor = createLocalExecutor({ workers: 2, runnerModule: join(REPO, 'tests', 'support', 'strategy-module-runner.ts') });
    const path = join(dir, 'strategies', 'seven.ts');
    const fileHash = sourceHash(await readFile(path, 'utf8'));
    const shipped = moduleText('shipped', 9);
    const gone = join(dir, 'elsewhere', 'shipped.ts');
    const cacheDir = join(dir, 'pool-cwd');
    const results: TrialResult[] = [];
    try {
      await executor.run(
        [
          { key: 'a', scenario: { ...scenario(path), cacheDir }, params: {}, seed: 1 },
          { key: 'b', scenario: { ...scenario(gone), modules: { [gone]: { sourceHash: sourceHash(shipped), source: shipped } }, cacheDir }, params: {}, seed: 1 },
          { key: 'c', scenario: { ...scenario('./nowhere.ts'), cacheDir }, params: {}, seed: 1 },
        ],
        (r) => void results.push(r),
      );
    } finally {
      await executor.close();
    }
    const byKey = new Map(results.map((r) => [r.key, r]));
    expect(byKey.get('a')).toMatchObject({ status: 'ok', runHash: `seven:${fileHash}:7` });
    expect(byKey.get('b')).toMatchObject({ status: 'ok', runHash: `shipped:${sourceHash(shipped)}:9` });
    expect(await readFile(join(cacheDir, '.tapedeck', 'strategies', sourceHash(shipped), 'shipped.ts'), 'utf8')).toBe(shipped);
    expect(byKey.get('c')).toMatchObject({ status: 'failed', error: expect.stringMatching(/^strategies\[0\]\.type: strategy module .*nowhere\.ts: no such file \(in the trial scenario\)$/) });
  }, 120_000);
});
