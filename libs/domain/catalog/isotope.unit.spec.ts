import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { at, f18Registered, thrownBy } from './catalog-examples';
import {
  isotopeDecider,
  isotopeNameClaims,
  isotopeStreamName,
  type IsotopeArchived,
  type IsotopeCommand,
  type RegisterIsotope,
  type UpdateIsotope,
} from './isotope';

const spec = specFor(isotopeDecider);
/** Why a change is made: every change of catalogue values says it (GMP, Annex 11 §9). */
const changeReason = 'Corrected after review';
const registerF18: RegisterIsotope = { type: 'RegisterIsotope', ...f18Registered.data, at };
const f18Archived: IsotopeArchived = {
  type: 'IsotopeArchived',
  data: { isotopeId: 'iso-f18', reason: 'Replaced by a corrected entry' },
};

describe('Isotope', () => {
  it('lives in the stream catalog.isotope-<id>', () => {
    expect(isotopeStreamName('iso-f18')).toBe('catalog.isotope-iso-f18');
  });

  describe('RegisterIsotope', () => {
    it('registers an isotope with its half-life in seconds', () => {
      spec.given([]).when(registerF18).then([f18Registered]);
    });

    it('registers a metastable isotope whose name ends in m', () => {
      const tc99m = {
        isotopeId: 'iso-tc99m',
        name: 'Tc-99m',
        atomicNumber: 43,
        atomicMass: 99,
        halfLifeSeconds: 21_624.12,
        metastable: true,
        legacyId: 2,
      };
      spec
        .given([])
        .when({ type: 'RegisterIsotope', ...tc99m, at })
        .then([{ type: 'IsotopeRegistered', data: tc99m }]);
    });

    it('stores the name trimmed', () => {
      spec
        .given([])
        .when({ ...registerF18, name: '  F-18 ' })
        .then([f18Registered]);
    });

    it.each(['F18', 'f-18', 'F-018', 'Tc-99M', 'Tcm-99', 'F-18mm', ''])('rejects the name %p', (name) => {
      spec
        .given([])
        .when({ ...registerF18, name })
        .thenThrows('INVALID_ISOTOPE_NAME', { field: 'name' });
    });

    it('rejects a name whose mass number disagrees with the atomic mass', () => {
      spec
        .given([])
        .when({ ...registerF18, name: 'F-19' })
        .thenThrows('ISOTOPE_NAME_MISMATCH', { field: 'name' });
    });

    it('rejects a name whose m disagrees with the metastable flag', () => {
      spec
        .given([])
        .when({ ...registerF18, metastable: true })
        .thenThrows('ISOTOPE_NAME_MISMATCH', { field: 'name' });
    });

    it.each([0, -6586, Number.NaN, Number.POSITIVE_INFINITY])('rejects the half-life %p', (halfLifeSeconds) => {
      spec
        .given([])
        .when({ ...registerF18, halfLifeSeconds })
        .thenThrows('INVALID_HALF_LIFE', { field: 'halfLifeSeconds' });
    });

    it.each([0, 119, 9.5])('rejects the atomic number %p', (atomicNumber) => {
      spec
        .given([])
        .when({ ...registerF18, atomicNumber })
        .thenThrows('INVALID_ATOMIC_NUMBER', { field: 'atomicNumber' });
    });

    it('rejects an atomic mass below the atomic number', () => {
      spec
        .given([])
        .when({ ...registerF18, name: 'F-8', atomicMass: 8 })
        .thenThrows('INVALID_ATOMIC_MASS', { field: 'atomicMass' });
    });

    it('rejects a metastable flag that is not a boolean', () => {
      spec
        .given([])
        .when({ ...registerF18, metastable: 'no' as unknown as boolean })
        .thenThrows('INVALID_FLAG', { field: 'metastable' });
    });

    it('rejects a command without a valid business time', () => {
      spec
        .given([])
        .when({ ...registerF18, at: '2026-03-02 07:00' })
        .thenThrows('INVALID_INSTANT', { field: 'at' });
    });

    it('rejects an id unfit for a stream name', () => {
      spec
        .given([])
        .when({ ...registerF18, isotopeId: 'iso f18' })
        .thenThrows('INVALID_ID', { field: 'isotopeId' });
    });

    it('is idempotent: registering the same isotope again changes nothing', () => {
      spec.given([f18Registered]).when(registerF18).thenNothing();
    });

    it('keeps its legacy id (isotopes.id) in the state', () => {
      expect(fold(isotopeDecider, [f18Registered])).toMatchObject({ status: 'active', legacyId: 1 });
    });

    it.each([undefined, 0, -2, 1.5, 2_147_483_648])('rejects the legacy id %p', (legacyId) => {
      spec
        .given([])
        .when({ ...registerF18, legacyId: legacyId as number })
        .thenThrows('INVALID_LEGACY_ID', { field: 'legacyId' });
    });

    it('registering again with another legacy id keeps the one it holds', () => {
      spec
        .given([f18Registered])
        .when({ ...registerF18, legacyId: 42 })
        .thenNothing();
    });

    it('refuses a different isotope under an existing id', () => {
      spec
        .given([f18Registered])
        .when({ ...registerF18, halfLifeSeconds: 6600 })
        .thenThrows('ALREADY_EXISTS');
      const error = thrownBy(() =>
        isotopeDecider.decide({ ...registerF18, halfLifeSeconds: 6600 }, fold(isotopeDecider, [f18Registered])),
      );
      expect(error.kind).toBe('conflict');
    });
  });

  describe('UpdateIsotope', () => {
    const update = (changes: UpdateIsotope['changes']): UpdateIsotope => ({
      type: 'UpdateIsotope',
      isotopeId: 'iso-f18',
      changes,
      reason: changeReason,
      at,
    });

    it('refuses a change without a reason (GMP: Annex 11 §9): 422 FIELD_REQUIRED, nothing recorded', () => {
      for (const reason of [undefined, '', '   ']) {
        spec
          .given([f18Registered])
          .when({ ...update({ halfLifeSeconds: 6586.26 }), reason })
          .thenThrows('FIELD_REQUIRED', { field: 'reason' });
      }
    });

    it('needs no reason for an update that changes nothing', () => {
      spec
        .given([f18Registered])
        .when({ ...update({ halfLifeSeconds: 6586.2 }), reason: undefined })
        .thenNothing();
    });

    it('records a corrected half-life with its old and new value', () => {
      spec
        .given([f18Registered])
        .when(update({ halfLifeSeconds: 6586.26 }))
        .then([
          {
            type: 'IsotopeUpdated',
            data: {
              reason: changeReason,
              isotopeId: 'iso-f18',
              changes: { halfLifeSeconds: { from: 6586.2, to: 6586.26 } },
            },
          },
        ]);
    });

    it('records only the fields that change', () => {
      spec
        .given([f18Registered])
        .when(update({ halfLifeSeconds: 6586.2, atomicNumber: 9, name: 'F-18' }))
        .thenNothing();
    });

    it('renames together with the values the name repeats', () => {
      spec
        .given([f18Registered])
        .when(update({ name: 'F-19', atomicMass: 19 }))
        .then([
          {
            type: 'IsotopeUpdated',
            data: {
              reason: changeReason,
              isotopeId: 'iso-f18',
              changes: { name: { from: 'F-18', to: 'F-19' }, atomicMass: { from: 18, to: 19 } },
            },
          },
        ]);
    });

    it('checks the updated isotope as a whole', () => {
      spec
        .given([f18Registered])
        .when(update({ atomicMass: 19 }))
        .thenThrows('ISOTOPE_NAME_MISMATCH');
    });

    it('validates changed fields', () => {
      spec
        .given([f18Registered])
        .when(update({ halfLifeSeconds: 0 }))
        .thenThrows('INVALID_HALF_LIFE');
    });

    it('fails for an isotope that does not exist', () => {
      spec
        .given([])
        .when(update({ halfLifeSeconds: 1 }))
        .thenThrows('ISOTOPE_NOT_FOUND', { id: 'iso-f18' });
      expect(thrownBy(() => isotopeDecider.decide(update({}), isotopeDecider.initialState())).kind).toBe('not_found');
    });

    it('fails for an archived isotope', () => {
      spec
        .given([f18Registered, f18Archived])
        .when(update({ halfLifeSeconds: 1 }))
        .thenThrows('ISOTOPE_ARCHIVED');
      const archived = fold(isotopeDecider, [f18Registered, f18Archived]);
      expect(thrownBy(() => isotopeDecider.decide(update({}), archived)).kind).toBe('rule_violated');
    });
  });

  describe('ArchiveIsotope and RestoreIsotope', () => {
    const archive: IsotopeCommand = {
      type: 'ArchiveIsotope',
      isotopeId: 'iso-f18',
      reason: 'Replaced by a corrected entry',
      at,
    };
    const restore: IsotopeCommand = { type: 'RestoreIsotope', isotopeId: 'iso-f18', reason: 'Archived by mistake', at };

    it('archives with a reason', () => {
      spec.given([f18Registered]).when(archive).then([f18Archived]);
    });

    it('archiving twice changes nothing', () => {
      spec.given([f18Registered, f18Archived]).when(archive).thenNothing();
    });

    it('requires a reason', () => {
      spec
        .given([f18Registered])
        .when({ ...archive, reason: '  ' })
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    });

    it('cannot archive what does not exist', () => {
      spec.given([]).when(archive).thenThrows('ISOTOPE_NOT_FOUND');
    });

    it('restores an archived isotope', () => {
      spec
        .given([f18Registered, f18Archived])
        .when(restore)
        .then([{ type: 'IsotopeRestored', data: { isotopeId: 'iso-f18', reason: 'Archived by mistake' } }]);
    });

    it('restoring an active isotope changes nothing', () => {
      spec.given([f18Registered]).when(restore).thenNothing();
    });
  });

  describe('name claims', () => {
    it('claims the isotope name, also while archived', () => {
      expect(isotopeNameClaims(fold(isotopeDecider, [f18Registered, f18Archived]))).toEqual([
        { kind: 'isotopeName', key: 'f-18' },
        { kind: 'legacyId', key: 'isotopes:1' },
      ]);
      expect(isotopeNameClaims(isotopeDecider.initialState())).toEqual([]);
    });
  });
});
