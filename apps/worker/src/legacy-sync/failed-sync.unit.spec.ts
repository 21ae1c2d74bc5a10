import { ConcurrentModificationError } from '@tracershop/command-pipeline';
import { notFound, ruleViolated } from '@tracershop/domain/kernel';
import { failedSync } from './failed-sync';

const policy = { graceMs: 60_000, maxAttempts: 5 };
const fresh = { attempts: 1, firstFailureAgoMs: 0 };

describe('a failed sync of a captured change', () => {
  it('given a broken rule, then the change is rejected with the rule at once', () => {
    const error = ruleViolated('ORDER_DEADLINE_PASSED', 'Too late', { deadline: '13:00' });
    expect(failedSync(error, fresh, policy)).toEqual({
      kind: 'rejected',
      code: 'ORDER_DEADLINE_PASSED',
      message: 'Too late',
      details: { deadline: '13:00' },
    });
  });

  it('given a customer the read models do not know yet, then it is tried again until the grace period is over', () => {
    const error = notFound('LEGACY_CUSTOMER_UNKNOWN', 'No active customer has legacy Users.Id 42');
    expect(failedSync(error, fresh, policy)).toEqual({ kind: 'retry' });
    expect(failedSync(error, { ...fresh, firstFailureAgoMs: 60_001 }, policy)).toMatchObject({
      kind: 'rejected',
      code: 'LEGACY_CUSTOMER_UNKNOWN',
    });
    const run = notFound('LEGACY_PRODUCTION_RUN_UNKNOWN', 'FDG has no active production run numbered 2 on weekday 1');
    expect(failedSync(run, fresh, policy)).toEqual({ kind: 'retry' });
    const user = notFound('LEGACY_USER_UNKNOWN', 'The old system has no Users row 51');
    expect(failedSync(user, fresh, policy)).toEqual({ kind: 'retry' });
  });

  it('given a change captured long before it is first tried (a backlog), when the read models do not know what it names yet, then the grace runs from its first failure', () => {
    const error = notFound('LEGACY_CUSTOMER_UNKNOWN', 'No active customer has legacy Users.Id 51');

    expect(failedSync(error, { attempts: 1, firstFailureAgoMs: 0 }, policy)).toEqual({ kind: 'retry' });
    expect(failedSync(error, { attempts: 9, firstFailureAgoMs: 59_999 }, policy)).toEqual({ kind: 'retry' });
    expect(failedSync(error, { attempts: 10, firstFailureAgoMs: 60_000 }, policy)).toMatchObject({ kind: 'rejected' });
  });

  it('given a passing fault (a lost connection, a concurrent write, a read model not created yet), then it is tried again', () => {
    const late = { attempts: 50, firstFailureAgoMs: 3_600_000 };
    expect(failedSync(Object.assign(new Error('gone'), { code: 'ECONNRESET' }), late, policy)).toEqual({
      kind: 'retry',
    });
    expect(failedSync(new ConcurrentModificationError('ordering.day-x', 4), late, policy)).toEqual({ kind: 'retry' });
    expect(failedSync(Object.assign(new Error('no table'), { code: 'ER_NO_SUCH_TABLE' }), late, policy)).toEqual({
      kind: 'retry',
    });
  });

  it('given an error of no known kind, then it is rejected only after several attempts over the grace period', () => {
    const error = new TypeError('Cannot read properties of undefined');
    expect(failedSync(error, { ...fresh, attempts: 5, firstFailureAgoMs: 10_000 }, policy)).toEqual({ kind: 'retry' });
    expect(failedSync(error, { ...fresh, attempts: 2, firstFailureAgoMs: 120_000 }, policy)).toEqual({ kind: 'retry' });
    expect(failedSync(error, { ...fresh, attempts: 5, firstFailureAgoMs: 60_000 }, policy)).toEqual({
      kind: 'rejected',
      code: 'LEGACY_SYNC_FAILED',
      message: 'Cannot read properties of undefined',
      details: { attempts: 5 },
    });
  });
});
