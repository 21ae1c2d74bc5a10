import { requireId, requireInstant, requireInteger, requireOneOf, requireText } from '../catalog/field-validation';
import { redactSecrets } from '../identity/secret-fields';
import { conflict, forbidden, ruleViolated, type Decider, type DomainEvent } from '../kernel';

/**
 * The review of a record's audit trail (GMP, Annex 11 §9 "regularly reviewed", auditor capability
 * 9): someone independent of the work reads what is exceptional in the record since the last
 * review (corrections, late entries, overridden deadlines, moves, cancellations after acceptance,
 * dead orders, failed signatures), concludes, and signs (`review`). Each review covers the
 * revisions after the previous one, so the reviews of a record form one unbroken sequence. One
 * stream per reviewed record.
 */
export const auditTrailReviewsStreamName = (recordStreamId: string) => `audit.trailReviews-${recordStreamId}`;

/** Occurred more than this before it was recorded: a late entry (ALCOA+ "contemporaneous"). */
export const LATE_ENTRY_TOLERANCE_MINUTES = 60;

export const reviewExceptionKinds = [
  'correction',
  'late-entry',
  'deadline-override',
  'move',
  'cancellation-after-acceptance',
  'reinstatement',
  'dead-order',
  'failed-signature',
] as const;
export type ReviewExceptionKind = (typeof reviewExceptionKinds)[number];

export const reviewConclusions = ['acceptable', 'not-acceptable'] as const;
export type ReviewConclusion = (typeof reviewConclusions)[number];

/** An event of the reviewed record, as much of it as the review reads. */
export interface ReviewedEvent {
  eventId: string;
  revision: number;
  type: string;
  data: unknown;
  occurredAt: string;
  recordedAt: string;
  actor: { kind: string; id: string; printedName: string };
  reason?: string;
}

/** What the audit reads of a stored event: its envelope's who, when and why (no store types here). */
export interface StoredEventLike {
  revision: bigint;
  type: string;
  data: unknown;
  metadata: {
    eventId: string;
    occurredAt: string;
    recordedAt: string;
    actor: { kind: string; id: string; printedName: string };
    reason?: string;
  };
}

/** A stored event as the review and the field history read it; credentials' hashes never among it. */
export const reviewedEventOf = (event: StoredEventLike): ReviewedEvent => ({
  eventId: event.metadata.eventId,
  revision: Number(event.revision),
  type: event.type,
  data: redactSecrets(event.type, event.data).data,
  occurredAt: event.metadata.occurredAt,
  recordedAt: event.metadata.recordedAt,
  actor: event.metadata.actor,
  ...(event.metadata.reason !== undefined ? { reason: event.metadata.reason } : {}),
});

/** A failed attempt to sign this record (`SignatureAttemptFailed` naming it). */
export interface FailedSignatureOfRecord {
  eventId: string;
  userId: string;
  meaning: string;
  reason: string;
  failedAt: string;
}

/** What the reviewer is shown and the review records: one exceptional entry of the record. */
export interface ReviewException {
  kind: ReviewExceptionKind;
  /** The record's event, or the failed signature's event on the signer's stream. */
  eventId: string;
  /** The record's revision; null for a failed signature (it is on the signer's stream). */
  revision: number | null;
  type: string;
  at: string;
  by: string;
  detail: string;
}

const minutesBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 60_000;

/** The exceptions among one event's entries; most events have none. */
function exceptionsOf(event: ReviewedEvent, lateEntryToleranceMinutes: number): ReviewException[] {
  const found: ReviewException[] = [];
  const data = (event.data ?? {}) as Record<string, unknown>;
  const add = (kind: ReviewExceptionKind, detail: string) =>
    found.push({
      kind,
      eventId: event.eventId,
      revision: event.revision,
      type: event.type,
      at: event.recordedAt,
      by: event.actor.printedName,
      detail,
    });
  const reason = typeof data.reason === 'string' ? data.reason : (event.reason ?? '');
  // A vial voided or restored corrects the record of what was dispensed.
  const corrects = ['VialUnassigned', 'VialVoided', 'VialRestored'].includes(event.type);
  if (event.type.endsWith('Corrected') || corrects) add('correction', reason);
  if (event.type === 'OrderPlaced' && typeof data.deadlineOverrideReason === 'string') {
    add('deadline-override', data.deadlineOverrideReason);
  }
  if (event.type === 'OrderMovedToSlot' || event.type === 'OrderRestoredToSlot') add('move', reason);
  if (event.type === 'OrderCancelled' && data.previousStatus === 'accepted') {
    add('cancellation-after-acceptance', reason);
  }
  if (event.type === 'OrderReinstated') add('reinstatement', reason);
  if (event.type === 'DeadOrderFlagged') add('dead-order', `order ${String(data.orderId)}`);
  const lateBy = minutesBetween(event.occurredAt, event.recordedAt);
  if (lateBy > lateEntryToleranceMinutes) {
    add('late-entry', `recorded ${Math.round(lateBy)} minutes after it occurred${reason ? `: ${reason}` : ''}`);
  }
  return found;
}

/**
 * Review by exception: what in these events (and the failed attempts to sign the record) a
 * reviewer must look at, in record order, failed signatures last in the order they failed.
 */
export function reviewExceptions(
  events: readonly ReviewedEvent[],
  failedSignatures: readonly FailedSignatureOfRecord[] = [],
  lateEntryToleranceMinutes = LATE_ENTRY_TOLERANCE_MINUTES,
): ReviewException[] {
  return [
    ...events.flatMap((event) => exceptionsOf(event, lateEntryToleranceMinutes)),
    ...[...failedSignatures]
      .sort((a, b) => a.failedAt.localeCompare(b.failedAt))
      .map((failure): ReviewException => ({
        kind: 'failed-signature',
        eventId: failure.eventId,
        revision: null,
        type: 'SignatureAttemptFailed',
        at: failure.failedAt,
        by: failure.userId,
        detail: `${failure.meaning}: ${failure.reason}`,
      })),
  ];
}

/** The people who did the record's work: every person who caused one of its events. */
export function workersOf(events: readonly ReviewedEvent[]): string[] {
  return [...new Set(events.filter((event) => event.actor.kind === 'user').map((event) => event.actor.id))];
}

// Commands

export interface ReviewAuditTrail {
  type: 'ReviewAuditTrail';
  reviewId: string;
  recordStreamId: string;
  /** The first revision the review covers: the one after the previous review's last. */
  fromRevision: number;
  throughRevision: number;
  /** The hash of the record's event at `throughRevision`: the exact version reviewed. */
  throughHash: string;
  /** Computed by the server from the record, never sent by a client. */
  exceptions: ReviewException[];
  workers: string[];
  reviewer: { userId: string; printedName: string };
  conclusion: ReviewConclusion;
  findings: string | null;
  at: string;
}

export type AuditTrailReviewCommand = ReviewAuditTrail;

// Events

export interface AuditTrailReviewedData {
  reviewId: string;
  scope: { streamId: string; fromRevision: number; throughRevision: number; throughHash: string };
  reviewer: { userId: string; printedName: string };
  exceptions: ReviewException[];
  conclusion: ReviewConclusion;
  findings: string | null;
  reviewedAt: string;
}

export type AuditTrailReviewed = DomainEvent<'AuditTrailReviewed', AuditTrailReviewedData>;
export type AuditTrailReviewEvent = AuditTrailReviewed;

// State

export interface AuditTrailReviewsState {
  reviewIds: string[];
  /** The last revision of the record reviewed so far; -1 before the first review. */
  reviewedThroughRevision: number;
}

const REVISION = { min: 0, max: Number.MAX_SAFE_INTEGER, code: 'INVALID_REVISION' };
const MAX_FINDINGS = 4000;

function decide(command: ReviewAuditTrail, state: AuditTrailReviewsState): AuditTrailReviewEvent[] {
  const reviewedAt = requireInstant(command.at);
  const reviewId = requireId(command.reviewId, 'reviewId');
  if (state.reviewIds.includes(reviewId)) return [];
  const fromRevision = requireInteger(command.fromRevision, 'fromRevision', REVISION);
  const throughRevision = requireInteger(command.throughRevision, 'throughRevision', REVISION);
  const conclusion = requireOneOf(command.conclusion, reviewConclusions, 'conclusion', 'INVALID_REVIEW_CONCLUSION');
  if (throughRevision <= state.reviewedThroughRevision) {
    throw conflict('REVIEW_COVERS_NOTHING_NEW', 'The record has been reviewed through this revision already', {
      reviewedThroughRevision: state.reviewedThroughRevision,
      throughRevision,
    });
  }
  // Reviews follow each other without gap or overlap; another review in between makes this one stale.
  if (fromRevision !== state.reviewedThroughRevision + 1) {
    throw conflict('REVIEW_RANGE_STALE', 'Another review was recorded meanwhile; review what is new since then', {
      reviewedThroughRevision: state.reviewedThroughRevision,
      fromRevision,
    });
  }
  // Annex 11 (2025 draft): the reviewer is independent of the work reviewed.
  if (command.workers.includes(command.reviewer.userId)) {
    throw forbidden('REVIEWER_NOT_INDEPENDENT', 'You took part in this record; someone independent must review it', {
      recordStreamId: command.recordStreamId,
    });
  }
  const findings =
    command.findings === null || command.findings.trim() === ''
      ? null
      : requireText(command.findings, 'findings', MAX_FINDINGS);
  // An exception accepted without a word, or a rejection without its grounds, is no review.
  if (findings === null && (conclusion === 'not-acceptable' || command.exceptions.length > 0)) {
    throw ruleViolated(
      'REVIEW_FINDINGS_REQUIRED',
      'Say what you found: the record has exceptions or is not acceptable',
      {
        field: 'findings',
        exceptions: command.exceptions.length,
      },
    );
  }
  return [
    {
      type: 'AuditTrailReviewed',
      data: {
        reviewId,
        scope: { streamId: command.recordStreamId, fromRevision, throughRevision, throughHash: command.throughHash },
        reviewer: command.reviewer,
        exceptions: command.exceptions,
        conclusion,
        findings,
        reviewedAt,
      },
    },
  ];
}

export const auditTrailReviewsDecider: Decider<AuditTrailReviewCommand, AuditTrailReviewEvent, AuditTrailReviewsState> =
  {
    initialState: () => ({ reviewIds: [], reviewedThroughRevision: -1 }),
    evolve: (state, event) => ({
      reviewIds: [...state.reviewIds, event.data.reviewId],
      reviewedThroughRevision: event.data.scope.throughRevision,
    }),
    decide,
  };
