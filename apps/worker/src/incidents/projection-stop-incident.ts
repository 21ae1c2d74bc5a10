import { incidentIds } from '@tracershop/domain/audit';

/** What the raiser knows of an incident already raised for a projection's stop. */
export interface EarlierStopIncident {
  status: 'open' | 'closed';
  /** When it was closed; null while open. */
  closedAt: string | null;
}

/**
 * The incident a projection's stop at an event belongs to (Annex 11 §13: every poison event raises
 * an incident). The first stop at event E is `projection-<P>-<E>`; while that incident is open, or
 * when it was closed after the stop began (the stop it was closed for), the stop is that incident.
 * A stop that began after the incident was closed (retried, failed again) is a recurrence, with an
 * incident of its own: `-2`, `-3`, … after the first. The id follows from the record alone, so
 * workers that see the same stop, or a worker that raises it again after a crash, name one incident.
 */
export async function projectionStopIncidentId(
  projection: string,
  eventId: string,
  stoppedAt: Date,
  earlier: (incidentId: string) => Promise<EarlierStopIncident | null>,
): Promise<{ incidentId: string; recurrence: number; previousIncidentId: string | null }> {
  const first = incidentIds.projectionStopped(projection, eventId);
  const idOf = (recurrence: number) => (recurrence === 1 ? first : `${first}-${recurrence}`);
  let recurrence = 1;
  for (;;) {
    const incident = await earlier(idOf(recurrence));
    const closedBeforeThisStop =
      incident?.status === 'closed' &&
      incident.closedAt !== null &&
      Date.parse(incident.closedAt) < stoppedAt.getTime();
    if (!closedBeforeThisStop) break;
    recurrence += 1;
  }
  return {
    incidentId: idOf(recurrence),
    recurrence,
    previousIncidentId: recurrence === 1 ? null : idOf(recurrence - 1),
  };
}
