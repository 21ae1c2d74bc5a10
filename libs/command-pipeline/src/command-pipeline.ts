import { DomainError, type Decider, type DomainEvent } from '@tracershop/domain/kernel';
import {
  DuplicateEventIdError,
  EventStoreError,
  EventStoreUnavailableError,
  UpcasterRegistry,
  WrongExpectedVersionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
} from '@tracershop/event-store';
import type { CommandDefinition, StateLoader } from './command-definition';
import type { CommandContext, CommandResult } from './command-context';
import { ConcurrentModificationError } from './command-errors';
import { nameBasedUuid } from './name-based-uuid';
import { StreamLoader, type FoldedStream } from './stream-loader';

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
  /**
   * Folded stream states kept per decider between commands (each load still reads the events
   * after them, so nothing stale is ever decided on); 0 keeps none. Default 20,000.
   */
  stateCacheSize?: number;
}

const DEFAULT_STATE_CACHE_SIZE = 20_000;

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
  private readonly streams: StreamLoader;

  constructor(options: CommandPipelineOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.upcasters = options.upcasters ?? new UpcasterRegistry();
    this.conflictRetries = options.conflictRetries ?? 3;
    this.observer = options.observer ?? silentObserver;
    this.streams = new StreamLoader(
      this.store,
      this.upcasters,
      Math.max(0, options.stateCacheSize ?? DEFAULT_STATE_CACHE_SIZE),
    );
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
    // Loads made for this command, each read once: the decision stream is read while `enrich`
    // reads the catalogue, so they share round trips.
    const loads = new CommandLoads(this);
    const early = streamOfRaw(definition, command);
    if (early !== null) void loads.load(early, definition.decider).catch(() => undefined);
    const enriched = definition.enrich ? await this.enrich(definition, command, loads) : command;
    const streamId = definition.streamOf(enriched);
    for (let attempt = 1; ; attempt++) {
      // After a conflict the stream is read again; the first attempt uses the read made above.
      const { state, revision, position } =
        attempt === 1 ? await loads.load(streamId, definition.decider) : await this.load(streamId, definition.decider);
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
        // The same cause already wrote these events (a retried request): it is done, and what
        // `beforeAppend` did belongs to those events.
        if (error instanceof DuplicateEventIdError) {
          const current = await this.load(streamId, definition.decider);
          return { streamId, revision: current.revision.toString(), position: current.position, events: [] };
        }
        if (error instanceof WrongExpectedVersionError) {
          await definition.appendFailed?.(change);
          if (attempt >= attempts) throw new ConcurrentModificationError(streamId, attempt);
          continue;
        }
        // A store that refused the events as they are (too large, invalid) wrote nothing. Any other
        // failure (a lost connection, an outcome the store cannot know) may come after the events
        // were written, or while they still are: what `beforeAppend` did then stays. A claim kept
        // too long is repaired later (the stale vial check); one given back too early is not.
        if (error instanceof EventStoreError && !(error instanceof EventStoreUnavailableError)) {
          await definition.appendFailed?.(change);
        }
        throw error;
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

  /**
   * Runs `enrich` with every load it makes read for this command. Where this process has folded
   * the streams before, a first pass on those folds (no reads) names the streams `enrich` will
   * want, including those it only finds through others (slot → run → tracer): they are all read
   * together, and the real pass then usually finds them read. A guess that proves wrong costs only
   * the extra reads the real pass makes; the decision rests on the real pass alone.
   */
  private async enrich<C, E extends DomainEvent, S>(
    definition: CommandDefinition<C, E, S>,
    command: C,
    loads: CommandLoads,
  ): Promise<C> {
    const enrich = definition.enrich!.bind(definition);
    const real = (command: C) =>
      enrich(command, (streamId, decider) => loads.load(streamId, decider).then((loaded) => loaded.state));
    // A speculative pass would repeat side effects (e.g. a legacy id allocated in `enrich`).
    if (!definition.enrichOnlyLoads) return real(command);
    const guess: StateLoader = (streamId, decider) => {
      void loads.load(streamId, decider).catch(() => undefined);
      return Promise.resolve(this.streams.known(streamId, decider) ?? decider.initialState());
    };
    try {
      await enrich(command, guess);
    } catch {
      // A guess on old folds may break a rule the real pass will judge on fresh state.
    }
    return real(command);
  }

  /** Folds a stream as the store holds it now. */
  load<E extends DomainEvent, S>(
    streamId: string,
    decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
  ): Promise<FoldedStream<S>> {
    return this.streams.load(streamId, decider);
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

/** One command's loads: each stream (per decider) is read once, however often the command asks for it. */
class CommandLoads {
  private readonly loads = new Map<object, Map<string, Promise<FoldedStream<unknown>>>>();

  constructor(private readonly pipeline: CommandPipeline) {}

  load<E extends DomainEvent, S>(
    streamId: string,
    decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
  ): Promise<FoldedStream<S>> {
    let byStream = this.loads.get(decider);
    if (!byStream) {
      byStream = new Map();
      this.loads.set(decider, byStream);
    }
    let loaded = byStream.get(streamId);
    if (!loaded) {
      loaded = this.pipeline.load(streamId, decider);
      byStream.set(streamId, loaded);
    }
    return loaded as Promise<FoldedStream<S>>;
  }
}

/** The stream a command goes to, when it can be told before `enrich` (it usually can). */
function streamOfRaw<C, E extends DomainEvent, S>(definition: CommandDefinition<C, E, S>, command: C): string | null {
  try {
    const streamId = definition.streamOf(command);
    return typeof streamId === 'string' && streamId.length > 0 ? streamId : null;
  } catch {
    return null;
  }
}

/** A name-based (version 5 style) UUID: the same cause and index always give the same event id. */
export function derivedEventId(causationId: string, index: number): string {
  return nameBasedUuid(`tracershop-event:${causationId}:${index}`);
}
