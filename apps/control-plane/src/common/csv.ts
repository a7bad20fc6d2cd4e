/**
 * CSV exports (RFC 4180): a header row, then one line per record, CRLF line ends. A cell with a
 * comma, a double quote or a line break is quoted, its quotes doubled.
 *
 * Exports carry what others wrote (tool names and descriptions from MCP servers, principals'
 * and clients' names, request paths): a text cell that a spreadsheet would run as a formula
 * (starting with =, +, -, @, a tab or a carriage return) is prefixed with a single quote (OWASP's
 * CSV injection advice), so opening an export never runs what someone else wrote. Numbers and
 * booleans are written as they are (a negative number stays a number).
 */

/** A cell's value: text, a number, a boolean, or nothing (null: an empty cell). */
export type CsvValue = string | number | boolean | null;

const FORMULA = /^[=+\-@\t\r]/;

/** One cell of a CSV line. */
export function csvCell(value: CsvValue): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The CSV text of `records` under `columns` (the header row names them). */
export function toCsv<C extends string>(columns: readonly C[], records: readonly Record<C, CsvValue>[]): string {
  const line = (cells: readonly CsvValue[]) => `${cells.map(csvCell).join(',')}\r\n`;
  return line(columns) + records.map((record) => line(columns.map((c) => record[c]))).join('');
}
