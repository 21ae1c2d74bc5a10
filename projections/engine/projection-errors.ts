import type { Position } from '@tracershop/event-store';
import type { CheckpointStatus } from './checkpoint-store';

/** Base of the engine's errors; `code` is stable and safe to show to API clients. */
export abstract class ProjectionError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Read-your-writes gave up: the projection had not committed `position` within the timeout. */
export class ProjectionNotCaughtUpError extends ProjectionError {
  readonly code = 'PROJECTION_NOT_CAUGHT_UP';

  constructor(
    readonly projection: string,
    readonly position: Position,
    /** The projection's committed checkpoint when the wait ended, null if it has none yet. */
    readonly reached: Position | null,
    readonly timeoutMs: number,
    /** The checkpoint's status when the wait ended: `failed` means it is stopped on an event. */
    readonly status: CheckpointStatus | null,
  ) {
    super(
      `Projection ${projection} did not reach ${position} within ${timeoutMs} ms ` +
        `(at ${reached ?? 'nothing'}${status === 'failed' ? ', stopped on a failure' : ''})`,
    );
  }
}

export class UnknownProjectionError extends ProjectionError {
  readonly code = 'UNKNOWN_PROJECTION';

  constructor(readonly projection: string) {
    super(`No projection named ${JSON.stringify(projection)} is registered`);
  }
}

export class RebuildError extends ProjectionError {
  readonly code = 'REBUILD_FAILED';
}

/**
 * The checkpoint row is not what this runner last committed, or the runner no longer holds its
 * lock: another runner or a rebuild moved on. The batch is rolled back and the runner re-reads.
 */
export class CheckpointMovedError extends ProjectionError {
  readonly code = 'CHECKPOINT_MOVED';

  constructor(
    message: string,
    /** The writer's session no longer holds its lock: it must stop, not retry. */
    readonly lockLost: boolean,
  ) {
    super(message);
  }
}
