import { buildMessage, ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * An instant as RFC 3339 writes it: extended ISO 8601 date and time with an explicit offset (`Z`
 * or `±hh:mm`). Only this form is taken: JavaScript reads ISO 8601's basic, week and ordinal forms
 * as nothing (NaN, which compares false with every event) and an instant without an offset in
 * the server's own zone, so either would answer a question other than the one asked.
 */
export const INSTANT_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

/** Whether `value` is an instant in that form naming a real time (no 30 February, no 24:00). */
export function isInstantWithOffset(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const parts = INSTANT_WITH_OFFSET.exec(value);
  if (!parts) return false;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number) as number[];
  const offsetHour = parts[9] === undefined ? 0 : Number(parts[9]);
  const offsetMinute = parts[10] === undefined ? 0 : Number(parts[10]);
  const daysInMonth = new Date(Date.UTC(year as number, month as number, 0)).getUTCDate();
  return (
    (month as number) >= 1 &&
    (month as number) <= 12 &&
    (day as number) >= 1 &&
    (day as number) <= daysInMonth &&
    (hour as number) <= 23 &&
    (minute as number) <= 59 &&
    (second as number) <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59 &&
    !Number.isNaN(Date.parse(value))
  );
}

/** For `@ApiPropertyOptional`: an instant field's documented shape. */
export const INSTANT_PROPERTY = {
  type: String,
  format: 'date-time',
  pattern: INSTANT_WITH_OFFSET.source,
  example: '2026-12-06T12:00:00Z',
} as const;

/** An instant with an explicit offset (`isInstantWithOffset`); anything else is a 400 naming the field. */
export function IsInstantWithOffset(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstantWithOffset',
      validator: {
        validate: (value: unknown) => isInstantWithOffset(value),
        defaultMessage: buildMessage(
          (each) => `${each}$property must be an instant like 2026-12-06T12:00:00Z or 2026-12-06T13:00:00+01:00`,
          options,
        ),
      },
    },
    options,
  );
}
