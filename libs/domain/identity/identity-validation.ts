import { ruleViolated } from '../kernel';
import { optionalText, requireId } from '../catalog/field-validation';

/**
 * Field checks only identity needs. The general ones (ids, text, e-mails, instants) come from the
 * catalogue's field validation, so every context answers a bad field with the same codes.
 */

/** Argon2 and bcrypt encodings stay well under this; a longer value is not a hash we made. */
const MAX_HASH_LENGTH = 1024;
/** An IPv6 address with a zone id, or a proxy's forwarded value, fits easily. */
const MAX_REMOTE_ADDRESS_LENGTH = 100;

/** Password and token hashes are computed by the handler; the domain only stores them, untouched. */
export function requireHash(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw ruleViolated('FIELD_REQUIRED', `${field} is required`, { field });
  }
  if (value.length > MAX_HASH_LENGTH || /\s/.test(value)) {
    throw ruleViolated('INVALID_HASH', `${field} is not an encoded hash`, { field });
  }
  return value;
}

export function optionalRemoteAddress(value: unknown): string | null {
  return optionalText(value, 'remoteAddress', MAX_REMOTE_ADDRESS_LENGTH);
}

/** A set of ids: duplicates dropped and sorted, so the same set always compares and stores the same. */
export function requireIdSet(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw ruleViolated('INVALID_ID', `${field} must be a list of ids`, { field });
  const ids = value.map((id, index) => requireId(id, `${field}[${index}]`));
  return [...new Set(ids)].sort();
}
