import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpace } from '../../../../cli/actions/sweep.js';
import { REPO } from '../../../support/cli.js';

describe('loadSpace', () => {
  it('D17: reads a space file that starts with a UTF-8 byte order mark, as it reads one without', async () => {
    const text = await readFile(join(REPO, 'scenarios/sma-cross.space.json'), 'utf8');
    const dir = await mkdtemp(join(tmpdir(), 'tapedeck-space-bom-'));
    await writeFile(join(dir, 'plain.json'), text);
    await writeFile(join(dir, 'bom.json'), `\ufeff${text}`);
    try {
      const plain = await loadSpace(join(dir, 'plain.json'));
      const bom = await loadSpace(join(dir, 'bom.json'));
      expect(JSON.stringify(bom)).toBe(JSON.stringify(plain).replaceAll('plain.json', 'bom.json'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
