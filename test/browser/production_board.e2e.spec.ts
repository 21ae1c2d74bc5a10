import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { addDays, isoWeekdayOf } from '@tracershop/domain/catalog';
import { ADMIN, as, bootApp, logIn, type BootedApp, createPerson, fdgVialTypedIn } from '../e2e/booted-app';

/**
 * The live production board in a real headless Chromium (Debian's, driven by playwright-core; no
 * browser is downloaded): log in through the page, open the board, and watch orders placed,
 * moved and released over HTTP arrive through the realtime gateway.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(__dirname, 'artifacts');
/** How soon a change must show on the board once its command has answered. */
const LIVE_WITHIN_MS = 2000;

function mondayAhead(weeksAhead: number): string {
  let date = addDays(new Date().toISOString().slice(0, 10), 7 * weeksAhead);
  while (isoWeekdayOf(date) !== 1) date = addDays(date, 1);
  return date;
}

describe('the production board in a browser', () => {
  let app: BootedApp;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  let admin: ReturnType<typeof as>;
  let production: ReturnType<typeof as>;
  let releaser: ReturnType<typeof as>;
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const monday = mondayAhead(2);
  const staff = { username: 'paula.production', password: 'chosen-Passphrase-43' };
  const releaserCredentials = { username: 'rita.releaser', password: 'chosen-Passphrase-43' };
  const catalog = {} as { tracer: string; herlevEarly: string; herlevLate: string; glostrupEarly: string };

  async function created(path: string, body: object, client = admin): Promise<string> {
    const response = await client.post(path).send(body);
    if (response.status !== 201) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.id as string;
  }

  const person = (username: string, grant: object) => createPerson(app.server, admin, username, grant);

  /** Waits for the element; a timeout tells what the page showed, and keeps a screenshot of it. */
  async function waitFor(selector: string, timeout: number): Promise<void> {
    try {
      await page.locator(selector).first().waitFor({ state: 'attached', timeout });
    } catch (error) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'production_board.failure.png'), fullPage: true });
      const seen = {
        url: page.url(),
        connection: await page.getAttribute('#connection', 'data-connection').catch(() => null),
        error: await page.textContent('#board-error').catch(() => null),
        pageErrors,
        consoleErrors,
      };
      throw new Error(`${(error as Error).message}\npage: ${JSON.stringify(seen)}`, { cause: error });
    }
  }

  /** Waits for the element and answers how long it took; fails past the live bound. */
  async function shows(selector: string): Promise<number> {
    const started = Date.now();
    await waitFor(selector, LIVE_WITHIN_MS);
    return Date.now() - started;
  }

  beforeAll(async () => {
    // The page the api serves is the one built from this checkout.
    execFileSync('npm', ['run', '--silent', 'build:board'], { cwd: ROOT, stdio: 'pipe' });
    // The browser needs a real port: the api listens on one of its own.
    app = await bootApp({ MIN_POSITION_TIMEOUT_MS: '2000' }, { listen: true });
    baseUrl = app.url as string;

    admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    const f18 = await created('/catalog/isotopes', {
      name: 'F-18',
      atomicNumber: 9,
      atomicMass: 18,
      halfLifeSeconds: 6586.2,
      metastable: false,
    });
    catalog.tracer = await created('/catalog/tracers', {
      shortName: 'FDG',
      clinicalName: 'Fludeoxyglucose (18F)',
      isotopeId: f18,
      kind: 'activity',
      vialTag: 'FDG',
      inUse: true,
    });
    const herlev = await created('/catalog/customers', {
      shortName: 'herlev',
      longName: 'Herlev Hospital',
      dispenserNumber: 2,
      overheadPercent: 10,
    });
    const glostrup = await created('/catalog/customers', {
      shortName: 'glostrup',
      longName: 'Glostrup Hospital',
      dispenserNumber: 4,
      overheadPercent: 0,
    });
    const herlevPet = await created('/catalog/delivery-endpoints', { customerId: herlev, name: 'PET' });
    const glostrupPet = await created('/catalog/delivery-endpoints', { customerId: glostrup, name: 'PET' });
    const run = (productionTime: string, runNumber: number) =>
      created('/catalog/production-runs', { tracerId: catalog.tracer, weekday: 1, productionTime, runNumber });
    const run1 = await run('06:00', 1);
    const run2 = await run('09:00', 2);
    const slot = (endpointId: string, productionRunId: string, deliveryTime: string) =>
      created('/catalog/delivery-time-slots', { endpointId, productionRunId, deliveryTime, repeat: 'every' });
    catalog.herlevEarly = await slot(herlevPet, run1, '08:00');
    catalog.herlevLate = await slot(herlevPet, run2, '10:30');
    catalog.glostrupEarly = await slot(glostrupPet, run1, '08:15');
    for (const endpointId of [herlevPet, glostrupPet]) {
      await admin.put(`/catalog/delivery-endpoints/${endpointId}/tracers/${catalog.tracer}`).send({}).expect(200);
    }
    production = (await person(staff.username, { role: 'production' })).client;
    const rita = await person(releaserCredentials.username, { role: 'releaser' });
    releaser = rita.client;
    await admin.post(`/identity/users/${rita.id}/release-rights`).send({ tracerId: catalog.tracer }).expect(200);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('serves the pages and their files without a session, and the data only with one', async () => {
    const board = await request(app.server).get('/board').expect(200);
    expect(board.headers['content-type']).toMatch(/^text\/html/);
    expect(board.headers['content-security-policy']).toContain("default-src 'self'");
    await request(app.server).get('/board/login').expect(200);
    const script = await request(app.server).get('/board/assets/board.js').expect(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    await request(app.server).get('/board/assets/socket.io.min.js').expect(200);
    await request(app.server).get('/board/assets/board.css').expect(200);
    await request(app.server).get('/board/assets/..%2Fpackage.json').expect(404);
    await request(app.server).get('/board/assets/missing.js').expect(404);
    await request(app.server).get('/catalog/tracers').expect(401);
  });

  it('logs in, then shows orders live as they are placed, accepted, moved and released', async () => {
    const boardUrl = `${baseUrl}/board?date=${monday}&tracer=${catalog.tracer}`;
    await page.goto(boardUrl);
    // Without a session the board sends the browser to the login page, and back after it.
    await page.waitForURL(/\/board\/login\?next=/);
    await page.fill('#username', staff.username);
    await page.fill('#password', staff.password);
    await page.click('#login-submit');
    await page.waitForURL((url) => url.pathname === '/board');
    expect(new URL(page.url()).searchParams.get('date')).toBe(monday);
    await waitFor('#board[data-board-ready="true"]', 10_000);
    await waitFor('[data-connection="live"]', 10_000);
    expect(await page.inputValue('#date')).toBe(monday);
    expect(await page.inputValue('#tracer')).toBe(catalog.tracer);
    // The catalogue's slots are there before any order: runs as columns, customers as rows.
    expect(await page.locator('thead th[data-run]').allTextContents()).toEqual(['Run 1 · 06:00', 'Run 2 · 09:00']);
    expect(await page.locator('tbody th.customer').allTextContents()).toEqual(['glostrup', 'herlev']);
    expect(await page.locator(`[data-slot-id="${catalog.herlevEarly}"] .empty`).count()).toBe(1);

    // Placed over HTTP: on the board, ordered (status 1), with the customer's 10 % overhead.
    const placed = await production
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.herlevEarly, deliveryDate: monday, activityMBq: 1000 })
      .expect(201);
    const orderId = placed.body.id as string;
    const order = `[data-slot-id="${catalog.herlevEarly}"] [data-order-id="${orderId}"]`;
    await shows(`${order}[data-status="ordered"][data-status-code="1"][data-section="ordered"]`);
    expect(await page.locator(`${order} [data-mbq]`).textContent()).toBe('1 100 MBq');

    await production.post(`/ordering/orders/${orderId}/accept`).expect(200);
    await shows(`${order}[data-status="accepted"][data-status-code="2"]`);

    // Moved into an earlier slot that has no order of its own: moved-in, decay-corrected, with a ghost host.
    const later = await production
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.herlevLate, deliveryDate: monday, activityMBq: 500 })
      .expect(201);
    await shows(`[data-slot-id="${catalog.herlevLate}"] [data-order-id="${later.body.id}"][data-section="ordered"]`);
    const placedGlostrup = await production
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.glostrupEarly, deliveryDate: monday, activityMBq: 300 })
      .expect(201);
    await shows(`[data-order-id="${placedGlostrup.body.id}"]`);
    await production.post(`/ordering/orders/${later.body.id}/accept`).expect(200);
    await production
      .post(`/ordering/activity-orders/${later.body.id}/move`)
      .send({ targetSlotId: catalog.herlevEarly, reason: 'Run 2 dropped' })
      .expect(200);
    const movedIn = `[data-slot-id="${catalog.herlevEarly}"] [data-order-id="${later.body.id}"][data-section="moved-in"]`;
    await shows(movedIn);
    await shows(`[data-slot-id="${catalog.herlevLate}"] [data-moved-out-order-id="${later.body.id}"]`);
    // 500 MBq for 10:30 served at 08:00: 150 minutes of F-18 decay, plus 10 % overhead.
    const served = 500 * Math.exp((Math.LN2 * 150 * 60) / 6586.2) * 1.1;
    expect(await page.locator(`${movedIn} [data-mbq]`).textContent()).toBe(
      `${Math.round(served).toLocaleString('en-US').replace(/,/g, ' ')} MBq`,
    );

    // Per run: what its slots deliver, and what it must make at 06:00, each slot decayed back.
    const slotTotal = async (slotId: string) =>
      Number(await page.locator(`[data-slot-id="${slotId}"] [data-slot-total]`).getAttribute('data-slot-total'));
    const [herlev0800, glostrup0815] = [await slotTotal(catalog.herlevEarly), await slotTotal(catalog.glostrupEarly)];
    const run1 = 'tfoot td[data-run="1"]';
    const runFigure = async (attribute: string) =>
      Number(await page.locator(`${run1} [${attribute}]`).getAttribute(attribute));
    expect(await runFigure('data-run-delivered')).toBeCloseTo(herlev0800 + glostrup0815, 9);
    const back = (mbq: number, minutes: number) => mbq * Math.exp((Math.LN2 * minutes * 60) / 6586.2);
    expect(await runFigure('data-run-at-production')).toBeCloseTo(back(herlev0800, 120) + back(glostrup0815, 135), 6);
    expect(await page.locator('tfoot td[data-run="2"] [data-run-delivered]').textContent()).toBe('delivers 0 MBq');

    // Released over HTTP, signed, with every order the slot delivers (its own and the moved-in
    // one): the order turns released (status 3) with its lot.
    const vialId = await fdgVialTypedIn(production, monday, 'FDG-310106-1');
    await releaser
      .post('/ordering/releases/activity')
      .send({
        slotId: catalog.herlevEarly,
        deliveryDate: monday,
        orderIds: [orderId, later.body.id],
        vialIds: [vialId],
        confirmOtherDate: true,
        signature: releaserCredentials,
      })
      .expect(201);
    const releasedAfter = await shows(
      `${order}[data-status="released"][data-status-code="3"][data-section="released"] [data-lot="FDG-310106-1"]`,
    );
    expect(releasedAfter).toBeLessThanOrEqual(LIVE_WITHIN_MS);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'production_board.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('keeps the board across a reload and shows another date empty, live', async () => {
    await page.reload();
    await waitFor('#board[data-board-ready="true"]', 10_000);
    expect(await page.locator('[data-order-id]').count()).toBe(3);
    const nextMonday = addDays(monday, 7);
    await page.fill('#date', nextMonday);
    await page.dispatchEvent('#date', 'change');
    await waitFor(`#board[data-date="${nextMonday}"][data-board-ready="true"]`, 10_000);
    expect(await page.locator('[data-order-id]').count()).toBe(0);
    const placed = await production
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.glostrupEarly, deliveryDate: nextMonday, activityMBq: 250 })
      .expect(201);
    await shows(`[data-order-id="${placed.body.id}"][data-status="ordered"]`);
    expect(pageErrors).toEqual([]);
  });
});
