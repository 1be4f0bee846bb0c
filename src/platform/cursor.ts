import { AppError } from './errors.ts';

/**
 * Keyset-pagination cursors: the sort key of the last row of a page, as opaque base64url JSON. `decodeCursor` gets a
 * check that turns the parsed tuple into the caller's key, or throws; any failure is VALIDATION_FAILED on `cursor`.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T>(cursor: string, toKey: (parsed: unknown[]) => T): T {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (!Array.isArray(parsed)) throw new Error('not a tuple');
    return toKey(parsed);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The cursor is not one this API returned.', { fields: [{ field: 'cursor', message: 'malformed' }] });
  }
}
