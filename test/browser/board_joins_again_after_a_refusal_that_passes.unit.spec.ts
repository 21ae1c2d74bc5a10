import { JOIN_RETRY_MAX_MS, JOIN_RETRY_MS, joinRetryDelay } from '../../apps/board/src/board-state';

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

  it('given joins refused again and again, then each retry waits twice as long, up to a bound', () => {
    expect([0, 1, 2, 3].map((attempt) => joinRetryDelay('RATE_LIMITED', attempt))).toEqual([
      JOIN_RETRY_MS,
      2 * JOIN_RETRY_MS,
      4 * JOIN_RETRY_MS,
      8 * JOIN_RETRY_MS,
    ]);
    expect(joinRetryDelay('RATE_LIMITED', 50)).toBe(JOIN_RETRY_MAX_MS);
  });

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
