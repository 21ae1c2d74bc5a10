import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { at } from './identity-examples';
import { isHostname, isIpv4Address, isIpv6Address } from './network-host';
import {
  serviceEndpointDecider,
  serviceEndpointStreamName,
  type ChangeServiceEndpoint,
  type RegisterServiceEndpoint,
  type ServiceEndpointRegistered,
} from './service-endpoint';

const spec = specFor(serviceEndpointDecider);
const registerWorklist: RegisterServiceEndpoint = {
  type: 'RegisterServiceEndpoint',
  endpointId: 'svc-worklist',
  name: 'Hospital worklist feed',
  host: 'RIS.Regionh.example',
  port: 2575,
  protocol: 'hl7-mllp',
  at,
};
const worklistRegistered: ServiceEndpointRegistered = {
  type: 'ServiceEndpointRegistered',
  data: {
    endpointId: 'svc-worklist',
    name: 'Hospital worklist feed',
    host: 'ris.regionh.example',
    port: 2575,
    protocol: 'hl7-mllp',
  },
};
const archived = { type: 'ServiceEndpointArchived', data: { endpointId: 'svc-worklist' } } as const;
const change = (changes: ChangeServiceEndpoint['changes']): ChangeServiceEndpoint => ({
  type: 'ChangeServiceEndpoint',
  endpointId: 'svc-worklist',
  changes,
  at,
});

describe('ServiceEndpoint', () => {
  it('lives in the stream identity.serviceEndpoint-<id>', () => {
    expect(serviceEndpointStreamName('svc-worklist')).toBe('identity.serviceEndpoint-svc-worklist');
  });

  describe('RegisterServiceEndpoint', () => {
    it('registers an endpoint with a lower-cased host', () => {
      spec.given([]).when(registerWorklist).then([worklistRegistered]);
    });

    it.each(['10.20.30.40', 'fe80::1', '::ffff:10.0.0.1', 'dispenser_pc', 'localhost'])(
      'accepts the host %p',
      (host) => {
        spec
          .given([])
          .when({ ...registerWorklist, host })
          .then([{ type: 'ServiceEndpointRegistered', data: { ...worklistRegistered.data, host } }]);
      },
    );

    it.each(['10.0.0.256', '1.2.3', 'ris..example', '-ris.example', 'ris example', 'http://ris.example', '1::2::3'])(
      'rejects the host %p',
      (host) => {
        spec
          .given([])
          .when({ ...registerWorklist, host })
          .thenThrows('INVALID_HOST', { field: 'host' });
      },
    );

    it.each([0, 65_536, 25.5])('rejects the port %p', (port) => {
      spec
        .given([])
        .when({ ...registerWorklist, port })
        .thenThrows('INVALID_PORT', { field: 'port', min: 1, max: 65_535 });
    });

    it('accepts the ports 1 and 65535', () => {
      for (const port of [1, 65_535]) {
        spec
          .given([])
          .when({ ...registerWorklist, port })
          .then([{ type: 'ServiceEndpointRegistered', data: { ...worklistRegistered.data, port } }]);
      }
    });

    it('accepts the listed protocols only', () => {
      for (const protocol of ['hl7-mllp', 'smb', 'http', 'https', 'ftp', 'sftp'] as const) {
        spec
          .given([])
          .when({ ...registerWorklist, protocol })
          .then([{ type: 'ServiceEndpointRegistered', data: { ...worklistRegistered.data, protocol } }]);
      }
      spec
        .given([])
        .when({ ...registerWorklist, protocol: 'telnet' as RegisterServiceEndpoint['protocol'] })
        .thenThrows('INVALID_PROTOCOL', { field: 'protocol' });
    });

    it('requires a name', () => {
      spec
        .given([])
        .when({ ...registerWorklist, name: '' })
        .thenThrows('FIELD_REQUIRED', { field: 'name' });
    });

    it('is idempotent, and refuses a different endpoint under an existing id', () => {
      spec.given([worklistRegistered]).when(registerWorklist).thenNothing();
      spec
        .given([worklistRegistered])
        .when({ ...registerWorklist, port: 2576 })
        .thenThrows('ALREADY_EXISTS', { entity: 'SERVICE_ENDPOINT' });
    });
  });

  describe('ChangeServiceEndpoint', () => {
    it('records the old and new value of each changed field', () => {
      spec
        .given([worklistRegistered])
        .when(change({ host: '10.1.2.3', port: 2575, protocol: 'hl7-mllp' }))
        .then([
          {
            type: 'ServiceEndpointChanged',
            data: { endpointId: 'svc-worklist', changes: { host: { from: 'ris.regionh.example', to: '10.1.2.3' } } },
          },
        ]);
      const state = fold(serviceEndpointDecider, [
        worklistRegistered,
        {
          type: 'ServiceEndpointChanged',
          data: { endpointId: 'svc-worklist', changes: { host: { from: 'ris.regionh.example', to: '10.1.2.3' } } },
        },
      ]);
      expect(state).toMatchObject({ host: '10.1.2.3', port: 2575 });
    });

    it('changes nothing when the values are the same', () => {
      spec
        .given([worklistRegistered])
        .when(change({ host: 'RIS.REGIONH.EXAMPLE', name: 'Hospital worklist feed' }))
        .thenNothing();
    });

    it('validates the changed fields', () => {
      spec
        .given([worklistRegistered])
        .when(change({ port: 70_000 }))
        .thenThrows('INVALID_PORT');
    });

    it('fails for an unknown or archived endpoint', () => {
      spec
        .given([])
        .when(change({ port: 2576 }))
        .thenThrows('SERVICE_ENDPOINT_NOT_FOUND');
      spec
        .given([worklistRegistered, archived])
        .when(change({ port: 2576 }))
        .thenThrows('SERVICE_ENDPOINT_ARCHIVED');
    });
  });

  describe('ArchiveServiceEndpoint', () => {
    const archive = { type: 'ArchiveServiceEndpoint', endpointId: 'svc-worklist', reason: 'Feed retired', at } as const;

    it('archives with a reason; twice changes nothing', () => {
      spec.given([worklistRegistered]).when(archive).then([archived]);
      spec.given([worklistRegistered, archived]).when(archive).thenNothing();
      spec
        .given([worklistRegistered])
        .when({ ...archive, reason: '' })
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
      spec.given([]).when(archive).thenThrows('SERVICE_ENDPOINT_NOT_FOUND');
    });
  });
});

describe('network hosts', () => {
  it('tell IPv4 addresses from names', () => {
    expect(isIpv4Address('192.168.0.1')).toBe(true);
    expect(isIpv4Address('192.168.00.1')).toBe(false);
    expect(isHostname('192.168.0.1')).toBe(false);
    expect(isHostname('pet-ct01.regionh.example')).toBe(true);
  });

  it('read full, compressed and IPv4-embedded IPv6', () => {
    expect(isIpv6Address('2001:db8:0:0:0:0:0:1')).toBe(true);
    expect(isIpv6Address('2001:db8::1')).toBe(true);
    expect(isIpv6Address('::')).toBe(true);
    expect(isIpv6Address('::ffff:192.0.2.1')).toBe(true);
    expect(isIpv6Address('2001:db8:0:0:0:0:1')).toBe(false);
    expect(isIpv6Address('1.2.3.4::')).toBe(false);
    expect(isIpv6Address('2001:db8::g')).toBe(false);
    expect(isIpv6Address('1:2:3:4:5:6:7::8')).toBe(false);
  });
});
