import { CommandPipeline } from '@tracershop/command-pipeline';
import { AUDIT_ANCHORS_STREAM, type AuditAnchorRecordedData } from '@tracershop/domain/audit';
import { MemoryEventStore } from '@tracershop/event-store';
import { newEvent } from '../../../test/contract/event-fixtures';
import {
  AnchorChainNotTrustedError,
  anchorMac,
  integrityFindings,
  readAuditAnchors,
  recordAuditAnchor,
  verifyRecord,
} from './audit-anchor';

const WORKER = { kind: 'system', id: 'worker', printedName: 'Tracershop worker', role: 'system' } as const;
const KEY = 'k'.repeat(64);
const OTHER_KEY = 'o'.repeat(64);

const anchorNow = (store: MemoryEventStore, key: string | null, anchorId: string, adoptKey = false) =>
  recordAuditAnchor(store, new CommandPipeline({ store }), WORKER, key, anchorId, undefined, { adoptKey });

/** Two vials dispensed, each followed by an anchor made with `keys[i]`. */
async function anchoredVials(activities: [number, number], keys: [string | null, string | null]) {
  const store = new MemoryEventStore();
  await store.append('ordering.vial-1', [newEvent('VialDispensed', { activityMBq: activities[0] })], 'no_stream');
  await anchorNow(store, keys[0], 'a1');
  await store.append('ordering.vial-2', [newEvent('VialDispensed', { activityMBq: activities[1] })], 'no_stream');
  await anchorNow(store, keys[1], 'a2');
  return store;
}

/** The same record with the anchors of `genuine` written back verbatim (their MACs still hold). */
async function withAnchorsOf(genuine: MemoryEventStore, activities: [number, number]) {
  const [a1, a2] = (await readAuditAnchors(genuine)).map(({ data }) => data);
  const store = new MemoryEventStore();
  const anchor = (data: AuditAnchorRecordedData) => newEvent('AuditAnchorRecorded', data);
  await store.append('ordering.vial-1', [newEvent('VialDispensed', { activityMBq: activities[0] })], 'no_stream');
  await store.append(AUDIT_ANCHORS_STREAM, [anchor(a1)], 'no_stream');
  await store.append('ordering.vial-2', [newEvent('VialDispensed', { activityMBq: activities[1] })], 'no_stream');
  await store.append(AUDIT_ANCHORS_STREAM, [anchor(a2)], 0n);
  return store;
}

const anchorIds = async (store: MemoryEventStore) => (await readAuditAnchors(store)).map(({ data }) => data.anchorId);

/** What the refusal kept as evidence: the integrity checks recorded. */
async function integrityChecks(store: MemoryEventStore) {
  const all = await store.readAll({ maxCount: 1000 });
  return all.filter((event) => event.type === 'IntegrityChecked').map((event) => event.data as { checkId: string });
}

// Regression: the worker signed a new anchor on top of whatever chain it found, so a history
// rewritten with its anchors recomputed unsigned was re-certified at 01:30 and passed at 02:00.
describe('a forged anchor chain is never signed over', () => {
  it('given the history before signed anchors rewritten and the anchors recomputed unsigned, when the worker anchors, then it refuses and the verification still fails', async () => {
    // The key holder's anchors exist (a genuine deployment), but the database now holds the forgery
    await anchoredVials([480, 300], [KEY, KEY]);
    const forged = await anchoredVials([450, 300], [null, null]);

    await expect(anchorNow(forged, KEY, 'job-a3')).rejects.toThrow(AnchorChainNotTrustedError);

    expect(await anchorIds(forged)).toEqual(['a1', 'a2']);
    expect(await integrityChecks(forged)).toEqual([expect.objectContaining({ checkId: 'anchor-refused-job-a3' })]);
    const report = await verifyRecord(forged, KEY);
    expect(report.anchorSigning.failures).toEqual([
      expect.objectContaining({ anchorId: 'a2', problem: 'latest_not_signed' }),
    ]);
    expect(integrityFindings(report)).toBeGreaterThan(0);
  });

  it('given the latest anchor changed after it was signed, when the worker anchors, then it refuses, naming the MAC', async () => {
    const store = await anchoredVials([480, 300], [KEY, KEY]);
    (store.log.recordsOf(AUDIT_ANCHORS_STREAM)?.[1]?.payload.data as AuditAnchorRecordedData).eventCount = 9;

    const refused = await anchorNow(store, KEY, 'job-a3').catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(AnchorChainNotTrustedError);
    expect((refused as AnchorChainNotTrustedError).reasons).toContainEqual(
      expect.stringContaining('a2 (position 2): mac_mismatch'),
    );
    expect(await anchorIds(store)).toEqual(['a1', 'a2']);
  });

  it('given signed anchors written back over a record rewritten since the previous one, when the worker anchors, then it refuses: the record disagrees with the latest', async () => {
    const genuine = await anchoredVials([480, 300], [KEY, KEY]);
    const rewritten = await withAnchorsOf(genuine, [480, 250]);

    const refused = await anchorNow(rewritten, KEY, 'job-a3').catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(AnchorChainNotTrustedError);
    expect((refused as AnchorChainNotTrustedError).reasons).toEqual([
      expect.stringContaining('a2 (position 2): digest_mismatch'),
    ]);
    expect(await anchorIds(rewritten)).toEqual(['a1', 'a2']);
  });

  it('given signed anchors and an unsigned one after them, then verification fails on it, not merely counts it unsigned', async () => {
    const store = await anchoredVials([480, 300], [KEY, null]);

    const report = await verifyRecord(store, KEY);

    expect(report.anchorSigning.failures).toEqual([
      expect.objectContaining({ anchorId: 'a2', problem: 'unsigned_after_signed' }),
    ]);
  });

  it('given an anchor holding under the key and one signed with another key after it, then verification fails on it', async () => {
    const store = await anchoredVials([480, 300], [KEY, KEY]);
    // What someone holding an old (or their own) key writes in its place
    const a2 = store.log.recordsOf(AUDIT_ANCHORS_STREAM)?.[1]?.payload.data as AuditAnchorRecordedData;
    a2.mac = anchorMac(OTHER_KEY, a2);

    const report = await verifyRecord(store, KEY);

    expect(report.anchorSigning.failures).toEqual([
      expect.objectContaining({ anchorId: 'a2', problem: 'other_key_after_signed' }),
    ]);
  });

  it('given no key configured, then the worker keeps anchoring, unsigned, and verification says so without failing', async () => {
    const store = await anchoredVials([480, 300], [null, null]);

    const { anchor } = await anchorNow(store, null, 'job-a3');

    expect(anchor).toMatchObject({ anchorId: 'job-a3', mac: null, previous: { anchorId: 'a2' } });
    const report = await verifyRecord(store, null);
    expect(report.anchorSigning).toMatchObject({ keyConfigured: false, unsigned: 3, failures: [] });
    expect(integrityFindings(report)).toBe(0);
  });

  it('given unsigned anchors and a key set since, when the operator adopts the key, then the first signed anchor is recorded and verifies; the worker alone refuses', async () => {
    const store = await anchoredVials([480, 300], [null, null]);

    await expect(anchorNow(store, KEY, 'job-a3')).rejects.toThrow(AnchorChainNotTrustedError);
    const { anchor } = await anchorNow(store, KEY, 'cli-a4', true);

    expect(anchor.mac).not.toBeNull();
    const report = await verifyRecord(store, KEY);
    expect(report.anchorSigning).toMatchObject({ verified: 1, unsigned: 2, failures: [] });
    expect(report.anchors?.disagreements).toEqual([]);
    await anchorNow(store, KEY, 'job-a5');
    expect(await anchorIds(store)).toEqual(['a1', 'a2', 'cli-a4', 'job-a5']);
  });

  it('given a key already holding on an anchor, then adopting it does not excuse an unsigned latest anchor', async () => {
    const store = await anchoredVials([480, 300], [KEY, null]);

    await expect(anchorNow(store, KEY, 'cli-a3', true)).rejects.toThrow(AnchorChainNotTrustedError);
  });
});
