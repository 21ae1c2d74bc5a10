import { productionRunDecider } from '@tracershop/domain/catalog';
import { mondayRunScheduled } from '@tracershop/domain/catalog/catalog-examples';
import { fold } from '@tracershop/domain/kernel';
import { activityRefs, placeFdg, slot0800With } from '@tracershop/domain/ordering/ordering-examples';
import { openOrderingTestBed, type OrderingTestBed } from './test-support/ordering-test-bed';

const F18_HALF_LIFE_SECONDS = 6586.2;
/** Sunday 2026-03-29, Copenhagen: the clock jumps from 02:00 to 03:00. */
const sunday = '2026-03-29';
const sundayRun = fold(productionRunDecider, [
  {
    ...mondayRunScheduled,
    data: { ...mondayRunScheduled.data, productionRunId: 'run-sun', weekday: 7, productionTime: '01:30' },
  },
]);
const slot0330 = slot0800With({
  slotId: 'slot-sun-0330',
  productionRunId: 'run-sun',
  weekday: 7,
  deliveryTime: '03:30',
});

describe("record.ordering: the day board on a daylight-saving change day (regression: a run's need decayed over clock minutes)", () => {
  let bed: OrderingTestBed;

  beforeAll(async () => {
    bed = await openOrderingTestBed('ordering_dst');
    await bed.decideDay(
      placeFdg({ date: sunday, slotId: 'slot-sun-0330', activityMBq: 1000, refs: activityRefs(slot0330, sundayRun) }),
    );
  });

  afterAll(async () => {
    await bed.close();
  });

  it('given 1000 MBq for 03:30 from a run at 01:30, when the board is read, then the run makes it one real hour ahead', async () => {
    const board = await bed.readModel.dayBoard({
      date: sunday,
      tracerId: 'tracer-fdg',
      productionRuns: [{ productionRunId: 'run-sun', runNumber: 1, productionTime: '01:30', archived: false }],
    });
    // 10 % overhead; 01:30 → 03:30 on that day is 3600 s, not the 7200 s the clock shows
    expect(board.runs[0]?.activityAtProductionMBq).toBeCloseTo(1000 * 1.1 * 2 ** (3600 / F18_HALF_LIFE_SECONDS), 6);
  });
});
