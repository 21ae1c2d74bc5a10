import type { RecordedEvent } from './envelope';
import { EventStoreError, StreamNotFoundError } from './errors';
import type { EventStore, StreamRetention } from './event-store';
import { verifyChain, type ChainVerification } from './hash-chain';
import {
  AnchorCheck,
  gapBefore,
  walkAll,
  type AnchorAgreement,
  type PositionGap,
  type RecordAnchor,
} from './record-digest';

const PAGE = 1000;

/** Every event of a stream, first to last, read a page at a time. */
export async function readWholeStream(store: EventStore, streamId: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (let from = 0n; ;) {
    const page = await store.readStream(streamId, { fromRevision: from, maxCount: PAGE });
    events.push(...page);
    if (page.length < PAGE) return events;
    from = page[page.length - 1].revision + 1n;
  }
}

/** Reads a whole stream forwards and checks its hash chain; reports the first broken link. */
export async function verifyStream(store: EventStore, streamId: string): Promise<ChainVerification> {
  return verifyChain(streamId, await readWholeStream(store, streamId));
}

/**
 * Whether a signed event's signature holds: its record hash is the hash of what the event says was
 * signed (Part 11 §11.70). Null for an event that carries no signature. What a signature covers is
 * the application's to say, so the caller gives it.
 */
export type SignatureVerifier = (event: RecordedEvent) => boolean | null;

/** A signed event whose signature does not verify against it. */
export interface UnverifiedSignature {
  streamId: string;
  revision: string;
  eventId: string;
  type: string;
  meaning: string;
}

export interface SignatureReport {
  checked: number;
  unverified: UnverifiedSignature[];
}

export interface VerificationReport {
  streams: number;
  events: number;
  broken: Array<Extract<ChainVerification, { ok: false }>>;
  /** The $all position the walk reached; streams written later are checked next time. */
  upTo: string | null;
  /**
   * Set when `$all` stops short of the head the store had before the walk: events at positions
   * after `after` are missing (deleted past the store's guard), and the streams written after
   * the gap are not checked. Null when the walk reached the head.
   */
  gap: PositionGap | null;
  /** Present when a verifier was given: every signature checked against its event. */
  signatures?: SignatureReport;
  /** Present when anchors were given: whether the record still agrees with each. */
  anchors?: AnchorAgreement;
  /**
   * Present when the store can forget (EventStoreDB) and protected streams were named: each such
   * stream that has retention or truncate metadata, or was deleted.
   */
  retention?: RetentionFinding[];
}

export interface RetentionFinding extends StreamRetention {
  streamId: string;
}

/** What a verification of every stream checks besides chains and signatures. */
export interface RecordChecks {
  /** The anchors on record, in the order they were recorded, read before the walk. */
  anchors?: readonly RecordAnchor[];
  /** Streams that must never carry retention or delete metadata (the GMP ones). */
  protectedStream?: (streamId: string) => boolean;
}

/** Adds a stream's signed events to the report. */
function checkSignatures(events: readonly RecordedEvent[], verify: SignatureVerifier, report: SignatureReport): void {
  for (const event of events) {
    const holds = verify(event);
    if (holds === null) continue;
    report.checked += 1;
    if (!holds) {
      report.unverified.push({
        streamId: event.streamId,
        revision: event.revision.toString(),
        eventId: event.metadata.eventId,
        type: event.type,
        meaning: event.metadata.signature?.meaning ?? '',
      });
    }
  }
}

/** One stream's chain and, with a verifier, its signatures. */
export async function verifyStreamAndSignatures(
  store: EventStore,
  streamId: string,
  verify: SignatureVerifier,
): Promise<{ chain: ChainVerification; signatures: SignatureReport }> {
  const events = await readWholeStream(store, streamId);
  const signatures: SignatureReport = { checked: 0, unverified: [] };
  checkSignatures(events, verify, signatures);
  return { chain: verifyChain(streamId, events), signatures };
}

/** Soft-deleted (not found), or tombstoned (`STREAM_DELETED`, on a store that says so). */
const readsAsMissing = (error: unknown): boolean =>
  error instanceof StreamNotFoundError || (error instanceof EventStoreError && error.code === 'STREAM_DELETED');

/** A stream `$all` lists that reads as missing: deleted or truncated behind the record's back. */
function missingStream(streamId: string): Extract<ChainVerification, { ok: false }> {
  return {
    ok: false,
    streamId,
    brokenAt: 0n,
    eventId: undefined,
    problem: 'stream_not_found',
    message: '$all lists events of this stream, but the stream reads as missing (deleted or truncated)',
  };
}

/**
 * Reads every stream's hash chain back and reports the broken ones (Annex 11 §7.1: integrity is
 * checked on a schedule), and, given a verifier, every signature that does not hold. Streams are
 * found by walking $all, so the check needs nothing beyond the store's port; a walk that stops short
 * of the store's head (an event deleted behind the store's back) is reported as a gap. Given the
 * anchors on record, the same walk checks the record against each (an event deleted, rewritten or
 * cut off a stream's tail before an anchored position is found); given which streams are protected,
 * a store that can forget is asked whether any of them is set to.
 */
export async function verifyAllStreams(
  store: EventStore,
  onProgress?: (streams: number) => void,
  verifySignature?: SignatureVerifier,
  checks: RecordChecks = {},
): Promise<VerificationReport> {
  // Every event up to the head read now is committed: a walk that ends before it met a hole.
  const head = await store.headPosition();
  const streams = new Set<string>();
  const anchors = checks.anchors ? new AnchorCheck(checks.anchors) : undefined;
  const reached = await walkAll(store, (event) => {
    streams.add(event.streamId);
    anchors?.visit(event);
  });
  const protectedStream = store.retentionOf ? checks.protectedStream : undefined;
  const report: VerificationReport = {
    streams: 0,
    events: 0,
    broken: [],
    upTo: reached.isStart() ? null : reached.toString(),
    gap: gapBefore(head, reached),
    ...(verifySignature ? { signatures: { checked: 0, unverified: [] } } : {}),
    ...(anchors ? { anchors: anchors.finish(reached) } : {}),
    ...(protectedStream ? { retention: [] } : {}),
  };
  for (const streamId of streams) {
    report.streams += 1;
    if (protectedStream?.(streamId)) {
      const retention = await store.retentionOf?.(streamId);
      if (retention) report.retention?.push({ streamId, ...retention });
    }
    let events: RecordedEvent[];
    try {
      events = await readWholeStream(store, streamId);
    } catch (error) {
      // One stream gone is a finding, not the end of the check.
      if (!readsAsMissing(error)) throw error;
      report.broken.push(missingStream(streamId));
      onProgress?.(report.streams);
      continue;
    }
    const result = verifyChain(streamId, events);
    if (verifySignature && report.signatures) checkSignatures(events, verifySignature, report.signatures);
    if (result.ok) report.events += result.eventCount;
    else report.broken.push(result);
    onProgress?.(report.streams);
  }
  return report;
}
