import type { Actor, EventSource, SignatureBlock } from '@tracershop/event-store';

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
   * Ids the server made for this request (random, unknown to anyone before its answer): they need
   * no claim of uniqueness. Not stored.
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
