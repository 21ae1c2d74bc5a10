import request from 'supertest';
import {
  ADMIN,
  as,
  bootApp,
  INITIAL_PASSWORD,
  logIn,
  setInitialPassword,
  VERIFIED_IDENTITY,
  type BootedApp,
} from './booted-app';
import { apiScopes } from '@tracershop/domain/identity';
import { APPLICATION_SCOPE, registeredRoutes } from '@tracershop/platform';

type Role = 'admin' | 'production' | 'releaser' | 'shop-admin' | 'shop' | 'location-owner' | 'auditor' | 'application';
const [admin, production, releaser, shopAdmin, shop, locationOwner, auditor, application]: Role[] = [
  'admin',
  'production',
  'releaser',
  'shop-admin',
  'shop',
  'location-owner',
  'auditor',
  'application',
];
const everyone = [admin, production, releaser, shopAdmin, shop, locationOwner, auditor, application];
const people = [admin, production, releaser, shopAdmin, shop, locationOwner, auditor];
const catalogEditors = [admin, production];
const identityReaders = [admin, auditor];
const admins = [admin];
const orderPlacers = [admin, production, shopAdmin, shop];
const orderHandlers = [admin, production];
const releaseSigners = [admin, production, releaser];
const orderReaders = [admin, production, releaser, shopAdmin, shop, auditor, application];
const vialWriters = [admin, production, application];
const vialReaders = [admin, production, releaser, auditor];

/**
 * Who may call each route, declared here apart from the code: a new route without a line here,
 * or a decorator that drifts from it, fails CI.
 */
const expected: Record<string, 'public' | Role[]> = {
  'POST /auth/login': 'public',
  'POST /auth/logout': 'public',
  'GET /audit/events': [admin, auditor],
  'GET /audit/incidents': [admin, production, releaser, auditor],
  'GET /audit/incidents/:id': [admin, production, releaser, auditor],
  'POST /audit/incidents/:id/close': [admin, releaser],
  'GET /audit/reviews': [admin, auditor, releaser],
  'GET /audit/reviews/records/:streamId': [admin, auditor, releaser],
  'POST /audit/reviews/records/:streamId': [releaser],
  'GET /audit/signatures': [admin, auditor],
  'GET /audit/streams/:streamId/changes': [admin, auditor],
  'GET /audit/streams/:streamId/events': [admin, auditor],
  'GET /audit/streams/:streamId/state': [admin, auditor],
  'GET /auth/me': everyone,
  'POST /auth/password': people,
  'POST /auth/setup': 'public',
  'GET /board': 'public',
  'GET /board/assets/:file': 'public',
  'GET /board/login': 'public',
  'GET /bookings': [admin, production, shopAdmin, shop, auditor],
  'POST /bookings': [admin, production, application],
  'GET /bookings/:accession': [admin, production, shopAdmin, shop, auditor],
  'POST /bookings/:accession/cancel': [admin, production, application],
  'PUT /bookings/locations/:code': catalogEditors,
  'POST /bookings/mass-order': orderPlacers,
  'PUT /bookings/procedures/:code/endpoints/:endpointId': catalogEditors,
  'GET /catalog/closed-dates': everyone,
  'GET /catalog/closed-dates/:date': everyone,
  'PUT /catalog/closed-dates/:date': catalogEditors,
  'POST /catalog/closed-dates/:date/reopen': catalogEditors,
  'GET /catalog/customers': everyone,
  'POST /catalog/customers': catalogEditors,
  'GET /catalog/customers/:id': everyone,
  'PATCH /catalog/customers/:id': catalogEditors,
  'POST /catalog/customers/:id/archive': catalogEditors,
  'POST /catalog/customers/:id/restore': catalogEditors,
  'GET /catalog/delivery-endpoints': everyone,
  'POST /catalog/delivery-endpoints': catalogEditors,
  'GET /catalog/delivery-endpoints/:endpointId/tracers/:tracerId': everyone,
  'PATCH /catalog/delivery-endpoints/:endpointId/tracers/:tracerId': catalogEditors,
  'PUT /catalog/delivery-endpoints/:endpointId/tracers/:tracerId': catalogEditors,
  'POST /catalog/delivery-endpoints/:endpointId/tracers/:tracerId/revoke': catalogEditors,
  'GET /catalog/delivery-endpoints/:id': everyone,
  'PATCH /catalog/delivery-endpoints/:id': catalogEditors,
  'POST /catalog/delivery-endpoints/:id/archive': catalogEditors,
  'POST /catalog/delivery-endpoints/:id/restore': catalogEditors,
  'GET /catalog/delivery-time-slots': everyone,
  'POST /catalog/delivery-time-slots': catalogEditors,
  'GET /catalog/delivery-time-slots/:id': everyone,
  'PATCH /catalog/delivery-time-slots/:id': catalogEditors,
  'POST /catalog/delivery-time-slots/:id/archive': catalogEditors,
  'POST /catalog/delivery-time-slots/:id/restore': catalogEditors,
  'GET /catalog/isotopes': everyone,
  'POST /catalog/isotopes': catalogEditors,
  'GET /catalog/isotopes/:id': everyone,
  'PATCH /catalog/isotopes/:id': catalogEditors,
  'POST /catalog/isotopes/:id/archive': catalogEditors,
  'POST /catalog/isotopes/:id/restore': catalogEditors,
  'GET /catalog/ordering-deadlines': everyone,
  'PUT /catalog/ordering-deadlines/:kind': catalogEditors,
  'GET /catalog/production-runs': everyone,
  'POST /catalog/production-runs': catalogEditors,
  'GET /catalog/production-runs/:id': everyone,
  'PATCH /catalog/production-runs/:id': catalogEditors,
  'POST /catalog/production-runs/:id/archive': catalogEditors,
  'POST /catalog/production-runs/:id/restore': catalogEditors,
  'GET /catalog/tracer-permissions': everyone,
  'GET /catalog/tracers': everyone,
  'POST /catalog/tracers': catalogEditors,
  'GET /catalog/tracers/:id': everyone,
  'PATCH /catalog/tracers/:id': catalogEditors,
  'POST /catalog/tracers/:id/archive': catalogEditors,
  'POST /catalog/tracers/:id/restore': catalogEditors,
  'GET /catalog/weekly-close-days': everyone,
  'PUT /catalog/weekly-close-days': catalogEditors,
  'GET /health': 'public',
  'GET /health/live': 'public',
  'GET /identity/api-clients': identityReaders,
  'POST /identity/api-clients': admins,
  'POST /identity/api-clients/:id/deactivate': admins,
  'POST /identity/api-clients/:id/scopes': admins,
  'POST /identity/api-clients/:id/tokens': admins,
  'POST /identity/api-clients/:id/tokens/:tokenId/revoke': admins,
  'GET /identity/service-endpoints': [admin, production, auditor],
  'POST /identity/service-endpoints': admins,
  'GET /identity/service-endpoints/:id': [admin, production, auditor],
  'PATCH /identity/service-endpoints/:id': admins,
  'POST /identity/service-endpoints/:id/archive': admins,
  'GET /identity/customer-access/:customerId': [admin, shopAdmin, auditor],
  'POST /identity/customer-access/:customerId': [admin, shopAdmin],
  'POST /identity/customer-access/:customerId/revoke': [admin, shopAdmin],
  'GET /identity/users': identityReaders,
  'POST /identity/users': admins,
  'GET /identity/users/:id': identityReaders,
  'PATCH /identity/users/:id': admins,
  'POST /identity/users/:id/deactivate': admins,
  'GET /identity/users/:id/login-failures': identityReaders,
  'POST /identity/users/:id/password': admins,
  'POST /identity/users/:id/password-reset/confirm': admins,
  'POST /identity/users/:id/password-reset/withdraw': admins,
  'POST /identity/users/:id/release-rights': admins,
  'POST /identity/users/:id/release-rights/:tracerId/revoke': admins,
  'POST /identity/users/:id/roles': admins,
  'POST /identity/users/:id/roles/:role/revoke': admins,
  'GET /legacy/captured-changes': [admin, production, auditor],
  'POST /legacy/captured-changes/:id/reconcile': [admin, production],
  'GET /metrics': 'public',
  'POST /ordering/activity-orders': orderPlacers,
  'PATCH /ordering/activity-orders/:id': orderPlacers,
  'POST /ordering/activity-orders/:id/move': orderHandlers,
  'POST /ordering/activity-orders/:id/restore': orderHandlers,
  'GET /ordering/day-board': orderReaders,
  'POST /ordering/injection-orders': orderPlacers,
  'PATCH /ordering/injection-orders/:id': orderPlacers,
  'GET /ordering/orders': orderReaders,
  'GET /ordering/orders/:id': orderReaders,
  'POST /ordering/orders/:id/accept': orderHandlers,
  'POST /ordering/orders/:id/cancel': orderPlacers,
  'POST /ordering/orders/:id/reinstate': orderHandlers,
  'POST /ordering/orders/:id/reject': orderHandlers,
  'POST /ordering/releases/activity': releaseSigners,
  'POST /ordering/releases/injection': releaseSigners,
  'GET /ordering/releases/:id': orderReaders,
  'GET /ordering/releases/:id/document': orderReaders,
  'POST /ordering/releases/:id/correct': releaseSigners,
  'GET /ordering/vials': vialReaders,
  'POST /ordering/vials': vialWriters,
  'POST /ordering/vials/val-files': vialWriters,
  'GET /ordering/vials/:id': vialReaders,
  'POST /ordering/vials/:id/correct': orderHandlers,
  'POST /ordering/vials/:id/void': orderHandlers,
  'POST /ordering/vials/:id/restore': orderHandlers,
};

/** A path with its parameters filled in: ids that exist nowhere, a valid date, a valid role. */
function concrete(path: string): string {
  return path
    .replace(':date', '2031-01-06')
    .replace(':role', 'auditor')
    .replace(':kind', 'activity')
    .replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
}

describe('access to every route', () => {
  let app: BootedApp;
  const tokens = new Map<Role, string>();

  beforeAll(async () => {
    app = await bootApp();
    const adminToken = await logIn(app.server, ADMIN.username, ADMIN.password);
    tokens.set(admin, adminToken);
    const api = as(app.server, adminToken);
    const customer = await api
      .post('/catalog/customers')
      .send({ shortName: 'matrix', longName: 'Matrix', dispenserNumber: 77, overheadPercent: 0 })
      .expect(201);
    const grants: Array<[Role, object]> = [
      [production, { role: 'production' }],
      [releaser, { role: 'releaser' }],
      [shopAdmin, { role: 'shop-admin', customerIds: [customer.body.id] }],
      [shop, { role: 'shop', customerIds: [customer.body.id] }],
      [locationOwner, { role: 'location-owner', locationIds: ['location-1'] }],
      [auditor, { role: 'auditor' }],
    ];
    for (const [role, grant] of grants) {
      const username = `matrix.${role}`;
      const user = await api
        .post('/identity/users')
        .send({ username, printedName: `Matrix ${role}`, identityVerification: VERIFIED_IDENTITY })
        .expect(201);
      await api.post(`/identity/users/${user.body.id}/roles`).send(grant).expect(200);
      await setInitialPassword(app.server, api, user.body.id);
      tokens.set(role, await logIn(app.server, username, INITIAL_PASSWORD, 'chosen-Passphrase-43'));
    }
    const client = await api
      .post('/identity/api-clients')
      .send({ name: 'Matrix app', scopes: [...apiScopes] })
      .expect(201);
    const token = await api.post(`/identity/api-clients/${client.body.id}/tokens`).send({ name: 'matrix' }).expect(201);
    tokens.set(application, token.body.token);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('every registered route has a line in the expectation table, and every line a route', () => {
    const registered = registeredRoutes(app.api).map((route) => `${route.method} ${route.path}`);
    expect(registered.sort()).toEqual(Object.keys(expected).sort());
  });

  it('every route declares the access the table expects', () => {
    for (const route of registeredRoutes(app.api)) {
      const name = `${route.method} ${route.path}`;
      const declared = route.rule?.kind === 'public' ? 'public' : route.rule?.roles;
      expect({ route: name, declared }).toEqual({ route: name, declared: expected[name] });
    }
  });

  it('every route but login, logout, setup, health and metrics refuses an anonymous call with 401', async () => {
    const mismatches: string[] = [];
    for (const [route, access] of Object.entries(expected)) {
      if (access === 'public') continue;
      const [method, path] = route.split(' ');
      const response = await request(app.server)[method.toLowerCase() as 'get'](concrete(path)).send({});
      if (response.status !== 401 || response.body?.error?.code !== 'UNAUTHENTICATED') {
        mismatches.push(`${route}: ${response.status}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('every route answers every role as the table says', async () => {
    const mismatches: string[] = [];
    for (const [route, access] of Object.entries(expected)) {
      if (access === 'public') continue;
      const [method, path] = route.split(' ');
      for (const role of everyone) {
        const call = request(app.server)[method.toLowerCase() as 'get'](concrete(path));
        const response = await call.set('authorization', `Bearer ${tokens.get(role)}`).send({});
        const allowed = access.includes(role);
        const refused = response.status === 403 && response.body?.error?.code === 'FORBIDDEN';
        if (allowed ? response.status === 401 || response.status === 403 : !refused) {
          mismatches.push(`${role} ${route}: ${response.status} ${response.body?.error?.code ?? ''}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('every route open to API clients declares the scope their token needs', () => {
    const undeclared = registeredRoutes(app.api)
      .filter((route) => route.rule?.kind === 'roles' && route.rule.roles.includes(application))
      .map((route) => [`${route.method} ${route.path}`, route.metadata(APPLICATION_SCOPE)] as const)
      .filter(([, scope]) => !['any', ...apiScopes].includes(scope as string));
    expect(undeclared).toEqual([]);
  });

  it("an API client's token does what its scopes allow and nothing else, and a change of scopes holds at once", async () => {
    const api = as(app.server, tokens.get(admin) as string);
    // Given a dispenser client that may record vials only
    const client = await api
      .post('/identity/api-clients')
      .send({ name: 'Dispenser', scopes: ['vials'] })
      .expect(201);
    const issued = await api
      .post(`/identity/api-clients/${client.body.id}/tokens`)
      .send({ name: 'hot lab' })
      .expect(201);
    const dispenser = as(app.server, issued.body.token);

    // Then it records vials (its bad body is refused after the guard) and reads nothing
    expect((await dispenser.post('/ordering/vials').send({}).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    await dispenser.get('/auth/me').expect(200);
    for (const path of ['/catalog/isotopes', '/ordering/orders']) {
      const refused = await dispenser.get(path).expect(403);
      expect(refused.body.error).toMatchObject({ code: 'SCOPE_NOT_GRANTED', details: { granted: ['vials'] } });
    }
    expect((await dispenser.post('/bookings').send({}).expect(403)).body.error.code).toBe('SCOPE_NOT_GRANTED');

    // When an administrator changes its scopes with a reason; then the next call already holds them
    await api
      .post(`/identity/api-clients/${client.body.id}/scopes`)
      .send({ scopes: ['catalog:read'] })
      .expect(400);
    const changed = await api
      .post(`/identity/api-clients/${client.body.id}/scopes`)
      .send({ scopes: ['catalog:read'], reason: 'reads the tracers for its labels; vials go through the VAL share' })
      .expect(200);
    expect(changed.body.events).toEqual(['ApiClientScopesSet']);
    await dispenser.get('/catalog/isotopes').expect(200);
    expect((await dispenser.post('/ordering/vials').send({}).expect(403)).body.error.code).toBe('SCOPE_NOT_GRANTED');
    const listed = await api.get('/identity/api-clients').query({ minPosition: changed.body.position }).expect(200);
    expect(listed.body.items.find((item: { id: string }) => item.id === client.body.id)).toMatchObject({
      scopes: ['catalog:read'],
    });
  });
});
