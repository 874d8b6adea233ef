import { InvalidArgumentError, checkInRange, checkNonNegative, checkPositiveInteger } from '../../core/index.js';
import type { StrategyStats } from './performance-stats.js';

/**
 * Strategy retirement (seed 002): ACTIVE -> DEGRADED -> SUSPENDED -> RETIRED, with recovery.
 *
 * An assessment counts the health violations of a strategy's statistics (judged only once it has
 * `minTrades` closed trades; before that nothing changes): expectancy below `minExpectancy`, profit
 * factor below `minProfitFactor`, win rate below `minWinRate`, drawdown above `maxDrawdown`.
 * - ACTIVE -> DEGRADED when violations >= `degradeAt`.
 * - DEGRADED -> ACTIVE (recovery) when violations == 0; DEGRADED -> SUSPENDED after `suspendAfter`
 *   consecutive assessments with violations >= `suspendAt`.
 * - SUSPENDED -> DEGRADED (recovery) when violations < `degradeAt`; SUSPENDED -> RETIRED after
 *   `retireAfter` consecutive suspended assessments with violations >= `suspendAt`.
 * - RETIRED is final for assessments; only {@link StrategyRetirement.force} leaves it.
 * Weight multipliers: ACTIVE 1, DEGRADED `degradedWeight`, SUSPENDED and RETIRED 0.
 */
export const STRATEGY_STATUSES = ['ACTIVE', 'DEGRADED', 'SUSPENDED', 'RETIRED'] as const;
export type StrategyStatus = (typeof STRATEGY_STATUSES)[number];

/** The transitions an assessment may make (forced changes aside). */
export const ALLOWED_TRANSITIONS: Readonly<Record<StrategyStatus, readonly StrategyStatus[]>> = Object.freeze({
  ACTIVE: ['DEGRADED'],
  DEGRADED: ['ACTIVE', 'SUSPENDED'],
  SUSPENDED: ['DEGRADED', 'RETIRED'],
  RETIRED: [],
});

export interface RetirementConfig {
  readonly minTrades: number;
  readonly minExpectancy: number;
  readonly minProfitFactor: number;
  readonly minWinRate: number;
  readonly maxDrawdown: number;
  readonly degradeAt: number;
  readonly suspendAt: number;
  readonly suspendAfter: number;
  readonly retireAfter: number;
  readonly degradedWeight: number;
}

export const RETIREMENT_DEFAULTS: RetirementConfig = Object.freeze({
  minTrades: 10,
  minExpectancy: 0,
  minProfitFactor: 1.0,
  minWinRate: 0.35,
  maxDrawdown: 0.25,
  degradeAt: 2,
  suspendAt: 3,
  suspendAfter: 2,
  retireAfter: 3,
  degradedWeight: 0.5,
});

/** One status change, for the audit trail. */
export interface StatusChange {
  readonly strategyId: string;
  readonly from: StrategyStatus;
  readonly to: StrategyStatus;
  readonly reason: string;
  readonly forced: boolean;
  readonly violations: readonly string[];
}

interface Health {
  status: StrategyStatus;
  streak: number;
}

/** Returns the violated rules of `stats` under `config` (empty with fewer than minTrades trades). */
export function healthViolations(stats: StrategyStats, config: RetirementConfig): string[] {
  if (stats.tradeCount < config.minTrades) return [];
  const v: string[] = [];
  if (stats.expectancy !== null && stats.expectancy < config.minExpectancy) v.push(`expectancy ${stats.expectancy.toFixed(4)} < ${config.minExpectancy}`);
  if (stats.profitFactor !== null && stats.profitFactor < config.minProfitFactor) v.push(`profit factor ${stats.profitFactor.toFixed(3)} < ${config.minProfitFactor}`);
  if (stats.winRate !== null && stats.winRate < config.minWinRate) v.push(`win rate ${stats.winRate.toFixed(3)} < ${config.minWinRate}`);
  if (stats.maxDrawdown > config.maxDrawdown) v.push(`drawdown ${stats.maxDrawdown.toFixed(3)} > ${config.maxDrawdown}`);
  return v;
}

/** The lifecycle of every strategy of an ensemble, with its audit log. */
export class StrategyRetirement {
  readonly config: RetirementConfig;
  private readonly health = new Map<string, Health>();
  readonly auditLog: StatusChange[] = [];

  constructor(strategyIds: readonly string[], config: RetirementConfig = RETIREMENT_DEFAULTS) {
    checkPositiveInteger(config.minTrades, 'minTrades');
    checkNonNegative(config.minProfitFactor, 'minProfitFactor');
    checkInRange(config.minWinRate, 0, 1, 'minWinRate');
    checkInRange(config.maxDrawdown, 0, 1, 'maxDrawdown');
    checkPositiveInteger(config.degradeAt, 'degradeAt');
    checkPositiveInteger(config.suspendAt, 'suspendAt');
    checkPositiveInteger(config.suspendAfter, 'suspendAfter');
    checkPositiveInteger(config.retireAfter, 'retireAfter');
    checkInRange(config.degradedWeight, 0, 1, 'degradedWeight');
    this.config = Object.freeze({ ...config });
    for (const id of strategyIds) this.health.set(id, { status: 'ACTIVE', streak: 0 });
  }

  status(strategyId: string): StrategyStatus {
    return this.get(strategyId).status;
  }

  /** Weight multiplier of the strategy's status. */
  weightMultiplier(strategyId: string): number {
    switch (this.status(strategyId)) {
      case 'ACTIVE':
        return 1;
      case 'DEGRADED':
        return this.config.degradedWeight;
      default:
        return 0;
    }
  }

  private get(id: string): Health {
    const h = this.health.get(id);
    if (h === undefined) throw new InvalidArgumentError(`unknown strategy '${id}' (known: ${[...this.health.keys()].join(', ')})`);
    return h;
  }

  /** Assesses a strategy; returns its status change, or null. */
  assess(strategyId: string, stats: StrategyStats): StatusChange | null {
    const h = this.get(strategyId);
    const c = this.config;
    const v = healthViolations(stats, c);
    const n = v.length;
    let to: StrategyStatus = h.status;
    let reason = '';
    switch (h.status) {
      case 'ACTIVE':
        h.streak = 0;
        if (n >= c.degradeAt) {
          to = 'DEGRADED';
          reason = `${n} health violations (degrade at ${c.degradeAt})`;
        }
        break;
      case 'DEGRADED':
        if (n === 0) {
          to = 'ACTIVE';
          reason = 'recovered: no health violation';
        } else if (n >= c.suspendAt) {
          h.streak++;
          if (h.streak >= c.suspendAfter) {
            to = 'SUSPENDED';
            reason = `${n} health violations for ${h.streak} assessments (suspend after ${c.suspendAfter})`;
          }
        } else h.streak = 0;
        break;
      case 'SUSPENDED':
        if (n < c.degradeAt) {
          to = 'DEGRADED';
          reason = `recovering: ${n} health violations (< ${c.degradeAt})`;
        } else if (n >= c.suspendAt) {
          h.streak++;
          if (h.streak >= c.retireAfter) {
            to = 'RETIRED';
            reason = `${n} health violations for ${h.streak} suspended assessments (retire after ${c.retireAfter})`;
          }
        } else h.streak = 0;
        break;
      case 'RETIRED':
        break;
    }
    if (to === h.status) return null;
    const change: StatusChange = { strategyId, from: h.status, to, reason, forced: false, violations: v };
    h.status = to;
    h.streak = 0;
    this.auditLog.push(change);
    return change;
  }

  /** Sets a status by hand (any status, RETIRED included); recorded as forced with `reason`. */
  force(strategyId: string, status: StrategyStatus, reason: string): StatusChange | null {
    const h = this.get(strategyId);
    if (!(STRATEGY_STATUSES as readonly string[]).includes(status)) throw new InvalidArgumentError(`invalid 'status': not one of ${STRATEGY_STATUSES.join(', ')}, was ${JSON.stringify(status)}`);
    if (h.status === status) return null;
    const change: StatusChange = { strategyId, from: h.status, to: status, reason: `forced: ${reason}`, forced: true, violations: [] };
    h.status = status;
    h.streak = 0;
    this.auditLog.push(change);
    return change;
  }
}
