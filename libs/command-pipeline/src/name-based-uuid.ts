import { hash } from 'node:crypto';

/**
 * A name-based (version 5 style) UUID: the same name always gives the same id. Ids derived so
 * (events from their cause, orders from what they were made for) make a retry name the same thing.
 * The first 128 bits of the name's SHA-1, with the version (5) and variant (10xx) bits set; every
 * event id is derived, so the one-shot digest is used (a third of a Hash object's cost).
 */
export function nameBasedUuid(name: string): string {
  const hex = hash('sha1', name, 'hex');
  const variant = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
