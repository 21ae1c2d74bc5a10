import { canonicalJson, canonicalMembers, joinCanonicalMembers, type CanonicalMember } from './canonical-json';
import type { EventMetadata, NewEvent } from './envelope';
import { EventTooLargeError, InvalidEventError, InvalidExpectedRevisionError, InvalidStreamNameError } from './errors';
import type { ExpectedRevision } from './event-store';
import { hashOfCanonicalParts } from './hash-chain';

/** Default limit on one event's stored size (data + metadata), below EventStoreDB's 16 MiB. */
export const DEFAULT_MAX_EVENT_BYTES = 4 * 1024 * 1024;
export const MAX_STREAM_ID_LENGTH = 255;
export const MAX_EVENT_TYPE_LENGTH = 255;
export const MAX_EVENTS_PER_APPEND = 10_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const ACTOR_KINDS = new Set(['user', 'application', 'system']);

/** An event checked, serialised and chained, ready for an adapter to write. */
export interface PreparedEvent {
  eventId: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  /** Canonical JSON of `data` and `metadata`, exactly as stored. */
  dataJson: string;
  metadataJson: string;
}

export function assertValidStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new InvalidStreamNameError(streamId, 'a stream name is a non-empty string');
  }
  if (streamId.startsWith('$')) {
    throw new InvalidStreamNameError(streamId, 'names starting with "$" are reserved for the store');
  }
  if (streamId.length > MAX_STREAM_ID_LENGTH) {
    throw new InvalidStreamNameError(streamId, `longer than ${MAX_STREAM_ID_LENGTH} characters`);
  }
  if (streamId.trim() !== streamId || hasControlCharacter(streamId)) {
    throw new InvalidStreamNameError(streamId, 'no surrounding spaces or control characters');
  }
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}

export function assertValidExpectedRevision(expected: unknown): asserts expected is ExpectedRevision {
  if (typeof expected === 'bigint') {
    if (expected < 0n) throw new InvalidExpectedRevisionError(expected);
    return;
  }
  if (expected === 'no_stream' || expected === 'stream_exists' || expected === 'any') return;
  throw new InvalidExpectedRevisionError(expected);
}

/** An event that passed `checkNewEvents`: ready to be chained onto its stream. */
export interface CheckedEvent {
  /** The event with its id in lower case. */
  event: NewEvent;
  /** Canonical JSON of the data, exactly as it will be stored. */
  dataJson: string;
  /** The metadata's canonical members, so chaining adds `prevHash` and `hash` without serialising it again. */
  metadataMembers?: CanonicalMember[];
}

/**
 * Checks every event of an append before anything is written. Throws a typed error for the first
 * problem found; returns the serialised data and metadata (without the hash chain yet).
 */
export function checkNewEvents(events: unknown, maxEventBytes: number = DEFAULT_MAX_EVENT_BYTES): CheckedEvent[] {
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidEventError('an append needs at least one event');
  }
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new InvalidEventError(`an append takes at most ${MAX_EVENTS_PER_APPEND} events`);
  }
  const seen = new Set<string>();
  return events.map((candidate: unknown, index) => {
    const event = candidate as NewEvent;
    const at = { index };
    if (typeof event !== 'object' || event === null) throw new InvalidEventError('an event is an object', at);
    if (typeof event.type !== 'string' || event.type.length === 0 || event.type.length > MAX_EVENT_TYPE_LENGTH) {
      throw new InvalidEventError(`type is a string of 1 to ${MAX_EVENT_TYPE_LENGTH} characters`, at);
    }
    if (event.type.startsWith('$')) throw new InvalidEventError('types starting with "$" are reserved', at);
    const metadata = event.metadata;
    if (typeof metadata !== 'object' || metadata === null) throw new InvalidEventError('metadata is required', at);
    if (typeof metadata.eventId !== 'string' || !UUID.test(metadata.eventId)) {
      throw new InvalidEventError('metadata.eventId is a UUID', at);
    }
    const eventId = metadata.eventId.toLowerCase();
    if (seen.has(eventId)) throw new InvalidEventError(`event id ${eventId} appears twice in one append`, at);
    seen.add(eventId);
    if (!Number.isSafeInteger(metadata.schemaVersion) || metadata.schemaVersion < 1) {
      throw new InvalidEventError('metadata.schemaVersion is a positive integer', at);
    }
    for (const field of ['occurredAt', 'recordedAt'] as const) {
      if (typeof metadata[field] !== 'string' || !ISO_INSTANT.test(metadata[field])) {
        throw new InvalidEventError(`metadata.${field} is an ISO 8601 instant`, at);
      }
    }
    const actor = metadata.actor;
    if (
      typeof actor !== 'object' ||
      actor === null ||
      !ACTOR_KINDS.has(actor.kind) ||
      typeof actor.id !== 'string' ||
      actor.id.length === 0
    ) {
      throw new InvalidEventError('metadata.actor names who did it (kind user|application|system and id)', at);
    }
    for (const field of ['correlationId', 'causationId'] as const) {
      if (typeof metadata[field] !== 'string' || metadata[field].length === 0) {
        throw new InvalidEventError(`metadata.${field} is required`, at);
      }
    }
    if ('prevHash' in metadata || 'hash' in metadata) {
      throw new InvalidEventError('prevHash and hash are set by the store, not the caller', at);
    }
    const dataJson = canonicalJson(event.data);
    // Serialised from the caller's object (so a class instance is refused), then with the id as stored.
    let metadataMembers = canonicalMembers(metadata);
    if (eventId !== metadata.eventId) {
      metadataMembers = metadataMembers.map((member) =>
        member[0] === 'eventId' ? (['eventId', `"eventId":${JSON.stringify(eventId)}`] as const) : member,
      );
    }
    // UTF-8 takes at most 3 bytes per UTF-16 unit: count bytes only when that bound is over the limit.
    let length = dataJson.length + 1;
    for (const [, text] of metadataMembers) length += text.length + 1;
    if (length * 3 > maxEventBytes) {
      const size = Buffer.byteLength(dataJson) + Buffer.byteLength(joinCanonicalMembers(metadataMembers));
      if (size > maxEventBytes) throw new EventTooLargeError(eventId, size, maxEventBytes);
    }
    return { event: { ...event, metadata: { ...metadata, eventId } }, dataJson, metadataMembers };
  });
}

/** A checked event linked onto its stream: the text an adapter stores, and the links. */
export interface ChainedEventText {
  eventId: string;
  type: string;
  schemaVersion: number;
  prevHash: string | null;
  hash: string;
  /** Canonical JSON of `data` and of the metadata with `prevHash` and `hash`, exactly as stored. */
  dataJson: string;
  metadataJson: string;
}

/**
 * Links checked events onto a stream whose last stored hash is `prevHash`, as text only: for an
 * adapter that stores the text and needs no parsed copy of the data.
 */
export function chainEventTexts(checked: CheckedEvent[], prevHash: string | null): ChainedEventText[] {
  let previous = prevHash;
  return checked.map(({ event, dataJson, metadataMembers }) => {
    // `checkNewEvents` refuses metadata carrying prevHash or hash, so both are new members here.
    const members = metadataMembers ?? canonicalMembers(event.metadata);
    const prevMember = ['prevHash', `"prevHash":${JSON.stringify(previous)}`] as const;
    const hash = hashOfCanonicalParts(event.type, dataJson, joinCanonicalMembers(members, [prevMember]), previous);
    const text: ChainedEventText = {
      eventId: event.metadata.eventId,
      type: event.type,
      schemaVersion: event.metadata.schemaVersion,
      prevHash: previous,
      hash,
      dataJson,
      metadataJson: joinCanonicalMembers(members, [['hash', `"hash":${JSON.stringify(hash)}`], prevMember]),
    };
    previous = hash;
    return text;
  });
}

/** Links checked events onto a stream whose last stored hash is `prevHash`. */
export function chainEvents(checked: CheckedEvent[], prevHash: string | null): PreparedEvent[] {
  return chainEventTexts(checked, prevHash).map((text, index) => {
    const metadata: EventMetadata = { ...checked[index].event.metadata, prevHash: text.prevHash, hash: text.hash };
    // Data is stored as its canonical text and read back from it, so what is read is what was hashed.
    return {
      eventId: text.eventId,
      type: text.type,
      data: JSON.parse(text.dataJson) as unknown,
      metadata,
      dataJson: text.dataJson,
      metadataJson: text.metadataJson,
    };
  });
}

/** Does a stream at `current` (-1n when it has no events) satisfy the expectation? */
export function expectationHolds(expected: ExpectedRevision, current: bigint): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === -1n;
  if (expected === 'stream_exists') return current >= 0n;
  return current === expected;
}

export function describeRevision(revision: bigint | ExpectedRevision): string {
  if (typeof revision === 'bigint') return revision < 0n ? 'no_stream' : revision.toString();
  return revision;
}
