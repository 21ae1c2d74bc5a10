import { describeRevision } from './append-preparation';
import { DuplicateEventIdError } from './errors';
import type { AppendResult, ExpectedRevision } from './event-store';
import type { Position } from './position';

export interface StoredEventRef {
  eventId: string;
  streamId: string;
  revision: bigint;
  position: Position;
}

/**
 * Decides what a retried append means when some of its event ids are already stored.
 * Returns the original result when the same ids were written as one run to the same stream under
 * the same expectation (a retry after a lost reply); throws `DuplicateEventIdError` when the ids
 * were stored in another shape; returns null when none of the ids is stored yet.
 */
export function originalResultOfRetry(
  streamId: string,
  eventIds: string[],
  expected: ExpectedRevision,
  found: StoredEventRef[],
): AppendResult | null {
  if (found.length === 0) return null;
  const byId = new Map(found.map((ref) => [ref.eventId, ref]));
  const refs = eventIds.map((id) => byId.get(id));
  const first = refs[0];
  const sameRun =
    first !== undefined &&
    refs.every(
      (ref, index) => ref !== undefined && ref.streamId === streamId && ref.revision === first.revision + BigInt(index),
    );
  const sameExpectation =
    first !== undefined &&
    (expected === 'any' ||
      (expected === 'stream_exists' && first.revision > 0n) ||
      describeRevision(expected) === describeRevision(first.revision - 1n));
  if (!sameRun || !sameExpectation) {
    throw new DuplicateEventIdError(
      streamId,
      found.map((ref) => ref.eventId),
    );
  }
  const last = refs[refs.length - 1] as StoredEventRef;
  return { nextExpectedRevision: last.revision, position: last.position };
}
