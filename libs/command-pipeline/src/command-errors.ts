/** A concurrent write changed the stream and the command is not safe to retry: answer 409. */
export class ConcurrentModificationError extends Error {
  readonly code = 'CONCURRENT_MODIFICATION';

  constructor(
    readonly streamId: string,
    readonly attempts: number,
  ) {
    super(`Stream ${streamId} was changed by another request; reload and try again`);
    this.name = 'ConcurrentModificationError';
  }
}
