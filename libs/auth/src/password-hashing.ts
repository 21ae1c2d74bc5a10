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

interface StoredHash {
  cost: number;
  r: number;
  p: number;
  salt: Buffer;
  expected: Buffer;
}

function parseHash(stored: string | null | undefined): StoredHash | null {
  const parts = stored?.split('$');
  if (!parts || parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [cost, r, p] = parts.slice(1, 4).map(Number);
  if (![cost, r, p].every(Number.isSafeInteger) || cost < 10 || cost > 20) return null;
  return { cost, r, p, salt: Buffer.from(parts[4], 'base64url'), expected: Buffer.from(parts[5], 'base64url') };
}

const standIns = new Map<number, StoredHash>();

/**
 * What a missing or unusable hash is checked against, so that it costs one derivation with the
 * parameters of a real hash: an unknown or deactivated account answers no faster. Made once per
 * cost, lazily; random bytes need no derivation, and the check never passes anyway.
 */
function standInFor(cost: number): StoredHash {
  let standIn = standIns.get(cost);
  if (!standIn) {
    standIn = { cost, r: BLOCK_SIZE, p: PARALLELISM, salt: randomBytes(16), expected: randomBytes(KEY_LENGTH) };
    standIns.set(cost, standIn);
  }
  return standIn;
}

/**
 * Constant-time check; a malformed or missing stored hash never verifies, but still costs a
 * derivation at `costWhenMissing` (pass the cost new hashes are made with).
 */
export async function verifyPassword(
  password: string,
  stored: string | null | undefined,
  costWhenMissing = DEFAULT_SCRYPT_COST,
): Promise<boolean> {
  const parsed = parseHash(stored);
  const { cost, r, p, salt, expected } = parsed ?? standInFor(costWhenMissing);
  const key = await scrypt(password, salt, { N: 2 ** cost, r, p, maxmem: memoryFor(cost) * r });
  return parsed !== null && key.length === expected.length && timingSafeEqual(key, expected);
}
