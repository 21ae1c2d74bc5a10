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

export interface VerificationReport {
  streams: number;
  events: number;
  broken: Array<Extract<ChainVerification, { ok: false }>>;
  /** The $all position the walk reached; streams written later are checked next time. */
  upTo: string | null;
}

/**
 * Reads every stream's hash chain back and reports the broken ones (Annex 11 §7.1: integrity is
 * checked on a schedule). Streams are found by walking $all, so the check needs nothing beyond the
 * store's port.
 */
export async function verifyAllStreams(
  store: EventStore,
  onProgress?: (streams: number) => void,
): Promise<VerificationReport> {
  const streams = new Set<string>();
  let after = Position.START;
  for (;;) {
    const page = await store.readAll({ fromPosition: after, maxCount: PAGE });
    for (const event of page) streams.add(event.streamId);
    if (page.length === 0) break;
    after = page[page.length - 1].position;
    if (page.length < PAGE) break;
  }
  const report: VerificationReport = {
    streams: 0,
    events: 0,
    broken: [],
    upTo: after.isStart() ? null : after.toString(),
  };
  for (const streamId of streams) {
    const result = await verifyStream(store, streamId);
    report.streams += 1;
    if (result.ok) report.events += result.eventCount;
    else report.broken.push(result);
    onProgress?.(report.streams);
  }
  return report;
}
