import type { RecordedEvent } from './envelope';
import type { EventStore } from './event-store';
import { verifyChain, type ChainVerification } from './hash-chain';

const PAGE = 1000;

/** Reads a whole stream forwards and checks its hash chain; reports the first broken link. */
export async function verifyStream(store: EventStore, streamId: string): Promise<ChainVerification> {
  const events: RecordedEvent[] = [];
  let from = 0n;
  for (;;) {
    const page = await store.readStream(streamId, { fromRevision: from, maxCount: PAGE });
    events.push(...page);
    if (page.length < PAGE) break;
    from = page[page.length - 1].revision + 1n;
  }
  return verifyChain(streamId, events);
}
