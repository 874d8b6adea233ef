import { ConfigError, parseDurationUs } from '../../core/index.js';
import { ExecutionSchema } from './algorithm-schema.js';

/** The execution algorithms a strategy's targets can go through. */
export const ALGORITHM_KINDS = ['direct', 'smart', 'twap', 'vwap', 'dca'] as const;
export type AlgorithmKind = (typeof ALGORITHM_KINDS)[number];

interface Common {
  /**
   * Time after the parent's creation at which whatever is left (unsent slices, and the quantity of
   * children that were denied, rejected or cancelled) goes out at once as one market order; null: never.
   */
  readonly fallbackAfterUs: number | null;
}

/** One market order for the whole quantity, at once. */
export interface DirectConfig extends Common {
  readonly kind: 'direct';
}
/** Orders worth more than `thresholdNotional` split into at most `maxParts` equal parts, `delayUs` apart. */
export interface SmartSplitConfig extends Common {
  readonly kind: 'smart';
  readonly thresholdNotional: number;
  readonly maxParts: number;
  readonly delayUs: number;
}
/** `parts` equal slices spread evenly over `durationUs`, the first at once. */
export interface TwapConfig extends Common {
  readonly kind: 'twap';
  readonly durationUs: number;
  readonly parts: number;
}
/** `parts` slices over `durationUs`, weighted by the symbol's intraday volume profile of the past `sessions` days. */
export interface VwapConfig extends Common {
  readonly kind: 'vwap';
  readonly durationUs: number;
  readonly parts: number;
  readonly sessions: number;
}
/** `parts` equal slices every `intervalUs`, the first at once (a dollar-cost-averaging session). */
export interface DcaConfig extends Common {
  readonly kind: 'dca';
  readonly intervalUs: number;
  readonly parts: number;
}

export type AlgorithmConfig = DirectConfig | SmartSplitConfig | TwapConfig | VwapConfig | DcaConfig;

function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** The keys each algorithm takes, from {@link ExecutionSchema} (the shared ones first). */
function keysOf(kind: AlgorithmKind): string[] {
  const variant = ExecutionSchema.options.find((o) => o.shape.algo.value === kind)!;
  const common = ['algo', 'fallbackAfter', 'fallbackAfterUs'];
  return [...common, ...Object.keys(variant.shape).filter((k) => !common.includes(k))];
}

/**
 * Returns the qualified configuration of an execution algorithm written as in a scenario
 * (`{algo: 'twap', duration: '30m', parts: 6, fallbackAfter: '45m'}`; every duration may instead be
 * given in microseconds as `durationUs`, `delayUs`, `intervalUs`, `fallbackAfterUs`). Each field's
 * type and range is {@link ExecutionSchema}'s; this adds the rules across fields (a duration given
 * both ways, or neither where the algorithm needs one; a zero duration) and the defaults: smart
 * `maxParts` 5 and `delay` 2s (the seed's values), vwap `sessions` 5. Throws ConfigError naming
 * `path.<field>`.
 */
export function qualifyAlgorithmConfig(input: unknown, path = 'execution'): AlgorithmConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new ConfigError(path, `expected an object such as {"algo": "twap", ...}, was ${shown(input)}`);
  const o = input as Record<string, unknown>;
  const algo = o.algo;
  if (typeof algo !== 'string' || !(ALGORITHM_KINDS as readonly string[]).includes(algo)) {
    throw new ConfigError(`${path}.algo`, `expected one of ${ALGORITHM_KINDS.join(', ')}, was ${shown(algo)}`);
  }
  const kind = algo as AlgorithmKind;
  const allowed = keysOf(kind);
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new ConfigError(`${path}.${k}`, `unknown key for algo '${kind}' (allowed: ${allowed.join(', ')})`);
  const parsed = ExecutionSchema.safeParse(o, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = `${path}.${issue.path.map(String).join('.')}`;
    const missing = issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined;
    throw new ConfigError(field, missing ? `is required for algo '${kind}'` : issue.message);
  }
  const c = parsed.data as Record<string, unknown>;
  const duration = (name: string, required: boolean, dflt?: number): number | null => {
    const text = c[name] as string | undefined;
    const us = c[`${name}Us`] as number | undefined;
    if (text !== undefined && us !== undefined) throw new ConfigError(`${path}.${name}`, `give ${name} or ${name}Us, not both`);
    if (us !== undefined) return us;
    if (text !== undefined) {
      try {
        return parseDurationUs(text, `${path}.${name}`);
      } catch (err) {
        throw new ConfigError(`${path}.${name}`, (err as Error).message);
      }
    }
    if (dflt !== undefined) return dflt;
    if (required) throw new ConfigError(`${path}.${name}`, `is required for algo '${kind}'`);
    return null;
  };
  const fallbackAfterUs = duration('fallbackAfter', false);
  if (fallbackAfterUs !== null && fallbackAfterUs <= 0) throw new ConfigError(`${path}.fallbackAfter`, `must be positive, was ${fallbackAfterUs} us`);
  let out: AlgorithmConfig;
  switch (kind) {
    case 'direct':
      out = { kind, fallbackAfterUs };
      break;
    case 'smart':
      out = { kind, thresholdNotional: c.thresholdNotional as number, maxParts: (c.maxParts as number | undefined) ?? 5, delayUs: duration('delay', false, 2_000_000)!, fallbackAfterUs };
      break;
    case 'twap':
    case 'vwap': {
      const durationUs = duration('duration', true)!;
      if (durationUs <= 0) throw new ConfigError(`${path}.duration`, 'must be positive');
      const parts = c.parts as number;
      out = kind === 'twap' ? { kind, durationUs, parts, fallbackAfterUs } : { kind, durationUs, parts, sessions: (c.sessions as number | undefined) ?? 5, fallbackAfterUs };
      break;
    }
    case 'dca': {
      const intervalUs = duration('interval', true)!;
      if (intervalUs <= 0) throw new ConfigError(`${path}.interval`, 'must be positive');
      out = { kind, intervalUs, parts: c.parts as number, fallbackAfterUs };
      break;
    }
  }
  return Object.freeze(out);
}

/** Returns the algorithm as a sentence for the report's assumptions. */
export function describeAlgorithm(c: AlgorithmConfig): string {
  const fb = c.fallbackAfterUs === null ? '' : `; after ${c.fallbackAfterUs / 1e6}s whatever is left goes as one market order`;
  switch (c.kind) {
    case 'direct':
      return `direct: one market order for the whole quantity${fb}`;
    case 'smart':
      return `smart split: orders worth more than ${c.thresholdNotional} split into ceil(notional / ${c.thresholdNotional}) equal market orders, at most ${c.maxParts}, ${c.delayUs / 1e6}s apart${fb}`;
    case 'twap':
      return `TWAP: ${c.parts} equal market orders spread evenly over ${c.durationUs / 1e6}s, the first at once${fb}`;
    case 'vwap':
      return `VWAP: ${c.parts} market orders over ${c.durationUs / 1e6}s, sized by the symbol's volume in the same time-of-day slices over the past ${c.sessions} sessions (minute resolution; equal sizes without history)${fb}`;
    case 'dca':
      return `DCA: ${c.parts} equal market orders every ${c.intervalUs / 1e6}s, the first at once${fb}`;
  }
}
