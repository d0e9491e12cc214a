import { DataProcessingError } from './errors.js';

/**
 * One CSV row as the data-processing filters see it: "For CSV data, each row is
 * taken as a JSON array … CSV data should also follow RFC format" (the guide,
 * Supported JSONPath Operators; RFC 4180). Columns stay strings, so a value goes
 * back out exactly as it came in ("1.50" stays "1.50"); only quoting is redone.
 * "For CSV files, you cannot use embedded newline characters": a row is one line.
 */
export function parseCsvRow(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      for (i++; ; i++) {
        if (i >= line.length) {
          throw new DataProcessingError(`The CSV record has an unclosed quoted field: ${abbreviate(line)}`);
        }
        if (line[i] === '"') {
          if (line[i + 1] !== '"') {
            break;
          }
          i++;
        }
        field += line[i];
      }
      i++;
      if (i < line.length && line[i] !== ',') {
        throw new DataProcessingError(`The CSV record has characters after a closing quote: ${abbreviate(line)}`);
      }
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      field = line.slice(i, end);
      i = end;
    }
    fields.push(field);
    if (i >= line.length) {
      return fields;
    }
    i++; // the comma
  }
}

/** A row back to CSV: a field is quoted only when it holds a comma, a quote or a line break. */
export function formatCsvRow(values: readonly unknown[]): string {
  return values.map(formatCsvField).join(',');
}

/** Strings as they are; a JSON value that is not one (from a JSON Accept) as its JSON text; null as an empty field. */
function formatCsvField(value: unknown): string {
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function abbreviate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
