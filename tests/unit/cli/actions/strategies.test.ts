import { resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { builtinListings, formatStrategy } from '../../../../cli/actions/strategies.js';
import { UsageError } from '../../../../cli/errors.js';
import { buildProgram } from '../../../../cli/program.js';
import { STRATEGIES, STRATEGY_NAMES } from '../../../../engine/strategies/index.js';
import { REPO, runCli } from '../../../support/cli.js';

/** `tapedeck strategies`: the built-ins' descriptions and parameters, read from their definitions. */

async function run(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  try {
    const program = buildProgram();
    program.exitOverride();
    program.commands.forEach((c) => c.exitOverride());
    await program.parseAsync(['node', 'tapedeck', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('tapedeck strategies', () => {
  it('lists every built-in from its definition: name, description, needs, warm-up and each parameter with its default', () => {
    const listings = builtinListings();
    expect(listings.map((s) => s.name)).toEqual([...STRATEGY_NAMES]);
    for (const s of listings) {
      const d = STRATEGIES[s.name as keyof typeof STRATEGIES];
      expect(s.description).toBe(d.description);
      expect(s.defaults).toEqual(d.defaults);
      expect(s.needs).toEqual([...((d as { needs?: readonly string[] }).needs ?? [])]);
    }
    const sma = listings[0]!;
    expect(sma.warmup).toEqual({ bars: 21, because: 'slow=20' });
    expect(formatStrategy(sma).split('\n')).toEqual([
      'sma_cross',
      `  ${STRATEGIES.sma_cross.description}`,
      '  warm-up: 21 bars with the defaults (slow=20)',
      '  params (defaults):',
      '    fast        10',
      '    slow        20',
      '    mode        "long_short"',
      '    sizing      {"kind":"units","units":100}',
      '    fractional  false',
    ]);
    const q = listings.find((s) => s.name === 'q_learning_selector')!;
    expect(q.trainUntilParam).toBe('trainUntil');
    expect(listings.find((s) => s.name === 'liquidity_flow')!).toMatchObject({ needs: ['book'], warmup: null });
  });

  it('describes one built-in, or a strategy module by path, through the same definition shape', async () => {
    expect(JSON.parse(await run(['strategies', 'rsi_reversion', '--json']))).toEqual(JSON.parse(JSON.stringify(builtinListings()[2])));
    const byPath = JSON.parse(await run(['strategies', resolve(REPO, 'engine/strategies/ema-cross.ts'), '--json']));
    expect(byPath).toEqual(JSON.parse(JSON.stringify(builtinListings()[1])));
    await expect(run(['strategies', 'nope'])).rejects.toThrow(UsageError);
    await expect(run(['strategies', 'nope'])).rejects.toThrow(/^strategies: unknown strategy 'nope' \(known: sma_cross, ema_cross, /);
  });

  it('the CLI prints the listing as JSON', () => {
    const r = runCli(['strategies', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(builtinListings())));
  });
});
