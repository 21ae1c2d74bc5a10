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
  data: { locationCode: 'PET 1', endpointId: 'ep-herlev-pet', previousEndpointId: null },
};

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

  it('unmaps with null, keeping the previous endpoint in the event', () => {
    spec
      .given([mapped])
      .when({ ...map, endpointId: null, refs: { endpoint: null } })
      .then([
        {
          type: 'LocationMapped',
          data: { locationCode: 'PET 1', endpointId: null, previousEndpointId: 'ep-herlev-pet' },
        },
      ]);
    spec
      .given([])
      .when({ ...map, endpointId: null, refs: { endpoint: null } })
      .thenNothing();
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
