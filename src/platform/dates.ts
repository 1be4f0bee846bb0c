import { AppError } from './errors.ts';

/** A calendar date (YYYY-MM-DD, no rollover: 2011-02-30 fails), or VALIDATION_FAILED naming the field. */
export function checkIsoDate(value: string, field: string): string {
  const d = new Date(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw new AppError('VALIDATION_FAILED', `${field}: '${value}' is not a date (YYYY-MM-DD).`, { fields: [{ field, message: 'not a YYYY-MM-DD date' }] });
  }
  return value;
}
