import { specFor } from '../kernel/decider-spec';
import {
  auditTrailReviewsDecider,
  auditTrailReviewsStreamName,
  reviewExceptions,
  workersOf,
  type ReviewAuditTrail,
  type ReviewedEvent,
} from './audit-trail-review';

const spec = specFor(auditTrailReviewsDecider);
const at = '2026-12-07T10:00:00.000Z';
const record = 'ordering.deliveryDay-endpoint-1_2026-12-07';
const production = { kind: 'user', id: 'user-per', printedName: 'Per Produktion' };
const releaser = { kind: 'user', id: 'user-rita', printedName: 'Rita Releaser' };

const event = (
  revision: number,
  type: string,
  data: unknown,
  overrides: Partial<ReviewedEvent> = {},
): ReviewedEvent => ({
  eventId: `event-${revision}`,
  revision,
  type,
  data,
  occurredAt: '2026-12-07T07:00:00.000Z',
  recordedAt: '2026-12-07T07:00:01.000Z',
  actor: production,
  ...overrides,
});

const review = (overrides: Partial<ReviewAuditTrail> = {}): ReviewAuditTrail => ({
  type: 'ReviewAuditTrail',
  reviewId: 'review-1',
  recordStreamId: record,
  fromRevision: 0,
  throughRevision: 4,
  throughHash: 'hash-4',
  exceptions: [],
  workers: ['user-per', 'user-rita'],
  reviewer: { userId: 'user-quinn', printedName: 'Quinn QA' },
  conclusion: 'acceptable',
  findings: null,
  at,
  ...overrides,
});

const reviewed = (throughRevision: number, reviewId = 'review-1') => ({
  type: 'AuditTrailReviewed' as const,
  data: {
    reviewId,
    scope: { streamId: record, fromRevision: 0, throughRevision, throughHash: `hash-${throughRevision}` },
    reviewer: { userId: 'user-quinn', printedName: 'Quinn QA' },
    exceptions: [],
    conclusion: 'acceptable' as const,
    findings: null,
    reviewedAt: at,
  },
});

describe('Audit trail reviews', () => {
  it('keeps the reviews of one record in a stream named after it', () => {
    expect(auditTrailReviewsStreamName(record)).toBe(`audit.trailReviews-${record}`);
  });

  describe('review by exception', () => {
    it('given a plain day of orders, then nothing is exceptional', () => {
      const events = [
        event(0, 'OrderPlaced', { deadlineOverrideReason: null }),
        event(1, 'OrderAccepted', { orderId: 'o1' }),
        event(2, 'ActivityReleased', { releaseId: 'r1' }, { actor: releaser }),
      ];
      expect(reviewExceptions(events)).toEqual([]);
    });

    it('given corrections, overrides, moves, late cancellations, reinstatements and dead orders, then each is listed in record order', () => {
      const events = [
        event(0, 'OrderPlaced', { deadlineOverrideReason: 'Ring fra klinikken' }),
        event(1, 'OrderMovedToSlot', { orderId: 'o1', reason: 'Kørsel samlet' }),
        event(2, 'DeadOrderFlagged', { orderId: 'ghost-1' }),
        event(3, 'OrderCancelled', { orderId: 'o2', previousStatus: 'accepted', reason: 'Patient aflyst' }),
        event(4, 'OrderCancelled', { orderId: 'o3', previousStatus: 'ordered', reason: 'Fejlbestilling' }),
        event(5, 'OrderReinstated', { orderId: 'o2', previousStatus: 'cancelled', reason: 'Patient kommer alligevel' }),
        event(6, 'ReleasedOrderCorrected', { releaseId: 'r1', reason: 'Forkert hætteglas' }, { actor: releaser }),
      ];
      expect(reviewExceptions(events).map(({ kind, revision, detail }) => [kind, revision, detail])).toEqual([
        ['deadline-override', 0, 'Ring fra klinikken'],
        ['move', 1, 'Kørsel samlet'],
        ['dead-order', 2, 'order ghost-1'],
        ['cancellation-after-acceptance', 3, 'Patient aflyst'],
        ['reinstatement', 5, 'Patient kommer alligevel'],
        ['correction', 6, 'Forkert hætteglas'],
      ]);
    });

    it('given a vial voided and restored, then each is a correction with its reason', () => {
      const events = [
        event(0, 'VialDispensed', { vialId: 'v1' }),
        event(1, 'VialVoided', { vialId: 'v1', reason: 'Forkert lotnummer tastet' }),
        event(2, 'VialRestored', { vialId: 'v1', reason: 'Annulleret ved en fejl' }),
      ];
      expect(reviewExceptions(events).map(({ kind, revision, detail }) => [kind, revision, detail])).toEqual([
        ['correction', 1, 'Forkert lotnummer tastet'],
        ['correction', 2, 'Annulleret ved en fejl'],
      ]);
    });

    it('given an entry recorded long after it occurred, then it is a late entry, with the reason given', () => {
      const late = event(
        0,
        'VialDispensed',
        { vialId: 'v1' },
        { occurredAt: '2026-12-07T07:00:00.000Z', recordedAt: '2026-12-07T09:30:00.000Z', reason: 'late entry' },
      );
      const prompt = event(1, 'VialDispensed', { vialId: 'v2' }, { recordedAt: '2026-12-07T07:59:00.000Z' });
      expect(reviewExceptions([late, prompt])).toEqual([
        {
          kind: 'late-entry',
          eventId: 'event-0',
          revision: 0,
          type: 'VialDispensed',
          at: '2026-12-07T09:30:00.000Z',
          by: 'Per Produktion',
          detail: 'recorded 150 minutes after it occurred: late entry',
        },
      ]);
    });

    it('given failed attempts to sign the record, then they follow its events, oldest first', () => {
      const failures = [
        { eventId: 'f2', userId: 'user-rita', meaning: 'release', reason: 'bad_password', failedAt: at },
        {
          eventId: 'f1',
          userId: 'user-per',
          meaning: 'release',
          reason: 'missing_right',
          failedAt: '2026-12-07T09:00:00.000Z',
        },
      ];
      const exceptions = reviewExceptions([event(0, 'VialCorrected', { reason: 'Vejning' })], failures);
      expect(exceptions.map(({ kind, eventId }) => [kind, eventId])).toEqual([
        ['correction', 'event-0'],
        ['failed-signature', 'f1'],
        ['failed-signature', 'f2'],
      ]);
    });

    it('names the people who did the work, applications left out', () => {
      const events = [
        event(0, 'OrderPlaced', {}),
        event(1, 'VialDispensed', {}, { actor: { kind: 'application', id: 'dispenser', printedName: 'Dispenser' } }),
        event(2, 'ActivityReleased', {}, { actor: releaser }),
        event(3, 'OrderAccepted', {}),
      ];
      expect(workersOf(events)).toEqual(['user-per', 'user-rita']);
    });
  });

  describe('signing a review', () => {
    it('given no review yet, when an independent reviewer finds the record acceptable, then the review is on record', () => {
      spec
        .given([])
        .when(review())
        .then([reviewed(4)]);
    });

    it('given a reviewer who took part in the record, then the review is refused', () => {
      spec
        .given([])
        .when(review({ reviewer: { userId: 'user-rita', printedName: 'Rita Releaser' } }))
        .thenThrows('REVIEWER_NOT_INDEPENDENT');
    });

    it('given exceptions, when the reviewer says nothing about them, then the findings are required', () => {
      const exceptions = reviewExceptions([event(0, 'OrderMovedToSlot', { reason: 'Kørsel' })]);
      spec.given([]).when(review({ exceptions })).thenThrows('REVIEW_FINDINGS_REQUIRED');
      spec
        .given([])
        .when(review({ exceptions, findings: '  ' }))
        .thenThrows('REVIEW_FINDINGS_REQUIRED');
      spec
        .given([])
        .when(review({ exceptions, findings: 'Flytningen er begrundet' }))
        .then([{ ...reviewed(4), data: { ...reviewed(4).data, exceptions, findings: 'Flytningen er begrundet' } }]);
    });

    it('given a record found not acceptable, then the grounds are required', () => {
      spec
        .given([])
        .when(review({ conclusion: 'not-acceptable' }))
        .thenThrows('REVIEW_FINDINGS_REQUIRED');
    });

    it('given a review through revision 4, then the next covers 5 onwards and nothing already reviewed', () => {
      spec
        .given([reviewed(4)])
        .when(review({ reviewId: 'review-2', fromRevision: 5, throughRevision: 4 }))
        .thenThrows('REVIEW_COVERS_NOTHING_NEW');
      spec
        .given([reviewed(4)])
        .when(review({ reviewId: 'review-2', fromRevision: 0, throughRevision: 6 }))
        .thenThrows('REVIEW_RANGE_STALE');
      spec
        .given([reviewed(4)])
        .when(review({ reviewId: 'review-2', fromRevision: 5, throughRevision: 6, throughHash: 'hash-6' }))
        .then([
          {
            ...reviewed(6, 'review-2'),
            data: {
              ...reviewed(6, 'review-2').data,
              scope: { streamId: record, fromRevision: 5, throughRevision: 6, throughHash: 'hash-6' },
            },
          },
        ]);
    });

    it('given the same review again, then nothing more is recorded', () => {
      spec
        .given([reviewed(4)])
        .when(review())
        .thenNothing();
    });

    it('given an unknown conclusion, then it is refused', () => {
      spec
        .given([])
        .when(review({ conclusion: 'fine' as never }))
        .thenThrows('INVALID_REVIEW_CONCLUSION');
    });
  });
});
