import type { IdentityWebEvent, ServiceEndpointRegistered } from './identity-events';
import { openIdentityTestBed, type IdentityTestBed } from './test-support/identity-test-bed';

const registered = (endpointId: string, name: string, port = 443): ServiceEndpointRegistered => ({
  type: 'ServiceEndpointRegistered',
  data: { endpointId, name, host: `${name.toLowerCase()}.rh.example`, port, protocol: 'https' },
});

describe('service endpoints: register, change, archive', () => {
  let bed: IdentityTestBed;

  beforeAll(async () => {
    bed = await openIdentityTestBed('service_endpoints');
  });

  afterAll(async () => {
    await bed.close();
  });

  it('a registration writes an active endpoint', async () => {
    await bed.givenAt(
      '2026-03-02T07:00:00.000Z',
      registered('svc-ping', 'Ping'),
      registered('svc-dicom', 'Dicom', 104),
    );

    expect(await bed.readModel.getServiceEndpoint('svc-ping')).toEqual({
      id: 'svc-ping',
      name: 'Ping',
      host: 'ping.rh.example',
      port: 443,
      protocol: 'https',
      status: 'active',
      archivedAt: null,
      createdAt: '2026-03-02T07:00:00.000Z',
      updatedAt: '2026-03-02T07:00:00.000Z',
      revision: '0',
    });
    expect(await bed.readModel.getServiceEndpoint('svc-none')).toBeNull();
  });

  it('a change sets the changed fields only', async () => {
    const changed: IdentityWebEvent = {
      type: 'ServiceEndpointChanged',
      data: {
        endpointId: 'svc-dicom',
        changes: { host: { from: 'dicom.rh.example', to: 'pacs.rh.example' }, port: { from: 104, to: 11112 } },
      },
    };
    await bed.givenAt('2026-03-03T07:00:00.000Z', changed);
    await bed.given({
      type: 'ServiceEndpointChanged',
      data: {
        endpointId: 'svc-dicom',
        changes: { name: { from: 'Dicom', to: 'PACS' }, protocol: { from: 'https', to: 'dicom' } },
      },
    });

    expect(await bed.readModel.getServiceEndpoint('svc-dicom')).toMatchObject({
      name: 'PACS',
      host: 'pacs.rh.example',
      port: 11112,
      protocol: 'dicom',
      status: 'active',
      revision: '2',
    });
  });

  it('an archived endpoint leaves the default list, and the list pages by name', async () => {
    await bed.given(registered('svc-a', 'Archive'), registered('svc-z', 'Zeta'));
    await bed.givenAt('2026-03-05T07:00:00.000Z', {
      type: 'ServiceEndpointArchived',
      data: { endpointId: 'svc-ping' },
    });

    expect(await bed.readModel.getServiceEndpoint('svc-ping')).toMatchObject({
      status: 'archived',
      archivedAt: '2026-03-05T07:00:00.000Z',
      revision: '1',
    });
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await bed.readModel.listServiceEndpoints({ limit: 2, cursor });
      names.push(...page.items.map((endpoint) => endpoint.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(names).toEqual(['Archive', 'PACS', 'Zeta']);
    const archived = await bed.readModel.listServiceEndpoints({ limit: 10, status: 'archived' });
    expect(archived.items.map((endpoint) => endpoint.id)).toEqual(['svc-ping']);
    const all = await bed.readModel.listServiceEndpoints({ limit: 10, status: 'all' });
    expect(all.items.map((endpoint) => endpoint.name)).toEqual(['Archive', 'PACS', 'Ping', 'Zeta']);
  });

  it('a name may repeat: the domain does not claim endpoint names, so the projection must not refuse one', async () => {
    await bed.given(registered('svc-ping-2', 'Ping', 8443), registered('svc-zeta-2', 'Zeta'));

    const all = await bed.readModel.listServiceEndpoints({ limit: 10, status: 'all' });
    expect(all.items.map((endpoint) => endpoint.id)).toEqual([
      'svc-a',
      'svc-dicom',
      'svc-ping',
      'svc-ping-2',
      'svc-z',
      'svc-zeta-2',
    ]);
    const first = await bed.readModel.listServiceEndpoints({ limit: 4, status: 'all' });
    const rest = await bed.readModel.listServiceEndpoints({ limit: 4, status: 'all', cursor: first.nextCursor });
    expect(rest).toMatchObject({ items: [{ id: 'svc-z' }, { id: 'svc-zeta-2' }], nextCursor: null });
  });
});
