import type { RecordedEvent } from '@tracershop/event-store';
import { businessTimeOf } from './business-time';

const eventAt = (occurredAt: string | undefined, recordedAt = '2026-11-20T07:30:01.000Z') =>
  ({ type: 'Tested', position: '7', metadata: { occurredAt, recordedAt } }) as unknown as RecordedEvent;

describe('businessTimeOf: the business time as a UTC DATETIME(3) literal', () => {
  it('given a plain UTC instant, then its text is the literal', () => {
    expect(businessTimeOf(eventAt('2026-12-09T06:15:00.250Z'))).toBe('2026-12-09 06:15:00.250');
  });

  it('given an instant with an offset or on a late day of the month, then it is parsed as any instant', () => {
    expect(businessTimeOf(eventAt('2026-12-09T07:15:00+01:00'))).toBe('2026-12-09 06:15:00.000');
    expect(businessTimeOf(eventAt('2026-01-31T23:59:59.999Z'))).toBe('2026-01-31 23:59:59.999');
  });

  it('given no occurredAt, then recordedAt', () => {
    expect(businessTimeOf(eventAt(undefined))).toBe('2026-11-20 07:30:01.000');
  });

  it('given a day the month lacks, then it reads as Date always read it (the shortcut changes nothing)', () => {
    expect(businessTimeOf(eventAt('2026-02-30T07:00:00.000Z'))).toBe('2026-03-02 07:00:00.000');
  });

  it('given no instant at all, then it refuses', () => {
    expect(() => businessTimeOf(eventAt('yesterday'))).toThrow('Tested at 7: bad occurredAt yesterday');
  });
});
