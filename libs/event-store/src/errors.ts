/** Base of every error the event store raises; `code` is stable and safe to show to API clients. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;

  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class WrongExpectedVersionError extends EventStoreError {
  readonly code = 'WRONG_EXPECTED_VERSION';

  constructor(
    readonly streamId: string,
    readonly expected: string,
    /** The stream's current revision, or `no_stream`. */
    readonly actual: string,
  ) {
    super(`Stream "${streamId}" is at ${actual}, expected ${expected}`, { streamId, expected, actual });
  }
}

export class StreamNotFoundError extends EventStoreError {
  readonly code = 'STREAM_NOT_FOUND';

  constructor(readonly streamId: string) {
    super(`Stream "${streamId}" does not exist`, { streamId });
  }
}

export class InvalidStreamNameError extends EventStoreError {
  readonly code = 'INVALID_STREAM_NAME';

  constructor(
    readonly streamId: unknown,
    reason: string,
  ) {
    super(`Invalid stream name ${JSON.stringify(streamId)}: ${reason}`, { streamId, reason });
  }
}

export class InvalidEventError extends EventStoreError {
  readonly code = 'INVALID_EVENT';

  constructor(reason: string, details: Record<string, unknown> = {}) {
    super(`Invalid event: ${reason}`, { reason, ...details });
  }
}

export class EventTooLargeError extends EventStoreError {
  readonly code = 'EVENT_TOO_LARGE';

  constructor(
    readonly eventId: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(`Event ${eventId} is ${size} bytes; the limit is ${limit}`, { eventId, size, limit });
  }
}

export class InvalidExpectedRevisionError extends EventStoreError {
  readonly code = 'INVALID_EXPECTED_REVISION';

  constructor(readonly expected: unknown) {
    super(
      `Unknown expected revision ${String(expected)}: use a bigint revision, "no_stream", "stream_exists" or "any"`,
      { expected: String(expected) },
    );
  }
}

export class InvalidPositionError extends EventStoreError {
  readonly code = 'INVALID_POSITION';

  constructor(readonly text: string) {
    super(`Invalid position "${text}"`, { position: text });
  }
}

/** Some of the event ids are already stored, but not as the same run in the same stream. */
export class DuplicateEventIdError extends EventStoreError {
  readonly code = 'DUPLICATE_EVENT_ID';

  constructor(
    readonly streamId: string,
    readonly eventIds: string[],
  ) {
    super(`Event ids already stored elsewhere: ${eventIds.join(', ')}`, { streamId, eventIds });
  }
}

/**
 * The whole append is larger than the store accepts in one write (EventStoreDB limits an append,
 * not only each event: its `MaxAppendSize`, 1 MiB unless configured).
 */
export class AppendTooLargeError extends EventStoreError {
  readonly code = 'APPEND_TOO_LARGE';

  constructor(
    readonly streamId: string,
    readonly limit: number | undefined,
  ) {
    super(
      `The append to "${streamId}" is larger than the event store accepts in one write` +
        (limit === undefined ? '' : ` (${limit} bytes)`),
      { streamId, ...(limit === undefined ? {} : { limit }) },
    );
  }
}

/** The stream was deleted (tombstoned) behind the store: nothing can be appended to it again. */
export class StreamDeletedError extends EventStoreError {
  readonly code = 'STREAM_DELETED';

  constructor(readonly streamId: string) {
    super(`Stream "${streamId}" was deleted in the event store and takes no more events`, { streamId });
  }
}

/**
 * The event store refused this service's credentials the operation: the deployment's fault, for an
 * operator to fix. Callers answer it as unavailable (a retry succeeds once the permission is fixed)
 * and keep the details in the log.
 */
export class EventStoreAccessDeniedError extends EventStoreError {
  readonly code = 'EVENT_STORE_ACCESS_DENIED';

  constructor(action: string) {
    super(`The event store refused this service access for the ${action}`, { action });
  }
}

/** The store could not be reached or answered in a way the adapter cannot interpret. */
export class EventStoreUnavailableError extends EventStoreError {
  readonly code = 'EVENT_STORE_UNAVAILABLE';
}
