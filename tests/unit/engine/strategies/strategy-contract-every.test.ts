import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { STRATEGY_SOURCE } from '../../../../cli/init-template.js';
import { InvalidArgumentError, randomStream, US_PER_DAY } from '../../../../engine/core/index.js';
import type { Bar } from '../../../../engine/model/index.js';
import { isDefinedStrategy, STRATEGIES, STRATEGY_NAMES, type DefinedStrategy } from '../../../../engine/strategies/index.js';
import { FakeStrategyContext, type ContextCall } from '../../../support/fake-strategy-context.js';
import { REPO } from '../../../support/cli.js';

/**
 * Issue 15, point 5: one contract over every bar strategy, the built-ins and the README's own example
 * (`strategies/breakout.ts`, the text `tapedeck init` writes): no look-ahead (run on a prefix of the data it
 * makes the same decisions on that prefix), no target or signal before its declared warm-up is full, every
 * parameter validated (a wrong type or an unknown key is refused naming it), and risk denials respected (when
 * no order ever fills, it neither fails nor asks again bar after bar). strategy-contract.test.ts holds the
 * rest (finite targets, signals in range, determinism, reading only the bars given).
 */

const N = 1_500;
const T0 = 1_600_000_000_000_000;

/** Random OHLCV bars: a log-normal walk with random ranges and volumes. */
function randomBars(seed: number, symbol: string): Bar[] {
  const rng = randomStream(seed, 'contract-every', symbol);
  const out: Bar[] = [];
  let close = 50 + rng.uniform(0, 100);
  for (let i = 0; i < N; i++) {
    const open = close;
    close = Math.max(0.01, close * Math.exp(0.02 * rng.normal()));
    const high = Math.max(open, close) * (1 + rng.uniform(0, 0.02));
    const low = Math.min(open, close) * (1 - rng.uniform(0, 0.02));
    out.push({ ts: T0 + i * US_PER_DAY, open, high, low, close, volume: rng.int(1, 1e6) });
  }
  return out;
}

interface Subject {
  readonly label: string;
  readonly definition: DefinedStrategy<object>;
}

const subjects: Subject[] = STRATEGY_NAMES.filter((n) => !('needs' in STRATEGIES[n])).map((n) => ({ label: n, definition: STRATEGIES[n] as unknown as DefinedStrategy<object> }));

// The README's example as a user's module (loaded before the suites are collected, so it is one of them):
// its `from 'tapedeck'` is the package entry of this checkout.
const dir = mkdtempSync(join(REPO, '.contract-every-'));
{
  const file = join(dir, 'breakout.ts');
  writeFileSync(file, STRATEGY_SOURCE.replaceAll("from 'tapedeck'", `from ${JSON.stringify(pathToFileURL(join(REPO, 'index.ts')).href)}`));
  const mod = (await import(pathToFileURL(file).href)) as { default: unknown };
  if (!isDefinedStrategy(mod.default)) throw new Error('the README example does not default-export a defineStrategy definition');
  subjects.push({ label: 'README breakout.ts', definition: mod.default });
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The symbols a strategy is run on: two, or three for one that needs more (correlation across symbols). */
function symbolsFor(definition: DefinedStrategy<object>): string[] {
  for (const symbols of [['AAA', 'BBB'], ['AAA', 'BBB', 'CCC']]) {
    try {
      definition.create('probe', symbols, {});
      return symbols;
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
    }
  }
  throw new Error(`${definition.name}: refuses two and three symbols with its defaults`);
}

/** Runs a fresh instance over the first `bars` bars of every symbol, interleaved by time. */
function run(definition: DefinedStrategy<object>, bars: number, options: { fillTargets?: boolean } = {}): ContextCall[] {
  const symbols = symbolsFor(definition);
  const strategy = definition.create('s', symbols, {});
  const ctx = new FakeStrategyContext(symbols, { lookback: N, ...options });
  const data = symbols.map((s, k) => randomBars(31 + k, s));
  for (let i = 0; i < bars; i++) symbols.forEach((s, k) => ctx.deliver(strategy, s, data[k]![i]!));
  return ctx.calls;
}

const callTs = (c: ContextCall): number => c.ts;

describe.each(subjects.map((s) => [s.label, s] as const))('every strategy keeps the contract: %s', (_label, subject) => {
  it('makes the same decisions on a prefix of the data as on the whole (no look-ahead)', () => {
    const whole = run(subject.definition, N);
    for (const cut of [200, 777]) {
      const prefix = run(subject.definition, cut);
      const end = T0 + cut * US_PER_DAY; // decisions on bar cut - 1 are stamped at its close
      expect(whole.filter((c) => callTs(c) <= end)).toEqual(prefix);
    }
    expect(whole.some((c) => c.kind === 'setTarget'), 'it trades on 1,500 random bars').toBe(true);
  });

  it('sets no target and emits no signal before its declared warm-up is full', () => {
    const warmup = subject.definition.warmup?.({});
    if (warmup === undefined) return; // decides from its first event (documented on StrategyDefinition.warmup)
    const calls = run(subject.definition, N);
    const first = Math.min(...calls.map(callTs));
    // Bar index warmup.bars - 1 is the first it may act on; its decision is stamped at that bar's close.
    expect(first, `first call at bar ${(first - T0) / US_PER_DAY - 1}, warm-up ${warmup.bars} (${warmup.because})`).toBeGreaterThanOrEqual(T0 + warmup.bars * US_PER_DAY);
  });

  it('refuses an unknown parameter and a parameter of the wrong type, naming it', () => {
    const symbols = symbolsFor(subject.definition);
    expect(() => subject.definition.create('s', symbols, { noSuchParam: 1 } as never)).toThrow(/noSuchParam/);
    for (const [key, value] of Object.entries(subject.definition.defaults)) {
      const wrong = typeof value === 'number' ? 'not a number' : typeof value === 'boolean' ? 'yes' : typeof value === 'string' ? 12345 : null;
      if (wrong === null) continue; // objects (sizing) and nullable settings have their own tests
      expect(() => subject.definition.create('s', symbols, { [key]: wrong } as never), `${key} = ${JSON.stringify(wrong)}`).toThrow(new RegExp(`\\b${key}\\b`));
    }
  });

  it('respects risk denials: with no order ever filled it neither fails nor asks again bar after bar', () => {
    const filled = run(subject.definition, N).filter((c) => c.kind === 'setTarget').length;
    const denied = run(subject.definition, N, { fillTargets: false });
    const targets = denied.filter((c) => c.kind === 'setTarget');
    for (const c of targets) expect(Number.isFinite(c.units)).toBe(true);
    // A strategy that re-asks for a denied target every bar would ask hundreds of times more.
    expect(targets.length).toBeLessThanOrEqual(2 * filled + 10);
  });
});
