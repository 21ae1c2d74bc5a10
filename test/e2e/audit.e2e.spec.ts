import { deliveryDayStreamName } from '@tracershop/domain/ordering';
import { userStreamName } from '@tracershop/domain/identity';
import {
  ADMIN,
  as,
  bootApp,
  createPerson,
  fdgCatalogue,
  fdgVialTypedIn,
  logIn,
  monday,
  PERSON_PASSWORD,
  type BootedApp,
} from './booted-app';
import { answerMismatches, type OpenApiDocument } from './documented-shape';

describe('auditors read the record itself: every event of a stream, and the state as it stood', () => {
  let app: BootedApp;
  let auditor: ReturnType<typeof as>;
  let shop: ReturnType<typeof as>;
  let production: { id: string; client: ReturnType<typeof as> };
  let rita: { id: string; client: ReturnType<typeof as> };
  let dayStream = '';
  let orderId = '';
  let releaseId = '';
  const date = monday(3);

  beforeAll(async () => {
    app = await bootApp();
    const admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    const { fdg, customer, endpoint, slotId } = await fdgCatalogue(admin, { weekday: 1, overheadPercent: 10 });
    production = await createPerson(app.server, admin, 'paula.production', { role: 'production' });
    auditor = (await createPerson(app.server, admin, 'aud.itor', { role: 'auditor' })).client;
    shop = (await createPerson(app.server, admin, 'sally.shop', { role: 'shop', customerIds: [customer] })).client;
    const placed = await production.client
      .post('/ordering/activity-orders')
      .send({ slotId, deliveryDate: date, activityMBq: 1000 })
      .expect(201);
    orderId = placed.body.id;
    await production.client.post(`/ordering/orders/${orderId}/accept`).expect(200);
    dayStream = deliveryDayStreamName(endpoint, date);

    // Released under Rita's signature, then taken back under another, with a reason.
    rita = await createPerson(app.server, admin, 'rita.releaser', { role: 'releaser' });
    await admin.post(`/identity/users/${rita.id}/release-rights`).send({ tracerId: fdg }).expect(200);
    const vialId = await fdgVialTypedIn(production.client, date);
    const signature = { username: 'rita.releaser', password: PERSON_PASSWORD };
    const released = await rita.client
      .post('/ordering/releases/activity')
      .send({
        slotId,
        deliveryDate: date,
        orderIds: [orderId],
        vialIds: [vialId],
        confirmOtherDate: true,
        signature,
      })
      .expect(201);
    releaseId = released.body.id;
    await rita.client
      .post(`/ordering/releases/${releaseId}/correct`)
      .send({ reason: 'Wrong vial recorded', signature })
      .expect(200);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  const eventsOf = (streamId: string, query: object = {}) =>
    auditor.get(`/audit/streams/${encodeURIComponent(streamId)}/events`).query(query);
  const stateOf = (streamId: string, query: object = {}) =>
    auditor.get(`/audit/streams/${encodeURIComponent(streamId)}/state`).query(query);

  it('lists who did what, when and with which hash; the chain holds', async () => {
    const answer = await eventsOf(dayStream).expect(200);
    expect(answer.body).toMatchObject({
      streamId: dayStream,
      aggregate: 'DeliveryDay',
      chain: { ok: true, eventCount: 4 },
      nextRevision: null,
    });
    const [placed, accepted, released, corrected] = answer.body.events;
    expect(released).toMatchObject({
      type: 'ActivityReleased',
      // Signed under the second content version: the vials' values are covered too.
      signature: { signerId: rita.id, meaning: 'release', printedName: 'Person rita.releaser', contentVersion: 2 },
      signatureVerified: true,
    });
    expect(corrected).toMatchObject({
      type: 'ReleasedOrderCorrected',
      reason: 'Wrong vial recorded',
      signature: { meaning: 'correct', contentVersion: 2 },
      signatureVerified: true,
    });
    expect(placed.signatureVerified).toBeNull();
    // Schema transparency: stored as shown (no upcaster), and the read models whose code used it
    expect(placed.upcaster).toBeNull();
    expect(placed.readBy).toEqual(
      expect.arrayContaining([
        { projection: 'record.ordering', version: expect.any(Number) },
        { projection: 'legacy.tracershop', version: expect.any(Number) },
        { projection: 'live.dashboards', version: expect.any(Number) },
      ]),
    );
    expect(placed.readBy.map(({ projection }: { projection: string }) => projection)).not.toContain('record.catalog');
    expect(placed).toMatchObject({
      revision: '0',
      type: 'OrderPlaced',
      schemaVersion: 1,
      actor: { kind: 'user', id: production.id, printedName: 'Person paula.production', role: 'production' },
      prevHash: null,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(accepted).toMatchObject({ revision: '1', type: 'OrderAccepted', prevHash: placed.hash });
    expect(Date.parse(accepted.recordedAt)).toBeGreaterThanOrEqual(Date.parse(placed.recordedAt));
    // Paged by revision
    const first = await eventsOf(dayStream, { limit: 1 }).expect(200);
    expect(first.body.events.map((event: { type: string }) => event.type)).toEqual(['OrderPlaced']);
    expect(first.body.nextRevision).toBe('1');
    const rest = await eventsOf(dayStream, { fromRevision: 1, limit: 1 }).expect(200);
    expect(rest.body.events.map((event: { type: string }) => event.type)).toEqual(['OrderAccepted']);
    expect(rest.body.nextRevision).toBe('2');
  });

  it('folds the state as it stood after a revision, or at a recorded time, with the command side’s evolve', async () => {
    const [placed] = (await eventsOf(dayStream).expect(200)).body.events;
    const atFirst = await stateOf(dayStream, { revision: 0 }).expect(200);
    expect(atFirst.body).toMatchObject({ aggregate: 'DeliveryDay', events: 1, revision: '0' });
    expect(atFirst.body.state.orders[orderId]).toMatchObject({ status: 'ordered', activityMBq: 1000 });
    const accepted = await stateOf(dayStream, { revision: 1 }).expect(200);
    expect(accepted.body.state.orders[orderId].status).toBe('accepted');
    const released = await stateOf(dayStream, { revision: 2 }).expect(200);
    expect(released.body.state.orders[orderId].status).toBe('released');
    // Corrected: accepted again, the release kept as corrected
    const now = await stateOf(dayStream).expect(200);
    expect(now.body.state.orders[orderId].status).toBe('accepted');
    expect(now.body.state.releases[releaseId]).toMatchObject({ status: 'corrected' });
    const known = await stateOf(dayStream, { recordedAt: placed.recordedAt }).expect(200);
    // What the system knew when the order was recorded: the order (its acceptance came after, or in the same ms)
    expect(known.body.events).toBeGreaterThanOrEqual(1);
    expect(known.body.state.orders[orderId]).toMatchObject({ activityMBq: 1000 });
    const unknown = await stateOf(dayStream, { recordedAt: '2000-01-01T00:00:00.000Z' }).expect(200);
    expect(unknown.body.events).toBe(0);
    const before = await stateOf(dayStream, { occurredAt: '2000-01-01T00:00:00.000Z' }).expect(200);
    expect(before.body).toMatchObject({ events: 0, revision: null, state: { orders: {} } });
    await stateOf(dayStream, { revision: 0, recordedAt: placed.recordedAt }).expect(400);
  });

  it('flags what changed since it was first recorded: the corrected release, with who, when and why', async () => {
    const answer = await auditor.get(`/audit/streams/${encodeURIComponent(dayStream)}/changes`).expect(200);
    expect(answer.body).toMatchObject({
      streamId: dayStream,
      aggregate: 'DeliveryDay',
      revision: '3',
      changedFields: 4,
    });
    expect(
      answer.body.fields.map((field: { entity: string; field: string; original: unknown; current: unknown }) => [
        field.entity,
        field.field,
        field.original,
        field.current,
      ]),
    ).toEqual([
      [`release:${releaseId}`, 'lot', 'FDG-261207-1', null],
      // Who released it: the correction withdraws the signer's release too
      [`release:${releaseId}`, 'releasedBy', expect.objectContaining({ userId: rita.id }), null],
      [`release:${releaseId}`, 'status', 'released', 'accepted'],
      [`release:${releaseId}`, 'vials', [expect.objectContaining({ lot: 'FDG-261207-1' })], []],
    ]);
    expect(answer.body.fields[0].changes).toEqual([
      expect.objectContaining({
        revision: 3,
        type: 'ReleasedOrderCorrected',
        by: 'Person rita.releaser',
        reason: 'Wrong vial recorded',
      }),
    ]);
    await shop.get(`/audit/streams/${encodeURIComponent(dayStream)}/changes`).expect(403);
    await auditor.get(`/audit/streams/${encodeURIComponent('nothing.here-1')}/changes`).expect(404);
  });

  it('lists every signature by signing time, with printed name, meaning and the record it signed', async () => {
    const register = await auditor.get('/audit/signatures').expect(200);
    expect(register.body.items).toEqual([
      {
        signature: expect.objectContaining({
          signerId: rita.id,
          printedName: 'Person rita.releaser',
          meaning: 'release',
        }),
        signed: 'release',
        releaseId,
        releaseKind: 'activity',
        streamId: dayStream,
        deliveryDate: date,
        tracerId: expect.any(String),
        customerId: expect.any(String),
        reviewId: null,
        recordStreamId: null,
        revision: '2',
        verified: true,
      },
      expect.objectContaining({
        signature: expect.objectContaining({ signerId: rita.id, meaning: 'correct' }),
        signed: 'release-correction',
        releaseId,
        revision: '3',
        verified: true,
      }),
    ]);
    const [first, second] = register.body.items;
    expect(first.signature.recordHash).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(second.signature.signedAt)).toBeGreaterThanOrEqual(Date.parse(first.signature.signedAt));

    // Filtered by meaning, signer and period; paged with a cursor
    const corrections = await auditor.get('/audit/signatures').query({ meaning: 'correct' }).expect(200);
    expect(corrections.body.items.map((item: { signed: string }) => item.signed)).toEqual(['release-correction']);
    expect((await auditor.get('/audit/signatures').query({ signerId: production.id }).expect(200)).body.items).toEqual(
      [],
    );
    const later = await auditor
      .get('/audit/signatures')
      .query({ from: new Date(Date.parse(second.signature.signedAt) + 1).toISOString() })
      .expect(200);
    expect(later.body.items).toEqual([]);
    const page1 = await auditor.get('/audit/signatures').query({ limit: 1 }).expect(200);
    expect(page1.body.items).toEqual([first]);
    const page2 = await auditor.get('/audit/signatures').query({ limit: 1, cursor: page1.body.nextCursor }).expect(200);
    expect(page2.body).toEqual({ items: [second], nextCursor: null });
    await auditor.get('/audit/signatures').query({ cursor: 'nonsense' }).expect(400);
    await shop.get('/audit/signatures').expect(403);
  });

  it('searches across every stream: everything one command caused, or one person did', async () => {
    const dayEvents = (await eventsOf(dayStream).expect(200)).body.events as Array<{
      type: string;
      correlationId: string;
    }>;
    const release = dayEvents.find((event) => event.type === 'ActivityReleased')!;
    const caused = await auditor.get('/audit/events').query({ correlationId: release.correlationId }).expect(200);
    const types = (caused.body.items as Array<{ type: string; streamId: string; correlationId: string }>).map(
      (item) => `${item.streamId.split('-')[0]}:${item.type}`,
    );
    // The release on the delivery day, and its vial taken on the vial's own stream
    expect(types).toEqual(
      expect.arrayContaining(['ordering.deliveryDay:ActivityReleased', 'ordering.vial:VialAssigned']),
    );
    expect(
      (caused.body.items as Array<{ correlationId: string }>).every(
        (item) => item.correlationId === release.correlationId,
      ),
    ).toBe(true);
    expect(caused.body.nextPosition).toBeNull();

    const byRita = await auditor
      .get('/audit/events')
      .query({ actorId: rita.id, type: 'ReleasedOrderCorrected' })
      .expect(200);
    expect(byRita.body.items).toEqual([
      expect.objectContaining({ type: 'ReleasedOrderCorrected', streamId: dayStream }),
    ]);

    // One match at a time: the answer says where to go on from
    const first = await auditor
      .get('/audit/events')
      .query({ streamPrefix: 'ordering.deliveryDay-', limit: 1 })
      .expect(200);
    expect(first.body.items.map((item: { type: string }) => item.type)).toEqual(['OrderPlaced']);
    const next = await auditor
      .get('/audit/events')
      .query({ streamPrefix: 'ordering.deliveryDay-', limit: 1, after: first.body.nextPosition })
      .expect(200);
    expect(next.body.items.map((item: { type: string }) => item.type)).toEqual(['OrderAccepted']);
    await auditor.get('/audit/events').query({ after: 'yesterday' }).expect(400);
    await shop.get('/audit/events').expect(403);
  });

  it('searches by what the record names: a batch, a tracer, a slot-day; a filter on anything else is refused', async () => {
    const typesOf = (answer: { body: { items: Array<{ type: string; streamId: string }> } }) =>
      answer.body.items.map((item) => `${item.streamId.split('-')[0]}:${item.type}`);
    // The lot as the dispenser prints it (`:` for `-`): its vial (taken before the release is
    // recorded), and the release and correction naming it
    const batch = await auditor.get('/audit/events').query({ lot: 'FDG:261207:1' }).expect(200);
    expect(typesOf(batch)).toEqual([
      'ordering.vial:VialDispensed',
      'ordering.vial:VialAssigned',
      'ordering.deliveryDay:ActivityReleased',
      'ordering.deliveryDay:ReleasedOrderCorrected',
      'ordering.vial:VialUnassigned',
    ]);
    const tracer = (await eventsOf(dayStream).expect(200)).body.events[0].data.order.tracerId as string;
    const byTracer = await auditor
      .get('/audit/events')
      .query({ tracerId: tracer, streamPrefix: 'ordering.' })
      .expect(200);
    expect(typesOf(byTracer)).toEqual(['ordering.deliveryDay:OrderPlaced', 'ordering.deliveryDay:ActivityReleased']);
    const slotId = (await eventsOf(dayStream).expect(200)).body.events[0].data.order.slotId as string;
    const slotDay = await auditor.get('/audit/events').query({ slotId, deliveryDate: date }).expect(200);
    expect(typesOf(slotDay)).toEqual(['ordering.deliveryDay:OrderPlaced', 'ordering.deliveryDay:ActivityReleased']);
    const otherDay = await auditor.get('/audit/events').query({ slotId, deliveryDate: '2030-01-07' }).expect(200);
    expect(otherDay.body.items).toEqual([]);
    const refused = await auditor.get('/audit/events').query({ autoclave: 'AC-1' }).expect(400);
    expect(JSON.stringify(refused.body)).toContain('autoclave');
  });

  it('never shows a credential’s hash: the field is named, its value replaced', async () => {
    const events = await eventsOf(userStreamName(production.id)).expect(200);
    const passwordSet = events.body.events.find((event: { type: string }) => event.type === 'PasswordSet');
    expect(passwordSet).toMatchObject({ data: { passwordHash: '[redacted]' }, redacted: ['passwordHash'] });
    const state = await stateOf(userStreamName(production.id)).expect(200);
    expect(state.body.aggregate).toBe('User');
    expect(JSON.stringify(state.body)).not.toMatch(/scrypt/);
  });

  it('answers what the OpenAPI document describes, at every depth: events, changes, state, search, signatures', async () => {
    // Given the released and corrected day (signed twice, a field changed) and a user's stream (redacted)
    const openApi = (await auditor.get('/docs/openapi.json').expect(200)).body as OpenApiDocument;
    const stream = encodeURIComponent(dayStream);
    const reads: Array<[path: string, query: object]> = [
      [`/audit/streams/${stream}/events`, {}],
      [`/audit/streams/${encodeURIComponent(userStreamName(production.id))}/events`, {}],
      [`/audit/streams/${stream}/changes`, {}],
      [`/audit/streams/${stream}/state`, { revision: 2 }],
      ['/audit/events', { streamPrefix: dayStream }],
      ['/audit/signatures', { signerId: rita.id }],
    ];
    // When each is read, then its answer has exactly the keys its schema documents
    for (const [path, query] of reads) {
      const answer = await auditor.get(path).query(query).expect(200);
      expect([path, answerMismatches(openApi, path, answer.body)]).toEqual([path, []]);
    }
    const changes = await auditor.get(`/audit/streams/${stream}/changes`).expect(200);
    expect(changes.body.fields.length).toBeGreaterThan(0);
    const signatures = await auditor.get('/audit/signatures').query({ signerId: rita.id }).expect(200);
    expect(signatures.body.items).toHaveLength(2);
  });

  it('answers 404 for a stream that does not exist, and 403 to anyone but auditors and administrators', async () => {
    expect((await eventsOf('ordering.deliveryDay-nowhere:2026-01-05').expect(404)).body.error.code).toBe(
      'STREAM_NOT_FOUND',
    );
    expect((await stateOf('nobody.knows-1').expect(404)).body.error.code).toBe('AGGREGATE_TYPE_UNKNOWN');
    await shop.get(`/audit/streams/${encodeURIComponent(dayStream)}/events`).expect(403);
    await production.client.get(`/audit/streams/${encodeURIComponent(dayStream)}/state`).expect(403);
  });
});
