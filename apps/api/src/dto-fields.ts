import { buildMessage, ValidateBy, type ValidationOptions } from 'class-validator';
import { isCalendarDate } from '@tracershop/domain/catalog';

/**
 * Field shapes the DTOs of the contexts share, each with the pattern its OpenAPI property
 * documents. Ids are client-chosen or catalogue ids; dates are local business dates.
 */
export const ID = /^[A-Za-z0-9_.:@-]{1,64}$/;
export const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
export const TIME_WITH_SECONDS = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;
/** The shape of a calendar date; `IsCalendarDate` also refuses dates no calendar has (2026-02-30). */
export const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A lot number as a filter: printable ASCII without spaces, at most as long as the old `VAL.charge`. */
export const LOT_FILTER = /^[\x21-\x7e]{1,20}$/;

/** For `@ApiProperty`: a date field's documented shape. */
export const DATE_PROPERTY = { type: String, format: 'date', pattern: DATE.source, example: '2026-11-23' } as const;
/** For `@ApiProperty`: an id field's documented shape. */
export const ID_PROPERTY = { type: String, pattern: ID.source } as const;
/** For `@ApiProperty`: a list of ids, none twice (give `maxItems`). */
export const ID_LIST_PROPERTY = {
  type: String,
  isArray: true,
  minItems: 1,
  uniqueItems: true,
  items: { type: 'string', pattern: ID.source },
} as const;

/**
 * A real calendar date `YYYY-MM-DD` (the domain's `isCalendarDate`): 2026-02-30 and 2026-13-01
 * are refused with 400 before any work, as every other malformed field is.
 */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) => isCalendarDate(value),
        defaultMessage: buildMessage((each) => `${each}$property must be a calendar date YYYY-MM-DD`, options),
      },
    },
    options,
  );
}
