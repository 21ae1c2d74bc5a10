import {
  AUDIT_ANCHORS_STREAM,
  auditAnchorsDecider,
  auditExportDecider,
  auditExportStreamName,
  auditTrailReviewsDecider,
  auditTrailReviewsStreamName,
  integrityChecksDecider,
  integrityChecksStreamName,
  reconciliationsDecider,
  reconciliationsStreamName,
} from '@tracershop/domain/audit';
import {
  bookingDecider,
  bookingStreamName,
  locationMappingDecider,
  locationMappingStreamName,
  procedureDecider,
  procedureStreamName,
} from '@tracershop/domain/bookings';
import {
  closedDateDecider,
  closedDateStreamName,
  customerDecider,
  customerStreamName,
  deliveryEndpointDecider,
  deliveryEndpointStreamName,
  deliveryTimeSlotDecider,
  deliveryTimeSlotStreamName,
  isotopeDecider,
  isotopeStreamName,
  nameClaimDecider,
  nameClaimStreamName,
  orderingDeadlinesDecider,
  orderingDeadlinesStreamName,
  productionRunDecider,
  productionRunStreamName,
  tracerDecider,
  tracerPermissionDecider,
  tracerPermissionStreamName,
  tracerStreamName,
  weeklyCloseDaysDecider,
  weeklyCloseDaysStreamName,
} from '@tracershop/domain/catalog';
import {
  apiClientDecider,
  apiClientStreamName,
  firstAdministratorDecider,
  firstAdministratorStreamName,
  serviceEndpointDecider,
  serviceEndpointStreamName,
  userDecider,
  userStreamName,
  usernameClaimDecider,
  usernameClaimStreamName,
} from '@tracershop/domain/identity';
import type { DomainEvent } from '@tracershop/domain/kernel';
import {
  capturedChangeDecider,
  capturedChangeStreamName,
  legacyIdBlockDecider,
  legacyIdBlockStreamName,
} from '@tracershop/domain/legacy';
import {
  deliveryDayDecider,
  deliveryDayStreamName,
  orderingIdClaimDecider,
  orderingIdClaimStreamName,
  vialDecider,
  vialStreamName,
} from '@tracershop/domain/ordering';

/** The fold of one aggregate type: the same `initialState` and `evolve` the command side uses. */
export interface AuditedAggregate {
  /** Streams of the type start with it: `<context>.<aggregate>-`. */
  prefix: string;
  aggregate: string;
  fold: {
    initialState(): unknown;
    evolve(state: unknown, event: DomainEvent): unknown;
  };
}

function audited<S, E extends DomainEvent>(
  sampleStreamName: string,
  aggregate: string,
  decider: { initialState(): S; evolve(state: S, event: E): S },
): AuditedAggregate {
  return {
    prefix: sampleStreamName.slice(0, sampleStreamName.indexOf('-') + 1),
    aggregate,
    fold: decider as unknown as AuditedAggregate['fold'],
  };
}

/** Every aggregate type of the record, by its stream prefix (a new one without a line is not auditable). */
export const auditedAggregates: readonly AuditedAggregate[] = [
  audited(isotopeStreamName('x'), 'Isotope', isotopeDecider),
  audited(tracerStreamName('x'), 'Tracer', tracerDecider),
  audited(customerStreamName('x'), 'Customer', customerDecider),
  audited(deliveryEndpointStreamName('x'), 'DeliveryEndpoint', deliveryEndpointDecider),
  audited(productionRunStreamName('x'), 'ProductionRun', productionRunDecider),
  audited(deliveryTimeSlotStreamName('x'), 'DeliveryTimeSlot', deliveryTimeSlotDecider),
  audited(tracerPermissionStreamName('x', 'y'), 'TracerPermission', tracerPermissionDecider),
  audited(closedDateStreamName('2026-01-01'), 'ClosedDate', closedDateDecider),
  audited(weeklyCloseDaysStreamName(), 'WeeklyCloseDays', weeklyCloseDaysDecider),
  audited(orderingDeadlinesStreamName(), 'OrderingDeadlines', orderingDeadlinesDecider),
  audited(nameClaimStreamName('isotopeName', 'x'), 'NameClaim', nameClaimDecider),
  audited(deliveryDayStreamName('x', '2026-01-01'), 'DeliveryDay', deliveryDayDecider),
  audited(vialStreamName('x'), 'Vial', vialDecider),
  audited(orderingIdClaimStreamName('order', 'x'), 'OrderingIdClaim', orderingIdClaimDecider),
  audited(bookingStreamName('x'), 'Booking', bookingDecider),
  audited(procedureStreamName('x', 'y'), 'Procedure', procedureDecider),
  audited(locationMappingStreamName('x'), 'LocationMapping', locationMappingDecider),
  audited(userStreamName('x'), 'User', userDecider),
  audited(usernameClaimStreamName('x'), 'UsernameClaim', usernameClaimDecider),
  audited(apiClientStreamName('x'), 'ApiClient', apiClientDecider),
  audited(serviceEndpointStreamName('x'), 'ServiceEndpoint', serviceEndpointDecider),
  audited(firstAdministratorStreamName(), 'FirstAdministrator', firstAdministratorDecider),
  audited(legacyIdBlockStreamName('orders'), 'LegacyIdBlock', legacyIdBlockDecider),
  audited(
    capturedChangeStreamName({ captureId: 1, capturedAt: '2026-01-01T00:00:00.000Z' }),
    'CapturedChange',
    capturedChangeDecider,
  ),
  audited(auditExportStreamName('x'), 'AuditExport', auditExportDecider),
  audited(AUDIT_ANCHORS_STREAM, 'AuditAnchors', auditAnchorsDecider),
  audited(integrityChecksStreamName('2026-01'), 'IntegrityChecks', integrityChecksDecider),
  audited(reconciliationsStreamName('2026-01'), 'Reconciliations', reconciliationsDecider),
  audited(auditTrailReviewsStreamName('x'), 'AuditTrailReviews', auditTrailReviewsDecider),
];

export function auditedAggregateOf(streamId: string): AuditedAggregate | null {
  return auditedAggregates.find((candidate) => streamId.startsWith(candidate.prefix)) ?? null;
}
