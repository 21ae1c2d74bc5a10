import pino from 'pino';
import { CommandPipeline } from '@tracershop/command-pipeline';
import { loadConfiguration } from '@tracershop/config';
import { BUSINESS_CALENDAR_STREAM } from '@tracershop/domain/legacy';
import { MemoryEventStore } from '@tracershop/event-store';
import { BusinessDateRecorder } from './business-date-recorder';

describe('the worker records each business date as it begins', () => {
  const config = loadConfiguration({ BUSINESS_TIME_ZONE: 'Europe/Copenhagen' });
  const recorded = async (store: MemoryEventStore) =>
    (await store.readStream(BUSINESS_CALENDAR_STREAM)).map((event) => [
      event.type,
      event.data,
      event.metadata.actor.id,
    ]);

  it('given the clock past midnight in Copenhagen, then that date is recorded once, also by a second worker', async () => {
    const store = new MemoryEventStore();
    const pipeline = new CommandPipeline({ store });
    const worker = new BusinessDateRecorder(config, pipeline, pino({ level: 'silent' }));
    const other = new BusinessDateRecorder(config, pipeline, pino({ level: 'silent' }));

    // 23:30 UTC on 31 March is 01:30 on 1 April in Copenhagen (summer time)
    expect(await worker.recordDateOf(new Date('2026-03-31T23:30:00Z'))).toBe('2026-04-01');
    await worker.recordDateOf(new Date('2026-03-31T23:31:00Z'));
    await other.recordDateOf(new Date('2026-03-31T23:32:00Z'));

    expect(await recorded(store)).toEqual([['BusinessDateBegan', { date: '2026-04-01' }, 'worker']]);
  });

  it('given the next day, then it is recorded too', async () => {
    const store = new MemoryEventStore();
    const worker = new BusinessDateRecorder(config, new CommandPipeline({ store }), pino({ level: 'silent' }));
    await worker.recordDateOf(new Date('2026-04-01T12:00:00Z'));
    await worker.recordDateOf(new Date('2026-04-01T22:00:00Z'));

    expect((await recorded(store)).map(([, data]) => data)).toEqual([{ date: '2026-04-01' }, { date: '2026-04-02' }]);
  });
});
