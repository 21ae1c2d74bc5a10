import { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { InMemoryLog, LogRecord } from '@tracershop/event-store/adapters/memory/in-memory-log';

/** What the wire server stores per event: the bytes and headers exactly as the client sent them. */
export interface WirePayload {
  data: Uint8Array;
  customMetadata: Uint8Array;
  contentType: string;
  /** Creation time in 100 ns ticks since the Unix epoch, as EventStoreDB reports it. */
  created: bigint;
}

export type WireLog = InMemoryLog<WirePayload>;

const TICKS_PER_MILLISECOND = 10_000n;

/** Creation ticks that never go backwards, so `created` agrees with the log order. */
export class TickClock {
  private last = 0n;

  now(): bigint {
    const ticks = BigInt(Date.now()) * TICKS_PER_MILLISECOND;
    this.last = ticks > this.last ? ticks : this.last + 1n;
    return this.last;
  }
}

export function streamNameOf(identifier: StreamIdentifier | undefined): string {
  return identifier ? Buffer.from(identifier.getStreamName_asU8()).toString('utf8') : '';
}

export function streamIdentifier(streamId: string): StreamIdentifier {
  const identifier = new StreamIdentifier();
  identifier.setStreamName(Buffer.from(streamId, 'utf8'));
  return identifier;
}

/** Reads a UUID in either wire form; the client sends the string form, other clients may not. */
export function uuidText(uuid: UUID | undefined): string | undefined {
  if (!uuid) return undefined;
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured() as UUID.Structured;
    const most = BigInt.asUintN(64, BigInt(structured.getMostSignificantBits()));
    const least = BigInt.asUintN(64, BigInt(structured.getLeastSignificantBits()));
    const hex = ((most << 64n) | least).toString(16).padStart(32, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return uuid.getString().toLowerCase();
}

export function uuidMessage(text: string, structured: boolean): UUID {
  const uuid = new UUID();
  if (!structured) {
    uuid.setString(text);
    return uuid;
  }
  const value = BigInt(`0x${text.replace(/-/g, '')}`);
  const parts = new UUID.Structured();
  parts.setMostSignificantBits(BigInt.asIntN(64, value >> 64n).toString());
  parts.setLeastSignificantBits(BigInt.asIntN(64, value).toString());
  uuid.setStructured(parts);
  return uuid;
}

/** One stored record as a `Read` reply; commit = prepare = the log position. */
export function readEventReply(record: LogRecord<WirePayload>, structuredUuids: boolean): ReadResp {
  const position = record.position.toString();
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(uuidMessage(record.eventId, structuredUuids));
  recorded.setStreamIdentifier(streamIdentifier(record.streamId));
  recorded.setStreamRevision(record.revision.toString());
  recorded.setCommitPosition(position);
  recorded.setPreparePosition(position);
  const headers = recorded.getMetadataMap();
  headers.set('type', record.type);
  headers.set('content-type', record.payload.contentType);
  headers.set('created', record.payload.created.toString());
  recorded.setCustomMetadata(record.payload.customMetadata);
  recorded.setData(record.payload.data);
  const event = new ReadResp.ReadEvent();
  event.setEvent(recorded);
  event.setCommitPosition(position);
  const reply = new ReadResp();
  reply.setEvent(event);
  return reply;
}
