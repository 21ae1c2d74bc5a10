import { randomUUID } from 'node:crypto';
import { CommandPipeline } from '@tracershop/command-pipeline';
import { loadConfiguration } from '@tracershop/config';
import { openEventStore } from '@tracershop/platform';
import { registeredUserCommands } from '../../apps/api/src/identity/identity-commands';
import { OPERATOR_ID, OperatorPasswordResets } from '../../apps/api/src/identity/operator-password-resets';
import { sendCommand } from '../commands/catalog-seed';
import { inParallel } from '../commands/in-parallel';

/** One customer as the simulation uses it: its endpoint, its slots by weekday and its shop member. */
export interface SeededCustomer {
  index: number;
  customerId: string;
  endpointId: string;
  dispenserNumber: number;
  /** ISO weekday (1–5) → the 08:00 slot (run 1) and the 10:30 slot (run 2). */
  slots: Record<number, { early: string; late: string }>;
  /** The shop member who orders for this customer. */
  shopHeaders: Record<string, string>;
}

export interface SeededMonth {
  tracerId: string;
  customers: SeededCustomer[];
  productionRunIds: string[];
  productionHeaders: Record<string, string>;
  releaserHeaders: Record<string, string>;
  /** What a release signature sends: the releaser's own username and password. */
  releaserSignature: { username: string; password: string };
  commands: number;
  seconds: number;
}

const SEED_CONCURRENCY = 16;
const WEEKDAYS = [1, 2, 3, 4, 5] as const;
/** The runs every weekday: run 1 at 06:00 feeds the 08:00 slots, run 2 at 09:00 the 10:30 slots. */
const RUNS = [
  { runNumber: 1, productionTime: '06:00', deliveryTime: '08:00' },
  { runNumber: 2, productionTime: '09:00', deliveryTime: '10:30' },
] as const;
/** The admin requests it, the operator confirms it; every person replaces it at the first login. */
const INITIAL_PASSWORD = 'initial-Passphrase-42';
/** How the bench admin "verified" the bench people (`POST /identity/users` requires it). */
const BENCH_IDENTITY = { method: 'employer-record', reference: 'bench person, no one real' } as const;
const CHOSEN_PASSWORD = 'chosen-Passphrase-43';
const SESSION_TIMEOUT_MS = 60_000;

async function postJson(
  apiUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
}

/** Logs a person in, replacing the password the admin set first, and waits until `/auth/me` knows the session. */
async function logIn(apiUrl: string, username: string): Promise<Record<string, string>> {
  const login = async (password: string) => {
    const response = await postJson(apiUrl, '/auth/login', { username, password });
    if (!response.ok)
      throw new Error(`POST /auth/login (${username}) answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as { token: string; user: { mustChangePassword: boolean } };
  };
  let session = await login(INITIAL_PASSWORD);
  if (session.user.mustChangePassword) {
    const changed = await postJson(
      apiUrl,
      '/auth/password',
      { currentPassword: INITIAL_PASSWORD, newPassword: CHOSEN_PASSWORD },
      { authorization: `Bearer ${session.token}` },
    );
    if (!changed.ok)
      throw new Error(`POST /auth/password (${username}) answered ${changed.status}: ${await changed.text()}`);
    session = await login(CHOSEN_PASSWORD);
  }
  const headers = { authorization: `Bearer ${session.token}` };
  const deadline = Date.now() + SESSION_TIMEOUT_MS;
  for (;;) {
    const me = await fetch(`${apiUrl}/auth/me`, { headers, signal: AbortSignal.timeout(5_000) });
    await me.arrayBuffer();
    if (me.ok) return headers;
    if (Date.now() > deadline) throw new Error(`GET /auth/me answered ${me.status} to ${username}'s session`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The operator on the server (what the cli's `user confirm-password-reset` does), on the event
 * store of the api under test: the second person of each password the bench admin requests.
 */
async function operatorOn(eventsDatabase: string) {
  const store = await openEventStore(loadConfiguration({ ...process.env, EVENTS_DATABASE: eventsDatabase }));
  const resets = new OperatorPasswordResets(new CommandPipeline({ store }), store, registeredUserCommands);
  return {
    confirm: (userId: string) =>
      resets.confirm(userId, {
        actor: { kind: 'system', id: OPERATOR_ID, printedName: 'operator bench', role: 'system' },
        correlationId: randomUUID(),
        causationId: randomUUID(),
      }),
    close: () => store.close(),
  };
}

/**
 * The FDG production's reference data and people, over HTTP as an administrator would enter them:
 * F-18, FDG (legacy id 6), `customers` customers with one endpoint each, runs 1 and 2 every
 * weekday, an 08:00 and a 10:30 slot per endpoint and weekday, FDG permissions, a shop member per
 * customer, a production user and a releaser with an FDG release right.
 */
export async function seedMonth(
  apiUrl: string,
  adminHeaders: Record<string, string>,
  customerCount: number,
  eventsDatabase: string,
): Promise<SeededMonth> {
  const started = performance.now();
  let commands = 0;
  const send = async (method: 'POST' | 'PUT', path: string, body: unknown) => {
    commands += 1;
    return sendCommand(apiUrl, adminHeaders, method, path, body);
  };
  const created = async (path: string, body: unknown) => (await send('POST', path, body)).id;

  const isotopeId = await created('/catalog/isotopes', {
    name: 'F-18',
    atomicNumber: 9,
    atomicMass: 18,
    halfLifeSeconds: 6586.2,
    metastable: false,
  });
  const tracerId = await created('/catalog/tracers', {
    shortName: 'FDG',
    clinicalName: 'Fludeoxyglucose (18F)',
    isotopeId,
    kind: 'activity',
    vialTag: 'FDG',
    inUse: true,
    legacyId: 6,
  });

  const runPlan = WEEKDAYS.flatMap((weekday) => RUNS.map((run) => ({ weekday, run })));
  const runIds = await inParallel(runPlan, SEED_CONCURRENCY, ({ weekday, run }) =>
    created('/catalog/production-runs', {
      tracerId,
      weekday,
      productionTime: run.productionTime,
      runNumber: run.runNumber,
    }),
  );
  const runOf = (weekday: number, runNumber: number) =>
    runIds[runPlan.findIndex((plan) => plan.weekday === weekday && plan.run.runNumber === runNumber)];

  const number = (index: number) => String(index + 1).padStart(3, '0');
  const customers = await inParallel(range(customerCount), SEED_CONCURRENCY, async (index) => {
    const customerId = await created('/catalog/customers', {
      shortName: `bench-${number(index)}`,
      longName: `Bench Hospital ${number(index)}`,
      dispenserNumber: index + 1,
      overheadPercent: 10,
      contactPerson: 'Anne Jensen',
      emails: [`pet-${number(index)}@hospital.example`],
      phone: '+45 38 68 00 00',
    });
    const endpointId = await created('/catalog/delivery-endpoints', {
      customerId,
      name: `PET-center ${number(index)}`,
      address: 'Borgmester Ib Juuls Vej 1',
      city: 'Herlev',
      zip: '2730',
    });
    await send('PUT', `/catalog/delivery-endpoints/${endpointId}/tracers/${tracerId}`, {});
    return { index, customerId, endpointId, dispenserNumber: index + 1 };
  });

  const slotPlan = customers.flatMap((customer) =>
    WEEKDAYS.flatMap((weekday) => RUNS.map((run) => ({ customer, weekday, run }))),
  );
  const slotIds = await inParallel(slotPlan, SEED_CONCURRENCY, ({ customer, weekday, run }) =>
    created('/catalog/delivery-time-slots', {
      endpointId: customer.endpointId,
      productionRunId: runOf(weekday, run.runNumber),
      deliveryTime: run.deliveryTime,
      repeat: 'every',
    }),
  );
  // slotPlan is customer-major, then weekday, then run: the index of a slot follows from those three.
  const slotsOf = (customerIndex: number) => {
    const slots: Record<number, { early: string; late: string }> = {};
    WEEKDAYS.forEach((weekday, weekdayIndex) => {
      const first = (customerIndex * WEEKDAYS.length + weekdayIndex) * RUNS.length;
      slots[weekday] = { early: slotIds[first], late: slotIds[first + 1] };
    });
    return slots;
  };

  /**
   * Registers a person with a role, sets the first password (requested by the admin, confirmed by
   * the operator: Part 11 §11.200(a)) and logs in as them.
   */
  const operator = await operatorOn(eventsDatabase);
  const person = async (username: string, grant: object, then?: (userId: string) => Promise<unknown>) => {
    const userId = await created('/identity/users', {
      username,
      printedName: `Bench ${username}`,
      identityVerification: BENCH_IDENTITY,
    });
    await send('POST', `/identity/users/${userId}/roles`, grant);
    await then?.(userId);
    await send('POST', `/identity/users/${userId}/password`, {
      password: INITIAL_PASSWORD,
      reason: 'first password of a bench person',
    });
    await operator.confirm(userId);
    return logIn(apiUrl, username);
  };
  let productionHeaders: Record<string, string>;
  let releaserHeaders: Record<string, string>;
  let shopHeaders: Record<string, string>[];
  const releaserUsername = 'rita.releaser';
  try {
    productionHeaders = await person('paul.production', { role: 'production' });
    releaserHeaders = await person(releaserUsername, { role: 'releaser' }, (userId) =>
      send('POST', `/identity/users/${userId}/release-rights`, { tracerId }),
    );
    shopHeaders = await inParallel(customers, SEED_CONCURRENCY, (customer) =>
      person(`shop.${number(customer.index)}`, { role: 'shop', customerIds: [customer.customerId] }),
    );
  } finally {
    await operator.close();
  }

  return {
    tracerId,
    customers: customers.map((customer) => ({
      ...customer,
      slots: slotsOf(customer.index),
      shopHeaders: shopHeaders[customer.index],
    })),
    productionRunIds: runIds,
    productionHeaders,
    releaserHeaders,
    releaserSignature: { username: releaserUsername, password: CHOSEN_PASSWORD },
    commands,
    seconds: (performance.now() - started) / 1000,
  };
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}
