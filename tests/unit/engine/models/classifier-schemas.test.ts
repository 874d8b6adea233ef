import { describe, expect, it, vi } from 'vitest';

describe('the classifier schemas', () => {
  it('are built on first use, not when engine/models loads', async () => {
    vi.resetModules();
    const models = await import('../../../../engine/models/index.js');
    // zod keeps a z.lazy's built schema on its definition.
    const built = (s: { _zod: { def: object } }) => (s._zod.def as { _cachedInner?: unknown })._cachedInner !== undefined;
    expect(built(models.ClassifierSpecSchema)).toBe(false);
    expect(built(models.ClassifierModelSchema)).toBe(false);
    expect(() => models.parseClassifier({ format: models.CLASSIFIER_FORMAT, kind: 'logit' })).toThrow('model.symbol: Invalid input: expected string, received undefined');
    expect(models.ClassifierSpecSchema.safeParse({ kind: 'logit', C: 0 }).error?.issues[0]?.message).toBe('not > 0');
    expect(built(models.ClassifierSpecSchema)).toBe(true);
  });
});
