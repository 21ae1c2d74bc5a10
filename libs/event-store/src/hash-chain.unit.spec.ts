import { randomUUID } from 'node:crypto';
import { chainEvents, checkNewEvents } from './append-preparation';
import type { NewEvent } from './envelope';
import { eventHash, verifyChain, type ChainedEvent } from './hash-chain';

function newEvents(count: number): NewEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    type: 'OrderPlaced',
    data: { index, activityMBq: 100 + index },
    metadata: {
      eventId: randomUUID(),
      schemaVersion: 1,
      occurredAt: '2026-11-20T07:30:00.000Z',
      recordedAt: '2026-11-20T07:30:01.000Z',
      actor: { kind: 'user', id: 'u1', printedName: 'Anna', role: 'production' },
      correlationId: 'c',
      causationId: 'c',
    },
  }));
}

function chain(count: number): ChainedEvent[] {
  return chainEvents(checkNewEvents(newEvents(count)), null).map((event, index) => ({
    revision: BigInt(index),
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  }));
}

describe('the per-stream hash chain', () => {
  it('given a fresh chain, then it verifies and reports its head', () => {
    const events = chain(4);
    expect(verifyChain('s', events)).toEqual({
      ok: true,
      streamId: 's',
      eventCount: 4,
      headHash: events[3].metadata.hash,
    });
  });

  it('given a chain continued from a stored head, then the first link points at that head', () => {
    const head = 'f'.repeat(64);
    const [first] = chainEvents(checkNewEvents(newEvents(1)), head);
    expect(first.metadata.prevHash).toBe(head);
    expect(first.metadata.hash).toBe(eventHash(first.type, first.data, first.metadata));
  });

  it('the hash does not depend on key order', () => {
    const [event] = chain(1);
    const reordered = Object.fromEntries(Object.entries(event.metadata).reverse()) as typeof event.metadata;
    expect(eventHash(event.type, event.data, reordered)).toBe(event.metadata.hash);
  });

  it.each<[string, (events: ChainedEvent[]) => ChainedEvent[], bigint, string]>([
    [
      'changed data',
      (e) => e.map((x, i) => (i === 2 ? { ...x, data: { index: 2, activityMBq: 1 } } : x)),
      2n,
      'hash_mismatch',
    ],
    ['changed type', (e) => e.map((x, i) => (i === 1 ? { ...x, type: 'OrderCancelled' } : x)), 1n, 'hash_mismatch'],
    [
      'changed metadata',
      (e) =>
        e.map((x, i) => (i === 3 ? { ...x, metadata: { ...x.metadata, recordedAt: '2026-11-21T00:00:00.000Z' } } : x)),
      3n,
      'hash_mismatch',
    ],
    [
      'a recomputed hash on changed data',
      (e) =>
        e.map((x, i) => {
          if (i !== 1) return x;
          const data = { forged: true };
          return { ...x, data, metadata: { ...x.metadata, hash: eventHash(x.type, data, x.metadata) } };
        }),
      2n,
      'prev_hash_mismatch',
    ],
    [
      'two events swapped',
      (e) => [e[0], { ...e[2], revision: 1n }, { ...e[1], revision: 2n }, e[3]],
      1n,
      'prev_hash_mismatch',
    ],
    [
      'an event removed and the rest renumbered',
      (e) => [e[0], e[2], e[3]].map((x, i) => ({ ...x, revision: BigInt(i) })),
      1n,
      'prev_hash_mismatch',
    ],
    ['an event removed, revisions kept', (e) => [e[0], e[1], e[3]], 3n, 'revision_gap'],
  ])('given %s, then verification fails at the first broken link', (_, change, brokenAt, problem) => {
    const result = verifyChain('s', change(chain(4)));
    expect(result).toMatchObject({ ok: false, brokenAt, problem });
  });
});
