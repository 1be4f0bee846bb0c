import Papa from 'papaparse';

/** RFC 4180 CSV (Papa Parse): fields with a comma, quote or line break quoted, quotes doubled, CRLF line ends. */
export function toCsv(header: string[], rows: (string | number | null | undefined)[][]): string {
  return Papa.unparse({ fields: header, data: rows.map((r) => r.map((v) => (v === null || v === undefined ? '' : v))) }, { newline: '\r\n' }) + '\r\n';
}

/** Parses CSV text (quoted fields, doubled quotes, CRLF or LF) into rows of fields, blank lines skipped. */
export function parseCsv(text: string): string[][] {
  return Papa.parse<string[]>(text, { skipEmptyLines: true }).data;
}

/** Saves text as a file through a temporary object URL. */
export function download(fileName: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
