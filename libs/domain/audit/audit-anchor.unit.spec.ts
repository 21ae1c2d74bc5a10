import { specFor } from '../kernel/decider-spec';
import { auditAnchorsDecider, type AuditAnchorRecorded, type RecordAuditAnchor } from './audit-anchor';

const spec = specFor(auditAnchorsDecider);
const at = '2026-12-07T01:30:00.000Z';
const digest = (n: number) => n.toString(16).padStart(64, '0');
const mac = { algorithm: 'HMAC-SHA256' as const, keyId: '0123456789abcdef', value: digest(99) };

const anchor = (overrides: Partial<RecordAuditAnchor> = {}): RecordAuditAnchor => ({
  type: 'RecordAuditAnchor',
  anchorId: 'job-1',
  position: '41',
  eventCount: 42,
  digestFormat: 'tracershop-record-digest/1',
  digest: digest(1),
  previous: null,
  mac,
  at,
  ...overrides,
});

const recorded = (overrides: Partial<AuditAnchorRecorded['data']> = {}): AuditAnchorRecorded => ({
  type: 'AuditAnchorRecorded',
  data: {
    anchorId: 'job-1',
    position: '41',
    eventCount: 42,
    digestFormat: 'tracershop-record-digest/1',
    digest: digest(1),
    previous: null,
    mac,
    anchoredAt: at,
    ...overrides,
  },
});

const firstLink = { anchorId: 'job-1', position: '41', eventCount: 42, digest: digest(1) };

describe('audit anchors', () => {
  it('given no anchor yet, then the first one is recorded with its MAC and continues nothing', () => {
    spec.given([]).when(anchor()).then([recorded()]);
  });

  it('given an anchor, then the next names it as the one it continues', () => {
    spec
      .given([recorded()])
      .when(anchor({ anchorId: 'job-2', position: '80', eventCount: 81, digest: digest(2), previous: firstLink }))
      .then([recorded({ anchorId: 'job-2', position: '80', eventCount: 81, digest: digest(2), previous: firstLink })]);
  });

  it('given no key configured, then the anchor is recorded unsigned', () => {
    spec
      .given([])
      .when(anchor({ mac: null }))
      .then([withoutMac(recorded())]);
  });

  it('given an anchor computed before another was recorded, then it is refused: its digest continues the wrong one', () => {
    spec
      .given([recorded()])
      .when(anchor({ anchorId: 'job-2', position: '80', eventCount: 81, previous: null }))
      .thenThrows('ANCHOR_OUT_OF_SEQUENCE', { latest: 'job-1' });
  });

  it('given the same anchor recorded again (a retried job), then nothing is added', () => {
    spec.given([recorded()]).when(anchor()).thenNothing();
  });

  it('refuses an anchor that covers nothing new, or is not a digest of the record', () => {
    spec
      .given([recorded()])
      .when(anchor({ anchorId: 'job-2', eventCount: 42, previous: firstLink }))
      .thenThrows('INVALID_ANCHOR_COUNT');
    spec
      .given([])
      .when(anchor({ digest: 'not a digest' }))
      .thenThrows('INVALID_ANCHOR', { field: 'digest' });
    spec
      .given([])
      .when(anchor({ position: 'head' }))
      .thenThrows('INVALID_ANCHOR', { field: 'position' });
    spec
      .given([])
      .when(anchor({ mac: { ...mac, value: 'short' } }))
      .thenThrows('INVALID_ANCHOR', { field: 'mac.value' });
  });
});

function withoutMac(event: AuditAnchorRecorded): AuditAnchorRecorded {
  const { mac: _mac, ...data } = event.data;
  void _mac;
  return { ...event, data };
}
