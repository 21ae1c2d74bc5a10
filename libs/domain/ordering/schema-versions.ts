import { type DeliveryDayEvent } from './delivery-day';
import { type VialEvent } from './vial';

export type OrderingEvent = DeliveryDayEvent | VialEvent;
export type OrderingEventType = OrderingEvent['type'];

/** Stored schema version per event type; a new type without a version is a compile error. */
export const orderingEventSchemaVersions: Readonly<Record<OrderingEventType, number>> = {
  OrderPlaced: 1,
  OrderAccepted: 1,
  OrderRejected: 1,
  OrderCancelled: 1,
  OrderReinstated: 1,
  OrderActivityChanged: 1,
  InjectionOrderChanged: 1,
  OrderMovedToSlot: 1,
  OrderRestoredToSlot: 1,
  GhostOrderCreated: 1,
  GhostOrderDissolved: 1,
  DeadOrderFlagged: 1,
  ActivityReleased: 1,
  InjectionOrdersReleased: 1,
  ReleasedOrderCorrected: 1,
  VialDispensed: 1,
  VialCorrected: 1,
  VialAssigned: 1,
  VialUnassigned: 1,
  VialVoided: 1,
  VialRestored: 1,
};

export const orderingEventTypes = Object.keys(orderingEventSchemaVersions) as OrderingEventType[];
