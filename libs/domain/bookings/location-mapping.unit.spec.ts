import { absent, activeHerlevPet, archivedHerlevPet } from '../catalog/catalog-examples';
import { specFor } from '../kernel/decider-spec';
import { at } from './bookings-examples';
import {
  locationMappingDecider,
  locationMappingStreamName,
  type LocationMapped,
  type MapLocation,
} from './location-mapping';

const spec = specFor(locationMappingDecider);
const map: MapLocation = {
  type: 'MapLocation',
  locationCode: 'PET 1',
  endpointId: 'ep-herlev-pet',
  at,
  refs: { endpoint: activeHerlevPet },
};
const mapped: LocationMapped = {
  type: 'LocationMapped',
  data: { locationCode: 'PET 1', endpointId: 'ep-herlev-pet', previousEndpointId: null, reason: null },
};
const reason = 'PET 1 moved to the new building';

describe('LocationMapping', () => {
  it('lives in one stream per RIS room code, URI-encoded', () => {
    expect(locationMappingStreamName('PET 1')).toBe('bookings.location-PET%201');
  });

  it('maps a room to an active delivery endpoint', () => {
    spec.given([]).when(map).then([mapped]);
  });

  it('mapping to the same endpoint again changes nothing', () => {
    spec.given([mapped]).when(map).thenNothing();
  });

  it('unmaps with null, keeping the previous endpoint and the reason in the event', () => {
    spec
      .given([mapped])
      .when({ ...map, endpointId: null, reason, refs: { endpoint: null } })
      .then([
        {
          type: 'LocationMapped',
          data: { locationCode: 'PET 1', endpointId: null, previousEndpointId: 'ep-herlev-pet', reason },
        },
      ]);
    spec
      .given([])
      .when({ ...map, endpointId: null, refs: { endpoint: null } })
      .thenNothing();
  });

  it('keeps the reason a first mapping is given', () => {
    spec
      .given([])
      .when({ ...map, reason })
      .then([{ ...mapped, data: { ...mapped.data, reason } }]);
  });

  it('refuses to change a mapped room without a reason (GMP: Annex 11 §9): 422 FIELD_REQUIRED', () => {
    const unmapped: LocationMapped = {
      type: 'LocationMapped',
      data: { locationCode: 'PET 1', endpointId: null, previousEndpointId: 'ep-herlev-pet', reason },
    };
    for (const missing of [undefined, '', '  ']) {
      spec
        .given([mapped])
        .when({ ...map, endpointId: null, reason: missing, refs: { endpoint: null } })
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
      // Mapping an unmapped room again changes where its bookings go as well.
      spec
        .given([mapped, unmapped])
        .when({ ...map, reason: missing })
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    }
  });

  it('refuses an endpoint that does not exist or is archived', () => {
    spec
      .given([])
      .when({ ...map, refs: { endpoint: absent } })
      .thenThrows('DELIVERY_ENDPOINT_NOT_FOUND', { field: 'endpointId' });
    spec
      .given([])
      .when({ ...map, refs: { endpoint: null } })
      .thenThrows('DELIVERY_ENDPOINT_NOT_FOUND');
    spec
      .given([])
      .when({ ...map, refs: { endpoint: archivedHerlevPet } })
      .thenThrows('DELIVERY_ENDPOINT_ARCHIVED');
  });

  it('refuses room codes no worklist sends', () => {
    spec
      .given([])
      .when({ ...map, locationCode: 'PET 1 ' })
      .thenThrows('INVALID_CODE', { field: 'locationCode' });
  });
});
