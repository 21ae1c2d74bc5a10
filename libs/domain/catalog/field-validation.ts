import { ruleViolated } from '../kernel';
import {
  isCalendarDate,
  isClockTime,
  isIsoInstant,
  isIsoWeekday,
  type CalendarDate,
  type ClockTime,
  type IsoInstant,
  type IsoWeekday,
} from './calendar';

/**
 * Field checks shared by the catalogue deciders. Each returns the value as it will be stored
 * (text trimmed, empty optional text as null) or throws `rule_violated` with `details.field`, so a
 * client can point at the offending input.
 */

/** Column widths of the legacy tables: longer values could not be projected without truncation. */
export const maxLength = {
  shortText: 30,
  zip: 16,
  name: 60,
  longText: 256,
  reason: 1000,
  id: 128,
} as const;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
// Deliberately loose: the mail server is the real judge; this only catches obvious typing slips.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_PATTERN = /^\+?[0-9][0-9 ()-]{2,29}$/;

export function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw ruleViolated('FIELD_REQUIRED', `${field} is required`, { field });
  }
  if (value.length > maxLength.id || !ID_PATTERN.test(value)) {
    throw ruleViolated('INVALID_ID', `${field} is not a valid id`, { field, value });
  }
  return value;
}

export function requireText(value: unknown, field: string, max: number): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0) throw ruleViolated('FIELD_REQUIRED', `${field} is required`, { field });
  if (text.length > max) {
    throw ruleViolated('FIELD_TOO_LONG', `${field} is longer than ${max} characters`, { field, maxLength: max });
  }
  return text;
}

export function optionalText(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim().length === 0)) return null;
  return requireText(value, field, max);
}

export function requireReason(value: unknown): string {
  return requireText(value, 'reason', maxLength.reason);
}

/** Phones are text: leading zeros and `+45` matter, even though legacy `Users.tlf` is an INT. */
export function optionalPhone(value: unknown, field: string): string | null {
  const phone = optionalText(value, field, maxLength.shortText);
  if (phone !== null && !PHONE_PATTERN.test(phone)) {
    throw ruleViolated('INVALID_PHONE', `${field} must be a phone number`, { field, value: phone });
  }
  return phone;
}

export function requireEmails(value: unknown, field: string, maxCount: number): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw ruleViolated('INVALID_EMAIL', `${field} must be a list`, { field });
  if (value.length > maxCount) {
    throw ruleViolated('TOO_MANY_EMAILS', `${field} holds at most ${maxCount} addresses`, { field, maxCount });
  }
  return value.map((entry, index) => {
    const email = requireText(entry, `${field}[${index}]`, maxLength.name);
    if (!EMAIL_PATTERN.test(email)) {
      throw ruleViolated('INVALID_EMAIL', `${field}[${index}] is not an e-mail address`, { field, value: email });
    }
    return email;
  });
}

export function requireBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw ruleViolated('INVALID_FLAG', `${field} must be true or false`, { field });
  return value;
}

export function requireInteger(
  value: unknown,
  field: string,
  range: { min: number; max: number; code: string },
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw ruleViolated(range.code, `${field} must be a whole number from ${range.min} to ${range.max}`, {
      field,
      value,
      min: range.min,
      max: range.max,
    });
  }
  return value;
}

export function requirePositiveNumber(value: unknown, field: string, code: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw ruleViolated(code, `${field} must be greater than 0`, { field, value });
  }
  return value;
}

export function optionalPositiveNumber(value: unknown, field: string, code: string): number | null {
  return value === undefined || value === null ? null : requirePositiveNumber(value, field, code);
}

export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string, code: string): T {
  if (!allowed.includes(value as T)) {
    throw ruleViolated(code, `${field} must be one of ${allowed.join(', ')}`, { field, value, allowed });
  }
  return value as T;
}

export function requireClockTime(value: unknown, field: string): ClockTime {
  if (!isClockTime(value)) throw ruleViolated('INVALID_TIME', `${field} must be HH:MM (00:00–23:59)`, { field, value });
  return value;
}

export function requireCalendarDate(value: unknown, field: string): CalendarDate {
  if (!isCalendarDate(value)) {
    throw ruleViolated('INVALID_DATE', `${field} must be a valid date YYYY-MM-DD`, { field, value });
  }
  return value;
}

export function optionalCalendarDate(value: unknown, field: string): CalendarDate | null {
  return value === undefined || value === null ? null : requireCalendarDate(value, field);
}

export function requireWeekday(value: unknown, field: string): IsoWeekday {
  if (!isIsoWeekday(value)) {
    throw ruleViolated('INVALID_WEEKDAY', `${field} must be 1 (Monday) … 7 (Sunday)`, { field, value });
  }
  return value;
}

/** Every command's business time; the envelope's `occurredAt` is taken from it. */
export function requireInstant(value: unknown, field = 'at'): IsoInstant {
  if (!isIsoInstant(value)) {
    throw ruleViolated('INVALID_INSTANT', `${field} must be an ISO-8601 instant with an offset`, { field, value });
  }
  return value;
}
