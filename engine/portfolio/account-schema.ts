import { z } from 'zod';
import { deferredSchema } from '../core/deferred-schema.js';
import type { AccountConfig } from './account.js';

const fraction = (what: string) =>
  z
    .number()
    .gt(0, { error: (iss) => `must be a fraction in (0, 1], was ${String(iss.input)}` })
    .lte(1, { error: (iss) => `must be a fraction in (0, 1], was ${String(iss.input)}` })
    .optional()
    .describe(what);

const MARGIN_ONLY = ['leverage', 'initialMargin', 'maintenanceMargin', 'borrowRate', 'marginCall'] as const;

/**
 * The scenario's `account` section: the account type and its buying power, margin, borrow cost,
 * margin call and ruin rules (engine/portfolio/account.ts). Rules across fields: `leverage` and
 * `initialMargin` are exclusive; maintenance may not exceed initial; the margin fields need
 * `type: "margin"`.
 */
export const AccountFields = {
    type: z
      .enum(['cash', 'margin'])
      .default('cash')
      .describe('"cash" (the default): fills are paid from cash, short sales of non-futures are denied. "margin": fills need initial margin, shorts allowed, margin calls and borrow cost apply.'),
    insufficientFunds: z
      .enum(['reject', 'resize'])
      .default('reject')
      .describe('A fill the account cannot pay for (cash) or cover with margin: "reject" (the default, the peers\' rule) denies it with an OrderDenied naming the shortfall; "resize" fills the largest affordable quantity (lot-floored) and denies the rest.'),
    leverage: z
      .number()
      .gte(1, { error: (iss) => `must be a number >= 1, was ${String(iss.input)}` })
      .finite()
      .optional()
      .describe('Margin accounts: leverage, a shortcut for initialMargin = 1 / leverage (1 is backtesting.py\'s margin=1). Not with initialMargin.'),
    initialMargin: fraction('Margin accounts: initial margin as a fraction of notional (default 0.5, Reg-T); a fill is allowed while initial margin in use <= equity after it. Not with leverage.'),
    maintenanceMargin: fraction('Margin accounts: maintenance margin as a fraction of notional (default half the initial margin, 0.25 with the default); equity below it at an equity sample is a margin call. At most the initial margin.'),
    borrowRate: z
      .number()
      .gte(0, { error: (iss) => `must be a finite number >= 0, was ${String(iss.input)}` })
      .finite()
      .optional()
      .describe('Margin accounts: annual borrow rate on short notional (0.03 = 3% a year; default 0), charged at each equity sample for the time since the previous one (365.25-day year).'),
    marginCall: z
      .enum(['liquidate', 'none'])
      .optional()
      .describe('Margin accounts: "liquidate" (the default) closes positions with market orders, largest maintenance requirement first, when equity falls below the maintenance margin in use; "none" never does (backtesting.py has no margin calls).'),
};

/** The account fields as the rules across them read them. */
interface AccountRuleFields {
  readonly type: 'cash' | 'margin';
  readonly leverage?: number | undefined;
  readonly initialMargin?: number | undefined;
  readonly maintenanceMargin?: number | undefined;
  readonly borrowRate?: number | undefined;
  readonly marginCall?: string | undefined;
}

/**
 * The rules across the account fields (shared by the scenario's `account` and a strategy's own
 * `strategies[i].account`): the margin fields need type "margin", leverage and initialMargin are
 * exclusive, maintenance at most initial.
 */
export function checkAccountRules(a: AccountRuleFields, ctx: z.RefinementCtx): void {
  if (a.type === 'cash') {
    for (const k of MARGIN_ONLY) if (a[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'only with account.type "margin"' });
    return;
  }
  if (a.leverage !== undefined && a.initialMargin !== undefined) ctx.addIssue({ code: 'custom', path: ['initialMargin'], message: `give leverage (${a.leverage}) or initialMargin (${a.initialMargin}), not both` });
  const im = a.leverage !== undefined ? 1 / a.leverage : (a.initialMargin ?? 0.5);
  if (a.maintenanceMargin !== undefined && a.maintenanceMargin > im) ctx.addIssue({ code: 'custom', path: ['maintenanceMargin'], message: `must not exceed the initial margin ${im}, was ${a.maintenanceMargin}` });
}

export const AccountSchema = z
  .strictObject(AccountFields)
  .superRefine(checkAccountRules)
  .describe('The account: cash (the default) or margin, buying power at fill time, margin, borrow cost, margin calls; equity at or below zero ends trading (ruin).');

export type AccountSection = z.output<typeof AccountSchema>;

/**
 * A strategy's own account (`strategies[i].account`): the fields and rules of the scenario's
 * `account`, plus its starting cash and the book's own position cap and dollar daily stop. A strategy
 * with one trades a separate book, as if it were the only strategy of a run with these settings. Built on
 * first use (see deferredSchema): most scenarios have no strategy accounts.
 */
export const StrategyAccountSchema = deferredSchema(() =>
  z
    .strictObject({
      initialCash: z.number().positive().finite().describe("Cash in this strategy's own account at the start, account currency (required)."),
      ...AccountFields,
      maxPositions: z.number().int().positive().optional().describe('Most symbols this book holds at once (its risk maxOpenPositions).'),
      dailyStopLoss: z
        .number()
        .positive()
        .finite()
        .optional()
        .describe("Loss from the book's equity at the start of the day, currency, at which this book flattens until the next day (the other books trade on)."),
    })
    .superRefine(checkAccountRules)
    .describe(
      "The strategy's own broker account (backtrader: one Cerebro per strategy): its cash, positions, buying power, margin calls, ruin, position cap and daily stop are its own. Once one strategy has an account, every strategy needs one; not with an ensemble, the scenario's initialCash, account, or portfolio.constraints.maxPositions/dailyStopLoss.",
    ),
);

export type StrategyAccountSection = z.output<typeof StrategyAccountSchema>;

/** The scenario `account` section of a strategy's own account (its book-only fields left out). */
export function accountSectionOf(a: StrategyAccountSection): AccountSection {
  const { initialCash: _c, maxPositions: _m, dailyStopLoss: _d, ...account } = a;
  return account;
}

/** The AccountConfig a parsed `account` section stands for (defaults applied). */
export function accountFromSection(a: AccountSection): AccountConfig {
  if (a.type === 'cash') return { type: 'cash', insufficientFunds: a.insufficientFunds, initialMargin: 1, maintenanceMargin: 1, borrowRate: 0, marginCall: 'none' };
  const initialMargin = a.leverage !== undefined ? 1 / a.leverage : (a.initialMargin ?? 0.5);
  return {
    type: 'margin',
    insufficientFunds: a.insufficientFunds,
    initialMargin,
    maintenanceMargin: a.maintenanceMargin ?? initialMargin / 2,
    borrowRate: a.borrowRate ?? 0,
    marginCall: a.marginCall ?? 'liquidate',
  };
}
