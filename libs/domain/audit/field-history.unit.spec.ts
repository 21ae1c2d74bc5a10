import type { ReviewedEvent } from './audit-trail-review';
import { fieldHistory } from './field-history';

const per = { kind: 'user', id: 'user-per', printedName: 'Per Produktion' };
const rita = { kind: 'user', id: 'user-rita', printedName: 'Rita Releaser' };

const event = (revision: number, type: string, data: unknown, actor = per): ReviewedEvent => ({
  eventId: `event-${revision}`,
  revision,
  type,
  data,
  occurredAt: `2026-12-07T07:0${revision}:00.000Z`,
  recordedAt: `2026-12-07T07:0${revision}:00.000Z`,
  actor,
});

describe('changed-since-original flags', () => {
  it('given a record never edited, then no field is flagged', () => {
    expect(
      fieldHistory([
        event(0, 'OrderPlaced', { order: { orderId: 'o1', activityMBq: 1000 } }),
        event(1, 'OrderAccepted', { orderId: 'o1' }),
      ]),
    ).toEqual([]);
  });

  it('given an order edited twice, then its field shows the original, the current value and both changes', () => {
    const history = fieldHistory([
      event(0, 'OrderPlaced', { order: { orderId: 'o1', activityMBq: 1000 } }),
      event(1, 'OrderActivityChanged', { orderId: 'o1', activityMBq: { from: 1000, to: 1200 } }),
      event(2, 'OrderActivityChanged', {
        orderId: 'o1',
        activityMBq: { from: 1200, to: 1100 },
        comment: { from: null, to: 'Ekstra patient' },
      }),
    ]);
    expect(history).toEqual([
      {
        entity: 'order:o1',
        field: 'activityMBq',
        original: 1000,
        current: 1100,
        differs: true,
        changes: [
          {
            revision: 1,
            eventId: 'event-1',
            type: 'OrderActivityChanged',
            at: '2026-12-07T07:01:00.000Z',
            by: 'Per Produktion',
            reason: null,
            from: 1000,
            to: 1200,
          },
          expect.objectContaining({ revision: 2, from: 1200, to: 1100 }),
        ],
      },
      expect.objectContaining({ entity: 'order:o1', field: 'comment', original: null, current: 'Ekstra patient' }),
    ]);
  });

  it('given a change changed back, then the field is listed but no longer differs', () => {
    const [history] = fieldHistory([
      event(0, 'VialCorrected', { vialId: 'v1', changes: { volumeMl: { from: 4.2, to: 4.5 } }, reason: 'Misread' }),
      event(1, 'VialCorrected', { vialId: 'v1', changes: { volumeMl: { from: 4.5, to: 4.2 } }, reason: 'Was right' }),
    ]);
    expect(history).toMatchObject({
      entity: 'vial:v1',
      field: 'volumeMl',
      original: 4.2,
      current: 4.2,
      differs: false,
    });
    expect(history.changes.map((change) => change.reason)).toEqual(['Misread', 'Was right']);
  });

  it('given a corrected release, then its status, vials and lot show what they were and what they are', () => {
    const vials = [{ vialId: 'v1', lot: 'FDG-261207-1', activityMBq: 1300 }];
    const history = fieldHistory([
      event(
        3,
        'ReleasedOrderCorrected',
        {
          releaseId: 'r1',
          orderIds: ['o1'],
          reason: 'Wrong vial recorded',
          old: { status: 'released', vials, lot: null },
          new: { status: 'accepted', vials: [], lot: null },
        },
        rita,
      ),
    ]);
    expect(
      history.map(({ entity, field, original, current, differs }) => [entity, field, original, current, differs]),
    ).toEqual([
      ['release:r1', 'status', 'released', 'accepted', true],
      ['release:r1', 'vials', vials, [], true],
      ['release:r1', 'lot', null, null, false],
    ]);
    expect(history[0].changes[0]).toMatchObject({ by: 'Rita Releaser', reason: 'Wrong vial recorded' });
  });

  it('given an order moved and restored, then its slot is flagged as changed and changed back', () => {
    const early = { slotId: 'slot-0800', deliveryTime: '08:00' };
    const late = { slotId: 'slot-1030', deliveryTime: '10:30' };
    const [history] = fieldHistory([
      event(1, 'OrderMovedToSlot', { orderId: 'o1', from: late, to: early, reason: 'Samlet kørsel', decayFactor: 3.1 }),
      event(2, 'OrderRestoredToSlot', { orderId: 'o1', from: early, to: late, reason: 'Kørsel aflyst' }),
    ]);
    expect(history).toMatchObject({ entity: 'order:o1', field: 'slot', original: late, current: late, differs: false });
    expect(history.changes.map((change) => change.reason)).toEqual(['Samlet kørsel', 'Kørsel aflyst']);
  });

  it('given catalogue edits, then the fields belong to the record itself', () => {
    const history = fieldHistory([
      event(0, 'CustomerDetailsChanged', { customerId: 'c1', changes: { name: { from: 'Herlev', to: 'Herlev PET' } } }),
    ]);
    expect(history).toMatchObject([{ entity: 'record', field: 'name', original: 'Herlev', current: 'Herlev PET' }]);
  });
});
