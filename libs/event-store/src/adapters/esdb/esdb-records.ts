import type { RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import type { EventMetadata, RecordedEvent } from '../../envelope';
import { EventStoreError, EventStoreUnavailableError } from '../../errors';
import { Position } from '../../position';

/** EventStoreDB's own events ($metadata, $>, $statsCollected …): never ours, never delivered. */
export function isSystemEventType(type: string): boolean {
  return type.startsWith('$');
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

/** Keeps our typed errors; anything else from the client means the store could not serve the call. */
export function asStoreError(error: unknown, action: string): Error {
  if (error instanceof EventStoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const type = (error as { type?: unknown } | null)?.type;
  return new EventStoreUnavailableError(`EventStoreDB ${action} failed: ${message}`, {
    cause: message,
    ...(typeof type === 'string' ? { type } : {}),
  });
}
