import { hashPassword, verifyPassword } from './password-hashing';
import { customerScope, actorOf, type Principal } from './principal';
import { hashToken, issueToken, tokenKindOf } from './secret-tokens';
import { recordHash, signatureBlockFor, verifySignatureBlock } from './signature-block';

describe('password hashing', () => {
  it('given a hash, then only the same password verifies', async () => {
    const stored = await hashPassword('correct horse battery staple', 12);
    expect(stored).toMatch(/^scrypt\$12\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password here', 12)).not.toBe(await hashPassword('same password here', 12));
  });

  it.each([null, undefined, '', 'plain', 'scrypt$99$8$1$a$b', 'bcrypt$1$2$3$4$5'])(
    'never verifies a malformed hash %p',
    async (stored) => {
      expect(await verifyPassword('anything', stored)).toBe(false);
    },
  );
});

describe('secret tokens', () => {
  it('are random, typed by prefix and stored as their SHA-256', () => {
    const a = issueToken('session');
    const b = issueToken('api');
    expect(a.token).not.toBe(issueToken('session').token);
    expect(tokenKindOf(a.token)).toBe('session');
    expect(tokenKindOf(b.token)).toBe('api');
    expect(tokenKindOf('nope')).toBeNull();
    expect(a.hash).toBe(hashToken(a.token));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('principals', () => {
  const shop: Principal = {
    kind: 'user',
    id: 'u1',
    username: 'anna',
    printedName: 'Anna Jensen',
    roles: [{ role: 'shop', customerIds: ['c1', 'c2'], locationIds: [] }],
    releaseRights: [],
    credentialId: 's1',
    mustChangePassword: false,
  };

  it('a shop user sees only its customers', () => {
    expect(customerScope(shop, ['shop', 'auditor'])).toEqual(new Set(['c1', 'c2']));
    expect(
      customerScope({ ...shop, roles: [{ role: 'production', customerIds: [], locationIds: [] }] }, ['production']),
    ).toBe('all');
  });

  it('given a shop member who is also an auditor, then only the grants a route admits make its scope', () => {
    const alsoAuditor: Principal = {
      ...shop,
      roles: [...shop.roles, { role: 'auditor', customerIds: [], locationIds: [] }],
    };
    // a read open to auditors: every customer; placing an order (shop members, not auditors): its own
    expect(customerScope(alsoAuditor, ['shop', 'auditor'])).toBe('all');
    expect(customerScope(alsoAuditor, ['admin', 'production', 'shop-admin', 'shop'])).toEqual(new Set(['c1', 'c2']));
    // a grant the route does not admit confers no customer either
    expect(customerScope(shop, ['admin', 'production'])).toEqual(new Set());
  });

  it('becomes the actor of the events it causes', () => {
    expect(actorOf(shop)).toEqual({ kind: 'user', id: 'u1', printedName: 'Anna Jensen', role: 'shop' });
  });

  it('given several roles, then it acts in the one the route admits, not the first it holds', () => {
    const alsoReleaser: Principal = {
      ...shop,
      roles: [{ role: 'releaser', customerIds: [], locationIds: [] }, ...shop.roles],
    };
    // placing an order (admin, production, shop-admin, shop): as shop member
    expect(actorOf(alsoReleaser, ['admin', 'production', 'shop-admin', 'shop']).role).toBe('shop');
    // signing a release (admin, production, releaser): as releaser
    expect(actorOf(alsoReleaser, ['admin', 'production', 'releaser']).role).toBe('releaser');
    // a route open to anyone: the first role it holds
    expect(actorOf(alsoReleaser).role).toBe('releaser');
  });
});

describe('signature blocks', () => {
  const content = { orders: ['o1'], vials: [{ lot: 'FDG-261122-1', activityMBq: 12000 }] };

  it('carry the printed name at signing and a hash of the signed content', () => {
    const block = signatureBlockFor(
      { id: 'u9', printedName: 'Søren Ødegård' },
      'release',
      'ordering.slotDay-1',
      content,
      new Date('2026-11-22T07:00:00Z'),
    );
    expect(block).toEqual({
      signerId: 'u9',
      printedName: 'Søren Ødegård',
      meaning: 'release',
      signedAt: '2026-11-22T07:00:00.000Z',
      recordHash: recordHash('ordering.slotDay-1', content),
    });
    expect(verifySignatureBlock(block, 'ordering.slotDay-1', content)).toBe(true);
  });

  it('do not verify on changed content or on another stream', () => {
    const block = signatureBlockFor(
      { id: 'u9', printedName: 'S' },
      'release',
      'ordering.slotDay-1',
      content,
      new Date(),
    );
    expect(verifySignatureBlock(block, 'ordering.slotDay-1', { ...content, orders: ['o2'] })).toBe(false);
    expect(verifySignatureBlock(block, 'ordering.slotDay-2', content)).toBe(false);
  });
});
