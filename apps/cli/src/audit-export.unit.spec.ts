import { Position, type RecordedEvent } from '@tracershop/event-store';
import { changedFieldLines } from './audit-export';

const recorded = (revision: number, type: string, data: unknown, reason?: string): RecordedEvent => ({
  streamId: 'ordering.vial-v1',
  revision: BigInt(revision),
  position: Position.of(BigInt(100 + revision)),
  type,
  data,
  metadata: {
    eventId: `event-${revision}`,
    schemaVersion: 1,
    occurredAt: '2026-12-07T07:10:00.000Z',
    recordedAt: `2026-12-07T07:1${revision}:00.000Z`,
    actor: { kind: 'user', id: 'user-per', printedName: 'Per Produktion', role: 'production' },
    ...(reason !== undefined ? { reason } : {}),
    correlationId: 'c',
    causationId: 'c',
    prevHash: null,
    hash: 'h',
  },
});

describe('the printed copy flags what changed since it was first recorded (Annex 11 §8.2)', () => {
  it('given a stream never changed, then it prints no such section', () => {
    expect(changedFieldLines([recorded(0, 'VialDispensed', { vialId: 'v1', volumeMl: 4.2 })])).toEqual([]);
  });

  it('given a corrected vial, then the field, its first and current value and each change with its reason are printed', () => {
    const lines = changedFieldLines([
      recorded(0, 'VialDispensed', { vialId: 'v1', volumeMl: 4.2 }),
      recorded(1, 'VialCorrected', { vialId: 'v1', changes: { volumeMl: { from: 4.2, to: 4.5 } }, reason: 'Misread' }),
    ]);
    expect(lines.map((line) => line.text)).toEqual([
      'Changed since first recorded',
      'vial:v1 volumeMl: first 4.2, now 4.5',
      '#1 VialCorrected by Per Produktion at 2026-12-07T07:11:00.000Z: 4.2 -> 4.5; reason: Misread',
    ]);
  });
});
