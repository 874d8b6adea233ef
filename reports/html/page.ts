import { CHART_SCRIPT } from './chart-script.js';
import { FONT_FAMILY, echartsLibrary, echartsLibraryBytes, hasCharts } from './chart.js';
import { escapeHtml } from './escape.js';

/** The report's stylesheet, inlined so the page needs no network and opens from file://. */
export const REPORT_CSS = `
:root{--fg:#1f2937;--muted:#6b7280;--border:#e5e7eb;--bg:#f3f4f6;--card:#fff;--accent:#2563eb;--pos:#15803d;--neg:#b91c1c}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 ${FONT_FAMILY};color:var(--fg);background:var(--bg)}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace;font-size:12.5px}
header.top{background:#0f172a;color:#e2e8f0;padding:22px 0 18px}
header.top .wrap,nav .wrap,main{max-width:1200px;margin:0 auto;padding-left:28px;padding-right:28px}
header.top h1{margin:0 0 4px;font-size:24px;color:#fff;font-weight:650}
header.top .kicker{text-transform:uppercase;letter-spacing:.08em;font-size:11px;color:#94a3b8}
header.top p.desc{margin:6px 0 0;max-width:900px;color:#cbd5e1}
header.top .hash{margin-top:8px;color:#94a3b8;font-size:12.5px}
header.top .hash code{color:#e2e8f0}
header.top .alert{margin-top:10px;display:inline-block;padding:6px 12px;border-radius:6px;background:#b91c1c;color:#fff;font-weight:650}
nav{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--border)}
nav .wrap{display:flex;flex-wrap:wrap;gap:4px 16px;padding-top:8px;padding-bottom:8px}
nav a{color:var(--muted);text-decoration:none;font-size:13px}
nav a:hover{color:var(--accent)}
main{padding-top:8px;padding-bottom:48px}
section{background:var(--card);border:1px solid var(--border);border-radius:10px;padding:16px 20px 18px;margin:16px 0;scroll-margin-top:48px}
section h2{font-size:16px;margin:0 0 10px;font-weight:650}
section h3{font-size:14px;margin:14px 0 6px;font-weight:600}
p.note,figcaption,.muted{color:var(--muted);font-size:12.5px}
p.note{margin:6px 0 0}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin-bottom:14px}
.kpi{border:1px solid var(--border);border-radius:8px;padding:10px 12px;background:#fafafa}
.kpi .l{font-size:11.5px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.kpi .v{font-size:22px;font-weight:650;font-variant-numeric:tabular-nums}
.kpi .s{font-size:12px;color:var(--muted)}
.pos{color:var(--pos)}.neg{color:var(--neg)}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:8px 28px}
.cols.wide-left{grid-template-columns:3fr 2fr}
@media (max-width:900px){.cols,.cols.wide-left{grid-template-columns:1fr}}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:4px 8px;border-bottom:1px solid var(--border);text-align:left;vertical-align:top}
th{font-weight:600;font-size:12.5px;color:#374151;background:#f9fafb;white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
tbody tr:hover td{background:#f8fafc}
table.metrics td:first-child{color:#374151}
table.metrics td.best{font-weight:650}
.scroll{max-height:560px;overflow:auto;border:1px solid var(--border);border-radius:6px}
.scroll table thead th{position:sticky;top:0;z-index:1}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th::after{content:' \\2195';color:#cbd5e1;font-weight:400}
table.sortable th[aria-sort=ascending]::after{content:' \\25B2';color:var(--accent)}
table.sortable th[aria-sort=descending]::after{content:' \\25BC';color:var(--accent)}
table.heat td,table.heat th{text-align:center;padding:5px 4px;min-width:54px}
table.heat td{border:2px solid #fff;font-size:12.5px}
table.heat th:first-child,table.heat td:first-child{text-align:left;font-weight:600;background:#f9fafb}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 18px;margin:0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;word-break:break-word}
ol.assumptions{margin:0;padding-left:22px;columns:2;column-gap:32px}
ol.assumptions li{break-inside:avoid;margin-bottom:4px}
@media (max-width:900px){ol.assumptions{columns:1}}
figure.chart{margin:4px 0 10px}
figure.chart div.echart{width:100%}
figure.chart div.echart.failed{padding:12px;border:1px dashed var(--border);color:var(--neg)}
.chart-tools{display:flex;gap:8px;align-items:center;justify-content:flex-end;margin:0 0 2px;font-size:12px;color:var(--muted)}
button.toggle{font:inherit;font-size:12px;padding:2px 10px;border:1px solid var(--border);border-radius:6px;background:#fff;color:var(--fg);cursor:pointer}
button.toggle[aria-pressed=true]{background:#eef2ff;border-color:#c7d2fe;color:#3730a3}
details.setup>summary{font-size:16px;font-weight:650;color:var(--fg);list-style-position:outside}
details.setup[open]>summary{margin-bottom:10px}
figcaption{margin-top:2px}
details summary{cursor:pointer;color:var(--accent)}
pre{background:#f8fafc;border:1px solid var(--border);border-radius:6px;padding:10px;overflow:auto;max-height:420px}
.pill{display:inline-block;padding:0 7px;border-radius:9px;font-size:11.5px;background:#eef2ff;color:#3730a3}
.pill.buy,.pill.long{background:#dcfce7;color:#166534}.pill.sell,.pill.short{background:#fee2e2;color:#991b1b}
footer{color:var(--muted);font-size:12px;text-align:center;padding:8px 0 24px}
`;

/**
 * The page's only script: click (or Enter on) a header of a `table.sortable` to sort its rows by that
 * column, numerically when the header has `data-type="num"` (cells carry the raw value in `data-v`;
 * "n/a" sorts first ascending), as text otherwise. Sorting is stable, so a second column keeps order.
 */
export const SORT_SCRIPT = `
(function(){
  function key(td,num){var v=td.getAttribute('data-v');if(v===null)v=td.textContent;if(!num)return v;var x=parseFloat(v);return isNaN(x)?-Infinity:x;}
  var tables=document.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables,function(t){
    var ths=t.tHead.rows[0].cells;
    Array.prototype.forEach.call(ths,function(th,i){
      th.tabIndex=0;
      function sort(){
        var asc=th.getAttribute('aria-sort')!=='ascending';
        Array.prototype.forEach.call(ths,function(h){h.removeAttribute('aria-sort');});
        th.setAttribute('aria-sort',asc?'ascending':'descending');
        var num=th.getAttribute('data-type')==='num';
        var tb=t.tBodies[0];var rows=Array.prototype.slice.call(tb.rows);
        rows.sort(function(a,b){var x=key(a.cells[i],num),y=key(b.cells[i],num);var c=x<y?-1:x>y?1:0;return asc?c:-c;});
        rows.forEach(function(r){tb.appendChild(r);});
      }
      th.addEventListener('click',sort);
      th.addEventListener('keydown',function(e){if(e.key==='Enter'){sort();}});
    });
  });
})();
`;

/** One entry of the sticky navigation bar. */
export interface NavLink {
  readonly id: string;
  readonly label: string;
}

/** What a page shows (see {@link renderPage}). */
export interface PageContent {
  readonly title: string;
  readonly header: string;
  readonly nav: readonly NavLink[];
  /** The page's content: one string, or pieces to write one after the other (see {@link Html}). */
  readonly body: Html;
  readonly footer: string;
}

/**
 * HTML as one string, or as pieces whose concatenation it is: a long table's rows, say, so that the page
 * is never one long string. A page's pieces are joined into pieces of about PIECE_CHARS (see pageParts).
 */
export type Html = string | readonly string[];

/** Whether `html` has no characters. */
export function isEmptyHtml(html: Html): boolean {
  return typeof html === 'string' ? html === '' : html.every((p) => p === '');
}

/**
 * Characters a piece of a page gathers before it is closed (see joinPieces): small enough that a piece
 * and its UTF-8 bytes are no large object (V8 gives a string over 128 KiB pages of its own, and this VM
 * pays ~4 ms per MiB of memory first touched), large enough that a page of MBs is a few dozen writes.
 */
const PIECE_CHARS = 32 * 1024;

/**
 * Joins consecutive small strings of `parts` into pieces of PIECE_CHARS to 2 * PIECE_CHARS characters, each
 * string copied once; a string of PIECE_CHARS or more stays a piece of its own.
 */
function joinPieces(parts: readonly string[]): string[] {
  const out: string[] = [];
  let from = 0;
  let size = 0;
  for (let i = 0; i < parts.length; i++) {
    const n = parts[i]!.length;
    if (n >= PIECE_CHARS) {
      if (i > from) out.push(parts.slice(from, i).join(''));
      out.push(parts[i]!);
      from = i + 1;
      size = 0;
      continue;
    }
    size += n;
    if (size >= PIECE_CHARS) {
      out.push(parts.slice(from, i + 1).join(''));
      from = i + 1;
      size = 0;
    }
  }
  if (parts.length > from) out.push(parts.slice(from).join(''));
  return out;
}

/**
 * Returns a complete, self-contained HTML document: inline CSS and scripts, no external resource. A page
 * with charts inlines the ECharts library once and the script that draws the charts from their options.
 */
export function renderPage(opts: PageContent): string {
  return pageParts(opts, echartsLibrary).join('');
}

/**
 * The document of {@link renderPage} as the pieces to write one after the other, the ECharts library as
 * the bytes of its file (see echartsLibraryBytes): the same bytes, never one string.
 */
export function renderPagePieces(opts: PageContent): (string | Uint8Array)[] {
  return pageParts(opts, echartsLibraryBytes);
}

/** The page in pieces (the body's joined by joinPieces), the ECharts library (when the page has charts) as `library` gives it. */
function pageParts<L>(opts: PageContent, library: () => L): (string | L)[] {
  const nav = opts.nav.map((n) => `<a href="#${escapeHtml(n.id)}">${escapeHtml(n.label)}</a>`).join('');
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="tapedeck">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(opts.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header class="top"><div class="wrap">${opts.header}</div></header>
<nav><div class="wrap">${nav}</div></nav>
<main>
`;
  const end = `<script>${SORT_SCRIPT}</script>
</body>
</html>
`;
  const body = typeof opts.body === 'string' ? [opts.body] : opts.body;
  const charts = body.some(hasCharts);
  const after = `\n</main>\n<footer>${opts.footer}</footer>\n${charts ? '<script>' : end}`;
  const pieces: (string | L)[] = joinPieces([page, ...body, after]);
  if (charts) pieces.push(library(), `</script>\n<script>${CHART_SCRIPT}</script>\n${end}`);
  return pieces;
}

/** Returns a `<section>` with an id (the navigation target) and a heading. */
export function section(id: string, title: string, content: string): string {
  return sectionPieces(id, title, [content]).join('');
}

/** {@link section} of content in pieces (a long table's rows), as pieces: the one place a section's markup is written. */
export function sectionPieces(id: string, title: string, content: readonly string[]): string[] {
  return [`<section id="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2>`, ...content, '</section>\n'];
}

/** Returns the CSS class for a signed number: `pos`, `neg` or none. */
export function signClass(x: number | null): string {
  if (x === null || !Number.isFinite(x) || x === 0) return '';
  return x > 0 ? 'pos' : 'neg';
}
