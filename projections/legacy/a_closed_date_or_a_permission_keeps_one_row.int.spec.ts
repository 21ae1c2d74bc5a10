import { catalogue, customerId, herlevPet } from './test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from './test-support/legacy-test-bed';

/**
 * Regression (review legacy-projection, finding 3): a date the old system closed again beside
 * Tracershop's row (or a tracer it granted again) kept its own row when Tracershop reopened the date
 * (revoked the tracer), so the old system still held the date closed (the customer could still order).
 * One row per closed date and per permission; a reopening or revoke leaves none that blocks, as the
 * old system's own `DELETE … WHERE ddate LIKE` does.
 */
describe('legacy.tracershop: one blockDeliverDate row per closed date, one TracerCustomer row per permission', () => {
  let bed: LegacyTestBed;
  const christmasEve = '2026-12-24';
  const closedRows = () => bed.positional('blockDeliverDate', 'BDID');
  /** FET (Tracers.id 8) for Herlev (Users.Id 42): ID of each row. */
  const fetRows = async () =>
    (await bed.rows('SELECT ID FROM TracerCustomer WHERE tracer_id = 8 AND customer_id = 42 ORDER BY ID')).map(
      (row) => row.ID,
    );
  const fromTheOldSystem = (table: string, primaryKey: number) =>
    ({ table, primaryKey: String(primaryKey), operation: 'insert' }) as const;

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_one_row');
    await bed.given(...catalogue);
  });

  afterAll(async () => {
    await bed.close();
  });

  it('given a date closed again in the old system after Tracershop reopened it, when Tracershop reopens it, then no row is left', async () => {
    await bed.given({ type: 'DateClosed', data: { date: christmasEve, reason: 'Service', legacyId: 2000 } });
    await bed.given({ type: 'DateReopened', data: { date: christmasEve, reason: 'Service moved' } });
    // The old system closes it again: its row 2001, which the date takes over (the sync's close names it)
    await bed.reader.query('INSERT INTO blockDeliverDate (BDID, ddate) VALUES (2001, ?)', [christmasEve]);
    await bed.givenFromTheOldSystem(fromTheOldSystem('blockDeliverDate', 2001), {
      type: 'DateClosed',
      data: { date: christmasEve, reason: 'Closed in the old system', legacyId: 2001 },
    });
    expect(await closedRows()).toEqual([[2001, christmasEve]]);

    await bed.given({ type: 'DateReopened', data: { date: christmasEve, reason: 'Open after all' } });
    expect(await closedRows()).toEqual([]);
  });

  it('given a second row the old system wrote for a date Tracershop holds closed, when Tracershop reopens it, then neither is left', async () => {
    await bed.given({ type: 'DateClosed', data: { date: christmasEve, reason: 'Service', legacyId: 2000 } });
    // The sync refuses the old system's second close (the date is closed); its row stays until now
    await bed.reader.query('INSERT INTO blockDeliverDate (BDID, ddate) VALUES (2003, ?)', [christmasEve]);

    await bed.given({ type: 'DateReopened', data: { date: christmasEve, reason: 'Open after all' } });
    expect(await closedRows()).toEqual([]);

    // And a close writes the date's one row, whatever the old system left
    await bed.reader.query('INSERT INTO blockDeliverDate (BDID, ddate) VALUES (2005, ?)', [christmasEve]);
    await bed.given({ type: 'DateClosed', data: { date: christmasEve, reason: 'Service', legacyId: 2000 } });
    expect(await closedRows()).toEqual([[2000, christmasEve]]);
  });

  it('given a tracer granted again in the old system after Tracershop revoked it, when Tracershop revokes it, then no row lets the customer order it', async () => {
    const pair = { endpointId: herlevPet.data.endpointId, tracerId: 'tracer-fet' };
    expect(await fetRows()).toEqual([52]);
    await bed.given({ type: 'TracerPermissionRevoked', data: { ...pair, reason: 'Study ended' } });
    await bed.reader.query('INSERT INTO TracerCustomer (tracer_id, customer_id, ID) VALUES (8, 42, 53)');
    await bed.givenFromTheOldSystem(fromTheOldSystem('TracerCustomer', 53), {
      type: 'TracerPermissionGranted',
      data: { ...pair, overheadPercent: null, maxInjections: null, legacyId: 53 },
    });
    expect(await fetRows()).toEqual([53]);

    // A second row the old system wrote for the pair while it is granted (the sync refuses that grant)
    await bed.reader.query('INSERT INTO TracerCustomer (tracer_id, customer_id, ID) VALUES (8, 42, 55)');
    await bed.given({ type: 'TracerPermissionRevoked', data: { ...pair, reason: 'Study ended again' } });
    expect(await fetRows()).toEqual([]);
  });

  it("given the customer's other endpoint holds the tracer too, when one endpoint's permission is revoked, then the other's row stays", async () => {
    const nuc = { endpointId: 'ep-herlev-nuc', tracerId: 'tracer-fet' };
    await bed.given(
      {
        type: 'DeliveryEndpointRegistered',
        data: { ...herlevPet.data, endpointId: nuc.endpointId, customerId, name: 'NUK' },
      },
      {
        type: 'TracerPermissionGranted',
        data: { ...nuc, overheadPercent: null, maxInjections: null, legacyId: 56 },
      },
      {
        type: 'TracerPermissionGranted',
        data: {
          endpointId: herlevPet.data.endpointId,
          tracerId: 'tracer-fet',
          overheadPercent: null,
          maxInjections: null,
          legacyId: 53,
        },
      },
    );
    expect(await fetRows()).toEqual([53, 56]);

    await bed.given({
      type: 'TracerPermissionRevoked',
      data: { endpointId: herlevPet.data.endpointId, tracerId: 'tracer-fet', reason: 'PET stops FET' },
    });
    expect(await fetRows()).toEqual([56]);
  });
});
