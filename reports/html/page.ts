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
tr.best{font-weight:650}
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
.pager{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:0 0 6px;font-size:12px}
.pager[hidden]{display:none}
button.toggle[disabled]{opacity:.45;cursor:default}
.pill{display:inline-block;padding:0 7px;border-radius:9px;font-size:11.5px;background:#eef2ff;color:#3730a3}
.pill.buy,.pill.long{background:#dcfce7;color:#166534}.pill.sell,.pill.short{background:#fee2e2;color:#991b1b}
footer{color:var(--muted);font-size:12px;text-align:center;padding:8px 0 24px}
`;

/**
 * Draws each record table (div.records, see record-table.ts) from its JSON columns: a page of rows at a time
 * (first/prev/next/last and the "rows 1-100 of 3,519" line, shown when the rows take more than a page), sorted by a click on (or Enter at) a header over
 * every row, stably (ties keep the order before), numbers and times by value (n/a first ascending), text as
 * text. The formats mirror format.ts (formatNumber, formatMoney, formatPercent, formatCount, shortTime) and
 * formatIsoUs; tests/unit/reports/html/record-table.test.ts checks they agree. `texts(c, p, n)` reads a text of a
 * column (`"d"`/`"c"`, `"xd"`/`"xc"` or `"td"`/`"tc"`, by the one rule of record-table.ts) as its entries `d` and
 * `k(i)`, row i's entry. It runs inside SORT_SCRIPT, whose `headers` wires the headers.
 */
export const RECORD_TABLE_SCRIPT = `
(function(){
  function esc(s){return String(s).replace(/[&<>"']/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c];});}
  function nz(s){return /^-0(\\.0*)?$/.test(s)?s.slice(1):s;}
  function fin(x){return typeof x==='number'&&isFinite(x);}
  function fixed(x,d){return fin(x)?nz(x.toFixed(d)):'n/a';}
  function money(x,d){if(!fin(x))return 'n/a';var a=Math.abs(x).toFixed(d),i=a.indexOf('.'),w=i<0?a:a.slice(0,i);
    return (x<0&&/[1-9]/.test(a)?'-':'')+w.replace(/\\B(?=(\\d{3})+(?!\\d))/g,',')+(i<0?'':a.slice(i));}
  function pct(x,d){return fin(x)?nz((x*100).toFixed(d))+'%':'n/a';}
  function iso(t){var ms=Math.floor(t/1000),u=t-ms*1000,s=new Date(ms).toISOString();return u===0?s:s.slice(0,-1)+('00'+u).slice(-3)+'Z';}
  function short(s){if(s.slice(-14)==='T00:00:00.000Z')return s.slice(0,10);var t=s.indexOf('T');var p=t<0?s:s.slice(0,t)+' '+s.slice(t+1);return p.slice(-5)==='.000Z'?p.slice(0,-5)+'Z':p;}
  function sign(x){return !fin(x)||x===0?'':x>0?'pos':'neg';}
  var NUM={qty:function(x){return fixed(x,fin(x)&&x%1===0?0:4);},price:fixed,money:money,pct:pct,num:function(x){return fin(x)?String(x):'n/a';}};
  function texts(c,p,n){var d=c[p+'d'],k=c[p+'c'];if(!d)return {d:[''],k:function(){return 0;}};
    if(k&&k.x){var a=[],x=k.x,at=x[0];for(var i=0,j=0,e=0;i<n;i++)if(i===at)at+=x[++j],a[i]=k.v[j-1];else a[i]=e++;k=a;}
    return {d:d,k:k===undefined?function(i){return i;}:typeof k==='number'?function(){return k;}:function(i){return k[i];}};}
  function nums(c,data,n){
    if(c.$v)return c.$v;var v=c.v;
    if(c.b!==undefined){var s=atob(c.b),dv=new DataView(new ArrayBuffer(s.length));for(var j=0;j<s.length;j++)dv.setUint8(j,s.charCodeAt(j));
      v=new Array(s.length/8);for(var r=0;r<v.length;r++)v[r]=dv.getFloat64(r*8,true);}
    else if(c.a!==undefined){var src=nums(data.cols[c.a],data,n);v=new Array(n);for(var r=1;r<n;r++)v[r]=src[r-1];
      for(var j=0,at=0;j<c.x.length;j++){at+=c.x[j];v[at]=c.v[j]===null?NaN:c.v[j];}}
    else if(c.v===undefined){v=new Array(n);var k0=c.k===null?NaN:c.k;for(var r=0;r<n;r++)v[r]=k0;}
    else for(var r=0;r<n;r++)if(v[r]===null)v[r]=NaN;
    return c.$v=v;
  }
  function column(c,data,n){
    var cls=c.cls?' class="'+esc(c.cls)+'"':'';
    if(c.f==='idx')return {val:function(i){return i+1;},key:function(i){return i;},cell:function(i){return '<td class="num">'+(i+1)+'</td>';}};
    if(c.f==='text'||c.f==='pill'){var own=texts(c,'',n),d=own.d,k=own.k,dc=c.dc,ex=texts(c,'x',n),tt=texts(c,'t',n),two=c.xd!==undefined,pill=c.f==='pill';
      return {val:function(i){return two?[d[k(i)],ex.d[ex.k(i)]]:d[k(i)];},key:function(i){return d[k(i)];},cell:function(i){var v=esc(d[k(i)]);var x=ex.d[ex.k(i)];
        var m=dc?dc[k(i)]:'',ti=tt.d[tt.k(i)];ti=ti?' title="'+esc(ti)+'"':'';
        return '<td'+cls+(pill?'':ti)+'>'+(pill?'<span class="pill'+(dc?(m?' '+esc(m):''):' '+v)+'"'+ti+'>'+v+'</span>':m?'<span class="'+esc(m)+'">'+v+'</span>':v)+(x?' <span class="muted mono">'+esc(x)+'</span>':'')+'</td>';}};}
    if(c.f==='iso')return {val:function(i){return c.v[i];},key:function(i){return c.v[i];},cell:function(i){return '<td'+cls+'>'+esc(short(c.v[i]))+'</td>';}};
    if(c.f==='time'){var q=data.seqs[c.s],w=q.w,t=new Array(n),sum=0;
      for(var i=0,j=0;i<n;i++)for(var m=0;m<w;m++,j++){sum+=q.z[j];if(m===c.o)t[i]=sum*q.u;}
      return {val:function(i){return t[i];},key:function(i){return t[i];},cell:function(i){return '<td'+cls+'>'+esc(short(iso(t[i])))+'</td>';}};}
    var f=NUM[c.f],dp=c.dp===undefined?2:c.dp,v=nums(c,data,n);
    return {val:function(i){return v[i];},key:function(i){var x=v[i];return x!==x?-Infinity:x;},cell:function(i){var x=v[i];return '<td class="num'+(c.sign?' '+sign(x):'')+'">'+f(x,dp)+'</td>';}};
  }
  // (The unit tests read the formats and the columns from here: tests/unit/reports/html/record-table.test.ts.)
  Array.prototype.forEach.call(document.querySelectorAll('div.records'),function(box){
    var src=box.querySelector('script.records-data'),t=box.querySelector('table'),pager=box.querySelector('.pager');if(!src||!t||!pager)return;
    var data=JSON.parse(src.textContent),n=data.n,size=data.page||100,cols=data.cols.map(function(c){return column(c,data,n);});
    var order=new Array(n);for(var i=0;i<n;i++)order[i]=i;
    var rc=new Array(n);Object.keys(data.rc||{}).forEach(function(cl){data.rc[cl].forEach(function(r){rc[r]=(rc[r]?rc[r]+' ':'')+cl;});});
    var page=0,last=Math.max(0,Math.ceil(n/size)-1),count=pager.querySelector('.count'),tb=t.tBodies[0];
    var go={};Array.prototype.forEach.call(pager.querySelectorAll('button[data-go]'),function(b){go[b.getAttribute('data-go')]=b;
      b.addEventListener('click',function(){var g=b.getAttribute('data-go');page=g==='first'?0:g==='last'?last:g==='prev'?Math.max(0,page-1):Math.min(last,page+1);draw();});});
    function draw(){
      var from=page*size,to=Math.min(n,from+size),html='';
      for(var r=from;r<to;r++){var i=order[r];html+=rc[i]?'<tr class="'+esc(rc[i])+'">':'<tr>';for(var k=0;k<cols.length;k++)html+=cols[k].cell(i);html+='</tr>';}
      tb.innerHTML=html;
      count.textContent=n===0?'no rows':'rows '+money(from+1,0)+'-'+money(to,0)+' of '+money(n,0);
      go.first.disabled=go.prev.disabled=page===0;go.next.disabled=go.last.disabled=page===last;
    }
    headers(t,function(k,asc){
      var key=cols[k].key,keys=new Array(n),pos=new Array(n);for(var i=0;i<n;i++){keys[i]=key(i);pos[order[i]]=i;}
      order.sort(function(a,b){var x=keys[a],y=keys[b];var c=x<y?-1:x>y?1:0;if(!asc)c=-c;return c||(pos[a]-pos[b]);});
      page=0;draw();
    });
    // One page holds every row: no pager (a header click still sorts them).
    pager.hidden=n<=size;draw();
  });
})();
`;

/**
 * The page's only script: click (or Enter on) a header of a `table.sortable` to sort its rows by that
 * column, numerically when the header has `data-type="num"` (cells carry the raw value in `data-v`;
 * "n/a" sorts first ascending), as text otherwise. Sorting is stable, so a second column keeps order.
 * A record table (`table[data-records]`: its rows are data, see record-table.ts) is drawn and sorted by
 * RECORD_TABLE_SCRIPT, the script's second part. Both wire their headers through one function, `headers(t, sort)`:
 * each header of table t focusable, a click on it or Enter at it calls sort(column, ascending, th) and sets its
 * aria-sort (ascending, then descending; the table's other headers lose theirs).
 */
export const SORT_SCRIPT = `
(function(){
  function headers(t,sort){
    var ths=t.tHead.rows[0].cells;
    Array.prototype.forEach.call(ths,function(th,k){
      th.tabIndex=0;
      function go(){
        var asc=th.getAttribute('aria-sort')!=='ascending';
        Array.prototype.forEach.call(ths,function(h){h.removeAttribute('aria-sort');});
        th.setAttribute('aria-sort',asc?'ascending':'descending');
        sort(k,asc,th);
      }
      th.addEventListener('click',go);
      th.addEventListener('keydown',function(e){if(e.key==='Enter'){go();}});
    });
  }
  function key(td,num){var v=td.getAttribute('data-v');if(v===null)v=td.textContent;if(!num)return v;var x=parseFloat(v);return isNaN(x)?-Infinity:x;}
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'),function(t){
    if(t.hasAttribute('data-records'))return;
    headers(t,function(i,asc,th){
      var num=th.getAttribute('data-type')==='num';
      var tb=t.tBodies[0];var rows=Array.prototype.slice.call(tb.rows);
      rows.sort(function(a,b){var x=key(a.cells[i],num),y=key(b.cells[i],num);var c=x<y?-1:x>y?1:0;return asc?c:-c;});
      rows.forEach(function(r){tb.appendChild(r);});
    });
  });
${RECORD_TABLE_SCRIPT}})();
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
