import type { Decider, DomainEvent } from '@tracershop/domain/kernel';
import type { CommandContext } from './command-context';

/**
 * What the pipeline needs to know about one command type, declared next to the command so the
 * concurrency rule (retry or 409) is part of its definition. The expected revision is always the
 * revision the decision was made on (`no_stream` for a new stream): deciders name a missing or an
 * existing aggregate themselves, with their own stable codes.
 */
export interface CommandDefinition<C, E extends DomainEvent, S> {
  /** Command name for logs and metrics, e.g. `RegisterTracer`. */
  name: string;
  decider: Decider<C, E, S>;
  /** The stream the command writes to. */
  streamOf(command: C): string;
  /**
   * Safe to retry on a concurrent write: the decision is re-made on the fresh state, so a retry
   * can never repeat an effect. Commands that are not answer 409 instead.
   */
  retryOnConflict: boolean;
  /** Stored schema version of each event type this command emits. */
  schemaVersionOf(eventType: E['type']): number;
  /** Events whose metadata must carry a reason (GMP corrections, cancellations, moves). */
  reasonRequired?: boolean;
  /**
   * Loads state the decision needs from other streams (the handler's job, never the client's):
   * e.g. the production run a new delivery slot refers to.
   */
  enrich?(command: C, load: StateLoader): Promise<C>;
  /**
   * `enrich` only loads state (no allocation, no appends): the pipeline may run it first on the
   * states it already knows, to read every stream it will want in one round trip.
   */
  enrichOnlyLoads?: boolean;
  /**
   * Runs after the decision and before the append, with the state before and after it: e.g. claim
   * unique names on their own streams. Throwing aborts the command; nothing is appended.
   */
  beforeAppend?(change: StateChange<S>): Promise<void>;
  /** Runs after the append: e.g. release names the aggregate no longer holds. */
  afterAppend?(change: StateChange<S>): Promise<void>;
  /**
   * Runs when the append failed after `beforeAppend` succeeded and the events are known not to be
   * stored (a conflict, or the store refusing them as they are): undo what this attempt did (not
   * what another request did that this one found done). Not after a duplicate (the same cause
   * stored them before), nor after a failure whose outcome is unknown.
   */
  appendFailed?(change: StateChange<S>): Promise<void>;
}

export interface StateChange<S> {
  streamId: string;
  before: S;
  after: S;
  context: CommandContext;
}

/** Folds another aggregate's stream; returns the decider's initial state when it has no events. */
export type StateLoader = <S2, E2 extends DomainEvent>(
  streamId: string,
  decider: Decider<never, E2, S2>,
) => Promise<S2>;
