import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import {
  absent,
  activeHerlevPet,
  activeMondayRun,
  archivedHerlevPet,
  archivedMondayRun,
  at,
  mondayRunScheduled,
  mondaySlotScheduled,
} from './catalog-examples';
import {
  deliveryTimeSlotDecider,
  deliveryTimeSlotNameClaims,
  deliveryTimeSlotStreamName,
  type DeliveryTimeSlotArchived,
  type RestoreDeliveryTimeSlot,
  type ScheduleDeliveryTimeSlot,
  type UpdateDeliveryTimeSlot,
} from './delivery-time-slot';
import { productionRunDecider } from './production-run';

const spec = specFor(deliveryTimeSlotDecider);
/** Why a change is made: every change of catalogue values says it (GMP, Annex 11 §9). */
const changeReason = 'Corrected after review';
const scheduleMondaySlot: ScheduleDeliveryTimeSlot = {
  type: 'ScheduleDeliveryTimeSlot',
  slotId: 'slot-herlev-mon-0800',
  endpointId: 'ep-herlev-pet',
  productionRunId: 'run-mon-1',
  deliveryTime: '08:00',
  repeat: 'every',
  legacyId: 1008,
  at,
  refs: { endpoint: activeHerlevPet, productionRun: activeMondayRun },
};
const mondaySlotArchived: DeliveryTimeSlotArchived = {
  type: 'DeliveryTimeSlotArchived',
  data: { slotId: 'slot-herlev-mon-0800', reason: 'Customer takes the 10:00 delivery instead' },
};
/** The Monday run after production moved to 08:30. */
const laterMondayRun = fold(productionRunDecider, [
  mondayRunScheduled,
  {
    type: 'ProductionRunUpdated',
    data: {
      reason: changeReason,
      productionRunId: 'run-mon-1',
      changes: { productionTime: { from: '06:30', to: '08:30' } },
    },
  },
]);

describe('DeliveryTimeSlot', () => {
  it('lives in the stream catalog.deliveryTimeSlot-<id>', () => {
    expect(deliveryTimeSlotStreamName('slot-1')).toBe('catalog.deliveryTimeSlot-slot-1');
  });

  describe('ScheduleDeliveryTimeSlot', () => {
    it("schedules a slot on its production run's weekday", () => {
      spec.given([]).when(scheduleMondaySlot).then([mondaySlotScheduled]);
    });

    it('keeps the optional maximum activity and expiry date', () => {
      spec
        .given([])
        .when({ ...scheduleMondaySlot, repeat: 'odd', maxActivityMBq: 40_000, expiryDate: '2026-12-31' })
        .then([
          {
            type: 'DeliveryTimeSlotScheduled',
            data: { ...mondaySlotScheduled.data, repeat: 'odd', maxActivityMBq: 40_000, expiryDate: '2026-12-31' },
          },
        ]);
    });

    it('delivers strictly after production: the same minute is too early', () => {
      spec
        .given([])
        .when({ ...scheduleMondaySlot, deliveryTime: '06:30' })
        .thenThrows('SLOT_BEFORE_PRODUCTION_RUN', {
          field: 'deliveryTime',
          deliveryTime: '06:30',
          productionTime: '06:30',
          productionRunId: 'run-mon-1',
        });
      spec
        .given([])
        .when({ ...scheduleMondaySlot, deliveryTime: '05:45' })
        .thenThrows('SLOT_BEFORE_PRODUCTION_RUN');
    });

    it('fails when the endpoint does not exist or is archived', () => {
      spec
        .given([])
        .when({ ...scheduleMondaySlot, refs: { endpoint: absent, productionRun: activeMondayRun } })
        .thenThrows('DELIVERY_ENDPOINT_NOT_FOUND', { field: 'endpointId' });
      spec
        .given([])
        .when({ ...scheduleMondaySlot, refs: { endpoint: archivedHerlevPet, productionRun: activeMondayRun } })
        .thenThrows('DELIVERY_ENDPOINT_ARCHIVED');
    });

    it('fails when the production run does not exist or is archived', () => {
      spec
        .given([])
        .when({ ...scheduleMondaySlot, refs: { endpoint: activeHerlevPet, productionRun: absent } })
        .thenThrows('PRODUCTION_RUN_NOT_FOUND', { field: 'productionRunId' });
      spec
        .given([])
        .when({ ...scheduleMondaySlot, refs: { endpoint: activeHerlevPet, productionRun: archivedMondayRun } })
        .thenThrows('PRODUCTION_RUN_ARCHIVED');
    });

    it('fails when the handler loaded another run than the command names', () => {
      spec
        .given([])
        .when({ ...scheduleMondaySlot, productionRunId: 'run-tue-1' })
        .thenThrows('REFERENCE_MISMATCH', { field: 'productionRunId', actualId: 'run-mon-1' });
    });

    it('rejects an unknown weekly repeat', () => {
      spec
        .given([])
        .when({ ...scheduleMondaySlot, repeat: 'biweekly' as 'odd' })
        .thenThrows('INVALID_REPEAT', { field: 'repeat', allowed: ['every', 'even', 'odd'] });
    });

    it.each(['2026-02-29', '2026-13-01', '2026-04-31', '31-12-2026'])('rejects the expiry date %p', (expiryDate) => {
      spec
        .given([])
        .when({ ...scheduleMondaySlot, expiryDate })
        .thenThrows('INVALID_DATE', { field: 'expiryDate' });
    });

    it('rejects a maximum activity that is not positive', () => {
      spec
        .given([])
        .when({ ...scheduleMondaySlot, maxActivityMBq: 0 })
        .thenThrows('INVALID_MAX_ACTIVITY', { field: 'maxActivityMBq' });
    });

    it('rejects a delivery time outside 00:00–23:59', () => {
      spec
        .given([])
        .when({ ...scheduleMondaySlot, deliveryTime: '24:00' })
        .thenThrows('INVALID_TIME', { field: 'deliveryTime' });
    });

    it('is idempotent: scheduling the same slot again changes nothing', () => {
      spec.given([mondaySlotScheduled]).when(scheduleMondaySlot).thenNothing();
    });

    it('carries its legacy id (deliverTimes.DTID) and keeps it for life', () => {
      expect(fold(deliveryTimeSlotDecider, [mondaySlotScheduled])).toMatchObject({ legacyId: 1008 });
      spec
        .given([mondaySlotScheduled])
        .when({ ...scheduleMondaySlot, legacyId: 2000 })
        .thenNothing();
      spec
        .given([])
        .when({ ...scheduleMondaySlot, legacyId: 0 })
        .thenThrows('INVALID_LEGACY_ID', { field: 'legacyId' });
    });

    it('refuses a different slot under an existing id', () => {
      spec
        .given([mondaySlotScheduled])
        .when({ ...scheduleMondaySlot, deliveryTime: '09:00' })
        .thenThrows('ALREADY_EXISTS');
    });
  });

  describe('UpdateDeliveryTimeSlot', () => {
    const update = (
      changes: UpdateDeliveryTimeSlot['changes'],
      productionRun = activeMondayRun,
    ): UpdateDeliveryTimeSlot => ({
      type: 'UpdateDeliveryTimeSlot',
      slotId: 'slot-herlev-mon-0800',
      changes,
      reason: changeReason,
      at,
      refs: { productionRun },
    });

    it('refuses a change without a reason (GMP: Annex 11 §9): 422 FIELD_REQUIRED, nothing recorded', () => {
      for (const reason of [undefined, '', '   ']) {
        spec
          .given([mondaySlotScheduled])
          .when({ ...update({ deliveryTime: '08:15' }), reason })
          .thenThrows('FIELD_REQUIRED', { field: 'reason' });
      }
    });

    it('needs no reason for an update that changes nothing', () => {
      spec
        .given([mondaySlotScheduled])
        .when({ ...update({ deliveryTime: '08:00' }), reason: undefined })
        .thenNothing();
    });

    it('records the old and new delivery time', () => {
      spec
        .given([mondaySlotScheduled])
        .when(update({ deliveryTime: '08:15' }))
        .then([
          {
            type: 'DeliveryTimeSlotUpdated',
            data: {
              reason: changeReason,
              slotId: 'slot-herlev-mon-0800',
              changes: { deliveryTime: { from: '08:00', to: '08:15' } },
            },
          },
        ]);
    });

    it('keeps the delivery after production', () => {
      spec
        .given([mondaySlotScheduled])
        .when(update({ deliveryTime: '06:00' }))
        .thenThrows('SLOT_BEFORE_PRODUCTION_RUN', { deliveryTime: '06:00' });
    });

    it('sets and clears the repeat, maximum and expiry', () => {
      spec
        .given([mondaySlotScheduled])
        .when(update({ repeat: 'even', maxActivityMBq: 25_000, expiryDate: '2027-01-01' }))
        .then([
          {
            type: 'DeliveryTimeSlotUpdated',
            data: {
              reason: changeReason,
              slotId: 'slot-herlev-mon-0800',
              changes: {
                repeat: { from: 'every', to: 'even' },
                maxActivityMBq: { from: null, to: 25_000 },
                expiryDate: { from: null, to: '2027-01-01' },
              },
            },
          },
        ]);
      spec
        .given([
          mondaySlotScheduled,
          {
            type: 'DeliveryTimeSlotUpdated',
            data: {
              reason: changeReason,
              slotId: 'slot-herlev-mon-0800',
              changes: { expiryDate: { from: null, to: '2027-01-01' } },
            },
          },
        ])
        .when(update({ expiryDate: null }))
        .then([
          {
            type: 'DeliveryTimeSlotUpdated',
            data: {
              reason: changeReason,
              slotId: 'slot-herlev-mon-0800',
              changes: { expiryDate: { from: '2027-01-01', to: null } },
            },
          },
        ]);
    });

    it('changes nothing when the values are the same', () => {
      spec
        .given([mondaySlotScheduled])
        .when(update({ deliveryTime: '08:00', repeat: 'every' }))
        .thenNothing();
    });

    it('fails for a slot that does not exist', () => {
      spec
        .given([])
        .when(update({ repeat: 'odd' }))
        .thenThrows('DELIVERY_TIME_SLOT_NOT_FOUND');
    });

    it('fails for an archived slot', () => {
      spec
        .given([mondaySlotScheduled, mondaySlotArchived])
        .when(update({ repeat: 'odd' }))
        .thenThrows('DELIVERY_TIME_SLOT_ARCHIVED');
    });
  });

  describe('ArchiveDeliveryTimeSlot and RestoreDeliveryTimeSlot', () => {
    const archive = {
      type: 'ArchiveDeliveryTimeSlot',
      slotId: 'slot-herlev-mon-0800',
      reason: 'Customer takes the 10:00 delivery instead',
      at,
    } as const;
    const restore: RestoreDeliveryTimeSlot = {
      type: 'RestoreDeliveryTimeSlot',
      slotId: 'slot-herlev-mon-0800',
      reason: 'Back to 08:00',
      at,
      refs: { endpoint: activeHerlevPet, productionRun: activeMondayRun },
    };

    it('archives with a reason', () => {
      spec.given([mondaySlotScheduled]).when(archive).then([mondaySlotArchived]);
    });

    it('archiving twice changes nothing', () => {
      spec.given([mondaySlotScheduled, mondaySlotArchived]).when(archive).thenNothing();
    });

    it('cannot archive what does not exist', () => {
      spec.given([]).when(archive).thenThrows('DELIVERY_TIME_SLOT_NOT_FOUND');
    });

    it('restores an archived slot', () => {
      spec
        .given([mondaySlotScheduled, mondaySlotArchived])
        .when(restore)
        .then([
          { type: 'DeliveryTimeSlotRestored', data: { slotId: 'slot-herlev-mon-0800', reason: 'Back to 08:00' } },
        ]);
    });

    it('restores only if the run, perhaps moved meanwhile, still produces before the slot', () => {
      spec
        .given([mondaySlotScheduled, mondaySlotArchived])
        .when({ ...restore, refs: { endpoint: activeHerlevPet, productionRun: laterMondayRun } })
        .thenThrows('SLOT_BEFORE_PRODUCTION_RUN', { productionTime: '08:30' });
    });

    it('restores only while endpoint and run are active', () => {
      spec
        .given([mondaySlotScheduled, mondaySlotArchived])
        .when({ ...restore, refs: { endpoint: archivedHerlevPet, productionRun: activeMondayRun } })
        .thenThrows('DELIVERY_ENDPOINT_ARCHIVED');
      spec
        .given([mondaySlotScheduled, mondaySlotArchived])
        .when({ ...restore, refs: { endpoint: activeHerlevPet, productionRun: archivedMondayRun } })
        .thenThrows('PRODUCTION_RUN_ARCHIVED');
    });

    it('restoring an active slot changes nothing', () => {
      spec.given([mondaySlotScheduled]).when(restore).thenNothing();
    });
  });

  describe('name claims', () => {
    it('claims (endpoint, delivery time, production run)', () => {
      expect(deliveryTimeSlotNameClaims(fold(deliveryTimeSlotDecider, [mondaySlotScheduled]))).toEqual([
        { kind: 'deliveryTimeSlotSchedule', key: 'ep-herlev-pet|08:00|run-mon-1' },
        { kind: 'legacyId', key: 'delivertimes:1008' },
      ]);
    });
  });
});
