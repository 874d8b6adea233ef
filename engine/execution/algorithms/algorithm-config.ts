import { ConfigError, parseDurationUs } from '../../core/index.js';

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

const FIELDS: Readonly<Record<AlgorithmKind, readonly string[]>> = {
  direct: [],
  smart: ['thresholdNotional', 'maxParts', 'delay', 'delayUs'],
  twap: ['duration', 'durationUs', 'parts'],
  vwap: ['duration', 'durationUs', 'parts', 'sessions'],
  dca: ['interval', 'intervalUs', 'parts'],
};

function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * Returns the qualified configuration of an execution algorithm written as in a scenario
 * (`{algo: 'twap', duration: '30m', parts: 6, fallbackAfter: '45m'}`; every duration may instead be
 * given in microseconds as `durationUs`, `delayUs`, `intervalUs`, `fallbackAfterUs`). Throws
 * ConfigError naming `path.<field>` for an unknown algorithm or key, a missing or invalid value.
 * Defaults: smart `maxParts` 5 and `delay` 2s (the seed's values); vwap `sessions` 5.
 */
export function qualifyAlgorithmConfig(input: unknown, path = 'execution'): AlgorithmConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new ConfigError(path, `expected an object such as {"algo": "twap", ...}, was ${shown(input)}`);
  const o = input as Record<string, unknown>;
  const algo = o.algo;
  if (typeof algo !== 'string' || !(ALGORITHM_KINDS as readonly string[]).includes(algo)) {
    throw new ConfigError(`${path}.algo`, `expected one of ${ALGORITHM_KINDS.join(', ')}, was ${shown(algo)}`);
  }
  const kind = algo as AlgorithmKind;
  const allowed = new Set(['algo', 'fallbackAfter', 'fallbackAfterUs', ...FIELDS[kind]]);
  for (const k of Object.keys(o)) if (!allowed.has(k)) throw new ConfigError(`${path}.${k}`, `unknown key for algo '${kind}' (allowed: ${[...allowed].join(', ')})`);
  const duration = (name: string, required: boolean, dflt?: number): number | null => {
    const text = o[name];
    const us = o[`${name}Us`];
    if (text !== undefined && us !== undefined) throw new ConfigError(`${path}.${name}`, `give ${name} or ${name}Us, not both`);
    if (us !== undefined) {
      if (typeof us !== 'number' || !Number.isSafeInteger(us) || us < 0) throw new ConfigError(`${path}.${name}Us`, `must be a non-negative integer number of microseconds, was ${shown(us)}`);
      return us;
    }
    if (text !== undefined) {
      if (typeof text !== 'string') throw new ConfigError(`${path}.${name}`, `must be a duration such as "30m", was ${shown(text)}`);
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
  const positiveInt = (name: string, dflt?: number): number => {
    const v = o[name] ?? dflt;
    if (v === undefined) throw new ConfigError(`${path}.${name}`, `is required for algo '${kind}'`);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new ConfigError(`${path}.${name}`, `must be a positive integer, was ${shown(v)}`);
    return v;
  };
  const fallbackAfterUs = duration('fallbackAfter', false);
  if (fallbackAfterUs !== null && fallbackAfterUs <= 0) throw new ConfigError(`${path}.fallbackAfter`, `must be positive, was ${fallbackAfterUs} us`);
  let out: AlgorithmConfig;
  switch (kind) {
    case 'direct':
      out = { kind, fallbackAfterUs };
      break;
    case 'smart': {
      const t = o.thresholdNotional;
      if (typeof t !== 'number' || !Number.isFinite(t) || !(t > 0)) throw new ConfigError(`${path}.thresholdNotional`, `must be a positive finite number, was ${shown(t)}`);
      out = { kind, thresholdNotional: t, maxParts: positiveInt('maxParts', 5), delayUs: duration('delay', false, 2_000_000)!, fallbackAfterUs };
      break;
    }
    case 'twap':
    case 'vwap': {
      const durationUs = duration('duration', true)!;
      if (durationUs <= 0) throw new ConfigError(`${path}.duration`, 'must be positive');
      const parts = positiveInt('parts');
      out = kind === 'twap' ? { kind, durationUs, parts, fallbackAfterUs } : { kind, durationUs, parts, sessions: positiveInt('sessions', 5), fallbackAfterUs };
      break;
    }
    case 'dca': {
      const intervalUs = duration('interval', true)!;
      if (intervalUs <= 0) throw new ConfigError(`${path}.interval`, 'must be positive');
      out = { kind, intervalUs, parts: positiveInt('parts'), fallbackAfterUs };
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
