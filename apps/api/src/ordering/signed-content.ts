import { verifySignatureBlock } from '@tracershop/auth';
import type { CalendarDate } from '@tracershop/domain/catalog';
import { normaliseLotNumber } from '@tracershop/domain/ordering';
import type { RecordedEvent } from '@tracershop/event-store';

/**
 * What a release, a correction or an audit trail review signs (Part 11 §11.70: the signature is
 * linked to its record):
 * built here once, from the values as the record keeps them (lot normalised, reason trimmed), so
 * the same content is rebuilt from the recorded event, or from the release's row, to verify the
 * signature's `recordHash` later.
 */

export const activityReleaseContent = (release: {
  releaseId: string;
  slotId: string;
  date: CalendarDate;
  orderIds: readonly string[];
  vialIds: readonly string[];
}) => ({
  releaseId: release.releaseId,
  slotId: release.slotId,
  date: release.date,
  orderIds: [...release.orderIds],
  vialIds: [...release.vialIds],
});

export const injectionReleaseContent = (release: {
  releaseId: string;
  date: CalendarDate;
  orderIds: readonly string[];
  lot: string;
  maxInjectionVolumeMl: number | null;
}) => ({
  releaseId: release.releaseId,
  date: release.date,
  orderIds: [...release.orderIds],
  lot: normaliseLotNumber(release.lot),
  maxInjectionVolumeMl: release.maxInjectionVolumeMl,
});

export const releaseCorrectionContent = (correction: { releaseId: string; reason: string }) => ({
  releaseId: correction.releaseId,
  correction: correction.reason.trim(),
});

/** A review signs the exact record version it covers (its last event's hash) and its conclusion. */
export const auditTrailReviewContent = (review: {
  reviewId: string;
  recordStreamId: string;
  fromRevision: number;
  throughRevision: number;
  throughHash: string;
  conclusion: string;
  findings: string | null;
}) => ({
  reviewId: review.reviewId,
  recordStreamId: review.recordStreamId,
  fromRevision: review.fromRevision,
  throughRevision: review.throughRevision,
  throughHash: review.throughHash,
  conclusion: review.conclusion,
  findings: review.findings === null ? null : review.findings.trim(),
});

/** The date of a delivery day stream (`ordering.deliveryDay-<endpoint>:<date>`). */
export const dateOfDayStream = (streamId: string): CalendarDate => streamId.slice(streamId.lastIndexOf(':') + 1);

/** What a recorded event's signature signed, rebuilt from the event; null for events that carry none. */
export function signedContentOfEvent(type: string, data: unknown, streamId: string): unknown {
  const event = data as Record<string, unknown>;
  const date = dateOfDayStream(streamId);
  switch (type) {
    case 'ActivityReleased':
      return activityReleaseContent({
        releaseId: String(event.releaseId),
        slotId: String(event.slotId),
        date,
        orderIds: event.orderIds as string[],
        vialIds: (event.vials as Array<{ vialId: string }>).map((vial) => vial.vialId),
      });
    case 'InjectionOrdersReleased':
      return injectionReleaseContent({
        releaseId: String(event.releaseId),
        date,
        orderIds: event.orderIds as string[],
        lot: String(event.lot),
        maxInjectionVolumeMl: (event.maxInjectionVolumeMl as number | null | undefined) ?? null,
      });
    case 'ReleasedOrderCorrected':
      return releaseCorrectionContent({ releaseId: String(event.releaseId), reason: String(event.reason) });
    case 'AuditTrailReviewed': {
      const scope = event.scope as {
        streamId: string;
        fromRevision: number;
        throughRevision: number;
        throughHash: string;
      };
      return auditTrailReviewContent({
        reviewId: String(event.reviewId),
        recordStreamId: scope.streamId,
        fromRevision: scope.fromRevision,
        throughRevision: scope.throughRevision,
        throughHash: scope.throughHash,
        conclusion: String(event.conclusion),
        findings: (event.findings as string | null) ?? null,
      });
    }
    default:
      return null;
  }
}

/**
 * Whether a signed event's signature holds: its `recordHash` is the hash of what the event says
 * was signed (rebuilt from the event), on this stream. Null for an event that carries none.
 */
export function signatureHolds(event: RecordedEvent): boolean | null {
  const { signature } = event.metadata;
  if (!signature) return null;
  const content = signedContentOfEvent(event.type, event.data, event.streamId);
  return content !== null && verifySignatureBlock(signature, event.streamId, content);
}
