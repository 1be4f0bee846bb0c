/** Encodes one value for PostgreSQL's COPY ... WITH (FORMAT csv): unquoted empty is NULL, "" is the empty string. */
export function copyField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') return String(v);
  if (v === '') return '""';
  if (/[",\n\r]/.test(v) || v.trim() !== v || v === '\\.') return `"${v.replace(/"/g, '""')}"`;
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

/** A PostgreSQL array literal ({"a","b",NULL}); every element is quoted, so commas, braces and spaces are safe. */
export function pgArray(values: readonly (string | number | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (typeof v === 'number') out += String(v);
    else out += `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  }
  return out + '}';
}
