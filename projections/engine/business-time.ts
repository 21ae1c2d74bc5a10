import type { RecordedEvent } from '@tracershop/event-store';

/** A UTC instant as `toISOString` prints it, on a day every month has: its text is already the literal. */
const PLAIN_UTC_INSTANT = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/**
 * The event's business time (`occurredAt`; `recordedAt` when an import left it out) as a UTC
 * `DATETIME(3)` literal. The pipeline's own instants are taken as they are, without a Date round
 * trip (a hot path of every rebuild); anything else is parsed, and refused when it is no instant.
 */
export function businessTimeOf(event: RecordedEvent): string {
  const instant = event.metadata.occurredAt ?? event.metadata.recordedAt;
  if (typeof instant === 'string' && PLAIN_UTC_INSTANT.test(instant)) {
    return `${instant.slice(0, 10)} ${instant.slice(11, 23)}`;
  }
  const parsed = new Date(instant);
  if (Number.isNaN(parsed.getTime())) throw new Error(`${event.type} at ${event.position}: bad occurredAt ${instant}`);
  return parsed.toISOString().replace('T', ' ').replace('Z', '');
}
