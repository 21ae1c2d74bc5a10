import type { IsoInstant } from '../catalog';
import type { DeliveryDayState } from './delivery-day';

/**
 * How long a vial may stay reserved for a release that is not recorded: far longer than any
 * release command takes between reserving its vials and recording the release.
 */
export const UNRECORDED_RELEASE_GRACE_SECONDS = 300;

/**
 * Why a vial's assignment no longer holds, or null while it does. A release reserves its vials on
 * their own streams before it is recorded, and a correction gives them back after it is recorded;
 * a process that stops in between leaves a vial assigned to a release that was corrected, or that
 * was never recorded. `day` is the delivery day the assignment names; `assignedAt` when the vial
 * was assigned (needed only when the day holds no such release).
 */
export function staleVialAssignment(
  assignedTo: { releaseId: string },
  day: DeliveryDayState,
  assignedAt: IsoInstant | null,
  now: IsoInstant,
): string | null {
  const release = day.releases[assignedTo.releaseId];
  if (release) return release.status === 'corrected' ? `Release ${assignedTo.releaseId} was corrected` : null;
  if (assignedAt === null) return null;
  const ageSeconds = (Date.parse(now) - Date.parse(assignedAt)) / 1000;
  return ageSeconds >= UNRECORDED_RELEASE_GRACE_SECONDS ? `Release ${assignedTo.releaseId} was never recorded` : null;
}
