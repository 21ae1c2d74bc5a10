import { legacyPhone } from './legacy-projection';
import { deliveryDateTime, localDateTime, requireTimeZone } from './legacy-time';

describe('legacy local times', () => {
  it('turns UTC instants into naive local time in the configured zone, to the second', () => {
    expect(localDateTime('2026-03-02T06:30:15.900Z', 'Europe/Copenhagen')).toBe('2026-03-02 07:30:15');
    expect(localDateTime('2026-07-01T22:00:00.000Z', 'Europe/Copenhagen')).toBe('2026-07-02 00:00:00');
    expect(localDateTime('2026-07-01T22:00:00.000Z', 'UTC')).toBe('2026-07-01 22:00:00');
    // The repeated October hour: two instants, one local text (the event keeps the instant).
    expect(localDateTime('2026-10-25T00:30:00.000Z', 'Europe/Copenhagen')).toBe('2026-10-25 02:30:00');
    expect(localDateTime('2026-10-25T01:30:00.000Z', 'Europe/Copenhagen')).toBe('2026-10-25 02:30:00');
  });

  it("gives the zone rules' local time for every instant, across changes of offset and odd offsets", () => {
    const expected = (instant: Date, timeZone: string) => {
      const parts = new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      }).formatToParts(instant);
      const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value;
      return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
    };
    const windows: [string, string][] = [
      ['Europe/Copenhagen', '2026-03-29T00:00:00.000Z'],
      ['Europe/Copenhagen', '2026-10-25T00:00:00.000Z'],
      ['America/St_Johns', '2026-03-08T04:00:00.000Z'],
      ['Australia/Lord_Howe', '2026-04-04T14:00:00.000Z'],
      ['Asia/Kathmandu', '1985-12-31T17:00:00.000Z'],
      ['Pacific/Apia', '2011-12-30T09:00:00.000Z'],
      ['Africa/Monrovia', '1972-01-06T23:00:00.000Z'],
      ['UTC', '2026-01-01T00:00:00.000Z'],
    ];
    const mismatches: string[] = [];
    for (const [timeZone, from] of windows) {
      const start = Date.parse(from);
      // Every 37.3 s for four hours around the change: all seconds' phases, both sides of it.
      for (let ms = start - 7_200_000; ms < start + 7_200_000; ms += 37_300) {
        const instant = new Date(ms);
        const local = localDateTime(instant.toISOString(), timeZone);
        if (local !== expected(instant, timeZone)) mismatches.push(`${timeZone} ${instant.toISOString()} ${local}`);
      }
    }
    expect(mismatches).toEqual([]);
    for (const instant of ['0999-06-01T12:00:00.000Z', '9999-12-31T23:59:59.000Z', '+275760-09-13T00:00:00.000Z']) {
      expect(localDateTime(instant, 'Europe/Copenhagen')).toBe(expected(new Date(instant), 'Europe/Copenhagen'));
    }
    expect(() => localDateTime('not a time', 'UTC')).toThrow(/is not an instant/);
  });

  it('joins a delivery date and a slot time without converting them', () => {
    expect(deliveryDateTime('2026-03-29', '02:30')).toBe('2026-03-29 02:30:00');
  });

  it('refuses an unknown time zone', () => {
    expect(() => requireTimeZone('Europe/Atlantis')).toThrow(/not an IANA time zone/);
  });
});

describe('legacy phone numbers', () => {
  it('keeps the digits that fit Users.tlf (INT), without the Danish country code', () => {
    expect(legacyPhone('+45 38 68 00 00')).toBe(38680000);
    expect(legacyPhone('0045 3868 0000')).toBe(38680000);
    expect(legacyPhone('(038) 68-00-00')).toBe(38680000);
    expect(legacyPhone('+46 40 33 10 00')).toBeNull();
    expect(legacyPhone(null)).toBeNull();
  });
});
