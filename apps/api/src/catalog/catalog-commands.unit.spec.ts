import { CommandPipeline, type CommandContext, type StateChange } from '@tracershop/command-pipeline';
import { MemoryEventStore } from '@tracershop/event-store';
import {
  isotopeDecider,
  isotopeNameClaims,
  nameClaimOf,
  nameClaimStreamName,
  tracerDecider,
  type IsotopeState,
  type NameClaimRef,
  type TracerState,
} from '@tracershop/domain/catalog';
import { activeFdg, activeIsotope } from '@tracershop/domain/catalog/catalog-examples';
import { DomainError } from '@tracershop/domain/kernel';
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

/** The tracers the catalogue read model lists with each vial tag (lower case). */
function setUp(tracersByVialTag: Record<string, string[]> = {}) {
  const store = new MemoryEventStore();
  const pipeline = new CommandPipeline({ store });
  const { isotope, tracer } = catalogCommands(
    pipeline,
    {
      servedSlots: () => Promise.resolve([]),
      activeEndpointIds: () => Promise.resolve([]),
      tracerIdsWithVialTag: (vialTag) => Promise.resolve(tracersByVialTag[vialTag.toLowerCase()] ?? []),
    },
    { allocate: () => Promise.reject(new Error('not allocated here')) },
  );
  const eventsOf = async (ref: NameClaimRef) =>
    (await store.readStream(nameClaimStreamName(ref.kind, ref.key)).catch(() => [])).map((event) => event.type);
  const [name] = isotopeNameClaims(activeIsotope);
  const claimEvents = () => eventsOf(name);
  return { isotope, tracer, claimEvents, eventsOf };
}

/** The registration of the example tracer FDG (tag `FDG`). */
const registeringFdg = (causationId: string): StateChange<TracerState> => ({
  streamId: 'catalog.tracer-tracer-fdg',
  before: tracerDecider.initialState(),
  after: activeFdg,
  context: context(causationId),
});

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

describe('catalog commands: vial tags of tracers from before tags were claimed', () => {
  it('given a tracer from before tags were claimed holding fdg, when another tracer registers tag FDG, then NAME_TAKEN names it and the claims are given back', async () => {
    const { tracer, eventsOf } = setUp({ fdg: ['tracer-old-fdg'] });

    const refused = await tracer.beforeAppend!(registeringFdg('request-a')).then(
      () => null,
      (error: unknown) => error,
    );

    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({
      code: 'NAME_TAKEN',
      details: { kind: 'tracerVialTag', key: 'fdg', ownerId: 'tracer-old-fdg' },
    });
    expect(await eventsOf(nameClaimOf.tracerVialTag('FDG'))).toEqual(['NameClaimed', 'NameReleased']);
    expect(await eventsOf(nameClaimOf.tracerShortName('FDG'))).toEqual(['NameClaimed', 'NameReleased']);
  });

  it('given the read model listing only the tracer itself with the tag, when it registers, then its tag is claimed', async () => {
    const { tracer, eventsOf } = setUp({ fdg: ['tracer-fdg'] });
    await tracer.beforeAppend!(registeringFdg('request-a'));
    expect(await eventsOf(nameClaimOf.tracerVialTag('FDG'))).toEqual(['NameClaimed']);
  });
});
