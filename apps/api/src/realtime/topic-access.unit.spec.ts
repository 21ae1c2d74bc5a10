import type { Principal, Role } from '@tracershop/auth';
import { parseTopic, type ParsedTopic } from '@tracershop/realtime';
import { noOrderSessions, refusalOf, type OrderSessionLocations } from './topic-access';

const principal = (
  roles: Array<{ role: Role; customerIds?: string[]; locationIds?: string[] }>,
  mustChangePassword = false,
): Principal => ({
  kind: roles.some((grant) => grant.role === 'application') ? 'application' : 'user',
  id: 'someone',
  username: 'someone',
  printedName: 'Someone',
  roles: roles.map((grant) => ({ customerIds: [], locationIds: [], ...grant })),
  releaseRights: [],
  credentialId: 'credential',
  mustChangePassword,
  ...(roles.some((grant) => grant.role === 'application') ? { scopes: ['orders:read'] } : {}),
});
const topic = (text: string): ParsedTopic => {
  const parsed = parseTopic(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.parsed;
};
const sessions: OrderSessionLocations = { locationOf: async (id) => (id === 'table-7' ? 'loc-rh' : null) };
const allowed = async (who: Principal, text: string, locations = sessions) =>
  (await refusalOf(who, topic(text), locations)) === null;

describe('topic authorisation', () => {
  const admin = principal([{ role: 'admin' }]);
  const production = principal([{ role: 'production' }]);
  const releaser = principal([{ role: 'releaser' }]);
  const auditor = principal([{ role: 'auditor' }]);
  const shop = principal([{ role: 'shop', customerIds: ['cust-a'] }]);
  const application = principal([{ role: 'application', customerIds: ['cust-b'] }]);
  const owner = principal([{ role: 'location-owner', customerIds: ['cust-a'], locationIds: ['loc-rh'] }]);

  it('production days: admins, production, releasers and auditors; never shops or applications', async () => {
    for (const who of [admin, production, releaser, auditor])
      expect(await allowed(who, 'production-day:2026-03-02')).toBe(true);
    for (const who of [shop, application, owner]) expect(await allowed(who, 'production-day:2026-03-02')).toBe(false);
  });

  it('customers: staff, and the shop members and applications granted that customer only', async () => {
    for (const who of [admin, production, releaser, auditor]) expect(await allowed(who, 'customer:cust-a')).toBe(true);
    expect(await allowed(shop, 'customer:cust-a')).toBe(true);
    expect(await allowed(shop, 'customer:cust-b')).toBe(false);
    // A shop admin follows its own customers as a shop member does, and no others
    const shopAdmin = principal([{ role: 'shop-admin', customerIds: ['cust-b'] }]);
    expect(await allowed(shopAdmin, 'customer:cust-b')).toBe(true);
    expect(await allowed(shopAdmin, 'customer:cust-a')).toBe(false);
    expect(await allowed(shopAdmin, 'production-day:2026-03-02')).toBe(false);
    expect(await allowed(application, 'customer:cust-b')).toBe(true);
    expect(await allowed(application, 'customer:cust-a')).toBe(false);
    // An API client follows its customers' orders with `orders:read` only (a client registered
    // before scopes has every one)
    expect(await allowed({ ...application, scopes: ['vials', 'bookings'] }, 'customer:cust-b')).toBe(false);
    expect(await allowed({ ...application, scopes: null }, 'customer:cust-b')).toBe(true);
    // A location owner's customer grant is not a shop grant.
    expect(await allowed(owner, 'customer:cust-a')).toBe(false);
  });

  it('order sessions: admins, and location owners of the session’s location', async () => {
    expect(await allowed(admin, 'order-session:anything', noOrderSessions)).toBe(true);
    expect(await allowed(owner, 'order-session:table-7')).toBe(true);
    expect(
      await allowed(principal([{ role: 'location-owner', locationIds: ['loc-other'] }]), 'order-session:table-7'),
    ).toBe(false);
    expect(await allowed(owner, 'order-session:unknown')).toBe(false);
    expect(await allowed(production, 'order-session:table-7')).toBe(false);
  });

  it('jobs: admins and production; projection status: admins', async () => {
    expect(await allowed(production, 'job:sim-1')).toBe(true);
    expect(await allowed(shop, 'job:sim-1')).toBe(false);
    expect(await allowed(admin, 'projection-status')).toBe(true);
    expect(await allowed(production, 'projection-status')).toBe(false);
  });

  it('incidents: those who read them over HTTP (admins, production, releasers, auditors), never shops', async () => {
    for (const who of [admin, production, releaser, auditor]) expect(await allowed(who, 'incidents')).toBe(true);
    for (const who of [shop, application, owner]) expect(await allowed(who, 'incidents')).toBe(false);
  });

  it('says why, and asks for a password change first', async () => {
    expect(await refusalOf(shop, topic('customer:cust-b'), sessions)).toEqual({
      code: 'UNAUTHORISED_TOPIC',
      message: 'You are not granted this customer',
    });
    expect(await refusalOf(principal([{ role: 'admin' }], true), topic('projection-status'), sessions)).toMatchObject({
      code: 'PASSWORD_CHANGE_REQUIRED',
    });
  });
});
