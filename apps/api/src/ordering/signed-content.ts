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
 *
 * The content has versions; a signature block names the one its hash covers (`contentVersion`,
 * absent on blocks made before there were versions: 1). Version 1 signed a release's ids only.
 * Version 2 also signs what the signer released or withdrew: each vial's lot, fill, activity,
 * volume and dispenser number, and for a correction the release it undoes. From version 2 on the
 * content names its version too, so the hash itself says which shape it covers. Old signatures
 * verify against the version they were made under; nothing recorded is rewritten.
 */
export const SIGNED_CONTENT_VERSION = 2;

/** The content as a version signs it: from version 2 on, with the version inside what is hashed. */
const versioned = <T extends object>(version: number, content: T) =>
  version === 1 ? content : { contentVersion: version, ...content };

/** A vial as a signature covers it; a vial not dispensed (the release is then refused) has its id only. */
export interface SignedVial {
  vialId: string;
  lot?: string;
  fillDate?: CalendarDate;
  fillTime?: string;
  activityMBq?: number;
  volumeMl?: number;
  dispenserNumber?: number;
}

const signedVial = (vial: SignedVial) => ({
  vialId: vial.vialId,
  lot: vial.lot ?? null,
  fillDate: vial.fillDate ?? null,
  fillTime: vial.fillTime ?? null,
  activityMBq: vial.activityMBq ?? null,
  volumeMl: vial.volumeMl ?? null,
  dispenserNumber: vial.dispenserNumber ?? null,
});

export const activityReleaseContent = (
  release: {
    releaseId: string;
    slotId: string;
    date: CalendarDate;
    orderIds: readonly string[];
    vials: readonly SignedVial[];
  },
  version: number = SIGNED_CONTENT_VERSION,
) => {
  const signed = {
    releaseId: release.releaseId,
    slotId: release.slotId,
    date: release.date,
    orderIds: [...release.orderIds],
  };
  return version === 1
    ? { ...signed, vialIds: release.vials.map((vial) => vial.vialId) }
    : versioned(version, { ...signed, vials: release.vials.map(signedVial) });
};

/** The same fields in both versions: the lot and the volume limit were signed from the start. */
export const injectionReleaseContent = (
  release: {
    releaseId: string;
    date: CalendarDate;
    orderIds: readonly string[];
    lot: string;
    maxInjectionVolumeMl: number | null;
  },
  version: number = SIGNED_CONTENT_VERSION,
) =>
  versioned(version, {
    releaseId: release.releaseId,
    date: release.date,
    orderIds: [...release.orderIds],
    lot: normaliseLotNumber(release.lot),
    maxInjectionVolumeMl: release.maxInjectionVolumeMl,
  });

/** Version 2 signs the release the correction withdraws: its orders, lot and vials as released. */
export const releaseCorrectionContent = (
  correction: {
    releaseId: string;
    reason: string;
    withdrawn: { orderIds: readonly string[]; lot: string | null; vials: readonly SignedVial[] };
  },
  version: number = SIGNED_CONTENT_VERSION,
) => {
  const signed = { releaseId: correction.releaseId, correction: correction.reason.trim() };
  if (version === 1) return signed;
  const { withdrawn } = correction;
  return versioned(version, {
    ...signed,
    withdrawn: {
      orderIds: [...withdrawn.orderIds],
      lot: withdrawn.lot === null ? null : normaliseLotNumber(withdrawn.lot),
      vials: withdrawn.vials.map(signedVial),
    },
  });
};

/** A review signs the exact record version it covers (its last event's hash) and its conclusion. */
export const auditTrailReviewContent = (
  review: {
    reviewId: string;
    recordStreamId: string;
    fromRevision: number;
    throughRevision: number;
    throughHash: string;
    conclusion: string;
    findings: string | null;
  },
  version: number = SIGNED_CONTENT_VERSION,
) =>
  versioned(version, {
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
export function signedContentOfEvent(type: string, data: unknown, streamId: string, version: number): unknown {
  const event = data as Record<string, unknown>;
  const date = dateOfDayStream(streamId);
  switch (type) {
    case 'ActivityReleased':
      return activityReleaseContent(
        {
          releaseId: String(event.releaseId),
          slotId: String(event.slotId),
          date,
          orderIds: event.orderIds as string[],
          vials: event.vials as SignedVial[],
        },
        version,
      );
    case 'InjectionOrdersReleased':
      return injectionReleaseContent(
        {
          releaseId: String(event.releaseId),
          date,
          orderIds: event.orderIds as string[],
          lot: String(event.lot),
          maxInjectionVolumeMl: (event.maxInjectionVolumeMl as number | null | undefined) ?? null,
        },
        version,
      );
    case 'ReleasedOrderCorrected': {
      const old = event.old as { vials: SignedVial[]; lot: string | null } | undefined;
      return releaseCorrectionContent(
        {
          releaseId: String(event.releaseId),
          reason: String(event.reason),
          withdrawn: { orderIds: (event.orderIds as string[]) ?? [], lot: old?.lot ?? null, vials: old?.vials ?? [] },
        },
        version,
      );
    }
    case 'AuditTrailReviewed': {
      const scope = event.scope as {
        streamId: string;
        fromRevision: number;
        throughRevision: number;
        throughHash: string;
      };
      return auditTrailReviewContent(
        {
          reviewId: String(event.reviewId),
          recordStreamId: scope.streamId,
          fromRevision: scope.fromRevision,
          throughRevision: scope.throughRevision,
          throughHash: scope.throughHash,
          conclusion: String(event.conclusion),
          findings: (event.findings as string | null) ?? null,
        },
        version,
      );
    }
    default:
      return null;
  }
}

/**
 * Whether a signed event's signature holds: its `recordHash` is the hash of what the event says
 * was signed (rebuilt from the event, in the content version the block names), on this stream.
 * Null for an event that carries none.
 */
export function signatureHolds(event: RecordedEvent): boolean | null {
  const { signature } = event.metadata;
  if (!signature) return null;
  const version = signature.contentVersion ?? 1;
  // A version this code does not know cannot be rebuilt, so it cannot be said to hold.
  if (!Number.isInteger(version) || version < 1 || version > SIGNED_CONTENT_VERSION) return false;
  const content = signedContentOfEvent(event.type, event.data, event.streamId, version);
  return content !== null && verifySignatureBlock(signature, event.streamId, content);
}
