import { CommandPipeline, type CommandContext, type StateChange } from '@tracershop/command-pipeline';
import { MemoryEventStore } from '@tracershop/event-store';
import { isotopeDecider, isotopeNameClaims, nameClaimStreamName, type IsotopeState } from '@tracershop/domain/catalog';
import { activeIsotope } from '@tracershop/domain/catalog/catalog-examples';
import { catalogCommands } from './catalog-commands';

const context = (causationId: string): CommandContext => ({
  actor: { kind: 'user', id: 'user-admin', printedName: 'Admin', role: 'admin' },
  correlationId: causationId,
  causationId,
});

/** The registration of the example isotope, as two requests registering it at once each decide it. */
const registering = (causationId: string): StateChange<IsotopeState> => ({
  streamId: 'catalog.isotope-iso-f18',
  before: isotopeDecider.initialState(),
  after: activeIsotope,
  context: context(causationId),
});

function setUp() {
  const store = new MemoryEventStore();
  const pipeline = new CommandPipeline({ store });
  const { isotope } = catalogCommands(
    pipeline,
    { servedSlots: () => Promise.resolve([]), activeEndpointIds: () => Promise.resolve([]) },
    { allocate: () => Promise.reject(new Error('not allocated here')) },
  );
  const [name] = isotopeNameClaims(activeIsotope);
  const claimEvents = async () =>
    (await store.readStream(nameClaimStreamName(name.kind, name.key))).map((event) => event.type);
  return { isotope, claimEvents };
}

describe('catalog commands: unique names of a registration whose append failed', () => {
  it('given a name this attempt claimed, when its append fails, then the name is given back', async () => {
    const { isotope, claimEvents } = setUp();
    const change = registering('request-a');
    await isotope.beforeAppend!(change);
    await isotope.appendFailed!(change);
    expect(await claimEvents()).toEqual(['NameClaimed', 'NameReleased']);
  });

  it('given a name another request claimed for the same record, when this one’s append fails, then the name stays claimed', async () => {
    const { isotope, claimEvents } = setUp();
    await isotope.beforeAppend!(registering('request-a'));
    const second = registering('request-b');
    // B's claim finds the name held by the same record already (A's): a no-op.
    await isotope.beforeAppend!(second);
    // B's append meets A's (a conflict): A's registration stands, with its name.
    await isotope.appendFailed!(second);
    expect(await claimEvents()).toEqual(['NameClaimed']);
  });
});
