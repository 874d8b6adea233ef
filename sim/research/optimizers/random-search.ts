import { checkPositiveInteger } from '../../../engine/core/index.js';
import { AskTellOptimizer, checkKnownOptions, uniformPoint, type CommonOptimizerOptions } from './optimizer.js';

/** Options of {@link RandomSearch}. */
export interface RandomSearchOptions extends CommonOptimizerOptions {
  /** Points per batch (default 16). */
  readonly batchSize?: number;
}

/**
 * Random search: independent uniform points in [0, 1]^d until the budget is spent. Failed trials
 * change nothing (the next points do not depend on any fitness).
 */
export class RandomSearch extends AskTellOptimizer {
  readonly method = 'random';
  private readonly batchSize: number;
  private batches = 0;

  constructor(options: RandomSearchOptions) {
    super(options);
    checkKnownOptions('random', options, ['batchSize']);
    this.batchSize = checkPositiveInteger(options.batchSize ?? 16, 'batchSize');
  }

  protected propose(): number[][] {
    const n = Math.min(this.batchSize, this.remaining());
    this.batches++;
    return Array.from({ length: n }, () => uniformPoint(this.d, this.rng));
  }

  protected absorb(): void {}

  protected details(): Record<string, unknown> {
    return { batchSize: this.batchSize, batches: this.batches };
  }
}
