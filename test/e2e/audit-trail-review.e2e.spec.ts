import { auditTrailReviewsStreamName } from '@tracershop/domain/audit';
import { deliveryDayStreamName } from '@tracershop/domain/ordering';
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
import { shapeMismatches, type OpenApiDocument } from './documented-shape';
import { connectRealtime, type RealtimeTestClient } from './realtime-client';

describe('a record’s audit trail is reviewed by exception, and the review is signed by someone independent', () => {
  let app: BootedApp;
  let auditor: ReturnType<typeof as>;
  let production: { id: string; token: string; client: ReturnType<typeof as> };
  let rita: { id: string; client: ReturnType<typeof as> };
  let quinn: { id: string; client: ReturnType<typeof as> };
  let board: RealtimeTestClient | null = null;
  let dayStream = '';
  let releaseId = '';
  const date = monday(3);
  const quinnSigns = { username: 'quinn.qa', password: PERSON_PASSWORD };

  beforeAll(async () => {
    app = await bootApp({}, { listen: true });
    const admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    const { fdg, endpoint, slotId } = await fdgCatalogue(admin, { weekday: 1, overheadPercent: 10 });
    production = await createPerson(app.server, admin, 'paula.production', { role: 'production' });
    auditor = (await createPerson(app.server, admin, 'aud.itor', { role: 'auditor' })).client;
    rita = await createPerson(app.server, admin, 'rita.releaser', { role: 'releaser' });
    quinn = await createPerson(app.server, admin, 'quinn.qa', { role: 'releaser' });
    await admin.post(`/identity/users/${rita.id}/release-rights`).send({ tracerId: fdg }).expect(200);
    dayStream = deliveryDayStreamName(endpoint, date);

    const placed = await production.client
      .post('/ordering/activity-orders')
      .send({ slotId, deliveryDate: date, activityMBq: 1000 })
      .expect(201);
    await production.client.post(`/ordering/orders/${placed.body.id}/accept`).expect(200);
    const vialId = await fdgVialTypedIn(production.client, date);
    const release = {
      slotId,
      deliveryDate: date,
      orderIds: [placed.body.id],
      vialIds: [vialId],
      confirmOtherDate: true,
    };
    // A mistyped password first: a failed attempt to sign this record.
    await rita.client
      .post('/ordering/releases/activity')
      .send({ ...release, signature: { username: 'rita.releaser', password: 'not her password' } })
      .expect(401);
    const signature = { username: 'rita.releaser', password: PERSON_PASSWORD };
    releaseId = (
      await rita.client
        .post('/ordering/releases/activity')
        .send({ ...release, signature })
        .expect(201)
    ).body.id;
    await rita.client
      .post(`/ordering/releases/${releaseId}/correct`)
      .send({ reason: 'Wrong vial recorded', signature })
      .expect(200);
  }, 60_000);

  afterAll(async () => {
    board?.close();
    await app?.close();
  });

  const recordPath = () => `/audit/reviews/records/${encodeURIComponent(dayStream)}`;

  it('given a released and corrected day, then its exceptions and the people who did its work are listed', async () => {
    const answer = await quinn.client.get(recordPath()).expect(200);
    const openApi = (await quinn.client.get('/docs/openapi.json').expect(200)).body as OpenApiDocument;
    expect(shapeMismatches(openApi, 'ReviewRecordDto', answer.body)).toEqual([]);
    expect(answer.body).toMatchObject({
      recordStreamId: dayStream,
      aggregate: 'DeliveryDay',
      headRevision: '3',
      reviewedThroughRevision: null,
      reviews: [],
      pending: {
        fromRevision: '0',
        throughRevision: '3',
        events: 4,
        workers: [production.id, rita.id],
      },
    });
    expect(answer.body.pending.throughHash).toMatch(/^[0-9a-f]{64}$/);
    expect(answer.body.pending.exceptions).toEqual([
      expect.objectContaining({
        kind: 'correction',
        revision: 3,
        type: 'ReleasedOrderCorrected',
        by: 'Person rita.releaser',
        detail: 'Wrong vial recorded',
      }),
      expect.objectContaining({
        kind: 'failed-signature',
        revision: null,
        type: 'SignatureAttemptFailed',
        by: rita.id,
        detail: 'release: bad_password',
      }),
    ]);
    // Auditors read it too; a shop does not, and a stream that is no record is not reviewable
    await auditor.get(recordPath()).expect(200);
    await production.client.get(recordPath()).expect(403);
    await quinn.client.get(`/audit/reviews/records/${encodeURIComponent('nothing.here-1')}`).expect(404);
  });

  it('refuses a review by someone who took part in the record, or one that says nothing of its exceptions', async () => {
    const refused = await rita.client
      .post(recordPath())
      .send({
        throughRevision: 3,
        conclusion: 'acceptable',
        findings: 'Fine',
        signature: { password: PERSON_PASSWORD },
      })
      .expect(403);
    expect(refused.body.error.code).toBe('REVIEWER_NOT_INDEPENDENT');
    const silent = await quinn.client
      .post(recordPath())
      .send({ throughRevision: 3, conclusion: 'acceptable', signature: quinnSigns })
      .expect(422);
    expect(silent.body.error.code).toBe('REVIEW_FINDINGS_REQUIRED');
    const beyond = await quinn.client
      .post(recordPath())
      .send({ throughRevision: 9, conclusion: 'acceptable', findings: 'x', signature: quinnSigns })
      .expect(422);
    expect(beyond.body.error.code).toBe('REVIEW_BEYOND_RECORD');
    await quinn.client
      .post(recordPath())
      .send({ throughRevision: 3, conclusion: 'maybe', findings: 'x', signature: quinnSigns })
      .expect(400);
    // Auditors never write
    await auditor
      .post(recordPath())
      .send({ throughRevision: 3, conclusion: 'acceptable', findings: 'x', signature: quinnSigns })
      .expect(403);
    const still = await quinn.client.get(recordPath()).expect(200);
    expect(still.body).toMatchObject({ reviews: [], reviewedThroughRevision: null });
  });

  it('records the signed review, announces it on the production day, and the next review starts after it', async () => {
    board = await connectRealtime(app.url as string, { token: production.token });
    expect(await board.join(`production-day:${date}`)).toMatchObject({ ok: true });
    await board.next('production-day.snapshot');

    const findings = 'Correction justified: the vial was recorded twice. The failed signature was a typing slip.';
    const reviewed = await quinn.client
      .post(recordPath())
      .send({ id: 'review-day-1', throughRevision: 3, conclusion: 'acceptable', findings, signature: quinnSigns })
      .expect(201);
    expect(reviewed.body).toMatchObject({
      id: 'review-day-1',
      streamId: auditTrailReviewsStreamName(dayStream),
      events: ['AuditTrailReviewed'],
    });

    const announced = await board.next(
      'record.reviewed',
      (message) => message.payload.review.reviewId === 'review-day-1',
    );
    expect(announced).toMatchObject({ topic: `production-day:${date}`, position: reviewed.body.position });
    expect(announced.payload.review).toMatchObject({
      recordStreamId: dayStream,
      deliveryDate: date,
      fromRevision: 0,
      throughRevision: 3,
      conclusion: 'acceptable',
      exceptionCount: 2,
      reviewer: 'Person quinn.qa',
    });

    const after = await quinn.client.get(recordPath()).query({ minPosition: reviewed.body.position }).expect(200);
    expect(after.body).toMatchObject({ reviewedThroughRevision: '3', pending: null });
    const openApi = (await auditor.get('/docs/openapi.json').expect(200)).body as OpenApiDocument;
    expect(shapeMismatches(openApi, 'ReviewRecordDto', after.body)).toEqual([]);
    expect(after.body.reviews).toEqual([
      expect.objectContaining({
        reviewId: 'review-day-1',
        fromRevision: '0',
        throughRevision: '3',
        reviewer: { userId: quinn.id, printedName: 'Person quinn.qa' },
        conclusion: 'acceptable',
        findings,
        signature: {
          signerId: quinn.id,
          printedName: 'Person quinn.qa',
          meaning: 'review',
          signedAt: expect.any(String),
          recordHash: expect.stringMatching(/^[0-9a-f]{64}$/),
          contentVersion: 2,
        },
        position: reviewed.body.position,
      }),
    ]);
    expect(after.body.reviews[0].exceptions.map((exception: { kind: string }) => exception.kind)).toEqual([
      'correction',
      'failed-signature',
    ]);

    // Nothing new to review; the signature verifies against the recorded review
    const again = await quinn.client
      .post(recordPath())
      .send({ throughRevision: 3, conclusion: 'acceptable', findings: 'again', signature: quinnSigns })
      .expect(409);
    expect(again.body.error.code).toBe('REVIEW_COVERS_NOTHING_NEW');
    const events = await auditor
      .get(`/audit/streams/${encodeURIComponent(auditTrailReviewsStreamName(dayStream))}/events`)
      .expect(200);
    expect(events.body).toMatchObject({ aggregate: 'AuditTrailReviews', chain: { ok: true, eventCount: 1 } });
    expect(events.body.events[0]).toMatchObject({
      type: 'AuditTrailReviewed',
      actor: { id: quinn.id },
      signature: { signerId: quinn.id, meaning: 'review', printedName: 'Person quinn.qa' },
      signatureVerified: true,
    });

    // The signature register lists it beside the release and the correction, verified against the record
    const register = await auditor.get('/audit/signatures').query({ minPosition: reviewed.body.position }).expect(200);
    expect(register.body.items.map((item: { signed: string }) => item.signed)).toEqual([
      'release',
      'release-correction',
      'audit-trail-review',
    ]);
    const reviews = await auditor.get('/audit/signatures').query({ meaning: 'review' }).expect(200);
    expect(reviews.body.items).toEqual([
      {
        signature: after.body.reviews[0].signature,
        signed: 'audit-trail-review',
        streamId: auditTrailReviewsStreamName(dayStream),
        releaseId: null,
        releaseKind: null,
        deliveryDate: null,
        tracerId: null,
        customerId: null,
        reviewId: 'review-day-1',
        recordStreamId: dayStream,
        revision: '0',
        verified: true,
      },
    ]);

    // Auditors list every review by reviewer, conclusion and period
    const list = await auditor.get('/audit/reviews').query({ reviewerId: quinn.id }).expect(200);
    expect(list.body).toMatchObject({
      items: [{ reviewId: 'review-day-1', recordStreamId: dayStream }],
      nextCursor: null,
    });
    // (as the OpenAPI document describes it, at every depth)
    expect(shapeMismatches(openApi, 'AuditTrailReviewPageDto', list.body)).toEqual([]);
    const rejected = await auditor.get('/audit/reviews').query({ conclusion: 'not-acceptable' }).expect(200);
    expect(rejected.body.items).toEqual([]);
    await auditor.get('/audit/reviews').query({ from: 'yesterday' }).expect(400);
  });
});
