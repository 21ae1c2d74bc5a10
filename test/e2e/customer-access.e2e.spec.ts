import type { EventStore } from '@tracershop/event-store';
import { userStreamName } from '@tracershop/domain/identity';
import { EVENT_STORE } from '@tracershop/platform';
import { ADMIN, as, bootApp, createPerson, logIn, type BootedApp } from './booted-app';

describe('shop admins give people access to their customers', () => {
  let app: BootedApp;
  let store: EventStore;
  let shopAdmin: ReturnType<typeof as>;
  let nina: { id: string; client: ReturnType<typeof as> };
  const customers = { herlev: '', glostrup: '' };

  /** The customers of Nina's shop role, as her next request sees them. */
  const ninasShopCustomers = async () => {
    const me = await nina.client.get('/auth/me').expect(200);
    const shop = (me.body.roles as Array<{ role: string; customerIds: string[] }>).find(
      (grant) => grant.role === 'shop',
    );
    return shop?.customerIds ?? null;
  };

  beforeAll(async () => {
    app = await bootApp();
    store = app.api.get<EventStore>(EVENT_STORE);
    const admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    for (const [key, dispenserNumber] of [
      ['herlev', 2],
      ['glostrup', 3],
    ] as const) {
      const created = await admin
        .post('/catalog/customers')
        .send({ shortName: key, longName: key, dispenserNumber, overheadPercent: 0 })
        .expect(201);
      customers[key] = created.body.id;
    }
    shopAdmin = (
      await createPerson(app.server, admin, 'sam.shopadmin', { role: 'shop-admin', customerIds: [customers.herlev] })
    ).client;
    // Nina works for Glostrup already.
    nina = await createPerson(app.server, admin, 'nina.nurse', { role: 'shop', customerIds: [customers.glostrup] });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  it('given a person, when the shop admin gives her its customer, then she works for it too, as the admin’s act', async () => {
    const granted = await shopAdmin
      .post(`/identity/customer-access/${customers.herlev}`)
      .send({ username: 'nina.nurse' })
      .expect(200);
    expect(granted.body).toMatchObject({ id: nina.id, events: ['RoleGranted'] });
    expect((await ninasShopCustomers())?.sort()).toEqual([customers.glostrup, customers.herlev].sort());
    const [event] = (await store.readStream(userStreamName(nina.id))).slice(-1);
    expect(event.metadata.actor).toMatchObject({ printedName: 'Person sam.shopadmin', role: 'shop-admin' });
    // Giving it again changes nothing
    const again = await shopAdmin
      .post(`/identity/customer-access/${customers.herlev}`)
      .send({ username: 'nina.nurse' })
      .expect(200);
    expect(again.body.events).toEqual([]);

    const listed = await shopAdmin.get(`/identity/customer-access/${customers.herlev}`).expect(200);
    expect(listed.body.items).toEqual([
      { userId: nina.id, username: 'nina.nurse', printedName: 'Person nina.nurse', role: 'shop' },
      expect.objectContaining({ username: 'sam.shopadmin', role: 'shop-admin' }),
    ]);
  });

  it('a shop admin acts for its own customers only, and a shop member not at all', async () => {
    const other = await shopAdmin
      .post(`/identity/customer-access/${customers.glostrup}`)
      .send({ username: 'nina.nurse' })
      .expect(404);
    expect(other.body.error.code).toBe('CUSTOMER_NOT_FOUND');
    await shopAdmin.get(`/identity/customer-access/${customers.glostrup}`).expect(404);
    await shopAdmin
      .post(`/identity/customer-access/${customers.glostrup}/revoke`)
      .send({ username: 'nina.nurse', reason: 'Not ours' })
      .expect(404);
    await nina.client
      .post(`/identity/customer-access/${customers.glostrup}`)
      .send({ username: 'sam.shopadmin' })
      .expect(403);
    const unknown = await shopAdmin
      .post(`/identity/customer-access/${customers.herlev}`)
      .send({ username: 'nobody.here' })
      .expect(404);
    expect(unknown.body.error.code).toBe('USER_NOT_FOUND');
    expect((await ninasShopCustomers())?.length).toBe(2);
  });

  it('when the shop admin takes its customer back, with a reason, then her other customers stay', async () => {
    const noReason = await shopAdmin
      .post(`/identity/customer-access/${customers.herlev}/revoke`)
      .send({ username: 'nina.nurse' })
      .expect(400);
    expect(noReason.body.error.code).toBe('VALIDATION_FAILED');
    const revoked = await shopAdmin
      .post(`/identity/customer-access/${customers.herlev}/revoke`)
      .send({ username: 'nina.nurse', reason: 'Moved to another ward' })
      .expect(200);
    expect(revoked.body.events).toEqual(['RoleGranted']);
    expect(await ninasShopCustomers()).toEqual([customers.glostrup]);
    const [event] = (await store.readStream(userStreamName(nina.id))).slice(-1);
    expect(event.metadata.reason).toBe('Moved to another ward');
  });
});
