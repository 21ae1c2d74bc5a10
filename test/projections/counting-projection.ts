import type { RecordedEvent } from '@tracershop/event-store';
import type { Projection, ProjectionTarget } from '../../projections/engine';

/** Handled by the counting projection. */
export const COUNTED = 'Counted';
/** Appended beside `Counted` events and not handled: only moves the checkpoint. */
export const IGNORED = 'Ignored';

export interface CountedData {
  amount: number;
  /** The test's poisoned event: the handler throws on it while `failOn` says so. */
  poison?: boolean;
}

export interface CountingProjectionOptions {
  name?: string;
  version?: number;
  target?: ProjectionTarget;
  /** Whether the handler throws on this event (a poison event). */
  failOn?: (event: RecordedEvent<CountedData>) => boolean;
  onLive?: Projection['onLive'];
}

/**
 * The engine's test projection. One row per event id (a UNIQUE position too) and running totals
 * per stream: applying an event twice breaks a unique key (the projection then fails) or shows in
 * the totals, so exactly-once is visible in the tables. Version 2 adds a column, so a swap shows.
 */
export function countingProjection(options: CountingProjectionOptions = {}): Projection {
  const version = options.version ?? 1;
  const doubled = version >= 2;
  return {
    name: options.name ?? 'counting',
    version,
    target: options.target ?? 'record',
    eventTypes: [COUNTED],
    tables: {
      counted_events: (table) => `
        CREATE TABLE ${table} (
          event_id CHAR(36) CHARACTER SET ascii NOT NULL,
          position BIGINT NOT NULL,
          stream_id VARCHAR(255) NOT NULL,
          revision BIGINT NOT NULL,
          amount INT NOT NULL,
          projected_by INT NOT NULL,
          ${doubled ? 'doubled INT NOT NULL,' : ''}
          PRIMARY KEY (event_id),
          UNIQUE KEY uq_counted_events_position (position)
        ) ENGINE=InnoDB`,
      stream_totals: (table) => `
        CREATE TABLE ${table} (
          stream_id VARCHAR(255) NOT NULL,
          events INT NOT NULL,
          amount BIGINT NOT NULL,
          last_revision BIGINT NOT NULL,
          PRIMARY KEY (stream_id)
        ) ENGINE=InnoDB`,
    },
    async handle(event, tx) {
      const data = event.data as CountedData;
      if (options.failOn?.(event as RecordedEvent<CountedData>)) {
        throw new Error(`cannot count ${event.metadata.eventId}`);
      }
      const columns = ['event_id', 'position', 'stream_id', 'revision', 'amount', 'projected_by'];
      const values: unknown[] = [
        event.metadata.eventId,
        event.position.commit,
        event.streamId,
        event.revision,
        data.amount,
        version,
      ];
      if (doubled) {
        columns.push('doubled');
        values.push(data.amount * 2);
      }
      await tx.query(
        `INSERT INTO ${tx.table('counted_events')} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        values,
      );
      await tx.query(
        `INSERT INTO ${tx.table('stream_totals')} (stream_id, events, amount, last_revision) VALUES (?, 1, ?, ?)
         ON DUPLICATE KEY UPDATE events = events + 1, amount = amount + VALUES(amount), last_revision = VALUES(last_revision)`,
        [event.streamId, data.amount, event.revision],
      );
    },
    ...(options.onLive ? { onLive: options.onLive } : {}),
  };
}
