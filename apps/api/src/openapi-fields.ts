/** A field that may be null, for `@ApiProperty`: OpenAPI needs its type named beside `nullable`. */
export const NULLABLE_TEXT = { type: String, nullable: true } as const;
export const NULLABLE_NUMBER = { type: Number, nullable: true } as const;

/**
 * OpenAPI schemas for values the record keeps as it received them: a field that may hold any JSON
 * value (a captured row's column, a field's original value), and an object of any shape (an event's
 * data, a folded state). Named so that no answer's field is documented as a bare `object`.
 */
// OpenAPI 3.0 takes `nullable` only beside a `type`: the null goes with one alternative.
export const ANY_JSON_VALUE = {
  oneOf: [
    { type: 'string', nullable: true },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'object' },
    { type: 'array', items: {} },
  ],
};

export const ANY_JSON_OBJECT = { type: 'object', additionalProperties: true } as const;
