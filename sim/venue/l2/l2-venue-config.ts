import { checkOneOf, checkPositive, InvalidArgumentError } from '../../../engine/core/index.js';
import { createFeeModel } from '../fee-model.js';
import type { FeeConfig } from '../fee-model.js';
import { createImpactModel } from './impact-model.js';
import type { ImpactConfig } from './impact-model.js';
import { BOOK_REPAIR_POLICIES } from './order-book.js';
import type { BookRepairPolicy } from './order-book.js';
import { createQueueModel } from './queue-model.js';
import type { QueueModelConfig } from './queue-model.js';

/** Frozen, fully qualified configuration of an {@link L2Venue}. Build it with {@link l2VenueConfig}. */
export interface L2VenueConfig {
  /** Price increment of every symbol without an entry in `tickSizes`. */
  readonly tickSize: number;
  /** Per-symbol price increments. */
  readonly tickSizes: Readonly<Record<string, number>>;
  readonly queue: QueueModelConfig;
  readonly impact: ImpactConfig;
  readonly fees: FeeConfig;
  /** The feed lists every level: a delete of an absent level is invalid input. */
  readonly fullDepth: boolean;
  /** What the books do with invalid rows. */
  readonly repair: BookRepairPolicy;
}

/** User-facing L2 venue configuration: every field optional. */
export type L2VenueConfigInput = { readonly [K in keyof L2VenueConfig]?: L2VenueConfig[K] };

export const DEFAULT_L2_VENUE_CONFIG: L2VenueConfig = Object.freeze({
  tickSize: 0.01,
  tickSizes: Object.freeze({}),
  queue: Object.freeze({ kind: 'risk-averse' }),
  impact: Object.freeze({ kind: 'none' }),
  fees: Object.freeze({ kind: 'none' }),
  fullDepth: false,
  repair: 'error',
} as const);

const KEYS = Object.keys(DEFAULT_L2_VENUE_CONFIG);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Returns a frozen, validated L2 venue configuration with every default applied. Unknown keys and
 * invalid values throw InvalidArgumentError naming the field (prefixed by `path`) and the value.
 */
export function l2VenueConfig(input: L2VenueConfigInput = {}, path = 'venue'): L2VenueConfig {
  for (const key of Object.keys(input)) {
    if (!KEYS.includes(key)) throw new InvalidArgumentError(`invalid '${path}.${key}': unknown key (allowed: ${KEYS.join(', ')})`);
  }
  const d = DEFAULT_L2_VENUE_CONFIG;
  const tickSize = checkPositive(input.tickSize ?? d.tickSize, `${path}.tickSize`);
  const tickSizes: Record<string, number> = {};
  for (const [symbol, t] of Object.entries(input.tickSizes ?? {})) tickSizes[symbol] = checkPositive(t, `${path}.tickSizes.${symbol}`);
  const queue = structuredClone(input.queue ?? d.queue);
  const impact = structuredClone(input.impact ?? d.impact);
  const fees = structuredClone(input.fees ?? d.fees);
  createQueueModel(queue, `${path}.queue`);
  createImpactModel(impact, `${path}.impact`);
  createFeeModel(fees, `${path}.fees`);
  const fullDepth = input.fullDepth ?? d.fullDepth;
  if (typeof fullDepth !== 'boolean') throw new InvalidArgumentError(`invalid '${path}.fullDepth': not a boolean, was ${String(fullDepth)}`);
  const repair = checkOneOf(input.repair ?? d.repair, BOOK_REPAIR_POLICIES, `${path}.repair`);
  return deepFreeze({ tickSize, tickSizes, queue, impact, fees, fullDepth, repair });
}
