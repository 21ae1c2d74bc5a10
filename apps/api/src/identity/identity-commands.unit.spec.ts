import { CommandPipeline, type CommandContext, type StateChange } from '@tracershop/command-pipeline';
import { MemoryEventStore } from '@tracershop/event-store';
import { fold } from '@tracershop/domain/kernel';
import { userDecider, usernameClaimStreamName, type UserState } from '@tracershop/domain/identity';
import { anneRegistered } from '@tracershop/domain/identity/identity-examples';
import { identityCommands } from './identity-commands';

const context = (causationId: string): CommandContext => ({
  actor: { kind: 'user', id: 'user-admin', printedName: 'Admin', role: 'admin' },
  correlationId: causationId,
  causationId,
});

/** Anne's registration, as each of two requests registering her at once decides it. */
const registering = (causationId: string): StateChange<UserState> => ({
  streamId: 'identity.user-anne',
  before: userDecider.initialState(),
  after: fold(userDecider, [anneRegistered]),
  context: context(causationId),
});

function setUp() {
  const store = new MemoryEventStore();
  const { user } = identityCommands(new CommandPipeline({ store }), {
    allocate: () => Promise.reject(new Error('not allocated here')),
  });
  const claimEvents = async () =>
    (await store.readStream(usernameClaimStreamName(anneRegistered.data.username))).map((event) => event.type);
  return { user, claimEvents };
}

describe('identity commands: the username of a registration whose append failed', () => {
  it('given the username this attempt claimed, when its append fails, then it is given back', async () => {
    const { user, claimEvents } = setUp();
    const change = registering('request-a');
    await user.beforeAppend!(change);
    await user.appendFailed!(change);
    expect(await claimEvents()).toEqual(['UsernameClaimed', 'UsernameReleased']);
  });

  it('given the username another request registering the same user claimed, when this one’s append fails, then it stays claimed', async () => {
    const { user, claimEvents } = setUp();
    await user.beforeAppend!(registering('request-a'));
    const second = registering('request-b');
    await user.beforeAppend!(second);
    await user.appendFailed!(second);
    expect(await claimEvents()).toEqual(['UsernameClaimed']);
  });
});
