import { localMomentOf } from './business-clock';

describe('the business clock', () => {
  it('gives the wall-clock minute of an instant in the zone, across the change to summer time', () => {
    // Copenhagen leaves CET (UTC+1) for CEST (UTC+2) at 01:00 UTC on 28 March 2027.
    expect(localMomentOf(new Date('2027-03-28T00:59:59.999Z'), 'Europe/Copenhagen')).toEqual({
      date: '2027-03-28',
      time: '01:59',
    });
    expect(localMomentOf(new Date('2027-03-28T01:00:00.000Z'), 'Europe/Copenhagen')).toEqual({
      date: '2027-03-28',
      time: '03:00',
    });
  });

  it('gives every instant of one minute the same moment, and the next minute its own', () => {
    const zone = 'America/St_Johns'; // a half-hour offset: UTC-3:30 in winter
    expect(localMomentOf(new Date('2027-01-04T12:00:00.000Z'), zone)).toEqual({ date: '2027-01-04', time: '08:30' });
    expect(localMomentOf(new Date('2027-01-04T12:00:59.999Z'), zone)).toEqual({ date: '2027-01-04', time: '08:30' });
    expect(localMomentOf(new Date('2027-01-04T12:01:00.000Z'), zone)).toEqual({ date: '2027-01-04', time: '08:31' });
    expect(localMomentOf(new Date('2027-01-04T03:29:00.000Z'), zone)).toEqual({ date: '2027-01-03', time: '23:59' });
  });

  it('keeps zones apart', () => {
    const instant = new Date('2027-07-01T10:15:30.000Z');
    expect(localMomentOf(instant, 'Europe/Copenhagen')).toEqual({ date: '2027-07-01', time: '12:15' });
    expect(localMomentOf(instant, 'Asia/Tokyo')).toEqual({ date: '2027-07-01', time: '19:15' });
    expect(localMomentOf(instant, 'Europe/Copenhagen')).toEqual({ date: '2027-07-01', time: '12:15' });
  });
});
