import type { Response } from 'express';

/**
 * CSV exports: RFC 4180 (CRLF line ends, fields with a comma, quote, CR or LF quoted, quotes
 * doubled), UTF-8, a header row, and formula-safe: a text cell that begins with `=`, `+`, `-`,
 * `@`, tab or CR gets a leading `'`, so a spreadsheet shows it instead of running it. Numbers
 * are written as numbers (a negative amount is not a formula). Rows are streamed page by page
 * with the socket's backpressure, so memory stays flat however many rows there are.
 */

export type Cell = string | number | null | undefined;

const RISKY = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/** One cell, escaped. */
export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  if (typeof v === 'string' && RISKY.test(s) && !NUMBER.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvRow(cells: readonly Cell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** Cents as credits with two decimals ("-1234.50"), a number cell. */
export function creditsCell(cents: number): string {
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * Streams a CSV answer: the header, then every row the pages yield. Headers are sent with
 * the first byte; an error after that ends the download early (the client sees it cut short).
 */
export async function sendCsv(
  res: Response,
  filename: string,
  header: readonly string[],
  rows: AsyncIterable<readonly Cell[]>,
): Promise<void> {
  const iterator = rows[Symbol.asyncIterator]();
  // The first page is read before anything is sent, so a refusal is still a clean 4xx.
  const first = await iterator.next();
  res.status(200);
  res.setHeader('content-type', 'text/csv; charset=utf-8');
  res.setHeader('content-disposition', `attachment; filename="${filename}"`);
  res.setHeader('cache-control', 'no-store');
  const write = async (chunk: string) => {
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  };
  try {
    await write(csvRow(header));
    let step = first;
    let buffer = '';
    while (!step.done) {
      if (res.destroyed) return;
      buffer += csvRow(step.value);
      if (buffer.length >= 64 * 1024) {
        await write(buffer);
        buffer = '';
      }
      step = await iterator.next();
    }
    if (buffer) await write(buffer);
    res.end();
  } catch (err) {
    // Too late for an error answer: the download is cut short instead, and the cause logged.
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    await iterator.return?.();
  }
}

/** Walks an id-paged store query, newest first, `size` rows a page. */
export async function* pages<T extends { id: number }>(
  read: (limit: number, beforeId?: number) => Promise<T[]>,
  size = 1000,
): AsyncGenerator<T> {
  let before: number | undefined;
  for (;;) {
    const rows = await read(size, before);
    yield* rows;
    if (rows.length < size) return;
    before = rows[rows.length - 1]!.id;
  }
}
