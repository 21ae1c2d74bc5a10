import { parseTopic } from './topics';

describe('parseTopic', () => {
  it.each([
    ['production-day:2026-03-02', { kind: 'production-day', date: '2026-03-02' }],
    ['production-day:2028-02-29', { kind: 'production-day', date: '2028-02-29' }],
    ['customer:cust-herlev', { kind: 'customer', customerId: 'cust-herlev' }],
    ['order-session:table-7', { kind: 'order-session', sessionId: 'table-7' }],
    ['job:sim.42', { kind: 'job', jobId: 'sim.42' }],
    ['projection-status', { kind: 'projection-status' }],
    ['incidents', { kind: 'incidents' }],
  ])('%s', (topic, parsed) => {
    expect(parseTopic(topic)).toEqual({ ok: true, parsed: { ...parsed, topic } });
  });

  it.each([
    ['weather:today'],
    ['production-day:2026-02-30'],
    ['production-day:2027-02-29'],
    ['production-day:26-03-02'],
    ['production-day:'],
    ['customer:'],
    ['customer:has space'],
    ['customer:-leading-dash'],
    [`job:${'x'.repeat(200)}`],
    ['projection-status:extra'],
    ['incidents:open'],
    [''],
    [42],
    [null],
  ])('refuses %p as UNKNOWN_TOPIC, saying why', (topic) => {
    const result = parseTopic(topic);
    expect(result).toMatchObject({ ok: false, code: 'UNKNOWN_TOPIC' });
    expect(result.ok ? '' : result.message).not.toBe('');
  });
});
