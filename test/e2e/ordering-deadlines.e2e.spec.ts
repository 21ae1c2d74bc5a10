import { addDays, isoWeekdayOf } from '@tracershop/domain/catalog';
import { ADMIN, as, bootApp, createPerson, fdgCatalogue, logIn, type BootedApp } from './booted-app';

/** Today in the business time zone (the default, Europe/Copenhagen). */
const localToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen' }).format(new Date());
const localMinute = () =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Copenhagen', hour: '2-digit', minute: '2-digit' }).format(
    new Date(),
  );

describe('production sets the ordering deadlines; every order is judged by the one in force', () => {
  let app: BootedApp;
  let admin: ReturnType<typeof as>;
  let production: ReturnType<typeof as>;
  let shop: ReturnType<typeof as>;
  let slotId = '';
  let tomorrow = '';

  beforeAll(async () => {
    // The configured deadline lets tomorrow be ordered all day (but in its last minute).
    app = await bootApp({ ACTIVITY_ORDER_DEADLINE: 'daily@23:59' });
    admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    // The two minutes around midnight would make "tomorrow" ambiguous for the spec: wait them out.
    while (['23:59', '00:00'].includes(localMinute())) await new Promise((resolve) => setTimeout(resolve, 5_000));
    tomorrow = addDays(localToday(), 1);
    const catalogue = await fdgCatalogue(admin, { weekday: isoWeekdayOf(tomorrow) });
    slotId = catalogue.slotId;
    production = (await createPerson(app.server, admin, 'paula.production', { role: 'production' })).client;
    shop = (await createPerson(app.server, admin, 'sally.shop', { role: 'shop', customerIds: [catalogue.customer] }))
      .client;
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  const order = (deliveryDate: string) =>
    shop.post('/ordering/activity-orders').send({ slotId, deliveryDate, activityMBq: 1000 });

  it('given nothing set, the configured deadlines hold and are shown as such', async () => {
    const deadlines = await shop.get('/catalog/ordering-deadlines').expect(200);
    expect(deadlines.body).toEqual({
      activity: expect.objectContaining({
        deadline: { kind: 'daily', time: '23:59' },
        source: 'configured',
        reason: null,
      }),
      injection: expect.objectContaining({
        deadline: { kind: 'weekly', weekday: 4, time: '13:00' },
        source: 'configured',
      }),
    });
    await order(tomorrow).expect(201);
  });

  it('when production sets an earlier deadline, then tomorrow is closed for the shop; later days stay open', async () => {
    const changed = await production
      .put('/catalog/ordering-deadlines/activity')
      .send({ kind: 'daily', time: '00:00', reason: 'Orders must be in by midnight' })
      .expect(200);
    expect(changed.body.events).toEqual(['OrderingDeadlineChanged']);

    const refused = await order(tomorrow).expect(422);
    expect(refused.body.error).toMatchObject({
      code: 'ORDER_DEADLINE_PASSED',
      details: { date: tomorrow, deadline: { kind: 'daily', time: '00:00' } },
    });
    await order(addDays(tomorrow, 7)).expect(201);

    const deadlines = await shop
      .get('/catalog/ordering-deadlines')
      .query({ minPosition: changed.body.position })
      .expect(200);
    expect(deadlines.body.activity).toMatchObject({
      deadline: { kind: 'daily', time: '00:00' },
      source: 'set',
      reason: 'Orders must be in by midnight',
      updatedPosition: changed.body.position,
    });
    expect(deadlines.body.injection.source).toBe('configured');
  });

  it('refuses a deadline that is not one, and a kind that does not exist; the shop may not set one', async () => {
    const noWeekday = await production
      .put('/catalog/ordering-deadlines/activity')
      .send({ kind: 'weekly', time: '13:00', reason: 'Weekly now' })
      .expect(422);
    expect(noWeekday.body.error).toMatchObject({ code: 'INVALID_DEADLINE', details: { field: 'deadline.weekday' } });
    await production
      .put('/catalog/ordering-deadlines/activity')
      .send({ kind: 'daily', time: '24:00', reason: 'Late' })
      .expect(400);
    await production
      .put('/catalog/ordering-deadlines/bulk')
      .send({ kind: 'daily', time: '12:00', reason: 'Bulk' })
      .expect(400);
    await production.put('/catalog/ordering-deadlines/activity').send({ kind: 'daily', time: '12:00' }).expect(400);
    await shop
      .put('/catalog/ordering-deadlines/activity')
      .send({ kind: 'daily', time: '12:00', reason: 'Mine' })
      .expect(403);
  });
});
