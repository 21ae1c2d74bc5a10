import type { Position } from './position';

/** Who caused an event. Set by the server from the authenticated principal, never by a client. */
export interface Actor {
  kind: 'user' | 'application' | 'system';
  id: string;
  printedName: string;
  role: string;
}

/** Where imported or legacy-captured data came from (Annex 11 §4.8). */
export interface EventSource {
  system: string;
  table: string;
  primaryKey: string;
  /** For a captured change of another system's table: what it did to the row. */
  operation?: 'insert' | 'update' | 'delete';
}

export type SignatureMeaning = 'release' | 'review' | 'approve' | 'certify' | 'correct';

/** Electronic signature block (21 CFR Part 11 §11.50/§11.70), stored with the signed event. */
export interface SignatureBlock {
  signerId: string;
  printedName: string;
  meaning: SignatureMeaning;
  signedAt: string;
  recordHash: string;
  /** Which version of its record's signed content `recordHash` covers; absent on the first version's blocks. */
  contentVersion?: number;
}

/** Metadata every caller supplies; the store adds `prevHash` and `hash` when it appends. */
export interface NewEventMetadata {
  eventId: string;
  schemaVersion: number;
  /** Business time (ISO 8601), from the command. */
  occurredAt: string;
  /** Server time (ISO 8601), set by the command pipeline. */
  recordedAt: string;
  actor: Actor;
  reason?: string;
  correlationId: string;
  causationId: string;
  source?: EventSource;
  signature?: SignatureBlock;
}

export interface EventMetadata extends NewEventMetadata {
  /** Hash of the previous event in the same stream; null for the first event. */
  prevHash: string | null;
  /** SHA-256 over canonical JSON of prevHash, type, data and metadata-without-hash. */
  hash: string;
}

/** An event as handed to `append`. */
export interface NewEvent<D = unknown> {
  type: string;
  data: D;
  metadata: NewEventMetadata;
}

/** An event as stored and read back. */
export interface RecordedEvent<D = unknown> {
  streamId: string;
  revision: bigint;
  position: Position;
  type: string;
  data: D;
  metadata: EventMetadata;
}
