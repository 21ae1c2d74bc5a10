import { signatureBlockFor } from '@tracershop/auth';
import { deliveryDayStreamName } from '@tracershop/domain/ordering';
import { Position, type RecordedEvent } from '@tracershop/event-store';
import {
  activityReleaseContent,
  injectionReleaseContent,
  releaseCorrectionContent,
  signatureHolds,
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

describe('what a release signs, rebuilt from its event', () => {
  const released = {
    releaseId: 'rel-1',
    slotId: 'slot-0800',
    tracerId: 'tracer-fdg',
    orderIds: ['o-1', 'o-2'],
    ghostId: null,
    vials: [{ vialId: 'FDG-261207-1@2026-12-07T07:10:00' }, { vialId: 'FDG-261207-2@2026-12-07T07:12:00' }],
  };
  const signedRelease = signatureBlockFor(
    rita,
    'release',
    streamId,
    activityReleaseContent({
      releaseId: 'rel-1',
      slotId: 'slot-0800',
      date: '2026-12-07',
      orderIds: ['o-1', 'o-2'],
      vialIds: released.vials.map((vial) => vial.vialId),
    }),
    signedAt,
  );

  it('given the event as signed, then the signature holds', () => {
    expect(signatureHolds(recorded('ActivityReleased', released, signedRelease))).toBe(true);
  });

  it('given a record that differs from what was signed, or another stream, then it does not', () => {
    expect(signatureHolds(recorded('ActivityReleased', { ...released, orderIds: ['o-1'] }, signedRelease))).toBe(false);
    const elsewhere = { ...recorded('ActivityReleased', released, signedRelease), streamId: `${streamId}x` };
    expect(signatureHolds(elsewhere)).toBe(false);
  });

  it('given an injection release or a correction, then they are rebuilt as signed (lot normalised, reason trimmed)', () => {
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
    );
    const injectionEvent = { releaseId: 'rel-2', orderIds: ['i-1'], lot: 'FET-261207-1', maxInjectionVolumeMl: 10 };
    expect(signatureHolds(recorded('InjectionOrdersReleased', injectionEvent, injection))).toBe(true);
    const correction = signatureBlockFor(
      rita,
      'correct',
      streamId,
      releaseCorrectionContent({ releaseId: 'rel-1', reason: ' Wrong vial ' }),
      signedAt,
    );
    expect(
      signatureHolds(recorded('ReleasedOrderCorrected', { releaseId: 'rel-1', reason: 'Wrong vial' }, correction)),
    ).toBe(true);
  });

  it('given an event without a signature, then there is nothing to verify', () => {
    expect(signatureHolds(recorded('OrderAccepted', { orderId: 'o-1' }, undefined))).toBeNull();
  });
});
