import { randomUUID } from 'node:crypto';
import type { CommandDefinition, CommandPipeline, StateChange } from '@tracershop/command-pipeline';
import {
  apiClientDecider,
  firstAdministratorDecider,
  firstAdministratorStreamName,
  apiClientStreamName,
  identityEventSchemaVersions,
  serviceEndpointDecider,
  serviceEndpointStreamName,
  userDecider,
  userStreamName,
  usernameClaimDecider,
  usernameClaimStreamName,
  type IdentityEventType,
  type UserCommand,
  type UserState,
} from '@tracershop/domain/identity';
import type { DomainEvent } from '@tracershop/domain/kernel';
import type { LegacyIdSource } from '../legacy-ids/legacy-id-allocator';

const schemaVersionOf = (type: string) => identityEventSchemaVersions[type as IdentityEventType] ?? 1;
const define = <C, E extends DomainEvent, S>(definition: CommandDefinition<C, E, S>) => definition;

const userCommandBase = {
  name: 'User',
  decider: userDecider,
  streamOf: (command: UserCommand) => userStreamName(command.userId),
  // Login failures, sessions and signature failures are appended while other requests may touch the
  // same user; each is decided from the fresh state, so retrying is safe.
  retryOnConflict: true,
  schemaVersionOf,
};

/**
 * The commands on a user already registered, for a process without the legacy id allocator (the
 * operator's password resets from the bench or a spec). Registration goes through
 * `identityCommands(…).user`, which claims the username and allocates the legacy id.
 */
export const registeredUserCommands = define({
  ...userCommandBase,
  enrich: async (command) => {
    if (command.type === 'RegisterUser') throw new Error('RegisterUser goes through identityCommands(…).user');
    return command;
  },
});

export function identityCommands(pipeline: CommandPipeline, legacyIds: LegacyIdSource) {
  const usernameClaim = define({
    name: 'UsernameClaim',
    decider: usernameClaimDecider,
    streamOf: (command) => usernameClaimStreamName(command.username),
    retryOnConflict: true,
    schemaVersionOf,
  });

  /**
   * A username is claimed before the user is registered, and given back if registration fails:
   * only by the attempt that claimed it (a claim the user held already, from another request
   * registering the same user, is that one's).
   */
  const claimedBy = new WeakSet<StateChange<UserState>>();
  const claimUsername = (type: 'ClaimUsername' | 'ReleaseUsername') => async (change: StateChange<UserState>) => {
    if (change.before.status !== 'absent' || change.after.status === 'absent') return;
    if (type === 'ReleaseUsername' && !claimedBy.has(change)) return;
    const { username, userId } = change.after;
    const result = await pipeline.execute(
      usernameClaim,
      { type, username, userId, at: new Date().toISOString() },
      { ...change.context, causationId: `${change.context.causationId}:${type}:${randomUUID()}` },
    );
    if (type === 'ClaimUsername' && result.events.length > 0) claimedBy.add(change);
  };

  const user = define({
    ...userCommandBase,
    // Staff share the old system's `Users.Id` space with customers: one allocator for both.
    enrich: async (command, load) => {
      if (command.type !== 'RegisterUser') return command;
      const current = await load(userStreamName(command.userId), userDecider);
      const legacyUserId = current.status === 'absent' ? await legacyIds.allocate('Users') : current.legacyUserId;
      return { ...command, legacyUserId };
    },
    beforeAppend: claimUsername('ClaimUsername'),
    appendFailed: claimUsername('ReleaseUsername'),
  });

  const apiClient = define({
    name: 'ApiClient',
    decider: apiClientDecider,
    streamOf: (command) => apiClientStreamName(command.clientId),
    retryOnConflict: true,
    schemaVersionOf,
  });

  const serviceEndpoint = define({
    name: 'ServiceEndpoint',
    decider: serviceEndpointDecider,
    streamOf: (command) => serviceEndpointStreamName(command.endpointId),
    retryOnConflict: true,
    schemaVersionOf,
  });

  const firstAdministrator = define({
    name: 'FirstAdministrator',
    decider: firstAdministratorDecider,
    streamOf: () => firstAdministratorStreamName(),
    retryOnConflict: true,
    schemaVersionOf: () => 1,
  });

  return { user, usernameClaim, apiClient, serviceEndpoint, firstAdministrator };
}

export type IdentityCommands = ReturnType<typeof identityCommands>;
