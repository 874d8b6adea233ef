import { assertNever, checkNonNegative, checkPositive, InvalidArgumentError } from '../../../engine/core/index.js';
import type { RandomStream } from '../../../engine/core/index.js';

/**
 * A delay in integer microseconds, drawn once per message. Feed latency separates an event's
 * exchange time from the time the strategy sees it (tsLocal = tsEvent + latency); order entry
 * latency delays an order (or cancel, or replace) on its way to the venue; response latency delays
 * the venue's acknowledgements and fills on their way back.
 */
export interface LatencyModel {
  /** Returns the next delay, an integer >= 0 microseconds. */
  next(): number;
  /** Describes the model in words for the report's assumptions. */
  describe(): string;
}

/**
 * Latency configuration, discriminated on `kind`:
 * - `constant`: always `us`.
 * - `exponential`: `baseUs` plus an exponential jitter of mean `meanJitterUs`.
 * - `lognormal`: `medianUs * exp(sigma * z)` with z standard normal (a right-skewed delay around its median).
 * Random draws are rounded to whole microseconds.
 */
export type LatencyConfig =
  | { readonly kind: 'constant'; readonly us: number }
  | { readonly kind: 'exponential'; readonly baseUs: number; readonly meanJitterUs: number }
  | { readonly kind: 'lognormal'; readonly medianUs: number; readonly sigma: number };

/** No delay, or a fixed one. */
export class ConstantLatency implements LatencyModel {
  readonly us: number;
  constructor(us: number) {
    this.us = Math.round(checkNonNegative(us, 'latency.us'));
  }
  next(): number {
    return this.us;
  }
  describe(): string {
    return `${this.us} us`;
  }
}

/** A base delay plus an exponential jitter drawn from a named seeded stream. */
export class ExponentialLatency implements LatencyModel {
  private readonly rate: number;
  constructor(
    readonly baseUs: number,
    readonly meanJitterUs: number,
    private readonly stream: RandomStream,
  ) {
    checkNonNegative(baseUs, 'latency.baseUs');
    checkPositive(meanJitterUs, 'latency.meanJitterUs');
    this.rate = 1 / meanJitterUs;
  }
  next(): number {
    return Math.round(this.baseUs + this.stream.exponential(this.rate));
  }
  describe(): string {
    return `${this.baseUs} us plus an exponential jitter of mean ${this.meanJitterUs} us (seeded stream ${this.stream.name})`;
  }
}

/** A log-normal delay around a median, drawn from a named seeded stream. */
export class LognormalLatency implements LatencyModel {
  constructor(
    readonly medianUs: number,
    readonly sigma: number,
    private readonly stream: RandomStream,
  ) {
    checkNonNegative(medianUs, 'latency.medianUs');
    checkNonNegative(sigma, 'latency.sigma');
  }
  next(): number {
    return Math.round(this.medianUs * Math.exp(this.sigma * this.stream.normal()));
  }
  describe(): string {
    return `log-normal with median ${this.medianUs} us and sigma ${this.sigma} (seeded stream ${this.stream.name})`;
  }
}

/**
 * Returns the latency model for `config`. Random kinds need `stream` (a named RandomStream, e.g.
 * `streams.stream('latency.entry')`), so each latency draws from its own seeded sequence.
 */
export function createLatencyModel(config: LatencyConfig, stream: RandomStream | null, path = 'latency'): LatencyModel {
  switch (config.kind) {
    case 'constant':
      return new ConstantLatency(checkNonNegative(config.us, `${path}.us`));
    case 'exponential':
    case 'lognormal': {
      if (stream === null) throw new InvalidArgumentError(`invalid '${path}': a ${config.kind} latency needs a random stream, was none`);
      if (config.kind === 'exponential') {
        return new ExponentialLatency(checkNonNegative(config.baseUs, `${path}.baseUs`), checkPositive(config.meanJitterUs, `${path}.meanJitterUs`), stream);
      }
      return new LognormalLatency(checkNonNegative(config.medianUs, `${path}.medianUs`), checkNonNegative(config.sigma, `${path}.sigma`), stream);
    }
    default: {
      const kind = (config as { kind?: unknown }).kind;
      if (typeof kind === 'string') throw new InvalidArgumentError(`invalid '${path}.kind': not one of constant, exponential, lognormal, was "${kind}"`);
      return assertNever(config, 'latency model');
    }
  }
}
