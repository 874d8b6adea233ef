import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { US_PER_HOUR } from '../../../../engine/core/index.js';
import type { OrderSide } from '../../../../engine/model/index.js';
import { RiskEngine, type RiskConfig } from '../../../../engine/risk/index.js';
import { TestAccount } from './test-account.js';

/**
 * A simple position model: orders the risk engine passes either fill at once or rest as working
 * orders that later fill (in part or whole) or get cancelled. Prices are fixed per run and fills
 * happen at them without fees, so equity stays constant and every limit is comparable at every step.
 */
const SYMBOLS = ['A', 'B', 'C', 'D', 'E'] as const;

type Op =
  | { kind: 'submit'; symbol: number; side: OrderSide; qty: number; rest: boolean }
  | { kind: 'fill'; index: number; fraction: number }
  | { kind: 'cancel'; index: number }
  | { kind: 'equity'; equity: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('submit' as const),
      symbol: fc.integer({ min: 0, max: SYMBOLS.length - 1 }),
      side: fc.constantFrom<OrderSide>('buy', 'sell'),
      qty: fc.integer({ min: 1, max: 300 }),
      rest: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fill' as const), index: fc.nat(), fraction: fc.constantFrom(0.25, 0.5, 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('equity' as const), equity: fc.integer({ min: 50_000, max: 150_000 }) }) },
);

const configArb: fc.Arbitrary<RiskConfig> = fc.record(
  {
    maxPositionUnits: fc.integer({ min: 10, max: 400 }),
    maxPositionNotional: fc.integer({ min: 1_000, max: 40_000 }),
    maxGrossExposureRatio: fc.double({ min: 0.1, max: 3, noNaN: true }),
    maxGrossExposureNotional: fc.integer({ min: 5_000, max: 200_000 }),
    maxOpenPositions: fc.integer({ min: 1, max: 4 }),
    maxOrderUnits: fc.integer({ min: 1, max: 400 }),
    dailyLossLimit: fc.integer({ min: 1_000, max: 30_000 }),
    maxDrawdown: fc.double({ min: 0.05, max: 0.5, noNaN: true }),
    reducingAlwaysAllowed: fc.boolean(),
  },
  { requiredKeys: [] },
);

interface Working {
  symbol: string;
  side: OrderSide;
  leaves: number;
}

const EQUITY = 100_000;
const within = (value: number, limit: number | undefined): boolean => limit === undefined || value <= limit * (1 + 1e-9);

function violations(config: RiskConfig, acct: TestAccount, prices: readonly number[]): string[] {
  const problems: string[] = [];
  let open = 0;
  let gross = 0;
  SYMBOLS.forEach((s, i) => {
    const p = acct.position(s);
    const value = Math.abs(p) * prices[i]!;
    if (p !== 0) open++;
    gross += value;
    if (!within(Math.abs(p), config.maxPositionUnits)) problems.push(`${s}: |position| ${Math.abs(p)} > maxPositionUnits ${config.maxPositionUnits}`);
    if (!within(value, config.maxPositionNotional)) problems.push(`${s}: notional ${value} > maxPositionNotional ${config.maxPositionNotional}`);
  });
  if (!within(open, config.maxOpenPositions)) problems.push(`open positions ${open} > ${config.maxOpenPositions}`);
  if (!within(gross, config.maxGrossExposureNotional)) problems.push(`gross ${gross} > ${config.maxGrossExposureNotional}`);
  if (config.maxGrossExposureRatio !== undefined && !within(gross, config.maxGrossExposureRatio * EQUITY)) {
    problems.push(`gross ${gross} > ${config.maxGrossExposureRatio} x equity`);
  }
  return problems;
}

describe('RiskEngine property: limits hold over random order streams', () => {
  it('never lets a position, the gross exposure or the open-position count exceed its limit', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: SYMBOLS.length, maxLength: SYMBOLS.length }),
        fc.array(opArb, { maxLength: 120 }),
        (config, prices, ops) => {
          const risk = new RiskEngine(config);
          const acct = new TestAccount(EQUITY);
          SYMBOLS.forEach((s, i) => acct.set(s, 0, prices[i]!));
          const working: Working[] = [];
          const applyFill = (symbol: string, side: OrderSide, qty: number): void => {
            acct.positions.set(symbol, acct.position(symbol) + (side === 'buy' ? qty : -qty));
          };
          const addPending = (symbol: string, side: OrderSide, qty: number): void => {
            const m = side === 'buy' ? acct.pendingBuy : acct.pendingSell;
            m.set(symbol, (m.get(symbol) ?? 0) + qty);
          };
          let ts = 0;
          for (const op of ops) {
            ts += US_PER_HOUR;
            switch (op.kind) {
              case 'submit': {
                const symbol = SYMBOLS[op.symbol]!;
                const before = acct.position(symbol);
                const pendingSame = acct.pendingQty(symbol, op.side);
                const denial = risk.check({ symbol, side: op.side, qty: op.qty, price: prices[op.symbol]! }, acct);
                if (denial !== null) {
                  expect(denial.reason).toMatch(new RegExp(`^${denial.limit}|^symbol`));
                  break;
                }
                if (risk.halted) {
                  // While halted only reducing orders may pass.
                  const reducing = (op.side === 'buy' ? before < 0 : before > 0) && pendingSame + op.qty <= Math.abs(before);
                  expect(reducing).toBe(true);
                }
                if (op.rest) {
                  working.push({ symbol, side: op.side, leaves: op.qty });
                  addPending(symbol, op.side, op.qty);
                } else {
                  applyFill(symbol, op.side, op.qty);
                }
                break;
              }
              case 'fill': {
                if (working.length === 0) break;
                const w = working[op.index % working.length]!;
                const qty = op.fraction === 1 ? w.leaves : Math.max(1, Math.floor(w.leaves * op.fraction));
                applyFill(w.symbol, w.side, qty);
                addPending(w.symbol, w.side, -qty);
                w.leaves -= qty;
                if (w.leaves === 0) working.splice(working.indexOf(w), 1);
                break;
              }
              case 'cancel': {
                if (working.length === 0) break;
                const w = working.splice(op.index % working.length, 1)[0]!;
                addPending(w.symbol, w.side, -w.leaves);
                break;
              }
              case 'equity':
                risk.onEquity(ts, op.equity);
                break;
            }
            expect(violations(config, acct, prices)).toEqual([]);
          }
          // Filling every working order (the worst case the checks assumed) still respects the limits.
          for (const w of working) applyFill(w.symbol, w.side, w.leaves);
          expect(violations(config, acct, prices)).toEqual([]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('finds a breach when the engine is bypassed (the property can fail)', () => {
    const config: RiskConfig = { maxPositionUnits: 10 };
    const acct = new TestAccount(EQUITY).set('A', 11, 1);
    expect(violations(config, acct, [1, 1, 1, 1, 1])).toEqual(['A: |position| 11 > maxPositionUnits 10']);
  });
});
