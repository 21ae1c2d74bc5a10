import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { absent, activeFdg, activeHerlevPet, archivedFdg, archivedHerlevPet, at } from './catalog-examples';
import {
  tracerPermissionDecider,
  tracerPermissionNameClaims,
  tracerPermissionStreamName,
  type GrantTracerPermission,
  type RevokeTracerPermission,
  type TracerPermissionGranted,
  type TracerPermissionRevoked,
  type UpdateTracerPermission,
} from './tracer-permission';

const spec = specFor(tracerPermissionDecider);
/** Why a change is made: every change of catalogue values says it (GMP, Annex 11 §9). */
const changeReason = 'Corrected after review';
const ids = { endpointId: 'ep-herlev-pet', tracerId: 'tracer-fdg' };
const grant: GrantTracerPermission = {
  type: 'GrantTracerPermission',
  ...ids,
  overheadPercent: 10,
  legacyId: 40,
  at,
  refs: { endpoint: activeHerlevPet, tracer: activeFdg },
};
const granted: TracerPermissionGranted = {
  type: 'TracerPermissionGranted',
  data: { ...ids, overheadPercent: 10, maxInjections: null, legacyId: 40 },
};
const revoke: RevokeTracerPermission = { type: 'RevokeTracerPermission', ...ids, reason: 'Endpoint stopped FDG', at };
const revoked: TracerPermissionRevoked = {
  type: 'TracerPermissionRevoked',
  data: { ...ids, reason: 'Endpoint stopped FDG' },
};

describe('TracerPermission', () => {
  it('lives in one stream per (endpoint, tracer) pair', () => {
    expect(tracerPermissionStreamName('ep-herlev-pet', 'tracer-fdg')).toBe(
      'catalog.tracerPermission-ep-herlev-pet:tracer-fdg',
    );
    // Ids containing the separator cannot make two pairs share a stream.
    expect(tracerPermissionStreamName('a:b', 'c')).not.toBe(tracerPermissionStreamName('a', 'b:c'));
  });

  describe('GrantTracerPermission', () => {
    it('lets an active endpoint order an active tracer', () => {
      spec.given([]).when(grant).then([granted]);
    });

    it('carries the optional overhead override and maximum number of injections', () => {
      spec
        .given([])
        .when({ ...grant, overheadPercent: undefined, maxInjections: 6 })
        .then([
          { type: 'TracerPermissionGranted', data: { ...ids, overheadPercent: null, maxInjections: 6, legacyId: 40 } },
        ]);
    });

    it('fails when the endpoint does not exist or is archived', () => {
      spec
        .given([])
        .when({ ...grant, refs: { endpoint: absent, tracer: activeFdg } })
        .thenThrows('DELIVERY_ENDPOINT_NOT_FOUND', { field: 'endpointId' });
      spec
        .given([])
        .when({ ...grant, refs: { endpoint: archivedHerlevPet, tracer: activeFdg } })
        .thenThrows('DELIVERY_ENDPOINT_ARCHIVED');
    });

    it('fails when the tracer does not exist or is archived', () => {
      spec
        .given([])
        .when({ ...grant, refs: { endpoint: activeHerlevPet, tracer: absent } })
        .thenThrows('TRACER_NOT_FOUND', { field: 'tracerId' });
      spec
        .given([])
        .when({ ...grant, refs: { endpoint: activeHerlevPet, tracer: archivedFdg } })
        .thenThrows('TRACER_ARCHIVED');
    });

    it.each([-1, 1001, 2.5])('rejects the overhead percent %p', (overheadPercent) => {
      spec
        .given([])
        .when({ ...grant, overheadPercent })
        .thenThrows('INVALID_OVERHEAD_PERCENT', { field: 'overheadPercent' });
    });

    it.each([0, -3, 1.5])('rejects the maximum number of injections %p', (maxInjections) => {
      spec
        .given([])
        .when({ ...grant, maxInjections })
        .thenThrows('INVALID_MAX_INJECTIONS', { field: 'maxInjections' });
    });

    it('is idempotent: granting the same terms again changes nothing', () => {
      spec.given([granted]).when(grant).thenNothing();
    });

    it('refuses a second grant on other terms; that is an update', () => {
      spec
        .given([granted])
        .when({ ...grant, overheadPercent: 20 })
        .thenThrows('ALREADY_EXISTS', { entity: 'TRACER_PERMISSION' });
    });

    it('grants again after a revocation', () => {
      spec.given([granted, revoked]).when(grant).then([granted]);
    });

    it('keeps its legacy id (TracerCustomer.ID) through a revoke, and a re-grant takes the one it names', () => {
      expect(fold(tracerPermissionDecider, [granted, revoked])).toMatchObject({ legacyId: 40 });
      // The handler names the held id, or the old system's own row when it granted the pair again
      spec.given([granted, revoked]).when(grant).then([granted]);
      spec
        .given([granted, revoked])
        .when({ ...grant, legacyId: 53 })
        .then([{ ...granted, data: { ...granted.data, legacyId: 53 } }]);
      spec
        .given([granted])
        .when({ ...grant, legacyId: 52 })
        .thenNothing();
    });

    it('rejects a first grant without a valid legacy id', () => {
      spec
        .given([])
        .when({ ...grant, legacyId: 0 })
        .thenThrows('INVALID_LEGACY_ID', { field: 'legacyId' });
    });
  });

  describe('UpdateTracerPermission', () => {
    const update = (changes: UpdateTracerPermission['changes']): UpdateTracerPermission => ({
      type: 'UpdateTracerPermission',
      ...ids,
      changes,
      reason: changeReason,
      at,
    });

    it('refuses a change without a reason (GMP: Annex 11 §9): 422 FIELD_REQUIRED, nothing recorded', () => {
      for (const reason of [undefined, '', '   ']) {
        spec
          .given([granted])
          .when({ ...update({ maxInjections: 4 }), reason })
          .thenThrows('FIELD_REQUIRED', { field: 'reason' });
      }
    });

    it('needs no reason for an update that changes nothing', () => {
      spec
        .given([granted])
        .when({ ...update({ overheadPercent: 10 }), reason: undefined })
        .thenNothing();
    });

    it('records the old and new terms', () => {
      spec
        .given([granted])
        .when(update({ overheadPercent: null, maxInjections: 4 }))
        .then([
          {
            type: 'TracerPermissionUpdated',
            data: {
              reason: changeReason,
              ...ids,
              changes: { overheadPercent: { from: 10, to: null }, maxInjections: { from: null, to: 4 } },
            },
          },
        ]);
    });

    it('changes nothing when the terms are the same', () => {
      spec
        .given([granted])
        .when(update({ overheadPercent: 10 }))
        .thenNothing();
    });

    it('validates changed terms', () => {
      spec
        .given([granted])
        .when(update({ maxInjections: 0 }))
        .thenThrows('INVALID_MAX_INJECTIONS');
    });

    it('fails when never granted', () => {
      spec
        .given([])
        .when(update({ maxInjections: 4 }))
        .thenThrows('TRACER_PERMISSION_NOT_FOUND');
    });

    it('fails when revoked', () => {
      spec
        .given([granted, revoked])
        .when(update({ maxInjections: 4 }))
        .thenThrows('TRACER_PERMISSION_REVOKED');
    });
  });

  describe('RevokeTracerPermission', () => {
    it('revokes with a reason', () => {
      spec.given([granted]).when(revoke).then([revoked]);
    });

    it('revoking twice changes nothing', () => {
      spec.given([granted, revoked]).when(revoke).thenNothing();
    });

    it('requires a reason', () => {
      spec
        .given([granted])
        .when({ ...revoke, reason: '' })
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    });

    it('cannot revoke what was never granted', () => {
      spec.given([]).when(revoke).thenThrows('TRACER_PERMISSION_NOT_FOUND');
    });
  });

  describe('name claims', () => {
    it('claims its legacy id, also while revoked, so a re-grant cannot clash', () => {
      expect(tracerPermissionNameClaims(fold(tracerPermissionDecider, [granted, revoked]))).toEqual([
        { kind: 'legacyId', key: 'tracercustomer:40' },
      ]);
      expect(tracerPermissionNameClaims(tracerPermissionDecider.initialState())).toEqual([]);
    });
  });
});
