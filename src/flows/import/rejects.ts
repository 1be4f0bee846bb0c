import { createWriteStream, type WriteStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { stringify, type Stringifier } from 'csv-stringify';

/**
 * The rejects CSV: every row that could not be imported, with its line number, the field and the reason, then the
 * row as it was read. Opened on the first reject only.
 */
export class RejectsWriter {
  private out: Stringifier | undefined;
  private file: WriteStream | undefined;
  count = 0;

  constructor(
    readonly path: string,
    private readonly sourceHeader: string[],
  ) {}

  write(line: number, field: string, reason: string, record: readonly string[]): void {
    if (!this.out) {
      this.file = createWriteStream(this.path);
      this.out = stringify({ header: true, columns: ['line', 'field', 'reason', ...this.sourceHeader] });
      this.out.pipe(this.file);
    }
    this.count++;
    this.out.write([String(line), field, reason, ...record]);
  }

  async close(): Promise<void> {
    if (!this.out || !this.file) return;
    const file = this.file;
    await new Promise<void>((res, rej) => {
      file.on('finish', res).on('error', rej);
      this.out!.end();
    });
  }
}

/** Beside the input when that folder is writable (`orders.csv` → `orders.rejects.csv`), else in the working directory. */
export async function rejectsPathFor(input: string, explicit?: string): Promise<string> {
  if (explicit) return resolve(explicit);
  const name = `${basename(input).replace(/\.gz$/i, '').replace(/\.(csv|txt|tsv)$/i, '')}.rejects.csv`;
  const beside = resolve(dirname(input), name);
  try {
    await access(dirname(beside), constants.W_OK);
    return beside;
  } catch {
    return resolve(join(process.cwd(), name));
  }
}
