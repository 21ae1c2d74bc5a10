import { ruleViolated } from '../kernel';

/**
 * Field checks of the bookings context. Accession numbers, RIS room codes and procedure codes come
 * from the hospital's worklist (HL7) and name streams, so they are taken exactly as sent: a value
 * with surrounding blanks or control characters is refused rather than silently trimmed into
 * another stream's key.
 */
export const bookingFieldLengths = {
  accessionNumber: 64,
  locationCode: 64,
  procedureCode: 64,
  procedureDescription: 256,
} as const;

// C0 and C1 control characters and DEL.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

export function requireCode(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw ruleViolated('FIELD_REQUIRED', `${field} is required`, { field });
  }
  if (value.length > max) {
    throw ruleViolated('FIELD_TOO_LONG', `${field} is longer than ${max} characters`, { field, maxLength: max });
  }
  if (value.trim() !== value || CONTROL_CHARACTERS.test(value)) {
    throw ruleViolated('INVALID_CODE', `${field} must not start or end with blanks or hold control characters`, {
      field,
      value,
    });
  }
  return value;
}

export const requireAccessionNumber = (value: unknown) =>
  requireCode(value, 'accessionNumber', bookingFieldLengths.accessionNumber);
export const requireLocationCode = (value: unknown) =>
  requireCode(value, 'locationCode', bookingFieldLengths.locationCode);
export const requireProcedureCode = (value: unknown) =>
  requireCode(value, 'procedureCode', bookingFieldLengths.procedureCode);
