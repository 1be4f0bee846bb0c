/** Encodes one value for PostgreSQL's COPY ... WITH (FORMAT csv): unquoted empty is NULL, "" is the empty string. */
export function copyField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') return String(v);
  if (v === '') return '""';
  // Only a quote needs escaping; the other special cases only need the field quoted. Array literals are long and
  // full of commas, so the cheap cases come first.
  if (v.includes('"')) return `"${v.replace(/"/g, '""')}"`;
  if (/[,\n\r]/.test(v) || v.trim() !== v || v === '\\.') return `"${v}"`;
  return v;
}

/** Builds CSV text for COPY from rows of values. */
export function copyRows(rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  let out = '';
  for (const row of rows) {
    out += row.map(copyField).join(',') + '\n';
  }
  return out;
}

/** Whether an array element must be quoted: empty, NULL, or holding a delimiter, brace, quote, backslash or blank. */
function needsArrayQuotes(v: string): boolean {
  if (v.length === 0 || (v.length === 4 && v.toLowerCase() === 'null')) return true;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    // " , \ { } and ASCII whitespace; anything above ASCII is quoted too, to be safe with every server encoding.
    if (c === 34 || c === 44 || c === 92 || c === 123 || c === 125 || c <= 32 || c >= 127) return true;
  }
  return false;
}

/**
 * A PostgreSQL array literal ({a,"b c",NULL}). Elements are quoted when they need it, so that the literal of plain
 * SKUs holds no quote and costs nothing to embed in a CSV field.
 */
export function pgArray(values: readonly (string | number | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (typeof v === 'number') out += String(v);
    else if (!needsArrayQuotes(v)) out += v;
    else out += `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  }
  return out + '}';
}
