import { COUNTED } from './counting-projection';
import type { ProjectionTestBed } from './projection-test-bed';

/** What a from-scratch fold of the store gives: per stream, the number and sum of `Counted` events. */
export async function expectedTotals(bed: ProjectionTestBed): Promise<Map<string, { events: number; amount: number }>> {
  const totals = new Map<string, { events: number; amount: number }>();
  for (const event of await bed.store.readAll()) {
    if (event.type !== COUNTED) continue;
    const total = totals.get(event.streamId) ?? { events: 0, amount: 0 };
    total.events += 1;
    total.amount += (event.data as { amount: number }).amount;
    totals.set(event.streamId, total);
  }
  return totals;
}

/** The counting projection's tables and checkpoint hold every `Counted` event once, and nothing else. */
export async function expectEveryEventCountedOnce(bed: ProjectionTestBed, name = 'counting'): Promise<void> {
  const expected = await expectedTotals(bed);
  const counted = [...expected.values()].reduce((sum, total) => sum + total.events, 0);
  const rows = await bed.rows('SELECT stream_id, events, amount FROM stream_totals');
  const actual = new Map(
    rows.map((row) => [row.stream_id, { events: Number(row.events), amount: Number(row.amount) }]),
  );
  expect(actual).toEqual(expected);
  const [{ n }] = await bed.rows('SELECT COUNT(*) AS n FROM counted_events');
  expect(Number(n)).toBe(counted);
  const [checkpoint] = await bed.rows(
    "SELECT events_applied, status FROM projection_checkpoints WHERE name = ? AND slot = 'live'",
    [name],
  );
  expect(Number(checkpoint.events_applied)).toBe(counted);
  expect(checkpoint.status).not.toBe('failed');
}
