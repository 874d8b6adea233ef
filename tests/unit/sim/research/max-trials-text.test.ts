import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_TRIALS, DEFAULT_MAX_TRIALS_TEXT } from '../../../../sim/research/sweep-methods.js';

describe('DEFAULT_MAX_TRIALS_TEXT', () => {
  it("groups the default as toLocaleString('en-US') does (the help avoids starting ICU for it)", () => {
    expect(DEFAULT_MAX_TRIALS_TEXT).toBe(DEFAULT_MAX_TRIALS.toLocaleString('en-US'));
    expect(DEFAULT_MAX_TRIALS_TEXT).toBe('100,000');
  });
});
