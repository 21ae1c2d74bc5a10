/**
 * OpenAPI schemas for values the record keeps as it received them: a field that may hold any JSON
 * value (a captured row's column, a field's original value), and an object of any shape (an event's
 * data, a folded state). Named so that no answer's field is documented as a bare `object`.
 */
export const ANY_JSON_VALUE = {
  nullable: true,
  oneOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'object' },
    { type: 'array', items: {} },
  ],
};

export const ANY_JSON_OBJECT = { type: 'object', additionalProperties: true } as const;
