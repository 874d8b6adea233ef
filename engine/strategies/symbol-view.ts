import { InvalidArgumentError, InvariantError, symbolId, type Symbol_ } from '../core/index.js';
import type { StrategyContext } from './context.js';

/**
 * Returns the strategy's symbols as ids after checking there is at least one and none repeats.
 */
export function checkSymbols(symbols: readonly string[], name = 'symbols'): readonly Symbol_[] {
  if (!Array.isArray(symbols) || symbols.length === 0) {
    throw new InvalidArgumentError(`invalid '${name}': expected at least one symbol, was ${JSON.stringify(symbols)}`);
  }
  const out = symbols.map((s, i) => {
    if (typeof s !== 'string' || s.length === 0) {
      throw new InvalidArgumentError(`invalid '${name}[${i}]': not a non-empty string, was ${JSON.stringify(s)}`);
    }
    return symbolId(s);
  });
  const seen = new Set<string>();
  for (const s of out) {
    if (seen.has(s)) throw new InvalidArgumentError(`invalid '${name}': duplicate symbol ${JSON.stringify(s)}`);
    seen.add(s);
  }
  return Object.freeze(out);
}

/**
 * What a rule strategy currently thinks about one symbol: its direction (+1 long, -1 short,
 * 0 flat) and the signed target it last asked for. Subclasses add their indicator state.
 */
export class SymbolView {
  direction: -1 | 0 | 1 = 0;
  target = 0;
  constructor(readonly symbol: Symbol_) {}

  /**
   * Moves the view to `direction` with the signed `target` units: emits a signal when the
   * direction changes and sets the target when it changes, and does nothing otherwise (so a
   * steady bar calls neither).
   */
  change(ctx: StrategyContext, direction: -1 | 0 | 1, target: number, strength: number, reason: string): void {
    if (direction !== this.direction) {
      this.direction = direction;
      ctx.emitSignal(this.symbol, direction, strength, 1, reason);
    }
    if (target !== this.target) {
      this.target = target;
      ctx.setTarget(this.symbol, target);
    }
  }
}

/** Returns the per-symbol state for `symbol`, or throws when the strategy was not given that symbol. */
export function viewFor<V>(views: ReadonlyMap<string, V>, symbol: string, strategy: string): V {
  const v = views.get(symbol);
  if (v === undefined) throw new InvariantError(`${strategy} received a bar for ${symbol}, which is not one of its symbols`);
  return v;
}
