import {
  deliveryEndpointDecider,
  deliveryEndpointStreamName,
  tracerDecider,
  tracerPermissionDecider,
  tracerPermissionId,
  tracerPermissionStreamName,
  tracerStreamName,
  type DeliveryEndpointRegistered,
  type TracerPermissionState,
} from '@tracershop/domain/catalog';
import {
  f18Registered,
  fdgRegistered,
  fetRegistered,
  herlevPetRegistered,
  herlevRegistered,
} from '@tracershop/domain/catalog/catalog-examples';
import type { TracerPermissionView } from './catalog-read-model';
import { openCatalogTestBed, type CatalogTestBed } from './test-support/catalog-test-bed';

// `:` is allowed in ids and joins the pair in a permission id, so the id encodes it.
const nuclearMedicineRegistered: DeliveryEndpointRegistered = {
  type: 'DeliveryEndpointRegistered',
  data: { ...herlevPetRegistered.data, endpointId: 'ep:herlev:nuk', name: 'Nuklearmedicin' },
};

const at = '2026-03-02T07:00:00.000Z';

describe('tracer permissions: grant, update, revoke and grant again', () => {
  let bed: CatalogTestBed;

  beforeAll(async () => {
    bed = await openCatalogTestBed('permissions');
    await bed.given(f18Registered, fdgRegistered, fetRegistered, herlevRegistered);
    await bed.given(herlevPetRegistered, nuclearMedicineRegistered);
  });

  afterAll(async () => {
    await bed.close();
  });

  const streamOf = (endpointId: string, tracerId: string) => tracerPermissionStreamName(endpointId, tracerId);

  // A fresh legacy id per first grant, as the handler allocates; a re-grant names the one the pair holds.
  let nextLegacyId = 200;
  function grant(endpointId: string, tracerId: string, details: { overheadPercent?: number; maxInjections?: number }) {
    const held = bed.stateOf(tracerPermissionDecider, streamOf(endpointId, tracerId));
    return bed.decide(tracerPermissionDecider, streamOf(endpointId, tracerId), {
      type: 'GrantTracerPermission',
      endpointId,
      tracerId,
      ...details,
      legacyId: held.status === 'absent' ? (nextLegacyId += 2) : held.legacyId,
      at,
      refs: {
        endpoint: bed.stateOf(deliveryEndpointDecider, deliveryEndpointStreamName(endpointId)),
        tracer: bed.stateOf(tracerDecider, tracerStreamName(tracerId)),
      },
    });
  }

  /** The row is the decider's state, with the permission's own words for active and archived. */
  function expectedView(state: TracerPermissionState): Partial<TracerPermissionView> {
    if (state.status === 'absent') throw new Error('no permission');
    const { status, ...permission } = state;
    return { ...permission, status: status === 'active' ? 'granted' : 'revoked' };
  }

  it('a grant writes the pair with its overrides under the permission id', async () => {
    await grant('ep-herlev-pet', 'tracer-fdg', { overheadPercent: 10 });
    await grant('ep:herlev:nuk', 'tracer-fet', { maxInjections: 6 });

    const id = tracerPermissionId('ep:herlev:nuk', 'tracer-fet');
    expect(id).toBe('ep%3Aherlev%3Anuk:tracer-fet');
    expect(await bed.readModel.getTracerPermission(id)).toMatchObject({
      id,
      endpointId: 'ep:herlev:nuk',
      tracerId: 'tracer-fet',
      overheadPercent: null,
      maxInjections: 6,
      status: 'granted',
      revokedReason: null,
      revision: '0',
    });
    expect(await bed.readModel.getTracerPermission(tracerPermissionId('ep-herlev-pet', 'tracer-fdg'))).toMatchObject(
      expectedView(bed.stateOf(tracerPermissionDecider, streamOf('ep-herlev-pet', 'tracer-fdg'))),
    );
  });

  it('an update sets and clears the overrides', async () => {
    await bed.decide(tracerPermissionDecider, streamOf('ep-herlev-pet', 'tracer-fdg'), {
      type: 'UpdateTracerPermission',
      endpointId: 'ep-herlev-pet',
      tracerId: 'tracer-fdg',
      changes: { overheadPercent: null, maxInjections: 4 },
      reason: 'New agreement',
      at,
    });
    const permission = await bed.readModel.getTracerPermission(tracerPermissionId('ep-herlev-pet', 'tracer-fdg'));
    expect(permission).toMatchObject({ overheadPercent: null, maxInjections: 4, revision: '1' });
    expect(permission).toMatchObject(
      expectedView(bed.stateOf(tracerPermissionDecider, streamOf('ep-herlev-pet', 'tracer-fdg'))),
    );
  });

  it('a revoke keeps the row with its reason, out of the default list', async () => {
    await bed.decide(tracerPermissionDecider, streamOf('ep-herlev-pet', 'tracer-fdg'), {
      type: 'RevokeTracerPermission',
      endpointId: 'ep-herlev-pet',
      tracerId: 'tracer-fdg',
      reason: 'Herlev orders FDG through the new endpoint',
      at,
    });

    const id = tracerPermissionId('ep-herlev-pet', 'tracer-fdg');
    expect(await bed.readModel.getTracerPermission(id)).toMatchObject({
      status: 'revoked',
      revokedReason: 'Herlev orders FDG through the new endpoint',
      maxInjections: 4,
    });
    const granted = await bed.readModel.listTracerPermissions({ limit: 10 });
    expect(granted.items.map((permission) => permission.id)).toEqual(['ep%3Aherlev%3Anuk:tracer-fet']);
    const revoked = await bed.readModel.listTracerPermissions({ limit: 10, status: 'revoked' });
    expect(revoked.items.map((permission) => permission.id)).toEqual([id]);
    const all = await bed.readModel.listTracerPermissions({ limit: 10, status: 'all', tracerId: 'tracer-fdg' });
    expect(all.items.map((permission) => permission.id)).toEqual([id]);
  });

  it('a grant after a revoke starts over with the new grant, on the same row', async () => {
    const id = tracerPermissionId('ep-herlev-pet', 'tracer-fdg');
    const revoked = await bed.readModel.getTracerPermission(id);
    await grant('ep-herlev-pet', 'tracer-fdg', { overheadPercent: 5 });

    const regranted = await bed.readModel.getTracerPermission(id);
    expect(regranted).toMatchObject({
      status: 'granted',
      revokedReason: null,
      overheadPercent: 5,
      maxInjections: null,
      revision: '3',
      createdPosition: revoked!.createdPosition,
      // The first grant's legacy TracerCustomer.ID, which the re-grant names.
      legacyId: revoked!.legacyId,
    });
    expect(regranted).toMatchObject(
      expectedView(bed.stateOf(tracerPermissionDecider, streamOf('ep-herlev-pet', 'tracer-fdg'))),
    );
    const atHerlevPet = await bed.readModel.listTracerPermissions({ limit: 10, endpointId: 'ep-herlev-pet' });
    expect(atHerlevPet.items.map((permission) => permission.tracerId)).toEqual(['tracer-fdg']);
  });

  it('answers null for ids no pair can have', async () => {
    for (const id of ['tracer-fdg', 'ep-herlev-pet:tracer-fdg:x', 'ep:herlev:nuk:tracer-fet', '%E0%A4%A:x', '']) {
      expect(await bed.readModel.getTracerPermission(id)).toBeNull();
    }
    expect(await bed.readModel.getTracerPermission(tracerPermissionId('ep-herlev-pet', 'tracer-fet'))).toBeNull();
  });
});
