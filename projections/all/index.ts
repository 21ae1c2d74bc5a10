import type { Projection } from '@tracershop/projections/engine';
import { legacyProjection } from '@tracershop/projections/legacy';
import { liveProjections } from '@tracershop/projections/live';
import { recordProjections } from '@tracershop/projections/record';
import { webProjections } from '@tracershop/projections/web';

/** Every projection the projector runs and the api waits on. */
export const allProjections: readonly Projection[] = [
  ...recordProjections,
  legacyProjection,
  ...webProjections,
  ...liveProjections,
];
