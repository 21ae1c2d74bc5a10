import { randomBytes } from 'node:crypto';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { hashPassword } from '@tracershop/auth';
import {
  nameBasedUuid,
  type CommandContext,
  type CommandDefinition,
  type CommandPipeline,
} from '@tracershop/command-pipeline';
import type { DomainEvent } from '@tracershop/domain/kernel';
import { usernameClaimDecider, usernameClaimStreamName, type Role } from '@tracershop/domain/identity';
import { customerDecider, customerStreamName, type IsoWeekday } from '@tracershop/domain/catalog';
import type { EventStore, RecordedEvent } from '@tracershop/event-store';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import type { CatalogReadModel } from '@tracershop/projections/record';
import { CUSTOMER_ROLE } from '@tracershop/projections/legacy';
import {
  catalogCommands,
  legacyIdAllocatedByHandler,
  refsLoadedByHandler,
} from '../../api/src/catalog/catalog-commands';
import { identityCommands } from '../../api/src/identity/identity-commands';
import { OperatorPasswordResets } from '../../api/src/identity/operator-password-resets';
import type { LegacyIdAllocator } from '../../api/src/legacy-ids/legacy-id-allocator';

/**
 * A small, complete demo catalogue and its people, made through the same commands (and rules) as
 * the api: F-18 with FDG (activity, the old system's tracer 6) and FET (injection); three
 * customers with one endpoint each, all permitted FDG and one FET; two FDG runs a weekday (06:00,
 * 09:00) Monday to Friday, each customer delivered at 08:00 and 10:30; a person per role, with a
 * generated password each must change at the first login. The operator chose those passwords, so
 * each waits for an administrator's confirmation (Part 11 §11.200(a)), unless no administrator
 * exists yet. Ids are derived from names, so a second run changes nothing.
 *
 * Its events are permanent and the legacy projection writes its customers into the old system's
 * tables, so it runs only on an empty deployment: the event store holds nothing but a previous
 * run's events and the bookkeeping of any new deployment (its users, the audit evidence of
 * `verify` and `export`, legacy id reservations), and the record database's `Users` table holds
 * none of the old system's customers.
 */

const id = (name: string) => nameBasedUuid(`tracershop-demo:${name}`);
const WEEKDAYS: IsoWeekday[] = [1, 2, 3, 4, 5];
const CUSTOMERS = [
  { key: 'herlev', longName: 'Herlev Hospital, Nuklearmedicinsk afdeling', dispenserNumber: 2, overheadPercent: 10 },
  { key: 'glostrup', longName: 'Glostrup Hospital, PET-centret', dispenserNumber: 3, overheadPercent: 15 },
  { key: 'rigs', longName: 'Rigshospitalet, Klinisk fysiologi', dispenserNumber: 7, overheadPercent: 10 },
] as const;
const RUNS = [
  { runNumber: 1, productionTime: '06:00', slotTime: '08:00' },
  { runNumber: 2, productionTime: '09:00', slotTime: '10:30' },
] as const;

export class DemoSeedRefusedError extends Error {}

/** Every event seed-demo appends is caused by one of its steps (`seed-demo:<step>`). */
const SEED_CAUSATION = 'seed-demo:';
/** Streams any deployment has before it holds data: its users, audit evidence, legacy id blocks. */
const BOOKKEEPING_STREAMS = ['identity.', 'audit.', 'legacy.idBlock-'];
const SCAN_PAGE = 1000;

/** Where seed-demo would write: the event store, and the record database with the old system's tables. */
export interface DemoSeedDeployment {
  store: EventStore;
  record: Pool;
  recordDatabase: string;
}

export interface DemoPerson {
  username: string;
  role: Role;
  /** Null when the person existed already: the password was set before and is not shown again. */
  password: string | null;
  /** The password waits for an administrator's confirmation before it works. */
  waitsForConfirmation: boolean;
}

export interface DemoSeedReport {
  commands: number;
  events: number;
  people: DemoPerson[];
}

export async function seedDemo(deps: {
  pipeline: CommandPipeline;
  catalog: CatalogReadModel;
  legacyIds: LegacyIdAllocator;
  context: CommandContext;
  scryptCost: number;
  /** The event store and record database it checks are empty of data first. */
  deployment: DemoSeedDeployment;
}): Promise<DemoSeedReport> {
  const { pipeline, catalog, legacyIds, context } = deps;
  await assertEmptyDeployment(pipeline, deps.deployment);
  const commands = catalogCommands(pipeline, catalog, legacyIds);
  const identity = identityCommands(pipeline, legacyIds);
  const resets = new OperatorPasswordResets(pipeline, deps.deployment.store, identity.user);
  const report: DemoSeedReport = { commands: 0, events: 0, people: [] };
  const at = () => new Date().toISOString();
  const send = async <C, E extends DomainEvent, S>(
    definition: CommandDefinition<C, E, S>,
    command: NoInfer<C>,
    step: string,
  ) => {
    const result = await pipeline.execute(definition, command, { ...context, causationId: `seed-demo:${step}` });
    report.commands += 1;
    report.events += result.events.length;
  };

  const f18 = id('isotope:F-18');
  await send(
    commands.isotope,
    {
      type: 'RegisterIsotope',
      isotopeId: f18,
      name: 'F-18',
      atomicNumber: 9,
      atomicMass: 18,
      halfLifeSeconds: 6586.2,
      metastable: false,
      legacyId: legacyIdAllocatedByHandler,
      at: at(),
    },
    'isotope:F-18',
  );
  const tracer = (shortName: string, clinicalName: string, kind: 'activity' | 'injection', legacyId: number) => ({
    type: 'RegisterTracer' as const,
    tracerId: id(`tracer:${shortName}`),
    shortName,
    clinicalName,
    isotopeId: f18,
    kind,
    vialTag: shortName,
    inUse: true,
    legacyId,
    at: at(),
    refs: refsLoadedByHandler,
  });
  // FDG is the old system's tracer 6 (legacy-tables.md); FET takes an id of its own.
  await send(commands.tracer, tracer('FDG', 'Fludeoxyglucose (18F)', 'activity', 6), 'tracer:FDG');
  await send(
    commands.tracer,
    tracer('FET', 'Fluoroethyltyrosine (18F)', 'injection', legacyIdAllocatedByHandler),
    'tracer:FET',
  );
  const fdg = id('tracer:FDG');
  const fet = id('tracer:FET');

  for (const weekday of WEEKDAYS) {
    for (const run of RUNS) {
      await send(
        commands.productionRun,
        {
          type: 'ScheduleProductionRun',
          productionRunId: id(`run:${weekday}:${run.runNumber}`),
          tracerId: fdg,
          weekday,
          productionTime: run.productionTime,
          runNumber: run.runNumber,
          maxActivityMBq: null,
          legacyId: legacyIdAllocatedByHandler,
          at: at(),
          refs: refsLoadedByHandler,
        },
        `run:${weekday}:${run.runNumber}`,
      );
    }
  }

  for (const [index, customer] of CUSTOMERS.entries()) {
    const customerId = id(`customer:${customer.key}`);
    const endpointId = id(`endpoint:${customer.key}`);
    await send(
      commands.customer,
      {
        type: 'RegisterCustomer',
        customerId,
        shortName: customer.key,
        longName: customer.longName,
        dispenserNumber: customer.dispenserNumber,
        overheadPercent: customer.overheadPercent,
        legacyId: legacyIdAllocatedByHandler,
        at: at(),
      },
      `customer:${customer.key}`,
    );
    await send(
      commands.deliveryEndpoint,
      {
        type: 'RegisterDeliveryEndpoint',
        endpointId,
        customerId,
        name: 'PET',
        address: null,
        city: null,
        zip: null,
        phone: null,
        at: at(),
        refs: refsLoadedByHandler,
      },
      `endpoint:${customer.key}`,
    );
    const permitted = index === 0 ? [fdg, fet] : [fdg];
    for (const tracerId of permitted) {
      await send(
        commands.tracerPermission,
        {
          type: 'GrantTracerPermission',
          endpointId,
          tracerId,
          ...(tracerId === fet ? { maxInjections: 6 } : {}),
          legacyId: legacyIdAllocatedByHandler,
          at: at(),
          refs: refsLoadedByHandler,
        },
        `permission:${customer.key}:${tracerId === fdg ? 'FDG' : 'FET'}`,
      );
    }
    for (const weekday of WEEKDAYS) {
      for (const run of RUNS) {
        await send(
          commands.deliveryTimeSlot,
          {
            type: 'ScheduleDeliveryTimeSlot',
            slotId: id(`slot:${customer.key}:${weekday}:${run.runNumber}`),
            endpointId,
            productionRunId: id(`run:${weekday}:${run.runNumber}`),
            deliveryTime: run.slotTime,
            repeat: 'every',
            maxActivityMBq: null,
            expiryDate: null,
            legacyId: legacyIdAllocatedByHandler,
            at: at(),
            refs: refsLoadedByHandler,
          },
          `slot:${customer.key}:${weekday}:${run.runNumber}`,
        );
      }
    }
  }

  const people: Array<{ username: string; printedName: string; role: Role; customerIds?: string[] }> = [
    { username: 'demo.production', printedName: 'Demo Production', role: 'production' },
    { username: 'demo.releaser', printedName: 'Demo Releaser', role: 'releaser' },
    { username: 'demo.auditor', printedName: 'Demo Auditor', role: 'auditor' },
    ...CUSTOMERS.map((customer) => ({
      username: `demo.${customer.key}`,
      printedName: `Demo ${customer.key}`,
      role: 'shop' as const,
      customerIds: [id(`customer:${customer.key}`)],
    })),
  ];
  for (const person of people) {
    const claim = await pipeline.loadState(usernameClaimStreamName(person.username), usernameClaimDecider);
    if (claim.userId) {
      report.people.push({ username: person.username, role: person.role, password: null, waitsForConfirmation: false });
      continue;
    }
    const userId = id(`user:${person.username}`);
    await send(
      identity.user,
      {
        type: 'RegisterUser',
        userId,
        username: person.username,
        printedName: person.printedName,
        // Demo accounts: no person's identity stands behind them, and the record says so.
        identityVerification: {
          method: 'deployment-setup',
          reference: 'seed-demo: a demo account, no person verified',
          verifiedBy: context.actor.id,
        },
        legacyUserId: legacyIdAllocatedByHandler,
        at: at(),
      },
      `user:${person.username}`,
    );
    await send(
      identity.user,
      { type: 'GrantRole', userId, role: person.role, customerIds: person.customerIds, at: at() },
      `role:${person.username}`,
    );
    if (person.role === 'releaser') {
      await send(
        identity.user,
        { type: 'GrantReleaseRight', userId, tracerId: fdg, expiresOn: null, grantedBy: context.actor.id, at: at() },
        `release-right:${person.username}`,
      );
    }
    // Shown once, here; the person chooses their own at the first login.
    const password = `Demo-${randomBytes(9).toString('base64url')}`;
    const requested = await resets.request(userId, await hashPassword(password, deps.scryptCost), {
      ...context,
      reason: 'demo account (seed-demo)',
      causationId: `seed-demo:password:${person.username}`,
    });
    report.commands += requested.withoutSecondPerson ? 2 : 1;
    report.events += requested.events;
    report.people.push({
      username: person.username,
      role: person.role,
      password,
      waitsForConfirmation: !requested.withoutSecondPerson,
    });
  }
  return report;
}

/**
 * Refuses a deployment that holds data: an event seed-demo did not append (other than
 * bookkeeping), or a customer of the old system in the record database's `Users` table (one with
 * the customer role in `UserRoles`; the demo's own customers, projected there, do not count).
 */
export async function assertEmptyDeployment(pipeline: CommandPipeline, deployment: DemoSeedDeployment): Promise<void> {
  const foreign = await firstForeignEvent(deployment.store);
  if (foreign) {
    throw new DemoSeedRefusedError(
      `the event store holds events of its own (${foreign.type} on ${foreign.streamId} …): ` +
        'seed-demo is for an empty deployment',
    );
  }
  const demoLegacyIds: number[] = [];
  for (const customer of CUSTOMERS) {
    const state = await pipeline.loadState(customerStreamName(id(`customer:${customer.key}`)), customerDecider);
    if (state.status !== 'absent') demoLegacyIds.push(state.legacyId);
  }
  const customers = await legacyCustomers(deployment, demoLegacyIds);
  if (customers.count > 0) {
    throw new DemoSeedRefusedError(
      `the record database ${deployment.recordDatabase} holds ${customers.count} customers of the old system ` +
        `in Users (${customers.first} …): seed-demo would write into its tables; it is for an empty deployment`,
    );
  }
}

async function firstForeignEvent(store: EventStore): Promise<RecordedEvent | null> {
  for (let after: RecordedEvent['position'] | undefined; ;) {
    const page = await store.readAll({ fromPosition: after, maxCount: SCAN_PAGE });
    const foreign = page.find(
      (event) =>
        !event.metadata.causationId?.startsWith(SEED_CAUSATION) &&
        !BOOKKEEPING_STREAMS.some((prefix) => event.streamId.startsWith(prefix)),
    );
    if (foreign) return foreign;
    if (page.length < SCAN_PAGE) return null;
    after = page[page.length - 1]?.position;
  }
}

async function legacyCustomers(
  { record, recordDatabase }: DemoSeedDeployment,
  except: number[],
): Promise<{ count: number; first: string | null }> {
  const database = quoteIdentifier(recordDatabase);
  try {
    const [rows] = await record.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS count, MIN(u.Username) AS first
         FROM ${database}.Users u JOIN ${database}.UserRoles r ON r.Id_User = u.Id AND r.Id_Role = ?
        WHERE u.Id NOT IN (?)`,
      // `NOT IN (NULL)` holds for no row: an id no row has stands for an empty list.
      [CUSTOMER_ROLE, except.length > 0 ? except : [-1]],
    );
    return { count: Number(rows[0]?.count ?? 0), first: (rows[0]?.first as string | null) ?? null };
  } catch (error) {
    // A record database the old system never had: no customers of its.
    if ((error as { code?: unknown }).code === 'ER_NO_SUCH_TABLE') return { count: 0, first: null };
    throw error;
  }
}
