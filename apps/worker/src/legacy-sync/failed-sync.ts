import { ConcurrentModificationError } from '@tracershop/command-pipeline';
import { DomainError } from '@tracershop/domain/kernel';
import { isTransientDatabaseError } from '@tracershop/projections/engine';

/**
 * Refusals that may only mean Tracershop's read models have not caught up with what the change
 * names (a customer, tracer, production run or slot registered moments ago): tried again for a while first.
 */
const NOT_YET_KNOWN = new Set([
  'LEGACY_CUSTOMER_UNKNOWN',
  'LEGACY_TRACER_UNKNOWN',
  'LEGACY_SLOT_NOT_FOUND',
  'LEGACY_PRODUCTION_RUN_UNKNOWN',
  // A role the old system gave before it wrote the user's row.
  'LEGACY_USER_UNKNOWN',
]);

/** Read models the sync looks things up in may not exist yet on a fresh deployment. */
const MISSING_READ_MODEL = new Set(['ER_NO_SUCH_TABLE', 'ER_BAD_DB_ERROR']);

export interface SyncFailurePolicy {
  /**
   * How long a change may wait for the read models before a not-yet-known refusal is final, from
   * its first failure: not from when it was captured, which after a backlog (the sync stopped a
   * while) is long past when the read models are only behind the sync's own commands.
   */
  graceMs: number;
  /** Failures of an unknown kind before the change is rejected, if it has failed for at least `graceMs`. */
  maxAttempts: number;
}

// Short: the sync waits for the catalogue to show its own writes first, and the change at the head of
// the queue holds up every change after it while it waits.
export const DEFAULT_SYNC_FAILURE_POLICY: SyncFailurePolicy = { graceMs: 15_000, maxAttempts: 5 };

export type FailedSync =
  { kind: 'retry' } | { kind: 'rejected'; code: string; message: string; details: Record<string, unknown> };

/**
 * What a failed sync of a change means: `retry` leaves it pending (the faults pass: a database or
 * event store away, a concurrent write, read models behind); `rejected` records the refusal for
 * reconciliation. An error of no known kind is retried, and rejected as `LEGACY_SYNC_FAILED` only
 * after several attempts over the grace period, so one bad row cannot hold up the rows after it.
 */
export function failedSync(
  error: unknown,
  { attempts, firstFailureAgoMs }: { attempts: number; firstFailureAgoMs: number },
  policy: SyncFailurePolicy = DEFAULT_SYNC_FAILURE_POLICY,
): FailedSync {
  if (error instanceof DomainError) {
    if (NOT_YET_KNOWN.has(error.code) && firstFailureAgoMs < policy.graceMs) return { kind: 'retry' };
    return { kind: 'rejected', code: error.code, message: error.message, details: error.details };
  }
  if (error instanceof ConcurrentModificationError || isTransientDatabaseError(error)) return { kind: 'retry' };
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && MISSING_READ_MODEL.has(code)) return { kind: 'retry' };
  if (attempts < policy.maxAttempts || firstFailureAgoMs < policy.graceMs) return { kind: 'retry' };
  return {
    kind: 'rejected',
    code: 'LEGACY_SYNC_FAILED',
    message: error instanceof Error ? error.message : String(error),
    details: { attempts },
  };
}
