import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost: N = 2^cost. 15 needs 32 MiB and tens of milliseconds: memory-hard, as Part 11 expects. */
export const DEFAULT_SCRYPT_COST = 15;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

const memoryFor = (cost: number) => 128 * BLOCK_SIZE * 2 ** cost * 2;

/**
 * `scrypt$<cost>$<r>$<p>$<salt>$<hash>` (base64url): the parameters travel with the hash, so the
 * cost can be raised later without breaking stored passwords. A fresh 16-byte salt per hash.
 */
export async function hashPassword(password: string, cost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, { N: 2 ** cost, r: BLOCK_SIZE, p: PARALLELISM, maxmem: memoryFor(cost) });
  return ['scrypt', cost, BLOCK_SIZE, PARALLELISM, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time check; a malformed stored hash never verifies. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = stored?.split('$');
  if (!parts || parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [cost, r, p] = parts.slice(1, 4).map(Number);
  if (![cost, r, p].every(Number.isSafeInteger) || cost < 10 || cost > 20) return false;
  const salt = Buffer.from(parts[4], 'base64url');
  const expected = Buffer.from(parts[5], 'base64url');
  const key = await scrypt(password, salt, { N: 2 ** cost, r, p, maxmem: memoryFor(cost) * r });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
