import type { VialCorrected, VialRestored, VialVoided } from '@tracershop/domain/ordering';
import {
  catalogue,
  dayCommand,
  peter,
  placeFet,
  staff,
  states,
  tOrdersRow,
  vialDispensed,
} from './test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from './test-support/legacy-test-bed';

describe('legacy t_orders and VAL rows', () => {
  let bed: LegacyTestBed;
  const tOrders = () => bed.positional('t_orders', 'OID');

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_injections');
    await bed.given(...catalogue, ...staff);
  });

  afterAll(async () => {
    await bed.close();
  });

  it('follows an injection order from placement to release and its correction', async () => {
    await bed.decideDay(placeFet('inj-1', 2002, '11:15', 4));
    const placed = {
      OID: 2002,
      order_time: '2026-02-27 09:00:00',
      deliver_datetime: '2026-03-02 11:15:00',
      status: 1,
      n_injections: 4,
    };
    expect(await tOrders()).toEqual([tOrdersRow(placed)]);
    expect(await bed.positional('orders', 'OID')).toEqual([]);

    await bed.decideDay({
      type: 'ChangeInjectionOrder',
      ...dayCommand,
      at: '2026-02-27T09:00:00.000Z',
      now: { date: '2026-02-27', time: '10:00' },
      deadline: { kind: 'daily', time: '13:00' },
      orderId: 'inj-1',
      changes: { injections: 5, usage: 'animal', deliveryTime: '12:00', comment: 'Mus' },
      actingAs: 'shop',
      maxInjections: 6,
      deadlineOverrideReason: null,
    });
    const changed = {
      ...placed,
      order_time: '2026-02-27 10:00:00',
      deliver_datetime: '2026-03-02 12:00:00',
      n_injections: 5,
      anvendelse: 'Dyr',
      comment: 'Mus',
    };
    expect(await tOrders()).toEqual([tOrdersRow(changed)]);

    await bed.decideDay({ type: 'AcceptOrder', ...dayCommand, orderId: 'inj-1' });
    const accepted = { ...changed, order_time: '2026-03-02 07:00:00', status: 2 };
    expect(await tOrders()).toEqual([tOrdersRow(accepted)]);

    await bed.decideDay({
      type: 'ReleaseInjectionOrders',
      ...dayCommand,
      at: '2026-03-02T10:15:30.000Z',
      releaseId: 'release-fet',
      orderIds: ['inj-1'],
      lot: 'FET-260302-1',
      releasedBy: peter,
      signatureMeaning: 'release',
      releaseRightTracerIds: ['tracer-fet'],
      refs: { tracer: states.fet },
    });
    expect(await tOrders()).toEqual([
      tOrdersRow({
        ...accepted,
        order_time: '2026-03-02 11:15:30',
        status: 3,
        batchnr: 'FET-260302-1',
        frigivet_af: 17,
        frigivet_datetime: '2026-03-02 11:15:30',
      }),
    ]);

    await bed.decideDay({
      type: 'CorrectRelease',
      ...dayCommand,
      at: '2026-03-02T10:20:00.000Z',
      releaseId: 'release-fet',
      reason: 'Wrong lot typed',
      signatureMeaning: 'correct',
    });
    expect(await tOrders()).toEqual([tOrdersRow({ ...accepted, order_time: '2026-03-02 11:20:00' })]);
  });

  it('marks rejected orders with status 4', async () => {
    await bed.decideDay(placeFet('inj-2', 2004, '13:00', 2));
    await bed.decideDay({
      type: 'RejectOrder',
      ...dayCommand,
      orderId: 'inj-2',
      reason: 'No FET',
      ghostLegacyOid: 9100,
    });
    expect((await tOrders())[1]).toEqual(
      tOrdersRow({
        OID: 2004,
        order_time: '2026-03-02 07:00:00',
        deliver_datetime: '2026-03-02 13:00:00',
        status: 4,
        n_injections: 2,
      }),
    );
  });

  it('stores text the latin1 columns cannot hold as ? instead of stopping', async () => {
    await bed.decideDay({ ...placeFet('inj-3', 2006, '14:00', 1), comment: 'Zażółć 😀' });
    expect(await bed.rows('SELECT comment FROM t_orders WHERE OID = 2006')).toEqual([{ comment: 'Za?ó?? ?' }]);
  });

  it('writes a VAL row per dispensed vial, and corrections to it', async () => {
    const vial = vialDispensed('FDG-260302-1', '07:12:40', 5002, 2500.4, 5.2);
    await bed.given(vial);
    const row = [
      '2',
      'FDG-260302-1',
      3,
      '2026-03-02',
      '07:12:40',
      '5.20',
      '21.40',
      '16.10',
      '5.30',
      '18F',
      5002,
      '2500.40',
    ];
    expect(await bed.positional('VAL', 'ID')).toEqual([row]);

    const corrected: VialCorrected = {
      type: 'VialCorrected',
      data: {
        vialId: vial.data.vialId,
        changes: { volumeMl: { from: 5.2, to: 5.25 }, dispenserNumber: { from: 2, to: 99 } },
        reason: 'Typing error',
      },
    };
    await bed.given(corrected);
    expect(await bed.positional('VAL', 'ID')).toEqual([['99', ...row.slice(1, 5), '5.25', ...row.slice(6)]]);
  });

  it('removes the VAL row of a voided vial, so the old system neither labels nor releases it, and writes it again once restored', async () => {
    const kept = vialDispensed('FDG-260302-7', '07:14:10', 5006, 2500.4, 5.2);
    const mistyped = vialDispensed('FDG-260302-9', '07:15:00', 5008, 1800, 4.1);
    await bed.given(kept, mistyped);
    const rowOf = async (id: number) => bed.rows('SELECT ID, charge FROM VAL WHERE ID = ?', [id]);
    expect(await rowOf(5008)).toEqual([{ ID: 5008, charge: 'FDG-260302-9' }]);

    const voided: VialVoided = { type: 'VialVoided', data: { vialId: mistyped.data.vialId, reason: 'Lot mistyped' } };
    await bed.given(voided);

    expect(await rowOf(5008)).toEqual([]);
    expect(await rowOf(5006)).toEqual([{ ID: 5006, charge: 'FDG-260302-7' }]);

    const restored: VialRestored = {
      type: 'VialRestored',
      data: { vialId: mistyped.data.vialId, reason: 'Voided in error' },
    };
    await bed.given(restored);

    expect(await rowOf(5008)).toEqual([{ ID: 5008, charge: 'FDG-260302-9' }]);
  });
});
