import { specFor } from '../kernel/decider-spec';
import { at, thrownBy } from './identity-examples';
import {
  normaliseUsername,
  usernameClaimDecider,
  usernameClaimStreamName,
  type ClaimUsername,
  type ReleaseUsername,
  type UsernameClaimed,
} from './username-claim';

const spec = specFor(usernameClaimDecider);
const claimAnne: ClaimUsername = { type: 'ClaimUsername', username: ' Anne.Jensen ', userId: 'user-anne', at };
const anneClaimed: UsernameClaimed = {
  type: 'UsernameClaimed',
  data: { username: 'anne.jensen', userId: 'user-anne' },
};
const releaseAnne: ReleaseUsername = { type: 'ReleaseUsername', username: 'anne.jensen', userId: 'user-anne', at };
const anneReleased = { type: 'UsernameReleased', data: anneClaimed.data } as const;

describe('UsernameClaim', () => {
  it('lives in the stream identity.usernameClaim-<normalised, URI-encoded username>', () => {
    expect(usernameClaimStreamName(' Anne.Jensen ')).toBe('identity.usernameClaim-anne.jensen');
    expect(usernameClaimStreamName('a b/c')).toBe('identity.usernameClaim-a%20b%2Fc');
    expect(normaliseUsername('ANNE')).toBe('anne');
  });

  describe('ClaimUsername', () => {
    it('claims a free username for its user', () => {
      spec.given([]).when(claimAnne).then([anneClaimed]);
    });

    it('is idempotent for the same user', () => {
      spec.given([anneClaimed]).when(claimAnne).thenNothing();
    });

    it('refuses a username another user holds, in any case', () => {
      spec
        .given([anneClaimed])
        .when({ ...claimAnne, username: 'ANNE.JENSEN', userId: 'user-anne2' })
        .thenThrows('USERNAME_TAKEN', { field: 'username', username: 'anne.jensen' });
      const state = usernameClaimDecider.evolve(usernameClaimDecider.initialState(), anneClaimed);
      expect(thrownBy(() => usernameClaimDecider.decide({ ...claimAnne, userId: 'user-x' }, state)).kind).toBe(
        'conflict',
      );
    });

    it('lets another user claim a released username', () => {
      spec
        .given([anneClaimed, anneReleased])
        .when({ ...claimAnne, userId: 'user-anne2' })
        .then([{ type: 'UsernameClaimed', data: { username: 'anne.jensen', userId: 'user-anne2' } }]);
    });

    it('validates the username and the user id', () => {
      spec
        .given([])
        .when({ ...claimAnne, username: 'a b' })
        .thenThrows('INVALID_USERNAME', { field: 'username' });
      spec
        .given([])
        .when({ ...claimAnne, username: ' ' })
        .thenThrows('FIELD_REQUIRED', { field: 'username' });
      spec
        .given([])
        .when({ ...claimAnne, userId: '' })
        .thenThrows('FIELD_REQUIRED', { field: 'userId' });
    });
  });

  describe('ReleaseUsername', () => {
    it('releases a username its user holds', () => {
      spec.given([anneClaimed]).when(releaseAnne).then([anneReleased]);
    });

    it('releasing a free username changes nothing', () => {
      spec.given([]).when(releaseAnne).thenNothing();
      spec.given([anneClaimed, anneReleased]).when(releaseAnne).thenNothing();
    });

    it('refuses to release a username another user holds', () => {
      spec
        .given([anneClaimed])
        .when({ ...releaseAnne, userId: 'user-other' })
        .thenThrows('USERNAME_NOT_OWNED');
    });
  });
});
