import { randomUUID } from 'node:crypto';
import { credentials as grpcCredentials } from '@grpc/grpc-js';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  eventTypeFilter,
  jsonEvent,
  MaxAppendSizeExceededError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type Position,
  START,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { ServerFeaturesClient } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq, type ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { type EsdbWireServer, startEsdbWireServer } from './esdb-wire-server';

type Seen =
  | { kind: 'confirmation' }
  | { kind: 'caughtUp' }
  | { kind: 'checkpoint'; at: Position }
  | { kind: 'event'; streamId: string; revision: bigint; type: string; at: Position };

/** Records what a subscription reports, in the order the client reports it. */
function watch(subscribe: (checkpointReached: (position: Position) => void) => AllStreamSubscription) {
  const seen: Seen[] = [];
  const subscription = subscribe((at) => seen.push({ kind: 'checkpoint', at }));
  subscription.on('confirmation', () => seen.push({ kind: 'confirmation' }));
  subscription.on('caughtUp', () => seen.push({ kind: 'caughtUp' }));
  subscription.on('data', ({ event }: AllStreamResolvedEvent) => {
    if (event)
      seen.push({
        kind: 'event',
        streamId: event.streamId,
        revision: event.revision,
        type: event.type,
        at: event.position,
      });
  });
  const until = (done: (list: Seen[]) => boolean) => eventually(() => done(seen));
  return { seen, subscription, until };
}

const stream = (category = 'wire.order') => `${category}-${randomUUID()}`;
const event = (type: string, data: Record<string, unknown> = {}) => jsonEvent({ type, data, metadata: { by: 'test' } });

describe.each([
  ['BatchAppend', true],
  ['Append', false],
])('EventStoreDB wire server, appending through %s', (_, batchAppend) => {
  let server: EsdbWireServer;
  let client: EventStoreDBClient;

  beforeAll(async () => {
    server = await startEsdbWireServer({ batchAppend });
    client = EventStoreDBClient.connectionString(server.url);
  });

  afterAll(async () => {
    await client.dispose();
    await server.close();
  });

  it('advertises exactly the methods it implements', async () => {
    const features = new ServerFeaturesClient(`127.0.0.1:${server.port}`, grpcCredentials.createInsecure());
    try {
      const reply = await new Promise<SupportedMethods>((resolve, reject) =>
        features.getSupportedMethods(new Empty(), (error, methods) => (error ? reject(error) : resolve(methods))),
      );
      const methods = reply.getMethodsList().map((method) => `${method.getServiceName()}/${method.getMethodName()}`);
      expect(methods.sort()).toEqual(
        [
          'event_store.client.server_features.ServerFeatures/GetSupportedMethods',
          'event_store.client.streams.Streams/Append',
          'event_store.client.streams.Streams/Read',
          ...(batchAppend ? ['event_store.client.streams.Streams/BatchAppend'] : []),
        ].sort(),
      );
    } finally {
      features.close();
    }
  });

  it('appends, then reads back type, JSON data, JSON metadata, revision, position and creation time', async () => {
    const name = stream();
    const before = Date.now();
    const first = await client.appendToStream(
      name,
      [event('OrderPlaced', { n: 1 }), event('OrderAccepted', { n: 2 })],
      {
        expectedRevision: 'no_stream',
      },
    );
    expect(first).toMatchObject({ success: true, nextExpectedRevision: 1n });
    const second = await client.appendToStream(name, event('OrderShipped', { ø: '¹⁸F' }), { expectedRevision: 1n });
    expect(second.nextExpectedRevision).toBe(2n);
    expect(second.position?.commit).toBeGreaterThan(first.position?.commit ?? Infinity);

    const read = [];
    for await (const resolved of client.readStream(name)) read.push(resolved.event);
    expect(read.map((e) => [e?.revision, e?.type, e?.data, e?.metadata])).toEqual([
      [0n, 'OrderPlaced', { n: 1 }, { by: 'test' }],
      [1n, 'OrderAccepted', { n: 2 }, { by: 'test' }],
      [2n, 'OrderShipped', { ø: '¹⁸F' }, { by: 'test' }],
    ]);
    expect(read[2]?.position).toEqual(second.position);
    expect(read[2]?.position?.commit).toBe(read[2]?.position?.prepare);
    for (const recorded of read) {
      expect(recorded?.created.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(recorded?.created.getTime()).toBeLessThanOrEqual(Date.now() + 1);
    }
  });

  it.each<[string, 'no_stream' | 'stream_exists' | bigint, boolean]>([
    ['no_stream on an existing stream', 'no_stream', true],
    ['a stale revision', 0n, true],
    ['stream_exists on a missing stream', 'stream_exists', false],
    ['a revision on a missing stream', 3n, false],
  ])('reports %s as WrongExpectedVersion and writes nothing', async (_, expectedRevision, exists) => {
    const name = stream();
    if (exists) await client.appendToStream(name, [event('A'), event('B')]);
    const failure = await client
      .appendToStream(name, event('C'), { expectedRevision })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WrongExpectedVersionError);
    expect(failure).toMatchObject({ expectedVersion: expectedRevision, actualVersion: exists ? 1n : 'no_stream' });
    expect(server.log.revisionOf(name)).toBe(exists ? 1n : -1n);
  });

  it('refuses an append over its max append size, summed over its events as EventStoreDB does, and writes nothing', async () => {
    const limited = await startEsdbWireServer({ batchAppend, maxAppendBytes: 1000 });
    const limitedClient = EventStoreDBClient.connectionString(limited.url);
    try {
      // Each event counts data + metadata bytes + 2 per type character: ('{"b":"…"}' = n + 8) + 13 + 8.
      const pair = (n: number) => [event('Blob', { b: 'x'.repeat(n) }), event('Blob', { b: 'x'.repeat(n) })];
      const atLimit = stream();
      await expect(limitedClient.appendToStream(atLimit, pair(471))).resolves.toMatchObject({ success: true });
      const over = stream();
      const failure = await limitedClient.appendToStream(over, pair(472)).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(MaxAppendSizeExceededError);
      expect(failure).toMatchObject({ maxAppendSize: 1000 });
      expect(limited.log.revisionOf(over)).toBe(-1n);
      // The connection keeps serving.
      await expect(limitedClient.appendToStream(over, event('Small'))).resolves.toMatchObject({ success: true });
    } finally {
      await limitedClient.dispose();
      await limited.close();
    }
  });

  it('reads a missing stream as StreamNotFoundError, and stream pages in both directions', async () => {
    await expect(async () => {
      for await (const _event of client.readStream(stream())) void _event;
    }).rejects.toBeInstanceOf(StreamNotFoundError);
    const name = stream();
    await client.appendToStream(name, [event('A'), event('B'), event('C'), event('D')]);
    const revisions = async (options: Parameters<EventStoreDBClient['readStream']>[1]) => {
      const out = [];
      for await (const resolved of client.readStream(name, options)) out.push(Number(resolved.event?.revision));
      return out;
    };
    expect(await revisions({ direction: BACKWARDS, fromRevision: END, maxCount: 2 })).toEqual([3, 2]);
    expect(await revisions({ fromRevision: 1n, maxCount: 2 })).toEqual([1, 2]);
    expect(await revisions({ direction: BACKWARDS, fromRevision: 1n })).toEqual([1, 0]);
  });

  it('reads $all in global order: forwards from a position includes it, backwards from a position excludes it', async () => {
    const a = stream();
    const b = stream();
    await client.appendToStream(a, event('A1'));
    await client.appendToStream(b, event('B1'));
    const last = await client.appendToStream(a, event('A2'));
    const all: AllStreamResolvedEvent[] = [];
    for await (const resolved of client.readAll({ fromPosition: START })) all.push(resolved);
    const ours = all.filter((resolved) => [a, b].includes(resolved.event?.streamId ?? ''));
    expect(ours.map((resolved) => resolved.event?.type)).toEqual(['A1', 'B1', 'A2']);
    const commits = all.map((resolved) => resolved.event?.position.commit ?? -1n);
    expect(commits).toEqual([...commits].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));

    const b1 = ours[1].event?.position as Position;
    const forwards = [];
    for await (const resolved of client.readAll({ fromPosition: b1, maxCount: 2 })) forwards.push(resolved.event?.type);
    expect(forwards).toEqual(['B1', 'A2']);
    const backwards = [];
    for await (const resolved of client.readAll({ fromPosition: b1, direction: BACKWARDS, maxCount: 1 })) {
      backwards.push(resolved.event?.type);
    }
    expect(backwards).toEqual(['A1']);
    const newest = [];
    for await (const resolved of client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 })) {
      newest.push(resolved.event?.position);
    }
    expect(newest).toEqual([last.position]);
  });
});

describe('EventStoreDB wire server subscriptions', () => {
  let server: EsdbWireServer;
  let client: EventStoreDBClient;

  beforeAll(async () => {
    server = await startEsdbWireServer();
    client = EventStoreDBClient.connectionString(server.url);
  });

  afterAll(async () => {
    await client.dispose();
    await server.close();
  });

  it('replies confirmation first, then catch-up in global order, caught_up, then live events', async () => {
    const category = `wire.sub${randomUUID().slice(0, 8)}.`;
    const before = await client.appendToStream(stream(), event('Before'));
    await client.appendToStream(`${category}a`, [event('A1'), event('A2')]);
    await client.appendToStream(`${category}b`, event('B1'));
    const filter = new ReadReq.Options.FilterOptions();
    const expression = new ReadReq.Options.FilterOptions.Expression();
    expression.setPrefixList([category]);
    filter.setStreamIdentifier(expression);
    // A window larger than the log: only the checkpoint where catching up ends.
    filter.setMax(1_000_000);
    filter.setCheckpointintervalmultiplier(1);
    const read = rawSubscription(server.port, before.position as Position, filter);
    try {
      await eventually(() => read.replies.includes('caught_up'));
      const end = server.log.head();
      await client.appendToStream(`${category}a`, event('A3'));
      await eventually(() => read.replies.length === 7);
      expect(read.replies).toEqual([
        'confirmation',
        'event A1',
        'event A2',
        'event B1',
        `checkpoint ${end}`,
        'caught_up',
        'event A3',
      ]);
    } finally {
      read.cancel();
    }
  });

  it('sends no checkpoint while a live filtered subscription is merely quiet, only when its window fills', async () => {
    const tag = randomUUID().slice(0, 8);
    const start = await client.appendToStream(stream('wire.quiet'), event('Before'));
    const filter = new ReadReq.Options.FilterOptions();
    const expression = new ReadReq.Options.FilterOptions.Expression();
    expression.setPrefixList([`Keep${tag}`]);
    filter.setEventType(expression);
    filter.setMax(4);
    filter.setCheckpointintervalmultiplier(1);
    const read = rawSubscription(server.port, start.position as Position, filter);
    try {
      await eventually(() => read.replies.includes('caught_up'));
      for (const kind of ['Skip', 'Skip', 'Skip', 'Keep'])
        await client.appendToStream(stream('wire.quiet'), event(`${kind}${tag}`));
      const keep = server.log.head();
      await eventually(() => read.replies.includes(`checkpoint ${keep}`));
      // Three records looked at live and nothing sent for them: the fourth fills the window.
      expect(read.replies).toEqual([
        'confirmation',
        `checkpoint ${start.position?.commit}`,
        'caught_up',
        `event Keep${tag}`,
        `checkpoint ${keep}`,
      ]);
    } finally {
      read.cancel();
    }
  });

  it('sends checkpoints at the filter checkpoint interval, in order with the events', async () => {
    const tag = randomUUID().slice(0, 8);
    const start = await client.appendToStream(stream('wire.filter'), event('Noise'));
    const kinds = ['Skip', 'Keep', 'Skip', 'Skip', 'Skip', 'Keep'];
    await client.appendToStream(
      stream('wire.filter'),
      kinds.map((kind) => event(`${kind}${tag}`)),
    );
    const filter = new ReadReq.Options.FilterOptions();
    const expression = new ReadReq.Options.FilterOptions.Expression();
    expression.setPrefixList([`Keep${tag}`]);
    filter.setEventType(expression);
    // A window of 1 and a multiplier of 2: a checkpoint after every second record looked at.
    filter.setMax(1);
    filter.setCheckpointintervalmultiplier(2);
    const read = rawSubscription(server.port, start.position as Position, filter);
    try {
      await eventually(() => read.replies.includes('caught_up'));
      const base = (start.position as Position).commit;
      expect(read.replies).toEqual([
        'confirmation',
        `event Keep${tag}`,
        `checkpoint ${base + 2n}`,
        `checkpoint ${base + 4n}`,
        `event Keep${tag}`,
        `checkpoint ${base + 6n}`,
        'caught_up',
      ]);
    } finally {
      read.cancel();
    }
  });

  it('subscribes from a position exclusively, and from the end to live events only', async () => {
    const name = stream('wire.from');
    const first = await client.appendToStream(name, event('E0'));
    await client.appendToStream(name, event('E1'));
    const fromPosition = watch(() =>
      client.subscribeToAll({
        fromPosition: first.position as Position,
        filter: streamNameFilter({ prefixes: [name] }),
      }),
    );
    const fromEnd = watch(() =>
      client.subscribeToAll({ fromPosition: END, filter: streamNameFilter({ prefixes: [name] }) }),
    );
    try {
      await fromPosition.until((list) => list.some((item) => item.kind === 'caughtUp'));
      await fromEnd.until((list) => list.some((item) => item.kind === 'caughtUp'));
      await client.appendToStream(name, event('E2'));
      await fromPosition.until((list) => list.filter((item) => item.kind === 'event').length === 2);
      await fromEnd.until((list) => list.some((item) => item.kind === 'event'));
      const types = (list: Seen[]) => list.flatMap((item) => (item.kind === 'event' ? [item.type] : []));
      expect(types(fromPosition.seen)).toEqual(['E1', 'E2']);
      expect(types(fromEnd.seen)).toEqual(['E2']);
    } finally {
      await fromPosition.subscription.unsubscribe();
      await fromEnd.subscription.unsubscribe();
    }
  });

  it('subscribes to one stream from the start or after a revision', async () => {
    const name = stream('wire.one');
    await client.appendToStream(name, [event('S0'), event('S1'), event('S2')]);
    await client.appendToStream(stream('wire.one'), event('Elsewhere'));
    const types = async (fromRevision: bigint | typeof START) => {
      const subscription = client.subscribeToStream(name, { fromRevision });
      const seen: string[] = [];
      subscription.on('data', ({ event: recorded }: { event?: { type: string } }) => seen.push(recorded?.type ?? ''));
      subscription.on('caughtUp', () => seen.push('caughtUp'));
      try {
        await eventually(() => seen.includes('caughtUp'));
        return seen.filter((type) => type !== 'caughtUp');
      } finally {
        await subscription.unsubscribe();
      }
    };
    expect(await types(START)).toEqual(['S0', 'S1', 'S2']);
    expect(await types(0n)).toEqual(['S1', 'S2']);
  });

  it('through the client: filters by event type and reports checkpoints', async () => {
    const tag = randomUUID().slice(0, 8);
    const name = stream('wire.filter');
    const start = await client.appendToStream(stream('wire.filter'), event('Noise'));
    await client.appendToStream(name, [
      event(`Skip${tag}`),
      event(`Keep${tag}`),
      event(`Skip${tag}`),
      event(`Skip${tag}`),
      event(`Skip${tag}`),
      event(`Keep${tag}`),
    ]);
    const { seen, subscription, until } = watch((checkpointReached) =>
      client.subscribeToAll({
        fromPosition: start.position as Position,
        // A window of 1 and a multiplier of 2: a checkpoint after every second record looked at.
        filter: eventTypeFilter({
          prefixes: [`Keep${tag}`],
          maxSearchWindow: 1,
          checkpointInterval: 2,
          checkpointReached: (_s, at) => checkpointReached(at),
        }),
      }),
    );
    try {
      await until((list) => list.some((item) => item.kind === 'caughtUp'));
      const events = seen.filter((item) => item.kind === 'event');
      expect(events.map((item) => item.type)).toEqual([`Keep${tag}`, `Keep${tag}`]);
      const checkpoints = seen.flatMap((item) => (item.kind === 'checkpoint' ? [item.at.commit] : []));
      const base = (start.position as Position).commit;
      expect(checkpoints).toEqual([base + 2n, base + 4n, base + 6n]);
    } finally {
      await subscription.unsubscribe();
    }
  });

  it('filters by a stream name regex', async () => {
    const tag = randomUUID().slice(0, 8);
    await client.appendToStream(`wire.rx${tag}-1`, event('One'));
    await client.appendToStream(`wire.other${tag}-2`, event('Two'));
    await client.appendToStream(`wire.rx${tag}-3`, event('Three'));
    const { seen, subscription, until } = watch(() =>
      client.subscribeToAll({ fromPosition: START, filter: streamNameFilter({ regex: `^wire\\.rx${tag}-\\d+$` }) }),
    );
    try {
      await until((list) => list.some((item) => item.kind === 'caughtUp'));
      expect(seen.flatMap((item) => (item.kind === 'event' ? [item.type] : []))).toEqual(['One', 'Three']);
    } finally {
      await subscription.unsubscribe();
    }
  });

  it('stops serving a subscription the client cancels', async () => {
    // Earlier tests' cancellations reach the server asynchronously.
    await eventually(() => server.openSubscriptions() === 0);
    const { subscription, until } = watch(() => client.subscribeToAll({ fromPosition: END }));
    await until((list) => list.some((item) => item.kind === 'caughtUp'));
    expect(server.openSubscriptions()).toBe(1);
    await subscription.unsubscribe();
    await eventually(() => server.openSubscriptions() === 0);
    // The server keeps working for everyone else.
    await expect(client.appendToStream(stream(), event('After'))).resolves.toMatchObject({ success: true });
  });
});

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * One `Streams/Read` subscription made with the generated stub, recording every reply exactly as
 * the server sent it: the client library reports caught-up and checkpoints beside its event
 * stream, so only the raw replies show their order.
 */
function rawSubscription(port: number, after: Position, filter: ReadReq.Options.FilterOptions) {
  const position = new ReadReq.Options.Position();
  position.setCommitPosition(after.commit.toString());
  position.setPreparePosition(after.prepare.toString());
  const all = new ReadReq.Options.AllOptions();
  all.setPosition(position);
  const uuids = new ReadReq.Options.UUIDOption();
  uuids.setString(new Empty());
  const options = new ReadReq.Options();
  options.setAll(all);
  options.setSubscription(new ReadReq.Options.SubscriptionOptions());
  options.setFilter(filter);
  options.setUuidOption(uuids);
  const request = new ReadReq();
  request.setOptions(options);

  const stub = new StreamsClient(`127.0.0.1:${port}`, grpcCredentials.createInsecure());
  const replies: string[] = [];
  const call = stub.read(request);
  call.on('data', (reply: ReadResp) => {
    if (reply.hasConfirmation()) replies.push('confirmation');
    else if (reply.hasCaughtUp()) replies.push('caught_up');
    else if (reply.hasCheckpoint()) replies.push(`checkpoint ${reply.getCheckpoint()?.getCommitPosition()}`);
    else if (reply.hasEvent()) replies.push(`event ${reply.getEvent()?.getEvent()?.getMetadataMap().get('type')}`);
    else replies.push(`unexpected ${reply.getContentCase()}`);
  });
  call.on('error', () => undefined);
  return {
    replies,
    cancel: () => {
      call.cancel();
      stub.close();
    },
  };
}
