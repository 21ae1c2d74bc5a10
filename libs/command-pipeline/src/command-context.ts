import { randomUUID } from 'node:crypto';
import type { Actor, EventSource, SignatureBlock } from '@tracershop/event-store';
import { nameBasedUuid } from './name-based-uuid';

/**
 * The cause of a request sent with an `Idempotency-Key`: derived from the caller, the route, the
 * key and the body, so the same request run again has the same cause, and so the same event ids.
 */
export const IDEMPOTENT_CAUSE_PREFIX = 'idempotency:';

/** Who and why, set by the server from the authenticated request; never taken from a client body. */
export interface CommandContext {
  actor: Actor;
  /** Ties together everything one request (or one saga) caused. */
  correlationId: string;
  /** The id of the request or event that caused this command; event ids are derived from it. */
  causationId: string;
  /** Business time; defaults to the server's now. Late paper entries set it explicitly. */
  occurredAt?: string;
  reason?: string;
  source?: EventSource;
  signature?: SignatureBlock;
  /**
   * Ids the server made for this request (`mintedId`: unknown to anyone before its answer): they
   * need no claim of uniqueness. Not stored.
   */
  mintedIds?: readonly string[];
}

export interface CommandResult {
  streamId: string;
  /** Stream revision after the command, as a decimal string (-1 when the stream is still empty). */
  revision: string;
  /** Global position of the last event written, or of the stream's head when nothing was written. */
  position: string | null;
  /** Types of the events this command appended; empty when it changed nothing. */
  events: string[];
}

/**
 * An id the server mints for what a command creates (`what`: e.g. `order`). A request with an
 * `Idempotency-Key` derives it from its cause: run again after its first answer was lost, it names
 * the same thing, and its answer names what the first run made. Any other request gets a random id.
 */
export function mintedId(context: Pick<CommandContext, 'causationId'>, what: string): string {
  return context.causationId.startsWith(IDEMPOTENT_CAUSE_PREFIX)
    ? nameBasedUuid(`tracershop-minted:${what}:${context.causationId}`)
    : randomUUID();
}
