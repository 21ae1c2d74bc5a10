import { hash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { EventMetadata, NewEventMetadata } from './envelope';

/**
 * The per-stream hash chain: each event's `hash` is SHA-256 over the canonical JSON of the
 * previous event's hash, the type, the data and the metadata without `hash`. Changing, removing
 * or reordering any stored event breaks every link after it.
 */
export function eventHash(
  type: string,
  data: unknown,
  metadata: NewEventMetadata & { prevHash: string | null },
): string {
  const { hash: _ignored, ...withoutHash } = metadata as EventMetadata;
  void _ignored;
  return hashOfCanonicalParts(type, canonicalJson(data), canonicalJson(withoutHash), metadata.prevHash);
}

/**
 * The same hash from parts already in canonical JSON (the append path has them): the canonical
 * text of `{ data, metadata, prevHash, type }` is those members in that (sorted) order.
 */
export function hashOfCanonicalParts(
  type: string,
  dataJson: string,
  metadataWithoutHashJson: string,
  prevHash: string | null,
): string {
  const text = `{"data":${dataJson},"metadata":${metadataWithoutHashJson},"prevHash":${JSON.stringify(prevHash)},"type":${JSON.stringify(type)}}`;
  // One-shot hashing: no Hash object per event.
  return hash('sha256', text, 'hex');
}

export interface ChainedEvent {
  revision: bigint;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

export type ChainVerification =
  | { ok: true; streamId: string; eventCount: number; headHash: string | null }
  | {
      ok: false;
      streamId: string;
      /** Revision where the chain first breaks. */
      brokenAt: bigint;
      eventId: string | undefined;
      /** `stream_not_found`: `$all` lists the stream's events, but the stream cannot be read. */
      problem: 'revision_gap' | 'prev_hash_mismatch' | 'hash_mismatch' | 'stream_not_found';
      message: string;
    };

/** Checks a stream's events, read forwards from revision 0, and reports the first broken link. */
export function verifyChain(streamId: string, events: Iterable<ChainedEvent>): ChainVerification {
  let expectedRevision = 0n;
  let prevHash: string | null = null;
  let count = 0;
  for (const event of events) {
    const broken = (problem: 'revision_gap' | 'prev_hash_mismatch' | 'hash_mismatch', message: string) =>
      ({ ok: false, streamId, brokenAt: event.revision, eventId: event.metadata?.eventId, problem, message }) as const;
    if (event.revision !== expectedRevision) {
      return broken('revision_gap', `expected revision ${expectedRevision}, found ${event.revision}`);
    }
    if (event.metadata?.prevHash !== prevHash) {
      return broken('prev_hash_mismatch', `prevHash does not match the hash of revision ${expectedRevision - 1n}`);
    }
    const recomputed = eventHash(event.type, event.data, event.metadata);
    if (recomputed !== event.metadata.hash) {
      return broken('hash_mismatch', `stored hash differs from the hash of the stored content`);
    }
    prevHash = event.metadata.hash;
    expectedRevision += 1n;
    count += 1;
  }
  return { ok: true, streamId, eventCount: count, headHash: prevHash };
}
