/**
 * HTML built from tagged templates: every interpolated value is escaped
 * unless it is already Html (the result of another `html` template, or
 * `raw()` for markup the code itself wrote, such as an SVG chart). Arrays of
 * Html join without separators. Nothing a user sent (names, tags, container
 * logs, request bodies) can become markup.
 */
import { escapeHtml } from '../shared/escape-html.js';

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}


function render(value: unknown): string {
  if (value instanceof Html) {
    return value.text;
  }
  if (Array.isArray(value)) {
    return value.map(render).join('');
  }
  if (value === undefined || value === null || value === false) {
    return '';
  }
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + strings[i + 1]!;
  }
  return new Html(out);
}

/** Markup the emulator wrote itself (charts); never pass user input. */
export function raw(markup: string): Html {
  return new Html(markup);
}
