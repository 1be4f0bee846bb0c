import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import Papa from 'papaparse';
import { AppError } from '../../platform/errors.ts';

export type InputFile = {
  path: string;
  size: number;
  gzip: boolean;
  /** Compressed bytes read so far, for the progress bar. */
  bytesRead(): number;
  /** The decompressed text stream. Errors (a truncated gzip) surface as IMPORT_FILE_UNREADABLE. */
  text: Readable;
};

/** Opens a plain or gzipped file; gzip is recognised by its magic bytes, not its name. */
export async function openInput(path: string): Promise<InputFile> {
  let size: number;
  let gzip = false;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
    const fh = await open(path, 'r');
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    await fh.close();
    gzip = head[0] === 0x1f && head[1] === 0x8b;
  } catch (e) {
    throw new AppError('IMPORT_FILE_UNREADABLE', `Cannot read ${path}: ${(e as Error).message}`, { file: path });
  }
  let read = 0;
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  raw.on('data', (c) => {
    read += c.length;
  });
  // Always consume through a pipe: the byte-counting 'data' listener above would otherwise set `raw` flowing before
  // the parser attaches, and the first chunks would be lost. pipe() keeps backpressure.
  const text = raw.pipe(gzip ? createGunzip() : new PassThrough());
  raw.on('error', (e) => text.destroy(e));
  text.setEncoding('utf8');
  return { path, size, gzip, bytesRead: () => read, text };
}

export function unreadable(input: InputFile, line: number, e: unknown): AppError {
  const msg = (e as Error).message;
  const what = input.gzip && /unexpected end of file|incorrect header|invalid/i.test(msg) ? 'is a truncated or corrupt gzip' : 'could not be read';
  return new AppError('IMPORT_FILE_UNREADABLE', `${input.path} ${what} (${msg}) after line ${line}.`, { file: input.path, line });
}

/** A record and its line number (1-based; the header, if any, is line 1). */
export type RecordBatch = { records: string[][]; firstLine: number };

/** Receives the records chunk by chunk; returning (or resolving to) `false` stops the reading there. */
export type OnChunk = (b: RecordBatch) => Promise<void | boolean> | void | boolean;

/**
 * Streams CSV records in chunks through Papa Parse. `onChunk` may be async: parsing pauses until it settles, so
 * memory stays bounded by one chunk plus whatever the consumer holds. Line numbers count records, which equals
 * physical lines unless a quoted field spans lines. Resolves to the number of lines read.
 */
export function streamCsv(input: InputFile, onChunk: OnChunk): Promise<number> {
  return new Promise((resolve, reject) => {
    let line = 1;
    let failed = false;
    let consuming: Promise<unknown> | undefined;
    /** Errors of the file are reported as such; the consumer's own errors (a lost connection) pass unchanged. */
    const fail = (e: unknown, ofFile = true) => {
      if (failed) return;
      failed = true;
      const err = e instanceof AppError || !ofFile ? e : unreadable(input, line - 1, e);
      // Settle only once the consumer is done with its chunk, so that the caller's cleanup never races its writes.
      void (consuming ?? Promise.resolve()).then(
        () => reject(err),
        () => reject(err),
      );
    };
    input.text.on('error', fail);
    Papa.parse<string[]>(input.text, {
      skipEmptyLines: false,
      chunkSize: 1 << 20,
      chunk(results, parser) {
        if (failed) return;
        const batch = { records: results.data, firstLine: line };
        line += results.data.length;
        const out = onChunk(batch);
        // Papa's abort() calls complete(), which resolves.
        if (out === false) parser.abort();
        else if (typeof out === 'object') {
          parser.pause();
          consuming = out;
          out.then(
            (r) => (r === false ? parser.abort() : parser.resume()),
            (e) => {
              // fail() first: abort() calls complete(), which would otherwise resolve and swallow the error.
              fail(e, false);
              parser.abort();
            },
          );
        }
      },
      complete() {
        if (!failed) resolve(line - 1);
      },
      error(e: Error) {
        fail(e);
      },
    });
  });
}

/** Streams whitespace-separated records (the CDNOW text files), `chunkLines` at a time. */
export async function streamWhitespace(input: InputFile, onChunk: OnChunk, chunkLines = 20_000): Promise<number> {
  let line = 0;
  let records: string[][] = [];
  let first = 1;
  const rl = createInterface({ input: input.text, crlfDelay: Infinity });
  try {
    for await (const text of rl) {
      line++;
      const t = text.trim();
      records.push(t === '' ? [] : t.split(/\s+/));
      if (records.length >= chunkLines) {
        if ((await onChunk({ records, firstLine: first })) === false) return line;
        records = [];
        first = line + 1;
      }
    }
  } catch (e) {
    throw e instanceof AppError ? e : unreadable(input, line, e);
  }
  if (records.length > 0) await onChunk({ records, firstLine: first });
  return line;
}
