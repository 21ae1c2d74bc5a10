import { randomBytes, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import request from 'supertest';
import { loadConfiguration, type TracershopConfig } from '@tracershop/config';
import { addDays, isoWeekdayOf } from '@tracershop/domain/catalog';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { createHttpApp, createLogger } from '@tracershop/platform';
import { ApiModule } from '../../apps/api/src/api.module';
import { IdentityService } from '../../apps/api/src/identity/identity.service';
import { OPERATOR_ID } from '../../apps/api/src/identity/operator-password-resets';
import { useRealtimeAdapter } from '../../apps/api/src/realtime/realtime-io.adapter';
import { ProjectorModule } from '../../apps/projector/src/projector.module';

export const ADMIN = { username: 'first.admin', password: 'Tr4cer-bootstrap-key!', printedName: 'First Admin' };

/** How the administrator who registers a person in a spec verified their identity (`POST /identity/users`). */
export const VERIFIED_IDENTITY = { method: 'photo-id-in-person', reference: 'Passport, last digits 4711' } as const;

/** The temporary password an administrator requests for a person, before they choose their own. */
export const INITIAL_PASSWORD = 'initial-Passphrase-42';

/** Each booted app's api, so a helper given only its server can act as the operator on it. */
const apiOfServer = new WeakMap<object, NestFastifyApplication>();

export interface BootedApp {
  api: NestFastifyApplication;
  projector: NestFastifyApplication;
  config: TracershopConfig;
  /** Supertest target. */
  server: ReturnType<NestFastifyApplication['getHttpServer']>;
  /** `http://127.0.0.1:<port>` when booted with `listen` (socket clients need a port). */
  url: string | null;
  close(): Promise<void>;
}

export interface BootOptions {
  /** Listen on an ephemeral port of 127.0.0.1 (for websocket clients); supertest works either way. */
  listen?: boolean;
}

/**
 * The api and the projector, booted as in production but in this process, on databases of their
 * own (random names, dropped by `close`), so an e2e spec never sees another run's data.
 */
export async function bootApp(env: Record<string, string> = {}, options: BootOptions = {}): Promise<BootedApp> {
  const suffix = randomBytes(4).toString('hex');
  const config = loadConfiguration({
    ...process.env,
    EVENTS_DATABASE: `e2e_events_${suffix}`,
    RECORD_DATABASE: `e2e_record_${suffix}`,
    WEB_DATABASE: `e2e_web_${suffix}`,
    LOG_LEVEL: 'silent',
    // Cheap hashes keep the suite fast; production uses the memory-hard default.
    PASSWORD_SCRYPT_COST: '12',
    INITIAL_ADMIN_USERNAME: ADMIN.username,
    INITIAL_ADMIN_PASSWORD: ADMIN.password,
    INITIAL_ADMIN_NAME: ADMIN.printedName,
    ...env,
  });
  const logger = createLogger(config.logLevel, 'e2e');
  const dropDatabases = async () => {
    const redis = new Redis(config.redisUrl);
    const keys = [
      ...(await redis.keys(`tracershop:${config.databases.web}:*`)),
      ...(await redis.keys(`tracershop:${config.databases.events}:*`)),
    ];
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    const admin = await createConnection({ ...config.mysql });
    try {
      for (const database of Object.values(config.databases)) {
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
      }
    } finally {
      await admin.end();
    }
  };
  let projector: NestFastifyApplication | undefined;
  let api: NestFastifyApplication | undefined;
  try {
    projector = await createHttpApp(ProjectorModule.register(config, logger), { config, logger });
    await projector.init();
    api = await createHttpApp(ApiModule.register(config, logger), {
      config,
      logger,
      docs: { title: 'Tracershop API', description: 'e2e' },
    });
    useRealtimeAdapter(api, config, logger);
    await api.init();
    await api.getHttpAdapter().getInstance().ready();
    if (options.listen) await api.listen(0, '127.0.0.1');
  } catch (error) {
    // A boot that fails leaves nothing behind either.
    await api?.close();
    await projector?.close();
    await dropDatabases();
    throw error;
  }
  apiOfServer.set(api.getHttpServer(), api);
  return {
    api,
    projector,
    config,
    server: api.getHttpServer(),
    url: options.listen ? await api.getUrl() : null,
    close: async () => {
      await api.close();
      await projector.close();
      await dropDatabases();
    },
  };
}

/** The configuration of one more process (an api, projector or worker) on the databases of an app booted by `bootApp`. */
export function configOnTheSameDatabases(primary: BootedApp, env: Record<string, string> = {}): TracershopConfig {
  return loadConfiguration({
    ...process.env,
    EVENTS_DATABASE: primary.config.databases.events,
    RECORD_DATABASE: primary.config.databases.record,
    WEB_DATABASE: primary.config.databases.web,
    LOG_LEVEL: 'silent',
    ...env,
  });
}

export interface BootedApiInstance {
  api: NestFastifyApplication;
  server: ReturnType<NestFastifyApplication['getHttpServer']>;
  url: string;
  close(): Promise<void>;
}

/**
 * One more api instance of an app booted by `bootApp`, on its databases and Redis, listening on
 * its own port (as a second replica behind a load balancer). `close` leaves the databases.
 */
export async function bootApiInstance(
  primary: BootedApp,
  env: Record<string, string> = {},
): Promise<BootedApiInstance> {
  const config = configOnTheSameDatabases(primary, { PASSWORD_SCRYPT_COST: '12', ...env });
  const logger = createLogger(config.logLevel, 'e2e');
  const api = await createHttpApp(ApiModule.register(config, logger), { config, logger });
  try {
    useRealtimeAdapter(api, config, logger);
    await api.init();
    await api.listen(0, '127.0.0.1');
  } catch (error) {
    await api.close();
    throw error;
  }
  return { api, server: api.getHttpServer(), url: await api.getUrl(), close: () => api.close() };
}

/** Logs in; a first password set by someone else is replaced first, as the user would. */
export async function logIn(
  server: BootedApp['server'],
  username: string,
  password: string,
  newPassword = `${password} renewed`,
): Promise<string> {
  const first = await request(server).post('/auth/login').send({ username, password }).expect(200);
  if (!first.body.user.mustChangePassword) return first.body.token as string;
  await request(server)
    .post('/auth/password')
    .set('authorization', `Bearer ${first.body.token}`)
    .send({ currentPassword: password, newPassword })
    .expect(200);
  const again = await request(server).post('/auth/login').send({ username, password: newPassword }).expect(200);
  return again.body.token as string;
}

/** Supertest with a bearer token on every request. */
export function as(server: BootedApp['server'], token: string) {
  const agent = request(server);
  const auth = `Bearer ${token}`;
  return {
    get: (path: string) => agent.get(path).set('authorization', auth),
    post: (path: string) => agent.post(path).set('authorization', auth),
    patch: (path: string) => agent.patch(path).set('authorization', auth),
    put: (path: string) => agent.put(path).set('authorization', auth),
    delete: (path: string) => agent.delete(path).set('authorization', auth),
  };
}

/** The password every person made by `createPerson` logs in with after replacing the initial one. */
export const PERSON_PASSWORD = 'chosen-Passphrase-43';

/** The operator on the server, as the cli names them. */
const OPERATOR_CONTEXT = () => ({
  actor: { kind: 'system' as const, id: OPERATOR_ID, printedName: 'operator e2e', role: 'system' },
  correlationId: randomUUID(),
  causationId: randomUUID(),
});

/**
 * The operator on the server confirms the password reset waiting for the user (what the cli's
 * `user confirm-password-reset` does): the second person of a small site with one administrator.
 */
export async function operatorConfirmsPasswordReset(
  server: BootedApp['server'],
  userId: string,
  requestId: string,
): Promise<void> {
  const api = apiOfServer.get(server);
  if (!api) throw new Error('operatorConfirmsPasswordReset needs the server of an app booted by bootApp');
  await api.get(IdentityService).confirmPasswordReset(userId, requestId, OPERATOR_ID, OPERATOR_CONTEXT());
}

/**
 * An administrator's temporary password for a person, in force: the administrator requests it (202)
 * and the operator confirms it as the second person (Part 11 §11.200(a)).
 */
export async function setInitialPassword(
  server: BootedApp['server'],
  admin: ReturnType<typeof as>,
  userId: string,
  password = INITIAL_PASSWORD,
): Promise<void> {
  const requested = await admin
    .post(`/identity/users/${userId}/password`)
    .send({ password, reason: 'first password of a new account' });
  if (requested.status !== 202) {
    throw new Error(`POST /identity/users/${userId}/password: ${requested.status} ${JSON.stringify(requested.body)}`);
  }
  await operatorConfirmsPasswordReset(server, userId, requested.body.requestId as string);
}

/** A person with one role grant, created by an administrator and logged in as themselves. */
export async function createPerson(
  server: BootedApp['server'],
  admin: ReturnType<typeof as>,
  username: string,
  grant: object,
): Promise<{ id: string; token: string; client: ReturnType<typeof as> }> {
  const created = await admin
    .post('/identity/users')
    .send({ username, printedName: `Person ${username}`, identityVerification: VERIFIED_IDENTITY })
    .expect(201);
  const id = created.body.id as string;
  await admin.post(`/identity/users/${id}/roles`).send(grant).expect(200);
  await setInitialPassword(server, admin, id);
  const token = await logIn(server, username, INITIAL_PASSWORD, PERSON_PASSWORD);
  return { id, token, client: as(server, token) };
}

/** The Monday `weeks` weeks from today (negative: before it). */
export function monday(weeks: number): string {
  let date = addDays(new Date().toISOString().slice(0, 10), 7 * weeks);
  while (isoWeekdayOf(date) !== 1) date = addDays(date, -1);
  return date;
}

/** F-18 as the catalogue registers it (`POST /catalog/isotopes`). */
export const F18_ISOTOPE = {
  name: 'F-18',
  atomicNumber: 9,
  atomicMass: 18,
  halfLifeSeconds: 6586.2,
  metastable: false,
};

/** FDG as the catalogue registers it (`POST /catalog/tracers`), of the isotope given. */
export const fdgTracer = (isotopeId: string, extra: object = {}) => ({
  shortName: 'FDG',
  clinicalName: 'Fludeoxyglucose (18F)',
  isotopeId,
  kind: 'activity',
  vialTag: 'FDG',
  inUse: true,
  ...extra,
});

/**
 * The smallest catalogue to order FDG in, made by an administrator: F-18 and FDG, a customer
 * (`herlev`) with an endpoint permitted FDG, one production run on the weekday and a slot at 08:00.
 */
export async function fdgCatalogue(
  admin: ReturnType<typeof as>,
  options: { weekday: number; overheadPercent?: number },
): Promise<{ fdg: string; customer: string; endpoint: string; run: string; slotId: string }> {
  const created = async (path: string, body: object) => {
    const response = await admin.post(path).send(body);
    if (response.status !== 201) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.id as string;
  };
  const fdg = await created('/catalog/tracers', fdgTracer(await created('/catalog/isotopes', F18_ISOTOPE)));
  const customer = await created('/catalog/customers', {
    shortName: 'herlev',
    longName: 'Herlev Hospital',
    dispenserNumber: 2,
    overheadPercent: options.overheadPercent ?? 0,
  });
  const endpoint = await created('/catalog/delivery-endpoints', { customerId: customer, name: 'PET' });
  const run = await created('/catalog/production-runs', {
    tracerId: fdg,
    weekday: options.weekday,
    productionTime: '06:00',
    runNumber: 1,
  });
  const slotId = await created('/catalog/delivery-time-slots', {
    endpointId: endpoint,
    productionRunId: run,
    deliveryTime: '08:00',
    repeat: 'every',
  });
  await admin.put(`/catalog/delivery-endpoints/${endpoint}/tracers/${fdg}`).send({}).expect(200);
  return { fdg, customer, endpoint, run, slotId };
}

/** A vial of FDG as production types it in from the dispenser's print-out, on `date` (`POST /ordering/vials`). */
export async function fdgVialTypedIn(
  production: ReturnType<typeof as>,
  date: string,
  lot = 'FDG-261207-1',
): Promise<string> {
  const vial = await production
    .post('/ordering/vials')
    .send({
      lot,
      fillDate: date,
      fillTime: '07:10:00',
      activityMBq: 1300,
      volumeMl: 4.2,
      dispenserNumber: 2,
      reason: 'Entered from the dispenser print-out',
    })
    .expect(201);
  return vial.body.id as string;
}
