import { activeFdg, activeFet, activeHerlev, activeMondayRun } from '@tracershop/domain/catalog/catalog-examples';
import { deliveryDayStreamName, type OrderingEvent } from '@tracershop/domain/ordering';
import {
  activityRefs,
  at,
  date,
  endpointId,
  fdgVial1,
  fdgVial2,
  openDays,
  peter,
  placeFdg,
  placeFet,
  secondMondayRun,
  slot0900,
  slot1030,
  timeZone,
} from '@tracershop/domain/ordering/ordering-examples';
import { dispenseCommand, productionUser, shopUser, type OrderingTestBed } from './ordering-test-bed';

/**
 * One Monday of Herlev's PET centre through the real deciders, touching every ordering table with
 * every kind of event: orders placed, changed, accepted, rejected, moved with a ghost, restored,
 * released with two vials and corrected; an injection order released with a lot. Returns the
 * events appended, in order.
 */
export async function playMonday(bed: OrderingTestBed): Promise<OrderingEvent[]> {
  const day = { endpointId, date, at };
  const reason = 'Production plan changed';
  const toSlot0900 = {
    targetSlot: slot0900,
    targetRun: activeMondayRun,
    orderedSlot: slot1030,
    orderedRun: secondMondayRun,
    closedDays: openDays,
  };
  const events: OrderingEvent[] = [];
  const record = (appended: OrderingEvent[]) => events.push(...appended);

  bed.actor = shopUser;
  record(
    await bed.decideDay(
      placeFdg({
        orderId: 'order-1',
        legacyOid: 1001,
        slotId: 'slot-herlev-mon-1030',
        activityMBq: 1000,
        refs: activityRefs(slot1030, secondMondayRun),
      }),
    ),
  );
  record(await bed.decideDay(placeFdg({ orderId: 'order-3', legacyOid: 1003, activityMBq: 800 })));
  record(await bed.decideDay(placeFdg({ orderId: 'order-4', legacyOid: 1004, activityMBq: 200 })));
  record(await bed.decideDay(placeFet({ orderId: 'inj-1', legacyOid: 2001 })));

  bed.actor = productionUser;
  for (const orderId of ['order-1', 'order-3', 'inj-1']) {
    record(await bed.decideDay({ type: 'AcceptOrder', ...day, orderId }));
  }
  record(await bed.decideDay({ type: 'RejectOrder', ...day, orderId: 'order-4', reason, ghostLegacyOid: 9000 }));
  const move = {
    type: 'MoveOrderToSlot' as const,
    ...day,
    orderId: 'order-1',
    targetSlotId: 'slot-herlev-mon-0900',
    reason,
    secondGhostLegacyOid: 9_999_001,
    timeZone,
    refs: toSlot0900,
  };
  record(await bed.decideDay({ ...move, ghostLegacyOid: 9001 }));
  record(
    await bed.decideDay({
      type: 'RestoreOrder',
      ...day,
      orderId: 'order-1',
      reason,
      ghostLegacyOid: 9002,
      refs: { slot: slot1030, productionRun: secondMondayRun, closedDays: openDays },
    }),
  );
  record(await bed.decideDay({ ...move, ghostLegacyOid: 9003 }));

  for (const vial of [fdgVial1, fdgVial2]) record(await bed.decideVial(dispenseCommand(vial, at)));
  const vialIds = [fdgVial1.data.vialId, fdgVial2.data.vialId];
  record(
    await bed.decideDay({
      type: 'ReleaseSlot',
      ...day,
      releaseId: 'release-1',
      slotId: move.targetSlotId,
      orderIds: ['order-1'],
      vials: vialIds.map((vialId, index) => ({
        vialId,
        state: bed.vialState(vialId),
        extraRowLegacyOid: 7001 + index,
      })),
      releasedBy: peter,
      signatureMeaning: 'release',
      releaseRightTracerIds: ['tracer-fdg'],
      today: date,
      confirmOtherDate: false,
      refs: { tracer: activeFdg, customer: activeHerlev },
    }),
  );
  const streamId = deliveryDayStreamName(endpointId, date);
  for (const vialId of vialIds) {
    record(await bed.decideVial({ type: 'AssignVial', vialId, releaseId: 'release-1', streamId, at }));
  }
  record(
    await bed.decideDay({
      type: 'CorrectRelease',
      ...day,
      releaseId: 'release-1',
      reason: 'Wrong vial',
      signatureMeaning: 'correct',
    }),
  );
  for (const vialId of vialIds) {
    record(await bed.decideVial({ type: 'UnassignVial', vialId, releaseId: 'release-1', reason: 'Wrong vial', at }));
  }
  record(
    await bed.decideVial({
      type: 'CorrectVial',
      vialId: vialIds[1],
      changes: { activityMBq: 1180.25 },
      reason: 'Re-measured',
      at,
    }),
  );
  record(
    await bed.decideDay({
      type: 'ReleaseInjectionOrders',
      ...day,
      releaseId: 'release-inj-1',
      orderIds: ['inj-1'],
      lot: 'FET-260302-1',
      releasedBy: peter,
      signatureMeaning: 'release',
      releaseRightTracerIds: ['tracer-fet'],
      refs: { tracer: activeFet },
    }),
  );
  return events;
}
