import { checkInRange, checkNonNegative, checkPositive, checkPositiveInteger, InvalidArgumentError } from '../../../engine/core/index.js';
import { AskTellOptimizer, checkKnownOptions, reflectUnit, uniformPoint, type CommonOptimizerOptions } from './optimizer.js';

/** Options of {@link MetropolisHastings}. */
export interface MetropolisHastingsOptions extends CommonOptimizerOptions {
  /** T in the target density exp(fitness / T), > 0 (default 1). Lower concentrates the chain on the best region. */
  readonly temperature?: number;
  /** Independent chains advanced together; one batch holds one proposal per chain (default 4). */
  readonly chains?: number;
  /** Initial standard deviation of the gaussian proposal in unit space (default 0.1). */
  readonly step?: number;
  /** Adapts the step during burn-in toward `targetAcceptance` (default true); the step is fixed afterwards. */
  readonly adaptStep?: boolean;
  /** Acceptance rate the adaptation aims at (default 0.234, the optimum for random-walk proposals in many dimensions). */
  readonly targetAcceptance?: number;
  /** Proposals per chain discarded as burn-in (default 20% of the proposals each chain gets). */
  readonly burnIn?: number;
  /** Keeps every `thin`-th post-burn-in state of each chain as a posterior sample (default 1). */
  readonly thin?: number;
}

const KNOWN = ['temperature', 'chains', 'step', 'adaptStep', 'targetAcceptance', 'burnIn', 'thin'] as const;
/** Proposals between two step adaptations during burn-in (per chain). */
const ADAPT_INTERVAL = 10;

/**
 * Metropolis-Hastings sampling of the density proportional to exp(fitness / T) over [0, 1]^d, as
 * the seed's MCMC optimizer: `chains` independent random walks start at uniform points; each
 * proposes x' = x + step N(0, I), reflected into the cube (reflection keeps the proposal symmetric,
 * so the acceptance ratio is the density ratio), and accepts with probability
 * min(1, exp((f(x') - f(x)) / T)). A failed trial has density 0 and is always rejected; a chain
 * whose current point failed accepts any proposal, so it can walk out.
 *
 * During burn-in the step adapts every 10 proposals per chain (log step += 2 (pooled acceptance -
 * target)); after burn-in it is fixed, so the kept states are a valid Markov chain. The summary holds
 * the acceptance rates, the posterior samples (post burn-in, thinned, chain by chain interleaved by
 * step) and their mean and standard deviation per dimension.
 */
export class MetropolisHastings extends AskTellOptimizer {
  readonly method = 'mcmc';
  private readonly temperature: number;
  private readonly chains: number;
  private step: number;
  private readonly initialStep: number;
  private readonly adaptStep: boolean;
  private readonly targetAcceptance: number;
  private readonly burnIn: number;
  private readonly thin: number;
  private current: { x: number[]; fitness: number }[] = [];
  /** Proposals made so far by each chain. */
  private steps: number[] = [];
  private windowProposals = 0;
  private windowAccepted = 0;
  private burnInProposals = 0;
  private burnInAccepted = 0;
  private proposals = 0;
  private accepted = 0;
  private readonly samples: number[][] = [];
  private readonly sampleFitness: number[] = [];

  constructor(options: MetropolisHastingsOptions) {
    super(options);
    checkKnownOptions('mcmc', options, KNOWN);
    this.temperature = checkPositive(options.temperature ?? 1, 'temperature');
    this.chains = checkPositiveInteger(options.chains ?? 4, 'chains');
    this.initialStep = checkPositive(options.step ?? 0.1, 'step');
    this.step = this.initialStep;
    if (options.adaptStep !== undefined && typeof options.adaptStep !== 'boolean') {
      throw new InvalidArgumentError(`invalid 'adaptStep': not true or false, was ${String(options.adaptStep)}`);
    }
    this.adaptStep = options.adaptStep ?? true;
    this.targetAcceptance = checkInRange(options.targetAcceptance ?? 0.234, 0.01, 0.99, 'targetAcceptance');
    const perChain = Math.max(0, Math.floor(options.budget / this.chains) - 1);
    this.burnIn = checkNonNegative(options.burnIn ?? Math.floor(0.2 * perChain), 'burnIn');
    if (!Number.isInteger(this.burnIn)) throw new InvalidArgumentError(`invalid 'burnIn': not an integer, was ${this.burnIn}`);
    this.thin = checkPositiveInteger(options.thin ?? 1, 'thin');
  }

  protected propose(): number[][] {
    if (this.current.length === 0) return Array.from({ length: this.chains }, () => uniformPoint(this.d, this.rng));
    return this.current.map((c) => {
      const x = new Array<number>(this.d);
      for (let j = 0; j < this.d; j++) x[j] = reflectUnit(c.x[j]! + this.step * this.rng.normal());
      return x;
    });
  }

  protected absorb(batch: readonly number[][], fitness: readonly number[]): void {
    if (this.current.length === 0) {
      this.current = batch.map((x, i) => ({ x: x.slice(), fitness: fitness[i]! }));
      this.steps = new Array<number>(this.chains).fill(0);
      // A budget smaller than the chain count leaves the remaining chains unstarted: drop them.
      this.current.length = Math.min(this.current.length, batch.length);
      return;
    }
    for (let k = 0; k < batch.length; k++) {
      const c = this.current[k]!;
      const f = fitness[k]!;
      // The uniform is drawn for every proposal so that the stream does not depend on outcomes.
      const u = this.rng.next();
      let accept: boolean;
      if (c.fitness === Number.NEGATIVE_INFINITY) accept = true;
      else if (f === Number.NEGATIVE_INFINITY) accept = false;
      else accept = f >= c.fitness || Math.log(u) < (f - c.fitness) / this.temperature;
      if (accept) this.current[k] = { x: batch[k]!.slice(), fitness: f };
      const t = ++this.steps[k]!;
      this.proposals++;
      if (accept) this.accepted++;
      if (t <= this.burnIn) {
        this.burnInProposals++;
        this.windowProposals++;
        if (accept) {
          this.burnInAccepted++;
          this.windowAccepted++;
        }
      } else if ((t - this.burnIn) % this.thin === 0) {
        this.samples.push(this.current[k]!.x.slice());
        this.sampleFitness.push(this.current[k]!.fitness);
      }
    }
    if (this.adaptStep && this.windowProposals >= ADAPT_INTERVAL * batch.length) {
      const rate = this.windowAccepted / this.windowProposals;
      // Gain 2 on the log step: from a step far too large (rate 0) the step shrinks about 37% per interval.
      this.step = Math.min(1, Math.max(1e-6, this.step * Math.exp(2 * (rate - this.targetAcceptance))));
      this.windowProposals = 0;
      this.windowAccepted = 0;
    }
  }

  protected details(): Record<string, unknown> {
    const postProposals = this.proposals - this.burnInProposals;
    const postAccepted = this.accepted - this.burnInAccepted;
    const mean = new Array<number>(this.d).fill(0);
    const std = new Array<number>(this.d).fill(0);
    const n = this.samples.length;
    if (n > 0) {
      for (const s of this.samples) for (let j = 0; j < this.d; j++) mean[j]! += s[j]!;
      for (let j = 0; j < this.d; j++) mean[j] = mean[j]! / n;
      for (const s of this.samples) for (let j = 0; j < this.d; j++) std[j]! += (s[j]! - mean[j]!) ** 2;
      for (let j = 0; j < this.d; j++) std[j] = Math.sqrt(std[j]! / n);
    }
    return {
      temperature: this.temperature,
      chains: this.chains,
      initialStep: this.initialStep,
      step: this.step,
      adaptStep: this.adaptStep,
      burnIn: this.burnIn,
      thin: this.thin,
      proposals: this.proposals,
      acceptanceRate: postProposals === 0 ? null : postAccepted / postProposals,
      burnInAcceptanceRate: this.burnInProposals === 0 ? null : this.burnInAccepted / this.burnInProposals,
      overallAcceptanceRate: this.proposals === 0 ? null : this.accepted / this.proposals,
      sampleCount: n,
      posteriorMean: n === 0 ? null : mean,
      posteriorStd: n === 0 ? null : std,
      samples: this.samples.map((s) => s.slice()),
      sampleFitness: this.sampleFitness.slice(),
    };
  }
}
