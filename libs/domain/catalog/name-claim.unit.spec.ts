import { specFor } from '../kernel/decider-spec';
import { at, thrownBy } from './catalog-examples';
import {
  nameClaimChanges,
  nameClaimDecider,
  nameClaimOf,
  nameClaimStreamName,
  normaliseClaimKey,
  type ClaimName,
  type NameClaimed,
  type ReleaseName,
} from './name-claim';

const spec = specFor(nameClaimDecider);
const claimFdg: ClaimName = { type: 'ClaimName', kind: 'tracerShortName', key: ' FDG ', ownerId: 'tracer-fdg', at };
const fdgClaimed: NameClaimed = {
  type: 'NameClaimed',
  data: { kind: 'tracerShortName', key: 'fdg', ownerId: 'tracer-fdg' },
};
const releaseFdg: ReleaseName = { type: 'ReleaseName', kind: 'tracerShortName', key: 'FDG', ownerId: 'tracer-fdg', at };
const fdgReleased = { type: 'NameReleased', data: fdgClaimed.data } as const;

describe('NameClaim', () => {
  describe('stream names', () => {
    it('name the kind and the normalised key', () => {
      expect(nameClaimStreamName('tracerShortName', ' FDG ')).toBe('catalog.nameClaim-tracerShortName-fdg');
      expect(nameClaimStreamName('isotopeName', 'Tc-99m')).toBe(nameClaimStreamName('isotopeName', 'tc-99M'));
    });

    it('encode characters unfit for a stream name, reversibly', () => {
      const stream = nameClaimStreamName('customerShortName', 'Rigshospitalet / KF');
      expect(stream).toBe('catalog.nameClaim-customerShortName-rigshospitalet%20%2F%20kf');
      expect(decodeURIComponent(stream.slice('catalog.nameClaim-customerShortName-'.length))).toBe(
        'rigshospitalet / kf',
      );
    });

    it('treat inner whitespace runs and Unicode forms of Danish letters alike', () => {
      expect(normaliseClaimKey('Køge   Sygehus')).toBe('køge sygehus');
      expect(normaliseClaimKey('Ko\u0308ge')).toBe(normaliseClaimKey('K\u00f6ge'));
    });

    it('build composite keys for schedules', () => {
      expect(nameClaimOf.productionRunSchedule('tracer-fdg', 1, '06:30')).toEqual({
        kind: 'productionRunSchedule',
        key: 'tracer-fdg|1|06:30',
      });
      expect(nameClaimOf.customerDispenserNumber(7)).toEqual({ kind: 'customerDispenserNumber', key: '7' });
    });
  });

  describe('ClaimName', () => {
    it('claims a free key for its owner', () => {
      spec.given([]).when(claimFdg).then([fdgClaimed]);
    });

    it('is idempotent for the same owner', () => {
      spec.given([fdgClaimed]).when(claimFdg).thenNothing();
    });

    it('refuses a key another owner holds', () => {
      spec
        .given([fdgClaimed])
        .when({ ...claimFdg, ownerId: 'tracer-fdg2' })
        .thenThrows('NAME_TAKEN', { kind: 'tracerShortName', key: 'fdg', ownerId: 'tracer-fdg' });
      expect(
        thrownBy(() =>
          nameClaimDecider.decide(
            { ...claimFdg, ownerId: 'tracer-fdg2' },
            nameClaimDecider.evolve(nameClaimDecider.initialState(), fdgClaimed),
          ),
        ).kind,
      ).toBe('conflict');
    });

    it('lets another owner claim a released key', () => {
      spec
        .given([fdgClaimed, fdgReleased])
        .when({ ...claimFdg, ownerId: 'tracer-fdg2' })
        .then([{ type: 'NameClaimed', data: { kind: 'tracerShortName', key: 'fdg', ownerId: 'tracer-fdg2' } }]);
    });

    it('rejects an unknown kind', () => {
      spec
        .given([])
        .when({ ...claimFdg, kind: 'nickname' as 'tracerShortName' })
        .thenThrows('INVALID_CLAIM_KIND', { field: 'kind' });
    });

    it('requires a key', () => {
      spec
        .given([])
        .when({ ...claimFdg, key: '  ' })
        .thenThrows('FIELD_REQUIRED', { field: 'key' });
    });

    it('requires an owner', () => {
      spec
        .given([])
        .when({ ...claimFdg, ownerId: '' })
        .thenThrows('FIELD_REQUIRED', { field: 'ownerId' });
    });
  });

  describe('ReleaseName', () => {
    it('releases a key its owner holds', () => {
      spec.given([fdgClaimed]).when(releaseFdg).then([fdgReleased]);
    });

    it('releasing a free key changes nothing', () => {
      spec.given([]).when(releaseFdg).thenNothing();
      spec.given([fdgClaimed, fdgReleased]).when(releaseFdg).thenNothing();
    });

    it('refuses to release a key another owner holds', () => {
      spec
        .given([fdgClaimed])
        .when({ ...releaseFdg, ownerId: 'tracer-other' })
        .thenThrows('NAME_NOT_OWNED', { ownerId: 'tracer-fdg' });
    });
  });

  describe('nameClaimChanges', () => {
    it('claims what is new and releases what is gone', () => {
      const before = [nameClaimOf.customerShortName('herlev'), nameClaimOf.customerDispenserNumber(2)];
      const after = [nameClaimOf.customerShortName('Herlev'), nameClaimOf.customerDispenserNumber(12)];
      expect(nameClaimChanges(before, after)).toEqual({
        claim: [{ kind: 'customerDispenserNumber', key: '12' }],
        release: [{ kind: 'customerDispenserNumber', key: '2' }],
      });
    });
  });
});
