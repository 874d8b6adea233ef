import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeResearchOutputs } from '../../../../cli/actions/report.js';
import { OUTPUT_MARKER, serializeOutputMarker } from '../../../../datasets/output-dir.js';

describe('writeResearchOutputs', () => {
  it.each(['sweep', 'walkforward'] as const)('writes neither %s.json nor its page when the page cannot be made from the JSON, naming the file', async (kind) => {
    const dir = await mkdtemp(join(tmpdir(), 'tapedeck-research-out-'));
    try {
      await writeFile(join(dir, OUTPUT_MARKER), serializeOutputMarker(kind, []));
      await expect(writeResearchOutputs(kind, dir, '{"generator": "tapedeck", "kind": "nonsense"}\n')).rejects.toThrow(`${join(dir, `${kind}.json`)}`);
      expect(await readdir(dir)).toEqual([OUTPUT_MARKER]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
