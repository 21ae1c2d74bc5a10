import {
  auditEventSchemaVersions,
  auditTrailReviewsDecider,
  auditTrailReviewsStreamName,
  type ReviewAuditTrail,
} from '@tracershop/domain/audit';
import { identityEventSchemaVersions, userStreamName, type IdentityEventType } from '@tracershop/domain/identity';
import { openReadModelTestBed, type ReadModelTestBed } from '../../../test/projections/read-model-test-bed';
import { auditProjection } from './audit-projection';
import { AuditReadModel } from './audit-read-model';

const day = 'ordering.deliveryDay-endpoint-1:2026-12-07';
const otherDay = 'ordering.deliveryDay-endpoint-2:2026-12-07';

const review = (overrides: Partial<ReviewAuditTrail>): ReviewAuditTrail => ({
  type: 'ReviewAuditTrail',
  reviewId: 'review-1',
  recordStreamId: day,
  fromRevision: 0,
  throughRevision: 3,
  throughHash: 'a'.repeat(64),
  exceptions: [],
  workers: ['user-rita'],
  reviewer: { userId: 'user-quinn', printedName: 'Quinn QA' },
  conclusion: 'acceptable',
  findings: null,
  at: '2026-12-07T12:00:00.000Z',
  ...overrides,
});

const signatureFailed = (userId: string, recordStreamId: string | undefined, failedAt: string) => ({
  streamId: userStreamName(userId),
  type: 'SignatureAttemptFailed',
  data: {
    userId,
    meaning: 'release',
    reason: 'bad_password',
    failuresInWindow: 1,
    failedAt,
    ...(recordStreamId !== undefined ? { recordStreamId } : {}),
  },
});

describe('record.audit keeps the reviews of records and the failed attempts to sign them', () => {
  let bed: ReadModelTestBed;
  let readModel: AuditReadModel;

  beforeAll(async () => {
    bed = await openReadModelTestBed({
      purpose: 'audit',
      projection: auditProjection,
      schemaVersionOf: (type) =>
        type === 'AuditTrailReviewed'
          ? auditEventSchemaVersions.AuditTrailReviewed
          : identityEventSchemaVersions[type as IdentityEventType],
      actor: { kind: 'user', id: 'user-quinn', printedName: 'Quinn QA', role: 'releaser' },
    });
    readModel = new AuditReadModel(bed.pool, bed.database);
  });

  afterAll(async () => {
    await bed?.close();
  });

  it('given failed signatures, then those naming a record are listed for it, oldest first', async () => {
    // Appended out of time order: listed by when they failed
    await bed.appendEvents(
      signatureFailed('user-rita', day, '2026-12-07T09:00:00.000Z'),
      signatureFailed('user-per', day, '2026-12-07T08:00:00.000Z'),
      signatureFailed('user-per', otherDay, '2026-12-07T08:30:00.000Z'),
      // Recorded before failures named their record: no record's
      signatureFailed('user-per', undefined, '2026-12-07T08:45:00.000Z'),
    );
    await bed.caughtUp();
    const failures = await readModel.signatureFailuresOf(day);
    expect(failures.map(({ userId, failedAt, meaning, reason }) => [userId, failedAt, meaning, reason])).toEqual([
      ['user-per', '2026-12-07T08:00:00.000Z', 'release', 'bad_password'],
      ['user-rita', '2026-12-07T09:00:00.000Z', 'release', 'bad_password'],
    ]);
    expect((await readModel.signatureFailuresOf(day, '2026-12-07T08:00:00.000Z')).map(({ userId }) => userId)).toEqual([
      'user-rita',
    ]);
    expect(await readModel.signatureFailuresOf('ordering.deliveryDay-nobody:2026-12-07')).toEqual([]);
  });

  it('given reviews decided by the decider, then the record lists them in order and every review is listed by time', async () => {
    const exceptions = [
      {
        kind: 'correction' as const,
        eventId: 'e-3',
        revision: 3,
        type: 'ReleasedOrderCorrected',
        at: '2026-12-07T10:00:00.000Z',
        by: 'Rita',
        detail: 'Wrong vial',
      },
    ];
    const [first] = auditTrailReviewsDecider.decide(
      review({ exceptions, findings: 'Justified' }),
      auditTrailReviewsDecider.initialState(),
    );
    const state = auditTrailReviewsDecider.evolve(auditTrailReviewsDecider.initialState(), first);
    const [second] = auditTrailReviewsDecider.decide(
      review({
        reviewId: 'review-2',
        fromRevision: 4,
        throughRevision: 5,
        conclusion: 'not-acceptable',
        findings: 'Late release without a reason',
        at: '2026-12-08T12:00:00.000Z',
      }),
      state,
    );
    const reviews = auditTrailReviewsStreamName(day);
    const position = await bed.appendEvents({ streamId: reviews, ...first }, { streamId: reviews, ...second });
    await bed.caughtUp();

    const listed = await readModel.reviewsOf(day);
    expect(listed).toEqual([
      {
        reviewId: 'review-1',
        recordStreamId: day,
        fromRevision: '0',
        throughRevision: '3',
        throughHash: 'a'.repeat(64),
        reviewer: { userId: 'user-quinn', printedName: 'Quinn QA' },
        conclusion: 'acceptable',
        findings: 'Justified',
        exceptions,
        signature: null,
        reviewedAt: '2026-12-07T12:00:00.000Z',
        streamId: reviews,
        revision: '0',
        position: expect.any(String),
      },
      expect.objectContaining({
        reviewId: 'review-2',
        fromRevision: '4',
        throughRevision: '5',
        conclusion: 'not-acceptable',
        revision: '1',
        position: position.toString(),
      }),
    ]);
    expect(await readModel.reviewsOf(otherDay)).toEqual([]);

    const all = await readModel.listReviews({ limit: 1 });
    expect(all.items.map(({ reviewId }) => reviewId)).toEqual(['review-1']);
    const next = await readModel.listReviews({ limit: 1, cursor: all.nextCursor });
    expect(next).toEqual({ items: [expect.objectContaining({ reviewId: 'review-2' })], nextCursor: null });
    const rejected = await readModel.listReviews({ limit: 10, conclusion: 'not-acceptable' });
    expect(rejected.items.map(({ reviewId }) => reviewId)).toEqual(['review-2']);
    const onTheSeventh = await readModel.listReviews({
      limit: 10,
      from: '2026-12-07T00:00:00.000Z',
      to: '2026-12-08T00:00:00.000Z',
    });
    expect(onTheSeventh.items.map(({ reviewId }) => reviewId)).toEqual(['review-1']);
  });

  it('given a rebuild, then the same rows come back from the record', async () => {
    const before = {
      reviews: await readModel.reviewsOf(day),
      failures: await readModel.signatureFailuresOf(day),
    };
    const report = await bed.engine.rebuild(auditProjection.name);
    expect(report.eventsHandled).toBe(6);
    expect({
      reviews: await readModel.reviewsOf(day),
      failures: await readModel.signatureFailuresOf(day),
    }).toEqual(before);
  });
});
