import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { absent, activeIsotope, archivedIsotope, at, fdgRegistered, thrownBy } from './catalog-examples';
import { isotopeDecider, type IsotopeRegistered } from './isotope';
import { nameClaimChanges } from './name-claim';
import {
  tracerDecider,
  tracerNameClaims,
  tracerStreamName,
  type ChangeTracerIsotope,
  type RegisterTracer,
  type TracerArchived,
  type TracerCommand,
  type UpdateTracer,
} from './tracer';

const spec = specFor(tracerDecider);
/** Why a change is made: every change of catalogue values says it (GMP, Annex 11 §9). */
const changeReason = 'Corrected after review';
const { tracerId: _tracerId, ...fdg } = fdgRegistered.data;
const registerFdg: RegisterTracer = {
  type: 'RegisterTracer',
  tracerId: 'tracer-fdg',
  ...fdg,
  at,
  refs: { isotope: activeIsotope },
};
const fdgArchived: TracerArchived = { type: 'TracerArchived', data: { tracerId: 'tracer-fdg', reason: 'Withdrawn' } };
const ga68Registered: IsotopeRegistered = {
  type: 'IsotopeRegistered',
  data: {
    isotopeId: 'iso-ga68',
    name: 'Ga-68',
    atomicNumber: 31,
    atomicMass: 68,
    halfLifeSeconds: 4062.6,
    metastable: false,
    legacyId: 4,
  },
};
const ga68 = fold(isotopeDecider, [ga68Registered]);

describe('Tracer', () => {
  it('lives in the stream catalog.tracer-<id>', () => {
    expect(tracerStreamName('tracer-fdg')).toBe('catalog.tracer-tracer-fdg');
  });

  describe('RegisterTracer', () => {
    it('registers a tracer of an active isotope', () => {
      spec.given([]).when(registerFdg).then([fdgRegistered]);
    });

    it('trims names and keeps legacy attributes for the legacy projection', () => {
      spec
        .given([])
        .when({ ...registerFdg, shortName: ' FDG ', legacy: { orderBlock: 1, injections: null } })
        .then([
          { type: 'TracerRegistered', data: { ...fdgRegistered.data, legacy: { orderBlock: 1, injections: null } } },
        ]);
    });

    it('fails when the isotope does not exist', () => {
      spec
        .given([])
        .when({ ...registerFdg, refs: { isotope: absent } })
        .thenThrows('ISOTOPE_NOT_FOUND', { field: 'isotopeId', id: 'iso-f18' });
      expect(thrownBy(() => tracerDecider.decide({ ...registerFdg, refs: { isotope: absent } }, absent)).kind).toBe(
        'not_found',
      );
    });

    it('fails when the isotope is archived', () => {
      spec
        .given([])
        .when({ ...registerFdg, refs: { isotope: archivedIsotope } })
        .thenThrows('ISOTOPE_ARCHIVED', { field: 'isotopeId' });
    });

    it('fails when the handler loaded another isotope than the command names', () => {
      spec
        .given([])
        .when({ ...registerFdg, refs: { isotope: ga68 } })
        .thenThrows('REFERENCE_MISMATCH', { field: 'isotopeId', expectedId: 'iso-f18', actualId: 'iso-ga68' });
    });

    it('rejects an unknown kind', () => {
      spec
        .given([])
        .when({ ...registerFdg, kind: 'dose' as 'activity' })
        .thenThrows('INVALID_TRACER_KIND', { field: 'kind' });
    });

    it.each(['', 'FDG-1', 'FDG 1', 'ABCDEFGHIJK'])('rejects the vial tag %p', (vialTag) => {
      spec
        .given([])
        .when({ ...registerFdg, vialTag })
        .thenThrows('INVALID_VIAL_TAG', { field: 'vialTag' });
    });

    it('requires a short name', () => {
      spec
        .given([])
        .when({ ...registerFdg, shortName: '   ' })
        .thenThrows('FIELD_REQUIRED', { field: 'shortName' });
    });

    it('limits the clinical name to the legacy column width', () => {
      spec
        .given([])
        .when({ ...registerFdg, clinicalName: 'x'.repeat(257) })
        .thenThrows('FIELD_TOO_LONG', { field: 'clinicalName', maxLength: 256 });
    });

    it('requires the in-use flag', () => {
      spec
        .given([])
        .when({ ...registerFdg, inUse: undefined as unknown as boolean })
        .thenThrows('INVALID_FLAG', { field: 'inUse' });
    });

    it('rejects legacy attributes that are not whole numbers', () => {
      spec
        .given([])
        .when({ ...registerFdg, legacy: { orderBlock: 1.5, injections: null } })
        .thenThrows('INVALID_LEGACY_ATTRIBUTE', { field: 'legacy.orderBlock' });
    });

    it('is idempotent: registering the same tracer again changes nothing', () => {
      spec.given([fdgRegistered]).when(registerFdg).thenNothing();
    });

    it('carries its legacy id (Tracers.id, 6 for FDG) and keeps it for life', () => {
      expect(fold(tracerDecider, [fdgRegistered])).toMatchObject({ legacyId: 6 });
      spec
        .given([fdgRegistered])
        .when({ ...registerFdg, legacyId: 1000 })
        .thenNothing();
      spec
        .given([])
        .when({ ...registerFdg, legacyId: undefined as unknown as number })
        .thenThrows('INVALID_LEGACY_ID', { field: 'legacyId' });
    });

    it('refuses a different tracer under an existing id', () => {
      spec
        .given([fdgRegistered])
        .when({ ...registerFdg, kind: 'injection' })
        .thenThrows('ALREADY_EXISTS', { entity: 'TRACER', id: 'tracer-fdg' });
    });
  });

  describe('UpdateTracer', () => {
    const update = (changes: UpdateTracer['changes']): UpdateTracer => ({
      type: 'UpdateTracer',
      tracerId: 'tracer-fdg',
      changes,
      reason: changeReason,
      at,
    });

    it('refuses a change without a reason (GMP: Annex 11 §9): 422 FIELD_REQUIRED, nothing recorded', () => {
      for (const reason of [undefined, '', '   ']) {
        spec
          .given([fdgRegistered])
          .when({ ...update({ inUse: false }), reason })
          .thenThrows('FIELD_REQUIRED', { field: 'reason' });
      }
    });

    it('needs no reason for an update that changes nothing', () => {
      spec
        .given([fdgRegistered])
        .when({ ...update({ shortName: 'FDG' }), reason: undefined })
        .thenNothing();
    });

    it('records each changed field with its old and new value', () => {
      spec
        .given([fdgRegistered])
        .when(update({ shortName: 'FDG', clinicalName: 'Fludeoxyglucose (18F)', inUse: false }))
        .then([
          {
            type: 'TracerUpdated',
            data: {
              reason: changeReason,
              tracerId: 'tracer-fdg',
              changes: {
                clinicalName: { from: '[18F]Fluorodeoxyglucose', to: 'Fludeoxyglucose (18F)' },
                inUse: { from: true, to: false },
              },
            },
          },
        ]);
    });

    it('renames the short name', () => {
      spec
        .given([fdgRegistered])
        .when(update({ shortName: 'FDG-Herlev' }))
        .then([
          {
            type: 'TracerUpdated',
            data: {
              reason: changeReason,
              tracerId: 'tracer-fdg',
              changes: { shortName: { from: 'FDG', to: 'FDG-Herlev' } },
            },
          },
        ]);
    });

    it('changes nothing when the values are the same', () => {
      spec
        .given([fdgRegistered])
        .when(update({ vialTag: 'FDG', inUse: true }))
        .thenNothing();
    });

    it('validates changed fields', () => {
      spec
        .given([fdgRegistered])
        .when(update({ vialTag: 'F/G' }))
        .thenThrows('INVALID_VIAL_TAG');
    });

    it('fails for a tracer that does not exist', () => {
      spec
        .given([])
        .when(update({ inUse: false }))
        .thenThrows('TRACER_NOT_FOUND', { id: 'tracer-fdg' });
    });

    it('fails for an archived tracer', () => {
      spec
        .given([fdgRegistered, fdgArchived])
        .when(update({ inUse: false }))
        .thenThrows('TRACER_ARCHIVED');
    });
  });

  describe('ChangeTracerIsotope', () => {
    const change: ChangeTracerIsotope = {
      type: 'ChangeTracerIsotope',
      tracerId: 'tracer-fdg',
      isotopeId: 'iso-ga68',
      at,
      refs: { isotope: ga68 },
    };

    it('records the old and new isotope', () => {
      spec
        .given([fdgRegistered])
        .when(change)
        .then([{ type: 'TracerIsotopeChanged', data: { tracerId: 'tracer-fdg', from: 'iso-f18', to: 'iso-ga68' } }]);
    });

    it('changes nothing when the isotope is the same', () => {
      spec
        .given([fdgRegistered])
        .when({ ...change, isotopeId: 'iso-f18', refs: { isotope: activeIsotope } })
        .thenNothing();
    });

    it('requires the new isotope to be active', () => {
      const archivedGa68 = fold(isotopeDecider, [
        ga68Registered,
        { type: 'IsotopeArchived', data: { isotopeId: 'iso-ga68', reason: 'Entered twice' } },
      ]);
      spec
        .given([fdgRegistered])
        .when({ ...change, refs: { isotope: archivedGa68 } })
        .thenThrows('ISOTOPE_ARCHIVED');
      spec
        .given([fdgRegistered])
        .when({ ...change, refs: { isotope: absent } })
        .thenThrows('ISOTOPE_NOT_FOUND');
    });

    it('fails for an archived tracer', () => {
      spec.given([fdgRegistered, fdgArchived]).when(change).thenThrows('TRACER_ARCHIVED');
    });
  });

  describe('ArchiveTracer and RestoreTracer', () => {
    const archive: TracerCommand = { type: 'ArchiveTracer', tracerId: 'tracer-fdg', reason: 'Withdrawn', at };
    const restore: TracerCommand = {
      type: 'RestoreTracer',
      tracerId: 'tracer-fdg',
      reason: 'Back on the market',
      at,
      refs: { isotope: activeIsotope },
    };

    it('archives with a reason', () => {
      spec.given([fdgRegistered]).when(archive).then([fdgArchived]);
    });

    it('archiving twice changes nothing', () => {
      spec.given([fdgRegistered, fdgArchived]).when(archive).thenNothing();
    });

    it('cannot archive what does not exist', () => {
      spec.given([]).when(archive).thenThrows('TRACER_NOT_FOUND');
    });

    it('restores an archived tracer', () => {
      spec
        .given([fdgRegistered, fdgArchived])
        .when(restore)
        .then([{ type: 'TracerRestored', data: { tracerId: 'tracer-fdg', reason: 'Back on the market' } }]);
    });

    it('restores only while its isotope is active', () => {
      spec
        .given([fdgRegistered, fdgArchived])
        .when({ ...restore, refs: { isotope: archivedIsotope } })
        .thenThrows('ISOTOPE_ARCHIVED');
    });

    it('restoring an active tracer changes nothing', () => {
      spec.given([fdgRegistered]).when(restore).thenNothing();
    });
  });

  describe('name claims', () => {
    it('claims the short name; a rename claims the new one and releases the old one', () => {
      const before = fold(tracerDecider, [fdgRegistered]);
      const after = fold(tracerDecider, [
        fdgRegistered,
        {
          type: 'TracerUpdated',
          data: { reason: changeReason, tracerId: 'tracer-fdg', changes: { shortName: { from: 'FDG', to: 'FDG2' } } },
        },
      ]);
      expect(tracerNameClaims(before)).toEqual([
        { kind: 'tracerShortName', key: 'fdg' },
        { kind: 'tracerVialTag', key: 'fdg' },
        { kind: 'legacyId', key: 'tracers:6' },
      ]);
      expect(nameClaimChanges(tracerNameClaims(before), tracerNameClaims(after))).toEqual({
        claim: [{ kind: 'tracerShortName', key: 'fdg2' }],
        release: [{ kind: 'tracerShortName', key: 'fdg' }],
      });
    });

    it('given a tracer tagged FDG, when its tag becomes fdg2, then fdg2 is claimed and fdg released: a lot names its tracer by tag', () => {
      const before = fold(tracerDecider, [fdgRegistered]);
      const after = fold(tracerDecider, [
        fdgRegistered,
        {
          type: 'TracerUpdated',
          data: { reason: changeReason, tracerId: 'tracer-fdg', changes: { vialTag: { from: 'FDG', to: 'fdg2' } } },
        },
      ]);
      expect(nameClaimChanges(tracerNameClaims(before), tracerNameClaims(after))).toEqual({
        claim: [{ kind: 'tracerVialTag', key: 'fdg2' }],
        release: [{ kind: 'tracerVialTag', key: 'fdg' }],
      });
    });

    it('given a tracer tagged FDG, when it is archived, then it keeps its tag: its lots stay on record', () => {
      const before = fold(tracerDecider, [fdgRegistered]);
      const archived = fold(tracerDecider, [fdgRegistered, fdgArchived]);
      expect(nameClaimChanges(tracerNameClaims(before), tracerNameClaims(archived))).toEqual({
        claim: [],
        release: [],
      });
      expect(tracerNameClaims(archived)).toContainEqual({ kind: 'tracerVialTag', key: 'fdg' });
    });
  });
});
