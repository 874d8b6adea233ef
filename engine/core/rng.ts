import seedrandom from 'seedrandom';
import { checkInteger, checkNonEmptyString } from './checks.js';
import { InvalidArgumentError } from './errors.js';

/**
 * Seeded random-number streams. A stream is identified by (seed, run key, component name): each
 * component draws from its own stream, so adding a component (or a worker) never shifts another
 * component's draws. Uses seedrandom's Alea generator.
 */
export interface RandomStream {
  /** The identity the stream was derived from, `seed/runKey/component`. */
  readonly name: string;
  /** Returns a uniform double in [0, 1). */
  next(): number;
  /** Returns a uniform double in [min, max). */
  uniform(min: number, max: number): number;
  /** Returns a uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** Returns a standard normal draw (Box-Muller, both halves used). */
  normal(): number;
  /** Returns an exponential draw with the given rate. */
  exponential(rate: number): number;
  /** Returns true with probability p. */
  bernoulli(p: number): boolean;
  /** Returns a Poisson draw with mean lambda (Knuth for small lambda, normal approximation above 500). */
  poisson(lambda: number): number;
  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
  /** Returns where the stream is (plain numbers, JSON-safe): {@link restore} continues from there. */
  state(): RandomStreamState;
  /** Continues the stream from `state` (taken by {@link state} of a stream of the same name). */
  restore(state: RandomStreamState): void;
}

/** Where a stream is: the Alea generator's registers and the spare normal draw. */
export interface RandomStreamState {
  readonly c: number;
  readonly s0: number;
  readonly s1: number;
  readonly s2: number;
  readonly spare: number;
  readonly hasSpare: boolean;
}

class AleaStream implements RandomStream {
  private prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  private spare = 0;
  private hasSpare = false;
  constructor(readonly name: string) {
    this.prng = seedrandom.alea(name, { state: true });
  }
  state(): RandomStreamState {
    const { c, s0, s1, s2 } = this.prng.state();
    return { c, s0, s1, s2, spare: this.spare, hasSpare: this.hasSpare };
  }
  restore(state: RandomStreamState): void {
    for (const k of ['c', 's0', 's1', 's2', 'spare'] as const) {
      if (typeof state?.[k] !== 'number' || !Number.isFinite(state[k])) throw new InvalidArgumentError(`random stream ${this.name}: invalid state '${k}': not a finite number, was ${JSON.stringify(state?.[k])}`);
    }
    if (typeof state.hasSpare !== 'boolean') throw new InvalidArgumentError(`random stream ${this.name}: invalid state 'hasSpare': not a boolean, was ${JSON.stringify(state.hasSpare)}`);
    this.prng = seedrandom.alea('', { state: { c: state.c, s0: state.s0, s1: state.s1, s2: state.s2 } });
    this.spare = state.spare;
    this.hasSpare = state.hasSpare;
  }
  next(): number {
    return this.prng();
  }
  uniform(min: number, max: number): number {
    return min + (max - min) * this.prng();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.prng() * (max - min + 1));
  }
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = 0;
    while (u === 0) u = this.prng();
    const v = this.prng();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }
  exponential(rate: number): number {
    let u = 0;
    while (u === 0) u = this.prng();
    return -Math.log(u) / rate;
  }
  bernoulli(p: number): boolean {
    return this.prng() < p;
  }
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 500) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const l = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.prng();
    } while (p > l);
    return k - 1;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng() * (i + 1));
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }
}

/** Returns the stream for (seed, runKey, component). Same triple => same sequence, in any process. */
export function randomStream(seed: number, runKey: string, component: string): RandomStream {
  checkInteger(seed, 'seed');
  checkNonEmptyString(component, 'component');
  return new AleaStream(`${seed}/${runKey}/${component}`);
}

/**
 * Hands out named streams for one run. Asking twice for the same component returns the same stream
 * object, so its draws continue rather than restart.
 */
export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();
  constructor(
    readonly seed: number,
    readonly runKey: string,
  ) {
    checkInteger(seed, 'seed');
  }
  stream(component: string): RandomStream {
    let s = this.streams.get(component);
    if (!s) {
      s = randomStream(this.seed, this.runKey, component);
      this.streams.set(component, s);
    }
    return s;
  }
}
