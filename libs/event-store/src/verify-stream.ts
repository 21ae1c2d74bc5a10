import type { RecordedEvent } from './envelope';
import { Position } from './position';
import type { EventStore } from './event-store';
import { verifyChain, type ChainVerification } from './hash-chain';

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
  gap: { after: string | null; head: string } | null;
  /** Present when a verifier was given: every signature checked against its event. */
  signatures?: SignatureReport;
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

/**
 * Reads every stream's hash chain back and reports the broken ones (Annex 11 §7.1: integrity is
 * checked on a schedule), and, given a verifier, every signature that does not hold. Streams are
 * found by walking $all, so the check needs nothing beyond the store's port; a walk that stops short
 * of the store's head (an event deleted behind the store's back) is reported as a gap.
 */
export async function verifyAllStreams(
  store: EventStore,
  onProgress?: (streams: number) => void,
  verifySignature?: SignatureVerifier,
): Promise<VerificationReport> {
  // Every event up to the head read now is committed: a walk that ends before it met a hole.
  const head = await store.headPosition();
  const streams = new Set<string>();
  let after = Position.START;
  for (;;) {
    const page = await store.readAll({ fromPosition: after, maxCount: PAGE });
    for (const event of page) streams.add(event.streamId);
    // Until a page comes back empty: an adapter may answer a short page before its end.
    if (page.length === 0) break;
    after = page[page.length - 1].position;
  }
  const report: VerificationReport = {
    streams: 0,
    events: 0,
    broken: [],
    upTo: after.isStart() ? null : after.toString(),
    gap:
      head !== null && (after.isStart() || after.isBefore(head))
        ? { after: after.isStart() ? null : after.toString(), head: head.toString() }
        : null,
    ...(verifySignature ? { signatures: { checked: 0, unverified: [] } } : {}),
  };
  for (const streamId of streams) {
    const events = await readWholeStream(store, streamId);
    const result = verifyChain(streamId, events);
    if (verifySignature && report.signatures) checkSignatures(events, verifySignature, report.signatures);
    report.streams += 1;
    if (result.ok) report.events += result.eventCount;
    else report.broken.push(result);
    onProgress?.(report.streams);
  }
  return report;
}
