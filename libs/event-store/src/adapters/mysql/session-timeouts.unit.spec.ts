import {
  boundedSilence,
  idleSessionPoolOptions,
  idleTransactionTimeoutStatement,
  serverFlavourOf,
} from './session-timeouts';

describe('session timeouts', () => {
  it('tells MariaDB from 10.3 on (which has idle_transaction_timeout) from anything else', () => {
    expect(serverFlavourOf('10.11.19-MariaDB-0+deb12u1')).toBe('mariadb');
    expect(serverFlavourOf('11.4.2-MariaDB')).toBe('mariadb');
    expect(serverFlavourOf('10.3.0-MariaDB')).toBe('mariadb');
    expect(serverFlavourOf('10.2.44-MariaDB')).toBe('mysql');
    expect(serverFlavourOf('8.0.36')).toBe('mysql');
    expect(serverFlavourOf('8.4.0-commercial')).toBe('mysql');
  });

  it('bounds idle transactions with the setting each server has', () => {
    expect(idleTransactionTimeoutStatement('mariadb', 60)).toBe('SET SESSION idle_transaction_timeout = 60');
    expect(idleTransactionTimeoutStatement('mysql', 60)).toBe('SET SESSION wait_timeout = 60');
  });

  it('on MySQL, retires idle pooled sessions before the server ends them; on MariaDB, leaves the pool alone', () => {
    expect(idleSessionPoolOptions('mariadb', 60, 20)).toEqual({});
    expect(idleSessionPoolOptions('mysql', 60, 20)).toEqual({ maxIdle: 19, idleTimeout: 30_000 });
    // mysql2 looks once a second: a short bound still leaves it a full look before the server acts.
    expect(idleSessionPoolOptions('mysql', 3, 4)).toEqual({ maxIdle: 3, idleTimeout: 1_000 });
    expect(idleSessionPoolOptions('mysql', 1, 1)).toEqual({ maxIdle: 0, idleTimeout: 0 });
  });

  it('keeps the session value to put back, under the name its user gives', () => {
    expect(boundedSilence(30, 'tracershop_writer_wait_timeout')).toEqual({
      bound: 'SET @tracershop_writer_wait_timeout = @@SESSION.wait_timeout, SESSION wait_timeout = 30',
      restore: 'SET SESSION wait_timeout = @tracershop_writer_wait_timeout',
    });
  });

  it('refuses bounds the servers cannot take', () => {
    for (const seconds of [0, -1, 1.5, Number.NaN, 40_000_000]) {
      expect(() => idleTransactionTimeoutStatement('mysql', seconds)).toThrow(RangeError);
      expect(() => boundedSilence(seconds, 'x')).toThrow(RangeError);
    }
    expect(() => boundedSilence(5, 'x; DROP')).toThrow(/Invalid user variable/);
  });
});
