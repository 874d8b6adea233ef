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
   * steady bar calls neither). `confidence` (in [0, 1], default 1) goes with the signal.
   */
  change(ctx: StrategyContext, direction: -1 | 0 | 1, target: number, strength: number, reason: string, confidence = 1): void {
    if (direction !== this.direction) {
      this.direction = direction;
      ctx.emitSignal(this.symbol, direction, strength, confidence, reason);
    }
    if (target !== this.target) {
      this.target = target;
      ctx.setTarget(this.symbol, target);
    }
  }
}

/**
 * The per-symbol views of a strategy. `get` remembers the last view it returned, so a strategy on
 * one symbol (the common case) skips the map lookup on every bar.
 */
export class SymbolViews<V extends SymbolView> {
  private readonly byName: Map<string, V>;
  private last: V;

  constructor(
    private readonly strategy: string,
    views: readonly V[],
  ) {
    this.byName = new Map(views.map((v) => [v.symbol, v]));
    this.last = views[0]!;
  }

  /**
   * Returns the view of `symbol`, or throws when the strategy was not given that symbol. Every onBar
   * calls it: kept under V8's size for a function inlined wherever it is called (27 bytes of bytecode,
   * whatever the caller's inlining budget), with the lookup of another symbol in {@link find}. Left out
   * of an onBar (as it was in some processes while the Map lookup was part of it), it cost a call a bar.
   */
  get(symbol: string): V {
    const v = this.last;
    if (symbol === v.symbol) return v;
    return findView(this, symbol);
  }

  /** {@link get} of a symbol other than the last one's (see {@link findView}). */
  find(symbol: string): V {
    const v = this.byName.get(symbol);
    if (v === undefined) throw this.notOurs(symbol);
    this.last = v;
    return v;
  }

  /**
   * The refusal of a symbol the strategy was not given. Kept out of {@link get}, which every onBar
   * calls: V8 inlines an onBar's callees within a budget of bytecode, and the template would spend
   * it on a path never taken (a callee left out boxes each number passed to it: see BarRing.badAgo).
   */
  private notOurs(symbol: string): InvariantError {
    return new InvariantError(`${this.strategy} received a bar for ${symbol}, which is not one of its symbols`);
  }
}

/**
 * SymbolViews.find, called as a function: a call of a module's function takes fewer bytes of bytecode
 * than a method's (no load of the method from the object), which keeps SymbolViews.get under 27.
 */
function findView<V extends SymbolView>(views: SymbolViews<V>, symbol: string): V {
  return views.find(symbol);
}
