import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { absent, activeFdg, activeFet, archivedFdg, at, mondayRunScheduled } from './catalog-examples';
import {
  productionRunDecider,
  productionRunNameClaims,
  productionRunStreamName,
  type ArchiveProductionRun,
  type ProductionRunArchived,
  type RestoreProductionRun,
  type ScheduleProductionRun,
  type ServedSlot,
  type UpdateProductionRun,
} from './production-run';

const spec = specFor(productionRunDecider);
/** Why a change is made: every change of catalogue values says it (GMP, Annex 11 §9). */
const changeReason = 'Corrected after review';
const { productionRunId: _productionRunId, ...mondayRun } = mondayRunScheduled.data;
const scheduleMondayRun: ScheduleProductionRun = {
  type: 'ScheduleProductionRun',
  productionRunId: 'run-mon-1',
  ...mondayRun,
  at,
  refs: { tracer: activeFdg },
};
const mondayRunArchived: ProductionRunArchived = {
  type: 'ProductionRunArchived',
  data: { productionRunId: 'run-mon-1', reason: 'Cyclotron service on Mondays' },
};
const slotAt0800: ServedSlot = { slotId: 'slot-herlev-mon-0800', deliveryTime: '08:00' };

describe('ProductionRun', () => {
  it('lives in the stream catalog.productionRun-<id>', () => {
    expect(productionRunStreamName('run-mon-1')).toBe('catalog.productionRun-run-mon-1');
  });

  describe('ScheduleProductionRun', () => {
    it('schedules a run of an activity tracer on an ISO weekday', () => {
      spec.given([]).when(scheduleMondayRun).then([mondayRunScheduled]);
    });

    it('leaves the maximum activity out when not given', () => {
      spec
        .given([])
        .when({ ...scheduleMondayRun, maxActivityMBq: undefined })
        .then([{ type: 'ProductionRunScheduled', data: { ...mondayRunScheduled.data, maxActivityMBq: null } }]);
    });

    it('fails when the tracer does not exist', () => {
      spec
        .given([])
        .when({ ...scheduleMondayRun, refs: { tracer: absent } })
        .thenThrows('TRACER_NOT_FOUND', { field: 'tracerId' });
    });

    it('fails when the tracer is archived', () => {
      spec
        .given([])
        .when({ ...scheduleMondayRun, refs: { tracer: archivedFdg } })
        .thenThrows('TRACER_ARCHIVED');
    });

    it('runs only for activity tracers; injection tracers are ordered at a free time', () => {
      spec
        .given([])
        .when({ ...scheduleMondayRun, tracerId: 'tracer-fet', refs: { tracer: activeFet } })
        .thenThrows('TRACER_NOT_ACTIVITY_BASED', { field: 'tracerId', kind: 'injection' });
    });

    it.each([0, 8, 1.5])('rejects the weekday %p', (weekday) => {
      spec
        .given([])
        .when({ ...scheduleMondayRun, weekday: weekday as 1 })
        .thenThrows('INVALID_WEEKDAY', { field: 'weekday' });
    });

    it.each(['24:00', '7:30', '06:60', '06:30:00', ''])('rejects the production time %p', (productionTime) => {
      spec
        .given([])
        .when({ ...scheduleMondayRun, productionTime })
        .thenThrows('INVALID_TIME', { field: 'productionTime' });
    });

    it.each([0, 128, 1.5])('rejects the run number %p', (runNumber) => {
      spec
        .given([])
        .when({ ...scheduleMondayRun, runNumber })
        .thenThrows('INVALID_RUN_NUMBER', { field: 'runNumber' });
    });

    it.each([0, -100])('rejects the maximum activity %p', (maxActivityMBq) => {
      spec
        .given([])
        .when({ ...scheduleMondayRun, maxActivityMBq })
        .thenThrows('INVALID_MAX_ACTIVITY', { field: 'maxActivityMBq' });
    });

    it('is idempotent: scheduling the same run again changes nothing', () => {
      spec.given([mondayRunScheduled]).when(scheduleMondayRun).thenNothing();
    });

    it('carries its legacy id (productionTimes.PTID) and keeps it for life', () => {
      expect(fold(productionRunDecider, [mondayRunScheduled])).toMatchObject({ legacyId: 1006 });
      spec
        .given([mondayRunScheduled])
        .when({ ...scheduleMondayRun, legacyId: 3000 })
        .thenNothing();
      spec
        .given([])
        .when({ ...scheduleMondayRun, legacyId: -1 })
        .thenThrows('INVALID_LEGACY_ID', { field: 'legacyId' });
    });

    it('refuses a different run under an existing id', () => {
      spec
        .given([mondayRunScheduled])
        .when({ ...scheduleMondayRun, weekday: 2 })
        .thenThrows('ALREADY_EXISTS');
    });
  });

  describe('UpdateProductionRun', () => {
    const update = (changes: UpdateProductionRun['changes'], servedSlots = [slotAt0800]): UpdateProductionRun => ({
      type: 'UpdateProductionRun',
      productionRunId: 'run-mon-1',
      changes,
      reason: changeReason,
      at,
      refs: { servedSlots },
    });

    it('refuses a change without a reason (GMP: Annex 11 §9): 422 FIELD_REQUIRED, nothing recorded', () => {
      for (const reason of [undefined, '', '   ']) {
        spec
          .given([mondayRunScheduled])
          .when({ ...update({ productionTime: '06:00' }), reason })
          .thenThrows('FIELD_REQUIRED', { field: 'reason' });
      }
    });

    it('needs no reason for an update that changes nothing', () => {
      spec
        .given([mondayRunScheduled])
        .when({ ...update({ productionTime: '06:30' }), reason: undefined })
        .thenNothing();
    });

    it('records the old and new production time and maximum', () => {
      spec
        .given([mondayRunScheduled])
        .when(update({ productionTime: '06:00', maxActivityMBq: null, runNumber: 1 }))
        .then([
          {
            type: 'ProductionRunUpdated',
            data: {
              reason: changeReason,
              productionRunId: 'run-mon-1',
              changes: {
                productionTime: { from: '06:30', to: '06:00' },
                maxActivityMBq: { from: 100_000, to: null },
              },
            },
          },
        ]);
    });

    it('cannot move production to or past a slot it serves', () => {
      spec
        .given([mondayRunScheduled])
        .when(update({ productionTime: '08:00' }))
        .thenThrows('SLOT_BEFORE_PRODUCTION_RUN', { slotId: 'slot-herlev-mon-0800', productionTime: '08:00' });
      spec
        .given([mondayRunScheduled])
        .when(update({ productionTime: '09:15' }))
        .thenThrows('SLOT_BEFORE_PRODUCTION_RUN', { deliveryTime: '08:00' });
    });

    it('may move production later while it stays before every slot', () => {
      spec
        .given([mondayRunScheduled])
        .when(update({ productionTime: '07:59' }))
        .then([
          {
            type: 'ProductionRunUpdated',
            data: {
              reason: changeReason,
              productionRunId: 'run-mon-1',
              changes: { productionTime: { from: '06:30', to: '07:59' } },
            },
          },
        ]);
    });

    it('changes nothing when the values are the same', () => {
      spec
        .given([mondayRunScheduled])
        .when(update({ productionTime: '06:30' }))
        .thenNothing();
    });

    it('validates changed fields', () => {
      spec
        .given([mondayRunScheduled])
        .when(update({ productionTime: '6:00' }))
        .thenThrows('INVALID_TIME');
    });

    it('fails for a run that does not exist', () => {
      spec
        .given([])
        .when(update({ runNumber: 2 }))
        .thenThrows('PRODUCTION_RUN_NOT_FOUND');
    });

    it('fails for an archived run', () => {
      spec
        .given([mondayRunScheduled, mondayRunArchived])
        .when(update({ runNumber: 2 }))
        .thenThrows('PRODUCTION_RUN_ARCHIVED');
    });
  });

  describe('ArchiveProductionRun and RestoreProductionRun', () => {
    const archive = (servedSlots: ServedSlot[]): ArchiveProductionRun => ({
      type: 'ArchiveProductionRun',
      productionRunId: 'run-mon-1',
      reason: 'Cyclotron service on Mondays',
      at,
      refs: { servedSlots },
    });
    const restore: RestoreProductionRun = {
      type: 'RestoreProductionRun',
      productionRunId: 'run-mon-1',
      reason: 'Service finished',
      at,
      refs: { tracer: activeFdg },
    };

    it('archives with a reason once no slot depends on it', () => {
      spec.given([mondayRunScheduled]).when(archive([])).then([mondayRunArchived]);
    });

    it('keeps a run that still serves slots', () => {
      spec
        .given([mondayRunScheduled])
        .when(archive([slotAt0800]))
        .thenThrows('PRODUCTION_RUN_HAS_ACTIVE_SLOTS', { slotIds: ['slot-herlev-mon-0800'] });
    });

    it('archiving twice changes nothing', () => {
      spec.given([mondayRunScheduled, mondayRunArchived]).when(archive([])).thenNothing();
    });

    it('cannot archive what does not exist', () => {
      spec.given([]).when(archive([])).thenThrows('PRODUCTION_RUN_NOT_FOUND');
    });

    it('restores an archived run while its tracer is active', () => {
      spec
        .given([mondayRunScheduled, mondayRunArchived])
        .when(restore)
        .then([{ type: 'ProductionRunRestored', data: { productionRunId: 'run-mon-1', reason: 'Service finished' } }]);
      spec
        .given([mondayRunScheduled, mondayRunArchived])
        .when({ ...restore, refs: { tracer: archivedFdg } })
        .thenThrows('TRACER_ARCHIVED');
    });

    it('restoring an active run changes nothing', () => {
      spec.given([mondayRunScheduled]).when(restore).thenNothing();
    });
  });

  describe('name claims', () => {
    it('claims (tracer, weekday, production time), and while active (tracer, weekday, run number)', () => {
      expect(productionRunNameClaims(fold(productionRunDecider, [mondayRunScheduled]))).toEqual([
        { kind: 'productionRunSchedule', key: 'tracer-fdg|1|06:30' },
        { kind: 'legacyId', key: 'productiontimes:1006' },
        { kind: 'productionRunNumber', key: 'tracer-fdg|1|1' },
      ]);
    });

    it('given an archived run, then its number is free for another run of the weekday', () => {
      const archived = fold(productionRunDecider, [
        mondayRunScheduled,
        { type: 'ProductionRunArchived', data: { productionRunId: 'run-mon-1', reason: 'Run dropped' } },
      ]);
      expect(productionRunNameClaims(archived).map((ref) => ref.kind)).toEqual(['productionRunSchedule', 'legacyId']);
    });
  });
});
