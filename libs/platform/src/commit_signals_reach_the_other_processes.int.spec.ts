import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import type { TracershopConfig } from '@tracershop/config';
import { Position, type EventStore } from '@tracershop/event-store';
import type { ProjectionEngine } from '@tracershop/projections/engine';
import { CommitSignals } from './commit-signals';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = { warn: () => undefined } as unknown as Logger;

/** One process's side: its store and engine as the signals see them, and what reached them. */
function processSide(redis: Redis, config: TracershopConfig) {
  const storeListeners = new Set<(head: Position) => void>();
  const engineListeners = new Set<(name: string, position: Position) => void>();
  const hints: string[] = [];
  const reported: string[] = [];
  const store = {
    onCommitted: (listener: (head: Position) => void) => {
      storeListeners.add(listener);
      return () => storeListeners.delete(listener);
    },
    headMoved: (head: Position) => hints.push(head.toString()),
  } as unknown as EventStore;
  const engine = {
    onCommitted: (listener: (name: string, position: Position) => void) => {
      engineListeners.add(listener);
      return () => engineListeners.delete(listener);
    },
    commitReported: (name: string) => reported.push(name),
  } as unknown as ProjectionEngine;
  const signals = new CommitSignals(store, redis, engine, config, logger);
  return {
    signals,
    hints,
    reported,
    append: (head: number) => storeListeners.forEach((listener) => listener(Position.of(BigInt(head)))),
    commit: (name: string) => engineListeners.forEach((listener) => listener(name, Position.of(1n))),
  };
}

async function eventually(check: () => void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

describe('commit signals', () => {
  const suffix = randomUUID().slice(0, 8);
  const config = {
    databases: { events: `signals_events_${suffix}`, record: `signals_record_${suffix}` },
  } as TracershopConfig;
  let redisA: Redis;
  let redisB: Redis;

  beforeAll(() => {
    redisA = new Redis(REDIS_URL);
    redisB = new Redis(REDIS_URL);
  });

  afterAll(() => {
    redisA.disconnect();
    redisB.disconnect();
  });

  it('given two processes, when one appends and commits projection batches, then the other is told (coalesced) and the first is not told its own', async () => {
    const a = processSide(redisA, config);
    const b = processSide(redisB, config);
    a.signals.onApplicationBootstrap();
    b.signals.onApplicationBootstrap();
    const liveHere: string[] = [];
    const liveThere: string[] = [];
    a.signals.onProjectionCommit('live.dashboards', () => liveHere.push('a'));
    b.signals.onProjectionCommit('live.dashboards', () => liveThere.push('b'));
    try {
      // Subscriptions are set up asynchronously: signal until the other side hears one.
      await eventually(() => {
        a.append(1);
        expect(b.hints.length).toBeGreaterThan(0);
      });
      b.hints.length = 0;

      // In one tick: three appends and two batches go out as one message per channel.
      a.append(7);
      a.append(9);
      a.append(8);
      a.commit('live.dashboards');
      a.commit('record.ordering');
      await eventually(() => {
        expect(b.hints).toEqual(['9']);
        expect(b.reported.sort()).toEqual(['live.dashboards', 'record.ordering']);
        expect(liveThere).toEqual(['b']);
      });
      // Told here at once, in this process, and never through its own message.
      expect(liveHere).toEqual(['a']);
      expect(a.hints).toEqual([]);
      expect(a.reported).toEqual([]);
    } finally {
      a.signals.onApplicationShutdown();
      b.signals.onApplicationShutdown();
    }
  });
});
