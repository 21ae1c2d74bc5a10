import { conflict, type Decider, type DomainEvent } from '../kernel';
import type { IsoInstant } from '../catalog/calendar';

/**
 * A deployment gets its first administrator once: from the environment or through a one-time
 * setup token. The marker stream decides races between api instances starting together.
 */
export const firstAdministratorStreamName = () => 'identity.firstAdministrator-deployment';

export interface RecordFirstAdministrator {
  type: 'RecordFirstAdministrator';
  userId: string;
  username: string;
  /** `environment` or `setup-token`. */
  via: 'environment' | 'setup-token';
  at: IsoInstant;
}

export type FirstAdministratorRecorded = DomainEvent<
  'FirstAdministratorRecorded',
  { userId: string; username: string; via: RecordFirstAdministrator['via'] }
>;

export interface FirstAdministratorState {
  userId: string | null;
}

export const firstAdministratorDecider: Decider<
  RecordFirstAdministrator,
  FirstAdministratorRecorded,
  FirstAdministratorState
> = {
  initialState: () => ({ userId: null }),
  evolve: (_, event) => ({ userId: event.data.userId }),
  decide: (command, state) => {
    if (state.userId === command.userId) return [];
    if (state.userId !== null) {
      throw conflict('FIRST_ADMINISTRATOR_EXISTS', 'This deployment already has its first administrator', {
        userId: state.userId,
      });
    }
    const { userId, username, via } = command;
    return [{ type: 'FirstAdministratorRecorded', data: { userId, username, via } }];
  },
};
