import { runInNewContext } from 'node:vm';
import { expect } from 'vitest';
import { RECORD_TABLE_SCRIPT } from '../../../../reports/html/page.js';

/** A column as the page's script reads it: each row's value (val), its sort key and its cell's HTML. */
export interface BrowserColumn {
  val(i: number): unknown;
  key(i: number): unknown;
  cell(i: number): string;
}

/** The record-table script's column reader, built in a sandbox with no document (the script stops before drawing). */
export function browserColumns(): (c: unknown, data: unknown, n: number) => BrowserColumn {
  const marker = "Array.prototype.forEach.call(document.querySelectorAll('div.records')";
  expect(RECORD_TABLE_SCRIPT).toContain(marker);
  // A browser's atob (a number column may be base64).
  const sandbox: Record<string, unknown> = { atob };
  runInNewContext(RECORD_TABLE_SCRIPT.replace(marker, 'globalThis.column=column;return;' + marker), sandbox);
  return sandbox.column as never;
}

/** A record table's JSON (record-table.ts). */
export interface TableData {
  readonly n: number;
  readonly page: number;
  readonly seqs: unknown[];
  readonly cols: unknown[];
  readonly rc?: Record<string, number[]>;
}

/** The JSON of the record table `id` in a page. */
export function tableData(html: string, id: string): TableData {
  const m = new RegExp(`<div class="records" data-records="${id}">.*?<script type="application/json" class="records-data">(.*?)</script></div>`, 's').exec(html);
  expect(m, id).not.toBeNull();
  return JSON.parse(m![1]!) as TableData;
}

/** Every column of table `id`, as the page's script reads them. */
export function columnsOf(html: string, id: string): { data: TableData; cols: BrowserColumn[] } {
  const column = browserColumns();
  const data = tableData(html, id);
  return { data, cols: data.cols.map((c) => column(c, data, data.n)) };
}

/** Each row's cells of table `id` as the page's script draws them, in the records' order. */
export function drawnCells(html: string, id: string): string[][] {
  const { data, cols } = columnsOf(html, id);
  return Array.from({ length: data.n }, (_, i) => cols.map((c) => c.cell(i)));
}
