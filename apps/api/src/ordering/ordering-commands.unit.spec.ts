import { CommandPipeline, type CommandContext, type StateChange } from '@tracershop/command-pipeline';
import { MemoryEventStore } from '@tracershop/event-store';
import {
  deliveryDayDecider,
  vialDecider,
  vialStreamName,
  type DeliveryDayState,
  type VialState,
} from '@tracershop/domain/ordering';
import { fdgVial1, releasedVial } from '@tracershop/domain/ordering/ordering-examples';
import { deliveryDayCommand, vialCommand } from './ordering-commands';

const context = (causationId: string): CommandContext => ({
  actor: { kind: 'user', id: 'user-peter', printedName: 'Peter Hansen', role: 'production' },
  correlationId: causationId,
  causationId,
});
const dayStream = 'ordering.deliveryDay-ep-herlev-pet:2026-03-02';
const { vialId, ...vial } = fdgVial1.data;

/** A day change that records release `releaseId` with the vial (nothing else of the day matters to the hooks). */
function releasing(releaseId: string, causationId: string): StateChange<DeliveryDayState> {
  const before = deliveryDayDecider.initialState();
  const release = { releaseId, status: 'released', vials: [releasedVial(fdgVial1, null)] };
  const after = { ...before, releases: { [releaseId]: release } } as unknown as DeliveryDayState;
  return { streamId: dayStream, before, after, context: context(causationId) };
}

async function dispensed() {
  const pipeline = new CommandPipeline({ store: new MemoryEventStore() });
  await pipeline.execute(
    vialCommand,
    { type: 'DispenseVial', ...vial, fromOldSystemRow: false, at: '2026-03-02T08:50:00.000Z' },
    context('dispense'),
  );
  const day = deliveryDayCommand(pipeline);
  const assignment = async () =>
    ((await pipeline.loadState(vialStreamName(vialId), vialDecider)) as VialState & { assignedTo?: unknown })
      .assignedTo;
  return { pipeline, day, assignment };
}

describe('deliveryDayCommand: the vials of a release', () => {
  it('given a release whose append failed, when its vials were assigned by it, then they are given back', async () => {
    const { day, assignment } = await dispensed();
    const change = releasing('release-1', 'request-a');
    await day.beforeAppend!(change);
    expect(await assignment()).toMatchObject({ releaseId: 'release-1' });
    await day.appendFailed!(change);
    expect(await assignment()).toBeNull();
  });

  it('given a vial another request assigned to the same release, when this request’s append fails, then the vial stays assigned', async () => {
    const { day, assignment } = await dispensed();
    // Request A assigns the vial to release-1; request B releases release-1 too (the same id sent twice).
    await day.beforeAppend!(releasing('release-1', 'request-a'));
    const second = releasing('release-1', 'request-b');
    await day.beforeAppend!(second);
    // B's append meets A's (a conflict): A's release stands with its vial.
    await day.appendFailed!(second);
    expect(await assignment()).toMatchObject({ releaseId: 'release-1' });
  });

  it('given a vial corrected after the release read it, when the release is about to be recorded, then it is refused and the vial stays free', async () => {
    const { pipeline, day, assignment } = await dispensed();
    await pipeline.execute(
      vialCommand,
      {
        type: 'CorrectVial',
        vialId,
        changes: { activityMBq: 480 },
        reason: 'Measured again',
        at: '2026-03-02T09:00:00Z',
      },
      context('correction'),
    );
    await expect(day.beforeAppend!(releasing('release-1', 'request-a'))).rejects.toMatchObject({
      code: 'VIAL_CHANGED',
    });
    expect(await assignment()).toBeNull();
  });
});
