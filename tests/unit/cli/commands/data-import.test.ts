import { describe, expect, it } from 'vitest';
import { EPOCH_UNIT_NAMES } from '../../../../cli/commands/data-import.js';
import { EPOCH_UNITS } from '../../../../datasets/import.js';

describe('data import command', () => {
  it("lists in its help the importer's own epoch units (the command tree does not load the importer)", () => {
    expect([...EPOCH_UNIT_NAMES]).toEqual([...EPOCH_UNITS]);
  });
});
