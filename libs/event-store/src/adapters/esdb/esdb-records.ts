import {
  AccessDeniedError as EsdbAccessDeniedError,
  MaxAppendSizeExceededError as EsdbMaxAppendSizeExceededError,
  StreamDeletedError as EsdbStreamDeletedError,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import type { EventMetadata, RecordedEvent } from '../../envelope';
import {
  AppendTooLargeError,
  EventStoreAccessDeniedError,
  EventStoreError,
  EventStoreUnavailableError,
  StreamDeletedError,
} from '../../errors';
import { Position } from '../../position';

/**
 * EventStoreDB's own events: never ours, never delivered. They are the ones in its `$` streams
 * (`$settings`, `$$<stream>` metadata, `$stats-…`, whatever their type, e.g. `update-default-acl`)
 * and the `$`-typed ones (`$>` links, `$metadata` …). Our stream names and types never start with `$`.
 */
export function isServerOwnEvent(event: { streamId: string; type: string }): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

/** Maps a stored event back to our envelope; anything that is not one is reported, not skipped. */
export function toRecordedEvent(event: EsdbRecordedEvent): RecordedEvent {
  const metadata = event.metadata as unknown;
  if (!event.isJson || typeof metadata !== 'object' || metadata === null || metadata instanceof Uint8Array) {
    throw new EventStoreUnavailableError(
      `Event ${event.id} in "${event.streamId}" is not a JSON event with JSON metadata; it was not written by this store`,
      { streamId: event.streamId, revision: event.revision.toString(), eventId: event.id },
    );
  }
  if (!event.position) {
    throw new EventStoreUnavailableError(`EventStoreDB returned event ${event.id} without a position`, {
      streamId: event.streamId,
    });
  }
  return {
    streamId: event.streamId,
    revision: event.revision,
    position: Position.of(event.position.commit, event.position.prepare),
    type: event.type,
    data: event.data,
    metadata: metadata as EventMetadata,
  };
}

/**
 * Keeps our typed errors and names the server's permanent refusals (a retry cannot succeed);
 * anything else from the client means the store could not serve the call, which a retry may cure.
 */
export function asStoreError(error: unknown, action: string, streamId?: string): Error {
  if (error instanceof EventStoreError) return error;
  if (error instanceof EsdbMaxAppendSizeExceededError) {
    return new AppendTooLargeError(
      streamId ?? '',
      Number.isFinite(error.maxAppendSize) ? error.maxAppendSize : undefined,
    );
  }
  if (error instanceof EsdbStreamDeletedError) return new StreamDeletedError(streamId ?? error.streamName);
  if (error instanceof EsdbAccessDeniedError) return new EventStoreAccessDeniedError(action);
  const message = error instanceof Error ? error.message : String(error);
  const type = (error as { type?: unknown } | null)?.type;
  return new EventStoreUnavailableError(`EventStoreDB ${action} failed: ${message}`, {
    cause: message,
    ...(typeof type === 'string' ? { type } : {}),
  });
}
