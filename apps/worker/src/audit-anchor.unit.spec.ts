import { CommandPipeline } from '@tracershop/command-pipeline';
import { AUDIT_ANCHORS_STREAM, type AuditAnchorRecordedData } from '@tracershop/domain/audit';
import { MemoryEventStore } from '@tracershop/event-store';
import { events } from '../../../test/contract/event-fixtures';
import { anchorKeyId, integrityFindings, isGmpStream, recordAuditAnchor, verifyRecord } from './audit-anchor';

const OPERATOR = { kind: 'system', id: 'worker', printedName: 'Tracershop worker', role: 'system' } as const;
const KEY = 'k'.repeat(64);
const OTHER_KEY = 'o'.repeat(64);

async function anchoredStore(key: string | null): Promise<MemoryEventStore> {
  const store = new MemoryEventStore();
  await store.append('ordering.vial-1', events(2), 'no_stream');
  await recordAuditAnchor(store, new CommandPipeline({ store }), OPERATOR, key, 'a1');
  await store.append('ordering.vial-2', events(1), 'no_stream');
  await recordAuditAnchor(store, new CommandPipeline({ store }), OPERATOR, key, 'a2');
  return store;
}

const anchorData = (store: MemoryEventStore, revision: number) =>
  store.log.recordsOf(AUDIT_ANCHORS_STREAM)?.[revision]?.payload.data as AuditAnchorRecordedData;

describe('audit anchors recorded and checked by the worker and the cli', () => {
  it('given anchors signed with the configured key, then the record agrees and every MAC holds', async () => {
    const store = await anchoredStore(KEY);
    expect(anchorData(store, 1)).toMatchObject({
      anchorId: 'a2',
      eventCount: 4,
      previous: { anchorId: 'a1', eventCount: 2 },
      mac: { algorithm: 'HMAC-SHA256', keyId: anchorKeyId(KEY) },
    });
    const report = await verifyRecord(store, KEY);
    expect(report.anchors).toMatchObject({ checked: 2, latest: { anchorId: 'a2' }, disagreements: [] });
    expect(report.anchorSigning).toEqual({ keyConfigured: true, verified: 2, unsigned: 0, otherKey: 0, failures: [] });
    expect(integrityFindings(report)).toBe(0);
  });

  it('given no key, then anchors are recorded unsigned and verification says so without failing', async () => {
    const store = await anchoredStore(null);
    expect(anchorData(store, 0).mac).toBeUndefined();
    const report = await verifyRecord(store, null);
    expect(report.anchorSigning).toEqual({ keyConfigured: false, verified: 0, unsigned: 2, otherKey: 0, failures: [] });
    expect(integrityFindings(report)).toBe(0);
  });

  it('given an anchor whose claim was changed after signing, then its MAC does not hold', async () => {
    const store = await anchoredStore(KEY);
    // Someone rewrote the history and the first anchor to match it, but has not the key
    anchorData(store, 0).digest = 'f'.repeat(64);
    const report = await verifyRecord(store, KEY);
    expect(report.anchorSigning.failures).toEqual([{ anchorId: 'a1', position: '1', problem: 'mac_mismatch' }]);
    expect(integrityFindings(report)).toBeGreaterThan(0);
  });

  it('given a key configured but the latest anchor not signed with it, then nothing outside the database vouches for the record', async () => {
    const unsigned = await verifyRecord(await anchoredStore(null), KEY);
    expect(unsigned.anchorSigning).toMatchObject({
      unsigned: 2,
      failures: [{ anchorId: 'a2', problem: 'latest_not_signed' }],
    });
    const rotated = await verifyRecord(await anchoredStore(OTHER_KEY), KEY);
    expect(rotated.anchorSigning).toMatchObject({ otherKey: 2, failures: [{ problem: 'latest_not_signed' }] });
  });

  it('classifies telemetry, simulation jobs and order sessions as the only streams allowed to forget', () => {
    expect(isGmpStream('ordering.vial-1')).toBe(true);
    expect(isGmpStream('identity.user-1')).toBe(true);
    expect(isGmpStream('audit.anchors-deployment')).toBe(true);
    expect(isGmpStream('telemetry.session-1')).toBe(false);
    expect(isGmpStream('jobs.simulation-1')).toBe(false);
    expect(isGmpStream('sessions.orderSession-1')).toBe(false);
  });
});
