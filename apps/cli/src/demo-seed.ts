import { randomBytes } from 'node:crypto';
import { hashPassword } from '@tracershop/auth';
import {
  nameBasedUuid,
  type CommandContext,
  type CommandDefinition,
  type CommandPipeline,
} from '@tracershop/command-pipeline';
import type { DomainEvent } from '@tracershop/domain/kernel';
import { usernameClaimDecider, usernameClaimStreamName, type Role } from '@tracershop/domain/identity';
import type { IsoWeekday } from '@tracershop/domain/catalog';
import type { CatalogReadModel } from '@tracershop/projections/record';
import {
  catalogCommands,
  legacyIdAllocatedByHandler,
  refsLoadedByHandler,
} from '../../api/src/catalog/catalog-commands';
import { identityCommands } from '../../api/src/identity/identity-commands';
import type { LegacyIdAllocator } from '../../api/src/legacy-ids/legacy-id-allocator';

/**
 * A small, complete demo catalogue and its people, made through the same commands (and rules) as
 * the api: F-18 with FDG (activity, the old system's tracer 6) and FET (injection); three
 * customers with one endpoint each, all permitted FDG and one FET; two FDG runs a weekday (06:00,
 * 09:00) Monday to Friday, each customer delivered at 08:00 and 10:30; a person per role, with a
 * generated password each must change at the first login. Ids are derived from names, so a second
 * run changes nothing; it refuses a catalogue that holds customers of its own.
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

export interface DemoPerson {
  username: string;
  role: Role;
  /** Null when the person existed already: the password was set before and is not shown again. */
  password: string | null;
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
}): Promise<DemoSeedReport> {
  const { pipeline, catalog, legacyIds, context } = deps;
  const demoCustomers = new Set(CUSTOMERS.map((customer) => id(`customer:${customer.key}`)));
  // Before the projector first ran, the catalogue's tables do not exist: nothing is there yet.
  const existing = await catalog.listCustomers({ limit: 500, status: 'all' }).catch((error: unknown) => {
    if ((error as { code?: unknown }).code === 'ER_NO_SUCH_TABLE') return { items: [] };
    throw error;
  });
  const foreign = existing.items.filter((customer) => !demoCustomers.has(customer.id));
  if (foreign.length > 0) {
    throw new DemoSeedRefusedError(
      `the catalogue holds ${foreign.length} customers of its own (${foreign[0]?.shortName} …): seed-demo is for an empty deployment`,
    );
  }
  const commands = catalogCommands(pipeline, catalog, legacyIds);
  const identity = identityCommands(pipeline, legacyIds);
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
      report.people.push({ username: person.username, role: person.role, password: null });
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
    await send(
      identity.user,
      {
        type: 'SetPassword',
        userId,
        passwordHash: await hashPassword(password, deps.scryptCost),
        setBy: 'cli',
        at: at(),
      },
      `password:${person.username}`,
    );
    report.people.push({ username: person.username, role: person.role, password });
  }
  return report;
}
