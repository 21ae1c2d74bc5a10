/**
 * `npm run bench -- subscription-reads`: what the live reads of a projector cost the database.
 *
 * A projector's runners each follow `$all` with the filter of their projection (its event types,
 * and for some its stream prefixes); the MySQL store sends the live reads of one wake-up as one
 * query with the union of their filters. That query's text grows with the number of types, and the
 * server evaluates the filter for every row it returns. This bench subscribes, from the head, the
 * filters of every projection the projector runs (as `ProjectionRunner` builds them), or those of
 * one projection alone, then appends ordering events one command at a time and waits until every
 * subscription has seen each one: what a live projector does per command, without the projections'
 * own writes. It reports the server's CPU per append (the append itself included, measured alone
 * first) and this process's.
 *
 * Env: BENCH_APPENDS (1500), BENCH_ROUNDS (3; medians are reported).
 */
import { randomUUID } from 'node:crypto';
import {
  matchesFilter,
  type Subscription,
  type SubscriptionFilter,
  type SubscriptionMessage,
} from '@tracershop/event-store';
import { migrateEventStoreSchema, MysqlEventStore } from '@tracershop/event-store/adapters/mysql';
import { allProjections } from '@tracershop/projections/all';
import { legacyProjection } from '@tracershop/projections/legacy';
import { dropTestDatabase, MYSQL_TEST_CONNECTION, testDatabaseName } from '../test/contract/mysql-test-database';
import { report, row, type BenchRow } from './bench-report';
import { cpuSecondsOf, findDatabaseServerPid } from './commands/cpu-usage';
import { orderEvent } from './event-store.bench';
import type { Projection } from '@tracershop/projections/engine';

const APPENDS = Number(process.env.BENCH_APPENDS ?? 1_500);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

/** The filter `ProjectionRunner` subscribes with. */
const filterOf = (projection: Projection): SubscriptionFilter => ({
  eventTypePrefixes: [...projection.eventTypes],
  ...(projection.streamPrefixes ? { streamPrefixes: [...projection.streamPrefixes] } : {}),
});

interface Setup {
  name: string;
  filters: SubscriptionFilter[];
}

const SETUPS: Setup[] = [
  { name: 'appends alone (no subscription)', filters: [] },
  { name: `every projection (${allProjections.length} filters)`, filters: allProjections.map(filterOf) },
  { name: 'legacy.tracershop alone', filters: [filterOf(legacyProjection)] },
];

type Messages = AsyncIterator<SubscriptionMessage>;

/**
 * Reads on until a message `until` accepts. The iterator is driven by hand: leaving a `for await`
 * early would close the subscription.
 */
async function readUntil(messages: Messages, until: (message: SubscriptionMessage) => boolean): Promise<void> {
  for (;;) {
    const next = await messages.next();
    if (next.done) throw new Error('The subscription ended');
    if (until(next.value)) return;
  }
}

interface Measured {
  serverMsPerAppend: number;
  clientMsPerAppend: number;
  seconds: number;
}

async function measure(store: MysqlEventStore, setup: Setup, serverPid: number | null): Promise<Measured> {
  const prefix = `ordering.deliveryDay-bench${randomUUID().slice(0, 8)}:`;
  const subscriptions: Subscription[] = setup.filters.map((filter) =>
    store.subscribeToAll({ fromPosition: 'end', filter }),
  );
  const messages: Messages[] = subscriptions.map((subscription) => subscription[Symbol.asyncIterator]());
  // Caught up at the head before anything is measured.
  await Promise.all(messages.map((each) => readUntil(each, (message) => message.kind === 'caughtUp')));
  // Subscriptions whose filter takes the bench's events; the others read (the same shared query) and skip them.
  const waitedFor = messages.filter((_, index) =>
    ['OrderPlaced', 'OrderAccepted'].every((type) => matchesFilter({ streamId: prefix, type }, setup.filters[index])),
  );
  let appended = 0;
  const server0 = serverPid === null ? null : cpuSecondsOf(serverPid);
  const client0 = process.cpuUsage();
  const started = performance.now();
  try {
    for (let index = 0; index < APPENDS; index++) {
      await store.append(`${prefix}${index % 30}`, [orderEvent(index)], 'any');
      appended += 1;
      // Every subscription sees the event before the next command, as a live projector at rest would.
      const mine = (message: SubscriptionMessage) =>
        message.kind === 'event' && message.event.streamId.startsWith(prefix);
      await Promise.all(waitedFor.map((each) => readUntil(each, mine)));
    }
  } finally {
    await Promise.all(subscriptions.map((subscription) => subscription.close()));
  }
  const seconds = (performance.now() - started) / 1000;
  const client = process.cpuUsage(client0);
  const server1 = serverPid === null ? null : cpuSecondsOf(serverPid);
  if (setup.filters.length > 0 && waitedFor.length === 0) throw new Error(`${setup.name}: no filter takes the events`);
  return {
    serverMsPerAppend: server0 === null || server1 === null ? NaN : ((server1 - server0) * 1000) / appended,
    clientMsPerAppend: (client.user + client.system) / 1000 / appended,
    seconds,
  };
}

/** The median, to the microsecond. */
const median = (values: number[]) =>
  Math.round([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] * 1000) / 1000;

export async function run(): Promise<void> {
  const database = testDatabaseName('subscription_reads');
  await migrateEventStoreSchema(MYSQL_TEST_CONNECTION, database);
  const store = new MysqlEventStore({ connection: { ...MYSQL_TEST_CONNECTION, connectionLimit: 4 }, database });
  const serverPid = findDatabaseServerPid();
  const rows: BenchRow[] = [];
  const figures: Record<string, Measured> = {};
  try {
    const results = new Map<string, Measured[]>(SETUPS.map((setup) => [setup.name, []]));
    // Alternately, so that the machine's drift touches every setup alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const setup of SETUPS) results.get(setup.name)?.push(await measure(store, setup, serverPid));
    }
    for (const setup of SETUPS) {
      const measured = results.get(setup.name) ?? [];
      const figure: Measured = {
        serverMsPerAppend: median(measured.map((m) => m.serverMsPerAppend)),
        clientMsPerAppend: median(measured.map((m) => m.clientMsPerAppend)),
        seconds: median(measured.map((m) => m.seconds)),
      };
      figures[setup.name] = figure;
      rows.push({
        ...row('mysql', `live reads: ${setup.name}`, APPENDS, figure.seconds),
        note:
          `server CPU ${figure.serverMsPerAppend.toFixed(3)} ms per append (reads included), ` +
          `this process ${figure.clientMsPerAppend.toFixed(3)} ms; median of ${ROUNDS} rounds`,
      });
    }
  } finally {
    await store.close();
    await dropTestDatabase(database);
  }
  report('subscription-reads', rows, {
    appends: APPENDS,
    rounds: ROUNDS,
    figures,
    filters: Object.fromEntries(SETUPS.map((setup) => [setup.name, setup.filters.length])),
  });
}
