import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { fdgVial1 } from './ordering-examples';
import {
  QC_DISPENSER_NUMBER,
  RINSE_DISPENSER_NUMBER,
  vialDecider,
  vialIdOf,
  vialStreamName,
  type AssignVial,
  type CorrectVial,
  type DispenseVial,
  type RestoreVial,
  type UnassignVial,
  type VialAssigned,
  type VialCorrected,
  type VialRestored,
  type VialVoided,
  type VoidVial,
} from './vial';

const spec = specFor(vialDecider);
const at = '2026-03-02T08:50:00.000Z';
const vialId = 'FDG-260302-1@2026-03-02T09:48:12';

const { vialId: _vialId, ...vial1 } = fdgVial1.data;
const dispense = (overrides: Partial<DispenseVial> = {}): DispenseVial => ({
  type: 'DispenseVial',
  ...vial1,
  fromOldSystemRow: false,
  at,
  ...overrides,
});
const correct = (changes: CorrectVial['changes'], reason = 'Activity re-measured'): CorrectVial => ({
  type: 'CorrectVial',
  vialId,
  changes,
  reason,
  at,
});
const assign = (releaseId = 'release-1'): AssignVial => ({
  type: 'AssignVial',
  vialId,
  releaseId,
  streamId: 'ordering.deliveryDay-ep-herlev-pet:2026-03-02',
  at,
});
const unassign = (releaseId = 'release-1', reason = 'Release corrected'): UnassignVial => ({
  type: 'UnassignVial',
  vialId,
  releaseId,
  reason,
  at,
});
const assigned: VialAssigned = {
  type: 'VialAssigned',
  data: { vialId, releaseId: 'release-1', streamId: 'ordering.deliveryDay-ep-herlev-pet:2026-03-02' },
};

describe('Vial', () => {
  it('is identified by its lot number and fill moment, and lives in ordering.vial-<id>', () => {
    expect(vialIdOf('FDG:260302:1', '2026-03-02', '09:48:12')).toBe(vialId);
    expect(vialStreamName(vialId)).toBe(`ordering.vial-${vialId}`);
  });

  it('knows the dispenser numbers that own no customer: 99 QC, 98 rinse', () => {
    expect([QC_DISPENSER_NUMBER, RINSE_DISPENSER_NUMBER]).toEqual([99, 98]);
  });

  describe('DispenseVial', () => {
    it('records a dispensed vial with its measurements and legacy VAL id', () => {
      spec.given([]).when(dispense()).then([fdgVial1]);
    });

    it('writes "-" where the dispenser wrote ":" in the lot number', () => {
      spec
        .given([])
        .when(dispense({ lot: 'FDG:260302:1' }))
        .then([fdgVial1]);
      spec
        .given([])
        .when(dispense({ lot: ' FDG-260302:1 ' }))
        .then([fdgVial1]);
    });

    it('is idempotent: the same vial arriving again (file and VAL row) changes nothing', () => {
      spec.given([fdgVial1]).when(dispense()).thenNothing();
      spec
        .given([fdgVial1])
        .when(dispense({ lot: 'FDG:260302:1' }))
        .thenNothing();
      spec
        .given([fdgVial1])
        .when(dispense({ legacyValId: 6001 }))
        .thenNothing();
    });

    it("refuses the old system's second row of a vial Tracershop recorded under a row of its own", () => {
      spec
        .given([fdgVial1])
        .when(dispense({ legacyValId: 6001, fromOldSystemRow: true }))
        .thenThrows('VIAL_IN_ANOTHER_ROW', {
          vialId,
          legacyValId: fdgVial1.data.legacyValId,
          duplicateLegacyValId: 6001,
        });
      // Its own row synced again is the same vial.
      spec
        .given([fdgVial1])
        .when(dispense({ fromOldSystemRow: true }))
        .thenNothing();
    });

    it('refuses the same vial with differing values, naming them', () => {
      spec
        .given([fdgVial1])
        .when(dispense({ activityMBq: 2400, volumeMl: 5 }))
        .thenThrows('VIAL_ALREADY_DISPENSED', { vialId, fields: ['activityMBq', 'volumeMl'] });
    });

    it.each(['FDG260302-1', 'FDG-26032-1', 'FDG-260302-', ''])('refuses the lot number %p', (lot) => {
      spec.given([]).when(dispense({ lot })).thenThrows('INVALID_LOT_NUMBER');
    });

    it('refuses an invalid fill date or fill time (HH:MM:SS)', () => {
      spec
        .given([])
        .when(dispense({ fillDate: '2026-02-30' }))
        .thenThrows('INVALID_DATE', { field: 'fillDate' });
      spec
        .given([])
        .when(dispense({ fillTime: '9:48:12' }))
        .thenThrows('INVALID_VIAL', { field: 'fillTime' });
      spec
        .given([])
        .when(dispense({ fillTime: '09:48' }))
        .thenThrows('INVALID_VIAL', { field: 'fillTime' });
    });

    it('needs a positive activity and non-negative measurements', () => {
      spec
        .given([])
        .when(dispense({ activityMBq: 0 }))
        .thenThrows('INVALID_VIAL', { field: 'activityMBq' });
      spec
        .given([])
        .when(dispense({ volumeMl: -1 }))
        .thenThrows('INVALID_VIAL', { field: 'volumeMl' });
      spec
        .given([])
        .when(dispense({ netG: Number.NaN }))
        .thenThrows('INVALID_VIAL', { field: 'netG' });
      spec
        .given([])
        .when(dispense({ depotPosition: 128 }))
        .thenThrows('INVALID_VIAL', { field: 'depotPosition' });
      spec
        .given([])
        .when(dispense({ product: 'x'.repeat(21) }))
        .thenThrows('INVALID_VIAL', { field: 'product' });
    });

    it('given values the old system’s VAL row cannot hold, then the vial is refused', () => {
      // charge VARCHAR(20); volume, gros, tare, net DECIMAL(7,2); activity DECIMAL(9,2)
      spec
        .given([])
        .when(dispense({ lot: `FDG-260302-${'1'.repeat(10)}` }))
        .thenThrows('INVALID_LOT_NUMBER');
      spec
        .given([])
        .when(dispense({ volumeMl: 150_000 }))
        .thenThrows('INVALID_VIAL', { field: 'volumeMl' });
      spec
        .given([])
        .when(dispense({ grossG: 500_000 }))
        .thenThrows('INVALID_VIAL', { field: 'grossG' });
      spec
        .given([])
        .when(dispense({ activityMBq: 10_000_000 }))
        .thenThrows('INVALID_VIAL', { field: 'activityMBq' });
      expect(() =>
        vialDecider.decide(
          dispense({ lot: `FDG-260302-${'1'.repeat(9)}`, volumeMl: 99_999 }),
          vialDecider.initialState(),
        ),
      ).not.toThrow();
    });

    it('needs a legacy VAL id', () => {
      spec
        .given([])
        .when(dispense({ legacyValId: 0 }))
        .thenThrows('INVALID_LEGACY_ID', { field: 'legacyValId' });
    });
  });

  describe('CorrectVial', () => {
    const activityCorrected: VialCorrected = {
      type: 'VialCorrected',
      data: {
        vialId,
        changes: { activityMBq: { from: 2500, to: 2450 }, dispenserNumber: { from: 2, to: 3 } },
        reason: 'Activity re-measured',
      },
    };

    it('records the old and new values with the reason', () => {
      spec
        .given([fdgVial1])
        .when(correct({ activityMBq: 2450, dispenserNumber: 3, volumeMl: 5.2 }))
        .then([activityCorrected]);
      expect(fold(vialDecider, [fdgVial1, activityCorrected])).toMatchObject({ activityMBq: 2450, dispenserNumber: 3 });
    });

    it('given fields left out as undefined (as a request body leaves them), then they change nothing', () => {
      spec
        .given([fdgVial1])
        .when(correct({ activityMBq: 2450, dispenserNumber: 3, volumeMl: undefined, netG: undefined }))
        .then([activityCorrected]);
    });

    it('needs a reason', () => {
      spec
        .given([fdgVial1])
        .when(correct({ activityMBq: 2450 }, ' '))
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    });

    it('changes nothing when the values are the same', () => {
      spec
        .given([fdgVial1])
        .when(correct({ activityMBq: 2500 }))
        .thenNothing();
    });

    it('keeps the measurements valid', () => {
      spec
        .given([fdgVial1])
        .when(correct({ activityMBq: -5 }))
        .thenThrows('INVALID_VIAL', { field: 'activityMBq' });
    });

    it('refuses to correct an assigned vial: that goes through a correction of its release', () => {
      spec
        .given([fdgVial1, assigned])
        .when(correct({ activityMBq: 2450 }))
        .thenThrows('VIAL_ASSIGNED', { vialId, releaseId: 'release-1' });
    });

    it('fails for a vial that was never dispensed', () => {
      spec
        .given([])
        .when(correct({ activityMBq: 2450 }))
        .thenThrows('VIAL_NOT_FOUND', { vialId });
    });
  });

  describe('AssignVial', () => {
    it('assigns a vial to a release', () => {
      spec.given([fdgVial1]).when(assign()).then([assigned]);
    });

    it('is idempotent: assigning to the same release again changes nothing', () => {
      spec.given([fdgVial1, assigned]).when(assign()).thenNothing();
    });

    it('refuses a vial that belongs to another release', () => {
      spec
        .given([fdgVial1, assigned])
        .when(assign('release-2'))
        .thenThrows('VIAL_ALREADY_ASSIGNED', { vialId, releaseId: 'release-1' });
    });

    it('fails for a vial that was never dispensed', () => {
      spec.given([]).when(assign()).thenThrows('VIAL_NOT_FOUND');
    });

    describe('with the values the release records of it', () => {
      const { lot, activityMBq, volumeMl, dispenserNumber } = fdgVial1.data;
      const recorded = { lot, activityMBq, volumeMl, dispenserNumber };

      it('assigns the vial while it still has them', () => {
        spec
          .given([fdgVial1])
          .when({ ...assign(), recorded })
          .then([assigned]);
      });

      it('refuses a vial corrected since the release read it, so a signed release never records stale values', () => {
        const corrected: VialCorrected = {
          type: 'VialCorrected',
          data: { vialId, changes: { activityMBq: { from: activityMBq, to: 480 } }, reason: 'Measured again' },
        };
        spec
          .given([fdgVial1, corrected])
          .when({ ...assign(), recorded })
          .thenThrows('VIAL_CHANGED', { vialId });
      });
    });
  });

  describe('UnassignVial', () => {
    const unassigned = {
      type: 'VialUnassigned',
      data: { vialId, releaseId: 'release-1', reason: 'Release corrected' },
    } as const;

    it('unassigns a vial from its release with a reason, so it can be released again', () => {
      spec.given([fdgVial1, assigned]).when(unassign()).then([unassigned]);
      spec
        .given([fdgVial1, assigned, unassigned])
        .when(assign('release-2'))
        .then([{ type: 'VialAssigned', data: { ...assigned.data, releaseId: 'release-2' } }]);
    });

    it('is idempotent: a vial not assigned to that release changes nothing', () => {
      spec.given([fdgVial1, assigned, unassigned]).when(unassign()).thenNothing();
      spec.given([fdgVial1]).when(unassign()).thenNothing();
      spec.given([fdgVial1, assigned]).when(unassign('release-2')).thenNothing();
    });

    it('needs a reason', () => {
      spec.given([fdgVial1, assigned]).when(unassign('release-1', '')).thenThrows('FIELD_REQUIRED');
    });

    it('fails for a vial that was never dispensed', () => {
      spec.given([]).when(unassign()).thenThrows('VIAL_NOT_FOUND');
    });
  });

  describe('VoidVial and RestoreVial', () => {
    const voidVial = (reason = 'Lot number mistyped: dispensed again as FDG-260302-2'): VoidVial => ({
      type: 'VoidVial',
      vialId,
      reason,
      at,
    });
    const restore = (reason = 'Voided in error'): RestoreVial => ({ type: 'RestoreVial', vialId, reason, at });
    const voided: VialVoided = {
      type: 'VialVoided',
      data: { vialId, reason: 'Lot number mistyped: dispensed again as FDG-260302-2' },
    };
    const restored: VialRestored = { type: 'VialRestored', data: { vialId, reason: 'Voided in error' } };

    it('given a free vial, when it is voided with a reason, then it is voided and keeps its values', () => {
      spec.given([fdgVial1]).when(voidVial()).then([voided]);
      expect(fold(vialDecider, [fdgVial1, voided])).toMatchObject({
        status: 'dispensed',
        activityMBq: fdgVial1.data.activityMBq,
        voidReason: voided.data.reason,
      });
    });

    it('given a voided vial, then it is neither released, corrected nor voided again', () => {
      spec
        .given([fdgVial1, voided])
        .when(assign())
        .thenThrows('VIAL_VOIDED', { vialId, voidReason: voided.data.reason });
      spec
        .given([fdgVial1, voided])
        .when(correct({ activityMBq: 2450 }))
        .thenThrows('VIAL_VOIDED', { vialId });
      spec.given([fdgVial1, voided]).when(voidVial()).thenNothing();
    });

    it('given a voided vial sent again by the dispenser with the same values, then it stays voided', () => {
      spec.given([fdgVial1, voided]).when(dispense()).thenNothing();
    });

    it('given a vial in a release, then it is voided only once a correction of the release gives it back', () => {
      spec.given([fdgVial1, assigned]).when(voidVial()).thenThrows('VIAL_ASSIGNED', { vialId, releaseId: 'release-1' });
      const givenBack = {
        type: 'VialUnassigned',
        data: { vialId, releaseId: 'release-1', reason: 'Release corrected' },
      } as const;
      spec.given([fdgVial1, assigned, givenBack]).when(voidVial()).then([voided]);
    });

    it('given a vial voided in error, when it is restored with a reason, then it may be released again', () => {
      spec.given([fdgVial1, voided]).when(restore()).then([restored]);
      spec.given([fdgVial1, voided, restored]).when(assign()).then([assigned]);
      spec.given([fdgVial1]).when(restore()).thenNothing();
    });

    it('needs a reason, and a vial that was dispensed', () => {
      spec.given([fdgVial1]).when(voidVial(' ')).thenThrows('FIELD_REQUIRED', { field: 'reason' });
      spec.given([fdgVial1, voided]).when(restore('')).thenThrows('FIELD_REQUIRED', { field: 'reason' });
      spec.given([]).when(voidVial()).thenThrows('VIAL_NOT_FOUND', { vialId });
      spec.given([]).when(restore()).thenThrows('VIAL_NOT_FOUND', { vialId });
    });
  });
});
