import { describe, expect, it } from 'vitest';
import { SORT_SCRIPT, renderPage, renderPagePieces, sectionPieces, section } from '../../../../reports/html/page.js';

describe('a page in pieces', () => {
  const rows = Array.from({ length: 5000 }, (_, i) => `<tr><td>${i}</td><td>${'x'.repeat(i % 97)}</td></tr>`);
  const page = (body: string | readonly string[]) => ({ title: 'T', header: '<h1>T</h1>', nav: [], body, footer: 'f' });

  it('gives the bytes of the page of its joined body, in pieces of at most 64 Ki characters', () => {
    const body = [section('a', 'A', '<p>a</p>'), ...sectionPieces('rows', 'Rows', ['<table><tbody>', ...rows, '</tbody></table>'])];
    const pieces = renderPagePieces(page(body));
    expect(pieces.every((p) => typeof p === 'string')).toBe(true);
    expect((pieces as string[]).join('')).toBe(renderPage(page(body.join(''))));
    expect(pieces.length).toBeGreaterThan(5);
    for (const p of pieces) expect(p.length).toBeLessThan(64 * 1024);
  });

  it('keeps a long piece whole and joins the short ones around it', () => {
    const long = `<p>${'y'.repeat(100_000)}</p>`;
    const pieces = renderPagePieces(page(['<p>a</p>', long, '<p>b</p>'])) as string[];
    expect(pieces).toContain(long);
    expect(pieces.join('')).toBe(renderPage(page(`<p>a</p>${long}<p>b</p>`)));
  });

  it('gives a section in pieces the bytes of the section of their text', () => {
    expect(sectionPieces('x', 'X & Y', ['<p>', 'a', '</p>']).join('')).toBe(section('x', 'X & Y', '<p>a</p>'));
  });
});

describe('the page\'s script', () => {
  it('wires the headers of both sorters (plain tables and record tables) in one place', () => {
    // Focus, the aria-sort toggle, click and Enter: once each, in the function both sorters call.
    for (const wiring of ['tabIndex=0', "setAttribute('aria-sort'", "th.addEventListener('click'", "th.addEventListener('keydown'"]) {
      expect(SORT_SCRIPT.split(wiring), wiring).toHaveLength(2);
    }
    expect(SORT_SCRIPT.match(/\bheaders\(t,function/g)).toHaveLength(2);
  });
});
