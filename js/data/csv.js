// csv.js - a small CSV reader and a column getter that parses numbers
// strictly.
import { RnnError } from '../errors.js';
import { boolOption, checkKnown } from '../options.js';
import { bad, typeName } from './checks.js';

/**
 * A small CSV reader: fields separated by options.delimiter (default ','),
 * quoted fields (options.quote, default '"'; null for none) may hold the
 * delimiter, newlines and doubled quotes; LF or CRLF line ends; a leading BOM
 * and blank lines are skipped. With options.header (default true) the first
 * row names the columns, else they are '0', '1', ... Every row must have as
 * many fields as the first (else RnnError 'FORMAT' naming the line).
 * Returns { columns: string[], rows: string[][] } (strings, unparsed).
 */
export function readCsv(text, options = {}) {
  const what = 'readCsv';
  if (typeof text !== 'string') throw bad(`${what}: text must be a string, got ${typeName(text)}`);
  checkKnown(options, ['header', 'delimiter', 'quote'], what);
  const header = boolOption(options, 'header', what, true);
  const delim = options.delimiter ?? ',';
  const quote = options.quote === undefined ? '"' : options.quote;
  if (typeof delim !== 'string' || delim.length !== 1 || delim === '\n' || delim === '\r') {
    throw bad(`${what}: 'delimiter' must be one character (not a line end), got ${JSON.stringify(delim)}`);
  }
  if (quote !== null && (typeof quote !== 'string' || quote.length !== 1 || quote === delim)) {
    throw bad(`${what}: 'quote' must be one character other than the delimiter, or null, got ${JSON.stringify(quote)}`);
  }
  const records = []; // [fields, line]
  let fields = [], field = '', line = 1, startLine = 1, i = text.charCodeAt(0) === 0xFEFF ? 1 : 0;
  let touched = false; // the current record has content (a field, a delimiter or quotes)
  const endRecord = () => {
    if (touched) records.push([[...fields, field], startLine]);
    fields = [], field = '', touched = false;
  };
  while (i < text.length) {
    const c = text[i];
    if (!touched) startLine = line;
    if (c === quote && field === '') {
      // A quoted field: up to the closing quote, then a delimiter or line end.
      const open = line;
      touched = true;
      i++;
      for (;;) {
        if (i >= text.length) throw new RnnError('FORMAT', `${what}: unterminated quoted field starting on line ${open}`);
        const d = text[i];
        if (d === quote) {
          if (text[i + 1] === quote) { field += quote; i += 2; continue; }
          i++;
          break;
        }
        if (d === '\n') line++;
        field += d;
        i++;
      }
      const n = text[i];
      if (i < text.length && n !== delim && n !== '\n' && n !== '\r') {
        throw new RnnError('FORMAT', `${what}: line ${line}: unexpected ${JSON.stringify(n)} after a closing quote`);
      }
      continue;
    }
    if (c === delim) {
      fields.push(field), field = '', touched = true, i++;
    } else if (c === '\n' || c === '\r') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i++;
      i++, line++;
    } else {
      field += c, touched = true, i++;
    }
  }
  endRecord();
  let columns;
  if (header) {
    if (records.length === 0) throw new RnnError('FORMAT', `${what}: no header line`);
    columns = records.shift()[0];
  } else {
    columns = records.length ? records[0][0].map((_, k) => String(k)) : [];
  }
  const rows = records.map(([r, ln]) => {
    if (r.length !== columns.length) {
      throw new RnnError('FORMAT', `${what}: line ${ln} has ${r.length} fields, expected ${columns.length}`);
    }
    return r;
  });
  return { columns, rows };
}

function strictNumber(s, row, name) {
  const v = s.trim() === '' ? NaN : Number(s);
  if (Number.isNaN(v) && s.trim() !== 'NaN') {
    throw bad(`column: row ${row} of column '${name}' is not a number: ${JSON.stringify(s)}`);
  }
  return v;
}

/**
 * One column of readCsv's result, by name (or index), each cell passed
 * through parse(cell, rowIndex). Default: numbers, where an empty or
 * non-numeric cell throws naming its row (Number alone would give 0 or NaN).
 */
export function column(csv, name, parse) {
  const what = 'column';
  if (csv === null || typeof csv !== 'object' || !Array.isArray(csv.columns) || !Array.isArray(csv.rows)) {
    throw bad(`${what}: csv must be the result of readCsv ({ columns, rows }), got ${typeName(csv)}`);
  }
  const k = typeof name === 'number' ? name : csv.columns.indexOf(name);
  if (!Number.isInteger(k) || k < 0 || k >= csv.columns.length) {
    throw bad(`${what}: no column ${JSON.stringify(name)} (columns: ${csv.columns.join(', ')})`);
  }
  if (parse !== undefined && typeof parse !== 'function') {
    throw bad(`${what}: parse must be a function, got ${typeName(parse)}`);
  }
  const label = csv.columns[k];
  return csv.rows.map((r, i) => (parse ? parse(r[k], i) : strictNumber(r[k], i, label)));
}
