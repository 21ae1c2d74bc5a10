import { specFor } from '../kernel/decider-spec';
import { absent, activeHerlev, archivedHerlev, at, herlevPetRegistered } from './catalog-examples';
import {
  deliveryEndpointDecider,
  deliveryEndpointStreamName,
  type ArchiveDeliveryEndpoint,
  type DeliveryEndpointArchived,
  type RegisterDeliveryEndpoint,
  type RestoreDeliveryEndpoint,
  type UpdateDeliveryEndpoint,
} from './delivery-endpoint';

const spec = specFor(deliveryEndpointDecider);
/** Why a change is made: every change of catalogue values says it (GMP, Annex 11 §9). */
const changeReason = 'Corrected after review';
const { endpointId: _endpointId, ...herlevPet } = herlevPetRegistered.data;
const registerHerlevPet: RegisterDeliveryEndpoint = {
  type: 'RegisterDeliveryEndpoint',
  endpointId: 'ep-herlev-pet',
  ...herlevPet,
  at,
  refs: { customer: activeHerlev },
};
const herlevPetArchived: DeliveryEndpointArchived = {
  type: 'DeliveryEndpointArchived',
  data: { endpointId: 'ep-herlev-pet', reason: 'Department moved' },
};

describe('DeliveryEndpoint', () => {
  it('lives in the stream catalog.deliveryEndpoint-<id>', () => {
    expect(deliveryEndpointStreamName('ep-herlev-pet')).toBe('catalog.deliveryEndpoint-ep-herlev-pet');
  });

  describe('RegisterDeliveryEndpoint', () => {
    it('registers an endpoint of an active customer', () => {
      spec.given([]).when(registerHerlevPet).then([herlevPetRegistered]);
    });

    it('fails when the customer does not exist', () => {
      spec
        .given([])
        .when({ ...registerHerlevPet, refs: { customer: absent } })
        .thenThrows('CUSTOMER_NOT_FOUND', { field: 'customerId', id: 'cust-herlev' });
    });

    it('fails when the customer is archived', () => {
      spec
        .given([])
        .when({ ...registerHerlevPet, refs: { customer: archivedHerlev } })
        .thenThrows('CUSTOMER_ARCHIVED', { field: 'customerId' });
    });

    it('fails when the handler loaded another customer than the command names', () => {
      spec
        .given([])
        .when({ ...registerHerlevPet, customerId: 'cust-odense' })
        .thenThrows('REFERENCE_MISMATCH', { field: 'customerId', expectedId: 'cust-odense', actualId: 'cust-herlev' });
    });

    it('requires a name', () => {
      spec
        .given([])
        .when({ ...registerHerlevPet, name: ' ' })
        .thenThrows('FIELD_REQUIRED', { field: 'name' });
    });

    it('rejects a malformed phone number', () => {
      spec
        .given([])
        .when({ ...registerHerlevPet, phone: '38-68-xx' })
        .thenThrows('INVALID_PHONE', { field: 'phone' });
    });

    it('limits the zip code length', () => {
      spec
        .given([])
        .when({ ...registerHerlevPet, zip: '2'.repeat(17) })
        .thenThrows('FIELD_TOO_LONG', { field: 'zip', maxLength: 16 });
    });

    it('is idempotent: registering the same endpoint again changes nothing', () => {
      spec.given([herlevPetRegistered]).when(registerHerlevPet).thenNothing();
    });

    it('refuses a different endpoint under an existing id', () => {
      spec
        .given([herlevPetRegistered])
        .when({ ...registerHerlevPet, name: 'Nuklear' })
        .thenThrows('ALREADY_EXISTS');
    });
  });

  describe('UpdateDeliveryEndpoint', () => {
    const update = (changes: UpdateDeliveryEndpoint['changes']): UpdateDeliveryEndpoint => ({
      type: 'UpdateDeliveryEndpoint',
      endpointId: 'ep-herlev-pet',
      changes,
      reason: changeReason,
      at,
    });

    it('refuses a change without a reason (GMP: Annex 11 §9): 422 FIELD_REQUIRED, nothing recorded', () => {
      for (const reason of [undefined, '', '   ']) {
        spec
          .given([herlevPetRegistered])
          .when({ ...update({ phone: '38 68 12 34' }), reason })
          .thenThrows('FIELD_REQUIRED', { field: 'reason' });
      }
    });

    it('needs no reason for an update that changes nothing', () => {
      spec
        .given([herlevPetRegistered])
        .when({ ...update({ city: 'Herlev' }), reason: undefined })
        .thenNothing();
    });

    it('records each changed field with its old and new value', () => {
      spec
        .given([herlevPetRegistered])
        .when(update({ name: 'PET-centret', phone: '38 68 12 34', address: 'Herlev Ringvej 75' }))
        .then([
          {
            type: 'DeliveryEndpointUpdated',
            data: {
              reason: changeReason,
              endpointId: 'ep-herlev-pet',
              changes: {
                phone: { from: null, to: '38 68 12 34' },
                address: { from: 'Borgmester Ib Juuls Vej 1', to: 'Herlev Ringvej 75' },
              },
            },
          },
        ]);
    });

    it('changes nothing when the values are the same', () => {
      spec
        .given([herlevPetRegistered])
        .when(update({ city: 'Herlev' }))
        .thenNothing();
    });

    it('fails for an endpoint that does not exist', () => {
      spec
        .given([])
        .when(update({ city: 'Ballerup' }))
        .thenThrows('DELIVERY_ENDPOINT_NOT_FOUND');
    });

    it('fails for an archived endpoint', () => {
      spec
        .given([herlevPetRegistered, herlevPetArchived])
        .when(update({ city: 'Ballerup' }))
        .thenThrows('DELIVERY_ENDPOINT_ARCHIVED');
    });
  });

  describe('ArchiveDeliveryEndpoint', () => {
    const archive = (otherActiveEndpointIds: string[], customer = activeHerlev): ArchiveDeliveryEndpoint => ({
      type: 'ArchiveDeliveryEndpoint',
      endpointId: 'ep-herlev-pet',
      reason: 'Department moved',
      at,
      refs: { customer, otherActiveEndpointIds },
    });

    it('archives with a reason while the customer keeps another endpoint', () => {
      spec
        .given([herlevPetRegistered])
        .when(archive(['ep-herlev-nuc']))
        .then([herlevPetArchived]);
    });

    it('keeps the last active endpoint of an active customer', () => {
      spec
        .given([herlevPetRegistered])
        .when(archive([]))
        .thenThrows('LAST_DELIVERY_ENDPOINT', { customerId: 'cust-herlev' });
      spec
        .given([herlevPetRegistered])
        .when(archive(['ep-herlev-pet']))
        .thenThrows('LAST_DELIVERY_ENDPOINT');
    });

    it('may archive the last endpoint of an archived customer', () => {
      spec.given([herlevPetRegistered]).when(archive([], archivedHerlev)).then([herlevPetArchived]);
    });

    it("fails when the handler loaded another customer than the endpoint's", () => {
      const odense = { ...activeHerlev, id: 'cust-odense' } as typeof activeHerlev;
      spec
        .given([herlevPetRegistered])
        .when(archive(['ep-herlev-nuc'], odense))
        .thenThrows('REFERENCE_MISMATCH', { field: 'customerId', expectedId: 'cust-herlev', actualId: 'cust-odense' });
    });

    it('archiving twice changes nothing', () => {
      spec.given([herlevPetRegistered, herlevPetArchived]).when(archive([])).thenNothing();
    });

    it('cannot archive what does not exist', () => {
      spec
        .given([])
        .when(archive(['ep-herlev-nuc']))
        .thenThrows('DELIVERY_ENDPOINT_NOT_FOUND');
    });

    it('requires a reason', () => {
      spec
        .given([herlevPetRegistered])
        .when({ ...archive(['ep-herlev-nuc']), reason: '' })
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    });
  });

  describe('RestoreDeliveryEndpoint', () => {
    const restore: RestoreDeliveryEndpoint = {
      type: 'RestoreDeliveryEndpoint',
      endpointId: 'ep-herlev-pet',
      reason: 'Department back',
      at,
      refs: { customer: activeHerlev },
    };

    it('restores an archived endpoint of an active customer', () => {
      spec
        .given([herlevPetRegistered, herlevPetArchived])
        .when(restore)
        .then([{ type: 'DeliveryEndpointRestored', data: { endpointId: 'ep-herlev-pet', reason: 'Department back' } }]);
    });

    it('restores only while the customer is active', () => {
      spec
        .given([herlevPetRegistered, herlevPetArchived])
        .when({ ...restore, refs: { customer: archivedHerlev } })
        .thenThrows('CUSTOMER_ARCHIVED');
    });

    it('restoring an active endpoint changes nothing', () => {
      spec.given([herlevPetRegistered]).when(restore).thenNothing();
    });
  });
});
