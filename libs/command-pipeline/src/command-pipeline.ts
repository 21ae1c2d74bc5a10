import { createHash } from 'node:crypto';
import { DomainError, type Decider, type DomainEvent } from '@tracershop/domain/kernel';
import {
  DuplicateEventIdError,
  StreamNotFoundError,
  UpcasterRegistry,
  WrongExpectedVersionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
} from '@tracershop/event-store';
import type { CommandDefinition, StateLoader } from './command-definition';
import type { CommandContext, CommandResult } from './command-context';
import { ConcurrentModificationError } from './command-errors';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export type CommandOutcome = 'appended' | 'unchanged' | 'rejected' | 'conflict' | 'failed';

/** Metrics and tracing sit beside the pipeline, not inside it. */
export interface CommandObserver {
  commandFinished(name: string, outcome: CommandOutcome, durationMs: number): void;
  appendFinished(durationMs: number): void;
}

const silentObserver: CommandObserver = { commandFinished: () => undefined, appendFinished: () => undefined };

export interface CommandPipelineOptions {
  store: EventStore;
  clock?: Clock;
  upcasters?: UpcasterRegistry;
  /** Extra attempts for commands that declare `retryOnConflict`. */
  conflictRetries?: number;
  observer?: CommandObserver;
}

const PAGE = 1000;

/**
 * load stream → fold with `evolve` → `decide` → append with the expected revision.
 * The server sets actor, recordedAt, correlation and causation; event ids are derived from the
 * causation id, so a retried request whose first append landed is recognised by the store.
 */
export class CommandPipeline {
  private readonly store: EventStore;
  private readonly clock: Clock;
  private readonly upcasters: UpcasterRegistry;
  private readonly conflictRetries: number;
  private readonly observer: CommandObserver;

  constructor(options: CommandPipelineOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.upcasters = options.upcasters ?? new UpcasterRegistry();
    this.conflictRetries = options.conflictRetries ?? 3;
    this.observer = options.observer ?? silentObserver;
  }

  async execute<C, E extends DomainEvent, S>(
    definition: CommandDefinition<C, E, S>,
    command: C,
    context: CommandContext,
  ): Promise<CommandResult> {
    const started = performance.now();
    let outcome: CommandOutcome = 'failed';
    try {
      const result = await this.executeWithRetries(definition, command, context);
      outcome = result.events.length > 0 ? 'appended' : 'unchanged';
      return result;
    } catch (error) {
      if (error instanceof DomainError) outcome = 'rejected';
      else if (error instanceof ConcurrentModificationError || error instanceof WrongExpectedVersionError) {
        outcome = 'conflict';
      }
      throw error;
    } finally {
      this.observer.commandFinished(definition.name, outcome, performance.now() - started);
    }
  }

  /** Folds a stream into the decider's state; the initial state when the stream has no events. */
  readonly loadState: StateLoader = async (streamId, decider) => (await this.load(streamId, decider)).state;

  private async executeWithRetries<C, E extends DomainEvent, S>(
    definition: CommandDefinition<C, E, S>,
    command: C,
    context: CommandContext,
  ): Promise<CommandResult> {
    const attempts = definition.retryOnConflict ? this.conflictRetries + 1 : 1;
    const enriched = definition.enrich ? await definition.enrich(command, this.loadState) : command;
    const streamId = definition.streamOf(enriched);
    for (let attempt = 1; ; attempt++) {
      const { state, revision, position } = await this.load(streamId, definition.decider);
      const decided = definition.decider.decide(enriched, state);
      if (decided.length === 0) {
        return { streamId, revision: revision.toString(), position, events: [] };
      }
      const events = decided.map((event, index) => this.toNewEvent(definition, event, index, context));
      const expected: ExpectedRevision = revision < 0n ? 'no_stream' : revision;
      const change = { streamId, before: state, after: decided.reduce(definition.decider.evolve, state), context };
      await definition.beforeAppend?.(change);
      const appendStarted = performance.now();
      let appended: AppendResult;
      try {
        appended = await this.store.append(streamId, events, expected);
      } catch (error) {
        await definition.appendFailed?.(change);
        // The same cause already wrote these events (a retried request): it is done.
        if (error instanceof DuplicateEventIdError) {
          const current = await this.load(streamId, definition.decider);
          return { streamId, revision: current.revision.toString(), position: current.position, events: [] };
        }
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (attempt >= attempts) throw new ConcurrentModificationError(streamId, attempt);
        continue;
      } finally {
        this.observer.appendFinished(performance.now() - appendStarted);
      }
      await definition.afterAppend?.(change);
      return {
        streamId,
        revision: appended.nextExpectedRevision.toString(),
        position: appended.position.toString(),
        events: decided.map((event) => event.type),
      };
    }
  }

  private async load<E extends DomainEvent, S>(
    streamId: string,
    decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
  ): Promise<{ state: S; revision: bigint; position: string | null }> {
    let state = decider.initialState();
    let revision = -1n;
    let position: string | null = null;
    for (;;) {
      let page: RecordedEvent[];
      try {
        page = await this.store.readStream(streamId, { fromRevision: revision + 1n, maxCount: PAGE });
      } catch (error) {
        if (error instanceof StreamNotFoundError) break;
        throw error;
      }
      for (const recorded of page) {
        const current = this.upcasters.upcast(recorded);
        state = decider.evolve(state, { type: current.type, data: current.data } as E);
        revision = recorded.revision;
        position = recorded.position.toString();
      }
      if (page.length < PAGE) break;
    }
    return { state, revision, position };
  }

  private toNewEvent<C, E extends DomainEvent, S>(
    definition: CommandDefinition<C, E, S>,
    event: E,
    index: number,
    context: CommandContext,
  ): NewEvent {
    const now = this.clock.now().toISOString();
    return {
      type: event.type,
      data: event.data,
      metadata: {
        eventId: derivedEventId(context.causationId, index),
        schemaVersion: definition.schemaVersionOf(event.type),
        occurredAt: context.occurredAt ?? now,
        recordedAt: now,
        actor: context.actor,
        ...(context.reason !== undefined ? { reason: context.reason } : {}),
        correlationId: context.correlationId,
        causationId: context.causationId,
        ...(context.source ? { source: context.source } : {}),
        ...(context.signature ? { signature: context.signature } : {}),
      },
    };
  }
}

/** A name-based (version 5 style) UUID: the same cause and index always give the same event id. */
export function derivedEventId(causationId: string, index: number): string {
  const bytes = createHash('sha1').update(`tracershop-event:${causationId}:${index}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
