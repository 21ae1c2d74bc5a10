import * as crypto from 'node:crypto';
import { DEFAULT_SCRYPT_COST, hashPassword, verifyPassword } from './password-hashing';

// Counts the key derivations: the proof that a check costs the same work, without timing anything.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof crypto>('node:crypto');
  return { ...actual, scrypt: jest.fn(actual.scrypt) };
});

const scrypt = crypto.scrypt as unknown as jest.Mock;
/** The scrypt options of each derivation since the last `mockClear`. */
const derivations = () => scrypt.mock.calls.map((call) => call[3] as crypto.ScryptOptions);
const withoutMaxmem = ({ N, r, p }: crypto.ScryptOptions) => ({ N, r, p });

describe('password verification without a usable stored hash', () => {
  let known: string;

  beforeAll(async () => {
    known = await hashPassword('correct horse battery staple', 12);
  });

  beforeEach(() => scrypt.mockClear());

  it('given a known hash, when a password is checked, then exactly one key is derived', async () => {
    expect(await verifyPassword('wrong horse battery staple', known)).toBe(false);
    expect(derivations().map(withoutMaxmem)).toEqual([{ N: 2 ** 12, r: 8, p: 1 }]);
  });

  it.each([null, undefined, '', 'plain', 'scrypt$99$8$1$a$b'])(
    'given no usable hash (%p), when a password is checked, then one key is derived with the cost given, and it fails',
    async (stored) => {
      expect(await verifyPassword('correct horse battery staple', stored, 12)).toBe(false);
      expect(derivations().map(withoutMaxmem)).toEqual([{ N: 2 ** 12, r: 8, p: 1 }]);
    },
  );

  it('given no hash and no cost, when a password is checked, then the default cost is paid', async () => {
    expect(await verifyPassword('anything at all', null)).toBe(false);
    expect(derivations().map(withoutMaxmem)).toEqual([{ N: 2 ** DEFAULT_SCRYPT_COST, r: 8, p: 1 }]);
  });

  it('given no hash, when checked twice, then both checks derive a key against the same stand-in salt', async () => {
    await verifyPassword('first try', null, 12);
    await verifyPassword('second try', null, 12);
    expect(scrypt).toHaveBeenCalledTimes(2);
    const [first, second] = scrypt.mock.calls.map((call) => call[1] as Buffer);
    expect(first.equals(second)).toBe(true);
  });
});
