import {
  afterKey,
  decodeCursor,
  encodeCursor,
  InvalidReadQueryError,
  requirePageSize,
  type SortKey,
} from './keyset-paging';

interface Slot {
  id: string;
  weekday: number;
  deliveryTime: string;
}

const slotOrder: SortKey<Slot>[] = [
  { column: 'weekday', type: 'number', valueOf: (slot) => slot.weekday },
  { column: 'delivery_time', type: 'string', valueOf: (slot) => slot.deliveryTime },
  { column: 'id', type: 'string', valueOf: (slot) => slot.id },
];

describe('keyset paging', () => {
  it('a cursor carries the last item’s sort key and only its own list reads it', () => {
    const cursor = encodeCursor('slots', slotOrder, { id: 'slot-1', weekday: 1, deliveryTime: '08:00' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('slots', slotOrder, cursor)).toEqual([1, '08:00', 'slot-1']);
    expect(() => decodeCursor('runs', slotOrder, cursor)).toThrow(InvalidReadQueryError);
  });

  it.each([
    ['not base64 JSON', 'not a cursor'],
    ['the wrong number of values', Buffer.from(JSON.stringify(['slots', [1, '08:00']])).toString('base64url')],
    ['a value of the wrong type', Buffer.from(JSON.stringify(['slots', ['1', '08:00', 'x']])).toString('base64url')],
    ['no list name', Buffer.from(JSON.stringify([[1, '08:00', 'x']])).toString('base64url')],
  ])('refuses a cursor with %s', (_, cursor) => {
    expect(() => decodeCursor('slots', slotOrder, cursor)).toThrow(
      expect.objectContaining({ code: 'INVALID_READ_QUERY', details: { field: 'cursor', value: cursor } }),
    );
  });

  it('continues strictly after the key, led by a range on the first column', () => {
    expect(afterKey(slotOrder, [1, '08:00', 'slot-1'])).toEqual({
      sql: 'weekday >= ? AND (weekday > ? OR (weekday = ? AND (delivery_time > ? OR (delivery_time = ? AND id > ?))))',
      params: [1, 1, 1, '08:00', '08:00', 'slot-1'],
    });
    expect(afterKey(slotOrder.slice(2), ['slot-1'])).toEqual({
      sql: 'id >= ? AND id > ?',
      params: ['slot-1', 'slot-1'],
    });
  });

  it('pages hold 1 to 500 items', () => {
    expect(requirePageSize(1)).toBe(1);
    expect(requirePageSize(500)).toBe(500);
    for (const limit of [0, 501, 1.5, '10', undefined])
      expect(() => requirePageSize(limit)).toThrow(InvalidReadQueryError);
  });
});
