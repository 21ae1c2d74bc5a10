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
