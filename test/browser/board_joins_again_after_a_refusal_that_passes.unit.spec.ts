import { JOIN_RETRY_MS, joinRetryDelay } from '../../apps/board/src/board-state';

/**
 * Regression: the production board showed a refused join and never joined again, so a moment of
 * rate limiting or unavailability left it without live updates until reloaded.
 */
describe('the board after a refused join', () => {
  it.each(['RATE_LIMITED', 'UNAVAILABLE'])(
    'given a join refused with %s, when the board decides what to do, then it joins again after a delay',
    (code) => {
      expect(joinRetryDelay(code)).toBe(JOIN_RETRY_MS);
      expect(JOIN_RETRY_MS).toBeGreaterThan(0);
    },
  );

  it.each([
    'UNAUTHORISED_TOPIC',
    'UNKNOWN_TOPIC',
    'TOO_MANY_TOPICS',
    'SESSION_IDLE',
    'SESSION_ENDED',
    'UNAUTHENTICATED',
  ])('given a join refused with %s, when the board decides what to do, then it does not retry', (code) => {
    expect(joinRetryDelay(code)).toBeNull();
  });
});
