import { signatureBlockFor } from '@tracershop/auth';
import { deliveryDayStreamName } from '@tracershop/domain/ordering';
import { Position, type RecordedEvent } from '@tracershop/event-store';
import {
  activityReleaseContent,
  injectionReleaseContent,
  releaseCorrectionContent,
  signatureHolds,
  SIGNED_CONTENT_VERSION,
} from './signed-content';

const streamId = deliveryDayStreamName('ep-herlev', '2026-12-07');
const rita = { id: 'user-rita', printedName: 'Rita Releaser' };
const signedAt = new Date('2026-12-07T07:30:00.000Z');

function recorded(type: string, data: object, signature: RecordedEvent['metadata']['signature']): RecordedEvent {
  return {
    streamId,
    revision: 2n,
    position: Position.of(10n),
    type,
    data,
    metadata: {
      eventId: 'e-1',
      schemaVersion: 1,
      occurredAt: signedAt.toISOString(),
      recordedAt: signedAt.toISOString(),
      actor: { kind: 'user', id: rita.id, printedName: rita.printedName, role: 'releaser' },
      correlationId: 'c',
      causationId: 'c',
      prevHash: null,
      hash: 'h',
      ...(signature ? { signature } : {}),
    },
  };
}

const vialOne = {
  vialId: 'FDG-261207-1@2026-12-07T07:10:00',
  lot: 'FDG-261207-1',
  fillDate: '2026-12-07',
  fillTime: '07:10:00',
  activityMBq: 41_200,
  volumeMl: 9.5,
  dispenserNumber: 3,
  legacyValId: 900_001,
  extraRowLegacyOid: null,
};
const vialTwo = { ...vialOne, vialId: 'FDG-261207-2@2026-12-07T07:12:00', fillTime: '07:12:00', extraRowLegacyOid: 7 };

describe('what a release signs, rebuilt from its event', () => {
  const released = {
    releaseId: 'rel-1',
    slotId: 'slot-0800',
    tracerId: 'tracer-fdg',
    orderIds: ['o-1', 'o-2'],
    ghostId: null,
    vials: [vialOne, vialTwo],
  };
  const releaseSigned = { releaseId: 'rel-1', slotId: 'slot-0800', date: '2026-12-07', orderIds: ['o-1', 'o-2'] };
  const signedRelease = signatureBlockFor(
    rita,
    'release',
    streamId,
    // The vials as the api has them at signing: the vial's state, without the release's legacy rows.
    activityReleaseContent({
      ...releaseSigned,
      vials: [vialOne, vialTwo].map(({ extraRowLegacyOid: _legacyRow, ...vial }) => vial),
    }),
    signedAt,
    SIGNED_CONTENT_VERSION,
  );

  it('given the event as signed, then the signature holds', () => {
    expect(signedRelease.contentVersion).toBe(2);
    expect(signatureHolds(recorded('ActivityReleased', released, signedRelease))).toBe(true);
  });

  it('given a record that differs from what was signed, or another stream, then it does not', () => {
    expect(signatureHolds(recorded('ActivityReleased', { ...released, orderIds: ['o-1'] }, signedRelease))).toBe(false);
    const elsewhere = { ...recorded('ActivityReleased', released, signedRelease), streamId: `${streamId}x` };
    expect(signatureHolds(elsewhere)).toBe(false);
  });

  it.each([
    ['lot', { lot: 'FDG-261207-9' }],
    ['activity', { activityMBq: 41_201 }],
    ['volume', { volumeMl: 9.4 }],
    ['fill time', { fillTime: '07:11:00' }],
    ['dispenser number', { dispenserNumber: 4 }],
  ])('given a vial whose %s differs from what was signed, then the signature does not hold', (_, change) => {
    const changed = { ...released, vials: [{ ...vialOne, ...change }, vialTwo] };
    expect(signatureHolds(recorded('ActivityReleased', changed, signedRelease))).toBe(false);
  });

  it('given a signature of the first version (ids only, no contentVersion), then it still verifies as it was made', () => {
    const firstVersion = signatureBlockFor(
      rita,
      'release',
      streamId,
      activityReleaseContent({ ...releaseSigned, vials: [vialOne, vialTwo] }, 1),
      signedAt,
    );
    expect(firstVersion).not.toHaveProperty('contentVersion');
    expect(signatureHolds(recorded('ActivityReleased', released, firstVersion))).toBe(true);
    // Read as the second version it would not: the version decides what is rebuilt.
    expect(signatureHolds(recorded('ActivityReleased', released, { ...firstVersion, contentVersion: 2 }))).toBe(false);
  });

  it('given the second version, then the version is inside what is hashed, and a first-version injection signature still holds', () => {
    expect(activityReleaseContent({ ...releaseSigned, vials: [vialOne] })).toMatchObject({ contentVersion: 2 });
    const injectionEvent = { releaseId: 'rel-2', orderIds: ['i-1'], lot: 'FET-261207-1', maxInjectionVolumeMl: 10 };
    const injection = {
      releaseId: 'rel-2',
      date: '2026-12-07',
      orderIds: ['i-1'],
      lot: 'FET-261207-1',
      maxInjectionVolumeMl: 10,
    };
    const firstVersion = signatureBlockFor(rita, 'release', streamId, injectionReleaseContent(injection, 1), signedAt);
    expect(signatureHolds(recorded('InjectionOrdersReleased', injectionEvent, firstVersion))).toBe(true);
    // The same fields signed under version 1 are not the second version's record
    expect(
      signatureHolds(recorded('InjectionOrdersReleased', injectionEvent, { ...firstVersion, contentVersion: 2 })),
    ).toBe(false);
  });

  it('given a content version this code does not know, then the signature cannot be said to hold', () => {
    const future = { ...signedRelease, contentVersion: SIGNED_CONTENT_VERSION + 1 };
    expect(signatureHolds(recorded('ActivityReleased', released, future))).toBe(false);
  });

  it('given an injection release, then it is rebuilt as signed (lot normalised)', () => {
    const injection = signatureBlockFor(
      rita,
      'release',
      streamId,
      injectionReleaseContent({
        releaseId: 'rel-2',
        date: '2026-12-07',
        orderIds: ['i-1'],
        lot: 'FET:261207:1',
        maxInjectionVolumeMl: 10,
      }),
      signedAt,
      SIGNED_CONTENT_VERSION,
    );
    const injectionEvent = { releaseId: 'rel-2', orderIds: ['i-1'], lot: 'FET-261207-1', maxInjectionVolumeMl: 10 };
    expect(signatureHolds(recorded('InjectionOrdersReleased', injectionEvent, injection))).toBe(true);
    expect(
      signatureHolds(recorded('InjectionOrdersReleased', { ...injectionEvent, maxInjectionVolumeMl: 12 }, injection)),
    ).toBe(false);
  });

  describe('a correction', () => {
    const corrected = {
      releaseId: 'rel-1',
      orderIds: ['o-1', 'o-2'],
      reason: 'Wrong vial',
      old: { status: 'released', vials: [vialOne, vialTwo], lot: 'FDG-261207-1' },
      new: { status: 'accepted', vials: [], lot: null },
    };
    const signedCorrection = signatureBlockFor(
      rita,
      'correct',
      streamId,
      releaseCorrectionContent({
        releaseId: 'rel-1',
        reason: ' Wrong vial ',
        withdrawn: { orderIds: ['o-1', 'o-2'], lot: 'FDG-261207-1', vials: [vialOne, vialTwo] },
      }),
      signedAt,
      SIGNED_CONTENT_VERSION,
    );

    it('given the correction as signed (reason trimmed), then the signature holds', () => {
      expect(signatureHolds(recorded('ReleasedOrderCorrected', corrected, signedCorrection))).toBe(true);
    });

    it('given it withdraws another release than the one signed, then the signature does not hold', () => {
      const otherVials = { ...corrected, old: { ...corrected.old, vials: [vialOne] } };
      expect(signatureHolds(recorded('ReleasedOrderCorrected', otherVials, signedCorrection))).toBe(false);
      const otherOrders = { ...corrected, orderIds: ['o-1'] };
      expect(signatureHolds(recorded('ReleasedOrderCorrected', otherOrders, signedCorrection))).toBe(false);
    });

    it('given a first-version correction signature (release and reason only), then it still verifies', () => {
      const firstVersion = signatureBlockFor(
        rita,
        'correct',
        streamId,
        releaseCorrectionContent(
          { releaseId: 'rel-1', reason: 'Wrong vial', withdrawn: { orderIds: [], lot: null, vials: [] } },
          1,
        ),
        signedAt,
      );
      expect(signatureHolds(recorded('ReleasedOrderCorrected', corrected, firstVersion))).toBe(true);
    });
  });

  it('given an event without a signature, then there is nothing to verify', () => {
    expect(signatureHolds(recorded('OrderAccepted', { orderId: 'o-1' }, undefined))).toBeNull();
  });
});
