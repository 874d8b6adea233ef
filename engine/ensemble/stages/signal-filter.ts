import type { FilteredSignal, SignalFilter } from '../../kernel/decision-pipeline.js';
import type { Signal } from '../../model/events.js';
import { regimeAlignment, scoreSignal } from '../adaptive/signal-quality.js';
import type { SetupHistory, SignalQualityConfig } from '../adaptive/signal-quality.js';
import type { QualityTimeline } from '../adaptive/quality-timeline.js';

/** Stage 2 without a filter: every latest signal counts, at its own confidence and size multiple 1. */
export class UnfilteredSignals implements SignalFilter {
  filter(_i: number, signals: readonly (Signal | null)[]): readonly FilteredSignal[] {
    const out: FilteredSignal[] = [];
    for (let k = 0; k < signals.length; k++) {
      const s = signals[k];
      if (s === null || s === undefined) continue;
      out.push({ strategyIndex: k, direction: s.direction, confidence: s.confidence, sizeMultiplier: 1 });
    }
    return out;
  }
}

/**
 * Stage 2, the predictive filter of `ensemble.quality` (seed 002): each latest signal is scored
 * from its confluence (strategies agreeing on the symbol), its alignment with the regime and the
 * symbol's trend, and the success of similar setups; a signal below the threshold is dropped, the
 * others count at confidence x quality with a size multiple of quality / neutralQuality. Every score
 * goes to `timeline` (signal quality over time in the report).
 */
export class SignalQualityFilter implements SignalFilter {
  constructor(
    private readonly config: SignalQualityConfig,
    private readonly ids: readonly string[],
    private readonly symbols: readonly string[],
    private readonly history: SetupHistory,
    private readonly timeline: QualityTimeline | null = null,
  ) {}

  filter(i: number, signals: readonly (Signal | null)[], regime: string, trend: -1 | 0 | 1): readonly FilteredSignal[] {
    const out: FilteredSignal[] = [];
    for (let k = 0; k < signals.length; k++) {
      const s = signals[k];
      if (s === null || s === undefined) continue;
      let agreeing = 0;
      for (const o of signals) if (o !== null && o !== undefined && o.direction === s.direction) agreeing++;
      const id = this.ids[k]!;
      const score = scoreSignal(
        {
          confidence: s.confidence,
          confluence: agreeing,
          regimeAlignment: regimeAlignment(regime, s.direction, trend),
          historicalSuccess: this.history.successRate(id, this.symbols[i]!, s.direction, regime),
        },
        this.config,
      );
      this.timeline?.record(k, score.quality, score.pass);
      if (!score.pass) continue;
      out.push({ strategyIndex: k, direction: s.direction, confidence: score.adjustedConfidence, sizeMultiplier: score.sizeMultiplier });
    }
    return out;
  }
}
